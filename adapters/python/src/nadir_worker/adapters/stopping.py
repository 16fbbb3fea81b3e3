"""Stop tuning when more trials are not worth it: the asymptotic-law stopper as advice, an Optuna callback
and (in :mod:`nadir_worker.adapters.ray_stopping`) a Ray Tune stopper.

The decision is Nadir's ``nadir analyze --should-continue`` (the TypeScript analysis; no statistics are
re-implemented here). Given the final scores of i.i.d. random-search trials, it fits the noisy-quadratic
tail (Lourie, He & Cho 2025, "Hyperparameter Loss Surfaces Are Simple Near their Optima") and bounds what
``in_trials`` more trials could gain: with probability at least the confidence, for every tail the
simultaneous band accepts, ``in_trials`` more trials improve the best score by at most ``gain_bound``. It
advises stopping when that bound is at most ``gain``, and continuing -- with the reason -- whenever the fit
cannot be relied on (too few trials, no fit, too few scores below the threshold, a set cut by its search
range).

Only i.i.d. draws belong in the sample: trials of a random (or quasi-random) sampler that ran to the full
budget. :class:`OptunaStopCallback` therefore counts COMPLETE trials only and refuses a study whose sampler
is not random (TPE's trials are not i.i.d. draws, so the law says nothing about them).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shlex
import subprocess
import tempfile
from collections.abc import Sequence
from typing import Any

__all__ = ["AdviceError", "StoppingAdvice", "should_continue", "OptunaStopCallback"]

#: Exit code of ``nadir analyze --should-continue`` when it advises stopping (0 means continue).
EXIT_STOP_ADVISED = 3


class AdviceError(RuntimeError):
    """``nadir analyze --should-continue`` could not give advice (bad arguments, CLI missing or failing)."""


@dataclasses.dataclass(frozen=True)
class StoppingAdvice:
    """The stopper's answer.

    Attributes:
        stop: True when more tuning is not worth it.
        reason: one of ``gain-below-threshold``, ``interval-narrow`` (stop), ``gain-above-threshold``,
            ``too-few-trials``, ``no-fit``, ``too-few-tail-points``, ``no-consistent-tail``,
            ``set-touches-edge`` (continue).
        message: one sentence for people, with the numbers.
        n: scores analysed.
        confidence: the band's (and the promise's) confidence.
        gain_bound: the most ``in_trials`` more trials gain at that confidence (``None`` without a fit).
        best_observed: the best analysed score.
        best_score_interval: ``(lower, upper)`` for the best reachable score, or ``None``.
    """

    stop: bool
    reason: str
    message: str
    n: int
    confidence: float
    gain_bound: float | None
    best_observed: float
    best_score_interval: tuple[float, float] | None


def should_continue(
    scores: Sequence[float],
    *,
    direction: str,
    threshold: float,
    gain: float,
    in_trials: int,
    confidence: float = 0.8,
    lower: float | None = None,
    upper: float | None = None,
    max_width: float | None = None,
    min_trials: int | None = None,
    nadir: str | Sequence[str] = "nadir",
    timeout: float = 300.0,
) -> StoppingAdvice:
    """Ask ``nadir analyze --should-continue`` whether ``in_trials`` more trials could gain more than ``gain``.

    ``scores`` are the final scores of i.i.d. random-search trials (non-finite values are rejected: count a
    diverged trial at the score's worst bound instead of dropping it). ``threshold`` is the asymptotic-regime
    threshold (scores beyond it are fitted). ``nadir`` is the command to run: a path, a name on PATH, or an
    argv prefix such as ``["node", "packages/cli/dist/bin.js"]``.
    """
    if direction not in ("minimize", "maximize"):
        raise ValueError(f"direction must be 'minimize' or 'maximize', got {direction!r}")
    ys = [float(y) for y in scores]
    bad = [i for i, y in enumerate(ys) if not math.isfinite(y)]
    if bad:
        raise ValueError(f"scores must be finite numbers; index {bad[0]} is {ys[bad[0]]!r}")
    if not ys:
        raise ValueError("scores is empty: nothing to decide on")
    if not (isinstance(in_trials, int) and not isinstance(in_trials, bool) and in_trials >= 1):
        raise ValueError(f"in_trials must be an integer >= 1, got {in_trials!r}")
    if not (gain > 0 and math.isfinite(gain)):
        raise ValueError(f"gain must be a number > 0, got {gain!r}")
    prefix = shlex.split(nadir) if isinstance(nadir, str) else list(nadir)
    with tempfile.TemporaryDirectory(prefix="nadir-advice-") as tmp:
        path = os.path.join(tmp, "scores.csv")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("score\n")
            fh.writelines(f"{y!r}\n" for y in ys)
        argv = [*prefix, "analyze", path, "--metric", "score", "--direction", direction,
                "--confidence", repr(confidence), "--threshold", repr(float(threshold)), "--should-continue",
                "--gain", repr(float(gain)), "--in-trials", str(in_trials), "--json"]
        for flag, value in (("--lower", lower), ("--upper", upper), ("--max-width", max_width),
                            ("--min-trials", min_trials)):
            if value is not None:
                argv += [flag, repr(value)]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise AdviceError(f"cannot run {shlex.join(argv[:2])} analyze: {exc}") from exc
    if proc.returncode not in (0, EXIT_STOP_ADVISED):
        raise AdviceError(f"nadir analyze --should-continue exited with {proc.returncode}: {proc.stderr.strip()[:500]}")
    d = json.loads(proc.stdout)
    iv = d.get("bestScoreInterval")
    bound = d.get("gainBound")
    return StoppingAdvice(
        stop=bool(d["stop"]),
        reason=str(d["reason"]),
        message=str(d["message"]),
        n=int(d["n"]),
        confidence=float(d["confidence"]),
        gain_bound=None if bound is None else float(bound),
        best_observed=float(d["bestObserved"]),
        best_score_interval=None if not iv else (float(iv["lower"]), float(iv["upper"])),
    )


class OptunaStopCallback:
    """An Optuna callback (``study.optimize(..., callbacks=[cb])``) that stops the study when ``in_trials``
    more trials would gain at most ``gain`` at the confidence (see :func:`should_continue`).

    It asks after ``min_trials`` COMPLETE trials and then every ``every`` completions; pruned, failed and
    running trials are not in the sample (a pruned trial's value is censored, not a full-budget draw). The
    study's sampler must be :class:`optuna.samplers.RandomSampler` or :class:`optuna.samplers.QMCSampler`
    (checked on the first call; ``allow_any_sampler=True`` overrides, at the caller's risk). Each decision
    is kept in :attr:`decisions` and written to the study's user attrs (``nadir_stopper``), so why the study
    ended stays with the study.
    """

    def __init__(self, *, threshold: float, gain: float, in_trials: int, confidence: float = 0.8,
                 lower: float | None = None, upper: float | None = None, min_trials: int = 16, every: int = 8,
                 nadir: str | Sequence[str] = "nadir", allow_any_sampler: bool = False) -> None:
        if not (isinstance(every, int) and every >= 1):
            raise ValueError(f"every must be an integer >= 1, got {every!r}")
        if not (isinstance(min_trials, int) and min_trials >= 1):
            raise ValueError(f"min_trials must be an integer >= 1, got {min_trials!r}")
        self.threshold, self.gain, self.in_trials, self.confidence = threshold, gain, in_trials, confidence
        self.lower, self.upper, self.min_trials, self.every = lower, upper, min_trials, every
        self.nadir, self.allow_any_sampler = nadir, allow_any_sampler
        self.decisions: list[StoppingAdvice] = []
        self._asked_at = 0

    def __call__(self, study: Any, trial: Any) -> None:
        import optuna

        if not self.allow_any_sampler and not isinstance(
            study.sampler, (optuna.samplers.RandomSampler, optuna.samplers.QMCSampler)
        ):
            raise ValueError(
                f"OptunaStopCallback needs i.i.d. draws: the study's sampler is {type(study.sampler).__name__}, "
                "not RandomSampler or QMCSampler (pass allow_any_sampler=True to override)"
            )
        done = [t for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))]
        n = len(done)
        if n < self.min_trials or (self._asked_at and n - self._asked_at < self.every):
            return
        self._asked_at = n
        direction = "minimize" if study.direction == optuna.study.StudyDirection.MINIMIZE else "maximize"
        advice = should_continue([t.value for t in done], direction=direction, threshold=self.threshold,
                                 gain=self.gain, in_trials=self.in_trials, confidence=self.confidence,
                                 lower=self.lower, upper=self.upper, min_trials=self.min_trials, nadir=self.nadir)
        self.decisions.append(advice)
        study.set_user_attr("nadir_stopper", dataclasses.asdict(advice))
        if advice.stop:
            study.stop()
