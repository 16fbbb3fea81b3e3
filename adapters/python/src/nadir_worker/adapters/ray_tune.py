"""Ray Tune adapter: serve a Nadir hyperparameter list to Tune, then defer; stream Tune's trials to Nadir.

Install with the ``ray`` extra (``pip install "nadir-worker[ray]"``).

* :class:`ListSearcher` is a ``ray.tune.search.Searcher`` that hands out the list points first (trial
  ``k`` of the experiment gets point ``k``) and then defers to any wrapped searcher (``OptunaSearch``,
  ``HyperOptSearch``, ...), or finishes when there is none. Results of list trials are passed on to the
  wrapped searcher with ``add_evaluated_point`` when it supports it, so it starts informed.
* :class:`NadirTuneCallback` is a ``ray.tune.Callback`` that writes every finished trial (config,
  intermediate results, state, final metric) as one JSON line that ``nadir analyze`` reads.
* :class:`ListPointScheduler` wraps any Tune scheduler (ASHA, HyperBand, median stopping) so that it
  never stops a list trial.

* :func:`run_nadir_workers` runs Nadir workers as Ray tasks, so a Nadir study (its coordinator elsewhere)
  scales out over a Ray cluster: each task connects a :class:`nadir_worker.Worker` to the coordinator and
  trains the trials it is given until the study ends.

Tune's statuses map onto Nadir's: TERMINATED after the trainable returned -> COMPLETED; TERMINATED because
Tune decided to stop it (a scheduler such as ASHA, or a stopper) before ``budget`` steps -> PRUNED;
ERROR -> FAILED. Tune marks ``done=True`` on the result it stops a trial at (tune_controller
``_process_trial_result``), and never shows callbacks the duplicate ``done`` result of a trainable that
returned, which is how the callback tells the two apart.
"""

from __future__ import annotations

import copy
import math
import pickle
import random
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ray.tune import Callback
from ray.tune.schedulers import TrialScheduler
from ray.tune.search import Searcher
from ray.tune.search.variant_generator import assign_value, parse_spec_vars

from ._common import LIST_ATTRS_KEY, AdapterError, ListPoint, ParamValue, TrialRecord, append_jsonl, split_point

__all__ = ["ListSearcher", "ListPointScheduler", "NadirTuneCallback", "INDEX_KEY", "LIST_ATTRS_KEY",
           "is_list_config", "run_nadir_workers"]

#: Config key that carries a list trial's list index (set ``index_key=None`` to leave configs untouched).
INDEX_KEY = "nadir_list_index"


def _flatten(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in config.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "/"))
        else:
            out[key] = v
    return out


class ListSearcher(Searcher):
    """Serve ``points`` in order, then defer to ``searcher`` (or finish).

    Point keys name config entries; a nested entry is written with ``/`` (``"optimizer/lr"``), as Tune's
    own ``flatten_dict`` does. Search-space entries a point does not name are sampled from their Tune
    domain with a seeded RNG. Point values of entries the search space has (sampled or constant) go into
    the config; every other materialised value (``epsilon``, ``cosine_steps``, ...) goes, with the point's
    index and the list's NAdamW variant, into ``config["nadir_list"]``
    (:func:`~nadir_worker.adapters._common.split_point`), so list and non-list trials carry the same
    parameter names and ``optimizer_spec_from_point(config, steps)`` still builds the list's exact
    optimizer. Trials of the wrapped searcher get ``config["nadir_list"] = {"variant": v}``: the whole
    experiment trains the list's update rule. With ``index_key`` set, list trials also get
    ``config[index_key] = k``.

    ``metric`` and ``mode`` may be given here or in ``tune.TuneConfig`` (or both, if they agree); the
    wrapped searcher is set up with the ones in effect.
    """

    def __init__(
        self,
        points: Sequence[ListPoint],
        searcher: Searcher | None = None,
        *,
        metric: str | None = None,
        mode: str | None = None,
        index_key: str | None = INDEX_KEY,
        seed: int = 0,
    ) -> None:
        if not points:
            raise ValueError("points must be non-empty")
        if mode not in (None, "min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        variants = {p.variant for p in points}
        if len(variants) > 1:
            raise ValueError(f"the points mix NAdamW variants {sorted(map(str, variants))}; use one list")
        super().__init__(metric=metric, mode=mode)
        self._points = list(points)
        self._variant = self._points[0].variant
        self._wrapped = searcher
        self._index_key = index_key
        self._rng = random.Random(seed)
        self._space: dict[str, Any] = {}
        self._next = 0
        self._list_trials: dict[str, ListPoint] = {}
        self._intermediate: dict[str, list[float]] = {}

    @property
    def served(self) -> int:
        """How many list points have been handed out."""
        return self._next

    def set_search_properties(self, metric: str | None, mode: str | None, config: dict, **spec: Any) -> bool:
        if mode not in (None, "min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        for name, given, mine in (("metric", metric, self._metric), ("mode", mode, self._mode)):
            if given is not None and mine is not None and given != mine:
                raise ValueError(f"ListSearcher was built with {name}={mine!r} but tune.TuneConfig says "
                                 f"{name}={given!r}; give it in one place or make them agree")
        self._metric = metric if metric is not None else self._metric
        self._mode = mode if mode is not None else self._mode
        if self._wrapped is not None:
            # A wrapped searcher built with its own metric/mode lends them to the list part too.
            self._metric = self._metric if self._metric is not None else self._wrapped.metric
            self._mode = self._mode if self._mode is not None else self._wrapped.mode
        self._space = copy.deepcopy(config)
        if self._wrapped is not None:
            return bool(self._wrapped.set_search_properties(self._metric, self._mode, config, **spec))
        return True

    def set_max_concurrency(self, max_concurrent: int) -> bool:
        if self._wrapped is not None:
            return bool(self._wrapped.set_max_concurrency(max_concurrent))
        return False

    def _materialise(self, point: ListPoint) -> dict[str, Any]:
        _, domain_vars, grid_vars = parse_spec_vars(self._space)
        if grid_vars:
            raise AdapterError("ListSearcher cannot serve a search space with grid_search entries")
        in_space = set(_flatten(self._space))
        given, attrs = split_point(point, in_space)
        config: dict[str, Any] = {}
        for path, domain in domain_vars:
            key = "/".join(str(p) for p in path)
            value = given.pop(key) if key in given else domain.sample(random_state=self._rng.randrange(2**31))
            assign_value(config, path, value)
        for key, value in given.items():  # point values of constant entries override them
            assign_value(config, tuple(key.split("/")), value) if "/" in key else config.__setitem__(key, value)
        config[LIST_ATTRS_KEY] = attrs
        if self._index_key is not None:
            config[self._index_key] = point.index
        return config

    def suggest(self, trial_id: str) -> dict | None:
        if self._next < len(self._points):
            point = self._points[self._next]
            self._next += 1
            self._list_trials[trial_id] = point
            return self._materialise(point)
        if self._wrapped is None:
            return Searcher.FINISHED
        config = self._wrapped.suggest(trial_id)
        if isinstance(config, dict) and self._variant is not None:
            config = {**config, LIST_ATTRS_KEY: {"variant": self._variant}}
        return config

    def on_trial_result(self, trial_id: str, result: dict) -> None:
        if trial_id in self._list_trials:
            value = result.get(self._metric) if self._metric else None
            if isinstance(value, (int, float)):
                self._intermediate.setdefault(trial_id, []).append(float(value))
        elif self._wrapped is not None:
            self._wrapped.on_trial_result(trial_id, result)

    def on_trial_complete(self, trial_id: str, result: dict | None = None, error: bool = False) -> None:
        point = self._list_trials.get(trial_id)
        if point is None:
            if self._wrapped is not None:
                self._wrapped.on_trial_complete(trial_id, result=result, error=error)
            return
        if self._wrapped is None or self._metric is None:
            return
        value = (result or {}).get(self._metric)
        try:
            # Parameters the wrapped searcher knows are those of the search space.
            space_keys = {"/".join(map(str, p)) for p, _ in parse_spec_vars(self._space)[1]}
            params = {k: v for k, v in _flatten(self._materialise_known(point)).items() if k in space_keys}
            self._wrapped.add_evaluated_point(
                params,
                float(value) if isinstance(value, (int, float)) else math.nan,
                error=error or not isinstance(value, (int, float)),
                pruned=bool(result is not None and not result.get("done", True)),
                intermediate_values=self._intermediate.pop(trial_id, None),
            )
        except NotImplementedError:
            pass  # not every searcher can learn from outside points; it just starts cold

    def _materialise_known(self, point: ListPoint) -> dict[str, Any]:
        config: dict[str, Any] = {}
        for key, value in point.params.items():
            assign_value(config, tuple(key.split("/")), value) if "/" in key else config.__setitem__(key, value)
        return config

    def save(self, checkpoint_path: str) -> None:
        state = {"next": self._next, "list_trials": self._list_trials, "rng": self._rng.getstate()}
        with open(checkpoint_path, "wb") as fh:
            pickle.dump(state, fh)
        if self._wrapped is not None:
            self._wrapped.save(checkpoint_path + ".wrapped")

    def restore(self, checkpoint_path: str) -> None:
        with open(checkpoint_path, "rb") as fh:
            state = pickle.load(fh)  # noqa: S301 - our own checkpoint file
        self._next = state["next"]
        self._list_trials = state["list_trials"]
        self._rng.setstate(state["rng"])
        if self._wrapped is not None:
            self._wrapped.restore(checkpoint_path + ".wrapped")


def is_list_config(config: dict[str, Any], index_key: str | None = INDEX_KEY) -> bool:
    """True for the config of a list trial of :class:`ListSearcher`."""
    attrs = config.get(LIST_ATTRS_KEY)
    return (index_key is not None and index_key in config) or (isinstance(attrs, dict) and "index" in attrs)


class ListPointScheduler(TrialScheduler):
    """Any Tune scheduler that never stops a list trial: ``scheduler=ListPointScheduler(ASHAScheduler(...))``.

    Every call goes to ``base``, so a list trial's results fill its rungs and later trials are compared
    with them; only a STOP decision about a list trial becomes CONTINUE (a PAUSE, which synchronous
    HyperBand uses to manage its brackets, is left alone). Why protect: the list points run first, when a
    scheduler has the least to compare with, and each was measured by the list at the full budget; ASHA
    stopping point 3 at its first rung because point 1 was ahead there drops a point the list vouches for.
    The cost is at most ``len(list)`` full-budget trials. Tune gives a searcher no hold on the scheduler,
    so this is opt-in here (in Optuna, :func:`~nadir_worker.adapters.optuna.enqueue_list` protects by
    default); without it list trials are scheduled like any other.
    """

    def __init__(self, base: TrialScheduler, *, index_key: str | None = INDEX_KEY) -> None:
        super().__init__()
        self.base = base
        self._index_key = index_key
        self.protected = 0  #: how many STOP decisions about list trials were turned into CONTINUE

    @property
    def metric(self) -> Any:
        return self.base.metric

    @property
    def supports_buffered_results(self) -> bool:
        return self.base.supports_buffered_results

    def set_search_properties(self, metric: str | None, mode: str | None, **spec: Any) -> bool:
        return self.base.set_search_properties(metric, mode, **spec)

    def on_trial_add(self, tune_controller: Any, trial: Any) -> None:
        self.base.on_trial_add(tune_controller, trial)

    def on_trial_error(self, tune_controller: Any, trial: Any) -> None:
        self.base.on_trial_error(tune_controller, trial)

    def on_trial_result(self, tune_controller: Any, trial: Any, result: dict) -> str:
        decision = self.base.on_trial_result(tune_controller, trial, result)
        if decision == TrialScheduler.STOP and is_list_config(trial.config, self._index_key):
            self.protected += 1
            return TrialScheduler.CONTINUE
        return decision

    def on_trial_complete(self, tune_controller: Any, trial: Any, result: dict) -> None:
        self.base.on_trial_complete(tune_controller, trial, result)

    def on_trial_remove(self, tune_controller: Any, trial: Any) -> None:
        self.base.on_trial_remove(tune_controller, trial)

    def choose_trial_to_run(self, tune_controller: Any) -> Any:
        return self.base.choose_trial_to_run(tune_controller)

    def debug_string(self) -> str:
        return f"ListPointScheduler({self.base.debug_string()})"

    def save(self, checkpoint_path: str) -> None:
        self.base.save(checkpoint_path)

    def restore(self, checkpoint_path: str) -> None:
        self.base.restore(checkpoint_path)


def _now_iso() -> str:
    return datetime.now(tz=timezone.utc).isoformat(timespec="microseconds")


class NadirTuneCallback(Callback):
    """``tune.RunConfig(callbacks=[NadirTuneCallback("trials.jsonl", metric="acc")])``.

    Keeps each trial's ``(step, metric)`` series (step = ``result[step_key]``, ``training_iteration`` by
    default) and, when the trial completes or errors, appends one :class:`TrialRecord` line. A trial Tune
    stopped before it reached ``budget`` steps (any Tune-decided stop when ``budget`` is None) is PRUNED.
    The record's
    ``trial`` is the trial's position in Tune's trial list (creation order), ``params`` the flattened
    config without ``index_key`` and ``nadir_list`` (the list attributes), ``value`` the metric's last
    reported value.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        metric: str,
        study: str = "ray-tune",
        step_key: str = "training_iteration",
        index_key: str | None = INDEX_KEY,
        budget: int | None = None,
    ) -> None:
        if not metric:
            raise ValueError("metric must be named")
        if budget is not None and budget <= 0:
            raise ValueError(f"budget must be a positive step count, got {budget}")
        self._budget = budget
        self._stopped: set[str] = set()
        self._path = Path(path)
        if not self._path.parent.is_dir():
            raise FileNotFoundError(f"directory of {str(self._path)!r} does not exist")
        self._metric = metric
        self._study = study
        self._step_key = step_key
        self._index_key = index_key
        self._series: dict[str, list[list[float]]] = {}
        self._started: dict[str, str] = {}
        self.records: list[TrialRecord] = []

    def on_trial_start(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
        self._started.setdefault(trial.trial_id, _now_iso())

    def on_trial_result(self, iteration: int, trials: list, trial: Any, result: dict, **info: Any) -> None:
        if result.get("done"):
            self._stopped.add(trial.trial_id)
        value = result.get(self._metric)
        step = result.get(self._step_key)
        if isinstance(value, (int, float)) and isinstance(step, (int, float)):
            self._series.setdefault(trial.trial_id, []).append([int(step), float(value)])

    def _write(self, trials: list, trial: Any, state: str, source_state: str) -> None:
        config = dict(trial.config)
        attrs = config.pop(LIST_ATTRS_KEY, None)
        config = _flatten(config)
        raw_index = config.pop(self._index_key, None) if self._index_key else None
        if raw_index is None and isinstance(attrs, dict):
            raw_index = attrs.get("index")
        params: dict[str, ParamValue] = {
            k: v for k, v in config.items() if isinstance(v, (bool, int, float, str))
        }
        series = self._series.pop(trial.trial_id, [])
        last = trial.last_result or {}
        value = last.get(self._metric)
        record = TrialRecord(
            source="ray",
            study=self._study,
            trial=trials.index(trial) if trial in trials else -1,
            state=state,
            source_state=source_state,
            value=float(value) if isinstance(value, (int, float)) else None,
            params=params,
            list_index=int(raw_index) if isinstance(raw_index, int) else None,
            intermediate=series,
            started=self._started.pop(trial.trial_id, None),
            completed=_now_iso(),
        )
        self.records.append(record)
        append_jsonl(self._path, record)

    def on_trial_complete(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
        stopped = trial.trial_id in self._stopped
        self._stopped.discard(trial.trial_id)
        if stopped and self._budget is not None:
            series = self._series.get(trial.trial_id, [])
            stopped = not series or series[-1][0] < self._budget
        self._write(trials, trial, "PRUNED" if stopped else "COMPLETED", "TERMINATED")

    def on_trial_error(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
        self._write(trials, trial, "FAILED", "ERROR")


def _worker_task(endpoint: str, trial_fn: Any, peer_id: str, capacity: int, idle_timeout: float | None,
                 worker_kwargs: dict[str, Any]) -> dict[str, Any]:
    # Runs inside a Ray worker process: one Nadir worker, trials one after another.
    import os
    import socket

    import ray

    from ..client import Worker

    done: list[list[int]] = []
    with Worker(endpoint, peer_id=peer_id, capacity=capacity, handle_signals=False, **worker_kwargs) as w:
        for trial in w.trials(idle_timeout=idle_timeout):
            with trial:
                trial_fn(trial)
            done.append([int(trial.ref.trial_id), int(trial.ref.attempt)])
    return {"peer_id": peer_id, "host": socket.gethostname(), "pid": os.getpid(),
            "node_id": ray.get_runtime_context().get_node_id(), "trials": done}


def run_nadir_workers(
    endpoint: str,
    trial_fn: Any,
    num_workers: int,
    *,
    num_cpus: float = 1,
    num_gpus: float = 0,
    resources: dict[str, float] | None = None,
    peer_prefix: str = "ray-worker",
    idle_timeout: float | None = None,
    timeout: float | None = None,
    **worker_kwargs: Any,
) -> list[dict[str, Any]]:
    """Run ``num_workers`` Nadir workers as Ray tasks (on the cluster ``ray.init`` connected to) and wait
    for them; returns one summary per task: ``peer_id``, ``host``, ``pid``, ``node_id`` (the Ray node it
    ran on) and the ``[trial_id, attempt]`` pairs it trained.

    ``trial_fn(trial)`` trains one :class:`nadir_worker.Trial` (report, then ``trial.complete``); it is
    pickled to the tasks, so define it at module level in a module the Ray workers can import. Each task
    asks for ``num_cpus``/``num_gpus`` Ray resources, so Ray places the workers where there is room; a task
    ends when the coordinator says the study is done (or after ``idle_timeout`` seconds with no trial).
    ``worker_kwargs`` go to :class:`nadir_worker.Worker` (``server_key``, ``public_key``, ``secret_key``
    for CURVE, ``workloads``, ...); ``resources`` (e.g. ``{"gpu_node": 1}``) are extra Ray resources each
    task asks for, to pin workers to the nodes that advertise them (``ray start --resources``).
    A task that raises re-raises here (``ray.exceptions.RayTaskError``).
    """
    import ray

    if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 1:
        raise ValueError(f"num_workers must be a positive integer, got {num_workers!r}")
    if not callable(trial_fn):
        raise TypeError("trial_fn must be callable: it trains one nadir_worker.Trial")
    remote = ray.remote(num_cpus=num_cpus, num_gpus=num_gpus, resources=dict(resources or {}),
                        max_retries=0)(_worker_task)
    refs = [remote.remote(endpoint, trial_fn, f"{peer_prefix}-{i}", 1, idle_timeout, dict(worker_kwargs))
            for i in range(num_workers)]
    return list(ray.get(refs, timeout=timeout))
