"""Nadir worker for the PyTorch digits MLP (``digits_mlp.py``): the same command line and behaviour as
``examples/jax-mlp/worker.py`` (standard flags of ``nadir_worker.cli``), with the optimizer and schedule
from ``nadir_worker.torch_helper``. Runs on CUDA when ``torch.cuda.is_available()``, else the CPU.

    python examples/torch-mlp/worker.py --endpoint tcp://127.0.0.1:5555 --worker-id t1
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402

from digits_mlp import default_device, train  # noqa: E402
from nadir_worker import Trial  # noqa: E402
from nadir_worker.cli import run_worker_main  # noqa: E402
from nadir_worker.integrations import run_train_function  # noqa: E402


def run_trial(trial: Trial) -> None:
    """One trial: the plain ``train`` function with the coordinator's materialised optimizer."""
    run_train_function(trial, train)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code (see ``nadir_worker.cli``)."""

    def announce(args: object) -> None:
        # Several workers on one machine: one intra-op thread each keeps them from oversubscribing cores.
        torch.set_num_threads(1)
        if not getattr(args, "quiet", False):
            print(f"torch-mlp worker: PyTorch {torch.__version__} on {default_device()}", flush=True)

    return run_worker_main(
        run_trial,
        description="Nadir worker: PyTorch MLP on scikit-learn digits",
        argv=argv,
        frameworks={"torch": torch.__version__},
        on_args=announce,
    )


if __name__ == "__main__":
    sys.exit(main())
