from . import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Scale(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCALE_UNSPECIFIED: _ClassVar[Scale]
    SCALE_LINEAR: _ClassVar[Scale]
    SCALE_LOG: _ClassVar[Scale]
    SCALE_REVERSE_LOG: _ClassVar[Scale]

class Transform(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSFORM_UNSPECIFIED: _ClassVar[Transform]
    TRANSFORM_IDENTITY: _ClassVar[Transform]
    TRANSFORM_ONE_MINUS: _ClassVar[Transform]

class SamplerKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SAMPLER_KIND_UNSPECIFIED: _ClassVar[SamplerKind]
    SAMPLER_KIND_RANDOM: _ClassVar[SamplerKind]
    SAMPLER_KIND_HALTON: _ClassVar[SamplerKind]
    SAMPLER_KIND_GRID: _ClassVar[SamplerKind]
SCALE_UNSPECIFIED: Scale
SCALE_LINEAR: Scale
SCALE_LOG: Scale
SCALE_REVERSE_LOG: Scale
TRANSFORM_UNSPECIFIED: Transform
TRANSFORM_IDENTITY: Transform
TRANSFORM_ONE_MINUS: Transform
SAMPLER_KIND_UNSPECIFIED: SamplerKind
SAMPLER_KIND_RANDOM: SamplerKind
SAMPLER_KIND_HALTON: SamplerKind
SAMPLER_KIND_GRID: SamplerKind

class FloatDomain(_message.Message):
    __slots__ = ("min", "max", "scale")
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    SCALE_FIELD_NUMBER: _ClassVar[int]
    min: float
    max: float
    scale: Scale
    def __init__(self, min: _Optional[float] = ..., max: _Optional[float] = ..., scale: _Optional[_Union[Scale, str]] = ...) -> None: ...

class IntDomain(_message.Message):
    __slots__ = ("min", "max", "scale")
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    SCALE_FIELD_NUMBER: _ClassVar[int]
    min: int
    max: int
    scale: Scale
    def __init__(self, min: _Optional[int] = ..., max: _Optional[int] = ..., scale: _Optional[_Union[Scale, str]] = ...) -> None: ...

class CategoricalDomain(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedCompositeFieldContainer[_common_pb2.ParameterValue]
    def __init__(self, values: _Optional[_Iterable[_Union[_common_pb2.ParameterValue, _Mapping]]] = ...) -> None: ...

class DiscreteDomain(_message.Message):
    __slots__ = ("values", "integer")
    VALUES_FIELD_NUMBER: _ClassVar[int]
    INTEGER_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedScalarFieldContainer[float]
    integer: bool
    def __init__(self, values: _Optional[_Iterable[float]] = ..., integer: _Optional[bool] = ...) -> None: ...

class FixedDomain(_message.Message):
    __slots__ = ("value",)
    VALUE_FIELD_NUMBER: _ClassVar[int]
    value: _common_pb2.ParameterValue
    def __init__(self, value: _Optional[_Union[_common_pb2.ParameterValue, _Mapping]] = ...) -> None: ...

class ParentCondition(_message.Message):
    __slots__ = ("parent", "values")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    parent: str
    values: _containers.RepeatedCompositeFieldContainer[_common_pb2.ParameterValue]
    def __init__(self, parent: _Optional[str] = ..., values: _Optional[_Iterable[_Union[_common_pb2.ParameterValue, _Mapping]]] = ...) -> None: ...

class ParameterSpec(_message.Message):
    __slots__ = ("name", "float_domain", "int_domain", "categorical_domain", "discrete_domain", "fixed_domain", "transform", "materialized_name", "condition", "description")
    NAME_FIELD_NUMBER: _ClassVar[int]
    FLOAT_DOMAIN_FIELD_NUMBER: _ClassVar[int]
    INT_DOMAIN_FIELD_NUMBER: _ClassVar[int]
    CATEGORICAL_DOMAIN_FIELD_NUMBER: _ClassVar[int]
    DISCRETE_DOMAIN_FIELD_NUMBER: _ClassVar[int]
    FIXED_DOMAIN_FIELD_NUMBER: _ClassVar[int]
    TRANSFORM_FIELD_NUMBER: _ClassVar[int]
    MATERIALIZED_NAME_FIELD_NUMBER: _ClassVar[int]
    CONDITION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    name: str
    float_domain: FloatDomain
    int_domain: IntDomain
    categorical_domain: CategoricalDomain
    discrete_domain: DiscreteDomain
    fixed_domain: FixedDomain
    transform: Transform
    materialized_name: str
    condition: ParentCondition
    description: str
    def __init__(self, name: _Optional[str] = ..., float_domain: _Optional[_Union[FloatDomain, _Mapping]] = ..., int_domain: _Optional[_Union[IntDomain, _Mapping]] = ..., categorical_domain: _Optional[_Union[CategoricalDomain, _Mapping]] = ..., discrete_domain: _Optional[_Union[DiscreteDomain, _Mapping]] = ..., fixed_domain: _Optional[_Union[FixedDomain, _Mapping]] = ..., transform: _Optional[_Union[Transform, str]] = ..., materialized_name: _Optional[str] = ..., condition: _Optional[_Union[ParentCondition, _Mapping]] = ..., description: _Optional[str] = ...) -> None: ...

class SearchSpace(_message.Message):
    __slots__ = ("parameters",)
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    parameters: _containers.RepeatedCompositeFieldContainer[ParameterSpec]
    def __init__(self, parameters: _Optional[_Iterable[_Union[ParameterSpec, _Mapping]]] = ...) -> None: ...

class Objective(_message.Message):
    __slots__ = ("metric", "direction")
    METRIC_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    metric: str
    direction: _common_pb2.Direction
    def __init__(self, metric: _Optional[str] = ..., direction: _Optional[_Union[_common_pb2.Direction, str]] = ...) -> None: ...

class Target(_message.Message):
    __slots__ = ("metric", "threshold", "direction", "stop_when_reached")
    METRIC_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    STOP_WHEN_REACHED_FIELD_NUMBER: _ClassVar[int]
    metric: str
    threshold: float
    direction: _common_pb2.Direction
    stop_when_reached: bool
    def __init__(self, metric: _Optional[str] = ..., threshold: _Optional[float] = ..., direction: _Optional[_Union[_common_pb2.Direction, str]] = ..., stop_when_reached: _Optional[bool] = ...) -> None: ...

class Budget(_message.Message):
    __slots__ = ("max_trials", "parallelism", "max_failed_trials", "max_attempts_per_trial", "max_wall_seconds")
    MAX_TRIALS_FIELD_NUMBER: _ClassVar[int]
    PARALLELISM_FIELD_NUMBER: _ClassVar[int]
    MAX_FAILED_TRIALS_FIELD_NUMBER: _ClassVar[int]
    MAX_ATTEMPTS_PER_TRIAL_FIELD_NUMBER: _ClassVar[int]
    MAX_WALL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    max_trials: int
    parallelism: int
    max_failed_trials: int
    max_attempts_per_trial: int
    max_wall_seconds: float
    def __init__(self, max_trials: _Optional[int] = ..., parallelism: _Optional[int] = ..., max_failed_trials: _Optional[int] = ..., max_attempts_per_trial: _Optional[int] = ..., max_wall_seconds: _Optional[float] = ...) -> None: ...

class SamplerSpec(_message.Message):
    __slots__ = ("kind", "seed", "grid_points_per_dimension")
    KIND_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    GRID_POINTS_PER_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    kind: SamplerKind
    seed: int
    grid_points_per_dimension: int
    def __init__(self, kind: _Optional[_Union[SamplerKind, str]] = ..., seed: _Optional[int] = ..., grid_points_per_dimension: _Optional[int] = ...) -> None: ...

class ListSuggesterSpec(_message.Message):
    __slots__ = ("list_name", "points", "fallback")
    class Point(_message.Message):
        __slots__ = ("values",)
        class ValuesEntry(_message.Message):
            __slots__ = ("key", "value")
            KEY_FIELD_NUMBER: _ClassVar[int]
            VALUE_FIELD_NUMBER: _ClassVar[int]
            key: str
            value: _common_pb2.ParameterValue
            def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_common_pb2.ParameterValue, _Mapping]] = ...) -> None: ...
        VALUES_FIELD_NUMBER: _ClassVar[int]
        values: _containers.MessageMap[str, _common_pb2.ParameterValue]
        def __init__(self, values: _Optional[_Mapping[str, _common_pb2.ParameterValue]] = ...) -> None: ...
    LIST_NAME_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_FIELD_NUMBER: _ClassVar[int]
    list_name: str
    points: _containers.RepeatedCompositeFieldContainer[ListSuggesterSpec.Point]
    fallback: SamplerSpec
    def __init__(self, list_name: _Optional[str] = ..., points: _Optional[_Iterable[_Union[ListSuggesterSpec.Point, _Mapping]]] = ..., fallback: _Optional[_Union[SamplerSpec, _Mapping]] = ...) -> None: ...

class ExternalSuggesterSpec(_message.Message):
    __slots__ = ("suggester_id", "algorithm", "settings", "seed")
    class SettingsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SUGGESTER_ID_FIELD_NUMBER: _ClassVar[int]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    suggester_id: str
    algorithm: str
    settings: _containers.ScalarMap[str, str]
    seed: int
    def __init__(self, suggester_id: _Optional[str] = ..., algorithm: _Optional[str] = ..., settings: _Optional[_Mapping[str, str]] = ..., seed: _Optional[int] = ...) -> None: ...

class SuggesterSpec(_message.Message):
    __slots__ = ("list", "sampler", "external")
    LIST_FIELD_NUMBER: _ClassVar[int]
    SAMPLER_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_FIELD_NUMBER: _ClassVar[int]
    list: ListSuggesterSpec
    sampler: SamplerSpec
    external: ExternalSuggesterSpec
    def __init__(self, list: _Optional[_Union[ListSuggesterSpec, _Mapping]] = ..., sampler: _Optional[_Union[SamplerSpec, _Mapping]] = ..., external: _Optional[_Union[ExternalSuggesterSpec, _Mapping]] = ...) -> None: ...

class AshaSpec(_message.Message):
    __slots__ = ("min_steps", "reduction_factor", "min_early_stopping_rate")
    MIN_STEPS_FIELD_NUMBER: _ClassVar[int]
    REDUCTION_FACTOR_FIELD_NUMBER: _ClassVar[int]
    MIN_EARLY_STOPPING_RATE_FIELD_NUMBER: _ClassVar[int]
    min_steps: int
    reduction_factor: float
    min_early_stopping_rate: int
    def __init__(self, min_steps: _Optional[int] = ..., reduction_factor: _Optional[float] = ..., min_early_stopping_rate: _Optional[int] = ...) -> None: ...

class MedianStoppingSpec(_message.Message):
    __slots__ = ("warmup_steps", "min_trials", "interval_steps")
    WARMUP_STEPS_FIELD_NUMBER: _ClassVar[int]
    MIN_TRIALS_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_STEPS_FIELD_NUMBER: _ClassVar[int]
    warmup_steps: int
    min_trials: int
    interval_steps: int
    def __init__(self, warmup_steps: _Optional[int] = ..., min_trials: _Optional[int] = ..., interval_steps: _Optional[int] = ...) -> None: ...

class EarlyStoppingSpec(_message.Message):
    __slots__ = ("asha", "median", "metric")
    ASHA_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    asha: AshaSpec
    median: MedianStoppingSpec
    metric: str
    def __init__(self, asha: _Optional[_Union[AshaSpec, _Mapping]] = ..., median: _Optional[_Union[MedianStoppingSpec, _Mapping]] = ..., metric: _Optional[str] = ...) -> None: ...

class StudyStopperSpec(_message.Message):
    __slots__ = ("asymptotic",)
    ASYMPTOTIC_FIELD_NUMBER: _ClassVar[int]
    asymptotic: AsymptoticStopperSpec
    def __init__(self, asymptotic: _Optional[_Union[AsymptoticStopperSpec, _Mapping]] = ...) -> None: ...

class AsymptoticStopperSpec(_message.Message):
    __slots__ = ("gain", "in_trials", "min_trials", "every", "max_interval_width", "confidence", "threshold", "min_tail_points")
    GAIN_FIELD_NUMBER: _ClassVar[int]
    IN_TRIALS_FIELD_NUMBER: _ClassVar[int]
    MIN_TRIALS_FIELD_NUMBER: _ClassVar[int]
    EVERY_FIELD_NUMBER: _ClassVar[int]
    MAX_INTERVAL_WIDTH_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    MIN_TAIL_POINTS_FIELD_NUMBER: _ClassVar[int]
    gain: float
    in_trials: int
    min_trials: int
    every: int
    max_interval_width: float
    confidence: float
    threshold: float
    min_tail_points: int
    def __init__(self, gain: _Optional[float] = ..., in_trials: _Optional[int] = ..., min_trials: _Optional[int] = ..., every: _Optional[int] = ..., max_interval_width: _Optional[float] = ..., confidence: _Optional[float] = ..., threshold: _Optional[float] = ..., min_tail_points: _Optional[int] = ...) -> None: ...

class StopperDecision(_message.Message):
    __slots__ = ("study_id", "stop", "reason", "message", "search_trials", "study_trials", "confidence", "in_trials", "gain_threshold", "gain_bound", "best_observed", "best_lower", "best_upper", "regime_threshold", "tail_points", "accepted_c", "at_unix_ms")
    STUDY_ID_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    SEARCH_TRIALS_FIELD_NUMBER: _ClassVar[int]
    STUDY_TRIALS_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    IN_TRIALS_FIELD_NUMBER: _ClassVar[int]
    GAIN_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    GAIN_BOUND_FIELD_NUMBER: _ClassVar[int]
    BEST_OBSERVED_FIELD_NUMBER: _ClassVar[int]
    BEST_LOWER_FIELD_NUMBER: _ClassVar[int]
    BEST_UPPER_FIELD_NUMBER: _ClassVar[int]
    REGIME_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    TAIL_POINTS_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_C_FIELD_NUMBER: _ClassVar[int]
    AT_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    study_id: str
    stop: bool
    reason: str
    message: str
    search_trials: int
    study_trials: int
    confidence: float
    in_trials: int
    gain_threshold: float
    gain_bound: float
    best_observed: float
    best_lower: float
    best_upper: float
    regime_threshold: float
    tail_points: int
    accepted_c: _containers.RepeatedScalarFieldContainer[int]
    at_unix_ms: int
    def __init__(self, study_id: _Optional[str] = ..., stop: _Optional[bool] = ..., reason: _Optional[str] = ..., message: _Optional[str] = ..., search_trials: _Optional[int] = ..., study_trials: _Optional[int] = ..., confidence: _Optional[float] = ..., in_trials: _Optional[int] = ..., gain_threshold: _Optional[float] = ..., gain_bound: _Optional[float] = ..., best_observed: _Optional[float] = ..., best_lower: _Optional[float] = ..., best_upper: _Optional[float] = ..., regime_threshold: _Optional[float] = ..., tail_points: _Optional[int] = ..., accepted_c: _Optional[_Iterable[int]] = ..., at_unix_ms: _Optional[int] = ...) -> None: ...

class OptimizerDefaults(_message.Message):
    __slots__ = ("optimizer", "variant", "epsilon", "schedule", "warmup_rounding")
    OPTIMIZER_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    EPSILON_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    WARMUP_ROUNDING_FIELD_NUMBER: _ClassVar[int]
    optimizer: str
    variant: str
    epsilon: float
    schedule: str
    warmup_rounding: str
    def __init__(self, optimizer: _Optional[str] = ..., variant: _Optional[str] = ..., epsilon: _Optional[float] = ..., schedule: _Optional[str] = ..., warmup_rounding: _Optional[str] = ...) -> None: ...

class StudySpec(_message.Message):
    __slots__ = ("study_id", "name", "search_space", "objective", "budget", "step_budget", "target", "suggester", "early_stopping", "optimizer_defaults", "workload", "report_every_steps", "replicates", "labels", "created_unix_ms", "seed", "study_stopper")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    STUDY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SEARCH_SPACE_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    STEP_BUDGET_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    SUGGESTER_FIELD_NUMBER: _ClassVar[int]
    EARLY_STOPPING_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZER_DEFAULTS_FIELD_NUMBER: _ClassVar[int]
    WORKLOAD_FIELD_NUMBER: _ClassVar[int]
    REPORT_EVERY_STEPS_FIELD_NUMBER: _ClassVar[int]
    REPLICATES_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    CREATED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    STUDY_STOPPER_FIELD_NUMBER: _ClassVar[int]
    study_id: str
    name: str
    search_space: SearchSpace
    objective: Objective
    budget: Budget
    step_budget: int
    target: Target
    suggester: SuggesterSpec
    early_stopping: EarlyStoppingSpec
    optimizer_defaults: OptimizerDefaults
    workload: str
    report_every_steps: int
    replicates: int
    labels: _containers.ScalarMap[str, str]
    created_unix_ms: int
    seed: int
    study_stopper: StudyStopperSpec
    def __init__(self, study_id: _Optional[str] = ..., name: _Optional[str] = ..., search_space: _Optional[_Union[SearchSpace, _Mapping]] = ..., objective: _Optional[_Union[Objective, _Mapping]] = ..., budget: _Optional[_Union[Budget, _Mapping]] = ..., step_budget: _Optional[int] = ..., target: _Optional[_Union[Target, _Mapping]] = ..., suggester: _Optional[_Union[SuggesterSpec, _Mapping]] = ..., early_stopping: _Optional[_Union[EarlyStoppingSpec, _Mapping]] = ..., optimizer_defaults: _Optional[_Union[OptimizerDefaults, _Mapping]] = ..., workload: _Optional[str] = ..., report_every_steps: _Optional[int] = ..., replicates: _Optional[int] = ..., labels: _Optional[_Mapping[str, str]] = ..., created_unix_ms: _Optional[int] = ..., seed: _Optional[int] = ..., study_stopper: _Optional[_Union[StudyStopperSpec, _Mapping]] = ...) -> None: ...
