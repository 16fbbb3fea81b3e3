"""End to end with Optuna: a real Optuna study (SQLite storage) whose first trials are exactly the NAdamW list
as ``nadir lists show --steps`` materialises it, trained by the real digits MLP (examples/optuna), streamed
by NadirCallback, read back by ``nadir import optuna`` and analysed by the real ``nadir analyze``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import optuna

from _e2e import CLI, LIST_NAME, check_analyze, cli_list, load_example

STEPS = 100


def test_list_first_real_training_callback_import_and_analyze(tmp_path: Path) -> None:
    ex = load_example("optuna", "optuna_digits")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    db = f"sqlite:///{tmp_path / 'study.db'}"
    study, points, trials_file = ex.run(tmp_path, steps=STEPS, trials=8, list_name=LIST_NAME, storage=db)

    ref = cli_list(STEPS)
    configs = ref["configs"]
    assert len(points) == len(configs) == 5
    trials = study.trials
    # The first trials are the list points, in order, with the values the CLI materialised for STEPS.
    for k, cfg in enumerate(configs):
        t = trials[k]
        hp = cfg["hyperparameters"]
        assert t.user_attrs["nadir_list_index"] == k
        assert t.params == {
            "learning_rate": hp["learning_rate"], "beta1": hp["beta1"], "beta2": hp["beta2"],
            "weight_decay": hp["weight_decay"], "warmup_steps": cfg["warmup_steps"],
            "label_smoothing": hp["label_smoothing"], "dropout_rate": hp["dropout_rate"],
        }
        assert t.state == optuna.trial.TrialState.COMPLETE
        # Real training: 4 evaluations, a validation error rate strictly between 0 and 1.
        assert sorted(t.intermediate_values) == [25, 50, 75, 100]
        assert 0 < t.value < 1 and t.value == t.intermediate_values[100]
    assert all("nadir_list_index" not in t.user_attrs for t in trials[5:])

    # Every finished trial arrived in Nadir's format, exactly as the study stored it.
    records = [json.loads(line) for line in trials_file.read_text().splitlines()]
    assert [r["trial"] for r in records] == list(range(8))
    for r, t in zip(records, trials):
        assert (r["state"], r["value"], r["params"]) == ("COMPLETED", t.value, t.params)
        assert r["intermediate"] == [[s, v] for s, v in sorted(t.intermediate_values.items())]

    # The importer reads the same trials back from the SQLite file.
    out = tmp_path / "imported.jsonl"
    proc = subprocess.run(["node", str(CLI), "import", "optuna", "--storage", db, "--study", "digits", "--out", str(out)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    imported = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["trial"], r["value"], r["list_index"]) for r in imported] == [
        (r["trial"], r["value"], r["list_index"]) for r in records]

    report = check_analyze(trials_file, records)
    assert report["n"] >= 3
