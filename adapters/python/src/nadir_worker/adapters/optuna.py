"""Optuna adapter: put Nadir's hyperparameter lists into Optuna studies and get Optuna's trials out.

Install with the ``optuna`` extra (``pip install "nadir-worker[optuna]"``). The pieces:

* :func:`enqueue_list` injects a list into a study as WAITING trials (``Study.enqueue_trial`` with
  ``skip_if_exists``), safe when several workers call it at once on the same storage: exactly one of
  them enqueues, the others wait until it is done, so every list point runs exactly once.
* :class:`ListSampler` replays a list (trial number ``n`` gets list point ``n``) and then defers to any
  Optuna sampler. Trial numbers are allocated atomically by the storage, so this is also duplicate-free
  across parallel workers.
* :class:`NadirCallback` streams every finished trial (params, intermediate values, state, value) to a
  JSON Lines file that ``nadir analyze`` reads.
* :func:`export_study` / ``python -m nadir_worker.adapters.optuna export`` read an existing study (RDB
  storage URL or journal file) into Nadir's trial records; ``nadir import optuna`` calls it for SQLite.

Optuna's state maps onto Nadir's: WAITING -> QUEUED, RUNNING -> RUNNING, COMPLETE -> COMPLETED,
PRUNED -> PRUNED (a right-censored observation), FAIL -> FAILED.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
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

from ._common import (
    AdapterError,
    ListPoint,
    ParamValue,
    TrialRecord,
    append_jsonl,
    list_digest,
    records_to_csv,
    records_to_jsonl,
)

__all__ = [
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
    "trial_to_record",
    "LIST_INDEX_ATTR",
    "LOCK_STUDY_MARKER",
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
) -> InjectionResult:
    """Enqueue every list point in ``study`` once, even when many workers call this at the same time.

    ``Study.enqueue_trial(skip_if_exists=True)`` alone can duplicate points when workers enqueue
    concurrently (its check and insert are not atomic; optuna#982, #2925). Study *creation* is atomic in
    every Optuna storage (a unique name in RDB, first-writer-wins in the journal), so the first worker to
    create the helper study ``<study><LOCK_STUDY_MARKER><digest>`` owns the injection: it enqueues the
    points in list order, with user attribute ``nadir_list_index``, and then sets the study system
    attribute ``nadir:list:<digest>``. Every other caller polls for that attribute before returning, so
    no worker asks for a trial before the whole list is queued and the first trials are the list points.

    Calling it again with the same list is a no-op. Raises :class:`ListInjectionTimeout` if the owner has
    not finished after ``wait_timeout`` seconds (for example it was killed mid-way: then delete the helper
    study and call again from one process).
    """
    if not points:
        raise ValueError("points must be non-empty")
    if wait_timeout <= 0 or poll_interval <= 0:
        raise ValueError("wait_timeout and poll_interval must be positive")
    digest = list_digest(points)[:16]
    key = f"nadir:list:{digest}"
    storage = study._storage  # noqa: SLF001 - the only handle on the study's storage Optuna gives
    study_id = study._study_id  # noqa: SLF001
    if key in storage.get_study_system_attrs(study_id):
        return InjectionResult(owner=False, enqueued=0, key=key)
    lock_name = f"{study.study_name}{LOCK_STUDY_MARKER}{digest}"
    try:
        storage.create_new_study([StudyDirection.MINIMIZE], lock_name)
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
    before = len(study.get_trials(deepcopy=False))
    for p in points:
        study.enqueue_trial(dict(p.params), user_attrs={LIST_INDEX_ATTR: p.index}, skip_if_exists=True)
    enqueued = len(study.get_trials(deepcopy=False)) - before
    storage.set_study_system_attr(study_id, key, {"points": len(points), "enqueued": enqueued})
    return InjectionResult(owner=True, enqueued=enqueued, key=key)


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
    system attribute ``nadir_list_index``.

    A list value outside the distribution the objective asks for raises :class:`ListPointOutOfRange`
    (the trial fails with that message) rather than being silently clipped.
    """

    def __init__(
        self,
        points: Sequence[ListPoint],
        base_sampler: BaseSampler | None = None,
        *,
        first_trial_number: int = 0,
    ) -> None:
        if not points:
            raise ValueError("points must be non-empty")
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
        point = self.point_for(trial.number)
        if point is not None:
            study._storage.set_trial_system_attr(trial._trial_id, LIST_INDEX_ATTR, point.index)  # noqa: SLF001
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
    [--format jsonl|csv] [--out PATH]``; also ``list-studies``. Exit 0 ok, 1 invalid input, 2 usage."""
    parser = argparse.ArgumentParser(prog="python -m nadir_worker.adapters.optuna")
    sub = parser.add_subparsers(dest="cmd", required=True)
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


if __name__ == "__main__":
    raise SystemExit(main())
