"""A PyTorch training loop driven by a Nadir trial (extra ``nadir-worker[torch]``).

    from nadir_worker.integrations.torch_loop import train_loop

    with trial:
        final = train_loop(trial, model, loss_fn, batches, evaluate)

``loss_fn(model, batch) -> loss`` (a scalar tensor); ``batches`` an iterable (one batch per step) or a
callable ``step -> batch``; ``evaluate(model) -> metrics`` runs under ``torch.no_grad()`` with the model
in eval mode at every report and after the last step. The optimizer, schedule and clipping are the
trial's NAdamW set up to match optax (:func:`nadir_worker.torch_helper.make_torch_nadamw`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

try:
    import torch
except ImportError as err:  # pragma: no cover - exercised only without the extra
    raise ImportError("nadir_worker.integrations.torch_loop needs the torch extra: pip install 'nadir-worker[torch]'") from err

from ..client import Trial
from ..config import ConfigError
from ..histogram import torch_grads
from ..torch_helper import TorchNadamw, make_torch_nadamw
from . import finish, report_interval

LEARNING_RATE_METRIC = "train/learning_rate"
"""Metric name of the rate the last update used (reported with every measurement)."""
TRAIN_LOSS_METRIC = "train/loss"
"""Metric name of the mean training loss since the previous report."""


def make_optimizer(trial: Trial, model: torch.nn.Module, **kwargs: Any) -> TorchNadamw:
    """The trial's :class:`~nadir_worker.torch_helper.TorchNadamw` over ``model.parameters()``
    (``kwargs``: ``no_decay``, ``force_custom``); raises ``ConfigError`` without an optimizer config."""
    if trial.optimizer is None:
        raise ConfigError("this trial carries no optimizer config (the study has no NAdamW optimizer section)")
    return make_torch_nadamw(trial.optimizer, model.parameters(), **kwargs)


def train_loop(
    trial: Trial,
    model: torch.nn.Module,
    loss_fn: Callable[[torch.nn.Module, Any], torch.Tensor],
    batches: Iterable[Any] | Callable[[int], Any],
    evaluate: Callable[[torch.nn.Module], Mapping[str, Any]] | None = None,
    *,
    optimizer: TorchNadamw | None = None,
    steps: int | None = None,
    start_step: int = 0,
    histogram_steps: int | None = None,
) -> dict[str, float]:
    """Steps ``optimizer`` (default :func:`make_optimizer`) from ``start_step + 1`` to ``steps`` (default
    ``trial.step_budget``). Every :func:`~nadir_worker.integrations.report_interval` steps and after the
    last one it reports ``train/loss`` (mean since the previous report), ``train/learning_rate`` (the
    last update's rate) and ``evaluate(model)``, then honours ``trial.should_stop()``. Completes the
    trial with the final metrics (unless the coordinator stopped it) and returns them.

    Gradient histograms (:meth:`Trial.histogram_hook`, the Adam-epsilon seed of ``@nadir/analysis``) are
    taken for the first ``histogram_steps`` steps; the default is 100 when the assignment asks for them
    (``histogram_every_steps > 0``), else none."""
    opt = optimizer or make_optimizer(trial, model)
    total = trial.step_budget if steps is None else steps
    every = report_interval(trial)
    if histogram_steps is None:
        histogram_steps = 100 if trial.histogram_every_steps > 0 else 0
    hook = trial.histogram_hook(first_steps=histogram_steps) if histogram_steps > 0 else None
    next_batch = batches if callable(batches) else iter(batches).__next__
    final: dict[str, float] = {}
    running = 0.0
    since = 0
    step = start_step
    while step < total:
        batch = next_batch(step) if callable(batches) else next_batch()
        model.train()
        loss = loss_fn(model, batch)
        opt.zero_grad()
        loss.backward()
        if hook is not None and hook.wants(step + 1):
            hook(step + 1, torch_grads(opt.params))
        lr = opt.step()
        step += 1
        running += float(loss.detach())
        since += 1
        if step % every == 0 or step == total:
            final = {TRAIN_LOSS_METRIC: running / since, LEARNING_RATE_METRIC: lr}
            if evaluate is not None:
                model.eval()
                with torch.no_grad():
                    final.update({k: float(v) for k, v in evaluate(model).items()})
            running, since = 0.0, 0
            trial.report(step, **final)
            if trial.should_stop():
                break
    finish(trial, final, step=step)
    return final


__all__ = ["LEARNING_RATE_METRIC", "TRAIN_LOSS_METRIC", "make_optimizer", "train_loop"]
