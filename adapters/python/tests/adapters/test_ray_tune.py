"""Ray Tune adapter on a real local Ray instance: ListSearcher serves the list then defers (metric/mode in
the searcher or in TuneConfig), the list's NAdamW variant reaches every trial, list and non-list trials
carry the same parameter names, ListPointScheduler keeps ASHA off the list points, and the callback
streams every trial (completed, stopped by ASHA, errored) in Nadir's record format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ray import tune
from ray.tune.schedulers import ASHAScheduler
from ray.tune.search import ConcurrencyLimiter, Searcher
from ray.tune.search.optuna import OptunaSearch

from nadir_worker.adapters import LIST_ATTRS_KEY, load_list, optimizer_spec_from_point
from nadir_worker.adapters.ray_tune import ListPointScheduler, ListSearcher, NadirTuneCallback

POINTS = [
    {"lr": 0.001, "wd": 0.1},
    {"lr": 0.01, "wd": 0.0},
    {"lr": 0.1, "wd": 0.3, "warmup_steps": 7},  # warmup_steps is not in the space: a list attribute
]


# ``local_ray`` (conftest.py): one Ray instance for the session, whose workers can import this module.


def trainable(config: dict) -> None:
    # Deterministic "training": a loss curve whose level depends on the config.
    if config["lr"] > 0.5:
        raise RuntimeError("diverged")
    extras = config.get(LIST_ATTRS_KEY, {}).get("extras", {})
    # What a trainer builds: the list's variant (the protocol default, algoperf, for a list without one).
    spec = optimizer_spec_from_point({"learning_rate": config["lr"], "beta1": 0.9, "beta2": 0.99, "warmup_steps": 0,
                                      **config}, 4)
    for step in range(1, 5):
        tune.report({"loss": (config["lr"] - 0.01) ** 2 + config["wd"] + 1.0 / step,
                     "seen_warmup": extras.get("warmup_steps", -1), "variant": spec.nadamw.variant.value,
                     "keys": ",".join(sorted(k for k in config if k != LIST_ATTRS_KEY))})


class FixedSearcher(Searcher):
    """Proposes the given configs in order (deterministic non-list trials), then finishes."""

    def __init__(self, configs: list[dict]) -> None:
        super().__init__()
        self._configs = list(configs)

    def set_search_properties(self, metric, mode, config, **spec) -> bool:
        self.seen = (metric, mode)
        return True

    def suggest(self, trial_id: str) -> dict | None:
        return dict(self._configs.pop(0)) if self._configs else Searcher.FINISHED

    def on_trial_complete(self, trial_id: str, result=None, error: bool = False) -> None:
        pass


def _run(tmp_path: Path, searcher, num_samples: int, scheduler=None, metric: str | None = "loss",
         mode: str | None = "min") -> tuple[list[dict], object]:
    out = tmp_path / "trials.jsonl"
    cb = NadirTuneCallback(out, metric="loss", study="t", budget=4)
    tuner = tune.Tuner(
        trainable,
        param_space={"lr": tune.loguniform(1e-4, 1.0), "wd": tune.uniform(0.0, 0.5)},
        tune_config=tune.TuneConfig(metric=metric, mode=mode, search_alg=searcher, num_samples=num_samples,
                                    scheduler=scheduler, max_concurrent_trials=1),
        run_config=tune.RunConfig(callbacks=[cb], storage_path=str(tmp_path / "ray"), verbose=0),
    )
    grid = tuner.fit()
    return [json.loads(line) for line in out.read_text().splitlines()], grid


def test_list_first_then_wrapped_searcher(local_ray: None, tmp_path: Path) -> None:
    wrapped = OptunaSearch(seed=0)
    searcher = ListSearcher(load_list(POINTS), wrapped)
    records, grid = _run(tmp_path, searcher, num_samples=6)
    assert len(records) == 6
    by_trial = sorted(records, key=lambda r: r["trial"])
    for k, p in enumerate(POINTS):
        r = by_trial[k]
        assert r["list_index"] == k
        assert r["params"]["lr"] == p["lr"] and r["params"]["wd"] == p["wd"]
        assert r["state"] == "COMPLETED"
        assert [s for s, _ in r["intermediate"]] == [1, 2, 3, 4]
        assert r["value"] == pytest.approx((p["lr"] - 0.01) ** 2 + p["wd"] + 0.25)
    # A value outside the search space reaches the trainable as a list attribute, not as a parameter.
    assert all(set(r["params"]) == {"lr", "wd"} for r in records)
    seen = {r.metrics["config"]["lr"]: r.metrics["seen_warmup"] for r in grid}
    assert seen[POINTS[2]["lr"]] == 7
    # After the list, Optuna (the wrapped searcher) proposes new points, not list points.
    for r in by_trial[3:]:
        assert r["list_index"] is None
        assert (r["params"]["lr"], r["params"]["wd"]) not in {(p["lr"], p["wd"]) for p in POINTS}
    # The wrapped Optuna study was told about the list trials before it proposed its own.
    ostudy = wrapped._ot_study  # noqa: SLF001 - checking what the wrapped searcher learned
    told = [t.params for t in ostudy.trials[:3]]
    assert told == [{"lr": p["lr"], "wd": p["wd"]} for p in POINTS]
    assert grid.num_errors == 0


def test_list_alone_finishes_and_pads_missing_params(local_ray: None, tmp_path: Path) -> None:
    searcher = ListSearcher(load_list([{"lr": 0.002}, {"lr": 0.9}]), seed=1)
    records, grid = _run(tmp_path, searcher, num_samples=10)
    # The searcher finished after the two points although 10 samples were allowed.
    assert len(records) == 2
    ok, err = sorted(records, key=lambda r: r["trial"])
    assert ok["params"]["lr"] == 0.002 and 0.0 <= ok["params"]["wd"] <= 0.5  # wd sampled from its domain
    assert (err["state"], err["source_state"], err["value"]) == ("FAILED", "ERROR", None)
    assert ok["state"] == "COMPLETED" and len(ok["intermediate"]) == 4
    assert grid.num_errors == 1


def test_asha_stopped_trials_are_pruned(local_ray: None, tmp_path: Path) -> None:
    pts = load_list([{"lr": 0.01, "wd": 0.0}] + [{"lr": 0.3, "wd": 0.45}] * 3)
    sched = ASHAScheduler(time_attr="training_iteration", max_t=4, grace_period=1, reduction_factor=2)
    records, _ = _run(tmp_path, ConcurrencyLimiter(ListSearcher(pts), max_concurrent=1), 4, sched)
    states = {r["list_index"]: r["state"] for r in records}
    assert states[0] == "COMPLETED"
    # ASHA (reduction factor 2) stops the worse points at rung 1 or 2: PRUNED, with their short series.
    for r in records:
        assert (r["state"] == "PRUNED") == (len(r["intermediate"]) < 4), r
    assert sum(r["state"] == "PRUNED" for r in records) >= 2


@pytest.mark.parametrize("where", ["searcher", "tune_config"])
def test_metric_and_mode_in_the_searcher_or_in_tune_config(local_ray: None, tmp_path: Path, where: str) -> None:
    # A medapati-style list (variant optax) then two fixed non-list points; the scheduler keeps ASHA off
    # the list points, which are worse than the first at every rung.
    pts = load_list({"variant": "optax", "points": [{"lr": 0.01, "wd": 0.0}, {"lr": 0.3, "wd": 0.45},
                                                    {"lr": 0.4, "wd": 0.45}, {"lr": 0.35, "wd": 0.4}]})
    wrapped = FixedSearcher([{"lr": 0.5, "wd": 0.5}, {"lr": 0.45, "wd": 0.5}])
    kw = {"metric": "loss", "mode": "min"} if where == "searcher" else {}
    searcher = ListSearcher(pts, wrapped, **kw)
    sched = ListPointScheduler(ASHAScheduler(time_attr="training_iteration", max_t=4, grace_period=1,
                                             reduction_factor=2))
    if where == "searcher":
        sched = ListPointScheduler(ASHAScheduler(metric="loss", mode="min", time_attr="training_iteration",
                                                 max_t=4, grace_period=1, reduction_factor=2))
        records, grid = _run(tmp_path, searcher, 6, sched, metric=None, mode=None)
    else:
        records, grid = _run(tmp_path, searcher, 6, sched)
    assert wrapped.seen == ("loss", "min")  # the wrapped searcher got the metric/mode in effect
    assert len(records) == 6 and grid.num_errors == 0
    by_trial = sorted(records, key=lambda r: r["trial"])
    # List points run to the full budget although ASHA would stop 1-3; it still stops the others.
    assert [r["state"] for r in by_trial[:4]] == ["COMPLETED"] * 4
    assert all(len(r["intermediate"]) == 4 for r in by_trial[:4])
    assert any(r["state"] == "PRUNED" for r in by_trial[4:])
    assert sched.protected >= 1
    # Every trial of the experiment trained the list's rule, and all carry the same parameter names.
    assert {r.metrics["variant"] for r in grid} == {"optax"}
    assert {r.metrics["keys"] for r in grid if r.metrics["config"].get("nadir_list_index") is None} == {"lr,wd"}
    assert all(set(r["params"]) == {"lr", "wd"} for r in records)


def test_conflicting_metric_is_refused() -> None:
    searcher = ListSearcher(load_list(POINTS), metric="loss", mode="min")
    with pytest.raises(ValueError, match="metric='loss' but tune.TuneConfig says metric='acc'"):
        searcher.set_search_properties("acc", None, {"lr": tune.uniform(0, 1)})


def test_argument_checks() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        ListSearcher([])
    with pytest.raises(ValueError, match="mode"):
        ListSearcher(load_list(POINTS), mode="up")
    with pytest.raises(ValueError, match="metric"):
        NadirTuneCallback("x.jsonl", metric="")
    with pytest.raises(ValueError, match="budget"):
        NadirTuneCallback("x.jsonl", metric="m", budget=0)
