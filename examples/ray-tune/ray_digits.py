"""Ray Tune + Nadir on the real digits MLP (examples/jax-mlp/digits_mlp.py), in two ways:

``tune``: a Ray Tune experiment whose searcher is ``ListSearcher`` (the NAdamW list as ``nadir lists show
--steps S --json`` materialises it, then Optuna's TPE through Tune's ``OptunaSearch``) and whose
``NadirTuneCallback`` writes every finished trial to ``trials.jsonl`` for ``nadir analyze``:

    python examples/ray-tune/ray_digits.py tune --out runs/ray --steps 200 --trials 8

``workers``: Nadir runs the study (``nadir serve`` with a study file) and Ray only supplies the machines:
each Ray task is an ordinary Nadir worker training the trials the coordinator hands out:

    node packages/cli/dist/bin.js serve --study examples/studies/digits-mlp.study.json --journal runs/j \\
        --bind tcp://127.0.0.1:5555 --exit-when-done &
    python examples/ray-tune/ray_digits.py workers --endpoint tcp://127.0.0.1:5555 --workers 2

Add ``--address auto`` to use a running Ray cluster instead of a local one (the coordinator's endpoint must
then be reachable from the cluster's nodes).
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

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "examples" / "jax-mlp"))

METRIC = "validation/error_rate"
DEFAULT_LIST = "algoperf-v0.5-nadamw-baseline@1"
#: Keys of digits_mlp.train's params (the rest of a materialised point goes to the optimizer spec).
MODEL_KEYS = ("learning_rate", "beta1", "beta2", "weight_decay", "warmup_factor", "label_smoothing", "dropout_rate",
              "hidden_units")


def nadir_cli() -> list[str]:
    """How to run the Nadir CLI: $NADIR_CLI (a command line), else the repository's built bin.js."""
    if os.environ.get("NADIR_CLI"):
        return shlex.split(os.environ["NADIR_CLI"])
    return ["node", str(REPO / "packages" / "cli" / "dist" / "bin.js")]


def ray_init(address: str | None = None, num_cpus: int = 2) -> None:
    """Start (or join) Ray so that its worker processes can import this example and the digits MLP."""
    import ray

    env = {"env_vars": {"PYTHONPATH": os.pathsep.join([str(HERE), str(REPO / "examples" / "jax-mlp")])}}
    if address:
        ray.init(address=address, runtime_env=env, log_to_driver=False)
    else:
        ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False, configure_logging=False,
                 runtime_env=env)


# ------------------------------------------------------------------------------------------------ tune


def trainable(config: dict[str, Any]) -> None:
    """One Tune trial: train the digits MLP with the exact NAdamW configuration of ``config`` and report the
    validation error rate at every evaluation (step = optimizer updates)."""
    from digits_mlp import train
    from ray import tune

    from nadir_worker.adapters import optimizer_spec_from_point

    steps = int(config["step_budget"])
    spec = optimizer_spec_from_point(config, steps)
    model = {"dropout_rate": spec.dropout_rate, "label_smoothing": spec.label_smoothing}

    def on_eval(step: int, metrics: dict[str, float]) -> bool:
        tune.report({METRIC: metrics[METRIC], "step": step})
        return False

    train(model, steps, int(config.get("seed", 0)), on_eval=on_eval, eval_every=max(1, steps // 4), optimizer=spec)


def run_tune(out: Path, *, steps: int = 200, trials: int = 8, list_name: str = DEFAULT_LIST, seed: int = 0) -> tuple[Any, Any, Path]:
    """Run the Tune experiment (Ray must be initialised); returns the ResultGrid, the list points and the
    trials file."""
    from ray import tune
    from ray.tune.search.optuna import OptunaSearch

    from nadir_worker.adapters import list_from_cli
    from nadir_worker.adapters.ray_tune import ListSearcher, NadirTuneCallback

    out.mkdir(parents=True, exist_ok=True)
    points = list_from_cli(list_name, steps, nadir_cli())
    space = {
        "learning_rate": tune.loguniform(1e-4, 1e-2),
        "beta1": tune.uniform(0.5, 0.999),
        "beta2": tune.uniform(0.5, 0.9999),
        "weight_decay": tune.loguniform(1e-3, 1.0),
        "warmup_steps": tune.randint(0, steps // 4 + 1),
        "label_smoothing": tune.choice([0.0, 0.1, 0.2]),
        "dropout_rate": tune.choice([0.0, 0.1]),
        "step_budget": steps,
        "seed": seed,
    }
    trials_file = out / "trials.jsonl"
    callback = NadirTuneCallback(trials_file, metric=METRIC, study="digits", step_key="step", budget=steps)
    tuner = tune.Tuner(
        trainable,
        param_space=space,
        tune_config=tune.TuneConfig(metric=METRIC, mode="min", num_samples=trials, max_concurrent_trials=1,
                                    search_alg=ListSearcher(points, OptunaSearch(seed=seed), seed=seed)),
        run_config=tune.RunConfig(callbacks=[callback], storage_path=str((out / "ray").resolve()), verbose=0),
    )
    return tuner.fit(), points, trials_file


# --------------------------------------------------------------------------------------------- workers


def train_nadir_trial(trial: Any) -> None:
    """One Nadir trial on a Ray task: the coordinator's materialised parameters and optimizer, reports
    every evaluation, stops early when the coordinator asks, completes with the final metrics."""
    from digits_mlp import train

    params = {k: v for k, v in trial.params.items() if k in MODEL_KEYS}
    every = trial.report_every_steps or max(1, trial.step_budget // 4)

    def on_eval(step: int, metrics: dict[str, float]) -> bool:
        trial.report(step, **{k: v for k, v in metrics.items() if k != "step"})
        return trial.should_stop()

    final = train(params, trial.step_budget, trial.seed, on_eval=on_eval, eval_every=every, optimizer=trial.optimizer)
    if not trial.should_stop():
        trial.complete(int(final["step"]), **{k: v for k, v in final.items() if k != "step"})


def run_workers(endpoint: str, workers: int = 2, **kwargs: Any) -> list[dict[str, Any]]:
    """Nadir workers as Ray tasks until the coordinator's study is done (Ray must be initialised)."""
    from nadir_worker.adapters.ray_tune import run_nadir_workers

    return run_nadir_workers(endpoint, train_nadir_trial, workers, **kwargs)


def analyze(trials_file: Path) -> str:
    """``nadir analyze <trials_file> --metric value --direction minimize``: its stdout."""
    argv = [*nadir_cli(), "analyze", str(trials_file), "--metric", "value", "--direction", "minimize",
            "--lower", "0", "--upper", "1"]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(argv)} failed ({proc.returncode}): {proc.stderr}")
    return proc.stdout


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("tune", help="Ray Tune experiment: the list first, then TPE")
    t.add_argument("--out", type=Path, default=Path("runs/ray"))
    t.add_argument("--steps", type=int, default=200)
    t.add_argument("--trials", type=int, default=8)
    t.add_argument("--list", default=DEFAULT_LIST)
    w = sub.add_parser("workers", help="Nadir workers as Ray tasks for a running coordinator")
    w.add_argument("--endpoint", required=True)
    w.add_argument("--workers", type=int, default=2)
    for p in (t, w):
        p.add_argument("--address", help="Ray cluster address (default: start a local Ray with --num-cpus)")
        p.add_argument("--num-cpus", type=int, default=2)
    args = ap.parse_args(argv)
    import ray

    ray_init(args.address, args.num_cpus)
    try:
        if args.cmd == "tune":
            grid, _, trials_file = run_tune(args.out, steps=args.steps, trials=args.trials, list_name=args.list)
            for line in trials_file.read_text().splitlines():
                r = json.loads(line)
                print(f"trial {r['trial']} list point {r['list_index']}: {r['state']} {METRIC} = {r['value']}")
            print(f"\n{len(grid)} trials, written to {trials_file}\n")
            print(analyze(trials_file))
        else:
            for s in run_workers(args.endpoint, args.workers):
                print(f"{s['peer_id']} on {s['host']} (pid {s['pid']}): trials {[t for t, _ in s['trials']]}")
    finally:
        ray.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
