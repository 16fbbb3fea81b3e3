from . import common_pb2 as _common_pb2
from . import study_pb2 as _study_pb2
from . import trial_pb2 as _trial_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TrialEvent(_message.Message):
    __slots__ = ("trial", "previous_state", "state", "at_unix_ms", "worker_id", "measurement", "result", "reason")
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    AT_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    MEASUREMENT_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    trial: _common_pb2.TrialRef
    previous_state: _common_pb2.TrialState
    state: _common_pb2.TrialState
    at_unix_ms: int
    worker_id: str
    measurement: _common_pb2.Measurement
    result: _trial_pb2.TrialResult
    reason: str
    def __init__(self, trial: _Optional[_Union[_common_pb2.TrialRef, _Mapping]] = ..., previous_state: _Optional[_Union[_common_pb2.TrialState, str]] = ..., state: _Optional[_Union[_common_pb2.TrialState, str]] = ..., at_unix_ms: _Optional[int] = ..., worker_id: _Optional[str] = ..., measurement: _Optional[_Union[_common_pb2.Measurement, _Mapping]] = ..., result: _Optional[_Union[_trial_pb2.TrialResult, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class StudyProgress(_message.Message):
    __slots__ = ("study_id", "queued", "running", "completed", "pruned", "failed", "preempted", "diverged", "infeasible", "abandoned", "best_value", "best_trial", "at_unix_ms", "stopper")
    STUDY_ID_FIELD_NUMBER: _ClassVar[int]
    QUEUED_FIELD_NUMBER: _ClassVar[int]
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    PRUNED_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    PREEMPTED_FIELD_NUMBER: _ClassVar[int]
    DIVERGED_FIELD_NUMBER: _ClassVar[int]
    INFEASIBLE_FIELD_NUMBER: _ClassVar[int]
    ABANDONED_FIELD_NUMBER: _ClassVar[int]
    BEST_VALUE_FIELD_NUMBER: _ClassVar[int]
    BEST_TRIAL_FIELD_NUMBER: _ClassVar[int]
    AT_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    STOPPER_FIELD_NUMBER: _ClassVar[int]
    study_id: str
    queued: int
    running: int
    completed: int
    pruned: int
    failed: int
    preempted: int
    diverged: int
    infeasible: int
    abandoned: int
    best_value: float
    best_trial: _common_pb2.TrialRef
    at_unix_ms: int
    stopper: _study_pb2.StopperDecision
    def __init__(self, study_id: _Optional[str] = ..., queued: _Optional[int] = ..., running: _Optional[int] = ..., completed: _Optional[int] = ..., pruned: _Optional[int] = ..., failed: _Optional[int] = ..., preempted: _Optional[int] = ..., diverged: _Optional[int] = ..., infeasible: _Optional[int] = ..., abandoned: _Optional[int] = ..., best_value: _Optional[float] = ..., best_trial: _Optional[_Union[_common_pb2.TrialRef, _Mapping]] = ..., at_unix_ms: _Optional[int] = ..., stopper: _Optional[_Union[_study_pb2.StopperDecision, _Mapping]] = ...) -> None: ...

class StatusRequest(_message.Message):
    __slots__ = ("study_ids",)
    STUDY_IDS_FIELD_NUMBER: _ClassVar[int]
    study_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, study_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class PeerSummary(_message.Message):
    __slots__ = ("peer_id", "role", "running", "capacity", "last_seen_unix_ms")
    PEER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    peer_id: str
    role: str
    running: int
    capacity: int
    last_seen_unix_ms: int
    def __init__(self, peer_id: _Optional[str] = ..., role: _Optional[str] = ..., running: _Optional[int] = ..., capacity: _Optional[int] = ..., last_seen_unix_ms: _Optional[int] = ...) -> None: ...

class StatusResponse(_message.Message):
    __slots__ = ("studies", "peers", "agent", "uptime_seconds")
    STUDIES_FIELD_NUMBER: _ClassVar[int]
    PEERS_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    UPTIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    studies: _containers.RepeatedCompositeFieldContainer[StudyProgress]
    peers: _containers.RepeatedCompositeFieldContainer[PeerSummary]
    agent: str
    uptime_seconds: float
    def __init__(self, studies: _Optional[_Iterable[_Union[StudyProgress, _Mapping]]] = ..., peers: _Optional[_Iterable[_Union[PeerSummary, _Mapping]]] = ..., agent: _Optional[str] = ..., uptime_seconds: _Optional[float] = ...) -> None: ...
