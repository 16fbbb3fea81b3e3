"""A Nadir worker around a PyTorch training function (written by `nadir init --framework torch`).

Needs ``pip install 'nadir-worker[torch]'``. Replace the data and the model with yours; keep the signature
of ``train``. Run it with ``nadir run --study nadir.study.json --worker worker.py``.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

import torch
import torch.nn.functional as F
from torch import nn

from nadir_worker import OptimizerSpec, Trial
from nadir_worker.cli import run_worker_main
from nadir_worker.integrations import run_train_function
from nadir_worker.torch_helper import make_torch_nadamw

BATCH = 64


def load_data(seed: int = 0) -> tuple[torch.Tensor, ...]:
    """A synthetic 10-class problem (replace with your dataset): 2048 train, 512 validation examples."""
    g = torch.Generator().manual_seed(seed)
    centers = torch.randn(10, 32, generator=g)
    y = torch.randint(0, 10, (2560,), generator=g)
    x = centers[y] + 1.5 * torch.randn(2560, 32, generator=g)
    return x[:2048], y[:2048], x[2048:], y[2048:]


def train(
    params: dict[str, Any],
    step_budget: int,
    seed: int,
    on_eval: Callable[[int, dict[str, float]], bool] | None = None,
    eval_every: int = 50,
    optimizer: OptimizerSpec | None = None,
) -> dict[str, float]:
    """Trains for ``step_budget`` steps with the trial's exact NAdamW and schedule; returns the final metrics.

    Dropout and label smoothing come from ``optimizer`` (the trial's materialised config), never from
    ``params``: that is where list trials and search trials both carry them.
    """
    assert optimizer is not None, "run_train_function passes the trial's materialised optimizer"
    torch.manual_seed(seed)
    x_tr, y_tr, x_val, y_val = load_data()
    hidden = int(params.get("hidden_units", 128))
    model = nn.Sequential(nn.Linear(32, hidden), nn.ReLU(), nn.Dropout(optimizer.dropout_rate), nn.Linear(hidden, 10))
    opt = make_torch_nadamw(optimizer, model.parameters())  # NAdamW + warmup/cosine schedule + clipping
    gen = torch.Generator().manual_seed(seed)
    metrics: dict[str, float] = {}
    for step in range(1, step_budget + 1):
        idx = torch.randint(0, len(y_tr), (BATCH,), generator=gen)
        model.train()
        loss = F.cross_entropy(model(x_tr[idx]), y_tr[idx], label_smoothing=optimizer.label_smoothing)
        opt.zero_grad()
        loss.backward()
        opt.step()  # clips, steps, advances the schedule
        if step % eval_every == 0 or step == step_budget:
            model.eval()
            with torch.no_grad():
                err = (model(x_val).argmax(-1) != y_val).float().mean().item()
            metrics = {"validation/error_rate": err, "train/loss": loss.item(), "step": step}
            if on_eval is not None and on_eval(step, dict(metrics)):
                break  # the coordinator asked to stop (pruned, target reached)
    return metrics


def run_trial(trial: Trial) -> None:
    """One trial: ``train`` with the trial's parameters, budget, seed and materialised NAdamW."""
    torch.set_num_threads(1)  # several workers on one machine
    run_train_function(trial, train)


if __name__ == "__main__":
    sys.exit(run_worker_main(run_trial, description="Nadir worker (PyTorch)", frameworks={"torch": torch.__version__}))
