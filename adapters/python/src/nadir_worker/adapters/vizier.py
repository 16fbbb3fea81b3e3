"""OSS Vizier adapter: inject a Nadir list as REQUESTED trials, import Vizier's trials into Nadir records.

Install with the ``vizier`` extra. It installs ``google-vizier-dev[jax]`` at a fixed 2026-10 build: the
last release (google-vizier 0.1.24, 2025-02) pins equinox 0.11.7, which fails to import with the JAX that
the ``jax`` extra installs (``jax.core.Primitive`` is gone), and the Vizier service imports JAX.

* :func:`request_list` queues every list point as a REQUESTED trial (``Study.request``) carrying the
  metadata ``nadir_list_index``, ``nadir_list`` (the list digest) and ``nadir_list_attrs`` (variant and
  the materialised values outside the search space); Vizier hands REQUESTED trials out before any
  algorithm suggestion, each to one client, so the first trials are the list points, in list order.
  Calling it again with the same list queues nothing new. :func:`list_attrs` reads a trial's list
  attributes back for ``optimizer_spec_from_point``.
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

import json
import math
import os
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vizier.service import clients
from vizier.service import pyvizier as vz

from ._common import AdapterError, ListPoint, ParamValue, TrialRecord, append_jsonl, list_digest, split_point

__all__ = [
    "ListPointOutOfRange",
    "VizierRecorder",
    "complete_stopped",
    "list_attrs",
    "export_study",
    "request_list",
    "trial_to_record",
    "INDEX_KEY",
    "DIGEST_KEY",
    "ATTRS_KEY",
    "VARIANT_KEY",
    "STOPPED_KEY",
]

#: Trial metadata keys (Vizier metadata values are strings).
INDEX_KEY = "nadir_list_index"
DIGEST_KEY = "nadir_list"
#: JSON of the point's list attributes (``variant``, ``extras``; see ``split_point``).
ATTRS_KEY = "nadir_list_attrs"
#: Study metadata: the injected list's NAdamW variant, so the study's other trials train the same rule.
VARIANT_KEY = "nadir_list_variant"
#: Set to "1" by :func:`complete_stopped`: Vizier forgets ``stopping_reason`` once a trial completes.
STOPPED_KEY = "nadir_stopped"


class ListPointOutOfRange(AdapterError, ValueError):
    """A list point misses a parameter of the study's search space or has a value outside it."""


def _category(pc: vz.ParameterConfig, value: Any) -> Any:
    """The feasible category ``value`` denotes. Vizier categories are strings and a list holds numbers
    (``label_smoothing: 0``), so a number matches the one category that parses to the same number
    (``0`` and ``0.0`` both match ``"0"`` or ``"0.0"``); a string matches itself only."""
    if isinstance(value, str) or isinstance(value, bool):
        return value if isinstance(value, str) else str(value).lower()
    same = []
    for c in pc.feasible_values:
        try:
            if math.isclose(float(c), float(value), rel_tol=0.0, abs_tol=0.0):
                same.append(c)
        except ValueError:
            continue
    if len(same) == 1:
        return same[0]
    if len(same) > 1:
        raise ListPointOutOfRange(f"{value!r} matches several categories {same} of parameter {pc.name!r}")
    return str(value)  # no match: contains() rejects it with the usual message


def _check_point(space: vz.SearchSpace, point: ListPoint) -> dict[str, Any]:
    """The point restricted to the search space, each value checked with Vizier's own ``contains``."""
    params: dict[str, Any] = {}
    for pc in space.parameters:
        if pc.name not in point.params:
            raise ListPointOutOfRange(f"list point {point.index} has no value for parameter {pc.name!r}")
        value = point.params[pc.name]
        if pc.type == vz.ParameterType.INTEGER and isinstance(value, float) and value.is_integer():
            value = int(value)
        if pc.type == vz.ParameterType.CATEGORICAL:
            try:
                value = _category(pc, value)
            except ListPointOutOfRange as exc:
                raise ListPointOutOfRange(f"list point {point.index}: {exc}") from None
        if not pc.contains(value):
            raise ListPointOutOfRange(
                f"list point {point.index}, parameter {pc.name!r}: {value!r} is outside {pc.type.name} "
                f"{pc.bounds if pc.type in (vz.ParameterType.DOUBLE, vz.ParameterType.INTEGER) else pc.feasible_values}"
            )
        params[pc.name] = value
    return params


def request_list(study: clients.Study, points: Sequence[ListPoint]) -> int:
    """Queue every list point as a REQUESTED trial so that clients get them in list order; returns how
    many were queued.

    Points are restricted to the study's search space (materialised lists carry extra values such as
    ``epsilon``; they go, with the list's NAdamW variant, into the trial metadata ``nadir_list_attrs``, so
    list and non-list trials carry the same parameters); a point that misses a search-space parameter or
    has a value outside it raises :class:`ListPointOutOfRange` before anything is queued. A number matches
    the categorical value that denotes it (``0.0`` the category ``"0"``). Points of the same list (same
    digest) already in the study are skipped, so re-running the injection is harmless; run it from one
    process (Vizier has no atomic check-and-insert), and let any number of workers ``suggest``.

    Order: Vizier's service hands the REQUESTED pool out last-created first (``requested_trials.pop()``
    in ``SuggestTrials``, over the datastore's creation order), so the points are requested in reverse:
    the first ``suggest`` gets point 0, and a budget of 3 trials runs the list's first 3 points. Trial ids
    therefore run backwards over the list; the list index is in each trial's metadata.
    """
    if not points:
        raise ValueError("points must be non-empty")
    variants = {p.variant for p in points}
    if len(variants) > 1:
        raise ValueError(f"the points mix NAdamW variants {sorted(map(str, variants))}; use one list")
    space = study.materialize_problem_statement().search_space
    names = [pc.name for pc in space.parameters]
    checked = [(p, _check_point(space, p)) for p in points]
    digest = list_digest(points)[:16]
    present = {
        t.metadata.get(INDEX_KEY)
        for t in study.trials().get()
        if t.metadata.get(DIGEST_KEY) == digest
    }
    variant = points[0].variant
    if variant is not None:
        study.update_metadata(vz.Metadata({VARIANT_KEY: variant}))
    queued = 0
    for point, params in reversed(checked):
        if str(point.index) in present:
            continue
        _, attrs = split_point(point, names)
        md = vz.Metadata({INDEX_KEY: str(point.index), DIGEST_KEY: digest,
                          ATTRS_KEY: json.dumps(attrs, sort_keys=True, allow_nan=False)})
        study.request(vz.TrialSuggestion(parameters=params, metadata=md))
        queued += 1
    return queued


def list_attrs(trial: clients.Trial | vz.Trial, study: clients.Study | None = None) -> dict[str, Any]:
    """A list trial's list attributes (``index``, ``variant``, ``extras``); for another trial of a study a
    list was queued into, ``{"variant": v}`` (``study`` needed for a ``vz.Trial``); else ``{}``. Pass them
    to ``optimizer_spec_from_point(params, steps, list_attrs=...)``."""
    if isinstance(trial, clients.Trial):
        study = trial.study if study is None else study
        trial = trial.materialize()
    raw = trial.metadata.get(ATTRS_KEY)
    if raw is not None:
        return dict(json.loads(raw))
    if study is not None:
        variant = study.materialize_study_config().metadata.get(VARIANT_KEY)
        if variant is not None:
            return {"variant": variant}
    return {}


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
    not written before, so several calls never duplicate a row. A recorder started again on an existing
    file reads the trials of this study it already holds, so a restarted process does not write them
    twice; a last line cut short by a crash (no newline) is removed first and that trial written again.
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
        self._written: set[int] = self._already_written()

    def _already_written(self) -> set[int]:
        if not self._path.exists():
            return set()
        data = self._path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):
            # One os.write per record: a line without its newline is a write the crash cut short.
            with open(self._path, "r+b") as fh:
                fh.truncate(end)
                os.fsync(fh.fileno())
        done: set[int] = set()
        for n, line in enumerate(data[:end].decode("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise AdapterError(f"{self._path}:{n}: not a JSON line ({exc.msg}); not appending to it") from None
            if row.get("source") == "vizier" and row.get("study") == self._name and isinstance(row.get("trial"), int):
                done.add(row["trial"])
        return done

    @property
    def written(self) -> frozenset[int]:
        """Ids of the trials this file holds for the study."""
        return frozenset(self._written)

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
