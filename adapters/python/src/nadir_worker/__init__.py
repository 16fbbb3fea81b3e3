"""Nadir worker SDK: wraps existing training loops as Nadir workers speaking protocol v1.

Core (pyzmq + protobuf only): :class:`Worker`, :class:`Trial`, :class:`OptimizerSpec`, the histogram hook.
Optional: ``nadir_worker.optax_helper`` (extra ``jax``), ``nadir_worker.torch_helper`` (extra ``torch``),
``nadir_worker.integrations`` (Flax TrainState, PyTorch, Lightning and Hugging Face callbacks).
"""

__version__ = "0.1.0"

from .client import (  # noqa: E402
    ConnectTimeout,
    Diverged,
    Preempted,
    Trial,
    TrialStateError,
    Worker,
    WorkerError,
    WorkerRefused,
)
from .config import ConfigError, NadamwSpec, OptimizerSpec, ScheduleKind, ScheduleSpec, Variant, schedule_value  # noqa: E402
from .histogram import GradientHistogramHook, histogram_message, histogram_of  # noqa: E402

__all__ = [
    "ConfigError",
    "ConnectTimeout",
    "Diverged",
    "GradientHistogramHook",
    "NadamwSpec",
    "OptimizerSpec",
    "Preempted",
    "ScheduleKind",
    "ScheduleSpec",
    "Trial",
    "TrialStateError",
    "Variant",
    "Worker",
    "WorkerError",
    "WorkerRefused",
    "histogram_message",
    "histogram_of",
    "schedule_value",
]
