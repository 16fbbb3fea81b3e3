"""OSS Vizier adapter against the real Vizier service: in-process and a DefaultVizierServer on localhost.
List points are served in list order, categorical values match by value, the list's variant and extras
travel in metadata, a restarted recorder writes nothing twice."""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path

import pytest
from vizier.service import clients
from vizier.service import pyvizier as vz
from vizier.service import servers
from vizier._src.service import constants

from nadir_worker.adapters import AdapterError, load_list, optimizer_spec_from_point
from nadir_worker.adapters.vizier import (
    ListPointOutOfRange,
    VizierRecorder,
    complete_stopped,
    export_study,
    list_attrs,
    request_list,
    trial_to_record,
)

# Vizier's in-process service defaults to a SQLite file inside its own installed package, which would
# carry studies over between runs; keep every test in memory.
clients.environment_variables.servicer_kwargs["database_url"] = constants.SQL_MEMORY_URL

POINTS = [
    {"learning_rate": 0.001, "layers": 2, "act": "relu", "epsilon": 1e-8},  # epsilon: not in the space
    {"learning_rate": 0.02, "layers": 3, "act": "tanh", "epsilon": 1e-8},
    {"learning_rate": 0.0003, "layers": 1, "act": "relu", "epsilon": 1e-8},
]


def make_study(study_id: str, algorithm: str = "QUASI_RANDOM_SEARCH") -> clients.Study:
    problem = vz.ProblemStatement()
    root = problem.search_space.root
    root.add_float_param("learning_rate", 1e-4, 1.0, scale_type=vz.ScaleType.LOG)
    root.add_int_param("layers", 1, 4)
    root.add_categorical_param("act", ["relu", "tanh"])
    problem.metric_information.append(vz.MetricInformation("acc", goal=vz.ObjectiveMetricGoal.MAXIMIZE))
    config = vz.StudyConfig.from_problem(problem)
    config.algorithm = algorithm
    return clients.Study.from_study_config(config, owner="nadir-test", study_id=study_id)


def score(params: dict) -> float:
    return 1.0 - abs(math.log10(params["learning_rate"]) + 2.5) / 10 + 0.01 * params["layers"]


def run_trials(study: clients.Study, n: int, client_id: str) -> list[int]:
    ids = []
    for _ in range(n):
        (t,) = study.suggest(count=1, client_id=client_id)
        p = dict(t.parameters)
        for step in (1, 2):
            t.add_measurement(vz.Measurement({"acc": score(p) * step / 2}, steps=step))
        t.complete(vz.Measurement({"acc": score(p)}, steps=2))
        ids.append(t.id)
    return ids


def test_list_first_then_algorithm_and_export(tmp_path: Path) -> None:
    study = make_study("inproc")
    assert request_list(study, load_list(POINTS)) == 3
    assert request_list(study, load_list(POINTS)) == 0  # same list again: nothing new
    out = tmp_path / "trials.jsonl"
    rec = VizierRecorder(study, out, metric="acc", study_name="inproc")
    served = run_trials(study, 5, "w0")
    assert len(rec.sync()) == 5 and rec.sync() == []
    records = export_study(study, "acc", study_name="inproc")
    streamed = [json.loads(line) for line in out.read_text().splitlines()]
    assert streamed == [r.to_json_dict() for r in records]
    by_id = {r.trial: r for r in records}
    # Handed out in list order (Vizier serves its REQUESTED pool last-created first).
    assert [by_id[i].list_index for i in served] == [0, 1, 2, None, None]
    for k, p in enumerate(POINTS):
        r = by_id[served[k]]
        assert (r.list_index, r.state) == (k, "COMPLETED")
        assert r.params == {"learning_rate": p["learning_rate"], "layers": p["layers"], "act": p["act"]}
        assert r.value == pytest.approx(score(p))
        assert r.intermediate == [[1, pytest.approx(score(p) / 2)], [2, pytest.approx(score(p))]]
    for r in (by_id[i] for i in served[3:]):
        assert r.list_index is None
        assert r.params not in [{k: v for k, v in p.items() if k != "epsilon"} for p in POINTS]


def test_early_stopped_and_infeasible_trials() -> None:
    study = make_study("states")
    request_list(study, load_list(POINTS[:2]))
    a, b = study.suggest(count=2, client_id="w")
    a.add_measurement(vz.Measurement({"acc": 0.3}, steps=1))
    a.stop()
    assert trial_to_record("states", a.materialize(), "acc").state == "STOPPING"
    complete_stopped(a, vz.Measurement({"acc": 0.3}, steps=1))
    b.complete(infeasible_reason="out of memory")
    pending = study.suggest(count=1, client_id="w2")[0]
    (c,) = study.suggest(count=1, client_id="w3")
    c.stop()
    c.complete(vz.Measurement({"acc": 0.2}, steps=1))  # plain complete: Vizier forgets the stop
    states = {r.trial: (r.state, r.value) for r in export_study(study, "acc")}
    assert states[c.id] == ("COMPLETED", 0.2)
    assert states[a.id] == ("PRUNED", 0.3)
    assert states[b.id] == ("INFEASIBLE", None)
    assert states[pending.id] == ("RUNNING", None)


def test_bad_points_are_rejected_before_anything_is_queued() -> None:
    study = make_study("bad")
    with pytest.raises(ListPointOutOfRange, match=r"list point 1, parameter 'learning_rate': 5.0 is outside DOUBLE"):
        request_list(study, load_list([POINTS[0], {**POINTS[1], "learning_rate": 5.0}]))
    with pytest.raises(ListPointOutOfRange, match="list point 0 has no value for parameter 'act'"):
        request_list(study, load_list([{"learning_rate": 0.01, "layers": 2}]))
    with pytest.raises(ListPointOutOfRange, match="'act': 'gelu' is outside CATEGORICAL"):
        request_list(study, load_list([{**POINTS[0], "act": "gelu"}]))
    assert list(study.trials().get()) == []


def test_localhost_server_two_clients_each_point_once() -> None:
    server = servers.DefaultVizierServer(host="localhost", database_url=constants.SQL_MEMORY_URL)
    saved = clients.environment_variables.server_endpoint
    clients.environment_variables.server_endpoint = server.endpoint
    try:
        study = make_study("served")
        request_list(study, load_list(POINTS))
        ids: dict[str, list[int]] = {}
        threads = [threading.Thread(target=lambda c=c: ids.__setitem__(c, run_trials(study, 3, c))) for c in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        records = export_study(study, "acc")
        assert len(records) == 6 and all(r.state == "COMPLETED" for r in records)
        indices = sorted(r.list_index for r in records if r.list_index is not None)
        assert indices == [0, 1, 2]
        assert sorted(ids["a"] + ids["b"]) == [r.trial for r in records]
    finally:
        clients.environment_variables.server_endpoint = saved
        server._server.stop(None)  # noqa: SLF001 - DefaultVizierServer has no public stop


# A five-point list with a categorical (Vizier strings) given as numbers, as the built-in lists write
# label_smoothing; the list names the optax rule and carries an epsilon outside the space.
LIST5 = {"variant": "optax", "points": [
    {"learning_rate": 10.0 ** -(k + 1) / 2, "layers": 1 + k % 4, "act": "relu", "label_smoothing": ls,
     "epsilon": 1e-8, "beta1": 0.9, "beta2": 0.99, "warmup_steps": k}
    for k, ls in enumerate([0, 0.1, 0.2, 0.0, 0.1])]}


def make_ls_study(study_id: str) -> clients.Study:
    problem = vz.ProblemStatement()
    root = problem.search_space.root
    root.add_float_param("learning_rate", 1e-6, 1.0, scale_type=vz.ScaleType.LOG)
    root.add_int_param("layers", 1, 4)
    root.add_categorical_param("act", ["relu", "tanh"])
    root.add_categorical_param("label_smoothing", ["0", "0.1", "0.2"])
    problem.metric_information.append(vz.MetricInformation("acc", goal=vz.ObjectiveMetricGoal.MAXIMIZE))
    config = vz.StudyConfig.from_problem(problem)
    config.algorithm = "RANDOM_SEARCH"
    return clients.Study.from_study_config(config, owner="nadir-test", study_id=study_id)


def test_a_three_trial_budget_runs_the_first_three_points_matched_by_value() -> None:
    study = make_ls_study("order")
    points = load_list(LIST5)
    assert request_list(study, points) == 5
    got = [study.suggest(count=1, client_id=f"w{k}")[0] for k in range(3)]  # three workers at once
    md = [t.materialize().metadata for t in got]
    assert [int(m.get("nadir_list_index")) for m in md] == [0, 1, 2]
    # 0 and 0.0 are the category "0"; 0.1 is "0.1".
    assert [t.parameters["label_smoothing"] for t in got] == ["0", "0.1", "0.2"]
    for k, t in enumerate(got):
        attrs = list_attrs(t)
        assert attrs["variant"] == "optax" and attrs["index"] == k
        assert attrs["extras"] == {"epsilon": 1e-8, "beta1": 0.9, "beta2": 0.99, "warmup_steps": k}
        assert set(t.parameters) == {"learning_rate", "layers", "act", "label_smoothing"}
        spec = optimizer_spec_from_point(dict(t.parameters), 10, list_attrs=attrs)
        assert spec.nadamw.variant.value == "optax" and spec.schedule.warmup_steps == k
    for t in got:
        t.complete(vz.Measurement({"acc": 0.5}))
    rest = study.suggest(count=3, client_id="w")
    assert sorted(int(t.materialize().metadata.get("nadir_list_index")) for t in rest[:2]) == [3, 4]
    # The algorithm's trial after the list trains the list's rule too.
    assert list_attrs(rest[2]) == {"variant": "optax"}


def test_categories_that_do_not_match_are_refused() -> None:
    study = make_ls_study("cat")
    with pytest.raises(ListPointOutOfRange, match=r"'label_smoothing': '0.3' is outside CATEGORICAL"):
        request_list(study, load_list([{**LIST5["points"][0], "label_smoothing": 0.3}]))
    assert list(study.trials().get()) == []


def test_recorder_restarts_without_duplicates(tmp_path: Path) -> None:
    study = make_study("restart")
    request_list(study, load_list(POINTS))
    out = tmp_path / "trials.jsonl"
    run_trials(study, 2, "w0")
    assert len(VizierRecorder(study, out, metric="acc", study_name="restart").sync()) == 2
    run_trials(study, 2, "w0")
    # A new process: the recorder reads what the file holds and writes only the two new trials.
    again = VizierRecorder(study, out, metric="acc", study_name="restart")
    assert len(again.written) == 2
    assert len(again.sync()) == 2
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["trial"] for r in rows) == sorted(t.id for t in study.trials().get())
    # A crash cut the last write short: the partial line goes and that trial is written again.
    text = out.read_text()
    out.write_text(text[: len(text) - 20])
    third = VizierRecorder(study, out, metric="acc", study_name="restart")
    assert len(third.written) == 3 and len(third.sync()) == 1
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["trial"] for r in rows) == sorted(t.id for t in study.trials().get())
    # Another study's rows in the same file do not count as this study's.
    assert VizierRecorder(study, out, metric="acc", study_name="other").written == frozenset()
    (tmp_path / "bad.jsonl").write_text("{not json\n")
    with pytest.raises(AdapterError, match="bad.jsonl:1: not a JSON line"):
        VizierRecorder(study, tmp_path / "bad.jsonl", metric="acc")

