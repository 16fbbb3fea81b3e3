"""The asymptotic-law stopper from Python: ``should_continue`` over the real ``nadir analyze
--should-continue``, the Optuna callback on a real Optuna study and the Ray Tune stopper on a real local Ray.

The objective is a noiseless convex quadratic, f(x, y) = x^2 + y^2 on [-1, 1]^2 (best reachable score 0,
effective dimension 2): random search on it is exactly in the asymptotic regime, so the stopper must stop,
and the bound it reports must cover the true gain of more trials (checked here in closed form).
"""

from __future__ import annotations

import math
import random

import optuna
import pytest

from _e2e import CLI
from nadir_worker.adapters.stopping import AdviceError, OptunaStopCallback, should_continue

NADIR = ["node", str(CLI)]


def quadratic_scores(n: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(-1, 1) ** 2 + rng.uniform(-1, 1) ** 2 for _ in range(n)]


def true_gain_bound(best: float, k: int, q: float) -> float:
    """For f = x^2 + y^2 on [-1, 1]^2, F(y) = pi*y/4 for y <= 1; the gain k more draws beat with
    probability <= 1 - q is best - F^-1(1 - q^(1/k)), floored at 0."""
    p = 1 - q ** (1 / k)
    return max(0.0, best - 4 * p / math.pi)


def test_should_continue_matches_the_cli_and_covers_the_true_gain() -> None:
    ys = quadratic_scores(400, 3)
    advice = should_continue(ys, direction="minimize", threshold=0.5, gain=0.05, in_trials=50, lower=0.0,
                             nadir=NADIR)
    assert advice.n == 400
    assert advice.best_observed == min(ys)
    assert advice.stop is True and advice.reason == "gain-below-threshold", advice.message
    assert advice.gain_bound is not None
    assert advice.gain_bound >= true_gain_bound(min(ys), 50, 0.8) - 1e-12
    assert advice.gain_bound <= 0.05
    # Too few trials: continue, with the reason.
    few = should_continue(ys[:10], direction="minimize", threshold=0.5, gain=0.05, in_trials=50, nadir=NADIR)
    assert (few.stop, few.reason) == (False, "too-few-trials")


def test_should_continue_rejects_bad_input_before_calling_the_cli() -> None:
    with pytest.raises(ValueError, match="finite"):
        should_continue([0.1, float("nan")], direction="minimize", threshold=0.5, gain=0.1, in_trials=5)
    with pytest.raises(ValueError, match="in_trials"):
        should_continue([0.1], direction="minimize", threshold=0.5, gain=0.1, in_trials=0)
    with pytest.raises(ValueError, match="direction"):
        should_continue([0.1], direction="down", threshold=0.5, gain=0.1, in_trials=5)
    with pytest.raises(AdviceError, match="cannot run"):
        should_continue([0.1] * 20, direction="minimize", threshold=0.5, gain=0.1, in_trials=5,
                        nadir="/nonexistent/nadir")


def test_optuna_callback_stops_a_random_search_study() -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.RandomSampler(seed=5))

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        y = trial.suggest_float("y", -1, 1)
        if trial.number % 7 == 6:  # pruned trials are censored: never in the sample
            raise optuna.TrialPruned()
        return x * x + y * y

    cb = OptunaStopCallback(threshold=0.5, gain=0.05, in_trials=20, lower=0.0, min_trials=32, every=32,
                            nadir=NADIR)
    study.optimize(objective, n_trials=2000, callbacks=[cb])
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(study.trials) < 2000, "the callback never stopped the study"
    last = cb.decisions[-1]
    assert last.stop and last.reason == "gain-below-threshold"
    assert last.n == len(complete)  # pruned trials were left out
    assert all(not d.stop for d in cb.decisions[:-1])
    assert study.user_attrs["nadir_stopper"]["reason"] == "gain-below-threshold"
    assert last.gain_bound is not None and last.gain_bound >= true_gain_bound(last.best_observed, 20, 0.8) - 1e-12


def test_optuna_callback_refuses_a_tpe_study() -> None:
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
    cb = OptunaStopCallback(threshold=0.5, gain=0.05, in_trials=20, nadir=NADIR)
    with pytest.raises(ValueError, match="needs i.i.d. draws"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1, callbacks=[cb])


def test_ray_stopper_ends_the_experiment(local_ray: None, tmp_path) -> None:
    from ray import tune

    from nadir_worker.adapters.ray_stopping import AsymptoticStopper

    def trainable(config: dict) -> None:
        for step in range(1, 3):
            tune.report({"loss": config["x"] ** 2 + config["y"] ** 2 + (2 - step) * 0.1})

    # lower=0 caps the bound at the best observed score (a few hundredths after 32 draws), so a gain of 0.2
    # stops at the first check whose fit the analysis accepts; trials run one or two at a time.
    stopper = AsymptoticStopper(metric="loss", mode="min", threshold=0.5, gain=0.2, in_trials=20, lower=0.0,
                                min_trials=32, every=8, full_budget=2, nadir=NADIR)
    tuner = tune.Tuner(
        trainable,
        param_space={"x": tune.uniform(-1, 1), "y": tune.uniform(-1, 1)},
        tune_config=tune.TuneConfig(num_samples=96, max_concurrent_trials=2),
        run_config=tune.RunConfig(stop=stopper, callbacks=[stopper], storage_path=str(tmp_path / "ray"), verbose=0),
    )
    grid = tuner.fit()
    assert stopper.decisions and stopper.decisions[-1].stop, [d.message for d in stopper.decisions]
    assert len(grid) < 96
    assert stopper.censored == 0
    assert stopper.decisions[-1].n >= 32
