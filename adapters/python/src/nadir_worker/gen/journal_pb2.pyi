from . import common_pb2 as _common_pb2
from . import envelope_pb2 as _envelope_pb2
from . import events_pb2 as _events_pb2
from . import histogram_pb2 as _histogram_pb2
from . import study_pb2 as _study_pb2
from . import trial_pb2 as _trial_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TrialCreated(_message.Message):
    __slots__ = ("trial", "parameters", "seed", "suggester", "list_index", "replicate", "metadata")
    class ParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _common_pb2.ParameterValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_common_pb2.ParameterValue, _Mapping]] = ...) -> None: ...
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    SUGGESTER_FIELD_NUMBER: _ClassVar[int]
    LIST_INDEX_FIELD_NUMBER: _ClassVar[int]
    REPLICATE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    trial: _common_pb2.TrialRef
    parameters: _containers.MessageMap[str, _common_pb2.ParameterValue]
    seed: int
    suggester: str
    list_index: int
    replicate: int
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, trial: _Optional[_Union[_common_pb2.TrialRef, _Mapping]] = ..., parameters: _Optional[_Mapping[str, _common_pb2.ParameterValue]] = ..., seed: _Optional[int] = ..., suggester: _Optional[str] = ..., list_index: _Optional[int] = ..., replicate: _Optional[int] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class AttemptAssigned(_message.Message):
    __slots__ = ("assignment", "worker_id", "worker_key")
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    WORKER_KEY_FIELD_NUMBER: _ClassVar[int]
    assignment: _trial_pb2.TrialAssignment
    worker_id: str
    worker_key: str
    def __init__(self, assignment: _Optional[_Union[_trial_pb2.TrialAssignment, _Mapping]] = ..., worker_id: _Optional[str] = ..., worker_key: _Optional[str] = ...) -> None: ...

class StudyStateChanged(_message.Message):
    __slots__ = ("study_id", "state", "reason", "stopper")
    class StudyState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STUDY_STATE_UNSPECIFIED: _ClassVar[StudyStateChanged.StudyState]
        STUDY_STATE_ACTIVE: _ClassVar[StudyStateChanged.StudyState]
        STUDY_STATE_COMPLETED: _ClassVar[StudyStateChanged.StudyState]
        STUDY_STATE_CANCELLED: _ClassVar[StudyStateChanged.StudyState]
    STUDY_STATE_UNSPECIFIED: StudyStateChanged.StudyState
    STUDY_STATE_ACTIVE: StudyStateChanged.StudyState
    STUDY_STATE_COMPLETED: StudyStateChanged.StudyState
    STUDY_STATE_CANCELLED: StudyStateChanged.StudyState
    STUDY_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STOPPER_FIELD_NUMBER: _ClassVar[int]
    study_id: str
    state: StudyStateChanged.StudyState
    reason: str
    stopper: _study_pb2.StopperDecision
    def __init__(self, study_id: _Optional[str] = ..., state: _Optional[_Union[StudyStateChanged.StudyState, str]] = ..., reason: _Optional[str] = ..., stopper: _Optional[_Union[_study_pb2.StopperDecision, _Mapping]] = ...) -> None: ...

class Snapshot(_message.Message):
    __slots__ = ("studies", "trials", "covers_through_sequence", "study_states")
    STUDIES_FIELD_NUMBER: _ClassVar[int]
    TRIALS_FIELD_NUMBER: _ClassVar[int]
    COVERS_THROUGH_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    STUDY_STATES_FIELD_NUMBER: _ClassVar[int]
    studies: _containers.RepeatedCompositeFieldContainer[_study_pb2.StudySpec]
    trials: _containers.RepeatedCompositeFieldContainer[_trial_pb2.TrialResult]
    covers_through_sequence: int
    study_states: _containers.RepeatedCompositeFieldContainer[StudyStateChanged]
    def __init__(self, studies: _Optional[_Iterable[_Union[_study_pb2.StudySpec, _Mapping]]] = ..., trials: _Optional[_Iterable[_Union[_trial_pb2.TrialResult, _Mapping]]] = ..., covers_through_sequence: _Optional[int] = ..., study_states: _Optional[_Iterable[_Union[StudyStateChanged, _Mapping]]] = ...) -> None: ...

class JournalRecord(_message.Message):
    __slots__ = ("sequence", "recorded_unix_ms", "study_created", "study_state_changed", "trial_created", "attempt_assigned", "trial_report", "trial_completed", "trial_failed", "trial_stopped", "trial_event", "gradient_histogram", "snapshot", "stopper_decision", "envelope")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    RECORDED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    STUDY_CREATED_FIELD_NUMBER: _ClassVar[int]
    STUDY_STATE_CHANGED_FIELD_NUMBER: _ClassVar[int]
    TRIAL_CREATED_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_ASSIGNED_FIELD_NUMBER: _ClassVar[int]
    TRIAL_REPORT_FIELD_NUMBER: _ClassVar[int]
    TRIAL_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    TRIAL_FAILED_FIELD_NUMBER: _ClassVar[int]
    TRIAL_STOPPED_FIELD_NUMBER: _ClassVar[int]
    TRIAL_EVENT_FIELD_NUMBER: _ClassVar[int]
    GRADIENT_HISTOGRAM_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    STOPPER_DECISION_FIELD_NUMBER: _ClassVar[int]
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    recorded_unix_ms: int
    study_created: _study_pb2.StudySpec
    study_state_changed: StudyStateChanged
    trial_created: TrialCreated
    attempt_assigned: AttemptAssigned
    trial_report: _trial_pb2.TrialReport
    trial_completed: _trial_pb2.TrialCompleted
    trial_failed: _trial_pb2.TrialFailed
    trial_stopped: _trial_pb2.TrialStopped
    trial_event: _events_pb2.TrialEvent
    gradient_histogram: _histogram_pb2.GradientHistogram
    snapshot: Snapshot
    stopper_decision: _study_pb2.StopperDecision
    envelope: _envelope_pb2.Envelope
    def __init__(self, sequence: _Optional[int] = ..., recorded_unix_ms: _Optional[int] = ..., study_created: _Optional[_Union[_study_pb2.StudySpec, _Mapping]] = ..., study_state_changed: _Optional[_Union[StudyStateChanged, _Mapping]] = ..., trial_created: _Optional[_Union[TrialCreated, _Mapping]] = ..., attempt_assigned: _Optional[_Union[AttemptAssigned, _Mapping]] = ..., trial_report: _Optional[_Union[_trial_pb2.TrialReport, _Mapping]] = ..., trial_completed: _Optional[_Union[_trial_pb2.TrialCompleted, _Mapping]] = ..., trial_failed: _Optional[_Union[_trial_pb2.TrialFailed, _Mapping]] = ..., trial_stopped: _Optional[_Union[_trial_pb2.TrialStopped, _Mapping]] = ..., trial_event: _Optional[_Union[_events_pb2.TrialEvent, _Mapping]] = ..., gradient_histogram: _Optional[_Union[_histogram_pb2.GradientHistogram, _Mapping]] = ..., snapshot: _Optional[_Union[Snapshot, _Mapping]] = ..., stopper_decision: _Optional[_Union[_study_pb2.StopperDecision, _Mapping]] = ..., envelope: _Optional[_Union[_envelope_pb2.Envelope, _Mapping]] = ...) -> None: ...
