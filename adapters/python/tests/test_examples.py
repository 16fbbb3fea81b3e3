"""The example workers (examples/jax-mlp, examples/torch-mlp) as real processes under a real coordinator
(`nadir serve` from the built CLI): two workers per example, the digits study cut to 3 trials x 200 steps
(no early stopping, no target, so every trial runs its full budget). Checked from the journal, through
`nadir export`: every trial completed, error rates finite and far below chance (0.9 for 10 classes),
the first trials' hyperparameters equal @nadir/core's list points (`nadir lists show --json`), and the
learning rate each worker reports equals core's materialised schedule."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures_coordinator import REPO_ROOT, serve
from nadir_worker.config import ScheduleKind, ScheduleSpec, schedule_value
from test_lists_schedule import lists_show

EXAMPLES = REPO_ROOT / "examples"
STUDY_FILE = EXAMPLES / "studies" / "digits-mlp.study.json"
# @nadir/core's name for the list the coordinator calls "algoperf-nadamw-5" (same five points).
CORE_LIST = "algoperf-v0.5-nadamw-baseline@1"
STEPS = 200
TRIALS = 3
REPORT_EVERY = 50


def small_digits_study(study_id: str) -> dict:
    """The shipped digits study with a tiny budget and neither pruning nor a stopping target."""
    study = json.loads(STUDY_FILE.read_text())
    study.pop("$schema", None)
    study.pop("earlyStopping", None)
    study.pop("target", None)
    study.update(id=study_id, stepBudget=STEPS, reportEverySteps=REPORT_EVERY)
    study["budget"] = {**study["budget"], "trials": TRIALS, "parallelism": 2}
    return study


def run_example(tmp_path: Path, example: str) -> tuple[list[dict], list[dict], list[str], object]:
    """Starts the coordinator and two workers of ``example``; returns (trials, curves, worker outputs, coord)."""
    study = small_digits_study(f"ex-{example}")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with serve(tmp_path, study) as coord:
        workers = [
            subprocess.Popen(
                [sys.executable, str(EXAMPLES / example / "worker.py"), "--endpoint", coord.endpoint, "--worker-id", f"{example}-{i}"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO_ROOT, env=env,
            )
            for i in range(2)
        ]
        outputs = []
        try:
            for w in workers:
                out, _ = w.communicate(timeout=300)
                outputs.append(out)
                assert w.returncode == 0, f"{example} worker exited {w.returncode}:\n{out}"
        finally:
            for w in workers:
                if w.poll() is None:
                    w.kill()
        assert coord.wait(60) == 0, "".join(coord.stderr_lines)
    return coord.export("jsonl"), coord.export("curves-jsonl"), outputs, coord


@pytest.mark.parametrize("example", ["jax-mlp", "torch-mlp"])
def test_example_workers_under_a_real_coordinator(tmp_path: Path, example: str) -> None:
    rows, curves, outputs, coord = run_example(tmp_path, example)
    core = lists_show(CORE_LIST, STEPS)

    # Every trial ran its full budget and learned: chance is 0.9 error on 10 balanced classes.
    assert [(r["trial"], r["state"], r["steps"]) for r in rows] == [(i, "COMPLETED", STEPS) for i in range(1, TRIALS + 1)]
    for r in rows:
        err = r["validation/error_rate"]
        assert math.isfinite(err) and err < 0.2, f"trial {r['trial']}: error rate {err} (chance 0.9)"
        assert math.isfinite(r["validation/loss"]) and math.isfinite(r["train/loss"])

    # The first trials replay core's list, point by point (the coordinator stores one_minus_beta1).
    for r, point, cfg in zip(rows, core["points"], core["configs"]):
        assert r["list_index"] == r["trial"] - 1
        assert r["param.learning_rate"] == point["learning_rate"]
        assert abs((1 - r["param.one_minus_beta1"]) - point["beta1"]) < 1e-15
        assert r["param.beta2"] == point["beta2"]
        assert r["param.weight_decay"] == point["weight_decay"]
        assert r["param.warmup_factor"] == point["warmup_fraction"]
        assert r["param.label_smoothing"] == point["label_smoothing"]
        assert r["param.dropout_rate"] == point["dropout_rate"]
        assert r["param.hidden_units"] is None  # list points leave it to the example's default

        # Learning rates as materialised: the rate of the last update before each report, against
        # core's printed lr at step S-1 and the float64 schedule with core's warmup steps elsewhere.
        mine = sorted((c for c in curves if c["trial"] == r["trial"]), key=lambda c: c["step"])
        assert [c["step"] for c in mine] == list(range(REPORT_EVERY, STEPS + 1, REPORT_EVERY))
        sched = ScheduleSpec(kind=ScheduleKind.WARMUP_COSINE, warmup_steps=cfg["warmup_steps"], total_steps=STEPS)
        printed = {p["step"]: p["lr"] for p in cfg["lr"]}
        # The JAX schedule runs in float32: within a few float32 ulps of the peak rate (the cosine's
        # 1 + cos(pi x) cancels near the end, so a relative bound alone would be too tight there).
        tol = {"rel": 1e-6, "abs": 4 * 2**-24 * point["learning_rate"]}
        for c in mine:
            ref = schedule_value(sched, point["learning_rate"], c["step"] - 1)
            assert c["train/learning_rate"] == pytest.approx(ref, **tol), (r["trial"], c["step"])
        assert mine[-1]["train/learning_rate"] == pytest.approx(printed[STEPS - 1], **tol)
        assert mine[-1]["validation/error_rate"] == r["validation/error_rate"]

    # Both workers took trials, and each printed its summary lines.
    recs = coord.journal_records()
    assigned = {x.attempt_assigned.worker_id for x in recs if x.WhichOneof("entry") == "attempt_assigned"}
    assert assigned == {f"{example}-0", f"{example}-1"}
    text = "".join(outputs)
    assert sum(f"trial {i} (list point {i - 1}): completed at step {STEPS}" in text for i in range(1, TRIALS + 1)) == TRIALS, text


def nadir_cli(*args: str) -> subprocess.CompletedProcess[str]:
    from fixtures_coordinator import CLI, node_executable, require_cli

    require_cli()
    return subprocess.run([node_executable(), str(CLI), *args], capture_output=True, text=True, timeout=60, check=False)


def test_jax_worker_over_curve_with_key_files(tmp_path: Path) -> None:
    # Keys written by `nadir keys gen`, the worker's public key on the coordinator's allow-list; the
    # worker reads all three from files (--server-key/--public-key/--secret-key).
    keys = tmp_path / "keys"
    for name in ("server", "w1"):
        assert nadir_cli("keys", "gen", "--dir", str(keys), "--name", name).returncode == 0
    assert nadir_cli("keys", "allow", str(keys / "w1.public"), "--dir", str(keys)).returncode == 0
    study = small_digits_study("ex-curve")
    study["budget"] = {**study["budget"], "trials": 1, "parallelism": 1}
    study["stepBudget"] = 50
    with serve(tmp_path, study, "--curve-keys", str(keys)) as coord:
        out = subprocess.run(
            [sys.executable, str(EXAMPLES / "jax-mlp" / "worker.py"), "--endpoint", coord.endpoint, "--worker-id", "curve-w1",
             "--server-key", str(keys / "server.public"), "--public-key", str(keys / "w1.public"), "--secret-key", str(keys / "w1.secret")],
            capture_output=True, text=True, timeout=300, cwd=REPO_ROOT, check=False,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        assert coord.wait(60) == 0
    assert "trial 1 (list point 0): completed at step 50" in out.stdout
    assert [r["state"] for r in coord.export("jsonl")] == ["COMPLETED"]


def test_worker_exit_codes_without_a_coordinator(tmp_path: Path) -> None:
    script = str(EXAMPLES / "torch-mlp" / "worker.py")
    # Nothing listens on this port: no Welcome within the timeout -> exit 4 with a message.
    out = subprocess.run([sys.executable, script, "--endpoint", "tcp://127.0.0.1:9", "--connect-timeout", "1"],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 4 and "no Welcome from tcp://127.0.0.1:9" in out.stderr, out
    # A key file that holds no Z85 key -> exit 2 before connecting.
    bad = tmp_path / "bad.public"
    bad.write_text("not a key\n")
    out = subprocess.run([sys.executable, script, "--endpoint", "tcp://127.0.0.1:9", "--server-key", str(bad)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 2 and "is not a 40-character Z85 CURVE key" in out.stderr, out


def test_jax_worker_sigterm_reports_preempted_and_exits_zero(tmp_path: Path) -> None:
    # What `nadir run` does on Ctrl-C: the worker gets SIGTERM mid-trial, answers TrialFailed(PREEMPTED)
    # at its next report (so the coordinator re-queues the trial) and exits 0.
    import signal
    import time

    from nadir_worker.gen import trial_pb2

    study = small_digits_study("ex-sigterm")
    study["budget"] = {**study["budget"], "trials": 1, "parallelism": 1}
    study["stepBudget"] = 100_000  # far longer than the test: the signal always lands mid-trial
    with serve(tmp_path, study, exit_when_done=False) as coord:
        proc = subprocess.Popen([sys.executable, str(EXAMPLES / "jax-mlp" / "worker.py"), "--endpoint", coord.endpoint, "--worker-id", "sig"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO_ROOT)
        try:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                if any(r.WhichOneof("entry") == "trial_report" for r in coord.journal_records()):
                    break
                assert proc.poll() is None, proc.communicate()[0]
                time.sleep(0.5)
            else:
                pytest.fail("the worker never reported")
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, out
        time.sleep(1.0)  # the journal append of the final messages
        recs = coord.journal_records()
    failed = [r.trial_failed for r in recs if r.WhichOneof("entry") == "trial_failed"]
    assert [(f.trial.trial_id, f.kind) for f in failed] == [(1, trial_pb2.FAILURE_KIND_PREEMPTED)]
    assert failed[0].last.step % REPORT_EVERY == 0 and failed[0].last.step >= REPORT_EVERY
    assert "done after 1 trial(s)" in out
