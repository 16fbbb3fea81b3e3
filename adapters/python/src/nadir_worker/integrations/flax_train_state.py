"""A Flax ``TrainState`` loop driven by a Nadir trial (extra ``nadir-worker[jax]``).

    from nadir_worker.integrations.flax_train_state import create_train_state, train_loop

    with trial:
        state = create_train_state(trial, model.apply, model.init(key, x0))
        state, final = train_loop(trial, state, train_step, batches, evaluate)

``train_step(state, batch) -> (state, metrics)`` is your (usually jitted) step; it must call
``state.apply_gradients(grads=...)`` once, so ``state.step`` counts optimizer updates. ``batches`` is
an iterable of batches (consumed one per step) or a callable ``step -> batch``. ``evaluate(state) ->
metrics`` runs at every report and after the last step. The state's ``tx`` is the trial's exact optax
NAdamW (:func:`nadir_worker.optax_helper.make_optimizer`), so the schedule counter and the update rule
are the ones ``@nadir/core`` materialised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

try:
    import jax
    from flax.training.train_state import TrainState
except ImportError as err:  # pragma: no cover - exercised only without the extra
    raise ImportError("nadir_worker.integrations.flax_train_state needs the jax extra: pip install 'nadir-worker[jax]'") from err

from ..client import Trial
from ..config import ConfigError, OptimizerSpec
from ..optax_helper import make_optimizer, make_schedule
from . import finish, report_interval

LEARNING_RATE_METRIC = "train/learning_rate"
"""Metric name of the rate the last update used (reported with every measurement)."""


def _spec(trial_or_spec: Trial | OptimizerSpec) -> OptimizerSpec:
    spec = trial_or_spec if isinstance(trial_or_spec, OptimizerSpec) else trial_or_spec.optimizer
    if spec is None:
        raise ConfigError("this trial carries no optimizer config (the study has no NAdamW optimizer section)")
    return spec


def create_train_state(trial_or_spec: Trial | OptimizerSpec, apply_fn: Callable[..., Any], params: Any, *, mask: Any = None, **fields: Any) -> TrainState:
    """``TrainState.create(apply_fn, params, tx=make_optimizer(spec, mask=mask))`` for a trial (its
    ``optimizer``) or an :class:`OptimizerSpec`. Extra ``fields`` go to ``create`` (subclass fields need
    ``TrainState`` subclasses; pass ``state_cls`` to use one)."""
    state_cls = fields.pop("state_cls", TrainState)
    return state_cls.create(apply_fn=apply_fn, params=params, tx=make_optimizer(_spec(trial_or_spec), mask=mask), **fields)


def _to_float(metrics: Mapping[str, Any]) -> dict[str, float]:
    return {k: float(jax.device_get(v)) for k, v in metrics.items()}


def train_loop(
    trial: Trial,
    state: TrainState,
    train_step: Callable[[TrainState, Any], tuple[TrainState, Mapping[str, Any]]],
    batches: Iterable[Any] | Callable[[int], Any],
    evaluate: Callable[[TrainState], Mapping[str, Any]] | None = None,
    *,
    steps: int | None = None,
    histogram: Callable[[TrainState, Any], Any] | None = None,
    histogram_steps: int = 100,
) -> tuple[TrainState, dict[str, float]]:
    """Runs ``train_step`` from ``state.step + 1`` to ``steps`` (default ``trial.step_budget``); every
    :func:`~nadir_worker.integrations.report_interval` steps and after the last step it reports the last
    step's training metrics, ``evaluate(state)`` and ``train/learning_rate``, then honours
    ``trial.should_stop()``. Completes the trial with the final metrics (unless the coordinator stopped
    it) and returns ``(state, final metrics)``.

    ``histogram(state, batch) -> grads``, when given, is called before each of the first
    ``histogram_steps`` updates (every ``histogram_every_steps`` of the assignment, 1 when unset) and
    its gradients go to :meth:`Trial.histogram_hook` (the Adam-epsilon seed of ``@nadir/analysis``)."""
    total = trial.step_budget if steps is None else steps
    every = report_interval(trial)
    schedule = make_schedule(trial.optimizer) if trial.optimizer is not None else None
    hook = trial.histogram_hook(first_steps=histogram_steps) if histogram is not None and histogram_steps > 0 else None
    next_batch = batches if callable(batches) else iter(batches).__next__
    step = int(jax.device_get(state.step))
    final: dict[str, float] = {}
    train_metrics: Mapping[str, Any] = {}
    while step < total:
        batch = next_batch(step) if callable(batches) else next_batch()
        if hook is not None and hook.wants(step + 1):
            hook(step + 1, histogram(state, batch))
        state, train_metrics = train_step(state, batch)
        step += 1
        if step % every == 0 or step == total:
            final = _to_float(train_metrics)
            if evaluate is not None:
                final.update(_to_float(evaluate(state)))
            if schedule is not None:
                final[LEARNING_RATE_METRIC] = float(schedule(step - 1))
            trial.report(step, **final)
            if trial.should_stop():
                break
    finish(trial, final, step=step)
    return state, final


__all__ = ["LEARNING_RATE_METRIC", "create_train_state", "train_loop"]
