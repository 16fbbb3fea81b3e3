"""Adapters between Nadir and existing HPO frameworks.

Each framework module imports its framework, so import the one you need (with its extra installed):
``nadir_worker.adapters.optuna`` (extra ``optuna``), ``nadir_worker.adapters.ray_tune`` (extra ``ray``),
``nadir_worker.adapters.vizier`` (extra ``vizier``). Framework-neutral pieces (list parsing, trial
records, errors, the base classes an adapter implements) are re-exported here and need nothing beyond
the SDK. ``nadir_worker.adapters.suggester`` holds the external-suggester side (``SuggestionAlgorithm``,
``SuggesterPeer``); the guide for writing an adapter is ``adapters/README.md``.
"""

from ._common import (
    DEFAULT_VARIANT,
    LIST_ATTRS_KEY,
    NADIR_STATES,
    VARIANTS,
    AdapterError,
    ListCommandError,
    ListFormatError,
    ListInjector,
    ListPoint,
    TrialExporter,
    TrialRecord,
    append_jsonl,
    list_digest,
    list_from_cli,
    load_list,
    optimizer_spec_from_point,
    records_to_csv,
    records_to_jsonl,
    split_point,
)

__all__ = [
    "DEFAULT_VARIANT",
    "LIST_ATTRS_KEY",
    "NADIR_STATES",
    "VARIANTS",
    "AdapterError",
    "ListCommandError",
    "ListFormatError",
    "ListInjector",
    "ListPoint",
    "TrialExporter",
    "TrialRecord",
    "append_jsonl",
    "list_digest",
    "list_from_cli",
    "load_list",
    "optimizer_spec_from_point",
    "records_to_csv",
    "records_to_jsonl",
    "split_point",
]
