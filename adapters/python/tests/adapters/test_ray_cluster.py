"""Nadir workers on a real two-node Ray cluster on one machine, against a real ``nadir serve`` over CURVE.

``ray start --head`` and a second ``ray start --address`` (one CPU each, each with its own custom
resource ``nadir_node_head`` / ``nadir_node_b``) form the cluster; a separate driver process runs
``run_nadir_workers`` with two one-CPU tasks, so Ray has to place one task on each node. Checked: the
cluster has the two nodes, the two tasks ran on different nodes, each trained at least one trial, and
every trial of the study was trained and recorded exactly once (task summaries, ``nadir export`` and the
journal's completion records agree).

Teardown stops only this test's Ray processes: each ``ray start`` runs with ``--block`` in its own
process group, and the group is terminated (``ray stop --force`` would kill every Ray instance on the
machine, including the other tests' local one). Every wait is bounded.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from fixtures_coordinator import CLI, node_executable, serve, toy_study

HERE = Path(__file__).resolve().parent
SRC = HERE.parents[1] / "src"
RAY = str(Path(sys.executable).with_name("ray"))
TRIALS = 6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    # `ray start --block` takes its node's processes down when it gets SIGTERM; the group kill is the
    # fallback for anything left (only this process group: our own node).
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@contextmanager
def two_node_cluster(tmp: Path, env: dict[str, str]) -> Iterator[str]:
    """Start a head node and a second node on this machine; yield the head's GCS address."""
    port = free_port()
    address = f"127.0.0.1:{port}"
    # Ray's Unix sockets live under its temp dir, and AF_UNIX paths stop at 107 bytes: keep it short.
    ray_tmp = tempfile.mkdtemp(prefix="nr-", dir="/tmp")
    common = ["--num-cpus=1", "--num-gpus=0", "--block"]
    head = [RAY, "start", "--head", f"--port={port}", f"--ray-client-server-port={free_port()}",
            f"--dashboard-agent-listen-port={free_port()}", f"--temp-dir={ray_tmp}", "--include-dashboard=false", "--disable-usage-stats",
            '--resources={"nadir_node_head": 1}', *common]
    second = [RAY, "start", f"--address={address}", f"--dashboard-agent-listen-port={free_port()}",
              '--resources={"nadir_node_b": 1}', *common]
    procs: list[subprocess.Popen] = []
    logs = []
    try:
        for i, argv in enumerate((head, second)):
            log = open(tmp / f"ray-node-{i}.log", "w")  # noqa: SIM115 - closed in finally
            logs.append(log)
            procs.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True))
            _wait_for_nodes(address, i + 1, env, procs, tmp)
        yield address
    finally:
        for p in reversed(procs):
            _stop(p)
        for log in logs:
            log.close()
        shutil.rmtree(ray_tmp, ignore_errors=True)


def _port_open(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=2):
            return True
    except OSError:
        return False


def _wait_for_nodes(address: str, n: int, env: dict[str, str], procs: list[subprocess.Popen], tmp: Path) -> None:
    probe = ("import ray, sys; ray.init(address=sys.argv[1], log_to_driver=False, configure_logging=False); "
             "print(sum(1 for x in ray.nodes() if x['Alive']))")
    deadline = time.monotonic() + 300
    last = ""
    while time.monotonic() < deadline:
        for i, p in enumerate(procs):
            if p.poll() is not None:
                pytest.fail(f"ray node {i} exited with {p.returncode}: {(tmp / f'ray-node-{i}.log').read_text()[-3000:]}")
        if not _port_open(address):  # the head's GCS is not listening yet
            time.sleep(2)
            continue
        try:
            out = subprocess.run([sys.executable, "-c", probe, address], capture_output=True, text=True, env=env,
                                 timeout=150, check=False)
        except subprocess.TimeoutExpired:
            continue
        if out.returncode == 0 and out.stdout.strip().splitlines()[-1:] == [str(n)]:
            return
        last = out.stdout[-500:] + out.stderr[-1500:]
        time.sleep(2)
    pytest.fail(f"the cluster at {address} did not reach {n} live nodes within 300 s: {last}")


def nadir(*args: str) -> None:
    out = subprocess.run([node_executable(), str(CLI), *args], capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stderr


def test_nadir_workers_on_two_ray_nodes_over_curve(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    nadir("keys", "gen", "--dir", str(keys), "--name", "server")
    nadir("keys", "gen", "--dir", str(keys), "--name", "w")
    nadir("keys", "allow", str(keys / "w.public"), "--dir", str(keys))
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    # The cluster's own auth token (Ray >= 2.5x enables token auth by default and otherwise shares
    # ~/.ray/auth_token with every other cluster on the machine).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(HERE)]), "NADIR_TEST_BARRIER": str(barrier),
           "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    study = toy_study("ray-cluster", trials=TRIALS, steps=30, parallelism=2, max_attempts=1)
    out_json = tmp_path / "out.json"
    with two_node_cluster(tmp_path, env) as address, \
            serve(tmp_path, study, "--curve-keys", str(keys), heartbeat_ms=500, peer_timeout_ms=30000) as coord:
        driver = subprocess.run([sys.executable, str(HERE / "_ray_cluster_driver.py"), address, coord.endpoint,
                                 str(keys), str(out_json)], capture_output=True, text=True, env=env, timeout=400,
                                check=False)
        assert driver.returncode == 0, driver.stdout[-3000:] + driver.stderr[-3000:]
        assert coord.wait(60) == 0
        rows = coord.export()
        journal = coord.journal_records()
    result = json.loads(out_json.read_text())
    nodes, summaries = result["nodes"], result["summaries"]
    # The cluster: two live nodes, told apart by their resources.
    assert sorted(nodes.values()) == [["nadir_node_b"], ["nadir_node_head"]]
    # The two tasks ran on the two different nodes, each as its own Nadir worker that trained something.
    assert sorted(s["node_id"] for s in summaries) == sorted(nodes)
    assert sorted(s["peer_id"] for s in summaries) == ["cluster-0", "cluster-1"]
    assert all(s["trials"] for s in summaries), summaries
    # Every trial trained once (one attempt each) and recorded once.
    trained = Counter(t for s in summaries for t, _ in s["trials"])
    assert trained == Counter(range(1, TRIALS + 1))
    assert sorted(r["trial"] for r in rows) == list(range(1, TRIALS + 1))
    assert all(r["state"] == "COMPLETED" and r["steps"] == 30 for r in rows), rows
    completions = Counter(r.trial_completed.trial.trial_id for r in journal if r.WhichOneof("entry") == "trial_completed")
    assert completions == Counter(range(1, TRIALS + 1)), completions
    # The workers the coordinator saw are the Ray tasks, nothing else.
    assigned = {r.attempt_assigned.worker_id for r in journal if r.WhichOneof("entry") == "attempt_assigned"}
    assert assigned == {"cluster-0", "cluster-1"}
    # Each result is the closed-form loss of the trial's own learning rate.
    for r in rows:
        assert math.isclose(r["loss"], abs(math.log10(r["param.learning_rate"]) + 3.0) + 1.0 / 30, rel_tol=1e-12)
