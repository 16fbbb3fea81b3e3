"""The deployment recipes in adapters/deploy, run for real where this machine allows it.

* Slurm: the array-job script itself, run by ``bash`` as two array tasks at once (the SLURM_* variables
  Slurm would set), against a real ``nadir serve`` with CURVE and an allow-list: every trial runs once,
  the coordinator sees the two stable worker ids, a secret key readable by others is refused.
* Kubernetes: the Job manifest parses, mounts the Secret the README creates, and its container args (with
  the Job's variables substituted) are accepted by the worker's real argument parser.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import yaml

from fixtures_coordinator import CLI, node_executable, serve, toy_study
from nadir_worker.cli import worker_argument_parser

HERE = Path(__file__).resolve().parent
DEPLOY = HERE.parents[2] / "deploy"
SBATCH = DEPLOY / "slurm" / "nadir-workers.sbatch"
TRIALS = 5


def nadir(*args: str) -> None:
    out = subprocess.run([node_executable(), str(CLI), *args], capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stderr


def make_keys(tmp: Path) -> tuple[Path, Path]:
    """Coordinator keys (with the worker on its allow-list) and the worker key directory the script reads."""
    server, worker = tmp / "server-keys", tmp / "worker-keys"
    nadir("keys", "gen", "--dir", str(server), "--name", "server")
    nadir("keys", "gen", "--dir", str(worker), "--name", "worker")
    nadir("keys", "allow", str(worker / "worker.public"), "--dir", str(server))
    (worker / "server.public").write_text((server / "server.public").read_text())
    (worker / "worker.secret").chmod(0o600)
    return server, worker


def script_env(endpoint: str, keys: Path, task: int) -> dict[str, str]:
    return {**os.environ, "NADIR_ENDPOINT": endpoint, "NADIR_KEYS": str(keys), "NADIR_PYTHON": sys.executable,
            "NADIR_WORKER_SCRIPT": str(HERE / "_deploy_worker.py"), "SLURM_ARRAY_JOB_ID": "77",
            "SLURM_ARRAY_TASK_ID": str(task), "NADIR_CONNECT_TIMEOUT": "60"}


def test_slurm_array_script_runs_workers_over_curve(tmp_path: Path) -> None:
    server_keys, worker_keys = make_keys(tmp_path)
    study = toy_study("slurm", trials=TRIALS, steps=30, parallelism=2, max_attempts=1)
    with serve(tmp_path, study, "--curve-keys", str(server_keys), heartbeat_ms=500, peer_timeout_ms=20000) as coord:
        procs = [subprocess.Popen(["bash", str(SBATCH)], env=script_env(coord.endpoint, worker_keys, k),
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for k in (0, 1)]
        outs = [p.communicate(timeout=300)[0] for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        assert coord.wait(60) == 0
        rows = coord.export()
        journal = coord.journal_records()
    assert sorted(r["trial"] for r in rows) == list(range(1, TRIALS + 1))
    assert all(r["state"] == "COMPLETED" for r in rows), rows
    completions = Counter(r.trial_completed.trial.trial_id for r in journal if r.WhichOneof("entry") == "trial_completed")
    assert completions == Counter(range(1, TRIALS + 1))
    assigned = {r.attempt_assigned.worker_id for r in journal if r.WhichOneof("entry") == "attempt_assigned"}
    assert assigned <= {"slurm-77-0", "slurm-77-1"} and assigned
    assert all("connected to" in o and "as slurm-77-" in o for o in outs), outs


def test_slurm_sigterm_reaches_the_worker_which_reports_preempted(tmp_path: Path) -> None:
    # What Slurm does on preemption or near the time limit (--signal=B:TERM): SIGTERM to the batch shell.
    import signal
    import time

    from nadir_worker.gen import trial_pb2

    server_keys, worker_keys = make_keys(tmp_path)
    study = toy_study("slurm-term", trials=1, steps=100_000, parallelism=1, max_attempts=2)
    with serve(tmp_path, study, "--curve-keys", str(server_keys), exit_when_done=False) as coord:
        env = {**script_env(coord.endpoint, worker_keys, 0), "NADIR_TEST_SLOW": "1"}
        proc = subprocess.Popen(["bash", str(SBATCH)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # until the trial is running (its first reports arrived)
                if any(r.WhichOneof("entry") == "trial_report" for r in coord.journal_records()):
                    break
                time.sleep(0.5)
            else:
                raise AssertionError("the trial never reported")
            proc.send_signal(signal.SIGTERM)
            out = proc.communicate(timeout=120)[0]
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, out
        journal = coord.journal_records()
    failed = [r.trial_failed for r in journal if r.WhichOneof("entry") == "trial_failed"]
    assert [f.kind for f in failed] == [trial_pb2.FAILURE_KIND_PREEMPTED], failed


def test_slurm_script_refuses_missing_or_exposed_keys(tmp_path: Path) -> None:
    _, worker_keys = make_keys(tmp_path)
    (worker_keys / "worker.secret").chmod(0o644)
    out = subprocess.run(["bash", str(SBATCH)], env=script_env("tcp://127.0.0.1:9", worker_keys, 0),
                         capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 2 and "worker.secret is readable by others; chmod 600 it" in out.stderr
    (worker_keys / "server.public").unlink()
    out = subprocess.run(["bash", str(SBATCH)], env=script_env("tcp://127.0.0.1:9", worker_keys, 0),
                         capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 2 and "server.public is missing or unreadable" in out.stderr
    env = script_env("tcp://127.0.0.1:9", worker_keys, 0)
    del env["NADIR_ENDPOINT"]
    out = subprocess.run(["bash", str(SBATCH)], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode != 0 and "set NADIR_ENDPOINT" in out.stderr


def test_kubernetes_job_manifest_is_consistent() -> None:
    (job,) = list(yaml.safe_load_all((DEPLOY / "k8s" / "nadir-workers.yaml").read_text()))
    assert (job["apiVersion"], job["kind"]) == ("batch/v1", "Job")
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed" and spec["template"]["spec"]["restartPolicy"] == "Never"
    pod = spec["template"]["spec"]
    (container,) = pod["containers"]
    # The Secret the README creates is the one mounted, with the three key files the args name.
    readme = (DEPLOY / "k8s" / "nadir-workers.yaml").read_text()
    created = re.search(r"kubectl create secret generic (\S+)", readme).group(1)
    (volume,) = pod["volumes"]
    assert volume["secret"]["secretName"] == created
    (mount,) = container["volumeMounts"]
    assert mount["name"] == volume["name"] and mount["readOnly"] is True
    for f in ("server.public", "worker.public", "worker.secret"):
        assert f"--from-file={f}=" in readme
    # Key files readable by the worker's group (fsGroup) and nobody else.
    assert volume["secret"]["defaultMode"] == 0o440 and pod["securityContext"]["fsGroup"] == 1000
    # Kubernetes expands $(VAR) from the container's env; then the real worker parser must accept the args.
    env = {e["name"]: e.get("value", "3") for e in container["env"]}
    args = [re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], a) for a in container["args"]]
    parsed = worker_argument_parser("k8s").parse_args(args)
    assert parsed.worker_id == "k8s-nadir-workers-3"
    assert parsed.endpoint == env["NADIR_ENDPOINT"]
    assert parsed.secret_key == f"{mount['mountPath']}/worker.secret"
    # Usage errors (2) and refusals (3) are exit codes of the worker CLI: they fail the Job at once.
    from nadir_worker import cli

    rule = spec["podFailurePolicy"]["rules"][0]
    assert rule["action"] == "FailJob" and rule["onExitCodes"]["values"] == [cli.EXIT_USAGE, cli.EXIT_REFUSED]
