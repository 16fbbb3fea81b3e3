"""Parallel injection: 4 concurrent Optuna worker processes on one storage run each list point exactly once.

Each worker is a real process with its own storage handle; a GO file releases all four at the same moment,
so they race on study creation and on list injection. Checked on the journal file backend, on SQLite
created beforehand, and on a SQLite file that does not exist yet (``open_study``: the workers race on
creating the database itself), for both injection paths (enqueue_list and ListSampler).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import optuna
import pytest
from optuna.storages.journal import JournalFileBackend

from nadir_worker.adapters import load_list
from nadir_worker.adapters.optuna import LOCK_STUDY_MARKER, export_study

WORKER = Path(__file__).with_name("_optuna_parallel_worker.py")
N_WORKERS = 4
TRIALS_PER_WORKER = 4

# 7 distinct points (more than the 4 workers, so some workers must run two list points).
POINTS = [
    {"learning_rate": 10.0 ** (-1 - 0.5 * i), "weight_decay": round(0.05 * (i + 1), 2)} for i in range(7)
]


def _open(kind: str, path: Path) -> optuna.storages.BaseStorage:
    if kind == "journal":
        return optuna.storages.JournalStorage(JournalFileBackend(str(path)))
    return optuna.storages.RDBStorage(f"sqlite:///{path}")


@pytest.mark.parametrize("mode", ["enqueue", "sampler"])
@pytest.mark.parametrize("kind", ["journal", "sqlite", "fresh-sqlite"])
def test_four_workers_run_each_list_point_once(tmp_path: Path, kind: str, mode: str) -> None:
    list_file = tmp_path / "list.json"
    list_file.write_text(json.dumps({"points": [{"index": i, "params": p} for i, p in enumerate(POINTS)]}))
    store = tmp_path / ("journal.log" if kind == "journal" else "study.db")
    kind_open = "sqlite" if kind == "fresh-sqlite" else kind
    if kind == "sqlite":
        # SQLite's schema creation is not safe to race; a real deployment creates the storage once.
        optuna.create_study(study_name="par", storage=f"sqlite:///{store}")
    assert store.exists() == (kind == "sqlite")  # fresh-sqlite: the workers create the database
    go = tmp_path / "GO"
    procs = []
    for w in range(N_WORKERS):
        ready = tmp_path / f"ready-{w}"
        argv = [sys.executable, str(WORKER), kind, str(store), "par", str(list_file), str(TRIALS_PER_WORKER),
                str(ready), str(go), mode]
        procs.append(subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"ready-{w}").exists() for w in range(N_WORKERS)):
        assert time.monotonic() < deadline, "workers did not start"
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs if p.poll() is not None]
        time.sleep(0.01)
    go.touch()
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err

    records = export_study(_open(kind_open, store), "par")
    assert len(records) == N_WORKERS * TRIALS_PER_WORKER
    assert all(r.state == "COMPLETED" for r in records)
    indices = [r.list_index for r in records if r.list_index is not None]
    # Exactly once each: no point duplicated, none lost.
    assert Counter(indices) == Counter(range(len(POINTS)))
    # The first trials (by number) are the list points, in list order.
    first = records[: len(POINTS)]
    assert [r.list_index for r in first] == list(range(len(POINTS)))
    for r in first:
        assert r.params == POINTS[r.list_index]
    # No other trial happens to repeat a list point's parameters.
    point_keys = {tuple(sorted(p.items())) for p in POINTS}
    rest = [tuple(sorted(r.params.items())) for r in records[len(POINTS):]]
    assert not point_keys.intersection(rest)
    # The helper study that serialised the injection is gone: the storage holds the user's study only.
    names = [s.study_name for s in _open(kind_open, store).get_all_studies()]
    assert names == ["par"], names
    assert not [n for n in names if LOCK_STUDY_MARKER in n]


def test_list_json_round_trip_is_the_same_points() -> None:
    # The worker reads the list through load_list; this guards the shape the test writes.
    pts = load_list({"points": [{"index": i, "params": p} for i, p in enumerate(POINTS)]})
    assert [dict(p.params) for p in pts] == POINTS
