from . import common_pb2 as _common_pb2
from . import trial_pb2 as _trial_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PeerRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PEER_ROLE_UNSPECIFIED: _ClassVar[PeerRole]
    PEER_ROLE_WORKER: _ClassVar[PeerRole]
    PEER_ROLE_SUGGESTER: _ClassVar[PeerRole]
    PEER_ROLE_OBSERVER: _ClassVar[PeerRole]

class RefusalReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUSAL_REASON_UNSPECIFIED: _ClassVar[RefusalReason]
    REFUSAL_REASON_VERSION_MISMATCH: _ClassVar[RefusalReason]
    REFUSAL_REASON_UNAUTHORIZED: _ClassVar[RefusalReason]
    REFUSAL_REASON_DUPLICATE_PEER_ID: _ClassVar[RefusalReason]
    REFUSAL_REASON_DRAINING: _ClassVar[RefusalReason]
    REFUSAL_REASON_INVALID_HELLO: _ClassVar[RefusalReason]
    REFUSAL_REASON_UNSUPPORTED_ROLE: _ClassVar[RefusalReason]
PEER_ROLE_UNSPECIFIED: PeerRole
PEER_ROLE_WORKER: PeerRole
PEER_ROLE_SUGGESTER: PeerRole
PEER_ROLE_OBSERVER: PeerRole
REFUSAL_REASON_UNSPECIFIED: RefusalReason
REFUSAL_REASON_VERSION_MISMATCH: RefusalReason
REFUSAL_REASON_UNAUTHORIZED: RefusalReason
REFUSAL_REASON_DUPLICATE_PEER_ID: RefusalReason
REFUSAL_REASON_DRAINING: RefusalReason
REFUSAL_REASON_INVALID_HELLO: RefusalReason
REFUSAL_REASON_UNSUPPORTED_ROLE: RefusalReason

class WorkerInfo(_message.Message):
    __slots__ = ("host", "pid", "accelerator_kind", "accelerator_count", "accelerator_model", "accelerator_memory_bytes", "framework_versions", "capacity", "workloads", "running")
    class FrameworkVersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    HOST_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    ACCELERATOR_KIND_FIELD_NUMBER: _ClassVar[int]
    ACCELERATOR_COUNT_FIELD_NUMBER: _ClassVar[int]
    ACCELERATOR_MODEL_FIELD_NUMBER: _ClassVar[int]
    ACCELERATOR_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    FRAMEWORK_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    WORKLOADS_FIELD_NUMBER: _ClassVar[int]
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    host: str
    pid: int
    accelerator_kind: _common_pb2.AcceleratorKind
    accelerator_count: int
    accelerator_model: str
    accelerator_memory_bytes: int
    framework_versions: _containers.ScalarMap[str, str]
    capacity: int
    workloads: _containers.RepeatedScalarFieldContainer[str]
    running: _containers.RepeatedCompositeFieldContainer[_common_pb2.TrialRef]
    def __init__(self, host: _Optional[str] = ..., pid: _Optional[int] = ..., accelerator_kind: _Optional[_Union[_common_pb2.AcceleratorKind, str]] = ..., accelerator_count: _Optional[int] = ..., accelerator_model: _Optional[str] = ..., accelerator_memory_bytes: _Optional[int] = ..., framework_versions: _Optional[_Mapping[str, str]] = ..., capacity: _Optional[int] = ..., workloads: _Optional[_Iterable[str]] = ..., running: _Optional[_Iterable[_Union[_common_pb2.TrialRef, _Mapping]]] = ...) -> None: ...

class SuggesterInfo(_message.Message):
    __slots__ = ("algorithms", "framework_versions", "capacity", "supports_early_stopping")
    class FrameworkVersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ALGORITHMS_FIELD_NUMBER: _ClassVar[int]
    FRAMEWORK_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    SUPPORTS_EARLY_STOPPING_FIELD_NUMBER: _ClassVar[int]
    algorithms: _containers.RepeatedScalarFieldContainer[str]
    framework_versions: _containers.ScalarMap[str, str]
    capacity: int
    supports_early_stopping: bool
    def __init__(self, algorithms: _Optional[_Iterable[str]] = ..., framework_versions: _Optional[_Mapping[str, str]] = ..., capacity: _Optional[int] = ..., supports_early_stopping: _Optional[bool] = ...) -> None: ...

class ObserverInfo(_message.Message):
    __slots__ = ("study_ids",)
    STUDY_IDS_FIELD_NUMBER: _ClassVar[int]
    study_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, study_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class Hello(_message.Message):
    __slots__ = ("peer_id", "role", "worker", "suggester", "observer", "agent", "features", "labels", "public_key", "key_proof")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PEER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    SUGGESTER_FIELD_NUMBER: _ClassVar[int]
    OBSERVER_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    KEY_PROOF_FIELD_NUMBER: _ClassVar[int]
    peer_id: str
    role: PeerRole
    worker: WorkerInfo
    suggester: SuggesterInfo
    observer: ObserverInfo
    agent: str
    features: _containers.RepeatedScalarFieldContainer[str]
    labels: _containers.ScalarMap[str, str]
    public_key: str
    key_proof: bytes
    def __init__(self, peer_id: _Optional[str] = ..., role: _Optional[_Union[PeerRole, str]] = ..., worker: _Optional[_Union[WorkerInfo, _Mapping]] = ..., suggester: _Optional[_Union[SuggesterInfo, _Mapping]] = ..., observer: _Optional[_Union[ObserverInfo, _Mapping]] = ..., agent: _Optional[str] = ..., features: _Optional[_Iterable[str]] = ..., labels: _Optional[_Mapping[str, str]] = ..., public_key: _Optional[str] = ..., key_proof: _Optional[bytes] = ...) -> None: ...

class Welcome(_message.Message):
    __slots__ = ("peer_id", "session_id", "negotiated_minor", "heartbeat_interval_ms", "peer_timeout_ms", "max_frame_bytes", "reattached", "agent", "features")
    PEER_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    NEGOTIATED_MINOR_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    PEER_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    MAX_FRAME_BYTES_FIELD_NUMBER: _ClassVar[int]
    REATTACHED_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    peer_id: str
    session_id: str
    negotiated_minor: int
    heartbeat_interval_ms: int
    peer_timeout_ms: int
    max_frame_bytes: int
    reattached: _containers.RepeatedCompositeFieldContainer[_common_pb2.TrialRef]
    agent: str
    features: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, peer_id: _Optional[str] = ..., session_id: _Optional[str] = ..., negotiated_minor: _Optional[int] = ..., heartbeat_interval_ms: _Optional[int] = ..., peer_timeout_ms: _Optional[int] = ..., max_frame_bytes: _Optional[int] = ..., reattached: _Optional[_Iterable[_Union[_common_pb2.TrialRef, _Mapping]]] = ..., agent: _Optional[str] = ..., features: _Optional[_Iterable[str]] = ...) -> None: ...

class ProtocolVersion(_message.Message):
    __slots__ = ("major", "minor")
    MAJOR_FIELD_NUMBER: _ClassVar[int]
    MINOR_FIELD_NUMBER: _ClassVar[int]
    major: int
    minor: int
    def __init__(self, major: _Optional[int] = ..., minor: _Optional[int] = ...) -> None: ...

class Refused(_message.Message):
    __slots__ = ("reason", "message", "supported_versions")
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    SUPPORTED_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    reason: RefusalReason
    message: str
    supported_versions: _containers.RepeatedCompositeFieldContainer[ProtocolVersion]
    def __init__(self, reason: _Optional[_Union[RefusalReason, str]] = ..., message: _Optional[str] = ..., supported_versions: _Optional[_Iterable[_Union[ProtocolVersion, _Mapping]]] = ...) -> None: ...

class Goodbye(_message.Message):
    __slots__ = ("reason", "running")
    REASON_FIELD_NUMBER: _ClassVar[int]
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    reason: str
    running: _containers.RepeatedCompositeFieldContainer[_common_pb2.TrialRef]
    def __init__(self, reason: _Optional[str] = ..., running: _Optional[_Iterable[_Union[_common_pb2.TrialRef, _Mapping]]] = ...) -> None: ...

class AttemptProgress(_message.Message):
    __slots__ = ("trial", "step", "elapsed_seconds")
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_SECONDS_FIELD_NUMBER: _ClassVar[int]
    trial: _common_pb2.TrialRef
    step: int
    elapsed_seconds: float
    def __init__(self, trial: _Optional[_Union[_common_pb2.TrialRef, _Mapping]] = ..., step: _Optional[int] = ..., elapsed_seconds: _Optional[float] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ("running", "free_slots", "resources")
    class ResourcesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    FREE_SLOTS_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    running: _containers.RepeatedCompositeFieldContainer[AttemptProgress]
    free_slots: int
    resources: _containers.ScalarMap[str, float]
    def __init__(self, running: _Optional[_Iterable[_Union[AttemptProgress, _Mapping]]] = ..., free_slots: _Optional[int] = ..., resources: _Optional[_Mapping[str, float]] = ...) -> None: ...

class WorkRequest(_message.Message):
    __slots__ = ("slots",)
    SLOTS_FIELD_NUMBER: _ClassVar[int]
    slots: int
    def __init__(self, slots: _Optional[int] = ...) -> None: ...

class StopTrial(_message.Message):
    __slots__ = ("trial", "reason", "message", "checkpoint")
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    trial: _common_pb2.TrialRef
    reason: _trial_pb2.StopReason
    message: str
    checkpoint: bool
    def __init__(self, trial: _Optional[_Union[_common_pb2.TrialRef, _Mapping]] = ..., reason: _Optional[_Union[_trial_pb2.StopReason, str]] = ..., message: _Optional[str] = ..., checkpoint: _Optional[bool] = ...) -> None: ...

class Drain(_message.Message):
    __slots__ = ("reason", "deadline_ms")
    REASON_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_MS_FIELD_NUMBER: _ClassVar[int]
    reason: str
    deadline_ms: int
    def __init__(self, reason: _Optional[str] = ..., deadline_ms: _Optional[int] = ...) -> None: ...

class Shutdown(_message.Message):
    __slots__ = ("reason", "graceful", "grace_ms")
    REASON_FIELD_NUMBER: _ClassVar[int]
    GRACEFUL_FIELD_NUMBER: _ClassVar[int]
    GRACE_MS_FIELD_NUMBER: _ClassVar[int]
    reason: str
    graceful: bool
    grace_ms: int
    def __init__(self, reason: _Optional[str] = ..., graceful: _Optional[bool] = ..., grace_ms: _Optional[int] = ...) -> None: ...
