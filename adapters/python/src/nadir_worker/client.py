"""The Nadir worker client: a pyzmq DEALER that speaks protocol v1 to a coordinator's ROUTER.

One background I/O thread owns the socket (pyzmq sockets are not thread-safe). It says ``Hello``,
waits for ``Welcome``, asks for work (``WorkRequest``), sends ``Heartbeat`` every
``heartbeat_interval_ms`` listing the running attempts (which renews their leases), and resends every
unacknowledged trial message after a reconnect. User code sees :class:`Trial` objects::

    with Worker("tcp://127.0.0.1:5555") as worker:
        for trial in worker.trials():
            with trial:
                for step in range(1, trial.step_budget + 1):
                    loss = train_step(...)
                    trial.report(step, loss=loss)
                    if trial.should_stop():
                        break
                trial.complete(accuracy=acc)

Failure semantics (protocols/README.md, trial state machine):

* an exception inside ``with trial:`` -> ``TrialFailed(ERROR | OUT_OF_MEMORY)`` with the traceback; the
  exception is swallowed and the loop goes on with the next trial;
* a NaN/Inf metric in ``report``/``complete`` -> ``TrialFailed(DIVERGED)`` with the step and metric;
* SIGTERM/SIGINT (main thread) -> running trials answer ``TrialFailed(PREEMPTED)`` at their next
  ``report``/``should_stop``, the worker says ``Goodbye`` and ``trials()`` ends (a second signal raises
  ``KeyboardInterrupt`` at once);
* ``StopTrial`` -> ``should_stop()`` is True; leaving the block answers ``TrialStopped(reason)``;
* ``Drain`` -> no new trials; ``trials()`` ends when the running ones finish; ``Goodbye``.
"""

from __future__ import annotations

import logging
import math
import os
import platform
import queue
import signal
import socket as pysocket
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import zmq

from . import __version__
from .config import ConfigError, OptimizerSpec
from .gen import common_pb2, envelope_pb2, histogram_pb2, study_pb2, trial_pb2, worker_pb2
from .key_proof import hello_key_proof
from .protocol import (
    PROTOCOL_MAJOR,
    PROTOCOL_MINOR,
    ProtocolError,
    body_of,
    decode_frames,
    encode_frames,
    make_envelope,
    negotiate_version,
)

log = logging.getLogger("nadir_worker")

AGENT = f"nadir-worker/{__version__}"


class WorkerError(Exception):
    """Base class of the client's typed errors."""


class WorkerRefused(WorkerError):
    """The coordinator answered ``Refused`` (reason and message attached)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"coordinator refused this worker: {reason}: {message}")
        self.reason = reason
        self.message = message


class ConnectTimeout(WorkerError):
    """No ``Welcome`` within ``connect_timeout`` seconds."""


class TrialStateError(WorkerError):
    """A trial method was called in the wrong state (e.g. ``report`` after ``complete``)."""


class Preempted(BaseException):
    """Raised inside a trial block when the worker got SIGTERM/SIGINT; the block's exit reports
    ``TrialFailed(PREEMPTED)`` and swallows it. A BaseException so that ``except Exception`` in user
    code does not catch it."""


class Diverged(BaseException):
    """Raised by ``report`` on a NaN/Inf metric; the block's exit reports ``TrialFailed(DIVERGED)``."""

    def __init__(self, step: int, metric: str, value: float) -> None:
        super().__init__(f"metric {metric!r} is {value} at step {step}")
        self.step, self.metric, self.value = step, metric, value


def _param_value(v: common_pb2.ParameterValue) -> Any:
    kind = v.WhichOneof("kind")
    return None if kind is None else getattr(v, kind)


def _now_ms() -> int:
    return int(time.time() * 1000)


_OOM_NAMES = ("OutOfMemoryError", "ResourceExhaustedError", "XlaRuntimeError_RESOURCE_EXHAUSTED")


def _failure_kind(exc: BaseException) -> int:
    """OUT_OF_MEMORY for MemoryError, torch.cuda.OutOfMemoryError and XLA RESOURCE_EXHAUSTED; else ERROR."""
    name = type(exc).__name__
    if isinstance(exc, MemoryError) or name in _OOM_NAMES or "RESOURCE_EXHAUSTED" in str(exc)[:200]:
        return trial_pb2.FAILURE_KIND_OUT_OF_MEMORY
    return trial_pb2.FAILURE_KIND_ERROR


@dataclass
class _Outbound:
    body: str
    msg: Any
    message_id: str
    reliable: bool
    trial_key: tuple[str, int, int] | None = None
    sent_at: float = 0.0


class Trial:
    """One attempt assigned to this worker. Use it as a context manager; see the module docstring.

    Attributes: ``params`` (name -> float/int/str/bool), ``step_budget``, ``seed``, ``optimizer``
    (:class:`OptimizerSpec`, or None when the assignment has no NAdamW config), ``ref`` (study id,
    trial id, attempt), ``workload``, ``list_index``, ``replicate``, ``resume_step``, ``checkpoint_uri``,
    ``histogram_every_steps``, ``report_every_steps``, ``assignment`` (the raw protobuf message)."""

    def __init__(self, worker: Worker, assignment: trial_pb2.TrialAssignment) -> None:
        self._worker = worker
        self.assignment = assignment
        self.ref = assignment.trial
        self.key = (assignment.trial.study_id, assignment.trial.trial_id, assignment.trial.attempt)
        self.params: dict[str, Any] = {k: _param_value(v) for k, v in sorted(assignment.parameters.items())}
        self.step_budget = int(assignment.step_budget)
        self.seed = int(assignment.seed)
        self.workload = assignment.workload
        self.list_index = assignment.list_index if assignment.HasField("list_index") else None
        self.replicate = int(assignment.replicate)
        self.resume_step = int(assignment.resume_step)
        self.checkpoint_uri = assignment.checkpoint_uri
        self.histogram_every_steps = int(assignment.histogram_every_steps)
        self.report_every_steps = int(assignment.report_every_steps)
        self.optimizer: OptimizerSpec | None = (
            OptimizerSpec.from_proto(assignment.optimizer) if assignment.optimizer.WhichOneof("optimizer") else None
        )
        self.target = assignment.target if assignment.HasField("target") and assignment.target.metric else None
        self.objective = assignment.objective if assignment.HasField("objective") else None
        self._started = time.monotonic()
        self._lock = threading.Lock()
        self._sequence = 0
        self._last: common_pb2.Measurement | None = None
        self._step = 0
        self._stop_reason: int | None = None
        self._target_outcome: trial_pb2.TargetOutcome | None = None
        self._finished = False
        self.outcome: str | None = None
        """Set when the attempt ended: "completed", "stopped", "failed:<kind>"."""

    # --- state -------------------------------------------------------------------------------------
    @property
    def elapsed_seconds(self) -> float:
        """Wall-clock seconds since the trial was handed to user code."""
        return time.monotonic() - self._started

    @property
    def step(self) -> int:
        """The last reported step (0 before the first report)."""
        return self._step

    @property
    def finished(self) -> bool:
        """True once a terminal message (completed, stopped, failed) was sent."""
        return self._finished

    def should_stop(self) -> bool:
        """True when the coordinator asked to stop this attempt (pruned, target reached, cancelled, lease
        revoked), the study target was reached here with ``stop_when_reached``, or the worker is being
        preempted (in which case it raises :class:`Preempted` so that the block ends at once)."""
        if self._worker._preempting.is_set() and not self._finished:
            raise Preempted("worker received a termination signal")
        if self._stop_reason is not None:
            return True
        return self._target_outcome is not None and self.target is not None and self.target.stop_when_reached

    @property
    def stop_reason(self) -> int | None:
        """The ``StopReason`` received (or TARGET_REACHED found locally), else None."""
        return self._stop_reason

    # --- reports -----------------------------------------------------------------------------------
    def _measurement(self, step: int, metrics: Mapping[str, Any]) -> common_pb2.Measurement:
        m = common_pb2.Measurement(step=step, elapsed_seconds=self.elapsed_seconds)
        for name, value in metrics.items():
            if not isinstance(name, str) or not name:
                raise ValueError(f"metric names must be non-empty strings, got {name!r}")
            try:
                m.metrics[name] = float(value)
            except (TypeError, ValueError) as err:
                raise ValueError(f"metric {name!r} must be a number, got {value!r}") from err
        return m

    def _check_step(self, step: int) -> int:
        if isinstance(step, bool) or not isinstance(step, int):
            try:
                import numbers

                if isinstance(step, numbers.Integral):
                    step = int(step)
                else:
                    raise TypeError
            except TypeError:
                raise ValueError(f"step must be an integer, got {step!r}") from None
        if step < 0 or step > 2**53 - 1:
            raise ValueError(f"step must be in [0, 2^53 - 1], got {step}")
        if step < self._step:
            raise ValueError(f"step went backwards: {step} after {self._step}")
        return step

    def _check_target(self, m: common_pb2.Measurement) -> None:
        t = self.target
        if t is None or self._target_outcome is not None or t.metric not in m.metrics:
            return
        v = m.metrics[t.metric]
        reached = v <= t.threshold if t.direction == common_pb2.DIRECTION_MINIMIZE else v >= t.threshold
        if reached and math.isfinite(v):
            self._target_outcome = trial_pb2.TargetOutcome(reached=True, step=m.step, elapsed_seconds=m.elapsed_seconds, value=v)

    @staticmethod
    def _nonfinite(m: common_pb2.Measurement) -> tuple[str, float] | None:
        for name in sorted(m.metrics):
            if not math.isfinite(m.metrics[name]):
                return name, m.metrics[name]
        return None

    def report(self, step: int, **metrics: float) -> None:
        """Sends an intermediate measurement (``TrialReport`` with the next per-attempt sequence number).

        Raises :class:`Diverged` (after sending the report) when a metric is NaN or +/-Inf, and
        :class:`Preempted` when the worker is being terminated; the trial block turns both into the
        right ``TrialFailed``. Raises ``ValueError`` for a step that goes backwards or a non-numeric metric."""
        if self._finished:
            raise TrialStateError(f"trial {self.key} already finished ({self.outcome}); report() is not allowed")
        if not metrics:
            raise ValueError("report() needs at least one metric, e.g. report(step, loss=0.5)")
        step = self._check_step(step)
        m = self._measurement(step, metrics)
        with self._lock:
            self._sequence += 1
            seq = self._sequence
            self._step = step
            self._last = m
        self._worker._send("trial_report", trial_pb2.TrialReport(trial=self.ref, measurement=m, sequence=seq), trial_key=self.key)
        bad = self._nonfinite(m)
        if bad is not None:
            raise Diverged(step, bad[0], bad[1])
        self._check_target(m)
        if self._worker._preempting.is_set():
            raise Preempted("worker received a termination signal")

    def report_histogram(self, msg: histogram_pb2.GradientHistogram) -> None:
        """Sends a ``GradientHistogram`` for this attempt (the trial reference is filled in)."""
        if not isinstance(msg, histogram_pb2.GradientHistogram):
            raise TypeError(f"report_histogram needs a GradientHistogram, got {type(msg).__name__}")
        out = histogram_pb2.GradientHistogram()
        out.CopyFrom(msg)
        out.trial.CopyFrom(self.ref)
        self._worker._send("gradient_histogram", out, trial_key=self.key)

    def histogram_hook(self, first_steps: int | None = None, **kwargs: Any) -> Any:
        """A :class:`~nadir_worker.histogram.GradientHistogramHook` that reports to this trial, for the first
        ``first_steps`` steps (default 100) every ``histogram_every_steps`` (from the assignment; 1 if 0)."""
        from .histogram import GradientHistogramHook

        every = kwargs.pop("every", self.histogram_every_steps or 1)
        return GradientHistogramHook(self.report_histogram, first_steps=first_steps or 100, every=every, **kwargs)

    # --- terminal messages -------------------------------------------------------------------------
    def _finish(self, outcome: str) -> bool:
        with self._lock:
            if self._finished:
                return False
            self._finished = True
            self.outcome = outcome
        return True

    def complete(self, step: int | None = None, **metrics: float) -> None:
        """Sends ``TrialCompleted`` with the final metrics at ``step`` (default: ``step_budget``, or the last
        reported step when the block stopped early). A NaN/Inf final metric sends ``TrialFailed(DIVERGED)``
        instead."""
        if self._finished:
            raise TrialStateError(f"trial {self.key} already finished ({self.outcome})")
        if step is None:
            step = self._step if (self._stop_reason is not None or self._target_outcome is not None) else max(self._step, self.step_budget)
        step = self._check_step(step)
        final = self._measurement(step, metrics) if metrics else (self._last or self._measurement(step, {}))
        bad = self._nonfinite(final)
        if bad is not None:
            self._fail_diverged(Diverged(step, bad[0], bad[1]), last=final)
            return
        self._check_target(final)
        msg = trial_pb2.TrialCompleted(trial=self.ref, final=final)
        if self._target_outcome is not None:
            msg.target.CopyFrom(self._target_outcome)
        if self._finish("completed"):
            self._worker._send("trial_completed", msg, trial_key=self.key)
            self._worker._trial_done(self)

    def fail(self, message: str, *, kind: int = trial_pb2.FAILURE_KIND_ERROR, details: str = "", error_type: str = "") -> None:
        """Sends ``TrialFailed`` of ``kind`` (a ``FailureKind``), e.g. ``FAILURE_KIND_INFEASIBLE``."""
        msg = trial_pb2.TrialFailed(trial=self.ref, kind=kind, message=message[:1000], details=details[-200_000:], error_type=error_type)
        if self._last is not None:
            msg.last.CopyFrom(self._last)
        if self._finish(f"failed:{trial_pb2.FailureKind.Name(kind)}"):
            self._worker._send("trial_failed", msg, trial_key=self.key)
            self._worker._trial_done(self)

    def _fail_diverged(self, d: Diverged, last: common_pb2.Measurement | None = None) -> None:
        msg = trial_pb2.TrialFailed(
            trial=self.ref,
            kind=trial_pb2.FAILURE_KIND_DIVERGED,
            message=f"diverged: {d}",
            divergence=trial_pb2.Divergence(step=d.step, metric=d.metric, value=d.value),
            error_type="Diverged",
        )
        if (last or self._last) is not None:
            msg.last.CopyFrom(last or self._last)
        if self._finish("failed:FAILURE_KIND_DIVERGED"):
            self._worker._send("trial_failed", msg, trial_key=self.key)
            self._worker._trial_done(self)

    def _stopped(self, reason: int) -> None:
        msg = trial_pb2.TrialStopped(trial=self.ref, reason=reason)
        if self._last is not None:
            msg.last.CopyFrom(self._last)
        if self._target_outcome is not None:
            msg.target.CopyFrom(self._target_outcome)
        if self._finish("stopped"):
            self._worker._send("trial_stopped", msg, trial_key=self.key)
            self._worker._trial_done(self)

    def _on_stop(self, reason: int) -> None:
        self._stop_reason = reason or trial_pb2.STOP_REASON_CANCELLED

    def __enter__(self) -> Trial:
        self._started = time.monotonic()
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if self._finished:
            # Already answered; let an exception raised after complete() surface (except our own signals).
            return isinstance(exc, (Preempted, Diverged))
        if isinstance(exc, Diverged):
            self._fail_diverged(exc)
            return True
        if isinstance(exc, (Preempted, KeyboardInterrupt)) or (exc is None and self._worker._preempting.is_set()):
            self.fail("worker preempted (termination signal)", kind=trial_pb2.FAILURE_KIND_PREEMPTED, error_type=type(exc).__name__ if exc else "")
            return isinstance(exc, Preempted)
        if exc is not None:
            if not isinstance(exc, Exception):
                return False  # SystemExit, GeneratorExit: not a training failure
            details = "".join(traceback.format_exception(exc_type, exc, tb))
            self.fail(f"{type(exc).__name__}: {exc}", kind=_failure_kind(exc), details=details, error_type=type(exc).__name__)
            log.warning("trial %s failed: %s: %s", self.key, type(exc).__name__, exc)
            return True
        if self._stop_reason is not None and self._stop_reason != trial_pb2.STOP_REASON_TARGET_REACHED:
            self._stopped(self._stop_reason)
        else:
            self.complete()
        return False

    def __repr__(self) -> str:
        return f"Trial(study={self.key[0]!r}, id={self.key[1]}, attempt={self.key[2]}, params={self.params})"


@dataclass
class WorkerStats:
    """Counters for logs and tests."""

    hellos: int = 0
    welcomes: int = 0
    reconnects: int = 0
    assignments: int = 0
    rejected: int = 0
    acks: int = 0
    errors: list[str] = field(default_factory=list)
    resent: int = 0


def device_label(env: Mapping[str, str] | None = None) -> str:
    """The ``device`` label a worker sends in its Hello: ``"cuda:<ids>"`` with the ids of
    ``CUDA_VISIBLE_DEVICES`` as given (``nadir run --gpus`` sets one id per worker), or ``"cpu"`` when the
    variable is unset, empty or ``-1`` (CUDA's ways of hiding every GPU). Read from the environment only,
    so the SDK core imports no framework; a process that ignores the variable may still use another device.
    """
    value = (os.environ if env is None else env).get("CUDA_VISIBLE_DEVICES", "").strip()
    if value in ("", "-1"):
        return "cpu"
    return f"cuda:{value}"


class Worker:
    """A Nadir worker connected to ``endpoint`` (e.g. ``tcp://host:5555``).

    ``capacity`` attempts may run at once (hand them to threads, or use :meth:`run` with
    ``threads=True``). CURVE: pass the coordinator's Z85 public key as ``server_key``; a client key pair
    is generated unless ``public_key``/``secret_key`` are given. ``peer_id`` should stay the same across
    restarts of the same worker so the coordinator can re-attach its attempts."""

    def __init__(
        self,
        endpoint: str,
        *,
        peer_id: str | None = None,
        capacity: int = 1,
        workloads: tuple[str, ...] | list[str] = (),
        labels: Mapping[str, str] | None = None,
        server_key: str | bytes | None = None,
        public_key: str | bytes | None = None,
        secret_key: str | bytes | None = None,
        connect_timeout: float = 30.0,
        hello_retry: float = 2.0,
        handle_signals: bool = True,
        frameworks: Mapping[str, str] | None = None,
    ) -> None:
        if not isinstance(endpoint, str) or "://" not in endpoint:
            raise ValueError(f"endpoint must be a ZeroMQ address such as tcp://127.0.0.1:5555, got {endpoint!r}")
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"capacity must be a positive integer, got {capacity!r}")
        if not connect_timeout > 0 or not hello_retry > 0:
            raise ValueError("connect_timeout and hello_retry must be > 0 seconds")
        if (public_key is None) != (secret_key is None):
            raise ValueError("give both public_key and secret_key, or neither")
        if public_key is not None and server_key is None:
            raise ValueError("CURVE client keys need the coordinator's server_key")
        self.endpoint = endpoint
        self.peer_id = peer_id or f"{pysocket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.capacity = capacity
        self.workloads = list(workloads)
        self.labels = dict(labels or {})
        # Which GPU this process was given (a label the caller sets wins).
        self.labels.setdefault("device", device_label())
        self._curve = None
        if server_key is not None:
            if public_key is None:
                public_key, secret_key = zmq.curve_keypair()
            self._curve = tuple(k.encode() if isinstance(k, str) else k for k in (server_key, public_key, secret_key))
        self.connect_timeout = connect_timeout
        self.hello_retry = hello_retry
        self.handle_signals = handle_signals
        self.frameworks = dict(frameworks or {})
        self.stats = WorkerStats()

        self._ctx = zmq.Context.instance()
        self._out: queue.Queue[_Outbound] = queue.Queue()
        self._assignments: queue.Queue[Trial] = queue.Queue()
        self._running: dict[tuple[str, int, int], Trial] = {}
        self._unacked: dict[str, _Outbound] = {}
        self._lock = threading.RLock()
        self._welcomed = threading.Event()
        self._draining = threading.Event()
        self._shutdown = threading.Event()
        self._preempting = threading.Event()
        self._closed = threading.Event()
        self._refused: WorkerRefused | None = None
        self._welcome: worker_pb2.Welcome | None = None
        self.negotiated_minor: int | None = None
        self._thread: threading.Thread | None = None
        self._need_work_request = False
        self._old_handlers: dict[int, Any] = {}
        self._signals = 0
        self._force_rehello = False
        self._sent_epoch: dict[str, int] = {}

    # --- lifecycle ---------------------------------------------------------------------------------
    def __enter__(self) -> Worker:
        self.start()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        self.close()
        return isinstance(exc, Preempted)

    def start(self) -> None:
        """Starts the I/O thread and waits for ``Welcome`` (raises :class:`WorkerRefused` or
        :class:`ConnectTimeout`)."""
        if self._thread is not None:
            return
        if self.handle_signals and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                self._old_handlers[sig] = signal.signal(sig, self._on_signal)
        self._thread = threading.Thread(target=self._io_loop, name="nadir-worker-io", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + self.connect_timeout
        while not self._welcomed.is_set():
            if self._refused is not None:
                raise self._refused
            if time.monotonic() > deadline:
                self.close(timeout=0.1)
                raise ConnectTimeout(f"no Welcome from {self.endpoint} within {self.connect_timeout} s")
            self._welcomed.wait(0.05)

    def _on_signal(self, signum: int, frame: Any) -> None:
        self._signals += 1
        if self._signals > 1:
            raise KeyboardInterrupt(f"second signal {signum}: exiting now")
        log.warning("signal %d: preempting running trials and leaving", signum)
        self._preempting.set()

    def drain(self) -> None:
        """Accepts no new trials; :meth:`trials` ends once the running ones finish."""
        self._draining.set()

    @property
    def running(self) -> list[Trial]:
        """Attempts handed out and not finished."""
        with self._lock:
            return list(self._running.values())

    def close(self, timeout: float = 10.0) -> None:
        """Preempts nothing itself: waits up to ``timeout`` s for unacknowledged messages, says ``Goodbye``
        (listing attempts still running), stops the I/O thread and restores signal handlers."""
        if self._closed.is_set():
            return
        if self._thread is not None and self._welcomed.is_set():
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and (self._unacked or not self._out.empty()):
                time.sleep(0.02)
            running = [t.ref for t in self.running]
            self._send("goodbye", worker_pb2.Goodbye(reason="preempted" if self._preempting.is_set() else "done", running=running), reliable=False)
            t_end = time.monotonic() + 1.0
            while not self._out.empty() and time.monotonic() < t_end:
                time.sleep(0.01)
        self._closed.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for sig, h in self._old_handlers.items():
            signal.signal(sig, h)
        self._old_handlers.clear()

    # --- trials ------------------------------------------------------------------------------------
    def trials(self, max_trials: int | None = None, idle_timeout: float | None = None) -> Iterator[Trial]:
        """Yields assigned trials until the coordinator drains or shuts this worker down, the worker is
        preempted, ``max_trials`` were handed out, or no assignment came for ``idle_timeout`` seconds."""
        self.start()
        handed = 0
        idle_since = time.monotonic()
        while max_trials is None or handed < max_trials:
            if self._preempting.is_set() or self._shutdown.is_set():
                return
            if self._refused is not None:
                raise self._refused
            try:
                trial = self._assignments.get(timeout=0.05)
            except queue.Empty:
                if self._draining.is_set() and not self.running and self._assignments.empty():
                    return
                if idle_timeout is not None and not self.running and time.monotonic() - idle_since > idle_timeout:
                    return
                continue
            handed += 1
            yield trial
            idle_since = time.monotonic()

    def run(self, train: Callable[[Trial], Any], *, max_trials: int | None = None, idle_timeout: float | None = None) -> int:
        """Runs ``train(trial)`` inside ``with trial:`` for every trial (``capacity`` threads when capacity
        > 1); returns the number of trials run. Closes the worker at the end."""
        n = 0
        try:
            if self.capacity == 1:
                for trial in self.trials(max_trials, idle_timeout):
                    with trial:
                        train(trial)
                    n += 1
            else:
                from concurrent.futures import ThreadPoolExecutor

                def body(t: Trial) -> None:
                    try:
                        with t:
                            train(t)
                    except Preempted:
                        pass

                with ThreadPoolExecutor(self.capacity) as pool:
                    futures = []
                    for trial in self.trials(max_trials, idle_timeout):
                        futures.append(pool.submit(body, trial))
                        n += 1
                    for f in futures:
                        f.result()
        finally:
            self.close()
        return n

    # --- internals shared with Trial ---------------------------------------------------------------
    def _send(self, body: str, msg: Any, *, reliable: bool = True, trial_key: tuple[str, int, int] | None = None) -> str:
        mid = str(uuid.uuid4())
        self._out.put(_Outbound(body, msg, mid, reliable, trial_key))
        return mid

    def _trial_done(self, trial: Trial) -> None:
        with self._lock:
            self._running.pop(trial.key, None)
            self._need_work_request = True

    def _envelope(self, ob: _Outbound) -> envelope_pb2.Envelope:
        return make_envelope(ob.body, ob.msg, message_id=ob.message_id, sender_id=self.peer_id)

    def _hello(self) -> envelope_pb2.Envelope:
        info = worker_pb2.WorkerInfo(
            host=pysocket.gethostname(),
            pid=os.getpid(),
            accelerator_kind=common_pb2.ACCELERATOR_KIND_CPU,
            capacity=self.capacity,
            workloads=self.workloads,
            running=[t.ref for t in self.running],
        )
        info.framework_versions["python"] = platform.python_version()
        info.framework_versions["nadir-worker"] = __version__
        for k, v in self.frameworks.items():
            info.framework_versions[k] = v
        hello = worker_pb2.Hello(
            peer_id=self.peer_id, role=worker_pb2.PEER_ROLE_WORKER, worker=info, agent=AGENT, features=["histograms"]
        )
        for k, v in self.labels.items():
            hello.labels[k] = v
        if self._curve is not None:
            # Prove which CURVE key this worker holds: the coordinator binds the peer id to it, so no other
            # key can take the id over, and this key can re-attach its attempts from a new connection.
            server_key, public_key, secret_key = self._curve
            hello.public_key = public_key.decode()
            hello.key_proof = hello_key_proof(secret_key, server_key, self.peer_id)
        return make_envelope("hello", hello, sender_id=self.peer_id)

    def _new_socket(self) -> zmq.Socket:
        s = self._ctx.socket(zmq.DEALER)
        s.setsockopt(zmq.LINGER, 500)
        s.setsockopt(zmq.RECONNECT_IVL, 100)
        s.setsockopt(zmq.RECONNECT_IVL_MAX, 2000)
        if self._curve is not None:
            s.curve_serverkey, s.curve_publickey, s.curve_secretkey = self._curve
        s.connect(self.endpoint)
        return s

    def _io_loop(self) -> None:
        sock = self._new_socket()
        hb_interval = 1.0
        peer_timeout = 30.0
        last_hello = 0.0
        last_hb = 0.0
        last_rx = time.monotonic()
        hello_pending = True
        pending_out: list[_Outbound] = []
        try:
            while not self._closed.is_set():
                now = time.monotonic()
                if self._force_rehello:
                    self._force_rehello = False
                    hello_pending, last_hello = True, 0.0
                if hello_pending and now - last_hello > self.hello_retry:
                    if last_hello > 0:
                        # No Welcome: the coordinator may be gone or restarted; a fresh socket drops the
                        # old connection's queued messages.
                        sock.close(linger=0)
                        sock = self._new_socket()
                    sock.send_multipart(encode_frames(self._hello()))
                    self.stats.hellos += 1
                    last_hello = now
                # Outbound queue: trial messages wait while not welcomed (they are resent after Welcome).
                while True:
                    try:
                        pending_out.append(self._out.get_nowait())
                    except queue.Empty:
                        break
                if not hello_pending:
                    for ob in pending_out:
                        self._transmit(sock, ob)
                    pending_out.clear()
                    with self._lock:
                        free = self.capacity - len(self._running) - self._assignments.qsize()
                        need = self._need_work_request
                        self._need_work_request = False
                    if need and free > 0 and not self._draining.is_set() and not self._preempting.is_set():
                        self._transmit(sock, _Outbound("work_request", worker_pb2.WorkRequest(slots=free), str(uuid.uuid4()), False))
                    if now - last_hb >= hb_interval:
                        self._transmit(sock, _Outbound("heartbeat", self._heartbeat(free), str(uuid.uuid4()), False))
                        last_hb = now
                    # Unanswered reliable messages past the peer timeout: reconnect and say Hello again.
                    with self._lock:
                        oldest = min((ob.sent_at for ob in self._unacked.values()), default=None)
                    if oldest is not None and now - oldest > peer_timeout and now - last_rx > peer_timeout:
                        log.warning("no answer from %s for %.1f s: reconnecting", self.endpoint, now - last_rx)
                        self.stats.reconnects += 1
                        hello_pending, last_hello = True, 0.0
                        self._welcomed.clear()
                        sock.close(linger=0)
                        sock = self._new_socket()
                        last_rx = now
                        continue
                if sock.poll(20, zmq.POLLIN):
                    frames = sock.recv_multipart()
                    last_rx = time.monotonic()
                    try:
                        decoded = decode_frames(frames)
                    except ProtocolError as err:
                        self.stats.errors.append(f"undecodable message from coordinator: {err}")
                        continue
                    kind, body = body_of(decoded.envelope)
                    if kind == "welcome":
                        neg = negotiate_version(decoded.envelope.version_major, decoded.envelope.version_minor)
                        if not neg.ok:
                            self._refused = WorkerRefused("VERSION_MISMATCH", neg.message)
                            return
                        self._welcome = body
                        self.negotiated_minor = min(body.negotiated_minor, PROTOCOL_MINOR) if body.negotiated_minor else neg.minor
                        hb_interval = max(body.heartbeat_interval_ms, 50) / 1000 if body.heartbeat_interval_ms else 1.0
                        peer_timeout = body.peer_timeout_ms / 1000 if body.peer_timeout_ms else 30.0
                        self._on_welcome(body)
                        hello_pending = False
                        self.stats.welcomes += 1
                        self._welcomed.set()
                        # Resend what was never acknowledged (same message ids: the coordinator dedups).
                        with self._lock:
                            resend = sorted(self._unacked.values(), key=lambda o: o.sent_at)
                        for ob in resend:
                            self.stats.resent += 1
                            self._transmit(sock, ob)
                        with self._lock:
                            self._need_work_request = True
                    elif kind == "refused":
                        reason = worker_pb2.RefusalReason.Name(body.reason)
                        self._refused = WorkerRefused(reason, body.message)
                        return
                    else:
                        self._dispatch(kind, body, decoded.envelope)
        finally:
            # Flush what is queued (Goodbye, final acks) before closing.
            while True:
                try:
                    ob = self._out.get_nowait()
                except queue.Empty:
                    break
                if not hello_pending:
                    self._transmit(sock, ob)
            sock.close(linger=1000)

    def _transmit(self, sock: zmq.Socket, ob: _Outbound) -> None:
        ob.sent_at = ob.sent_at or time.monotonic()
        if ob.reliable:
            with self._lock:
                self._unacked[ob.message_id] = ob
        self._sent_epoch[ob.message_id] = self.stats.welcomes
        if len(self._sent_epoch) > 4096:
            for k in list(self._sent_epoch)[:2048]:
                del self._sent_epoch[k]
        sock.send_multipart(encode_frames(self._envelope(ob)))

    def _heartbeat(self, free: int) -> worker_pb2.Heartbeat:
        hb = worker_pb2.Heartbeat(free_slots=max(free, 0))
        for t in self.running:
            hb.running.add(trial=t.ref, step=t.step, elapsed_seconds=t.elapsed_seconds)
        return hb

    def _on_welcome(self, welcome: worker_pb2.Welcome) -> None:
        kept = {(r.study_id, r.trial_id, r.attempt) for r in welcome.reattached}
        for t in self.running:
            if t.key not in kept:
                # The coordinator did not re-attach this attempt: it was re-queued elsewhere.
                t._on_stop(trial_pb2.STOP_REASON_LEASE_REVOKED)

    def _dispatch(self, kind: str, body: Any, env: envelope_pb2.Envelope) -> None:
        if kind == "trial_assignment":
            self.stats.assignments += 1
            key = (body.trial.study_id, body.trial.trial_id, body.trial.attempt)
            with self._lock:
                dup = key in self._running
                full = len(self._running) >= self.capacity
            if dup:
                return  # a resent assignment we already run
            if full or self._draining.is_set() or self._preempting.is_set() or self._shutdown.is_set():
                self.stats.rejected += 1
                reason = "draining" if self._draining.is_set() else "over capacity" if full else "shutting down"
                self._send("trial_rejected", trial_pb2.TrialRejected(trial=body.trial, reason=reason), trial_key=key)
                return
            try:
                trial = Trial(self, body)
            except ConfigError as err:
                self._send(
                    "trial_failed",
                    trial_pb2.TrialFailed(trial=body.trial, kind=trial_pb2.FAILURE_KIND_INFEASIBLE, message=f"invalid optimizer config: {err}", error_type="ConfigError"),
                    trial_key=key,
                )
                with self._lock:
                    self._need_work_request = True
                return
            with self._lock:
                self._running[key] = trial
            self._assignments.put(trial)
        elif kind == "stop_trial":
            key = (body.trial.study_id, body.trial.trial_id, body.trial.attempt)
            with self._lock:
                t = self._running.get(key)
            if t is not None:
                t._on_stop(body.reason)
        elif kind == "drain":
            self._draining.set()
        elif kind == "shutdown":
            self._draining.set()
            for t in self.running:
                t._on_stop(trial_pb2.STOP_REASON_CANCELLED)
            self._shutdown.set()
        elif kind == "ack":
            self.stats.acks += 1
            with self._lock:
                self._unacked.pop(env.correlation_id, None)
            if body.status == 3:  # ACK_STATUS_STALE: this attempt is no longer ours
                key = (body.trial.study_id, body.trial.trial_id, body.trial.attempt)
                with self._lock:
                    t = self._running.get(key)
                if t is not None:
                    t._on_stop(trial_pb2.STOP_REASON_LEASE_REVOKED)
        elif kind == "error":
            code = envelope_pb2.ErrorCode.Name(body.code)
            self.stats.errors.append(f"{code}: {body.message}")
            log.warning("coordinator error %s: %s", code, body.message)
            if body.code == envelope_pb2.ERROR_CODE_NOT_WELCOMED:
                # The coordinator restarted or forgot us: say Hello again (keeps unacked for resending).
                # Answers to messages sent before the latest Welcome, or while a Hello is already out,
                # are echoes of the same event and must not start another handshake.
                epoch = self._sent_epoch.get(env.correlation_id)
                if self._welcomed.is_set() and (epoch is None or epoch >= self.stats.welcomes):
                    self._welcomed.clear()
                    self._force_rehello = True
            else:
                with self._lock:
                    self._unacked.pop(env.correlation_id, None)
        # Other bodies (events, suggester traffic) are not for workers: ignored.
