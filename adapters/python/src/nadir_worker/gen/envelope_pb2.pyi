from . import common_pb2 as _common_pb2
from . import events_pb2 as _events_pb2
from . import histogram_pb2 as _histogram_pb2
from . import suggester_pb2 as _suggester_pb2
from . import trial_pb2 as _trial_pb2
from . import worker_pb2 as _worker_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AckStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACK_STATUS_UNSPECIFIED: _ClassVar[AckStatus]
    ACK_STATUS_ACCEPTED: _ClassVar[AckStatus]
    ACK_STATUS_DUPLICATE: _ClassVar[AckStatus]
    ACK_STATUS_STALE: _ClassVar[AckStatus]

class ErrorCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_CODE_UNSPECIFIED: _ClassVar[ErrorCode]
    ERROR_CODE_MALFORMED: _ClassVar[ErrorCode]
    ERROR_CODE_OVERSIZE: _ClassVar[ErrorCode]
    ERROR_CODE_VERSION_MISMATCH: _ClassVar[ErrorCode]
    ERROR_CODE_UNKNOWN_BODY: _ClassVar[ErrorCode]
    ERROR_CODE_UNEXPECTED_MESSAGE: _ClassVar[ErrorCode]
    ERROR_CODE_UNKNOWN_STUDY: _ClassVar[ErrorCode]
    ERROR_CODE_UNKNOWN_TRIAL: _ClassVar[ErrorCode]
    ERROR_CODE_INVALID_ARGUMENT: _ClassVar[ErrorCode]
    ERROR_CODE_NOT_WELCOMED: _ClassVar[ErrorCode]
    ERROR_CODE_RATE_LIMITED: _ClassVar[ErrorCode]
    ERROR_CODE_UNAUTHORIZED: _ClassVar[ErrorCode]
    ERROR_CODE_INTERNAL: _ClassVar[ErrorCode]
ACK_STATUS_UNSPECIFIED: AckStatus
ACK_STATUS_ACCEPTED: AckStatus
ACK_STATUS_DUPLICATE: AckStatus
ACK_STATUS_STALE: AckStatus
ERROR_CODE_UNSPECIFIED: ErrorCode
ERROR_CODE_MALFORMED: ErrorCode
ERROR_CODE_OVERSIZE: ErrorCode
ERROR_CODE_VERSION_MISMATCH: ErrorCode
ERROR_CODE_UNKNOWN_BODY: ErrorCode
ERROR_CODE_UNEXPECTED_MESSAGE: ErrorCode
ERROR_CODE_UNKNOWN_STUDY: ErrorCode
ERROR_CODE_UNKNOWN_TRIAL: ErrorCode
ERROR_CODE_INVALID_ARGUMENT: ErrorCode
ERROR_CODE_NOT_WELCOMED: ErrorCode
ERROR_CODE_RATE_LIMITED: ErrorCode
ERROR_CODE_UNAUTHORIZED: ErrorCode
ERROR_CODE_INTERNAL: ErrorCode

class Envelope(_message.Message):
    __slots__ = ("version_major", "version_minor", "message_id", "correlation_id", "sent_unix_ms", "sender_id", "hello", "welcome", "refused", "goodbye", "heartbeat", "work_request", "trial_assignment", "trial_rejected", "trial_report", "trial_completed", "trial_failed", "trial_stopped", "gradient_histogram", "stop_trial", "drain", "shutdown", "suggest_request", "suggest_response", "observe_trials", "early_stop_request", "early_stop_response", "trial_event", "study_progress", "status_request", "status_response", "ack", "error")
    VERSION_MAJOR_FIELD_NUMBER: _ClassVar[int]
    VERSION_MINOR_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    SENT_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    SENDER_ID_FIELD_NUMBER: _ClassVar[int]
    HELLO_FIELD_NUMBER: _ClassVar[int]
    WELCOME_FIELD_NUMBER: _ClassVar[int]
    REFUSED_FIELD_NUMBER: _ClassVar[int]
    GOODBYE_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    WORK_REQUEST_FIELD_NUMBER: _ClassVar[int]
    TRIAL_ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    TRIAL_REJECTED_FIELD_NUMBER: _ClassVar[int]
    TRIAL_REPORT_FIELD_NUMBER: _ClassVar[int]
    TRIAL_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    TRIAL_FAILED_FIELD_NUMBER: _ClassVar[int]
    TRIAL_STOPPED_FIELD_NUMBER: _ClassVar[int]
    GRADIENT_HISTOGRAM_FIELD_NUMBER: _ClassVar[int]
    STOP_TRIAL_FIELD_NUMBER: _ClassVar[int]
    DRAIN_FIELD_NUMBER: _ClassVar[int]
    SHUTDOWN_FIELD_NUMBER: _ClassVar[int]
    SUGGEST_REQUEST_FIELD_NUMBER: _ClassVar[int]
    SUGGEST_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    OBSERVE_TRIALS_FIELD_NUMBER: _ClassVar[int]
    EARLY_STOP_REQUEST_FIELD_NUMBER: _ClassVar[int]
    EARLY_STOP_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    TRIAL_EVENT_FIELD_NUMBER: _ClassVar[int]
    STUDY_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    STATUS_REQUEST_FIELD_NUMBER: _ClassVar[int]
    STATUS_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ACK_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    version_major: int
    version_minor: int
    message_id: str
    correlation_id: str
    sent_unix_ms: int
    sender_id: str
    hello: _worker_pb2.Hello
    welcome: _worker_pb2.Welcome
    refused: _worker_pb2.Refused
    goodbye: _worker_pb2.Goodbye
    heartbeat: _worker_pb2.Heartbeat
    work_request: _worker_pb2.WorkRequest
    trial_assignment: _trial_pb2.TrialAssignment
    trial_rejected: _trial_pb2.TrialRejected
    trial_report: _trial_pb2.TrialReport
    trial_completed: _trial_pb2.TrialCompleted
    trial_failed: _trial_pb2.TrialFailed
    trial_stopped: _trial_pb2.TrialStopped
    gradient_histogram: _histogram_pb2.GradientHistogram
    stop_trial: _worker_pb2.StopTrial
    drain: _worker_pb2.Drain
    shutdown: _worker_pb2.Shutdown
    suggest_request: _suggester_pb2.SuggestRequest
    suggest_response: _suggester_pb2.SuggestResponse
    observe_trials: _suggester_pb2.ObserveTrials
    early_stop_request: _suggester_pb2.EarlyStopRequest
    early_stop_response: _suggester_pb2.EarlyStopResponse
    trial_event: _events_pb2.TrialEvent
    study_progress: _events_pb2.StudyProgress
    status_request: _events_pb2.StatusRequest
    status_response: _events_pb2.StatusResponse
    ack: Ack
    error: ErrorReply
    def __init__(self, version_major: _Optional[int] = ..., version_minor: _Optional[int] = ..., message_id: _Optional[str] = ..., correlation_id: _Optional[str] = ..., sent_unix_ms: _Optional[int] = ..., sender_id: _Optional[str] = ..., hello: _Optional[_Union[_worker_pb2.Hello, _Mapping]] = ..., welcome: _Optional[_Union[_worker_pb2.Welcome, _Mapping]] = ..., refused: _Optional[_Union[_worker_pb2.Refused, _Mapping]] = ..., goodbye: _Optional[_Union[_worker_pb2.Goodbye, _Mapping]] = ..., heartbeat: _Optional[_Union[_worker_pb2.Heartbeat, _Mapping]] = ..., work_request: _Optional[_Union[_worker_pb2.WorkRequest, _Mapping]] = ..., trial_assignment: _Optional[_Union[_trial_pb2.TrialAssignment, _Mapping]] = ..., trial_rejected: _Optional[_Union[_trial_pb2.TrialRejected, _Mapping]] = ..., trial_report: _Optional[_Union[_trial_pb2.TrialReport, _Mapping]] = ..., trial_completed: _Optional[_Union[_trial_pb2.TrialCompleted, _Mapping]] = ..., trial_failed: _Optional[_Union[_trial_pb2.TrialFailed, _Mapping]] = ..., trial_stopped: _Optional[_Union[_trial_pb2.TrialStopped, _Mapping]] = ..., gradient_histogram: _Optional[_Union[_histogram_pb2.GradientHistogram, _Mapping]] = ..., stop_trial: _Optional[_Union[_worker_pb2.StopTrial, _Mapping]] = ..., drain: _Optional[_Union[_worker_pb2.Drain, _Mapping]] = ..., shutdown: _Optional[_Union[_worker_pb2.Shutdown, _Mapping]] = ..., suggest_request: _Optional[_Union[_suggester_pb2.SuggestRequest, _Mapping]] = ..., suggest_response: _Optional[_Union[_suggester_pb2.SuggestResponse, _Mapping]] = ..., observe_trials: _Optional[_Union[_suggester_pb2.ObserveTrials, _Mapping]] = ..., early_stop_request: _Optional[_Union[_suggester_pb2.EarlyStopRequest, _Mapping]] = ..., early_stop_response: _Optional[_Union[_suggester_pb2.EarlyStopResponse, _Mapping]] = ..., trial_event: _Optional[_Union[_events_pb2.TrialEvent, _Mapping]] = ..., study_progress: _Optional[_Union[_events_pb2.StudyProgress, _Mapping]] = ..., status_request: _Optional[_Union[_events_pb2.StatusRequest, _Mapping]] = ..., status_response: _Optional[_Union[_events_pb2.StatusResponse, _Mapping]] = ..., ack: _Optional[_Union[Ack, _Mapping]] = ..., error: _Optional[_Union[ErrorReply, _Mapping]] = ...) -> None: ...

class Ack(_message.Message):
    __slots__ = ("status", "trial", "lease_expires_unix_ms")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    LEASE_EXPIRES_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    status: AckStatus
    trial: _common_pb2.TrialRef
    lease_expires_unix_ms: int
    def __init__(self, status: _Optional[_Union[AckStatus, str]] = ..., trial: _Optional[_Union[_common_pb2.TrialRef, _Mapping]] = ..., lease_expires_unix_ms: _Optional[int] = ...) -> None: ...

class ErrorReply(_message.Message):
    __slots__ = ("code", "message", "trial", "retry_after_ms")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    RETRY_AFTER_MS_FIELD_NUMBER: _ClassVar[int]
    code: ErrorCode
    message: str
    trial: _common_pb2.TrialRef
    retry_after_ms: int
    def __init__(self, code: _Optional[_Union[ErrorCode, str]] = ..., message: _Optional[str] = ..., trial: _Optional[_Union[_common_pb2.TrialRef, _Mapping]] = ..., retry_after_ms: _Optional[int] = ...) -> None: ...
