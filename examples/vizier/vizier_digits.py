"""OSS Vizier + Nadir on the real digits MLP (examples/jax-mlp/digits_mlp.py):

1. Nadir -> Vizier: the NAdamW list, materialised for the step budget by ``nadir lists show <list> --steps S
   --json``, is queued as REQUESTED trials (``request_list``), which Vizier hands out before any algorithm
   suggestion; after the list Vizier's own algorithm (quasi-random search by default) proposes points.
2. Vizier -> Nadir: ``VizierRecorder`` appends every completed trial (parameters, intermediate
   measurements, final validation error rate) to ``trials.jsonl`` for ``nadir analyze``.

    python examples/vizier/vizier_digits.py --out runs/vizier --steps 200 --trials 8

Vizier runs in process with its studies in ``<out>/vizier.db``; ``--server`` starts a Vizier gRPC server on
localhost instead and talks to it as a remote client would.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "examples" / "jax-mlp"))

from digits_mlp import train  # noqa: E402
from vizier.service import clients, servers  # noqa: E402
from vizier.service import pyvizier as vz  # noqa: E402

from nadir_worker.adapters import ListPoint, list_from_cli, optimizer_spec_from_point  # noqa: E402
from nadir_worker.adapters.vizier import list_attrs  # noqa: E402
from nadir_worker.adapters.vizier import VizierRecorder, request_list  # noqa: E402

METRIC = "validation/error_rate"
DEFAULT_LIST = "algoperf-v0.5-nadamw-baseline@1"


def nadir_cli() -> list[str]:
    """How to run the Nadir CLI: $NADIR_CLI (a command line), else the repository's built bin.js."""
    if os.environ.get("NADIR_CLI"):
        return shlex.split(os.environ["NADIR_CLI"])
    return ["node", str(REPO / "packages" / "cli" / "dist" / "bin.js")]


def problem(steps: int, algorithm: str = "QUASI_RANDOM_SEARCH") -> vz.StudyConfig:
    """The search space: the list's NAdamW hyperparameters, warmup in steps for this step budget."""
    p = vz.ProblemStatement()
    root = p.search_space.root
    root.add_float_param("learning_rate", 1e-4, 1e-2, scale_type=vz.ScaleType.LOG)
    root.add_float_param("beta1", 0.5, 0.999)
    root.add_float_param("beta2", 0.5, 0.9999)
    root.add_float_param("weight_decay", 1e-3, 1.0, scale_type=vz.ScaleType.LOG)
    root.add_int_param("warmup_steps", 0, steps // 4)
    root.add_discrete_param("label_smoothing", [0.0, 0.1, 0.2])
    root.add_discrete_param("dropout_rate", [0.0, 0.1])
    p.metric_information.append(vz.MetricInformation(METRIC, goal=vz.ObjectiveMetricGoal.MINIMIZE))
    config = vz.StudyConfig.from_problem(p)
    config.algorithm = algorithm
    return config


def run_trial(trial: clients.Trial, steps: int, seed: int) -> float:
    """Train the digits MLP with the trial's exact NAdamW configuration; one measurement per evaluation,
    the final one completes the trial."""
    params = {k: v for k, v in trial.parameters.items()}
    # The list's NAdamW variant and extras travel in the trial's metadata: every trial trains the list's rule.
    spec = optimizer_spec_from_point(params, steps, list_attrs=list_attrs(trial))

    def on_eval(step: int, metrics: dict[str, float]) -> bool:
        trial.add_measurement(vz.Measurement({METRIC: metrics[METRIC]}, steps=step))
        return False

    final = train({"dropout_rate": spec.dropout_rate, "label_smoothing": spec.label_smoothing}, steps, seed,
                  on_eval=on_eval, eval_every=max(1, steps // 4), optimizer=spec)
    trial.complete(vz.Measurement({METRIC: final[METRIC]}, steps=steps))
    return final[METRIC]


def run(out: Path, *, steps: int = 200, trials: int = 8, list_name: str = DEFAULT_LIST, seed: int = 0,
        study_id: str = "digits") -> tuple[clients.Study, list[ListPoint], Path]:
    """Queue the list, run ``trials`` trials one client at a time, record them; returns the Vizier study,
    the list points and the trials file. Uses whatever Vizier service ``clients.environment_variables``
    points at (in process by default)."""
    out.mkdir(parents=True, exist_ok=True)
    points = list_from_cli(list_name, steps, nadir_cli())
    study = clients.Study.from_study_config(problem(steps), owner="nadir-example", study_id=study_id)
    request_list(study, points)
    trials_file = out / "trials.jsonl"
    recorder = VizierRecorder(study, trials_file, metric=METRIC, study_name=study_id)
    for _ in range(trials):
        (trial,) = study.suggest(count=1, client_id="worker-0")
        run_trial(trial, steps, seed)
        recorder.sync()
    return study, points, trials_file


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
    ap.add_argument("--out", type=Path, default=Path("runs/vizier"))
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--trials", type=int, default=8)
    ap.add_argument("--list", default=DEFAULT_LIST)
    ap.add_argument("--server", action="store_true", help="run a Vizier gRPC server on localhost and use it")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    db = f"sqlite:///{(args.out / 'vizier.db').resolve()}"
    server: Any = None
    if args.server:
        server = servers.DefaultVizierServer(host="localhost", database_url=db)
        clients.environment_variables.server_endpoint = server.endpoint
        print(f"Vizier server at {server.endpoint}")
    else:
        clients.environment_variables.servicer_kwargs["database_url"] = db
    _, _, trials_file = run(args.out, steps=args.steps, trials=args.trials, list_name=args.list)
    for line in trials_file.read_text().splitlines():
        print(line[:160])
    print(f"\ntrials written to {trials_file}\n")
    print(analyze(trials_file))
    return 0


if __name__ == "__main__":
    sys.exit(main())
