"""OSS Vizier adapter against the real Vizier service: in-process and a DefaultVizierServer on localhost."""

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

from nadir_worker.adapters import load_list
from nadir_worker.adapters.vizier import (
    ListPointOutOfRange,
    VizierRecorder,
    complete_stopped,
    export_study,
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
    run_trials(study, 5, "w0")
    assert len(rec.sync()) == 5 and rec.sync() == []
    records = export_study(study, "acc", study_name="inproc")
    streamed = [json.loads(line) for line in out.read_text().splitlines()]
    assert streamed == [r.to_json_dict() for r in records]
    for k, p in enumerate(POINTS):
        r = records[k]
        assert (r.trial, r.list_index, r.state) == (k + 1, k, "COMPLETED")
        assert r.params == {"learning_rate": p["learning_rate"], "layers": p["layers"], "act": p["act"]}
        assert r.value == pytest.approx(score(p))
        assert r.intermediate == [[1, pytest.approx(score(p) / 2)], [2, pytest.approx(score(p))]]
    for r in records[3:]:
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
