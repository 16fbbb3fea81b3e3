"""A Ray Tune stopper driven by the asymptotic law of random search (see
:mod:`nadir_worker.adapters.stopping` for the decision and its promise).

Ray's :class:`ray.tune.Stopper` sees every intermediate result but not when a trial ends, so the stopper is
also a :class:`ray.tune.Callback`: pass the same object as ``RunConfig(stop=s, callbacks=[s])``. Only
trials that complete normally enter the sample, with their last reported ``metric``. Trials a scheduler
(ASHA, median stopping) ended early are censored, not full-budget draws: give ``full_budget`` (the value of
``budget_key``, default ``training_iteration``, that a full run reaches) and they are left out. Use it with
random search (``tune.Tuner`` without a ``search_alg``, or a random searcher).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ray.tune import Callback, Stopper

from .stopping import StoppingAdvice, should_continue

__all__ = ["AsymptoticStopper"]


class AsymptoticStopper(Stopper, Callback):
    """Stop the whole experiment when ``in_trials`` more trials would gain at most ``gain``.

    Asks after ``min_trials`` completed trials and then every ``every`` completions. ``mode`` is ``"min"``
    or ``"max"`` like Tune's. Each decision is kept in :attr:`decisions`.
    """

    def __init__(self, *, metric: str, mode: str, threshold: float, gain: float, in_trials: int,
                 confidence: float = 0.8, lower: float | None = None, upper: float | None = None,
                 min_trials: int = 16, every: int = 8, full_budget: int | None = None,
                 budget_key: str = "training_iteration", nadir: str | Sequence[str] = "nadir") -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if not (isinstance(every, int) and every >= 1):
            raise ValueError(f"every must be an integer >= 1, got {every!r}")
        self.metric, self.mode, self.threshold, self.gain = metric, mode, threshold, gain
        self.in_trials, self.confidence, self.lower, self.upper = in_trials, confidence, lower, upper
        self.min_trials, self.every, self.nadir = min_trials, every, nadir
        self.full_budget, self.budget_key = full_budget, budget_key
        #: trials left out because a scheduler ended them before ``full_budget``
        self.censored = 0
        self.decisions: list[StoppingAdvice] = []
        self._last: dict[str, tuple[float, Any]] = {}
        self._scores: list[float] = []
        self._asked_at = 0
        self._stop = False

    # -- Stopper
    def __call__(self, trial_id: str, result: dict) -> bool:
        value = result.get(self.metric)
        if isinstance(value, (int, float)):
            self._last[trial_id] = (float(value), result.get(self.budget_key))
        return False

    def stop_all(self) -> bool:
        return self._stop

    # -- Callback
    def on_trial_complete(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
        last = self._last.pop(trial.trial_id, None)
        if last is None:
            return
        value, budget = last
        if self.full_budget is not None and not (isinstance(budget, (int, float)) and budget >= self.full_budget):
            self.censored += 1
            return
        self._scores.append(value)
        n = len(self._scores)
        if n < self.min_trials or (self._asked_at and n - self._asked_at < self.every):
            return
        self._asked_at = n
        advice = should_continue(self._scores, direction="minimize" if self.mode == "min" else "maximize",
                                 threshold=self.threshold, gain=self.gain, in_trials=self.in_trials,
                                 confidence=self.confidence, lower=self.lower, upper=self.upper,
                                 min_trials=self.min_trials, nadir=self.nadir)
        self.decisions.append(advice)
        self._stop = self._stop or advice.stop

    def on_trial_error(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
        self._last.pop(trial.trial_id, None)
