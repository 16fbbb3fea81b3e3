"""OSS Vizier adapter: inject a Nadir list as REQUESTED trials, import Vizier's trials into Nadir records.

Install with the ``vizier`` extra. It installs ``google-vizier-dev[jax]`` at a fixed 2026-10 build: the
last release (google-vizier 0.1.24, 2025-02) pins equinox 0.11.7, which fails to import with the JAX that
the ``jax`` extra installs (``jax.core.Primitive`` is gone), and the Vizier service imports JAX.

* :func:`request_list` queues every list point as a REQUESTED trial (``Study.request``) carrying the
  metadata ``nadir_list_index`` and ``nadir_list``; Vizier hands REQUESTED trials out before any
  algorithm suggestion, each to one client, so the first trials are the list points. Calling it again
  with the same list queues nothing new.
* :func:`export_study` / :func:`trial_to_record` turn Vizier trials into :class:`TrialRecord` rows that
  ``nadir analyze`` reads; :class:`VizierRecorder` appends newly finished trials to a JSON Lines file.

Vizier's states map onto Nadir's: REQUESTED -> QUEUED, ACTIVE -> RUNNING, STOPPING -> STOPPING,
COMPLETED -> COMPLETED, or PRUNED when it was completed after an early-stopping decision (completed
with :func:`complete_stopped`, since the service forgets ``stopping_reason`` on completion), or
INFEASIBLE when marked infeasible.

Works with the in-process service (the client default) and with a Vizier server on localhost
(``clients.environment_variables.server_endpoint = server.endpoint``). Beware: the in-process service
keeps its studies in a SQLite file inside the installed ``vizier`` package unless
``clients.environment_variables.servicer_kwargs["database_url"]`` is set before first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vizier.service import clients
from vizier.service import pyvizier as vz

from ._common import AdapterError, ListPoint, ParamValue, TrialRecord, append_jsonl, list_digest

__all__ = [
    "ListPointOutOfRange",
    "VizierRecorder",
    "complete_stopped",
    "export_study",
    "request_list",
    "trial_to_record",
    "INDEX_KEY",
    "DIGEST_KEY",
    "STOPPED_KEY",
]

#: Trial metadata keys (Vizier metadata values are strings).
INDEX_KEY = "nadir_list_index"
DIGEST_KEY = "nadir_list"
#: Set to "1" by :func:`complete_stopped`: Vizier forgets ``stopping_reason`` once a trial completes.
STOPPED_KEY = "nadir_stopped"


class ListPointOutOfRange(AdapterError, ValueError):
    """A list point misses a parameter of the study's search space or has a value outside it."""


def _check_point(space: vz.SearchSpace, point: ListPoint) -> dict[str, Any]:
    """The point restricted to the search space, each value checked with Vizier's own ``contains``."""
    params: dict[str, Any] = {}
    for pc in space.parameters:
        if pc.name not in point.params:
            raise ListPointOutOfRange(f"list point {point.index} has no value for parameter {pc.name!r}")
        value = point.params[pc.name]
        if pc.type == vz.ParameterType.INTEGER and isinstance(value, float) and value.is_integer():
            value = int(value)
        if pc.type == vz.ParameterType.CATEGORICAL and not isinstance(value, str):
            value = str(value)  # Vizier categories are strings
        if not pc.contains(value):
            raise ListPointOutOfRange(
                f"list point {point.index}, parameter {pc.name!r}: {value!r} is outside {pc.type.name} "
                f"{pc.bounds if pc.type in (vz.ParameterType.DOUBLE, vz.ParameterType.INTEGER) else pc.feasible_values}"
            )
        params[pc.name] = value
    return params


def request_list(study: clients.Study, points: Sequence[ListPoint]) -> int:
    """Queue every list point as a REQUESTED trial, in list order; returns how many were queued.

    Points are restricted to the study's search space (materialised lists carry extra values such as
    ``epsilon``); a point that misses a search-space parameter or has a value outside it raises
    :class:`ListPointOutOfRange` before anything is queued. Points of the same list (same digest)
    already in the study are skipped, so re-running the injection is harmless; run it from one
    process (Vizier has no atomic check-and-insert), and let any number of workers ``suggest``.
    """
    if not points:
        raise ValueError("points must be non-empty")
    space = study.materialize_problem_statement().search_space
    checked = [(p, _check_point(space, p)) for p in points]
    digest = list_digest(points)[:16]
    present = {
        t.metadata.get(INDEX_KEY)
        for t in study.trials().get()
        if t.metadata.get(DIGEST_KEY) == digest
    }
    queued = 0
    for point, params in checked:
        if str(point.index) in present:
            continue
        md = vz.Metadata({INDEX_KEY: str(point.index), DIGEST_KEY: digest})
        study.request(vz.TrialSuggestion(parameters=params, metadata=md))
        queued += 1
    return queued


def complete_stopped(trial: clients.Trial, measurement: vz.Measurement) -> None:
    """Complete a trial that early stopping told to stop (``trial.check_early_stopping()`` was True).

    The service clears the STOPPING mark when the trial completes, so the trial would read back as an
    ordinary completed draw; this records ``nadir_stopped=1`` in its metadata first, and
    :func:`trial_to_record` then maps it to PRUNED (a right-censored observation).
    """
    trial.update_metadata(vz.Metadata({STOPPED_KEY: "1"}))
    trial.complete(measurement)


def _iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.astimezone(timezone.utc).isoformat(timespec="microseconds")


def trial_to_record(study_name: str, trial: vz.Trial, metric: str) -> TrialRecord:
    """One Vizier trial as a Nadir record: ``value`` is ``metric`` in the final measurement,
    ``intermediate`` the ``(steps, metric)`` of every intermediate measurement, ``trial`` Vizier's id."""
    status = trial.status
    if status == vz.TrialStatus.COMPLETED:
        if trial.infeasible:
            state = "INFEASIBLE"
        elif trial.stopping_reason is not None or trial.metadata.get(STOPPED_KEY) == "1":
            state = "PRUNED"
        else:
            state = "COMPLETED"
    else:
        state = {
            vz.TrialStatus.REQUESTED: "QUEUED",
            vz.TrialStatus.ACTIVE: "RUNNING",
            vz.TrialStatus.STOPPING: "STOPPING",
        }.get(status, "RUNNING")
    value = None
    if trial.final_measurement is not None and metric in trial.final_measurement.metrics:
        value = float(trial.final_measurement.metrics[metric].value)
    series = [
        [int(m.steps), float(m.metrics[metric].value)] for m in trial.measurements if metric in m.metrics
    ]
    raw_index = trial.metadata.get(INDEX_KEY)
    params: dict[str, ParamValue] = {}
    for name, pv in trial.parameters.items():
        v = pv.value
        params[name] = v if isinstance(v, (bool, int, float, str)) else str(v)
    return TrialRecord(
        source="vizier",
        study=study_name,
        trial=int(trial.id),
        state=state,
        source_state=status.name + (" (infeasible)" if trial.infeasible else ""),
        value=value,
        params=params,
        list_index=int(raw_index) if raw_index is not None and raw_index.isdigit() else None,
        intermediate=sorted(series),
        started=_iso(trial.creation_time),
        completed=_iso(trial.completion_time),
    )


def export_study(study: clients.Study, metric: str, study_name: str | None = None) -> list[TrialRecord]:
    """Every trial of ``study`` as Nadir records, in trial-id order."""
    if not metric:
        raise ValueError("metric must be named")
    name = study_name if study_name is not None else study.resource_name
    trials = sorted(study.trials().get(), key=lambda t: t.id)
    return [trial_to_record(name, t, metric) for t in trials]


class VizierRecorder:
    """Appends each trial of ``study`` to ``path`` once it has finished (COMPLETED, incl. infeasible).

    Call :meth:`sync` whenever convenient (after each ``complete``, or on a timer); it writes only trials
    not written before, so several calls never duplicate a row.
    """

    def __init__(self, study: clients.Study, path: str | Path, *, metric: str, study_name: str | None = None) -> None:
        if not metric:
            raise ValueError("metric must be named")
        self._path = Path(path)
        if not self._path.parent.is_dir():
            raise FileNotFoundError(f"directory of {str(self._path)!r} does not exist")
        self._study = study
        self._metric = metric
        self._name = study_name if study_name is not None else study.resource_name
        self._written: set[int] = set()

    def sync(self) -> list[TrialRecord]:
        """Write newly finished trials; returns them."""
        new = []
        for t in sorted(self._study.trials().get(), key=lambda t: t.id):
            if t.status == vz.TrialStatus.COMPLETED and t.id not in self._written:
                rec = trial_to_record(self._name, t, self._metric)
                append_jsonl(self._path, rec)
                self._written.add(t.id)
                new.append(rec)
        return new
