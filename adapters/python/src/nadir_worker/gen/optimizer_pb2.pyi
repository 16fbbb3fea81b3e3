from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NadamwVariant(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NADAMW_VARIANT_UNSPECIFIED: _ClassVar[NadamwVariant]
    NADAMW_VARIANT_OPTAX: _ClassVar[NadamwVariant]
    NADAMW_VARIANT_ALGOPERF: _ClassVar[NadamwVariant]

class ScheduleKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCHEDULE_KIND_UNSPECIFIED: _ClassVar[ScheduleKind]
    SCHEDULE_KIND_CONSTANT: _ClassVar[ScheduleKind]
    SCHEDULE_KIND_LINEAR_WARMUP_COSINE_DECAY: _ClassVar[ScheduleKind]
    SCHEDULE_KIND_LINEAR_WARMUP_LINEAR_DECAY: _ClassVar[ScheduleKind]

class WarmupRounding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WARMUP_ROUNDING_UNSPECIFIED: _ClassVar[WarmupRounding]
    WARMUP_ROUNDING_FLOOR: _ClassVar[WarmupRounding]
    WARMUP_ROUNDING_ROUND: _ClassVar[WarmupRounding]
NADAMW_VARIANT_UNSPECIFIED: NadamwVariant
NADAMW_VARIANT_OPTAX: NadamwVariant
NADAMW_VARIANT_ALGOPERF: NadamwVariant
SCHEDULE_KIND_UNSPECIFIED: ScheduleKind
SCHEDULE_KIND_CONSTANT: ScheduleKind
SCHEDULE_KIND_LINEAR_WARMUP_COSINE_DECAY: ScheduleKind
SCHEDULE_KIND_LINEAR_WARMUP_LINEAR_DECAY: ScheduleKind
WARMUP_ROUNDING_UNSPECIFIED: WarmupRounding
WARMUP_ROUNDING_FLOOR: WarmupRounding
WARMUP_ROUNDING_ROUND: WarmupRounding

class NadamwConfig(_message.Message):
    __slots__ = ("learning_rate", "beta1", "beta2", "epsilon", "epsilon_root", "weight_decay", "variant", "decay_all_parameters")
    LEARNING_RATE_FIELD_NUMBER: _ClassVar[int]
    BETA1_FIELD_NUMBER: _ClassVar[int]
    BETA2_FIELD_NUMBER: _ClassVar[int]
    EPSILON_FIELD_NUMBER: _ClassVar[int]
    EPSILON_ROOT_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_DECAY_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    DECAY_ALL_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    learning_rate: float
    beta1: float
    beta2: float
    epsilon: float
    epsilon_root: float
    weight_decay: float
    variant: NadamwVariant
    decay_all_parameters: bool
    def __init__(self, learning_rate: _Optional[float] = ..., beta1: _Optional[float] = ..., beta2: _Optional[float] = ..., epsilon: _Optional[float] = ..., epsilon_root: _Optional[float] = ..., weight_decay: _Optional[float] = ..., variant: _Optional[_Union[NadamwVariant, str]] = ..., decay_all_parameters: _Optional[bool] = ...) -> None: ...

class LearningRateSchedule(_message.Message):
    __slots__ = ("kind", "warmup_steps", "warmup_fraction", "warmup_rounding", "total_steps", "init_value", "end_value")
    KIND_FIELD_NUMBER: _ClassVar[int]
    WARMUP_STEPS_FIELD_NUMBER: _ClassVar[int]
    WARMUP_FRACTION_FIELD_NUMBER: _ClassVar[int]
    WARMUP_ROUNDING_FIELD_NUMBER: _ClassVar[int]
    TOTAL_STEPS_FIELD_NUMBER: _ClassVar[int]
    INIT_VALUE_FIELD_NUMBER: _ClassVar[int]
    END_VALUE_FIELD_NUMBER: _ClassVar[int]
    kind: ScheduleKind
    warmup_steps: int
    warmup_fraction: float
    warmup_rounding: WarmupRounding
    total_steps: int
    init_value: float
    end_value: float
    def __init__(self, kind: _Optional[_Union[ScheduleKind, str]] = ..., warmup_steps: _Optional[int] = ..., warmup_fraction: _Optional[float] = ..., warmup_rounding: _Optional[_Union[WarmupRounding, str]] = ..., total_steps: _Optional[int] = ..., init_value: _Optional[float] = ..., end_value: _Optional[float] = ...) -> None: ...

class Regularization(_message.Message):
    __slots__ = ("dropout_rate", "aux_dropout_rate", "label_smoothing")
    DROPOUT_RATE_FIELD_NUMBER: _ClassVar[int]
    AUX_DROPOUT_RATE_FIELD_NUMBER: _ClassVar[int]
    LABEL_SMOOTHING_FIELD_NUMBER: _ClassVar[int]
    dropout_rate: float
    aux_dropout_rate: float
    label_smoothing: float
    def __init__(self, dropout_rate: _Optional[float] = ..., aux_dropout_rate: _Optional[float] = ..., label_smoothing: _Optional[float] = ...) -> None: ...

class OptimizerConfig(_message.Message):
    __slots__ = ("nadamw", "schedule", "regularization", "grad_clip_norm", "global_batch_size")
    NADAMW_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    REGULARIZATION_FIELD_NUMBER: _ClassVar[int]
    GRAD_CLIP_NORM_FIELD_NUMBER: _ClassVar[int]
    GLOBAL_BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    nadamw: NadamwConfig
    schedule: LearningRateSchedule
    regularization: Regularization
    grad_clip_norm: float
    global_batch_size: int
    def __init__(self, nadamw: _Optional[_Union[NadamwConfig, _Mapping]] = ..., schedule: _Optional[_Union[LearningRateSchedule, _Mapping]] = ..., regularization: _Optional[_Union[Regularization, _Mapping]] = ..., grad_clip_norm: _Optional[float] = ..., global_batch_size: _Optional[int] = ...) -> None: ...
