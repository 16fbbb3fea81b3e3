from . import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HistogramQuantity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HISTOGRAM_QUANTITY_UNSPECIFIED: _ClassVar[HistogramQuantity]
    HISTOGRAM_QUANTITY_GRADIENT_ABS: _ClassVar[HistogramQuantity]
    HISTOGRAM_QUANTITY_SQRT_V_HAT: _ClassVar[HistogramQuantity]
HISTOGRAM_QUANTITY_UNSPECIFIED: HistogramQuantity
HISTOGRAM_QUANTITY_GRADIENT_ABS: HistogramQuantity
HISTOGRAM_QUANTITY_SQRT_V_HAT: HistogramQuantity

class GradientHistogram(_message.Message):
    __slots__ = ("trial", "step", "quantity", "scope", "bin_edges", "counts", "underflow_count", "overflow_count", "zero_count", "nonfinite_count", "total_count", "min_positive", "max_finite")
    TRIAL_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    BIN_EDGES_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    UNDERFLOW_COUNT_FIELD_NUMBER: _ClassVar[int]
    OVERFLOW_COUNT_FIELD_NUMBER: _ClassVar[int]
    ZERO_COUNT_FIELD_NUMBER: _ClassVar[int]
    NONFINITE_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COUNT_FIELD_NUMBER: _ClassVar[int]
    MIN_POSITIVE_FIELD_NUMBER: _ClassVar[int]
    MAX_FINITE_FIELD_NUMBER: _ClassVar[int]
    trial: _common_pb2.TrialRef
    step: int
    quantity: HistogramQuantity
    scope: str
    bin_edges: _containers.RepeatedScalarFieldContainer[float]
    counts: _containers.RepeatedScalarFieldContainer[int]
    underflow_count: int
    overflow_count: int
    zero_count: int
    nonfinite_count: int
    total_count: int
    min_positive: float
    max_finite: float
    def __init__(self, trial: _Optional[_Union[_common_pb2.TrialRef, _Mapping]] = ..., step: _Optional[int] = ..., quantity: _Optional[_Union[HistogramQuantity, str]] = ..., scope: _Optional[str] = ..., bin_edges: _Optional[_Iterable[float]] = ..., counts: _Optional[_Iterable[int]] = ..., underflow_count: _Optional[int] = ..., overflow_count: _Optional[int] = ..., zero_count: _Optional[int] = ..., nonfinite_count: _Optional[int] = ..., total_count: _Optional[int] = ..., min_positive: _Optional[float] = ..., max_finite: _Optional[float] = ...) -> None: ...
