"""A Nadir worker around a plain-Python training function (written by `nadir init --framework plain`).

Replace the body of ``train`` with your own loop; keep its signature. Run it with
``nadir run --study nadir.study.json --worker worker.py`` (one process per worker; the flags of
``python worker.py --help`` are the standard ones of ``nadir_worker.cli``).
"""

from __future__ import annotations

import random
import sys
from typing import Any, Callable

from nadir_worker import OptimizerSpec, Trial
from nadir_worker.cli import run_worker_main
from nadir_worker.integrations import run_train_function


def train(
    params: dict[str, Any],
    step_budget: int,
    seed: int,
    on_eval: Callable[[int, dict[str, float]], bool] | None = None,
    eval_every: int = 50,
    optimizer: OptimizerSpec | None = None,
) -> dict[str, float]:
    """Your training run: ``step_budget`` updates, metrics every ``eval_every`` steps, the final metrics.

    The example minimises a noisy quadratic with NAdamW-like steps at the trial's scheduled learning rate
    (``optimizer.learning_rate(step)``: linear warmup, cosine decay). Dropout and label smoothing, when
    the study searches them, are ``optimizer.dropout_rate`` and ``optimizer.label_smoothing``.
    """
    assert optimizer is not None, "run_train_function passes the trial's materialised optimizer"
    rng = random.Random(seed)
    x = [rng.uniform(-2.0, 2.0) for _ in range(4)]
    b1, b2, eps, wd = optimizer.nadamw.beta1, optimizer.nadamw.beta2, optimizer.nadamw.epsilon, optimizer.nadamw.weight_decay
    m = [0.0] * len(x)
    v = [0.0] * len(x)
    metrics: dict[str, float] = {}
    for step in range(1, step_budget + 1):
        lr = optimizer.learning_rate(step - 1)
        for i, xi in enumerate(x):
            g = 2.0 * (xi - 0.5) + rng.gauss(0.0, 0.1)
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            m_hat = m[i] / (1 - b1**step)
            v_hat = v[i] / (1 - b2**step)
            x[i] = xi - lr * (m_hat / (v_hat**0.5 + eps) + wd * xi)
        if step % eval_every == 0 or step == step_budget:
            metrics = {"validation/loss": sum((xi - 0.5) ** 2 for xi in x), "step": step}
            if on_eval is not None and on_eval(step, dict(metrics)):
                break  # the coordinator asked to stop (pruned, target reached)
    return metrics


def run_trial(trial: Trial) -> None:
    """One trial: ``train`` with the trial's parameters, budget, seed and materialised NAdamW."""
    run_train_function(trial, train)


if __name__ == "__main__":
    sys.exit(run_worker_main(run_trial, description="Nadir worker (plain Python)"))
