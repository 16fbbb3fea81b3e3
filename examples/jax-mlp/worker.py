"""Nadir worker for the JAX digits MLP (``digits_mlp.py``): takes trials from a coordinator until it is
shut down or drained, trains each with the trial's exact optax NAdamW, reports ``validation/error_rate``,
``validation/loss`` and ``train/loss`` every ``reportEverySteps``, stops early when asked (pruning, target
reached) and completes with the final metrics.

    python examples/jax-mlp/worker.py --endpoint tcp://127.0.0.1:5555 --worker-id w1

Flags: ``python examples/jax-mlp/worker.py --help`` (the standard set of ``nadir_worker.cli``). JAX runs
on its default backend: the CPU, or a GPU when a CUDA-enabled jaxlib sees one. ``nadir run`` spawns this
script for the default study.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import jax  # noqa: E402
import optax  # noqa: E402

from digits_mlp import train  # noqa: E402
from nadir_worker import Trial  # noqa: E402
from nadir_worker.cli import run_worker_main  # noqa: E402
from nadir_worker.integrations import run_train_function  # noqa: E402


def run_trial(trial: Trial) -> None:
    """One trial: the plain ``train`` function with the coordinator's materialised optimizer."""
    run_train_function(trial, train)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code (see ``nadir_worker.cli``)."""

    def announce(args: object) -> None:
        if not getattr(args, "quiet", False):
            print(f"jax-mlp worker: JAX {jax.__version__} on {jax.devices()[0].platform} ({jax.devices()[0]})", flush=True)

    return run_worker_main(
        run_trial,
        description="Nadir worker: JAX MLP on scikit-learn digits",
        argv=argv,
        frameworks={"jax": jax.__version__, "optax": optax.__version__},
        on_args=announce,
    )


if __name__ == "__main__":
    sys.exit(main())
