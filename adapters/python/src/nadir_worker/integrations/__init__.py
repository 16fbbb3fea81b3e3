"""Ready-made glue between common training loops and a Nadir :class:`~nadir_worker.Trial`.

* :func:`run_train_function` (here, no extra dependency): a plain ``train(params, step_budget, seed,
  on_eval, eval_every, optimizer) -> metrics`` function, as in ``examples/jax-mlp/digits_mlp.py``.
* :mod:`nadir_worker.integrations.flax_train_state` (extra ``jax``): a loop over a Flax ``TrainState``
  whose ``tx`` is the trial's exact optax NAdamW.
* :mod:`nadir_worker.integrations.torch_loop` (extra ``torch``): a loop over a ``torch.nn.Module``
  with the trial's NAdamW and schedule (``nadir_worker.torch_helper``).
* :mod:`nadir_worker.integrations.lightning` and :mod:`nadir_worker.integrations.huggingface`:
  callbacks for PyTorch Lightning and Hugging Face ``Trainer`` (import them only where those packages
  are installed; nadir-worker does not depend on them).

Every helper follows the same contract: metrics go to ``trial.report`` every ``report_every_steps``
(the study's setting, 50 when unset), ``trial.should_stop()`` is honoured at those points, and the final
metrics go to ``trial.complete`` unless the coordinator stopped the attempt (then the trial block answers
``TrialStopped``). Exceptions, NaN/Inf metrics and termination signals are left to the trial block
(failed / diverged / preempted).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..client import Trial
from ..gen import trial_pb2

DEFAULT_REPORT_EVERY = 50
"""Report interval when the assignment carries none (``report_every_steps`` = 0)."""


def report_interval(trial: Trial) -> int:
    """The trial's ``report_every_steps``, or :data:`DEFAULT_REPORT_EVERY` when the study sets none."""
    return trial.report_every_steps or DEFAULT_REPORT_EVERY


def reporter(trial: Trial) -> Callable[[int, Mapping[str, Any]], bool]:
    """An ``on_eval(step, metrics) -> stop`` callback: reports the numeric metrics (a ``"step"`` entry is
    dropped) and returns ``trial.should_stop()``."""

    def on_eval(step: int, metrics: Mapping[str, Any]) -> bool:
        values = {k: v for k, v in metrics.items() if k != "step"}
        trial.report(int(step), **values)
        return trial.should_stop()

    return on_eval


def finish(trial: Trial, final: Mapping[str, Any], step: int | None = None) -> None:
    """Sends ``trial.complete`` with ``final`` (its ``"step"`` entry, if any, is the completion step)
    unless the coordinator stopped the attempt for a reason other than a reached target: then nothing is
    sent here and leaving the trial block answers ``TrialStopped``."""
    if trial.finished:
        return
    reason = trial.stop_reason
    if reason is not None and reason != trial_pb2.STOP_REASON_TARGET_REACHED:
        return
    values = dict(final)
    at = values.pop("step", None) if step is None else step
    values.pop("step", None)
    trial.complete(None if at is None else int(at), **values)


TrainFunction = Callable[..., Mapping[str, Any]]
"""``train(params, step_budget, seed, on_eval=None, eval_every=50, optimizer=None) -> metrics``."""


def run_train_function(trial: Trial, train: TrainFunction, *, pass_optimizer: bool = True) -> dict[str, Any]:
    """Runs a plain training function for ``trial`` (call it inside ``with trial:``) and completes the
    trial with what it returns. ``train`` receives ``trial.params``, ``trial.step_budget``,
    ``trial.seed``, an ``on_eval`` callback from :func:`reporter`, ``eval_every`` =
    :func:`report_interval` and, when ``pass_optimizer``, ``optimizer=trial.optimizer`` (the
    coordinator's materialised NAdamW config, so the function does not re-derive it). Returns the final
    metrics."""
    kwargs: dict[str, Any] = {"on_eval": reporter(trial), "eval_every": report_interval(trial)}
    if pass_optimizer:
        kwargs["optimizer"] = trial.optimizer
    final = dict(train(dict(trial.params), trial.step_budget, trial.seed, **kwargs))
    finish(trial, final)
    return final


__all__ = ["DEFAULT_REPORT_EVERY", "TrainFunction", "finish", "report_interval", "reporter", "run_train_function"]
