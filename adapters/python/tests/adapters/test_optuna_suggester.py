"""Optuna as the external suggester of a Nadir study, against the real coordinator (`nadir serve`): the
suggester is a ZeroMQ peer (role SUGGESTER) proposing TPE points over the protocol, the trials run on an
ordinary Nadir worker, and every finished trial is told back to Optuna from the coordinator's history."""

from __future__ import annotations

import math
import time
from pathlib import Path

import optuna
import pytest

from fixtures_coordinator import serve, toy_study
from nadir_worker import Worker
from nadir_worker.adapters.optuna import OptunaSuggestion, serve_suggester
from nadir_worker.adapters.suggester import SuggesterPeer, SuggestionError, to_parameter_value

SPACE = [
    {"name": "learning_rate", "type": "float", "min": 1e-4, "max": 1e-2, "scale": "log"},
    {"name": "one_minus_beta1", "type": "float", "min": 4e-3, "max": 0.1, "scale": "log", "transform": "one_minus", "as": "beta1"},
    {"name": "beta2", "type": "fixed", "value": 0.999},
    {"name": "weight_decay", "type": "float", "min": 5e-3, "max": 1.0, "scale": "log"},
    {"name": "warmup_factor", "type": "discrete", "values": [0.02, 0.05, 0.1]},
    {"name": "hidden_units", "type": "int", "min": 32, "max": 256, "scale": "log"},
]


def loss_of(params: dict) -> float:
    # A smooth deterministic objective with its minimum inside the space (lr = 10^-2.5, beta1 = 0.95).
    return (math.log10(params["learning_rate"]) + 2.5) ** 2 + (params["beta1"] - 0.95) ** 2 + params["weight_decay"]


def external_study(study_id: str, algorithm: str, trials: int = 8, **settings: str) -> dict:
    study = toy_study(study_id, trials=trials, steps=10, parallelism=1)
    study["searchSpace"] = {"parameters": SPACE}
    study["suggester"] = {"kind": "external", "algorithm": algorithm, "settings": settings, "seed": 7}
    return study


def test_tpe_proposes_over_the_protocol_and_learns_every_result(tmp_path: Path) -> None:
    study = external_study("ext-tpe", "optuna.TPESampler", n_startup_trials="3")
    seen = []
    with serve(tmp_path, study) as coord:
        peer = serve_suggester(coord.endpoint, peer_id="optuna-1")
        try:
            with Worker(coord.endpoint, peer_id="w-ext", handle_signals=False) as w:
                for trial in w.trials():
                    with trial:
                        # The worker sees materialised values: beta1 = 1 - one_minus_beta1, fixed beta2.
                        assert trial.params["beta2"] == 0.999 and "one_minus_beta1" not in trial.params
                        assert isinstance(trial.params["hidden_units"], int)
                        value = loss_of(trial.params)
                        trial.report(5, loss=value * 2)
                        trial.complete(loss=value)
                        seen.append((trial.ref.trial_id, value))
            assert coord.wait(60) == 0
            rows = coord.export()
        finally:
            peer.stop()
    assert peer.errors == []
    assert [t for t, _ in seen] == list(range(1, 9))
    assert len(rows) == 8 and all(r["suggester"] == "external:optuna.TPESampler" for r in rows)
    assert all(r["state"] == "COMPLETED" for r in rows)
    for r in rows:
        assert 1e-4 <= r["param.learning_rate"] <= 1e-2 and 4e-3 <= r["param.one_minus_beta1"] <= 0.1
        assert r["param.warmup_factor"] in (0.02, 0.05, 0.1) and r["param.beta2"] == 0.999
        assert 32 <= r["param.hidden_units"] <= 256 and float(r["param.hidden_units"]).is_integer()
    # The Optuna study behind the suggester: TPE with the study's settings and seed, and it was told each
    # finished trial (the 8th finishes after the last request, so the first 7) under the trial it asked.
    algo = peer.algorithm
    assert isinstance(algo, OptunaSuggestion)
    ostudy = algo.optuna_study("ext-tpe")
    assert isinstance(ostudy.sampler, optuna.samplers.TPESampler) and ostudy.sampler._n_startup_trials == 3  # noqa: SLF001
    done = [t for t in ostudy.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(ostudy.trials) == 8 and len(done) == 7
    by_id = {r["trial"]: r for r in rows}
    for k, t in enumerate(ostudy.trials[:7]):
        r = by_id[k + 1]
        assert t.params == {n: r[f"param.{n}"] for n in ("learning_rate", "one_minus_beta1", "weight_decay",
                                                          "warmup_factor", "hidden_units")}
        assert t.value == r["loss"] == dict(seen)[k + 1]
        # The coordinator's history leaves measurements out, so Optuna learns final values only.
        assert t.intermediate_values == {}


def test_restarted_suggester_rebuilds_from_history(tmp_path: Path) -> None:
    # A suggester that never asked any of the trials learns them all from the request's history.
    algo = OptunaSuggestion()
    from nadir_worker.adapters.suggester import HistoryTrial
    from nadir_worker.gen import study_pb2

    spec = study_pb2.StudySpec(study_id="s")
    p = spec.search_space.parameters.add(name="x")
    p.float_domain.min, p.float_domain.max, p.float_domain.scale = 1.0, 10.0, study_pb2.SCALE_REVERSE_LOG
    spec.suggester.external.algorithm = "optuna.RandomSampler"
    history = [HistoryTrial(1, 1, "COMPLETED", {"x": 9.0}, 0.5), HistoryTrial(2, 1, "PRUNED", {"x": 2.0}, 0.7),
               HistoryTrial(3, 1, "DIVERGED", {"x": 3.0}, None), HistoryTrial(4, 1, "RUNNING", {"x": 4.0}, None)]
    points, exhausted = algo.suggest(spec, 3, history, [(4, 1)])
    assert not exhausted and len(points) == 3 and all(1.0 <= pt["x"] <= 10.0 for pt in points)
    told = algo.optuna_study("s").trials
    # REVERSE_LOG: Optuna holds y = min + max - x on a log scale.
    assert [(t.state.name, t.params["x"], t.value) for t in told[:3]] == [
        ("COMPLETE", 2.0, 0.5), ("PRUNED", 9.0, None), ("FAIL", 8.0, None)]
    assert len(told) == 6  # the RUNNING trial is not told; the three asked ones are pending
    algo.suggest(spec, 0, history, [])
    assert len(algo.optuna_study("s").trials) == 6  # history is told once


def test_unknown_algorithm_is_answered_with_an_error(tmp_path: Path) -> None:
    study = external_study("ext-bad", "optuna.TPESampler", trials=2, n_startup_trals="3")  # misspelt setting
    with serve(tmp_path, study, exit_when_done=False) as coord:
        peer = serve_suggester(coord.endpoint, peer_id="optuna-bad")
        try:
            with Worker(coord.endpoint, peer_id="w-bad", handle_signals=False) as w:
                assert list(w.trials(idle_timeout=3.0)) == []
            deadline = time.monotonic() + 10
            while not peer.errors and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            peer.stop()
    assert peer.errors and "cannot build optuna.TPESampler" in peer.errors[0]
    assert "n_startup_trals" in peer.errors[0]


def test_argument_and_value_checks() -> None:
    with pytest.raises(ValueError, match="ZeroMQ address"):
        SuggesterPeer("localhost:5555", OptunaSuggestion())
    with pytest.raises(SuggestionError, match="not finite"):
        to_parameter_value(float("nan"))
    with pytest.raises(SuggestionError, match="not an integer"):
        to_parameter_value(2.5, integer=True)
    assert to_parameter_value(True).bool_value is True and to_parameter_value(3).int_value == 3
    from nadir_worker.gen import study_pb2

    spec = study_pb2.StudySpec(study_id="x")
    spec.suggester.external.algorithm = "optuna.Nope"
    with pytest.raises(SuggestionError, match="unknown algorithm 'optuna.Nope'"):
        OptunaSuggestion().sampler_for(spec)
