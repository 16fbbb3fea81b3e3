"""Framework-neutral pieces shared by the Optuna, Ray Tune and Vizier adapters.

Three things live here so that every adapter behaves the same way:

* **Lists**: :func:`load_list` parses the JSON that ``nadir lists show <name> --steps S --json`` prints
  (or any list of flat hyperparameter dicts, the AlgoPerf list form), and :func:`list_from_cli` runs
  that command. The list's numbers are never duplicated in Python: they come from ``@nadir/core``.
* **Trial records**: :class:`TrialRecord` is the one row format that adapters write and that
  ``nadir analyze`` reads (JSON Lines or CSV, the metric column named by ``--metric``).
* **Errors**: every failure an adapter detects is an :class:`AdapterError` subclass with a precise
  message.
"""

from __future__ import annotations

import abc
import csv
import dataclasses
import hashlib
import io
import json
import math
import os
import shlex
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Union

__all__ = [
    "AdapterError",
    "ListFormatError",
    "ListCommandError",
    "ListPoint",
    "ParamValue",
    "TrialRecord",
    "NADIR_STATES",
    "load_list",
    "list_from_cli",
    "list_digest",
    "append_jsonl",
    "records_to_jsonl",
    "records_to_csv",
    "optimizer_spec_from_point",
    "ListInjector",
    "TrialExporter",
    "LIST_ATTRS_KEY",
    "VARIANTS",
    "DEFAULT_VARIANT",
    "split_point",
]

#: A hyperparameter value as lists and trial records carry it.
ParamValue = Union[float, int, str, bool]

#: Nadir's trial states (protocol ``TrialState`` without the ``TRIAL_STATE_`` prefix), in proto order.
NADIR_STATES = (
    "QUEUED",
    "RUNNING",
    "PAUSED",
    "STOPPING",
    "COMPLETED",
    "PRUNED",
    "FAILED",
    "PREEMPTED",
    "INFEASIBLE",
    "DIVERGED",
    "ABANDONED",
)


class AdapterError(Exception):
    """Base class of every error raised by a Nadir adapter."""


class ListFormatError(AdapterError, ValueError):
    """The list JSON does not have the documented shape (the message says where and why)."""


class ListCommandError(AdapterError, RuntimeError):
    """``nadir lists show`` could not be run or exited with an error."""


#: The NAdamW update rules a list can have been tuned with (they differ only in the Nesterov bias
#: correction: optax ``nadamw`` vs the AlgoPerf/init2winit ``scale_by_nadam``).
VARIANTS = ("optax", "algoperf")
#: The rule a trial trains when neither it nor its list names one: the protocol's default
#: (``OptimizerDefaults.variant``), which is also what a Nadir coordinator uses.
DEFAULT_VARIANT = "algoperf"
#: Name of the trial attribute (Optuna user attribute, Ray config entry, Vizier metadata) that holds what
#: a list point carries besides the searched parameters: ``index``, ``variant``, ``extras``.
LIST_ATTRS_KEY = "nadir_list"


@dataclasses.dataclass(frozen=True)
class ListPoint:
    """One point of a hyperparameter list.

    Attributes:
        index: 0-based position in the list (lists are ordered: the first K points are the list for K
            trials).
        params: hyperparameter name -> value, already materialised for the step budget.
        variant: the NAdamW update rule the list was tuned with (one of :data:`VARIANTS`), or ``None``
            for a list that does not say (a hand-written list). Training a point with the other rule is
            not the point the list measured: Medapati et al. (2025) tuned with optax's rule, the AlgoPerf
            baseline with init2winit's, and the first steps differ by a factor ``1/(1-b1^(t+1))``.
    """

    index: int
    params: Mapping[str, ParamValue]
    variant: str | None = None


def _check_value(where: str, name: str, value: Any) -> ParamValue:
    # bool is a subclass of int: accept it as itself, never as a number.
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ListFormatError(f"{where}: parameter {name!r} is {value}, expected a finite number")
        return value
    raise ListFormatError(
        f"{where}: parameter {name!r} has type {type(value).__name__}, expected a number, string or bool"
    )


def _parse_point(where: str, index: int, raw: Any) -> ListPoint:
    if not isinstance(raw, dict):
        raise ListFormatError(f"{where}: expected an object, got {type(raw).__name__}")
    params: Any = raw
    # The materialised form nests the values next to the point's metadata; the AlgoPerf form is flat.
    for key in ("params", "parameters", "hyperparameters"):
        if key in raw:
            params = raw[key]
            declared = raw.get("index", index)
            if isinstance(declared, bool) or not isinstance(declared, int) or declared < 0:
                raise ListFormatError(f"{where}: 'index' must be a non-negative integer, got {declared!r}")
            index = declared
            break
    if not isinstance(params, dict) or not params:
        raise ListFormatError(f"{where}: expected a non-empty object of hyperparameters")
    checked = {}
    for name, value in params.items():
        if not isinstance(name, str) or not name:
            raise ListFormatError(f"{where}: parameter names must be non-empty strings")
        checked[name] = _check_value(where, name, value)
    return ListPoint(index=index, params=checked)


#: Keys of a ``nadir lists show --json`` point that describe the point rather than set a hyperparameter.
_POINT_METADATA = ("id", "note")


def _from_materialised(configs: Any) -> list[ListPoint]:
    """The ``configs`` array of ``nadir lists show <name> --steps S --json``: one object per point with
    ``point`` (1-based id), ``warmup_steps``, ``cosine_steps`` and ``hyperparameters``. The step counts
    are what the step budget materialises to, so they travel with the point (trainers use them as is)."""
    if not isinstance(configs, list) or not configs:
        raise ListFormatError("'configs' must be a non-empty array")
    points = []
    for i, c in enumerate(configs):
        where = f"config {i}"
        if not isinstance(c, dict) or not isinstance(c.get("hyperparameters"), dict):
            raise ListFormatError(f"{where}: expected an object with a 'hyperparameters' object")
        pid = c.get("point", i + 1)
        if isinstance(pid, bool) or not isinstance(pid, int) or pid < 1:
            raise ListFormatError(f"{where}: 'point' must be a positive integer (1-based), got {pid!r}")
        raw = dict(c["hyperparameters"])
        for key in ("warmup_steps", "cosine_steps"):
            if key in c:
                raw[key] = c[key]
        points.append(_parse_point(where, pid - 1, {"index": pid - 1, "params": raw}))
    return points


def _strip_metadata(where: str, raw: Any) -> Any:
    # A flat point of `nadir lists show` carries its 1-based id and a note next to the hyperparameters.
    if not isinstance(raw, dict) or "id" not in raw or any(k in raw for k in ("params", "parameters", "hyperparameters")):
        return raw
    pid = raw["id"]
    if isinstance(pid, bool) or not isinstance(pid, int) or pid < 1:
        raise ListFormatError(f"{where}: 'id' must be a positive integer (1-based), got {pid!r}")
    return {"index": pid - 1, "params": {k: v for k, v in raw.items() if k not in _POINT_METADATA}}


def load_list(source: Any) -> list[ListPoint]:
    """Parse a hyperparameter list.

    Accepted shapes (``source`` is the parsed JSON, a JSON string, or a path to a JSON file):

    * ``[{"learning_rate": 0.001, ...}, ...]``: the AlgoPerf list form, one flat object per point;
    * what ``nadir lists show <name> --steps S --json`` prints: the ``configs`` array is used, each
      point's materialised ``hyperparameters`` (``learning_rate``, ``beta1``, ``beta2``, ``epsilon``,
      ``weight_decay``, ...) plus its ``warmup_steps`` and ``cosine_steps`` for that step budget; index
      ``k`` is point id ``k + 1``;
    * ``{"points": [...]}`` (``nadir lists show`` without ``--steps``, or hand-written), each point either
      flat (a 1-based ``id`` gives the index; ``id`` and ``note`` are not hyperparameters) or
      ``{"index": i, "params": {...}}`` (``parameters`` / ``hyperparameters`` are accepted as the key).

    An object's top-level ``variant`` (``nadir lists show`` prints the rule the list was tuned with) is
    kept on every point (:attr:`ListPoint.variant`), so every adapter trains the list with its own rule.

    Returns the points in list order. Raises :class:`ListFormatError` for any other shape, for a
    non-finite number, an empty list, repeated indices, or an unknown variant.
    """
    if isinstance(source, (str, os.PathLike)):
        text = str(source)
        if isinstance(source, os.PathLike) or not text.lstrip().startswith(("[", "{")):
            try:
                with open(source, encoding="utf-8") as fh:
                    text = fh.read()
            except OSError as exc:
                raise ListFormatError(f"cannot read list file {str(source)!r}: {exc.strerror}") from exc
        try:
            source = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ListFormatError(f"list is not valid JSON: {exc}") from exc
    raw_points: Any
    variant = source.get("variant") if isinstance(source, dict) else None
    if variant is not None and variant not in VARIANTS:
        raise ListFormatError(f"'variant' must be one of {list(VARIANTS)}, got {variant!r}")
    if isinstance(source, dict) and "configs" in source:
        points = _from_materialised(source["configs"])
    else:
        if isinstance(source, list):
            raw_points = source
        elif isinstance(source, dict) and isinstance(source.get("points"), list):
            raw_points = source["points"]
        else:
            raise ListFormatError("expected a JSON array of points or an object with a 'points' array")
        if not raw_points:
            raise ListFormatError("the list has no points")
        points = [_parse_point(f"point {i}", i, _strip_metadata(f"point {i}", raw)) for i, raw in enumerate(raw_points)]
    seen: set[int] = set()
    for p in points:
        if p.index in seen:
            raise ListFormatError(f"index {p.index} appears twice in the list")
        seen.add(p.index)
    if variant is not None:
        points = [dataclasses.replace(p, variant=variant) for p in points]
    return points


def list_from_cli(name: str, steps: int, nadir: str | Sequence[str] = "nadir", timeout: float = 60.0) -> list[ListPoint]:
    """Run ``nadir lists show <name> --steps <steps> --json`` and parse its output with :func:`load_list`.

    ``nadir`` is the command to run: a path, a command name on PATH, or an argv prefix such as
    ``["node", "packages/cli/dist/bin.js"]`` (a string with spaces is split like a shell would).
    """
    if not isinstance(steps, int) or isinstance(steps, bool) or steps <= 0:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if not name:
        raise ValueError("list name must be non-empty")
    prefix = shlex.split(nadir) if isinstance(nadir, str) else list(nadir)
    argv = [*prefix, "lists", "show", name, "--steps", str(steps), "--json"]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ListCommandError(f"cannot run {shlex.join(argv)}: {exc}") from exc
    if proc.returncode != 0:
        raise ListCommandError(
            f"{shlex.join(argv)} exited with {proc.returncode}: {proc.stderr.strip()[:500]}"
        )
    return load_list(proc.stdout)


def list_digest(points: Sequence[ListPoint]) -> str:
    """Hex SHA-256 of the list's canonical JSON (sorted keys): the identity used to inject a list once.
    A point's variant is part of it when set (the same numbers under another update rule are another list)."""
    canon = json.dumps(
        [{"index": p.index, "params": dict(p.params), **({"variant": p.variant} if p.variant else {})} for p in points],
        sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


@dataclasses.dataclass
class TrialRecord:
    """One finished (or current) trial of a framework, in the row format ``nadir analyze`` reads.

    Attributes:
        source: the framework (``"optuna"``, ``"ray"``, ``"vizier"``).
        study: the framework's study / experiment name.
        trial: the framework's trial number (Optuna ``number``; 0-based).
        state: Nadir's state name (one of :data:`NADIR_STATES`).
        source_state: the framework's own state name, kept so nothing is lost in the mapping.
        value: the objective (first objective of a multi-objective study); ``None`` if the trial has none.
        params: hyperparameter name -> value (external representation).
        list_index: position in the injected list, ``None`` for points that did not come from a list.
        intermediate: ``[[step, value], ...]`` in step order.
        started / completed: ISO-8601 UTC timestamps with microseconds, or ``None``.
        values: every objective when there are several.
    """

    source: str
    study: str
    trial: int
    state: str
    source_state: str
    value: float | None
    params: dict[str, ParamValue]
    list_index: int | None = None
    intermediate: list[list[float]] = dataclasses.field(default_factory=list)
    started: str | None = None
    completed: str | None = None
    values: list[float] | None = None

    def __post_init__(self) -> None:
        if self.state not in NADIR_STATES:
            raise ValueError(f"unknown Nadir state {self.state!r}")

    def to_json_dict(self) -> dict[str, Any]:
        """The record as a JSON object: fixed keys first, then ``param.<name>`` columns (flat, so the
        same row works as CSV), then nested ``params`` for tools that prefer them."""
        out: dict[str, Any] = {
            "source": self.source,
            "study": self.study,
            "trial": self.trial,
            "state": self.state,
            "source_state": self.source_state,
            "value": _json_number(self.value),
            "list_index": self.list_index,
            "started": self.started,
            "completed": self.completed,
        }
        if self.values is not None:
            out["values"] = [_json_number(v) for v in self.values]
        for name in sorted(self.params):
            out[f"param.{name}"] = self.params[name]
        out["params"] = {k: self.params[k] for k in sorted(self.params)}
        out["intermediate"] = [[int(s), _json_number(v)] for s, v in self.intermediate]
        return out


def _json_number(v: float | None) -> float | str | None:
    # JSON has no NaN/Inf; write them as strings that JavaScript's Number() parses back.
    if v is None:
        return None
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def records_to_jsonl(records: Iterable[TrialRecord]) -> str:
    """Serialise records as JSON Lines (one object per line, trailing newline)."""
    return "".join(json.dumps(r.to_json_dict(), allow_nan=False) + "\n" for r in records)


def records_to_csv(records: Sequence[TrialRecord]) -> str:
    """Serialise records as CSV: the fixed columns, then one ``param.<name>`` column per parameter seen.

    Intermediate values are left out (CSV has no room for a series); use JSON Lines to keep them.
    """
    fixed = ["source", "study", "trial", "state", "source_state", "value", "list_index", "started", "completed"]
    names = sorted({n for r in records for n in r.params})
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(fixed + [f"param.{n}" for n in names])
    for r in records:
        d = r.to_json_dict()
        row = ["" if d[k] is None else d[k] for k in fixed]
        row += ["" if n not in r.params else _csv_value(r.params[n]) for n in names]
        w.writerow(row)
    return buf.getvalue()


def _csv_value(v: ParamValue) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v) if isinstance(v, float) else str(v)


def append_jsonl(path: str | os.PathLike[str], record: TrialRecord) -> None:
    """Append one record to a JSON Lines file.

    One ``os.write`` of the whole line on a descriptor opened with ``O_APPEND``: several processes can
    append to the same local file without interleaving lines (POSIX appends are atomic per write).
    """
    line = (json.dumps(record.to_json_dict(), allow_nan=False) + "\n").encode("utf-8")
    fd = os.open(os.fspath(path), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        written = os.write(fd, line)
        if written != len(line):
            raise OSError(f"short write to {os.fspath(path)!r}: {written} of {len(line)} bytes")
    finally:
        os.close(fd)


def split_point(point: ListPoint, names: Iterable[str]) -> tuple[dict[str, ParamValue], dict[str, Any]]:
    """Split a list point into the framework's searched parameters and the point's list attributes.

    ``names`` are the parameters of the framework's search space. Returns ``(params, attrs)``: ``params``
    the point's values of those names (what the trial records as its parameters, so list and non-list
    trials carry the same names) and ``attrs`` = ``{"index": k, "variant": v, "extras": {...}}``, the
    point's position, update rule (left out when the list names none) and every materialised value that is
    not searched (``epsilon``, ``epsilon_root``, ``cosine_steps``, ...). Adapters store ``attrs`` under
    :data:`LIST_ATTRS_KEY` (an Optuna user attribute, a Ray config entry, Vizier metadata), and
    :func:`optimizer_spec_from_point` reads them back, so the trainer builds the list's exact optimizer.
    """
    wanted = set(names)
    params = {k: v for k, v in point.params.items() if k in wanted}
    attrs: dict[str, Any] = {"index": point.index}
    if point.variant is not None:
        attrs["variant"] = point.variant
    attrs["extras"] = {k: v for k, v in point.params.items() if k not in wanted}
    return params, attrs


def optimizer_spec_from_point(
    params: Mapping[str, Any],
    step_budget: int,
    *,
    variant: str | None = None,
    list_attrs: Mapping[str, Any] | None = None,
) -> Any:
    """The NAdamW :class:`~nadir_worker.config.OptimizerSpec` a materialised list point describes.

    ``params`` is one point of :func:`list_from_cli` (``learning_rate``, ``beta1``, ``beta2``, ``epsilon``,
    ``epsilon_root``, ``weight_decay``, ``warmup_steps``, ``dropout_rate``, ``label_smoothing``), or the
    same names as a framework handed them back; ``warmup_steps`` is used exactly as materialised for
    ``step_budget`` (linear warmup from 0, then cosine decay to 0 at ``step_budget``), so a trainer that
    builds its optimizer from this spec runs the list's exact configuration.

    ``list_attrs`` are the point's list attributes (:func:`split_point`; what the adapters store under
    :data:`LIST_ATTRS_KEY`); a ``params`` mapping that holds them under that key (a Ray Tune config) is
    read the same way. Their ``extras`` fill in values ``params`` lacks. The update rule is ``variant``
    when given, else the list's (``list_attrs["variant"]``), else :data:`DEFAULT_VARIANT`: a point of the
    Medapati et al. list trains optax's rule on every path without the trainer naming it.

    Raises ``KeyError`` for a missing ``learning_rate``/``beta1``/``beta2``/``warmup_steps``, ``ValueError``
    for an unknown variant and ``ConfigError`` for values the optimizer cannot take.
    """
    nested = params.get(LIST_ATTRS_KEY)
    attrs: Mapping[str, Any] = list_attrs if list_attrs is not None else nested if isinstance(nested, Mapping) else {}
    extras = attrs.get("extras") or {}
    params = {**extras, **{k: v for k, v in params.items() if k != LIST_ATTRS_KEY}}
    chosen = variant if variant is not None else attrs.get("variant") or DEFAULT_VARIANT
    if chosen not in VARIANTS:
        raise ValueError(f"variant must be one of {list(VARIANTS)}, got {chosen!r}")
    from ..config import NadamwSpec, OptimizerSpec, ScheduleKind, ScheduleSpec, Variant

    for key in ("learning_rate", "beta1", "beta2", "warmup_steps"):
        if key not in params:
            raise KeyError(f"list point has no {key!r} (has {sorted(params)})")
    return OptimizerSpec(
        nadamw=NadamwSpec(
            learning_rate=float(params["learning_rate"]),
            beta1=float(params["beta1"]),
            beta2=float(params["beta2"]),
            epsilon=float(params.get("epsilon", 1e-8)),
            epsilon_root=float(params.get("epsilon_root", 0.0)),
            weight_decay=float(params.get("weight_decay", 0.0)),
            variant=Variant(chosen),
        ),
        schedule=ScheduleSpec(
            kind=ScheduleKind.WARMUP_COSINE,
            warmup_steps=int(params["warmup_steps"]),
            total_steps=int(step_budget),
            warmup_fraction=float(params.get("warmup_fraction", 0.0)),
        ),
        dropout_rate=float(params.get("dropout_rate", 0.0)),
        label_smoothing=float(params.get("label_smoothing", 0.0)),
    )


class ListInjector(abc.ABC):
    """Direction 1 of an adapter: put a Nadir list into a framework's study so its first trials are the
    list points, each run once. Implemented by the Optuna (``enqueue_list`` / ``ListSampler``), Ray Tune
    (``ListSearcher``) and Vizier (``request_list``) adapters in their framework's own idiom; a new adapter
    can subclass this to state the contract explicitly."""

    @abc.abstractmethod
    def inject(self, points: Sequence[ListPoint]) -> int:
        """Queue ``points`` in list order; return how many were newly queued (0 when already injected).
        Must be idempotent for the same list and safe to call from every worker of a parallel study
        (or documented as "call from one process")."""


class TrialExporter(abc.ABC):
    """Direction 2 of an adapter: the framework's trials as :class:`TrialRecord` rows.

    ``records()`` returns every trial in the framework's order; a streaming adapter (a callback) calls
    :func:`append_jsonl` with each finished trial instead. Either way the rows are what ``nadir analyze``
    reads (``--metric value``)."""

    @abc.abstractmethod
    def records(self) -> list[TrialRecord]:
        """Every trial of the study, in the framework's trial order."""
