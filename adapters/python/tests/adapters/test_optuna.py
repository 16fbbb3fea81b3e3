"""Optuna adapter against the real Optuna: list parsing, ListSampler, enqueue_list, callback and export."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import optuna
import pytest
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState

from nadir_worker.adapters import ListFormatError, TrialRecord, load_list, records_to_csv
from nadir_worker.adapters.optuna import (
    ListPointOutOfRange,
    ListSampler,
    NadirCallback,
    StudyNotFound,
    enqueue_list,
    export_study,
    main,
    open_storage,
    trial_to_record,
)

optuna.logging.set_verbosity(optuna.logging.WARNING)

POINTS = [
    {"learning_rate": 0.001, "weight_decay": 0.1, "dropout_rate": 0.0},
    {"learning_rate": 0.003, "weight_decay": 0.05, "dropout_rate": 0.1},
    {"learning_rate": 0.0005, "weight_decay": 0.2, "dropout_rate": 0.0},
]


def objective(trial: optuna.Trial) -> float:
    lr = trial.suggest_float("learning_rate", 1e-5, 1.0, log=True)
    wd = trial.suggest_float("weight_decay", 0.0, 1.0)
    dr = trial.suggest_categorical("dropout_rate", [0.0, 0.1])
    for step in (1, 2, 3):
        trial.report(lr * step + wd, step)
    return math.log10(lr) + wd + dr


# ------------------------------------------------------------------------------------------------- lists


def test_load_list_accepts_flat_and_nested_shapes(tmp_path: Path) -> None:
    flat = load_list(POINTS)
    nested = load_list({"points": [{"index": i, "params": p} for i, p in enumerate(POINTS)]})
    f = tmp_path / "l.json"
    f.write_text(json.dumps(POINTS))
    from_file = load_list(str(f))
    for pts in (flat, nested, from_file):
        assert [p.index for p in pts] == [0, 1, 2]
        assert [dict(p.params) for p in pts] == POINTS


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([], "no points"),
        ({"nope": []}, "expected a JSON array"),
        ([{"lr": float("nan")}], "finite"),
        ([{"lr": [1, 2]}], "type list"),
        ([{}], "non-empty object"),
        ({"points": [{"index": 0, "params": {"a": 1}}, {"index": 0, "params": {"a": 2}}]}, "appears twice"),
        ({"points": [{"index": -1, "params": {"a": 1}}]}, "non-negative"),
        ("[1, 2", "not valid JSON"),
    ],
)
def test_load_list_rejects_bad_shapes(bad: object, message: str) -> None:
    with pytest.raises(ListFormatError, match=message):
        load_list(bad)


def test_load_list_missing_file_is_a_list_error(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="cannot read list file"):
        load_list(tmp_path / "absent.json")


# ----------------------------------------------------------------------------------------------- sampler


def test_list_sampler_replays_then_defers_to_base() -> None:
    pts = load_list(POINTS)
    study = optuna.create_study(sampler=ListSampler(pts, optuna.samplers.TPESampler(seed=1)))
    study.optimize(objective, n_trials=6)
    trials = study.trials
    for k, point in enumerate(POINTS):
        assert trials[k].params == point
        assert trials[k].system_attrs["nadir_list_index"] == k
    # After the list, TPE samples: the parameters differ from every list point and carry no index.
    for t in trials[3:]:
        assert t.params not in POINTS
        assert "nadir_list_index" not in t.system_attrs


def test_list_sampler_point_outside_space_fails_the_trial_with_a_precise_message() -> None:
    pts = load_list([{"learning_rate": 5.0, "weight_decay": 0.1, "dropout_rate": 0.0}])
    study = optuna.create_study(sampler=ListSampler(pts))
    with pytest.raises(ListPointOutOfRange, match="list point 0, parameter 'learning_rate': 5.0 is outside"):
        study.optimize(objective, n_trials=1)
    assert study.trials[0].state == TrialState.FAIL


def test_list_sampler_rejects_value_not_in_choices() -> None:
    pts = load_list([{"learning_rate": 0.01, "weight_decay": 0.1, "dropout_rate": 0.3}])
    study = optuna.create_study(sampler=ListSampler(pts))
    with pytest.raises(ListPointOutOfRange, match=r"0.3 is not one of the choices \[0.0, 0.1\]"):
        study.optimize(objective, n_trials=1)


def test_list_sampler_validates_arguments() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        ListSampler([])
    with pytest.raises(ValueError, match="first_trial_number"):
        ListSampler(load_list(POINTS), first_trial_number=-1)


# ---------------------------------------------------------------------------------------------- enqueue


def test_enqueue_list_first_trials_are_the_points_and_is_idempotent() -> None:
    pts = load_list(POINTS)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    first = enqueue_list(study, pts)
    again = enqueue_list(study, pts)
    assert (first.owner, first.enqueued) == (True, 3)
    assert (again.owner, again.enqueued) == (False, 0)
    study.optimize(objective, n_trials=5)
    assert [t.params for t in study.trials[:3]] == POINTS
    assert [t.user_attrs["nadir_list_index"] for t in study.trials[:3]] == [0, 1, 2]
    assert all("nadir_list_index" not in t.user_attrs for t in study.trials[3:])


def test_enqueue_list_skips_points_already_in_the_study() -> None:
    study = optuna.create_study()
    study.enqueue_trial(POINTS[1])
    res = enqueue_list(study, load_list(POINTS))
    assert res.enqueued == 2
    assert len(study.trials) == 3


def test_enqueue_list_times_out_when_the_owner_never_finishes(tmp_path: Path) -> None:
    from nadir_worker.adapters._common import list_digest
    from nadir_worker.adapters.optuna import LOCK_STUDY_MARKER, ListInjectionTimeout

    pts = load_list(POINTS)
    storage = f"sqlite:///{tmp_path / 's.db'}"
    study = optuna.create_study(study_name="s", storage=storage)
    # Another worker claimed the injection and died before marking it done.
    optuna.create_study(study_name=f"s{LOCK_STUDY_MARKER}{list_digest(pts)[:16]}", storage=storage)
    with pytest.raises(ListInjectionTimeout, match="not marked done within 0.3 s"):
        enqueue_list(study, pts, wait_timeout=0.3, poll_interval=0.05)


# ------------------------------------------------------------------------------------ callback and export


def _run_study(storage: str | optuna.storages.BaseStorage, out: Path) -> optuna.Study:
    study = optuna.create_study(study_name="exp", storage=storage, direction="maximize")
    enqueue_list(study, load_list(POINTS))

    def obj(trial: optuna.Trial) -> float:
        v = objective(trial)
        if trial.number == 3:
            raise optuna.TrialPruned()
        if trial.number == 4:
            raise RuntimeError("boom")
        return v

    study.optimize(obj, n_trials=6, callbacks=[NadirCallback(out)], catch=(RuntimeError,))
    return study


@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_callback_records_equal_export_of_the_stored_study(tmp_path: Path, kind: str) -> None:
    out = tmp_path / "trials.jsonl"
    if kind == "sqlite":
        storage: str | optuna.storages.BaseStorage = f"sqlite:///{tmp_path / 'e.db'}"
    else:
        storage = optuna.storages.JournalStorage(JournalFileBackend(str(tmp_path / "e.log")))
    study = _run_study(storage, out)
    # A fresh handle, as another process would open it.
    if kind == "sqlite":
        reopen = open_storage(storage=str(storage))
    else:
        reopen = open_storage(journal=str(tmp_path / "e.log"))
    streamed = [json.loads(line) for line in out.read_text().splitlines()]
    exported = [r.to_json_dict() for r in export_study(reopen, "exp")]
    assert streamed == exported
    assert [r["state"] for r in exported] == ["COMPLETED"] * 3 + ["PRUNED", "FAILED", "COMPLETED"]
    assert [r["source_state"] for r in exported] == ["COMPLETE"] * 3 + ["PRUNED", "FAIL", "COMPLETE"]
    assert [r["list_index"] for r in exported] == [0, 1, 2, None, None, None]
    for r, t in zip(exported, study.trials):
        assert r["params"] == t.params
        assert r["value"] == t.value
        assert r["intermediate"] == [[s, v] for s, v in sorted(t.intermediate_values.items())]
        assert r["param.learning_rate"] == t.params["learning_rate"]
    # Optuna gives a pruned trial its last reported value (a right-censored observation in Nadir);
    # the failed one has no value but keeps the series it reported before failing.
    assert exported[3]["value"] == exported[3]["intermediate"][-1][1]
    assert len(exported[3]["intermediate"]) == 3
    assert exported[4]["value"] is None and len(exported[4]["intermediate"]) == 3


def test_trial_to_record_multi_objective_and_nonfinite() -> None:
    study = optuna.create_study(directions=["minimize", "maximize"])
    study.add_trial(optuna.trial.create_trial(
        params={"x": 1.0}, distributions={"x": optuna.distributions.FloatDistribution(0, 2)},
        values=[float("inf"), 2.0]))
    rec = trial_to_record("m", study.trials[0])
    d = rec.to_json_dict()
    assert d["value"] == "Infinity" and d["values"] == ["Infinity", 2.0]


def test_records_to_csv_columns() -> None:
    recs = [
        TrialRecord("optuna", "s", 0, "COMPLETED", "COMPLETE", 0.5, {"a": 1.5, "b": "x"}, list_index=0),
        TrialRecord("optuna", "s", 1, "FAILED", "FAIL", None, {"a": 2.0, "c": True}),
    ]
    lines = records_to_csv(recs).splitlines()
    assert lines[0] == ("source,study,trial,state,source_state,value,list_index,started,completed,"
                        "param.a,param.b,param.c")
    assert lines[1] == "optuna,s,0,COMPLETED,COMPLETE,0.5,0,,,1.5,x,"
    assert lines[2] == "optuna,s,1,FAILED,FAIL,,,,,2.0,,true"


def test_record_rejects_unknown_state() -> None:
    with pytest.raises(ValueError, match="unknown Nadir state"):
        TrialRecord("optuna", "s", 0, "DONE", "COMPLETE", 1.0, {})


# ------------------------------------------------------------------------------------------------- CLI


def test_cli_export_jsonl_csv_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.db"
    _run_study(f"sqlite:///{db}", tmp_path / "t.jsonl")
    out = tmp_path / "o.csv"
    assert main(["export", "--storage", f"sqlite:///{db}", "--study", "exp", "--format", "csv", "--out", str(out)]) == 0
    rows = out.read_text().splitlines()
    assert len(rows) == 7 and rows[0].startswith("source,study,trial,state")
    assert main(["export", "--storage", f"sqlite:///{db}", "--study", "missing"]) == 1
    assert "no study named 'missing'; the storage has ['exp']" in capsys.readouterr().err
    assert main(["export", "--storage", f"sqlite:///{tmp_path / 'absent.db'}", "--study", "exp"]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "absent.db").exists()  # the import must not create an empty database
    assert main(["export", "--study", "exp"]) == 2  # neither --storage nor --journal
    assert main(["list-studies", "--storage", f"sqlite:///{db}"]) == 0
    assert capsys.readouterr().out == "exp\n"


def test_cli_as_module_subprocess(tmp_path: Path) -> None:
    log = tmp_path / "j.log"
    _run_study(optuna.storages.JournalStorage(JournalFileBackend(str(log))), tmp_path / "t.jsonl")
    proc = subprocess.run(
        [sys.executable, "-m", "nadir_worker.adapters.optuna", "export", "--journal", str(log), "--study", "exp"],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == (tmp_path / "t.jsonl").read_text().splitlines()


def test_open_storage_argument_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        open_storage()
    with pytest.raises(ValueError, match="exactly one"):
        open_storage("sqlite:///x.db", "j.log")
    with pytest.raises(FileNotFoundError, match="journal file"):
        open_storage(journal=str(tmp_path / "nope.log"))
    with pytest.raises(StudyNotFound):
        export_study(optuna.storages.InMemoryStorage(), "x")


# ------------------------------------------------------------------------------------------------ sqlite


def _claim_race(db: Path, serialize: bool) -> list[bool]:
    """Two storages (two connections, as two worker processes have) claim the same WAITING trial; the
    second claim is made while the first sits between its read of the state and its write."""
    import threading

    from sqlalchemy import event

    from nadir_worker.adapters.optuna import serialize_sqlite

    optuna.create_study(study_name="s", storage=f"sqlite:///{db}").enqueue_trial({"x": 1.0})
    a = optuna.storages.RDBStorage(f"sqlite:///{db}", engine_kwargs={"connect_args": {"timeout": 30}})
    b = optuna.storages.RDBStorage(f"sqlite:///{db}", engine_kwargs={"connect_args": {"timeout": 30}})
    if serialize:
        assert serialize_sqlite(a) and serialize_sqlite(b)
    trial_id = a.get_all_trials(a.get_study_id_from_name("s"))[0]._trial_id
    results: dict[str, bool] = {}
    b_done = threading.Event()

    def claim_b() -> None:
        results["b"] = b.set_trial_state_values(trial_id, TrialState.RUNNING)
        b_done.set()

    def before_update(conn, cursor, statement, *_):  # noqa: ANN001 - SQLAlchemy event signature
        if statement.lstrip().upper().startswith("UPDATE TRIALS") and "b" not in results:
            threading.Thread(target=claim_b).start()
            # Serialised, b must block on the write lock that a holds; unserialised it finishes.
            b_done.wait(1.0)

    event.listen(a.engine, "before_cursor_execute", before_update)
    results["a"] = a.set_trial_state_values(trial_id, TrialState.RUNNING)
    assert b_done.wait(30)
    return [results["a"], results["b"]]


def test_serialize_sqlite_makes_the_waiting_trial_claim_exclusive(tmp_path: Path) -> None:
    # Without it both connections read WAITING and both "win": two workers run one trial (the parallel
    # test's lost trial). With it exactly one claim succeeds.
    assert _claim_race(tmp_path / "plain.db", serialize=False) == [True, True]
    assert sorted(_claim_race(tmp_path / "serial.db", serialize=True)) == [False, True]


def test_serialize_sqlite_only_touches_file_sqlite(tmp_path: Path) -> None:
    from nadir_worker.adapters.optuna import serialize_sqlite, sqlite_storage

    assert not serialize_sqlite(optuna.storages.InMemoryStorage())
    assert not serialize_sqlite(optuna.storages.RDBStorage("sqlite:///:memory:"))
    journal = optuna.storages.JournalStorage(JournalFileBackend(str(tmp_path / "j.log")))
    assert not serialize_sqlite(journal)
    st = sqlite_storage(tmp_path / "s.db")
    assert serialize_sqlite(st)  # idempotent
    # The study's cached wrapper is unwrapped, and enqueue_list serialises the storage it is given.
    study = optuna.create_study(storage=f"sqlite:///{tmp_path / 'e.db'}")
    enqueue_list(study, load_list(POINTS))
    assert getattr(study._storage._backend.engine, "_nadir_begin_immediate", False)  # noqa: SLF001
    with pytest.raises(ValueError):
        sqlite_storage(tmp_path / "t.db", timeout=0)
