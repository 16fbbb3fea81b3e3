"""End to end with Ray on a local Ray instance (2 CPUs, no dashboard), training the real digits MLP
(examples/ray-tune):

* Ray Tune: ListSearcher serves exactly the list ``nadir lists show --steps`` materialises, then Optuna's
  TPE; NadirTuneCallback streams the trials; the real ``nadir analyze`` report matches them.
* Nadir workers as Ray tasks: a real ``nadir serve`` runs a digits study; two Ray tasks are its workers;
  the journal (read by ``nadir export``) shows every trial completed by a Ray task, the list points
  first, and ``nadir analyze`` reads the export.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from _e2e import LIST_NAME, REPO, check_analyze, cli_list, load_example
from fixtures_coordinator import serve

STEPS = 100


@pytest.fixture(scope="module")
def example(local_ray):
    # Ray itself is the session's shared instance (conftest.py), started with the same worker PYTHONPATH
    # as the example's ray_init, so it is not started a second time here.
    return load_example("ray-tune", "ray_digits")


def test_tune_list_first_real_training_callback_and_analyze(example, tmp_path: Path) -> None:
    grid, points, trials_file = example.run_tune(tmp_path, steps=STEPS, trials=7, list_name=LIST_NAME)
    assert grid.num_errors == 0
    records = sorted((json.loads(line) for line in trials_file.read_text().splitlines()), key=lambda r: r["trial"])
    assert len(records) == 7
    raw = cli_list(STEPS)
    ref, variant = raw["configs"], raw["variant"]
    # Points 1 and 3 of the AlgoPerf list differ only in label smoothing.
    configs = {(c["learning_rate"], c["beta1"], c["label_smoothing"]): c for c in (res.config for res in grid)}
    for k, cfg in enumerate(ref):
        r = records[k]
        hp = cfg["hyperparameters"]
        assert r["list_index"] == k and r["state"] == "COMPLETED"
        for name in ("learning_rate", "beta1", "beta2", "weight_decay", "label_smoothing", "dropout_rate"):
            assert r["params"][name] == hp[name], (k, name)
        assert r["params"]["warmup_steps"] == cfg["warmup_steps"]
        # The values outside the search space reached the trainable as list attributes, with the variant.
        attrs = configs[r["params"]["learning_rate"], r["params"]["beta1"], r["params"]["label_smoothing"]]["nadir_list"]
        assert attrs["index"] == k and attrs["variant"] == variant
        assert (attrs["extras"]["epsilon"], attrs["extras"]["warmup_fraction"]) == (hp["epsilon"], hp["warmup_fraction"])
        assert attrs["extras"]["cosine_steps"] == cfg["cosine_steps"]
        # Real training: evaluations at 25, 50, 75, 100 steps; the value is the last one.
        assert [s for s, _ in r["intermediate"]] == [25, 50, 75, 100]
        assert 0 < r["value"] < 1 and r["value"] == r["intermediate"][-1][1]
    # List and non-list trials carry the same parameter names.
    assert len({frozenset(r["params"]) for r in records}) == 1
    for r in records[5:]:
        assert r["list_index"] is None and r["state"] == "COMPLETED"
        assert r["params"]["learning_rate"] not in {c["hyperparameters"]["learning_rate"] for c in ref}
    # The trials Tune itself holds agree with the streamed records.
    finals = sorted(res.metrics["validation/error_rate"] for res in grid)
    assert finals == sorted(r["value"] for r in records)
    check_analyze(trials_file, records)


def test_nadir_workers_as_ray_tasks(example, tmp_path: Path) -> None:
    study = json.loads((REPO / "examples" / "studies" / "digits-mlp.study.json").read_text())
    study.pop("$schema", None)
    study.pop("target", None)
    study.pop("earlyStopping", None)
    study.update(id="ray-digits", stepBudget=STEPS, reportEverySteps=25,
                 budget={"trials": 7, "parallelism": 2, "maxAttemptsPerTrial": 2})
    with serve(tmp_path, study, heartbeat_ms=500, peer_timeout_ms=20000) as coord:
        summaries = example.run_workers(coord.endpoint, 2, timeout=600)
        assert coord.wait(60) == 0
        rows = coord.export()
    # Both Ray tasks were Nadir workers, in separate processes, and between them trained every trial once.
    assert sorted(s["peer_id"] for s in summaries) == ["ray-worker-0", "ray-worker-1"]
    trained = sorted(t for s in summaries for t, _ in s["trials"])
    assert trained == [1, 2, 3, 4, 5, 6, 7]
    assert len(rows) == 7 and all(r["state"] == "COMPLETED" for r in rows), rows
    # The first five trials are the AlgoPerf list (search-space values; the coordinator materialises them
    # for the step budget exactly as `nadir lists show --steps` does, checked on beta1 and learning rate).
    ref = cli_list(STEPS)["configs"]
    by_id = {r["trial"]: r for r in rows}
    for k, cfg in enumerate(ref):
        r = by_id[k + 1]
        assert r["list_index"] == k
        assert r["param.learning_rate"] == cfg["hyperparameters"]["learning_rate"]
        assert math.isclose(1 - r["param.one_minus_beta1"], cfg["hyperparameters"]["beta1"], rel_tol=1e-12)
        assert r["param.warmup_factor"] == cfg["hyperparameters"]["warmup_fraction"]
    assert all(by_id[t]["list_index"] is None for t in (6, 7))
    records = [{"value": r["validation/error_rate"], "list_index": r["list_index"]} for r in rows]
    assert all(0 < r["validation/error_rate"] < 1 and r["steps"] == STEPS for r in rows)
    export_file = tmp_path / "export.jsonl"
    export_file.write_text("".join(json.dumps(r) + "\n" for r in records))
    check_analyze(export_file, records)
