"""Unit tests of nadir_worker.client against a tiny pyzmq ROUTER written here (a single-module unit test:
the real coordinator is exercised in test_integration_coordinator.py)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import zmq

from nadir_worker import Worker, WorkerRefused
from nadir_worker.client import device_label
from nadir_worker.config import NadamwSpec, OptimizerSpec, ScheduleKind, ScheduleSpec, Variant
from nadir_worker.gen import common_pb2, envelope_pb2, study_pb2, trial_pb2, worker_pb2
from nadir_worker.protocol import body_of, decode_frames, encode_frames, make_envelope

SRC = Path(__file__).resolve().parents[1] / "src"


def assignment(trial_id: int, *, budget: int = 5, attempt: int = 1, target: study_pb2.Target | None = None) -> trial_pb2.TrialAssignment:
    spec = OptimizerSpec(
        nadamw=NadamwSpec(learning_rate=1e-3, beta1=0.9, beta2=0.999, weight_decay=0.1, variant=Variant.ALGOPERF),
        schedule=ScheduleSpec(kind=ScheduleKind.WARMUP_COSINE, warmup_steps=1, total_steps=budget),
    )
    a = trial_pb2.TrialAssignment(
        trial=common_pb2.TrialRef(study_id="s1", trial_id=trial_id, attempt=attempt),
        step_budget=budget,
        seed=100 + trial_id,
        optimizer=spec.to_proto(),
        lease=trial_pb2.Lease(lease_id=f"l{trial_id}", expires_unix_ms=int(time.time() * 1000) + 60_000),
    )
    a.parameters["learning_rate"].float_value = 1e-3
    a.parameters["layers"].int_value = 2
    a.parameters["act"].string_value = "relu"
    if target is not None:
        a.target.CopyFrom(target)
    return a


class FakeCoordinator:
    """A ROUTER that welcomes workers, hands out queued assignments on WorkRequest, acks every trial
    message and records everything it receives."""

    def __init__(self, port: int = 0, session: str = "sess-1", heartbeat_ms: int = 100, peer_timeout_ms: int = 600,
                 refuse: bool = False, curve_secret: bytes | None = None, reattach: bool = True) -> None:
        self.ctx = zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.ROUTER)
        self.sock.setsockopt(zmq.LINGER, 0)
        if curve_secret is not None:
            self.sock.curve_server = True
            self.sock.curve_secretkey = curve_secret
        if port:
            self.sock.bind(f"tcp://127.0.0.1:{port}")
            self.port = port
        else:
            self.port = self.sock.bind_to_random_port("tcp://127.0.0.1")
        self.endpoint = f"tcp://127.0.0.1:{self.port}"
        self.session, self.heartbeat_ms, self.peer_timeout_ms = session, heartbeat_ms, peer_timeout_ms
        self.refuse, self.reattach = refuse, reattach
        self.queue: list[trial_pb2.TrialAssignment] = []
        self.received: list[tuple[str, object, envelope_pb2.Envelope]] = []
        self.welcomed: set[bytes] = set()
        self.identity: bytes | None = None
        self.outbox: list[tuple[str, object]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.on_message: Callable[[str, object], None] | None = None
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def send(self, body: str, msg: object) -> None:
        with self.lock:
            self.outbox.append((body, msg))

    def _tx(self, ident: bytes, body: str, msg: object, corr: str = "") -> None:
        self.sock.send_multipart([ident, *encode_frames(make_envelope(body, msg, correlation_id=corr, sender_id="coordinator"))])

    def loop(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                out, self.outbox = self.outbox, []
            for body, msg in out:
                assert self.identity is not None
                self._tx(self.identity, body, msg)
            if not self.sock.poll(10):
                continue
            d = decode_frames(self.sock.recv_multipart(), identity=True)
            kind, body = body_of(d.envelope)
            ident = d.identity
            assert ident is not None
            with self.lock:
                self.received.append((kind, body, d.envelope))
            if self.on_message:
                self.on_message(kind, body)
            if kind == "hello":
                if self.refuse:
                    self._tx(ident, "refused", worker_pb2.Refused(reason=worker_pb2.REFUSAL_REASON_DRAINING, message="study over"))
                    continue
                self.welcomed.add(ident)
                self.identity = ident
                w = worker_pb2.Welcome(peer_id=body.peer_id, session_id=self.session, negotiated_minor=0,
                                       heartbeat_interval_ms=self.heartbeat_ms, peer_timeout_ms=self.peer_timeout_ms)
                if self.reattach:
                    w.reattached.extend(body.worker.running)
                self._tx(ident, "welcome", w, d.envelope.message_id)
            elif ident not in self.welcomed:
                self._tx(ident, "error", envelope_pb2.ErrorReply(code=envelope_pb2.ERROR_CODE_NOT_WELCOMED, message="say hello"), d.envelope.message_id)
            elif kind == "work_request":
                with self.lock:
                    give, self.queue = self.queue[: body.slots], self.queue[body.slots :]
                for a in give:
                    self._tx(ident, "trial_assignment", a)
            elif kind in ("trial_report", "trial_completed", "trial_failed", "trial_stopped", "gradient_histogram", "trial_rejected", "goodbye"):
                self._tx(ident, "ack", envelope_pb2.Ack(status=envelope_pb2.ACK_STATUS_ACCEPTED, trial=getattr(body, "trial", None)), d.envelope.message_id)

    def kinds(self, kind: str) -> list:
        with self.lock:
            return [b for k, b, _ in self.received if k == kind]

    def envelopes(self, kind: str) -> list[envelope_pb2.Envelope]:
        with self.lock:
            return [e for k, _, e in self.received if k == kind]

    def wait_for(self, pred: Callable[[], bool], timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if pred():
                return
            time.sleep(0.02)
        raise AssertionError(f"timed out; received: {[k for k, _, _ in self.received]}")

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close(linger=0)


@pytest.fixture
def coord():
    c = FakeCoordinator()
    yield c
    c.close()


def test_happy_path_hello_reports_completion_heartbeats(coord: FakeCoordinator) -> None:
    coord.queue = [assignment(1), assignment(2)]
    seen = []
    with Worker(coord.endpoint, peer_id="w1", handle_signals=False) as w:
        for trial in w.trials(max_trials=2):
            with trial:
                assert trial.params == {"act": "relu", "layers": 2, "learning_rate": 1e-3}
                assert trial.seed == 100 + trial.ref.trial_id and trial.step_budget == 5
                assert trial.optimizer is not None and trial.optimizer.nadamw.variant is Variant.ALGOPERF
                for step in range(1, 6):
                    trial.report(step, loss=1.0 / step)
                    time.sleep(0.03)
                trial.complete(accuracy=0.9)
            seen.append(trial.outcome)
    assert seen == ["completed", "completed"]
    hello = coord.kinds("hello")[0]
    assert hello.peer_id == "w1" and hello.role == worker_pb2.PEER_ROLE_WORKER and hello.worker.capacity == 1
    assert hello.agent.startswith("nadir-worker/") and hello.worker.framework_versions["python"]
    assert hello.labels["device"] == device_label()
    env = coord.envelopes("hello")[0]
    assert (env.version_major, env.version_minor) == (1, 0)
    reports = [r for r in coord.kinds("trial_report") if r.trial.trial_id == 1]
    assert [r.sequence for r in reports] == [1, 2, 3, 4, 5]
    assert [r.measurement.step for r in reports] == [1, 2, 3, 4, 5]
    assert reports[1].measurement.metrics["loss"] == 0.5
    done = coord.kinds("trial_completed")
    assert [d.trial.trial_id for d in done] == [1, 2]
    assert done[0].final.step == 5 and done[0].final.metrics["accuracy"] == 0.9
    assert len(coord.kinds("heartbeat")) >= 2  # 100 ms interval, ~300 ms of training
    assert coord.kinds("goodbye")[-1].reason == "done"
    assert w.stats.errors == []


def test_exception_is_reported_and_the_worker_goes_on(coord: FakeCoordinator) -> None:
    coord.queue = [assignment(1), assignment(2)]
    outcomes = []
    with Worker(coord.endpoint, handle_signals=False) as w:
        for trial in w.trials(max_trials=2):
            with trial:
                trial.report(1, loss=2.0)
                if trial.ref.trial_id == 1:
                    raise RuntimeError("boom in user code")
                trial.complete(loss=1.0)
            outcomes.append(trial.outcome)
    assert outcomes == ["failed:FAILURE_KIND_ERROR", "completed"]
    failed = coord.kinds("trial_failed")[0]
    assert failed.kind == trial_pb2.FAILURE_KIND_ERROR and failed.error_type == "RuntimeError"
    assert "boom in user code" in failed.message and 'raise RuntimeError("boom in user code")' in failed.details
    assert failed.last.metrics["loss"] == 2.0
    assert coord.kinds("trial_completed")[0].trial.trial_id == 2


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nonfinite_metric_marks_diverged(coord: FakeCoordinator, bad: float) -> None:
    coord.queue = [assignment(1, budget=10)]
    with Worker(coord.endpoint, handle_signals=False) as w:
        for trial in w.trials(max_trials=1):
            with trial:
                for step in range(1, 11):
                    trial.report(step, loss=bad if step == 4 else 1.0)
                trial.complete()
    f = coord.kinds("trial_failed")
    assert len(f) == 1 and f[0].kind == trial_pb2.FAILURE_KIND_DIVERGED
    assert f[0].divergence.step == 4 and f[0].divergence.metric == "loss"
    assert (math.isnan(f[0].divergence.value) if math.isnan(bad) else f[0].divergence.value == bad)
    assert [r.measurement.step for r in coord.kinds("trial_report")] == [1, 2, 3, 4]
    assert coord.kinds("trial_completed") == []


def test_stop_trial_pruned_and_local_target(coord: FakeCoordinator) -> None:
    target = study_pb2.Target(metric="acc", threshold=0.8, direction=common_pb2.DIRECTION_MAXIMIZE, stop_when_reached=True)
    coord.queue = [assignment(1, budget=1000), assignment(2, budget=1000, target=target)]

    def on_msg(kind: str, body: object) -> None:
        if kind == "trial_report" and body.trial.trial_id == 1 and body.measurement.step == 3:
            coord.send("stop_trial", worker_pb2.StopTrial(trial=body.trial, reason=trial_pb2.STOP_REASON_PRUNED))

    coord.on_message = on_msg
    with Worker(coord.endpoint, handle_signals=False) as w:
        for trial in w.trials(max_trials=2):
            with trial:
                for step in range(1, 1001):
                    trial.report(step, acc=step / 10)
                    time.sleep(0.01)
                    if trial.should_stop():
                        break
    stopped = coord.kinds("trial_stopped")
    assert len(stopped) == 1 and stopped[0].reason == trial_pb2.STOP_REASON_PRUNED and stopped[0].trial.trial_id == 1
    assert 3 <= stopped[0].last.step < 1000
    done = coord.kinds("trial_completed")
    assert len(done) == 1 and done[0].trial.trial_id == 2
    # acc = step/10 first reaches 0.8 at step 8; the block stops there and completes with the target.
    assert done[0].target.reached and done[0].target.step == 8 and done[0].target.value == 0.8 and done[0].final.step == 8


def test_drain_ends_trials_after_running_finishes(coord: FakeCoordinator) -> None:
    coord.queue = [assignment(1), assignment(2)]

    def on_msg(kind: str, body: object) -> None:
        if kind == "trial_report" and body.measurement.step == 2:
            coord.send("drain", worker_pb2.Drain(reason="study done"))

    coord.on_message = on_msg
    ran = []
    with Worker(coord.endpoint, handle_signals=False) as w:
        for trial in w.trials():  # no max: must end by itself
            with trial:
                for step in range(1, 6):
                    trial.report(step, loss=1.0)
                    time.sleep(0.02)
            ran.append(trial.ref.trial_id)
    assert ran == [1]
    assert [c.trial.trial_id for c in coord.kinds("trial_completed")] == [1]
    assert len(coord.kinds("goodbye")) == 1


def test_capacity_two_runs_concurrently_and_rejects_overflow(coord: FakeCoordinator) -> None:
    coord.queue = [assignment(1), assignment(2), assignment(3)]
    active, peak = [0], [0]
    lock = threading.Lock()

    def train(trial) -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        if trial.ref.trial_id == 1:
            coord.send("trial_assignment", assignment(9))  # pushed while both slots are busy
        for step in range(1, 6):
            trial.report(step, loss=1.0)
            time.sleep(0.05)
        with lock:
            active[0] -= 1
        trial.complete(loss=0.5)

    w = Worker(coord.endpoint, capacity=2, handle_signals=False)
    n = w.run(train, max_trials=3)
    assert n == 3 and peak[0] == 2
    assert sorted(c.trial.trial_id for c in coord.kinds("trial_completed")) == [1, 2, 3]
    rej = coord.kinds("trial_rejected")
    assert [r.trial.trial_id for r in rej] == [9] and rej[0].reason == "over capacity"
    assert coord.kinds("hello")[0].worker.capacity == 2


def test_refused_raises_typed_error() -> None:
    c = FakeCoordinator(refuse=True)
    try:
        with pytest.raises(WorkerRefused, match="REFUSAL_REASON_DRAINING: study over"):
            Worker(c.endpoint, handle_signals=False, connect_timeout=5).start()
    finally:
        c.close()


def test_reconnect_after_coordinator_restart_resends_and_resumes() -> None:
    c1 = FakeCoordinator(session="first")
    c1.queue = [assignment(1, budget=40)]
    port = c1.port
    c2: list[FakeCoordinator] = []
    with Worker(c1.endpoint, peer_id="w-resume", handle_signals=False) as w:
        for trial in w.trials(max_trials=1):
            with trial:
                for step in range(1, 41):
                    if step == 10:
                        c1.close()  # the coordinator process dies...
                    if step == 12:
                        c2.append(FakeCoordinator(port=port, session="second"))  # ...and comes back
                    trial.report(step, loss=1.0 / step)
                    time.sleep(0.05)
                trial.complete(loss=0.01)
        assert w.stats.welcomes == 2
    new = c2[0]
    try:
        hello = new.kinds("hello")[0]
        assert [(r.trial_id, r.attempt) for r in hello.worker.running] == [(1, 1)]  # re-attachment request
        steps = sorted({r.measurement.step for r in c1.kinds("trial_report")} | {r.measurement.step for r in new.kinds("trial_report")})
        assert steps == list(range(1, 41))  # nothing lost across the restart
        assert new.kinds("trial_completed")[0].final.metrics["loss"] == 0.01
    finally:
        new.close()


def test_curve_encryption() -> None:
    server_public, server_secret = zmq.curve_keypair()
    c = FakeCoordinator(curve_secret=server_secret)
    c.queue = [assignment(1)]
    try:
        with Worker(c.endpoint, server_key=server_public, handle_signals=False) as w:
            for trial in w.trials(max_trials=1):
                with trial:
                    trial.report(1, loss=1.0)
                    trial.complete(loss=0.5)
        assert len(c.kinds("trial_completed")) == 1
        # Without the key the (CURVE-only) coordinator never welcomes.
        with pytest.raises(Exception, match="no Welcome"):
            Worker(c.endpoint, handle_signals=False, connect_timeout=1.0).start()
    finally:
        c.close()


SIGTERM_SCRIPT = """
import sys, time
from nadir_worker import Worker
with Worker(sys.argv[1], peer_id="sig", handle_signals=True) as w:
    for trial in w.trials():
        with trial:
            for step in range(1, 100000):
                trial.report(step, loss=1.0)
                time.sleep(0.02)
print("clean exit", flush=True)
"""


def test_sigterm_reports_preempted_and_exits_cleanly(coord: FakeCoordinator) -> None:
    coord.queue = [assignment(1, budget=100000), assignment(2)]
    env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.Popen([sys.executable, "-c", SIGTERM_SCRIPT, coord.endpoint], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        coord.wait_for(lambda: len(coord.kinds("trial_report")) >= 5, timeout=30)
        proc.send_signal(15)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "clean exit" in out
    f = coord.kinds("trial_failed")
    assert len(f) == 1 and f[0].kind == trial_pb2.FAILURE_KIND_PREEMPTED and f[0].trial.trial_id == 1
    assert coord.kinds("goodbye")[-1].reason == "preempted"
    assert coord.kinds("trial_completed") == []  # trial 2 was never started


def test_device_label_from_cuda_visible_devices(monkeypatch: pytest.MonkeyPatch, coord: FakeCoordinator) -> None:
    assert device_label({"CUDA_VISIBLE_DEVICES": "1"}) == "cuda:1"
    assert device_label({"CUDA_VISIBLE_DEVICES": " 0,2 "}) == "cuda:0,2"
    assert device_label({}) == "cpu"
    assert device_label({"CUDA_VISIBLE_DEVICES": ""}) == "cpu"
    assert device_label({"CUDA_VISIBLE_DEVICES": "-1"}) == "cpu"
    # The Hello carries it; a label the caller gives wins; no framework is imported to find it.
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3")
    w = Worker(coord.endpoint, peer_id="dev", handle_signals=False)
    assert w.labels["device"] == "cuda:3"
    assert Worker(coord.endpoint, labels={"device": "tpu:0"}, handle_signals=False).labels["device"] == "tpu:0"
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    assert Worker(coord.endpoint, handle_signals=False).labels["device"] == "cpu"
    code = "import sys, nadir_worker.client as c; c.Worker('tcp://127.0.0.1:1', handle_signals=False); print('jax' in sys.modules or 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(SRC)}, check=True)
    assert out.stdout.strip() == "False"
