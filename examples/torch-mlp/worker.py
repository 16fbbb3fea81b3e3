"""Nadir worker for the PyTorch digits MLP: the SDK's ``python -m nadir_worker.examples.digits --framework
torch``, kept here as a script for the examples' command lines. Runs on CUDA when
``torch.cuda.is_available()``, else the CPU.

    python examples/torch-mlp/worker.py --endpoint tcp://127.0.0.1:5555 --worker-id t1
"""

from __future__ import annotations

import sys

from nadir_worker.examples.digits import main as _main


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code (see ``nadir_worker.examples.digits``)."""
    return _main(["--framework", "torch", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
