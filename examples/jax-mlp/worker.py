"""Nadir worker for the JAX digits MLP: the SDK's ``python -m nadir_worker.examples.digits`` (what
``nadir run`` spawns for its default study), kept here as a script for the examples' command lines.

    python examples/jax-mlp/worker.py --endpoint tcp://127.0.0.1:5555 --worker-id w1

Flags: ``--help`` (the standard set of ``nadir_worker.cli``). JAX runs on its default backend: the CPU, or a
GPU when a CUDA-enabled jaxlib sees one.
"""

from __future__ import annotations

import sys

from nadir_worker.examples.digits import main as _main


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code (see ``nadir_worker.examples.digits``)."""
    return _main(["--framework", "jax", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
