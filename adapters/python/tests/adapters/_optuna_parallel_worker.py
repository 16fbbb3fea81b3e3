"""One of several concurrent Optuna workers for test_optuna_parallel.py (run as a separate process).

argv: STORAGE_KIND(journal|sqlite|fresh-sqlite) STORAGE_PATH STUDY LIST_JSON N_TRIALS READY_FILE GO_FILE MODE(enqueue|sampler)

The worker signals READY_FILE, waits for GO_FILE (so all workers hit the injection at the same moment),
then opens the shared study, injects the list and runs N_TRIALS trials of a cheap deterministic objective.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import optuna

from nadir_worker.adapters import load_list
from nadir_worker.adapters.optuna import ListSampler, enqueue_list, open_study


def main() -> None:
    kind, path, study_name, list_json, n_trials, ready, go, mode = sys.argv[1:9]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    points = load_list(Path(list_json))
    if kind == "journal":
        from optuna.storages.journal import JournalFileBackend

        storage: optuna.storages.BaseStorage | None = optuna.storages.JournalStorage(JournalFileBackend(path))
    elif kind == "fresh-sqlite":
        storage = None  # nothing exists yet: open_study creates the database, schema and study
    else:
        storage = optuna.storages.RDBStorage(
            f"sqlite:///{path}", engine_kwargs={"connect_args": {"timeout": 60}}
        )
    Path(ready).touch()
    deadline = time.monotonic() + 60
    while not Path(go).exists():
        if time.monotonic() > deadline:
            raise SystemExit("GO file never appeared")
        time.sleep(0.005)
    base = optuna.samplers.RandomSampler()
    sampler = ListSampler(points, base) if mode == "sampler" else base
    if storage is None:
        study = open_study(path, study_name, sampler=sampler)
    else:
        study = optuna.create_study(study_name=study_name, storage=storage, sampler=sampler, load_if_exists=True)
    if mode == "enqueue":
        enqueue_list(study, points, wait_timeout=60)

    def objective(trial: optuna.Trial) -> float:
        lr = trial.suggest_float("learning_rate", 1e-5, 1.0, log=True)
        wd = trial.suggest_float("weight_decay", 0.0, 1.0)
        time.sleep(0.02)  # long enough that the workers' trials overlap
        return lr + wd

    study.optimize(objective, n_trials=int(n_trials))


if __name__ == "__main__":
    main()
