"""Hugging Face ``transformers.Trainer`` glue (needs ``transformers``, which nadir-worker does not
install).

    from nadir_worker.integrations.huggingface import NadirTrainerCallback, trainer_kwargs

    with trial:
        args = TrainingArguments(output_dir, max_steps=trial.step_budget, logging_steps=...,
                                 max_grad_norm=trial.optimizer.grad_clip_norm or 0.0)
        trainer = Trainer(model, args, train_dataset=..., eval_dataset=...,
                          callbacks=[NadirTrainerCallback(trial)], **trainer_kwargs(trial, model))
        trainer.train()

``trainer_kwargs`` gives ``optimizers=(NAdamW, NadirLR)``: the Trainer then steps the scheduler after
every optimizer step, the optax convention, so update k uses ``lr(k - 1)``. Set ``max_grad_norm`` from
the config as above: the Trainer clips with torch's ``clip_grad_norm_`` (the AlgoPerf rule) and its
default of 1.0 would clip configs that say "no clipping". :class:`NadirTrainerCallback` reports every
numeric ``on_log``/``on_evaluate`` entry at ``state.global_step``, sets ``control.should_training_stop``
when ``trial.should_stop()``, and completes the trial at the end of training with the latest metrics
(unless the coordinator stopped it).
"""

from __future__ import annotations

from typing import Any

try:
    from transformers import TrainerCallback
except ImportError as err:  # pragma: no cover - depends on what is installed
    raise ImportError("nadir_worker.integrations.huggingface needs transformers (pip install transformers)") from err

from ..client import Trial
from ..config import ConfigError
from ..torch_helper import NadirLR, make_optimizer
from . import finish


def trainer_kwargs(trial: Trial, model: Any, **kwargs: Any) -> dict[str, Any]:
    """``{"optimizers": (optimizer, scheduler)}`` for ``Trainer(...)`` from the trial's NAdamW
    (``kwargs``: ``no_decay``, ``force_custom``)."""
    if trial.optimizer is None:
        raise ConfigError("this trial carries no optimizer config (the study has no NAdamW optimizer section)")
    opt = make_optimizer(trial.optimizer, model.parameters(), **kwargs)
    return {"optimizers": (opt, NadirLR(opt, trial.optimizer))}


def _numeric(logs: dict[str, Any] | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for k, v in (logs or {}).items():
        if isinstance(v, bool):
            continue
        if isinstance(v, (int, float)):
            out[k] = float(v)
    return out


class NadirTrainerCallback(TrainerCallback):
    """Reports the Trainer's logs and evaluations to ``trial`` and forwards stop requests (module doc)."""

    def __init__(self, trial: Trial) -> None:
        self.trial = trial
        self.latest: dict[str, float] = {}
        self._step = -1

    def _report(self, state: Any, control: Any, logs: dict[str, Any] | None) -> None:
        metrics = _numeric(logs)
        metrics.pop("epoch", None)
        if not metrics or self.trial.finished:
            return
        step = max(int(state.global_step), self._step)
        self.trial.report(step, **metrics)
        self._step = step
        self.latest.update(metrics)
        if self.trial.should_stop():
            control.should_training_stop = True

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:  # noqa: D102
        self._report(state, control, logs)

    def on_evaluate(self, args: Any, state: Any, control: Any, metrics: dict[str, Any] | None = None, **kwargs: Any) -> None:  # noqa: D102
        self._report(state, control, metrics)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:  # noqa: D102
        if self.latest:
            finish(self.trial, self.latest, step=max(int(state.global_step), self._step))


__all__ = ["NadirTrainerCallback", "trainer_kwargs"]
