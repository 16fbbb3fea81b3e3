from . import common_pb2 as _common_pb2
from . import optimizer_pb2 as _optimizer_pb2
from . import study_pb2 as _study_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FailureKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FAILURE_KIND_UNSPECIFIED: _ClassVar[FailureKind]
    FAILURE_KIND_ERROR: _ClassVar[FailureKind]
    FAILURE_KIND_OUT_OF_MEMORY: _ClassVar[FailureKind]
    FAILURE_KIND_TIMEOUT: _ClassVar[FailureKind]
    FAILURE_KIND_DIVERGED: _ClassVar[FailureKind]
    FAILURE_KIND_INFEASIBLE: _ClassVar[FailureKind]
    FAILURE_KIND_PREEMPTED: _ClassVar[FailureKind]
    FAILURE_KIND_ENVIRONMENT: _ClassVar[FailureKind]

class StopReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STOP_REASON_UNSPECIFIED: _ClassVar[StopReason]
    STOP_REASON_PRUNED: _ClassVar[StopReason]
    STOP_REASON_TARGET_REACHED: _ClassVar[StopReason]
    STOP_REASON_CANCELLED: _ClassVar[StopReason]
    STOP_REASON_BUDGET_EXHAUSTED: _ClassVar[StopReason]
    STOP_REASON_LEASE_REVOKED: _ClassVar[StopReason]
    STOP_REASON_PAUSED: _ClassVar[StopReason]
FAILURE_KIND_UNSPECIFIED: FailureKind
FAILURE_KIND_ERROR: FailureKind
FAILURE_KIND_OUT_OF_MEMORY: FailureKind
FAILURE_KIND_TIMEOUT: FailureKind
FAILURE_KIND_DIVERGED: FailureKind
FAILURE_KIND_INFEASIBLE: FailureKind
FAILURE_KIND_PREEMPTED: FailureKind
FAILURE_KIND_ENVIRONMENT: FailureKind
STOP_REASON_UNSPECIFIED: StopReason
STOP_REASON_PRUNED: StopReason
STOP_REASON_TARGET_REACHED: StopReason
STOP_REASON_CANCELLED: StopReason
STOP_REASON_BUDGET_EXHAUSTED: StopReason
STOP_REASON_LEASE_REVOKED: StopReason
STOP_REASON_PAUSED: StopReason

class Lease(_message.Message):
    __slots__ = ("lease_id", "expires_unix_ms", "heartbeat_interval_ms", "timeout_ms")
    LEASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    lease_id: str
    expires_unix_ms: int
    heartbeat_interval_ms: int
    timeout_ms: int
    def __init__(self, lease_id: _Optional[str] = ..., expires_unix_ms: _Optional[int] = ..., heartbeat_interval_ms: _Optional[int] = ..., timeout_ms: _Optional[int] = ...) -> None: ...

class TrialAssignment(_message.Message):
    __slots__ = ("trial", "parameters", "step_budget", "seed", "optimizer", "lease", "target", "objective", "workload", "report_every_steps", "suggester", "list_index", "replicate", "checkpoint_uri", "resume_step", "histogram_every_steps", "labels")
    class ParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _common_pb2.ParameterValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_common_pb2.ParameterValue, _Mapping]] = ...) -> None: ...
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    STEP_BUDGET_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZER_FIELD_NUMBER: _ClassVar[int]
    LEASE_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    WORKLOAD_FIELD_NUMBER: _ClassVar[int]
    REPORT_EVERY_STEPS_FIELD_NUMBER: _ClassVar[int]
    SUGGESTER_FIELD_NUMBER: _ClassVar[int]
    LIST_INDEX_FIELD_NUMBER: _ClassVar[int]
    REPLICATE_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_URI_FIELD_NUMBER: _ClassVar[int]
    RESUME_STEP_FIELD_NUMBER: _ClassVar[int]
    HISTOGRAM_EVERY_STEPS_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    trial: _common_pb2.TrialRef
    parameters: _containers.MessageMap[str, _common_pb2.ParameterValue]
    step_budget: int
    seed: int
    optimizer: _optimizer_pb2.OptimizerConfig
    lease: Lease
    target: _study_pb2.Target
    objective: _study_pb2.Objective
    workload: str
    report_every_steps: int
    suggester: str
    list_index: int
    replicate: int
    checkpoint_uri: str
    resume_step: int
    histogram_every_steps: int
    labels: _containers.ScalarMap[str, str]
    def __init__(self, trial: _Optional[_Union[_common_pb2.TrialRef, _Mapping]] = ..., parameters: _Optional[_Mapping[str, _common_pb2.ParameterValue]] = ..., step_budget: _Optional[int] = ..., seed: _Optional[int] = ..., optimizer: _Optional[_Union[_optimizer_pb2.OptimizerConfig, _Mapping]] = ..., lease: _Optional[_Union[Lease, _Mapping]] = ..., target: _Optional[_Union[_study_pb2.Target, _Mapping]] = ..., objective: _Optional[_Union[_study_pb2.Objective, _Mapping]] = ..., workload: _Optional[str] = ..., report_every_steps: _Optional[int] = ..., suggester: _Optional[str] = ..., list_index: _Optional[int] = ..., replicate: _Optional[int] = ..., checkpoint_uri: _Optional[str] = ..., resume_step: _Optional[int] = ..., histogram_every_steps: _Optional[int] = ..., labels: _Optional[_Mapping[str, str]] = ...) -> None: ...

class TrialRejected(_message.Message):
    __slots__ = ("trial", "reason")
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    trial: _common_pb2.TrialRef
    reason: str
    def __init__(self, trial: _Optional[_Union[_common_pb2.TrialRef, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class TrialReport(_message.Message):
    __slots__ = ("trial", "measurement", "sequence")
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    MEASUREMENT_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    trial: _common_pb2.TrialRef
    measurement: _common_pb2.Measurement
    sequence: int
    def __init__(self, trial: _Optional[_Union[_common_pb2.TrialRef, _Mapping]] = ..., measurement: _Optional[_Union[_common_pb2.Measurement, _Mapping]] = ..., sequence: _Optional[int] = ...) -> None: ...

class TargetOutcome(_message.Message):
    __slots__ = ("reached", "step", "elapsed_seconds", "value")
    REACHED_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_SECONDS_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    reached: bool
    step: int
    elapsed_seconds: float
    value: float
    def __init__(self, reached: _Optional[bool] = ..., step: _Optional[int] = ..., elapsed_seconds: _Optional[float] = ..., value: _Optional[float] = ...) -> None: ...

class TrialCompleted(_message.Message):
    __slots__ = ("trial", "final", "target", "checkpoint_uri")
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_URI_FIELD_NUMBER: _ClassVar[int]
    trial: _common_pb2.TrialRef
    final: _common_pb2.Measurement
    target: TargetOutcome
    checkpoint_uri: str
    def __init__(self, trial: _Optional[_Union[_common_pb2.TrialRef, _Mapping]] = ..., final: _Optional[_Union[_common_pb2.Measurement, _Mapping]] = ..., target: _Optional[_Union[TargetOutcome, _Mapping]] = ..., checkpoint_uri: _Optional[str] = ...) -> None: ...

class Divergence(_message.Message):
    __slots__ = ("step", "metric", "value")
    STEP_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    step: int
    metric: str
    value: float
    def __init__(self, step: _Optional[int] = ..., metric: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...

class TrialFailed(_message.Message):
    __slots__ = ("trial", "kind", "message", "details", "last", "divergence", "error_type")
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    DIVERGENCE_FIELD_NUMBER: _ClassVar[int]
    ERROR_TYPE_FIELD_NUMBER: _ClassVar[int]
    trial: _common_pb2.TrialRef
    kind: FailureKind
    message: str
    details: str
    last: _common_pb2.Measurement
    divergence: Divergence
    error_type: str
    def __init__(self, trial: _Optional[_Union[_common_pb2.TrialRef, _Mapping]] = ..., kind: _Optional[_Union[FailureKind, str]] = ..., message: _Optional[str] = ..., details: _Optional[str] = ..., last: _Optional[_Union[_common_pb2.Measurement, _Mapping]] = ..., divergence: _Optional[_Union[Divergence, _Mapping]] = ..., error_type: _Optional[str] = ...) -> None: ...

class TrialStopped(_message.Message):
    __slots__ = ("trial", "reason", "last", "target", "checkpoint_uri")
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_URI_FIELD_NUMBER: _ClassVar[int]
    trial: _common_pb2.TrialRef
    reason: StopReason
    last: _common_pb2.Measurement
    target: TargetOutcome
    checkpoint_uri: str
    def __init__(self, trial: _Optional[_Union[_common_pb2.TrialRef, _Mapping]] = ..., reason: _Optional[_Union[StopReason, str]] = ..., last: _Optional[_Union[_common_pb2.Measurement, _Mapping]] = ..., target: _Optional[_Union[TargetOutcome, _Mapping]] = ..., checkpoint_uri: _Optional[str] = ...) -> None: ...

class TrialResult(_message.Message):
    __slots__ = ("trial", "state", "parameters", "final", "measurements", "target", "seed", "list_index", "suggester", "worker_id", "failure_kind", "message", "started_unix_ms", "ended_unix_ms", "replicate")
    class ParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _common_pb2.ParameterValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_common_pb2.ParameterValue, _Mapping]] = ...) -> None: ...
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    MEASUREMENTS_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    LIST_INDEX_FIELD_NUMBER: _ClassVar[int]
    SUGGESTER_FIELD_NUMBER: _ClassVar[int]
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    FAILURE_KIND_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    STARTED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    ENDED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    REPLICATE_FIELD_NUMBER: _ClassVar[int]
    trial: _common_pb2.TrialRef
    state: _common_pb2.TrialState
    parameters: _containers.MessageMap[str, _common_pb2.ParameterValue]
    final: _common_pb2.Measurement
    measurements: _containers.RepeatedCompositeFieldContainer[_common_pb2.Measurement]
    target: TargetOutcome
    seed: int
    list_index: int
    suggester: str
    worker_id: str
    failure_kind: FailureKind
    message: str
    started_unix_ms: int
    ended_unix_ms: int
    replicate: int
    def __init__(self, trial: _Optional[_Union[_common_pb2.TrialRef, _Mapping]] = ..., state: _Optional[_Union[_common_pb2.TrialState, str]] = ..., parameters: _Optional[_Mapping[str, _common_pb2.ParameterValue]] = ..., final: _Optional[_Union[_common_pb2.Measurement, _Mapping]] = ..., measurements: _Optional[_Iterable[_Union[_common_pb2.Measurement, _Mapping]]] = ..., target: _Optional[_Union[TargetOutcome, _Mapping]] = ..., seed: _Optional[int] = ..., list_index: _Optional[int] = ..., suggester: _Optional[str] = ..., worker_id: _Optional[str] = ..., failure_kind: _Optional[_Union[FailureKind, str]] = ..., message: _Optional[str] = ..., started_unix_ms: _Optional[int] = ..., ended_unix_ms: _Optional[int] = ..., replicate: _Optional[int] = ...) -> None: ...
