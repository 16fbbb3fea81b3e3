"""nadir_worker against the real TypeScript coordinator (`nadir serve`, built packages): trials received,
reports and completions in the journal (read by `nadir export` and by our own journal parser), failure,
divergence, preemption (SIGTERM) with re-queue, capacity 2, histograms, drain/shutdown at the end, and a
CURVE key owning its peer id."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fixtures_coordinator import CLI, node_executable, serve, toy_study
from nadir_worker import Worker
from nadir_worker.client import WorkerRefused
from nadir_worker.gen import common_pb2, trial_pb2
from nadir_worker.histogram import histogram_message

SRC = Path(__file__).resolve().parents[1] / "src"


def test_trials_reports_and_completions_are_journaled(tmp_path: Path) -> None:
    study = toy_study("it-basic", trials=3, steps=20)
    received = []
    with serve(tmp_path, study) as coord:
        with Worker(coord.endpoint, peer_id="py-basic", handle_signals=False) as w:
            for trial in w.trials():  # ends when the coordinator says Shutdown after the budget
                with trial:
                    received.append(trial)
                    spec = trial.optimizer
                    assert spec is not None and spec.schedule.total_steps == trial.step_budget == 20
                    # Materialisation: beta1 = 1 - one_minus_beta1, W = floor(warmup_factor * S).
                    assert spec.nadamw.beta1 == trial.params["beta1"]
                    assert spec.schedule.warmup_steps == math.floor(trial.params["warmup_factor"] * 20)
                    for step in range(1, 21):
                        trial.report(step, loss=1.0 / step + trial.ref.trial_id)
                    trial.complete(loss=0.5 + trial.ref.trial_id)
        assert coord.wait(30) == 0
        assert any("nadir: done" in ln for ln in coord.stdout_lines)
    assert [t.ref.trial_id for t in received] == [1, 2, 3]
    assert [t.list_index for t in received] == [0, 1, 2]
    rows = coord.export("jsonl")
    assert [(r["trial"], r["state"]) for r in rows] == [(1, "COMPLETED"), (2, "COMPLETED"), (3, "COMPLETED")]
    for r, t in zip(rows, received):
        assert r["loss"] == 0.5 + t.ref.trial_id
        assert r["seed"] == t.seed
        assert r["param.learning_rate"] == t.params["learning_rate"]
        assert abs((1 - r["param.one_minus_beta1"]) - t.params["beta1"]) < 1e-15
    curves = coord.export("curves-jsonl")
    t1 = [c for c in curves if c["trial"] == 1]
    assert [c["step"] for c in t1] == list(range(1, 21))
    assert t1[3]["loss"] == 1.0 / 4 + 1
    # The journal itself (our own reader, CRC-checked): 60 reports with sequences 1..20 per attempt.
    recs = coord.journal_records()
    reports = [r.trial_report for r in recs if r.WhichOneof("entry") == "trial_report"]
    assert sorted((x.trial.trial_id, x.sequence) for x in reports) == [(i, s) for i in (1, 2, 3) for s in range(1, 21)]
    done = [r.trial_completed for r in recs if r.WhichOneof("entry") == "trial_completed"]
    assert sorted((d.trial.trial_id, d.final.metrics["loss"]) for d in done) == [(1, 1.5), (2, 2.5), (3, 3.5)]


def test_failure_divergence_and_histograms(tmp_path: Path) -> None:
    study = toy_study("it-fail", trials=3, steps=10, parallelism=1, max_attempts=1)
    with serve(tmp_path, study) as coord:
        with Worker(coord.endpoint, handle_signals=False) as w:
            for trial in w.trials():
                with trial:
                    tid = trial.ref.trial_id
                    for step in range(1, 11):
                        if step <= 2:
                            trial.report_histogram(histogram_message([1e-3, 2e-6, 0.0, 5.0], step=step, edges=[-8.0, -4.0, 0.0]))
                        if tid == 1 and step == 3:
                            raise ValueError("bad batch shape (3, 7)")
                        trial.report(step, loss=math.nan if (tid == 2 and step == 6) else 1.0)
                    trial.complete(loss=0.25)
            assert w.stats.errors == []
        assert coord.wait(30) == 0
    rows = {r["trial"]: r for r in coord.export("jsonl")}
    assert rows[1]["state"] == "FAILED" and rows[2]["state"] == "DIVERGED" and rows[3]["state"] == "COMPLETED"
    recs = coord.journal_records()
    failed = {r.trial_failed.trial.trial_id: r.trial_failed for r in recs if r.WhichOneof("entry") == "trial_failed"}
    assert failed[1].kind == trial_pb2.FAILURE_KIND_ERROR and failed[1].error_type == "ValueError"
    assert "bad batch shape (3, 7)" in failed[1].message and "Traceback" in failed[1].details
    assert failed[2].kind == trial_pb2.FAILURE_KIND_DIVERGED
    assert failed[2].divergence.step == 6 and failed[2].divergence.metric == "loss" and math.isnan(failed[2].divergence.value)
    hists = [r.gradient_histogram for r in recs if r.WhichOneof("entry") == "gradient_histogram"]
    assert len(hists) == 6  # 2 per trial
    h = hists[0]
    # |x| = 1e-3 (-3) -> bin 1, 2e-6 (-5.7) -> bin 0, 0 -> zero, 5 (0.7) -> overflow.
    assert list(h.counts) == [1, 1] and h.zero_count == 1 and h.overflow_count == 1 and h.total_count == 4


WORKER_SCRIPT = """
import sys, time
from nadir_worker import Worker
with Worker(sys.argv[1], peer_id="doomed", handle_signals=True) as w:
    for trial in w.trials():
        with trial:
            for step in range(1, trial.step_budget + 1):
                trial.report(step, loss=1.0)
                print("step", trial.ref.trial_id, step, flush=True)
                time.sleep(0.05)
            trial.complete(loss=0.5)
print("clean exit", flush=True)
"""


def test_sigterm_preempts_and_the_trial_is_requeued(tmp_path: Path) -> None:
    study = toy_study("it-preempt", trials=1, steps=200, parallelism=1)
    with serve(tmp_path, study) as coord:
        env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        proc = subprocess.Popen([sys.executable, "-c", WORKER_SCRIPT, coord.endpoint], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("step 1 5"):
                break
        proc.send_signal(15)
        rest, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert "clean exit" in rest
        # A second worker picks the trial up again as attempt 2 and finishes it.
        attempts = []
        with Worker(coord.endpoint, peer_id="rescuer", handle_signals=False) as w:
            for trial in w.trials():
                with trial:
                    attempts.append((trial.ref.trial_id, trial.ref.attempt, trial.seed))
                    for step in range(1, trial.step_budget + 1):
                        trial.report(step, loss=0.1)
                    trial.complete(loss=0.05)
        assert coord.wait(30) == 0
    # Between its TrialFailed(PREEMPTED) and its Goodbye the leaving worker may be pushed the re-queued
    # trial (the coordinator fills free slots); it rejects it, or its Goodbye preempts it: either way the
    # trial is not lost, and the rescuer runs it under a later attempt number with the same seed.
    assert len(attempts) == 1 and attempts[0][0] == 1 and attempts[0][1] >= 2
    recs = coord.journal_records()
    failed = [r.trial_failed for r in recs if r.WhichOneof("entry") == "trial_failed"]
    assert [(f.trial.attempt, f.kind) for f in failed] == [(1, trial_pb2.FAILURE_KIND_PREEMPTED)]
    assert failed[0].last.step >= 5
    assigned = [(a.assignment.trial.attempt, a.worker_id) for r in recs if r.WhichOneof("entry") == "attempt_assigned" for a in [r.attempt_assigned]]
    assert assigned[0] == (1, "doomed") and assigned[-1] == (attempts[0][1], "rescuer")
    assert all(w == "doomed" for _, w in assigned[1:-1])
    seeds = {r.trial_created.seed for r in recs if r.WhichOneof("entry") == "trial_created"}
    assert seeds == {attempts[0][2]}
    rows = coord.export("jsonl")
    assert [(r["trial"], r["attempt"]) for r in rows if r["state"] == "COMPLETED"] == [(1, attempts[0][1])]


def test_capacity_two_against_the_coordinator(tmp_path: Path) -> None:
    study = toy_study("it-cap", trials=4, steps=15, parallelism=4)
    overlap = []
    active = set()

    def train(trial) -> None:
        active.add(trial.ref.trial_id)
        overlap.append(len(active))
        for step in range(1, trial.step_budget + 1):
            trial.report(step, loss=1.0 / step)
            time.sleep(0.02)
        active.discard(trial.ref.trial_id)
        trial.complete(loss=0.1)

    with serve(tmp_path, study) as coord:
        n = Worker(coord.endpoint, capacity=2, handle_signals=False).run(train)
        assert coord.wait(30) == 0
    assert n == 4 and max(overlap) == 2
    assert sorted(r["state"] for r in coord.export("jsonl")) == ["COMPLETED"] * 4


def test_common_measurement_shape() -> None:
    # Guard: the protocol still carries metrics as a double map (the integration tests rely on NaN passing).
    m = common_pb2.Measurement(step=1)
    m.metrics["loss"] = math.nan
    assert math.isnan(common_pb2.Measurement.FromString(m.SerializeToString()).metrics["loss"])


def test_curve_key_owns_the_peer_id(tmp_path: Path) -> None:
    """With CURVE, the Hello's key proof binds the peer id to this worker's key: a second allowed key that
    claims the same id while the first works is refused (DUPLICATE_PEER_ID), and the honest worker's
    results all land."""
    keys = tmp_path / "keys"

    def gen(name: str, allow: bool) -> str:
        args = [node_executable(), str(CLI), "keys", "gen", "--dir", str(keys), "--name", name]
        out = subprocess.run([*args, "--allow"] if allow else args, capture_output=True, text=True, timeout=60, check=True)
        return out.stdout.strip()

    server = gen("server", False)
    honest_pub, other_pub = gen("honest", True), gen("other", True)

    def sec(name: str) -> str:
        return (keys / f"{name}.secret").read_text().strip()

    study = toy_study("it-curve", trials=2, steps=10)
    with serve(tmp_path, study, "--curve-keys", str(keys)) as coord:
        honest = Worker(coord.endpoint, peer_id="py-key", server_key=server, public_key=honest_pub,
                        secret_key=sec("honest"), handle_signals=False)
        refused = []
        for trial in honest.trials():
            with trial:
                if not refused:
                    other = Worker(coord.endpoint, peer_id="py-key", server_key=server, public_key=other_pub,
                                   secret_key=sec("other"), handle_signals=False, connect_timeout=10)
                    with pytest.raises(WorkerRefused) as info:
                        other.start()
                    other.close(timeout=0.1)
                    refused.append(info.value.reason)
                for step in range(1, 11):
                    trial.report(step, loss=1.0 / step)
                trial.complete(loss=0.25)
        honest.close()
        assert coord.wait(30) == 0
    assert refused == ["REFUSAL_REASON_DUPLICATE_PEER_ID"]
    rows = coord.export("jsonl")
    assert [(r["state"], r["loss"]) for r in rows] == [("COMPLETED", 0.25)] * 2
    recs = coord.journal_records()
    assert {r.attempt_assigned.worker_id for r in recs if r.WhichOneof("entry") == "attempt_assigned"} == {"py-key"}
