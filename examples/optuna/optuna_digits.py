"""Optuna + Nadir on the real digits MLP (examples/jax-mlp/digits_mlp.py), both directions:

1. Nadir -> Optuna: the NAdamW list, materialised for the step budget by ``nadir lists show <list> --steps S
   --json``, is injected into an Optuna study with ``enqueue_list`` (safe with parallel workers), so the
   study's first trials are exactly the list points; TPE takes over after the list.
2. Optuna -> Nadir: ``NadirCallback`` appends every finished trial (params, intermediate validation error
   rates, state, value) to ``trials.jsonl``, and ``nadir analyze`` turns it into tuning curves.

    python examples/optuna/optuna_digits.py --out runs/optuna --steps 200 --trials 8

Prints the trials and the ``nadir analyze`` report; ``--storage sqlite:///runs/optuna/study.db`` keeps the
study in a database (run the command in several shells at once to tune in parallel; ``nadir import optuna``
reads it back). Keep ``--steps`` small on a laptop CPU: each trial trains for that many NAdamW updates.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "examples" / "jax-mlp"))

import optuna  # noqa: E402

from digits_mlp import train  # noqa: E402
from nadir_worker.adapters import ListPoint, list_from_cli, optimizer_spec_from_point  # noqa: E402
from nadir_worker.adapters.optuna import NadirCallback, enqueue_list, list_attrs, open_study  # noqa: E402

METRIC = "validation/error_rate"
DEFAULT_LIST = "algoperf-v0.5-nadamw-baseline@1"
#: The hyperparameters the objective asks Optuna for (the list's, materialised: warmup in steps).
SEARCHED = ("learning_rate", "beta1", "beta2", "weight_decay", "warmup_steps", "label_smoothing", "dropout_rate")


def nadir_cli() -> list[str]:
    """How to run the Nadir CLI: $NADIR_CLI (a command line), else the repository's built bin.js."""
    if os.environ.get("NADIR_CLI"):
        return shlex.split(os.environ["NADIR_CLI"])
    return ["node", str(REPO / "packages" / "cli" / "dist" / "bin.js")]


def train_digits(params: dict[str, Any], steps: int, seed: int, on_eval: Any = None,
                 attrs: dict[str, Any] | None = None) -> dict[str, float]:
    """Train the digits MLP with exactly the NAdamW configuration ``params`` describes (materialised names:
    ``warmup_steps`` is used as given, epsilon defaults to 1e-8). ``attrs`` are the trial's list attributes
    (``list_attrs(trial)``): the list's NAdamW variant and extras, so every trial trains the list's rule."""
    spec = optimizer_spec_from_point(params, steps, list_attrs=attrs)
    model = {"dropout_rate": spec.dropout_rate, "label_smoothing": spec.label_smoothing}
    if "hidden_units" in params:
        model["hidden_units"] = int(params["hidden_units"])
    return train(model, steps, seed, on_eval=on_eval, eval_every=max(1, steps // 4), optimizer=spec)


def make_objective(steps: int, seed: int):
    """The Optuna objective: suggest the NAdamW hyperparameters, train, report the validation error rate
    at every evaluation (so pruners could act), return the final one."""

    def objective(trial: optuna.Trial) -> float:
        params = {
            "learning_rate": trial.suggest_float("learning_rate", 1e-4, 1e-2, log=True),
            "beta1": trial.suggest_float("beta1", 0.5, 0.999),
            "beta2": trial.suggest_float("beta2", 0.5, 0.9999),
            "weight_decay": trial.suggest_float("weight_decay", 1e-3, 1.0, log=True),
            "warmup_steps": trial.suggest_int("warmup_steps", 0, steps // 4),
            "label_smoothing": trial.suggest_categorical("label_smoothing", [0.0, 0.1, 0.2]),
            "dropout_rate": trial.suggest_categorical("dropout_rate", [0.0, 0.1]),
        }

        def on_eval(step: int, metrics: dict[str, float]) -> bool:
            trial.report(metrics[METRIC], step)
            return False

        return train_digits(params, steps, seed, on_eval, attrs=list_attrs(trial))[METRIC]

    return objective


def run(out: Path, *, steps: int = 200, trials: int = 8, list_name: str = DEFAULT_LIST, storage: str | None = None,
        seed: int = 0) -> tuple[optuna.Study, list[ListPoint], Path]:
    """Inject the list, run ``trials`` trials, stream them to ``out/trials.jsonl``; returns the study, the
    list points and the trials file."""
    out.mkdir(parents=True, exist_ok=True)
    points = list_from_cli(list_name, steps, nadir_cli())
    sampler = optuna.samplers.TPESampler(seed=seed)
    if storage is None:
        study = optuna.create_study(study_name="digits", direction="minimize", sampler=sampler)
    else:  # open_study: safe when several processes start at once on a database that does not exist yet
        study = open_study(storage, "digits", direction="minimize", sampler=sampler)
    enqueue_list(study, points)
    trials_file = out / "trials.jsonl"
    study.optimize(make_objective(steps, seed), n_trials=trials, callbacks=[NadirCallback(trials_file)])
    return study, points, trials_file


def analyze(trials_file: Path, *, json_output: bool = False) -> str:
    """``nadir analyze <trials_file> --metric value --direction minimize [--json]``: its stdout."""
    argv = [*nadir_cli(), "analyze", str(trials_file), "--metric", "value", "--direction", "minimize",
            "--lower", "0", "--upper", "1"]
    if json_output:
        argv.append("--json")
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(argv)} failed ({proc.returncode}): {proc.stderr}")
    return proc.stdout


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("runs/optuna"), help="output folder (trials.jsonl)")
    ap.add_argument("--steps", type=int, default=200, help="NAdamW updates per trial")
    ap.add_argument("--trials", type=int, default=8, help="trials this process runs (the list comes first)")
    ap.add_argument("--list", default=DEFAULT_LIST, help="built-in Nadir list (nadir lists show)")
    ap.add_argument("--storage", help="Optuna storage URL (default: in memory)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study, points, trials_file = run(args.out, steps=args.steps, trials=args.trials, list_name=args.list,
                                     storage=args.storage, seed=args.seed)
    for t in study.trials:
        idx = t.user_attrs.get("nadir_list_index")
        print(f"trial {t.number} {'list point ' + str(idx) if idx is not None else 'TPE':>12}: "
              f"{t.state.name} {METRIC} = {t.value}")
    print(f"\ntrials written to {trials_file}\n")
    print(analyze(trials_file))
    return 0


if __name__ == "__main__":
    sys.exit(main())
