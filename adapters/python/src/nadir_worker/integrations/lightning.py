"""PyTorch Lightning glue (needs ``lightning`` or ``pytorch_lightning``, which nadir-worker does not
install).

    from nadir_worker.integrations.lightning import NadirCallback, nadamw_optimizers

    class Model(L.LightningModule):
        def configure_optimizers(self):
            return nadamw_optimizers(trial, self)   # the trial's NAdamW + per-step schedule

    with trial:
        trainer = L.Trainer(max_steps=trial.step_budget, callbacks=[NadirCallback(trial)],
                            gradient_clip_val=trial.optimizer.grad_clip_norm)  # None: no clipping
        trainer.fit(model, datamodule)

:class:`NadirCallback` reports ``trainer.callback_metrics`` (what ``self.log`` recorded) every
``report_every_steps`` optimizer steps and after validation, sets ``trainer.should_stop`` when
``trial.should_stop()``, and completes the trial at the end of ``fit`` with the last metrics (unless the
coordinator stopped it). Lightning's norm clipping (``gradient_clip_algorithm="norm"``) is torch's
``clip_grad_norm_``: factor ``min(1, c / (||g|| + 1e-6))``, the AlgoPerf rule.
"""

from __future__ import annotations

from typing import Any

try:
    import lightning.pytorch as pl
except ImportError:  # pragma: no cover - depends on what is installed
    try:
        import pytorch_lightning as pl  # type: ignore[no-redef]
    except ImportError as err:
        raise ImportError("nadir_worker.integrations.lightning needs lightning (pip install lightning) or pytorch_lightning") from err

from ..client import Trial
from ..config import ConfigError
from ..torch_helper import NadirLR, make_optimizer
from . import finish, report_interval


def nadamw_optimizers(trial: Trial, module: Any, **kwargs: Any) -> dict[str, Any]:
    """``configure_optimizers`` return value: the trial's NAdamW over ``module.parameters()`` and
    :class:`~nadir_worker.torch_helper.NadirLR` stepped every optimizer step (``kwargs``: ``no_decay``,
    ``force_custom``)."""
    if trial.optimizer is None:
        raise ConfigError("this trial carries no optimizer config (the study has no NAdamW optimizer section)")
    opt = make_optimizer(trial.optimizer, module.parameters(), **kwargs)
    return {"optimizer": opt, "lr_scheduler": {"scheduler": NadirLR(opt, trial.optimizer), "interval": "step", "frequency": 1}}


def _numeric(metrics: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for k, v in dict(metrics).items():
        try:
            out[str(k)] = float(v)
        except (TypeError, ValueError):
            continue  # non-scalar logs (images, tensors with several entries) are not measurements
    return out


class NadirCallback(pl.Callback):
    """Reports Lightning's logged metrics to ``trial`` and forwards its stop requests (module doc)."""

    def __init__(self, trial: Trial) -> None:
        super().__init__()
        self.trial = trial
        self.every = report_interval(trial)
        self.last: dict[str, float] = {}
        self._reported_step = -1

    def _report(self, trainer: Any) -> None:
        step = int(trainer.global_step)
        metrics = _numeric(trainer.callback_metrics)
        if not metrics or step <= self._reported_step or self.trial.finished:
            return
        self.trial.report(step, **metrics)
        self._reported_step = step
        self.last = metrics
        if self.trial.should_stop():
            trainer.should_stop = True

    def on_train_batch_end(self, trainer: Any, pl_module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:  # noqa: D102
        if trainer.global_step > 0 and trainer.global_step % self.every == 0:
            self._report(trainer)

    def on_validation_end(self, trainer: Any, pl_module: Any) -> None:  # noqa: D102
        if not trainer.sanity_checking:
            self._report(trainer)

    def on_fit_end(self, trainer: Any, pl_module: Any) -> None:  # noqa: D102
        self._report(trainer)
        final = _numeric(trainer.callback_metrics) or self.last
        if final:
            finish(self.trial, final, step=int(trainer.global_step))


__all__ = ["NadirCallback", "nadamw_optimizers"]
