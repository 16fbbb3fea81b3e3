"""The digits MLP of :mod:`nadir_worker.examples.digits_jax` in PyTorch, trained with the trial's NAdamW and schedule set
up to match optax (``nadir_worker.torch_helper``). Usable without a coordinator:

    from nadir_worker.examples.digits_torch import train
    metrics = train({"learning_rate": 2e-3, "hidden_units": 64}, step_budget=1000, seed=0)

``train(params, step_budget, seed, on_eval=None, eval_every=50, optimizer=None, device=None) -> dict``
has the JAX example's contract (same keys and :data:`DEFAULTS`, same data split, batch size, model shape,
metrics ``validation/error_rate``, ``validation/loss``, ``train/loss``, ``train/learning_rate``,
``step``); ``device`` defaults to CUDA when ``torch.cuda.is_available()``, else the CPU. Numbers differ
from the JAX example (other initialisation and random streams), not the optimizer: the helpers' update
rules agree to 1e-5 after 50 steps (``adapters/python/tests/test_helpers_numeric.py``).

Data: ``load_digits()``, features scaled to [0, 1], fixed permutation split (seed :data:`SPLIT_SEED`):
1437 training and 360 validation examples. Model: ``Linear(64, h) -> ReLU -> Dropout -> Linear(h, h)
-> ReLU -> Dropout -> Linear(h, 10)``; loss ``cross_entropy(label_smoothing=...)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nadir_worker.config import OptimizerSpec
from nadir_worker.torch_helper import make_torch_nadamw
from nadir_worker.examples.digits_task import (  # noqa: F401 (DEFAULTS, SPLIT_SEED, VALIDATION_SIZE: re-exported, documented here)
    BATCH_SIZE,
    DEFAULTS,
    NUM_CLASSES,
    SPLIT_SEED,
    VALIDATION_SIZE,
    EvalCallback,
    load_split,
    optimizer_spec,
    resolve_params,
)


def load_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x_train, y_train, x_val, y_val)`` of :func:`nadir_worker.examples.digits_task.load_split`, labels as int64."""
    x_tr, y_tr, x_val, y_val = load_split()
    return x_tr, y_tr.astype(np.int64), x_val, y_val.astype(np.int64)


def make_model(hidden_units: int, dropout_rate: float) -> nn.Module:
    """64 -> hidden -> hidden -> 10, ReLU, dropout after each hidden layer."""
    return nn.Sequential(
        nn.Linear(64, hidden_units), nn.ReLU(), nn.Dropout(dropout_rate),
        nn.Linear(hidden_units, hidden_units), nn.ReLU(), nn.Dropout(dropout_rate),
        nn.Linear(hidden_units, NUM_CLASSES),
    )


def default_device() -> torch.device:
    """CUDA when available, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def train(
    params: Mapping[str, Any],
    step_budget: int,
    seed: int,
    on_eval: EvalCallback | None = None,
    eval_every: int = 50,
    optimizer: OptimizerSpec | None = None,
    device: torch.device | str | None = None,
) -> dict[str, float]:
    """Trains the digits MLP for ``step_budget`` steps and returns the final metrics (module docstring)."""
    if isinstance(step_budget, bool) or not isinstance(step_budget, int) or step_budget < 1:
        raise ValueError(f"step_budget must be a positive integer, got {step_budget!r}")
    if eval_every < 1:
        raise ValueError(f"eval_every must be >= 1, got {eval_every}")
    p = resolve_params(params)
    spec = optimizer if optimizer is not None else optimizer_spec(p, step_budget)
    dev = torch.device(device) if device is not None else default_device()
    x_tr, y_tr, x_val, y_val = (torch.from_numpy(a).to(dev) for a in load_data())

    gen = torch.Generator().manual_seed(seed % 2**63)
    torch.manual_seed(seed % 2**63)  # initialisation and dropout draw from the global generator
    # Dropout and label smoothing from the optimizer spec: the one place list and search trials both fill.
    model = make_model(p["hidden_units"], float(spec.dropout_rate)).to(dev)
    opt = make_torch_nadamw(spec, model.parameters())
    smoothing = float(spec.label_smoothing)
    n = len(y_tr)
    epochs = math.ceil(step_budget * BATCH_SIZE / n)
    order = torch.cat([torch.randperm(n, generator=gen) for _ in range(epochs)])[: step_budget * BATCH_SIZE].to(dev)

    metrics: dict[str, float] = {}
    losses = torch.zeros((), device=dev)
    since = 0
    lr = 0.0
    for step in range(1, step_budget + 1):
        idx = order[(step - 1) * BATCH_SIZE : step * BATCH_SIZE]
        model.train()
        loss = F.cross_entropy(model(x_tr[idx]), y_tr[idx], label_smoothing=smoothing)
        opt.zero_grad()
        loss.backward()
        lr = opt.step()
        # Accumulated on the device: one host sync per evaluation instead of one per step.
        losses = losses + loss.detach()
        since += 1
        if step % eval_every == 0 or step == step_budget:
            model.eval()
            with torch.no_grad():
                logits = model(x_val)
                val_loss = F.cross_entropy(logits, y_val)
                val_err = (logits.argmax(-1) != y_val).float().mean()
            metrics = {
                "validation/error_rate": float(val_err),
                "validation/loss": float(val_loss),
                "train/loss": float(losses) / since,
                "train/learning_rate": lr,
                "step": step,
            }
            losses = torch.zeros((), device=dev)
            since = 0
            if on_eval is not None and on_eval(step, dict(metrics)):
                break
    return metrics
