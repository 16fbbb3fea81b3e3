from . import common_pb2 as _common_pb2
from . import study_pb2 as _study_pb2
from . import trial_pb2 as _trial_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SuggestRequest(_message.Message):
    __slots__ = ("study_id", "count", "study", "spec_fingerprint", "history", "pending")
    STUDY_ID_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    STUDY_FIELD_NUMBER: _ClassVar[int]
    SPEC_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    PENDING_FIELD_NUMBER: _ClassVar[int]
    study_id: str
    count: int
    study: _study_pb2.StudySpec
    spec_fingerprint: str
    history: _containers.RepeatedCompositeFieldContainer[_trial_pb2.TrialResult]
    pending: _containers.RepeatedCompositeFieldContainer[_common_pb2.TrialRef]
    def __init__(self, study_id: _Optional[str] = ..., count: _Optional[int] = ..., study: _Optional[_Union[_study_pb2.StudySpec, _Mapping]] = ..., spec_fingerprint: _Optional[str] = ..., history: _Optional[_Iterable[_Union[_trial_pb2.TrialResult, _Mapping]]] = ..., pending: _Optional[_Iterable[_Union[_common_pb2.TrialRef, _Mapping]]] = ...) -> None: ...

class Suggestion(_message.Message):
    __slots__ = ("parameters", "list_index", "metadata")
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
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    LIST_INDEX_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    parameters: _containers.MessageMap[str, _common_pb2.ParameterValue]
    list_index: int
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, parameters: _Optional[_Mapping[str, _common_pb2.ParameterValue]] = ..., list_index: _Optional[int] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class SuggestResponse(_message.Message):
    __slots__ = ("study_id", "suggestions", "exhausted", "algorithm")
    STUDY_ID_FIELD_NUMBER: _ClassVar[int]
    SUGGESTIONS_FIELD_NUMBER: _ClassVar[int]
    EXHAUSTED_FIELD_NUMBER: _ClassVar[int]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    study_id: str
    suggestions: _containers.RepeatedCompositeFieldContainer[Suggestion]
    exhausted: bool
    algorithm: str
    def __init__(self, study_id: _Optional[str] = ..., suggestions: _Optional[_Iterable[_Union[Suggestion, _Mapping]]] = ..., exhausted: _Optional[bool] = ..., algorithm: _Optional[str] = ...) -> None: ...

class ObserveTrials(_message.Message):
    __slots__ = ("study_id", "trials")
    STUDY_ID_FIELD_NUMBER: _ClassVar[int]
    TRIALS_FIELD_NUMBER: _ClassVar[int]
    study_id: str
    trials: _containers.RepeatedCompositeFieldContainer[_trial_pb2.TrialResult]
    def __init__(self, study_id: _Optional[str] = ..., trials: _Optional[_Iterable[_Union[_trial_pb2.TrialResult, _Mapping]]] = ...) -> None: ...

class EarlyStopRequest(_message.Message):
    __slots__ = ("study_id", "trials")
    STUDY_ID_FIELD_NUMBER: _ClassVar[int]
    TRIALS_FIELD_NUMBER: _ClassVar[int]
    study_id: str
    trials: _containers.RepeatedCompositeFieldContainer[_trial_pb2.TrialResult]
    def __init__(self, study_id: _Optional[str] = ..., trials: _Optional[_Iterable[_Union[_trial_pb2.TrialResult, _Mapping]]] = ...) -> None: ...

class EarlyStopDecision(_message.Message):
    __slots__ = ("trial", "should_stop", "reason")
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    SHOULD_STOP_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    trial: _common_pb2.TrialRef
    should_stop: bool
    reason: str
    def __init__(self, trial: _Optional[_Union[_common_pb2.TrialRef, _Mapping]] = ..., should_stop: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class EarlyStopResponse(_message.Message):
    __slots__ = ("study_id", "decisions")
    STUDY_ID_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    study_id: str
    decisions: _containers.RepeatedCompositeFieldContainer[EarlyStopDecision]
    def __init__(self, study_id: _Optional[str] = ..., decisions: _Optional[_Iterable[_Union[EarlyStopDecision, _Mapping]]] = ...) -> None: ...
