"""Typed, framework-free view of a trial's materialised optimizer configuration (protocol
``nadir.v1.OptimizerConfig``) and the reference learning-rate schedule in plain float64 Python.

The optax and PyTorch helpers build their optimizers from :class:`OptimizerSpec`; the schedule formula
here is the one both must reproduce (optax ``warmup_cosine_decay_schedule``; warmup as in AlgoPerf,
Dahl et al. 2023, arXiv:2306.07179):

* warmup, ``0 <= c < W``:  ``lr(c) = init + (peak - init) * c / W``
* cosine, ``c >= W``:      ``lr(c) = end + (peak - end) * 0.5 * (1 + cos(pi * min(c - W, T - W) / (T - W)))``
* linear decay, ``c >= W``: ``lr(c) = peak + (end - peak) * min(c - W, T - W) / (T - W)``

where ``c`` is the schedule counter: the k-th optimizer update (k = 1, 2, ...) uses ``lr(k - 1)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import Any

from .gen import optimizer_pb2


class ConfigError(ValueError):
    """An optimizer configuration that cannot be materialised (missing member, value out of range)."""


class Variant(str, Enum):
    """NAdamW update rule: optax ``nadamw`` vs AlgoPerf / init2winit ``scale_by_nadam``; they differ only
    in the Nesterov bias correction."""

    OPTAX = "optax"
    ALGOPERF = "algoperf"


class ScheduleKind(str, Enum):
    """Learning-rate schedule shape (protocol ``ScheduleKind``)."""

    CONSTANT = "constant"
    WARMUP_COSINE = "linear_warmup_cosine_decay"
    WARMUP_LINEAR = "linear_warmup_linear_decay"


_VARIANTS = {
    optimizer_pb2.NADAMW_VARIANT_OPTAX: Variant.OPTAX,
    optimizer_pb2.NADAMW_VARIANT_ALGOPERF: Variant.ALGOPERF,
}
_KINDS = {
    optimizer_pb2.SCHEDULE_KIND_CONSTANT: ScheduleKind.CONSTANT,
    optimizer_pb2.SCHEDULE_KIND_LINEAR_WARMUP_COSINE_DECAY: ScheduleKind.WARMUP_COSINE,
    optimizer_pb2.SCHEDULE_KIND_LINEAR_WARMUP_LINEAR_DECAY: ScheduleKind.WARMUP_LINEAR,
}


def _finite(name: str, value: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class NadamwSpec:
    """NAdamW hyperparameters: ``theta <- theta - lr_t * (m_hat / (sqrt(v_hat + epsilon_root) + epsilon)
    + weight_decay * theta)`` with ``m_hat`` per :class:`Variant` (Dozat 2016 Nesterov-Adam with
    Loshchilov & Hutter 2019 decoupled weight decay)."""

    learning_rate: float
    beta1: float
    beta2: float
    epsilon: float = 1e-8
    epsilon_root: float = 0.0
    weight_decay: float = 0.0
    variant: Variant = Variant.ALGOPERF
    decay_all_parameters: bool = True

    def __post_init__(self) -> None:
        lr = _finite("learning_rate", self.learning_rate)
        if lr < 0:
            raise ConfigError(f"learning_rate must be >= 0, got {lr}")
        for name in ("beta1", "beta2"):
            b = _finite(name, getattr(self, name))
            if not 0.0 <= b < 1.0:
                raise ConfigError(f"{name} must be in [0, 1), got {b}")
        for name in ("epsilon", "epsilon_root", "weight_decay"):
            if _finite(name, getattr(self, name)) < 0:
                raise ConfigError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.epsilon == 0 and self.epsilon_root == 0:
            raise ConfigError("epsilon and epsilon_root are both 0: the update divides by sqrt(v_hat), which can be 0")
        if not isinstance(self.variant, Variant):
            raise ConfigError(f"variant must be a Variant, got {self.variant!r}")


@dataclass(frozen=True)
class ScheduleSpec:
    """Learning-rate schedule in absolute values (``init_value``/``end_value``) around the peak
    ``NadamwSpec.learning_rate``; ``total_steps`` counts the warmup (optax ``decay_steps``)."""

    kind: ScheduleKind
    warmup_steps: int = 0
    total_steps: int = 0
    init_value: float = 0.0
    end_value: float = 0.0
    warmup_fraction: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.kind, ScheduleKind):
            raise ConfigError(f"kind must be a ScheduleKind, got {self.kind!r}")
        for name in ("warmup_steps", "total_steps"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise ConfigError(f"{name} must be a non-negative integer, got {v!r}")
        _finite("init_value", self.init_value)
        _finite("end_value", self.end_value)
        if self.kind is not ScheduleKind.CONSTANT and self.total_steps <= self.warmup_steps:
            raise ConfigError(
                f"total_steps ({self.total_steps}) must exceed warmup_steps ({self.warmup_steps}): the decay phase "
                "would have no steps"
            )


@dataclass(frozen=True)
class OptimizerSpec:
    """Everything needed to build the optimizer of one trial (protocol ``OptimizerConfig``)."""

    nadamw: NadamwSpec
    schedule: ScheduleSpec
    grad_clip_norm: float | None = None
    dropout_rate: float = 0.0
    aux_dropout_rate: float = 0.0
    label_smoothing: float = 0.0
    global_batch_size: int = 0

    def __post_init__(self) -> None:
        if self.grad_clip_norm is not None and not _finite("grad_clip_norm", self.grad_clip_norm) > 0:
            raise ConfigError(f"grad_clip_norm must be > 0 when set, got {self.grad_clip_norm}")
        for name in ("dropout_rate", "aux_dropout_rate", "label_smoothing"):
            v = _finite(name, getattr(self, name))
            if not 0.0 <= v < 1.0:
                raise ConfigError(f"{name} must be in [0, 1), got {v}")

    def learning_rate(self, count: int) -> float:
        """Learning rate at schedule counter ``count`` (float64; see the module docstring)."""
        return schedule_value(self.schedule, self.nadamw.learning_rate, count)

    @classmethod
    def from_proto(cls, msg: optimizer_pb2.OptimizerConfig) -> OptimizerSpec:
        """Converts a protocol ``OptimizerConfig``; raises :class:`ConfigError` when it has no NAdamW member,
        an unspecified variant or schedule kind, or out-of-range values."""
        if not isinstance(msg, optimizer_pb2.OptimizerConfig):
            raise ConfigError(f"from_proto needs a nadir.v1.OptimizerConfig, got {type(msg).__name__}")
        if msg.WhichOneof("optimizer") != "nadamw":
            raise ConfigError("OptimizerConfig has no nadamw member (the only optimizer protocol v1 defines)")
        n = msg.nadamw
        if n.variant not in _VARIANTS:
            raise ConfigError(f"NadamwConfig.variant {n.variant} is unspecified or unknown")
        s = msg.schedule
        if s.kind not in _KINDS:
            raise ConfigError(f"LearningRateSchedule.kind {s.kind} is unspecified or unknown")
        r = msg.regularization
        return cls(
            nadamw=NadamwSpec(
                learning_rate=n.learning_rate,
                beta1=n.beta1,
                beta2=n.beta2,
                epsilon=n.epsilon,
                epsilon_root=n.epsilon_root,
                weight_decay=n.weight_decay,
                variant=_VARIANTS[n.variant],
                decay_all_parameters=n.decay_all_parameters,
            ),
            schedule=ScheduleSpec(
                kind=_KINDS[s.kind],
                warmup_steps=int(s.warmup_steps),
                total_steps=int(s.total_steps),
                init_value=s.init_value,
                end_value=s.end_value,
                warmup_fraction=s.warmup_fraction,
            ),
            grad_clip_norm=msg.grad_clip_norm if msg.HasField("grad_clip_norm") else None,
            dropout_rate=r.dropout_rate,
            aux_dropout_rate=r.aux_dropout_rate,
            label_smoothing=r.label_smoothing,
            global_batch_size=int(msg.global_batch_size),
        )

    def to_proto(self) -> optimizer_pb2.OptimizerConfig:
        """The inverse of :meth:`from_proto` (used by tests and by the in-process fake coordinator)."""
        inv_v = {v: k for k, v in _VARIANTS.items()}
        inv_k = {v: k for k, v in _KINDS.items()}
        n, s = self.nadamw, self.schedule
        msg = optimizer_pb2.OptimizerConfig(
            nadamw=optimizer_pb2.NadamwConfig(
                learning_rate=n.learning_rate,
                beta1=n.beta1,
                beta2=n.beta2,
                epsilon=n.epsilon,
                epsilon_root=n.epsilon_root,
                weight_decay=n.weight_decay,
                variant=inv_v[n.variant],
                decay_all_parameters=n.decay_all_parameters,
            ),
            schedule=optimizer_pb2.LearningRateSchedule(
                kind=inv_k[s.kind],
                warmup_steps=s.warmup_steps,
                total_steps=s.total_steps,
                init_value=s.init_value,
                end_value=s.end_value,
                warmup_fraction=s.warmup_fraction,
            ),
            regularization=optimizer_pb2.Regularization(
                dropout_rate=self.dropout_rate, aux_dropout_rate=self.aux_dropout_rate, label_smoothing=self.label_smoothing
            ),
            global_batch_size=self.global_batch_size,
        )
        if self.grad_clip_norm is not None:
            msg.grad_clip_norm = self.grad_clip_norm
        return msg


def schedule_value(schedule: ScheduleSpec, peak: float, count: int) -> float:
    """``lr(count)`` in float64 for the given schedule and peak (base) learning rate.

    Same piecewise formula as optax ``warmup_cosine_decay_schedule(init, peak, W, T, end)``: linear
    warmup ``init -> peak`` over ``W`` steps, then cosine (or linear) decay ``peak -> end``
    over ``T - W`` steps, clamped after ``T``. ``W = 0`` means no warmup (``lr(0) = peak``)."""
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ConfigError(f"schedule counter must be a non-negative integer, got {count!r}")
    if schedule.kind is ScheduleKind.CONSTANT:
        return float(peak)
    w, t = schedule.warmup_steps, schedule.total_steps
    if count < w:
        return schedule.init_value + (peak - schedule.init_value) * (count / w)
    frac = min(count - w, t - w) / (t - w)
    if schedule.kind is ScheduleKind.WARMUP_COSINE:
        return schedule.end_value + (peak - schedule.end_value) * 0.5 * (1.0 + math.cos(math.pi * frac))
    return peak + (schedule.end_value - peak) * frac


def warmup_steps_for(fraction: float, total_steps: int, rounding: str = "floor") -> int:
    """``W`` from a warmup fraction: ``floor(f * S)`` (AlgoPerf ``int()``) or ``round(f * S)`` (init2winit);
    AlgoPerf: Dahl et al. 2023, arXiv:2306.07179."""
    f = _finite("fraction", fraction)
    if not 0.0 <= f <= 1.0:
        raise ConfigError(f"warmup fraction must be in [0, 1], got {f}")
    if rounding == "floor":
        return int(f * total_steps)
    if rounding == "round":
        return round(f * total_steps)
    raise ConfigError(f"rounding must be 'floor' or 'round', got {rounding!r}")


def spec_summary(spec: OptimizerSpec) -> dict[str, Any]:
    """A flat dict of the spec for logging."""
    n, s = spec.nadamw, spec.schedule
    return {
        "learning_rate": n.learning_rate,
        "beta1": n.beta1,
        "beta2": n.beta2,
        "epsilon": n.epsilon,
        "weight_decay": n.weight_decay,
        "variant": n.variant.value,
        "schedule": s.kind.value,
        "warmup_steps": s.warmup_steps,
        "total_steps": s.total_steps,
        "grad_clip_norm": spec.grad_clip_norm,
    }
