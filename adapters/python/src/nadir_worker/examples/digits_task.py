"""The digits task shared by the JAX and PyTorch digits MLPs: data split, hyperparameter
defaults and checks, and the optimizer spec the digits studies materialise. Kept in one place so that the
two examples train on exactly the same split with exactly the same defaults; each example adds only its
framework's model and training loop.

Data: ``load_digits()``, features scaled to [0, 1], split once by a fixed permutation (seed
:data:`SPLIT_SEED`) into 1437 training and 360 validation examples.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from nadir_worker.config import NadamwSpec, OptimizerSpec, ScheduleKind, ScheduleSpec, Variant, warmup_steps_for

BATCH_SIZE = 64
SPLIT_SEED = 0
VALIDATION_SIZE = 360
NUM_CLASSES = 10
DEFAULTS: dict[str, Any] = {
    "learning_rate": 1e-3,
    "beta1": 0.9,
    "beta2": 0.999,
    "weight_decay": 0.01,
    "warmup_factor": 0.05,
    "label_smoothing": 0.0,
    "dropout_rate": 0.0,
    "hidden_units": 128,
}
"""Values used for keys missing from ``params`` (the study's search space covers all of them)."""

EvalCallback = Callable[[int, dict[str, float]], Any]


@functools.lru_cache(maxsize=1)
def load_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x_train, y_train, x_val, y_val)``: float32 features in [0, 1] and int64 labels, fixed split."""
    from sklearn.datasets import load_digits  # the [examples] extra; imported here so --check can name it

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(y))
    val, tr = order[:VALIDATION_SIZE], order[VALIDATION_SIZE:]
    return x[tr], y[tr], x[val], y[val]


def resolve_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` over :data:`DEFAULTS`; raises ``ValueError`` for unknown keys or bad values."""
    unknown = sorted(set(params) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown hyperparameters {unknown}; known: {sorted(DEFAULTS)}")
    p = {**DEFAULTS, **params}
    p["hidden_units"] = int(p["hidden_units"])
    if p["hidden_units"] < 1:
        raise ValueError(f"hidden_units must be >= 1, got {p['hidden_units']}")
    for k in ("label_smoothing", "dropout_rate"):
        if not 0.0 <= float(p[k]) < 1.0:
            raise ValueError(f"{k} must be in [0, 1), got {p[k]}")
    return p


def optimizer_spec(params: Mapping[str, Any], step_budget: int) -> OptimizerSpec:
    """The NAdamW spec the digits study materialises for ``params`` at ``step_budget``: AlgoPerf variant,
    epsilon 1e-8, linear warmup of ``floor(warmup_factor * step_budget)`` steps, cosine decay to 0."""
    p = resolve_params(params)
    return OptimizerSpec(
        nadamw=NadamwSpec(
            learning_rate=float(p["learning_rate"]),
            beta1=float(p["beta1"]),
            beta2=float(p["beta2"]),
            epsilon=1e-8,
            weight_decay=float(p["weight_decay"]),
            variant=Variant.ALGOPERF,
        ),
        schedule=ScheduleSpec(
            kind=ScheduleKind.WARMUP_COSINE,
            warmup_steps=warmup_steps_for(float(p["warmup_factor"]), step_budget, "floor"),
            total_steps=step_budget,
            warmup_fraction=float(p["warmup_factor"]),
        ),
        dropout_rate=float(p["dropout_rate"]),
        label_smoothing=float(p["label_smoothing"]),
    )
