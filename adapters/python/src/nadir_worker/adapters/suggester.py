"""External suggesters: another framework's search algorithm proposing the points of a Nadir study.

The coordinator drives a suggester over the same ZeroMQ protocol its workers speak
(``protocols/nadir/v1/suggester.proto``): the suggester connects a DEALER, says ``Hello`` with role
``PEER_ROLE_SUGGESTER`` and the algorithms it offers, and then answers

* ``SuggestRequest{study, count, history, pending}`` with ``SuggestResponse{suggestions, exhausted}``
  (correlated by the request's message id);
* ``ObserveTrials{trials}`` (terminal results, pushed) with an ``Ack``.

Workers stay ordinary Nadir workers; they never see the suggester. A framework adapter implements
:class:`SuggestionAlgorithm` (two methods, pure Python values in and out) and runs it with
:class:`SuggesterPeer`; :mod:`nadir_worker.adapters.optuna` does so for Optuna's samplers.

Search-space values cross the boundary as plain Python values (float, int, str, bool) keyed by the
search-space parameter name (``one_minus_beta1``, not ``beta1``): the coordinator materialises them.
"""

from __future__ import annotations

import abc
import dataclasses
import logging
import math
import os
import socket as pysocket
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import zmq

from .. import __version__
from ..gen import common_pb2, envelope_pb2, study_pb2, suggester_pb2, trial_pb2, worker_pb2
from ..protocol import ProtocolError, body_of, decode_frames, encode_frames, make_envelope, negotiate_version
from ._common import AdapterError, ParamValue

__all__ = [
    "HistoryTrial",
    "SuggestionAlgorithm",
    "SuggesterPeer",
    "SuggesterRefused",
    "SuggestionError",
    "TERMINAL_STATES",
    "from_parameter_value",
    "to_parameter_value",
    "trial_from_result",
]

log = logging.getLogger("nadir_worker.suggester")

#: Nadir trial states after which an attempt never changes again (protocol TrialState names).
TERMINAL_STATES = frozenset({"COMPLETED", "PRUNED", "FAILED", "INFEASIBLE", "DIVERGED", "ABANDONED"})


class SuggesterRefused(AdapterError, RuntimeError):
    """The coordinator refused the suggester's Hello (the message says why)."""


class SuggestionError(AdapterError, ValueError):
    """The algorithm cannot serve a study (unsupported domain, bad settings); sent back as an ErrorReply."""


def from_parameter_value(v: common_pb2.ParameterValue) -> ParamValue | None:
    """A protocol ``ParameterValue`` as a Python value (None when no member is set)."""
    kind = v.WhichOneof("kind")
    return None if kind is None else getattr(v, kind)


def to_parameter_value(value: ParamValue, *, integer: bool = False) -> common_pb2.ParameterValue:
    """A Python value as a protocol ``ParameterValue``: bool, str, int (or ``integer=True``) and float
    members respectively. Non-finite floats are rejected: no search space contains them."""
    if isinstance(value, bool):
        return common_pb2.ParameterValue(bool_value=value)
    if isinstance(value, str):
        return common_pb2.ParameterValue(string_value=value)
    if isinstance(value, int) or integer:
        if float(value) != int(value):
            raise SuggestionError(f"{value!r} is not an integer")
        return common_pb2.ParameterValue(int_value=int(value))
    f = float(value)
    if not math.isfinite(f):
        raise SuggestionError(f"parameter value {f} is not finite")
    return common_pb2.ParameterValue(float_value=f)


@dataclasses.dataclass(frozen=True)
class HistoryTrial:
    """A trial of the study as the suggester sees it (a protocol ``TrialResult`` in Python values).

    Attributes:
        trial_id: the coordinator's trial id (1-based); ``attempt`` the attempt summarised.
        state: Nadir state name (``COMPLETED``, ``PRUNED``, ``RUNNING``, ...).
        params: search-space values by parameter name.
        value: the objective metric in the final measurement, None when there is none.
        intermediate: ``(step, objective)`` pairs of the intermediate measurements (may be empty: the
            coordinator leaves them out of ``history``).
        list_index: position in a hyperparameter list, when the point came from one.
    """

    trial_id: int
    attempt: int
    state: str
    params: Mapping[str, ParamValue]
    value: float | None
    intermediate: tuple[tuple[int, float], ...] = ()
    list_index: int | None = None

    @property
    def terminal(self) -> bool:
        """True once the trial can no longer change."""
        return self.state in TERMINAL_STATES


def trial_from_result(result: trial_pb2.TrialResult, metric: str) -> HistoryTrial:
    """Convert a protocol ``TrialResult`` (``metric`` = the study's objective metric)."""
    params = {k: from_parameter_value(v) for k, v in sorted(result.parameters.items())}
    final = result.final.metrics.get(metric) if result.HasField("final") else None
    return HistoryTrial(
        trial_id=int(result.trial.trial_id),
        attempt=int(result.trial.attempt),
        state=common_pb2.TrialState.Name(result.state).removeprefix("TRIAL_STATE_"),
        params={k: v for k, v in params.items() if v is not None},
        value=float(final) if final is not None else None,
        intermediate=tuple((int(m.step), float(m.metrics[metric])) for m in result.measurements if metric in m.metrics),
        list_index=int(result.list_index) if result.HasField("list_index") else None,
    )


class SuggestionAlgorithm(abc.ABC):
    """What a framework adapter implements to propose points for Nadir studies.

    One instance serves every study the coordinator asks about (``study.study_id`` tells them apart).
    Both methods run on the suggester's I/O thread, one call at a time, so an implementation needs no
    locking. Raise :class:`SuggestionError` for a study it cannot serve: the coordinator gets an
    ``ErrorReply`` with the message and logs it.
    """

    #: Algorithm names announced in Hello (a study's ``suggester.external.algorithm`` picks one).
    algorithms: Sequence[str] = ()

    @abc.abstractmethod
    def suggest(
        self,
        study: study_pb2.StudySpec,
        count: int,
        history: Sequence[HistoryTrial],
        pending: Sequence[tuple[int, int]],
    ) -> tuple[list[dict[str, ParamValue]], bool]:
        """Propose up to ``count`` new points; return ``(points, exhausted)``.

        ``history`` holds every trial of the study so far (all states), ``pending`` the ``(trial_id,
        attempt)`` of those queued or running. Points are search-space values by parameter name; an
        integer-domain parameter must be an ``int``. ``exhausted=True`` means the algorithm will never
        propose anything again for this study.
        """

    def observe(self, study_id: str, trials: Sequence[HistoryTrial]) -> None:  # noqa: B027 - optional hook
        """Terminal results pushed by the coordinator (the same trials appear later in ``history``).
        Optional: an algorithm that learns from ``history`` alone can ignore it."""


class SuggesterPeer:
    """Connects a :class:`SuggestionAlgorithm` to a coordinator at ``endpoint`` (``tcp://host:port``).

    ``run()`` serves until :meth:`stop` is called (from another thread or a signal handler) or the
    coordinator refuses the Hello; ``start()`` runs it on a daemon thread and waits for the Welcome.
    The peer says Hello again if the coordinator goes silent (restart), and heartbeats at the interval
    the Welcome gives so the coordinator does not drop it.
    """

    def __init__(
        self,
        endpoint: str,
        algorithm: SuggestionAlgorithm,
        *,
        peer_id: str | None = None,
        framework_versions: Mapping[str, str] | None = None,
        hello_retry: float = 2.0,
        connect_timeout: float = 30.0,
    ) -> None:
        if not isinstance(endpoint, str) or "://" not in endpoint:
            raise ValueError(f"endpoint must be a ZeroMQ address such as tcp://127.0.0.1:5555, got {endpoint!r}")
        if not algorithm.algorithms:
            raise ValueError("the algorithm must announce at least one name in `algorithms`")
        self.endpoint = endpoint
        self.algorithm = algorithm
        self.peer_id = peer_id or f"suggester-{pysocket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.framework_versions = dict(framework_versions or {})
        self.hello_retry = hello_retry
        self.connect_timeout = connect_timeout
        self.requests = 0
        """SuggestRequests answered (successfully or with an error)."""
        self.errors: list[str] = []
        """Messages of the ErrorReplies sent and of undecodable messages received."""
        self._stop = threading.Event()
        self._welcomed = threading.Event()
        self._refused: SuggesterRefused | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> SuggesterPeer:
        """Run on a daemon thread; returns once welcomed (raises :class:`SuggesterRefused` or
        ``TimeoutError``)."""
        self._thread = threading.Thread(target=self.run, name="nadir-suggester", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + self.connect_timeout
        while not self._welcomed.wait(0.05):
            if self._refused is not None:
                raise self._refused
            if time.monotonic() > deadline or not self._thread.is_alive():
                self.stop()
                raise TimeoutError(f"no Welcome from {self.endpoint} within {self.connect_timeout} s")
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the loop to end and wait for the thread (when started with :meth:`start`)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def __enter__(self) -> SuggesterPeer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # --- protocol ------------------------------------------------------------------------------------
    def _hello(self) -> envelope_pb2.Envelope:
        info = worker_pb2.SuggesterInfo(algorithms=list(self.algorithm.algorithms), capacity=1)
        for k, v in self.framework_versions.items():
            info.framework_versions[k] = v
        hello = worker_pb2.Hello(
            peer_id=self.peer_id, role=worker_pb2.PEER_ROLE_SUGGESTER, suggester=info, agent=f"nadir-worker/{__version__}"
        )
        return make_envelope("hello", hello, sender_id=self.peer_id)

    def _socket(self, ctx: zmq.Context) -> zmq.Socket:
        s = ctx.socket(zmq.DEALER)
        s.setsockopt(zmq.LINGER, 200)
        s.setsockopt(zmq.RECONNECT_IVL, 100)
        s.connect(self.endpoint)
        return s

    def run(self) -> None:
        """Serve until :meth:`stop`; raises :class:`SuggesterRefused` when the coordinator refuses."""
        ctx = zmq.Context.instance()
        sock = self._socket(ctx)
        hb_interval, peer_timeout = 1.0, 10.0
        last_hello = last_hb = 0.0
        last_rx = time.monotonic()
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                if not self._welcomed.is_set() and now - last_hello > self.hello_retry:
                    if last_hello > 0:
                        sock.close(linger=0)
                        sock = self._socket(ctx)
                    sock.send_multipart(encode_frames(self._hello()))
                    last_hello = now
                if self._welcomed.is_set():
                    if now - last_hb >= hb_interval:
                        hb = make_envelope("heartbeat", worker_pb2.Heartbeat(free_slots=0), sender_id=self.peer_id)
                        sock.send_multipart(encode_frames(hb))
                        last_hb = now
                    if now - last_rx > peer_timeout:
                        log.warning("coordinator %s silent for %.1f s: saying Hello again", self.endpoint, now - last_rx)
                        self._welcomed.clear()
                        last_hello, last_rx = 0.0, now
                        continue
                if not sock.poll(20, zmq.POLLIN):
                    continue
                frames = sock.recv_multipart()
                last_rx = time.monotonic()
                try:
                    env = decode_frames(frames).envelope
                    kind, body = body_of(env)
                except ProtocolError as err:
                    self.errors.append(f"undecodable message from coordinator: {err}")
                    continue
                if kind == "welcome":
                    neg = negotiate_version(env.version_major, env.version_minor)
                    if not neg.ok:
                        self._refused = SuggesterRefused(f"VERSION_MISMATCH: {neg.message}")
                        raise self._refused
                    hb_interval = max(body.heartbeat_interval_ms, 50) / 1000 if body.heartbeat_interval_ms else 1.0
                    peer_timeout = body.peer_timeout_ms / 1000 if body.peer_timeout_ms else 10.0
                    self._welcomed.set()
                elif kind == "refused":
                    self._refused = SuggesterRefused(f"{worker_pb2.RefusalReason.Name(body.reason)}: {body.message}")
                    raise self._refused
                elif kind == "suggest_request":
                    sock.send_multipart(encode_frames(self._answer_suggest(env.message_id, body)))
                elif kind == "observe_trials":
                    self._observe(body)
                    ack = make_envelope("ack", envelope_pb2.Ack(status=envelope_pb2.ACK_STATUS_ACCEPTED),
                                        correlation_id=env.message_id, sender_id=self.peer_id)
                    sock.send_multipart(encode_frames(ack))
                elif kind == "error" and body.code == envelope_pb2.ERROR_CODE_NOT_WELCOMED:
                    self._welcomed.clear()  # the coordinator restarted: Hello again
                    last_hello = 0.0
                # Other bodies (acks of heartbeats, events) need no answer.
        finally:
            sock.close(linger=200)

    def _answer_suggest(self, message_id: str, req: suggester_pb2.SuggestRequest) -> envelope_pb2.Envelope:
        self.requests += 1
        study = req.study
        metric = study.objective.metric
        try:
            if not study.study_id:
                raise SuggestionError(f"SuggestRequest for {req.study_id!r} carries no StudySpec")
            history = [trial_from_result(r, metric) for r in req.history]
            pending = [(int(p.trial_id), int(p.attempt)) for p in req.pending]
            points, exhausted = self.algorithm.suggest(study, int(req.count), history, pending)
            resp = suggester_pb2.SuggestResponse(
                study_id=req.study_id, exhausted=bool(exhausted), algorithm=study.suggester.external.algorithm
            )
            integer = _integer_params(study)
            for point in points[: int(req.count)]:
                s = resp.suggestions.add()
                for name, value in sorted(point.items()):
                    s.parameters[name].CopyFrom(to_parameter_value(value, integer=name in integer))
            return make_envelope("suggest_response", resp, correlation_id=message_id, sender_id=self.peer_id)
        except Exception as err:  # noqa: BLE001 - any failure is answered, never left to time out
            msg = f"{type(err).__name__}: {err}"
            self.errors.append(msg)
            log.warning("suggest for study %s failed: %s", req.study_id, msg)
            code = envelope_pb2.ERROR_CODE_INVALID_ARGUMENT if isinstance(err, SuggestionError) else envelope_pb2.ERROR_CODE_UNSPECIFIED
            reply = envelope_pb2.ErrorReply(code=code, message=msg)
            return make_envelope("error", reply, correlation_id=message_id, sender_id=self.peer_id)

    def _observe(self, body: suggester_pb2.ObserveTrials) -> None:
        # ObserveTrials carries no StudySpec; the objective metric is whichever one the trial's final has
        # when there is only one, else unknown (None) until the next SuggestRequest's history.
        trials = []
        for r in body.trials:
            metrics = list(r.final.metrics) if r.HasField("final") else []
            trials.append(trial_from_result(r, metrics[0] if len(metrics) == 1 else ""))
        try:
            self.algorithm.observe(body.study_id, trials)
        except Exception as err:  # noqa: BLE001 - an observer failure must not stop the suggester
            self.errors.append(f"observe failed: {type(err).__name__}: {err}")


def _integer_params(study: study_pb2.StudySpec) -> set[str]:
    out = set()
    for p in study.search_space.parameters:
        kind = p.WhichOneof("domain")
        if kind == "int_domain" or (kind == "discrete_domain" and p.discrete_domain.integer):
            out.add(p.name)
    return out
