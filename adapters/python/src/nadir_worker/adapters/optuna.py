"""Optuna adapter: put Nadir's hyperparameter lists into Optuna studies and get Optuna's trials out.

Install with the ``optuna`` extra (``pip install "nadir-worker[optuna]"``). The pieces:

* :func:`enqueue_list` injects a list into a study as WAITING trials (``Study.enqueue_trial`` with
  ``skip_if_exists``), safe when several workers call it at once on the same storage: exactly one of
  them enqueues, the others wait until it is done, so every list point runs exactly once.
  On SQLite it also makes the storage's transactions ``BEGIN IMMEDIATE`` (see :func:`serialize_sqlite`),
  without which two workers can claim the same WAITING trial.
* :func:`sqlite_storage` opens a SQLite ``RDBStorage`` that is safe for several worker processes, and
  :func:`open_study` creates or loads a study safely when many processes start on a fresh database.
* :class:`ListSampler` replays a list (trial number ``n`` gets list point ``n``) and then defers to any
  Optuna sampler. Trial numbers are allocated atomically by the storage, so this is also duplicate-free
  across parallel workers.
* :class:`NadirCallback` streams every finished trial (params, intermediate values, state, value) to a
  JSON Lines file that ``nadir analyze`` reads.
* :func:`export_study` / ``python -m nadir_worker.adapters.optuna export`` read an existing study (RDB
  storage URL or journal file) into Nadir's trial records; ``nadir import optuna`` calls it for SQLite.
* :class:`OptunaSuggestion` makes any Optuna sampler (TPE, CMA-ES, GP, random, QMC) the external
  suggester of a Nadir study: ``python -m nadir_worker.adapters.optuna suggest --endpoint tcp://...``
  connects to the coordinator as a suggester peer, and the study's trials run on ordinary Nadir workers.

Optuna's state maps onto Nadir's: WAITING -> QUEUED, RUNNING -> RUNNING, COMPLETE -> COMPLETED,
PRUNED -> PRUNED (a right-censored observation), FAIL -> FAILED.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.exceptions import DuplicatedStudyError
from optuna.samplers import BaseSampler
from optuna.study import Study, StudyDirection
from optuna.trial import FrozenTrial, TrialState

from .suggester import SuggesterPeer, SuggestionAlgorithm, SuggestionError, from_parameter_value
from ._common import (
    LIST_ATTRS_KEY,
    AdapterError,
    ListPoint,
    ParamValue,
    TrialRecord,
    append_jsonl,
    list_digest,
    records_to_csv,
    records_to_jsonl,
    split_point,
)

__all__ = [
    "OptunaSuggestion",
    "SAMPLERS",
    "InjectionResult",
    "ListInjectionTimeout",
    "ListPointOutOfRange",
    "ListSampler",
    "NadirCallback",
    "STATE_MAP",
    "StudyNotFound",
    "enqueue_list",
    "export_study",
    "open_storage",
    "serialize_sqlite",
    "sqlite_storage",
    "trial_to_record",
    "LIST_INDEX_ATTR",
    "LIST_ATTRS_KEY",
    "LOCK_STUDY_MARKER",
    "VARIANT_ATTR",
    "ListPointPruner",
    "list_attrs",
    "open_study",
    "protect_list_points",
]

#: Optuna TrialState -> Nadir state name.
STATE_MAP: dict[TrialState, str] = {
    TrialState.WAITING: "QUEUED",
    TrialState.RUNNING: "RUNNING",
    TrialState.COMPLETE: "COMPLETED",
    TrialState.PRUNED: "PRUNED",
    TrialState.FAIL: "FAILED",
}

#: User attribute (enqueued trials) and system attribute (ListSampler trials) holding the list index.
LIST_INDEX_ATTR = "nadir_list_index"
#: Infix of the helper studies that serialise list injection (see :func:`enqueue_list`).
LOCK_STUDY_MARKER = "::nadir-list-lock::"
#: Study user attribute holding the injected list's NAdamW variant, so the study's other trials train the
#: same update rule as its list trials (their values are comparable only then).
VARIANT_ATTR = "nadir_list_variant"


class ListInjectionTimeout(AdapterError, TimeoutError):
    """Another worker claimed the list injection but did not finish it in time (it may have died)."""


class ListPointOutOfRange(AdapterError, ValueError):
    """A list value does not fit the distribution the objective asks for."""


class StudyNotFound(AdapterError, KeyError):
    """The storage holds no study of that name."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


# --------------------------------------------------------------------------------------------- injection


class InjectionResult:
    """What :func:`enqueue_list` did: ``owner`` is True in the one process that enqueued, ``enqueued`` is
    how many WAITING trials it added (points already in the study are skipped), ``key`` the study system
    attribute that marks the list as injected."""

    def __init__(self, owner: bool, enqueued: int, key: str) -> None:
        self.owner = owner
        self.enqueued = enqueued
        self.key = key

    def __repr__(self) -> str:
        return f"InjectionResult(owner={self.owner}, enqueued={self.enqueued}, key={self.key!r})"


def enqueue_list(
    study: Study,
    points: Sequence[ListPoint],
    *,
    wait_timeout: float = 120.0,
    poll_interval: float = 0.1,
    protect: bool = True,
) -> InjectionResult:
    """Enqueue every list point in ``study`` once, even when many workers call this at the same time.

    ``Study.enqueue_trial(skip_if_exists=True)`` alone can duplicate points when workers enqueue
    concurrently (its check and insert are not atomic; optuna#982, #2925). Study *creation* is atomic in
    every Optuna storage (a unique name in RDB, first-writer-wins in the journal), so the first worker to
    create the helper study ``<study><LOCK_STUDY_MARKER><digest>`` owns the injection: it enqueues the
    points in list order and then sets the study system attribute ``nadir:list:<digest>``, and then
    deletes the helper study (the storage keeps only the user's study). Every other caller polls for that
    attribute before returning, so no worker asks for a trial before the whole list is queued and the
    first trials are the list points. A caller that creates the helper study after the owner deleted it
    finds the attribute already set (the owner sets it first) and backs off.

    Each enqueued trial carries the user attributes ``nadir_list_index`` (its list index) and
    ``nadir_list`` (:func:`~nadir_worker.adapters._common.split_point`: index, the list's NAdamW variant
    and every materialised value as ``extras``); only the values the objective suggests become the trial's
    params, so list and non-list trials carry the same parameter names. The list's variant is also stored
    as the study user attribute ``nadir_list_variant``: :func:`list_attrs` hands it to every trial so the
    whole study trains the list's update rule.

    ``protect`` (default True) wraps ``study.pruner`` in :class:`ListPointPruner` (see
    :func:`protect_list_points` for why list points are not pruned by default).

    On a SQLite ``RDBStorage`` this calls :func:`serialize_sqlite` on the study's storage first: Optuna
    claims a WAITING trial with a read-then-update whose row lock SQLite ignores, so without it two
    processes can both claim (and run) the same list point, and the trial a worker "finished" twice
    costs the study one trial. Every process that runs trials on a SQLite study with enqueued points
    must call this (or open its storage with :func:`sqlite_storage`).

    Calling it again with the same list is a no-op. Raises :class:`ListInjectionTimeout` if the owner has
    not finished after ``wait_timeout`` seconds (for example it was killed mid-way: then delete the helper
    study and call again from one process).
    """
    if not points:
        raise ValueError("points must be non-empty")
    if wait_timeout <= 0 or poll_interval <= 0:
        raise ValueError("wait_timeout and poll_interval must be positive")
    variants = {p.variant for p in points}
    if len(variants) > 1:
        raise ValueError(f"the points mix NAdamW variants {sorted(map(str, variants))}; inject one list at a time")
    if protect:
        protect_list_points(study)
    # The WAITING -> RUNNING claim happens inside Optuna's ask(); on SQLite it is only atomic once
    # every transaction takes the write lock up front, so this process's workers must not pop a list
    # point that another process has already claimed.
    serialize_sqlite(study._storage)  # noqa: SLF001
    digest = list_digest(points)[:16]
    key = f"nadir:list:{digest}"
    storage = study._storage  # noqa: SLF001 - the only handle on the study's storage Optuna gives
    study_id = study._study_id  # noqa: SLF001
    if key in storage.get_study_system_attrs(study_id):
        return InjectionResult(owner=False, enqueued=0, key=key)
    lock_name = f"{study.study_name}{LOCK_STUDY_MARKER}{digest}"
    try:
        lock_id = storage.create_new_study([StudyDirection.MINIMIZE], lock_name)
    except DuplicatedStudyError:
        deadline = time.monotonic() + wait_timeout
        while key not in storage.get_study_system_attrs(study_id):
            if time.monotonic() > deadline:
                raise ListInjectionTimeout(
                    f"list {digest} for study {study.study_name!r} was claimed by another worker "
                    f"(helper study {lock_name!r}) but not marked done within {wait_timeout} s"
                ) from None
            time.sleep(poll_interval)
        return InjectionResult(owner=False, enqueued=0, key=key)
    try:
        # Double-checked: the owner marks the list done before it deletes its helper study, so a caller
        # that got here after that deletion sees the mark and must not enqueue a second time.
        if key in storage.get_study_system_attrs(study_id):
            return InjectionResult(owner=False, enqueued=0, key=key)
        variant = points[0].variant
        if variant is not None:
            storage.set_study_user_attr(study_id, VARIANT_ATTR, variant)
        before = len(study.get_trials(deepcopy=False))
        for p in points:
            _, attrs = split_point(p, ())
            study.enqueue_trial(dict(p.params), user_attrs={LIST_INDEX_ATTR: p.index, LIST_ATTRS_KEY: attrs},
                                skip_if_exists=True)
        enqueued = len(study.get_trials(deepcopy=False)) - before
        storage.set_study_system_attr(study_id, key, {"points": len(points), "enqueued": enqueued})
    finally:
        if key in storage.get_study_system_attrs(study_id):
            storage.delete_study(lock_id)
    return InjectionResult(owner=True, enqueued=enqueued, key=key)


def list_attrs(trial: optuna.Trial | FrozenTrial, study: Study | None = None) -> dict[str, Any]:
    """The list attributes of ``trial`` (``index``, ``variant``, ``extras``; see
    :func:`~nadir_worker.adapters._common.split_point`) for a list trial of :func:`enqueue_list` or
    :class:`ListSampler`. For any other trial of a study a list was injected into: ``{"variant": v}``,
    the list's rule (so TPE's trials train what the list trials train). ``{}`` otherwise. ``study`` is
    needed for a ``FrozenTrial`` only. Pass the result to ``optimizer_spec_from_point(params, steps,
    list_attrs=list_attrs(trial))``."""
    attrs = trial.user_attrs.get(LIST_ATTRS_KEY)
    if isinstance(trial, optuna.Trial):
        study = trial.study
        if attrs is None:  # ListSampler sets it in before_trial, after the Trial cached its user attrs
            attrs = trial.storage.get_trial_user_attrs(trial._trial_id).get(LIST_ATTRS_KEY)  # noqa: SLF001
    if isinstance(attrs, dict):
        return dict(attrs)
    if study is not None:
        variant = study.user_attrs.get(VARIANT_ATTR)
        if variant is not None:
            return {"variant": variant}
    return {}


class ListPointPruner(optuna.pruners.BasePruner):
    """Any Optuna pruner that never prunes a list trial (one with ``nadir_list_index``).

    List trials still report their intermediate values, so ``base`` compares later trials against them.
    """

    def __init__(self, base: optuna.pruners.BasePruner) -> None:
        self.base = base

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        if LIST_INDEX_ATTR in trial.user_attrs or LIST_INDEX_ATTR in trial.system_attrs:
            return False
        return self.base.prune(study, trial)


def protect_list_points(study: Study) -> Study:
    """Wrap ``study.pruner`` in :class:`ListPointPruner` (once) and return ``study``.

    Why list points are protected by default: a list is an ordered set of points each measured at the
    full step budget (Medapati et al. 2025 build theirs greedily from full-budget runs), and the list
    trials run first, exactly when a pruner knows least; a pruner stopping point 3 at its first rung
    because point 1 was ahead there throws away a point the list vouches for, and the list's "K trials"
    guarantee no longer holds. The cost is at most ``len(list)`` full-budget runs. Pass ``protect=False``
    to :func:`enqueue_list` / :class:`ListSampler` to let the pruner treat list points like any other.
    """
    if not isinstance(study.pruner, ListPointPruner):
        study.pruner = ListPointPruner(study.pruner)
    return study


# ------------------------------------------------------------------------------------------------ sqlite

# Set on an engine once its hooks are installed, so serialize_sqlite is idempotent.
_IMMEDIATE_FLAG = "_nadir_begin_immediate"


def serialize_sqlite(storage: optuna.storages.BaseStorage) -> bool:
    """Make every transaction of a SQLite ``RDBStorage`` start with ``BEGIN IMMEDIATE``; True if it did
    (or already had), False for any other storage (other databases lock rows; the journal is atomic).

    Why: Optuna claims a WAITING trial (``Study.ask``) and finishes a trial (``Study.tell``) by reading
    the trial's state with ``SELECT ... FOR UPDATE`` and then updating it. SQLite has no row locks and
    Python's ``sqlite3`` driver does not even open a transaction before a ``SELECT``, so two processes
    can both read WAITING and both set RUNNING: both run the same trial, the study ends with one trial
    fewer than the workers ran, and the second ``tell`` may fail with ``UpdateFinishedTrialError``. This
    is SQLAlchemy's documented recipe for real SERIALIZABLE transactions with the sqlite3 driver (driver
    BEGIN disabled, our own BEGIN emitted), with ``IMMEDIATE`` so the write lock is taken before the
    read: writers queue on SQLite's busy timeout instead of interleaving (or failing on a lock upgrade).

    ``storage`` may be the ``RDBStorage`` or the ``study._storage`` cache that wraps it. Connections
    pooled before the call are dropped so every later one gets the hooks. An in-memory database is left
    alone (dropping its connection would drop the data, and no other process can share it). The hooks
    live on this process's engine: a storage unpickled in another process (``RDBStorage`` rebuilds its
    engine) must be passed through this function again.
    """
    backend = getattr(storage, "_backend", storage)  # optuna's _CachedStorage wraps the RDBStorage
    if not isinstance(backend, optuna.storages.RDBStorage):
        return False
    engine = backend.engine
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return False
    if getattr(engine, _IMMEDIATE_FLAG, False):
        return True
    from sqlalchemy import event

    def _no_driver_begin(dbapi_connection: Any, _record: Any) -> None:
        # The driver would otherwise BEGIN (deferred) lazily before the first write only.
        dbapi_connection.isolation_level = None

    def _begin_immediate(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    event.listen(engine, "connect", _no_driver_begin)
    event.listen(engine, "begin", _begin_immediate)
    engine.dispose()
    setattr(engine, _IMMEDIATE_FLAG, True)
    return True


def sqlite_storage(path: str | Path, *, timeout: float = 60.0, **rdb_kwargs: Any) -> optuna.storages.RDBStorage:
    """An Optuna ``RDBStorage`` on the SQLite file ``path`` (a path or a ``sqlite:///`` URL) that several
    worker processes may share: transactions are serialised (:func:`serialize_sqlite`) and a writer
    waits up to ``timeout`` seconds for the database lock (the driver's default, 5 s, is short for a
    loaded machine) before Optuna sees ``database is locked``. ``rdb_kwargs`` go to ``RDBStorage``.

    The database and its schema are created if missing; create them once (e.g. ``optuna.create_study``
    from one process) before starting workers, because SQLite's schema creation is not safe to race.
    """
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout}")
    url = str(path)
    if not url.startswith("sqlite:"):
        url = f"sqlite:///{url}"
    engine_kwargs = dict(rdb_kwargs.pop("engine_kwargs", None) or {})
    connect_args = dict(engine_kwargs.get("connect_args") or {})
    connect_args.setdefault("timeout", timeout)
    engine_kwargs["connect_args"] = connect_args
    storage = optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs, **rdb_kwargs)
    serialize_sqlite(storage)
    return storage


def _sqlite_file(storage: Any) -> Path | None:
    # The database file of a SQLite URL or path string, None for anything else (other URLs, objects).
    if isinstance(storage, Path):
        return storage
    if not isinstance(storage, str):
        return None
    if storage.startswith("sqlite:///"):
        db = storage[len("sqlite:///"):]
        return None if db in ("", ":memory:") else Path(db)
    return None if "://" in storage else Path(storage)


def open_study(storage: str | Path | optuna.storages.BaseStorage, study_name: str, *, lock_timeout: float = 120.0,
               **create_kwargs: Any) -> Study:
    """Create the study, or load it when it exists: safe when many worker processes start at the same
    moment on a storage that does not exist yet.

    Why: ``optuna.create_study(storage="sqlite:///x.db", load_if_exists=True)`` from several processes on
    a fresh file races in ``RDBStorage.__init__``, which creates the schema (``CREATE TABLE``) and then
    inserts the schema version row: two processes both see no tables, and the second fails with "table
    ... already exists" or a unique-constraint error (2 of 7 four-process starts failed). For a SQLite
    URL or path this holds an exclusive ``fcntl.flock`` on ``<database>.nadir-init.lock`` while it opens
    the storage (:func:`sqlite_storage`: serialised transactions, a 60 s busy timeout) and creates or
    loads the study; the lock file stays next to the database (deleting a lock file other processes may
    be waiting on would let two of them in). Other storages (PostgreSQL/MySQL URLs, a storage object such
    as a ``JournalStorage``) create their schema safely; the study is created or loaded directly.
    ``create_kwargs`` go to ``optuna.create_study`` (``direction``, ``sampler``, ``pruner``, ...).
    Raises :class:`ListInjectionTimeout` if the lock is not free within ``lock_timeout`` seconds.
    """
    if not study_name:
        raise ValueError("study_name must be non-empty")
    db = _sqlite_file(storage)
    if db is None:
        return optuna.create_study(storage=storage, study_name=study_name, load_if_exists=True, **create_kwargs)
    import fcntl
    import os

    lock_path = f"{db}.nadir-init.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + lock_timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ListInjectionTimeout(
                        f"{lock_path} stayed locked for {lock_timeout} s (another process is creating {db})"
                    ) from None
                time.sleep(0.02)
        try:
            rdb = sqlite_storage(db)
            return optuna.create_study(storage=rdb, study_name=study_name, load_if_exists=True, **create_kwargs)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------------------------- sampler


def _fit(name: str, value: ParamValue, dist: BaseDistribution, index: int) -> Any:
    """Check that list value ``value`` is a legal value of ``dist`` and return it in Optuna's external
    representation (int for IntDistribution)."""
    where = f"list point {index}, parameter {name!r}"
    if isinstance(dist, CategoricalDistribution):
        if value not in dist.choices:
            raise ListPointOutOfRange(f"{where}: {value!r} is not one of the choices {list(dist.choices)}")
        return value
    if isinstance(value, (bool, str)):
        raise ListPointOutOfRange(f"{where}: {value!r} is not a number but the objective asks for {dist}")
    if isinstance(dist, IntDistribution):
        if float(value) != int(value):
            raise ListPointOutOfRange(f"{where}: {value!r} is not an integer but the objective asks for {dist}")
        value = int(value)
    elif isinstance(dist, FloatDistribution):
        value = float(value)
    if not dist._contains(dist.to_internal_repr(value)):  # noqa: SLF001 - Optuna's own range/step check
        raise ListPointOutOfRange(f"{where}: {value!r} is outside {dist}")
    return value


class ListSampler(BaseSampler):
    """Replays a hyperparameter list, then defers to ``base_sampler``.

    Trial number ``first_trial_number + k`` gets list point ``k`` for every parameter the point names;
    parameters the point does not name, and every trial after the list, are sampled by ``base_sampler``
    (default :class:`optuna.samplers.RandomSampler`). Numbers come from the storage, which allocates them
    atomically, so parallel workers sharing a storage never run a point twice. A list trial carries the
    system attribute ``nadir_list_index`` and the user attribute ``nadir_list`` (index, the list's NAdamW
    variant, and the materialised values the objective does not ask for as ``extras``; read them with
    :func:`list_attrs`); the study gets the list's variant as user attribute ``nadir_list_variant``.
    With ``protect`` (default True) list trials are never pruned (:func:`protect_list_points`).

    A list value outside the distribution the objective asks for raises :class:`ListPointOutOfRange`
    (the trial fails with that message) rather than being silently clipped.
    """

    def __init__(
        self,
        points: Sequence[ListPoint],
        base_sampler: BaseSampler | None = None,
        *,
        first_trial_number: int = 0,
        protect: bool = True,
    ) -> None:
        if not points:
            raise ValueError("points must be non-empty")
        variants = {p.variant for p in points}
        if len(variants) > 1:
            raise ValueError(f"the points mix NAdamW variants {sorted(map(str, variants))}; use one list")
        self._protect = protect
        self._variant_stored = False
        if first_trial_number < 0:
            raise ValueError(f"first_trial_number must be >= 0, got {first_trial_number}")
        self._points = list(points)
        self._base = base_sampler if base_sampler is not None else optuna.samplers.RandomSampler()
        self._first = first_trial_number

    @property
    def base_sampler(self) -> BaseSampler:
        """The sampler used after the list."""
        return self._base

    def point_for(self, trial_number: int) -> ListPoint | None:
        """The list point that trial ``trial_number`` replays, or None."""
        k = trial_number - self._first
        return self._points[k] if 0 <= k < len(self._points) else None

    def reseed_rng(self) -> None:
        self._base.reseed_rng()

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        if self.point_for(trial.number) is not None:
            return {}
        return self._base.infer_relative_search_space(study, trial)

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if self.point_for(trial.number) is not None:
            return {}
        return self._base.sample_relative(study, trial, search_space)

    def sample_independent(
        self, study: Study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution
    ) -> Any:
        point = self.point_for(trial.number)
        if point is not None and param_name in point.params:
            return _fit(param_name, point.params[param_name], param_distribution, point.index)
        return self._base.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        if self._protect:
            protect_list_points(study)
        variant = self._points[0].variant
        if variant is not None and not self._variant_stored:
            if study.user_attrs.get(VARIANT_ATTR) != variant:
                study.set_user_attr(VARIANT_ATTR, variant)
            self._variant_stored = True
        point = self.point_for(trial.number)
        if point is not None:
            storage = study._storage  # noqa: SLF001
            storage.set_trial_system_attr(trial._trial_id, LIST_INDEX_ATTR, point.index)  # noqa: SLF001
            _, attrs = split_point(point, ())
            storage.set_trial_user_attr(trial._trial_id, LIST_ATTRS_KEY, attrs)  # noqa: SLF001
            trial.set_user_attr(LIST_ATTRS_KEY, attrs)  # the live Trial's cached copy, read by trial.user_attrs
        self._base.before_trial(study, trial)

    def after_trial(
        self, study: Study, trial: FrozenTrial, state: TrialState, values: Sequence[float] | None
    ) -> None:
        self._base.after_trial(study, trial, state, values)


# --------------------------------------------------------------------------------------------- records


def _iso_utc(dt: datetime | None) -> str | None:
    # Optuna hands out naive local datetimes; astimezone() on a naive value assumes local time.
    if dt is None:
        return None
    return dt.astimezone(timezone.utc).isoformat(timespec="microseconds")


def trial_to_record(study_name: str, trial: FrozenTrial) -> TrialRecord:
    """Convert an Optuna ``FrozenTrial`` into a Nadir :class:`TrialRecord`.

    The list index is taken from the user attribute (enqueued trials) or the system attribute
    (:class:`ListSampler` trials) ``nadir_list_index``.
    """
    raw_index = trial.user_attrs.get(LIST_INDEX_ATTR, trial.system_attrs.get(LIST_INDEX_ATTR))
    list_index = int(raw_index) if isinstance(raw_index, (int, float)) and not isinstance(raw_index, bool) else None
    values = list(trial.values) if trial.values is not None else None
    params: dict[str, ParamValue] = {}
    for name, v in trial.params.items():
        params[name] = v if isinstance(v, (bool, int, float, str)) else str(v)
    return TrialRecord(
        source="optuna",
        study=study_name,
        trial=trial.number,
        state=STATE_MAP[trial.state],
        source_state=trial.state.name,
        value=values[0] if values else None,
        values=values if values is not None and len(values) > 1 else None,
        params=params,
        list_index=list_index,
        intermediate=[[int(s), float(v)] for s, v in sorted(trial.intermediate_values.items())],
        started=_iso_utc(trial.datetime_start),
        completed=_iso_utc(trial.datetime_complete),
    )


class NadirCallback:
    """``Study.optimize(..., callbacks=[NadirCallback("trials.jsonl")])``: append each finished trial.

    Every call appends one JSON line (see :class:`TrialRecord`) with one atomic ``O_APPEND`` write, so
    parallel workers on one machine may share the file. ``nadir analyze trials.jsonl --metric value``
    reads it. Optuna calls callbacks for COMPLETE, PRUNED and FAIL trials alike; all are written, with
    their state, because pruned and failed draws matter to tuning-curve analysis.
    """

    def __init__(self, path: str | Path, *, sink: Callable[[TrialRecord], None] | None = None) -> None:
        self._path = Path(path)
        if not self._path.parent.is_dir():
            raise FileNotFoundError(f"directory of {str(self._path)!r} does not exist")
        self._sink = sink

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        record = trial_to_record(study.study_name, trial)
        append_jsonl(self._path, record)
        if self._sink is not None:
            self._sink(record)


# ------------------------------------------------------------------------------------ external suggester

#: Algorithm names a study can ask for (``suggester.external.algorithm``) -> Optuna sampler class name.
SAMPLERS: dict[str, str] = {
    "optuna.TPESampler": "TPESampler",
    "optuna.CmaEsSampler": "CmaEsSampler",
    "optuna.GPSampler": "GPSampler",
    "optuna.RandomSampler": "RandomSampler",
    "optuna.QMCSampler": "QMCSampler",
}


def _setting(raw: str) -> Any:
    # Settings are strings on the wire; numbers, booleans, lists and null are written as JSON.
    import json

    try:
        return json.loads(raw)
    except ValueError:
        return raw


class _SpaceMap:
    """A Nadir search space as Optuna distributions. Parameters are sampled in search-space order, so a
    parent is always known before the children its condition names. REVERSE_LOG floats are sampled by
    Optuna as ``y`` on a log scale and proposed as ``x = min + max - y`` (Vizier's REVERSE_LOG)."""

    def __init__(self, spec: Any) -> None:
        from ..gen import study_pb2

        self.order: list[tuple[str, BaseDistribution | None, Any]] = []
        self.reverse: dict[str, tuple[float, float]] = {}
        self.conditions: dict[str, tuple[str, list[Any]]] = {}
        for p in spec.search_space.parameters:
            kind = p.WhichOneof("domain")
            fixed = None
            dist: BaseDistribution | None
            if kind == "float_domain":
                d = p.float_domain
                log = d.scale in (study_pb2.SCALE_LOG, study_pb2.SCALE_REVERSE_LOG)
                dist = FloatDistribution(d.min, d.max, log=log)
                if d.scale == study_pb2.SCALE_REVERSE_LOG:
                    self.reverse[p.name] = (d.min, d.max)
            elif kind == "int_domain":
                d = p.int_domain
                dist = IntDistribution(int(d.min), int(d.max), log=d.scale == study_pb2.SCALE_LOG)
            elif kind == "categorical_domain":
                dist = CategoricalDistribution([from_parameter_value(v) for v in p.categorical_domain.values])
            elif kind == "discrete_domain":
                d = p.discrete_domain
                dist = CategoricalDistribution([int(v) if d.integer else float(v) for v in d.values])
            elif kind == "fixed_domain":
                dist, fixed = None, from_parameter_value(p.fixed_domain.value)
            else:
                raise SuggestionError(f"parameter {p.name!r} has no domain")
            if p.HasField("condition") and p.condition.parent:
                self.conditions[p.name] = (p.condition.parent, [from_parameter_value(v) for v in p.condition.values])
            self.order.append((p.name, dist, fixed))

    def active(self, name: str, values: dict[str, Any]) -> bool:
        cond = self.conditions.get(name)
        return cond is None or (cond[0] in values and values[cond[0]] in cond[1])

    def sample(self, trial: optuna.Trial) -> dict[str, ParamValue]:
        """Ask ``trial`` for every active dimension; returns Nadir search-space values (fixed ones included)."""
        out: dict[str, ParamValue] = {}
        for name, dist, fixed in self.order:
            if not self.active(name, out):
                continue
            if dist is None:
                out[name] = fixed
                continue
            v = trial._suggest(name, dist)  # noqa: SLF001 - the one entry point that takes a distribution object
            if name in self.reverse:
                lo, hi = self.reverse[name]
                v = lo + hi - v
            out[name] = v
        return out

    def to_optuna(self, params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, BaseDistribution]]:
        """Nadir values of a finished trial -> Optuna params and distributions (for ``create_trial``).
        Values outside a distribution (an edited space) are left out rather than rejected."""
        vals: dict[str, Any] = {}
        dists: dict[str, BaseDistribution] = {}
        for name, dist, _ in self.order:
            if dist is None or name not in params:
                continue
            v = params[name]
            if name in self.reverse:
                lo, hi = self.reverse[name]
                v = lo + hi - float(v)
            if isinstance(dist, CategoricalDistribution):
                if v not in dist.choices:
                    continue
            elif isinstance(v, (bool, str)) or not dist._contains(dist.to_internal_repr(v)):  # noqa: SLF001
                continue
            vals[name], dists[name] = v, dist
        return vals, dists


class _OptunaStudyState:
    def __init__(self, spec: Any, sampler: BaseSampler) -> None:
        from ..gen import common_pb2

        direction = "maximize" if spec.objective.direction == common_pb2.DIRECTION_MAXIMIZE else "minimize"
        self.study = optuna.create_study(direction=direction, sampler=sampler, study_name=spec.study_id)
        self.space = _SpaceMap(spec)
        # Asked but not yet told trial numbers, by the exact point proposed (protobuf doubles round-trip).
        self.asked: dict[tuple, list[int]] = {}
        self.told: set[int] = set()


def _point_key(params: Mapping[str, Any]) -> tuple:
    return tuple(sorted((k, type(v).__name__, v) for k, v in params.items()))


class OptunaSuggestion(SuggestionAlgorithm):
    """Optuna samplers as a Nadir external suggester (see :mod:`nadir_worker.adapters.suggester`).

    Each Nadir study gets its own in-memory Optuna study whose sampler is chosen by the study's
    ``suggester.external.algorithm`` (a key of :data:`SAMPLERS`), built with the study's ``settings``
    (strings holding JSON values, e.g. ``{"n_startup_trials": "4"}``) and ``seed`` (else the study seed).
    On every request the terminal trials of ``history`` are told to Optuna first, each once: a trial
    this suggester proposed is told under the Optuna trial it asked (matched by its exact parameters), any
    other (a replicate, a trial from before a restart) is added with ``Study.add_trial``. COMPLETED ->
    COMPLETE with the objective; PRUNED -> PRUNED; every other terminal state -> FAIL. So a restarted
    suggester rebuilds what it knew from the coordinator's history alone.

    ``sampler_factory(spec)`` overrides the sampler choice (for samplers with non-JSON arguments).
    """

    algorithms = tuple(SAMPLERS)

    def __init__(self, sampler_factory: Callable[[Any], BaseSampler] | None = None) -> None:
        self._factory = sampler_factory
        self._studies: dict[str, _OptunaStudyState] = {}

    def sampler_for(self, spec: Any) -> BaseSampler:
        """The sampler a study asks for (raises SuggestionError for an unknown name or bad settings)."""
        if self._factory is not None:
            return self._factory(spec)
        ext = spec.suggester.external
        name = ext.algorithm or "optuna.TPESampler"
        if name not in SAMPLERS:
            raise SuggestionError(f"unknown algorithm {name!r}; this suggester offers {sorted(SAMPLERS)}")
        kwargs = {k: _setting(v) for k, v in sorted(ext.settings.items())}
        kwargs.setdefault("seed", int(ext.seed or spec.seed))
        cls = getattr(optuna.samplers, SAMPLERS[name])
        try:
            return cls(**kwargs)
        except (TypeError, ValueError, ImportError) as err:
            raise SuggestionError(f"cannot build {name} with settings {kwargs}: {err}") from err

    def optuna_study(self, study_id: str) -> Study:
        """The in-memory Optuna study behind a Nadir study (KeyError before its first request)."""
        return self._studies[study_id].study

    def suggest(self, study: Any, count: int, history: Sequence[Any], pending: Sequence[tuple[int, int]]) -> tuple[list[dict[str, ParamValue]], bool]:
        st = self._studies.get(study.study_id)
        if st is None:
            st = self._studies[study.study_id] = _OptunaStudyState(study, self.sampler_for(study))
        self._tell(st, history)
        points = []
        for _ in range(count):
            trial = st.study.ask()
            params = st.space.sample(trial)
            st.asked.setdefault(_point_key(params), []).append(trial.number)
            points.append(params)
        return points, False

    def _tell(self, st: _OptunaStudyState, history: Sequence[Any]) -> None:
        import math

        for h in history:
            if not h.terminal or h.trial_id in st.told:
                continue
            st.told.add(h.trial_id)
            ok = h.state == "COMPLETED" and h.value is not None and math.isfinite(h.value)
            state = TrialState.COMPLETE if ok else TrialState.PRUNED if h.state == "PRUNED" else TrialState.FAIL
            numbers = st.asked.get(_point_key(h.params))
            if numbers:
                number = numbers.pop(0)
                for step, v in h.intermediate:
                    if math.isfinite(v):
                        st.study._storage.set_trial_intermediate_value(  # noqa: SLF001 - report() needs a live Trial
                            st.study._storage.get_trial_id_from_study_id_trial_number(st.study._study_id, number),  # noqa: SLF001
                            step, v)
                st.study.tell(number, h.value if ok else None, state=state)
                continue
            params, dists = st.space.to_optuna(h.params)
            st.study.add_trial(optuna.trial.create_trial(
                params=params, distributions=dists, value=h.value if ok else None, state=state,
                intermediate_values={s: v for s, v in h.intermediate if math.isfinite(v)},
            ))


def serve_suggester(endpoint: str, *, peer_id: str | None = None, sampler_factory: Callable[[Any], BaseSampler] | None = None) -> Any:
    """Start an Optuna suggester peer for the coordinator at ``endpoint`` on a background thread and
    return it (a :class:`~nadir_worker.adapters.suggester.SuggesterPeer`; call ``stop()`` to end it)."""
    peer = SuggesterPeer(endpoint, OptunaSuggestion(sampler_factory), peer_id=peer_id,
                         framework_versions={"optuna": optuna.__version__})
    return peer.start()


# --------------------------------------------------------------------------------------------- import


def open_storage(storage: str | None = None, journal: str | None = None) -> optuna.storages.BaseStorage:
    """Open an existing Optuna storage read-only in intent: an RDB URL (``sqlite:///x.db``,
    ``postgresql://...``) or a journal file. Exactly one of the two must be given."""
    if (storage is None) == (journal is None):
        raise ValueError("give exactly one of storage (an RDB URL) or journal (a journal file path)")
    if journal is not None:
        if not Path(journal).is_file():
            raise FileNotFoundError(f"journal file {journal!r} does not exist")
        from optuna.storages.journal import JournalFileBackend

        return optuna.storages.JournalStorage(JournalFileBackend(journal))
    assert storage is not None
    if storage.startswith("sqlite:///"):
        db = storage[len("sqlite:///") :]
        # SQLAlchemy would silently create an empty database; an import of a missing file is an error.
        if db and db != ":memory:" and not Path(db).is_file():
            raise FileNotFoundError(f"SQLite database {db!r} does not exist")
    return optuna.storages.RDBStorage(storage, skip_compatibility_check=False)


def export_study(storage: optuna.storages.BaseStorage, study_name: str) -> list[TrialRecord]:
    """Every trial of ``study_name`` as Nadir records, in trial-number order."""
    try:
        study_id = storage.get_study_id_from_name(study_name)
    except KeyError:
        names = [s.study_name for s in storage.get_all_studies() if LOCK_STUDY_MARKER not in s.study_name]
        raise StudyNotFound(f"no study named {study_name!r}; the storage has {names}") from None
    trials = storage.get_all_trials(study_id, deepcopy=False)
    return [trial_to_record(study_name, t) for t in sorted(trials, key=lambda t: t.number)]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m nadir_worker.adapters.optuna export (--storage URL | --journal FILE) --study NAME
    [--format jsonl|csv] [--out PATH]``; also ``list-studies``, and ``suggest --endpoint tcp://HOST:PORT
    [--peer-id ID]`` (serve as the external suggester until SIGINT/SIGTERM).
    Exit 0 ok, 1 invalid input or refused, 2 usage."""
    parser = argparse.ArgumentParser(prog="python -m nadir_worker.adapters.optuna")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("suggest", help="serve Optuna samplers as a Nadir external suggester")
    sp.add_argument("--endpoint", required=True, help="the coordinator, e.g. tcp://127.0.0.1:5555")
    sp.add_argument("--peer-id", help="stable suggester id (a study may name it as suggesterId)")
    for name in ("export", "list-studies"):
        p = sub.add_parser(name)
        src = p.add_mutually_exclusive_group(required=True)
        src.add_argument("--storage", help="RDB storage URL, e.g. sqlite:///study.db")
        src.add_argument("--journal", help="Optuna JournalFileBackend log file")
        if name == "export":
            p.add_argument("--study", required=True)
            p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
            p.add_argument("--out", help="output file (default: stdout)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if args.cmd == "suggest":
        return _serve_until_signal(args.endpoint, args.peer_id)
    try:
        st = open_storage(args.storage, args.journal)
        if args.cmd == "list-studies":
            names = [s.study_name for s in st.get_all_studies() if LOCK_STUDY_MARKER not in s.study_name]
            sys.stdout.write("".join(n + "\n" for n in names))
            return 0
        records = export_study(st, args.study)
    except (FileNotFoundError, StudyNotFound, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    text = records_to_jsonl(records) if args.format == "jsonl" else records_to_csv(records)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _serve_until_signal(endpoint: str, peer_id: str | None) -> int:
    import signal
    import threading

    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    try:
        peer = serve_suggester(endpoint, peer_id=peer_id)
    except (AdapterError, TimeoutError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"nadir-optuna: suggesting for {endpoint} as {peer.peer_id}", flush=True)
    while not done.wait(0.2):
        if peer._thread is not None and not peer._thread.is_alive():  # noqa: SLF001 - refused or crashed
            print("error: the suggester stopped", file=sys.stderr)
            return 1
    peer.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
