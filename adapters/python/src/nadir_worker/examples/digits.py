"""The worker of ``nadir run``'s default study: the digits MLP (:mod:`~nadir_worker.examples.digits_jax`
or :mod:`~nadir_worker.examples.digits_torch`) behind the standard worker command line of
:mod:`nadir_worker.cli`. Takes trials until the coordinator shuts it down or drains it, trains each with the
trial's exact NAdamW, reports ``validation/error_rate``, ``validation/loss``, ``train/loss`` and
``train/learning_rate`` every ``reportEverySteps``, stops early when asked and completes with the final
metrics.

    python -m nadir_worker.examples.digits --endpoint tcp://127.0.0.1:5555 --worker-id w1
    python -m nadir_worker.examples.digits --framework torch --endpoint tcp://127.0.0.1:5555
    python -m nadir_worker.examples.digits --check        # are the extras installed? exit 0 or 3

The frameworks are optional extras of ``nadir-worker``; when one is missing the worker exits with
:data:`EXIT_MISSING_EXTRA` and a message naming the ``pip install`` line that adds it, before it connects.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys

from nadir_worker.cli import run_worker_main, worker_argument_parser

EXIT_MISSING_EXTRA = 3
"""Exit code when a module the chosen framework needs is not installed."""

#: framework -> (import name, extra that provides it) for every module its training loop imports.
REQUIREMENTS: dict[str, list[tuple[str, str]]] = {
    "jax": [("jax", "jax"), ("optax", "jax"), ("flax", "jax"), ("sklearn", "examples")],
    "torch": [("torch", "torch"), ("sklearn", "examples")],
}


def missing_extras(framework: str) -> tuple[list[str], list[str]]:
    """``(missing modules, extras that provide them)`` for ``framework``; both empty when all are there.
    Uses ``importlib.util.find_spec`` only, so the check costs no framework import."""
    missing = [(mod, extra) for mod, extra in REQUIREMENTS[framework] if importlib.util.find_spec(mod) is None]
    extras = sorted({extra for _, extra in missing})
    return [m for m, _ in missing], extras


def missing_message(framework: str, modules: list[str], extras: list[str]) -> str:
    """The user-facing line for missing modules, with the ``pip install`` that fixes it."""
    want = f"{framework},examples"
    return (
        f"nadir_worker.examples.digits --framework {framework} needs {', '.join(modules)} "
        f"(extra{'s' if len(extras) > 1 else ''} {', '.join(extras)} of nadir-worker), which {sys.executable} "
        f"does not have: pip install 'nadir-worker[{want}]'"
    )


def _parser() -> argparse.ArgumentParser:
    p = worker_argument_parser("Nadir worker: the digits MLP of `nadir run`'s default study (JAX or PyTorch)")
    p.prog = "python -m nadir_worker.examples.digits"
    p.add_argument("--framework", choices=sorted(REQUIREMENTS), default="jax", help="training framework (default jax)")
    p.add_argument("--check", action="store_true", help="only check that the framework's extras are installed, then exit")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code (``nadir_worker.cli``'s, or :data:`EXIT_MISSING_EXTRA`)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    # --check needs no --endpoint; parse it (and --framework) on their own first.
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--framework", choices=sorted(REQUIREMENTS), default="jax")
    pre.add_argument("--check", action="store_true")
    known, _ = pre.parse_known_args(args_list)
    modules, extras = missing_extras(known.framework)
    if modules:
        print(missing_message(known.framework, modules, extras), file=sys.stderr, flush=True)
        return EXIT_MISSING_EXTRA
    if known.check:
        print(f"nadir_worker.examples.digits: {known.framework} ready ({sys.executable})", flush=True)
        return 0
    if known.framework == "torch":
        import torch

        from nadir_worker.examples.digits_torch import default_device, train

        def announce(args: object) -> None:
            # Several workers on one machine: one intra-op thread each keeps them from oversubscribing cores.
            torch.set_num_threads(1)
            if not getattr(args, "quiet", False):
                print(f"digits worker: PyTorch {torch.__version__} on {default_device()}", flush=True)

        frameworks = {"torch": torch.__version__}
    else:
        import jax
        import optax

        from nadir_worker.examples.digits_jax import train  # type: ignore[assignment]

        def announce(args: object) -> None:
            if not getattr(args, "quiet", False):
                dev = jax.devices()[0]
                print(f"digits worker: JAX {jax.__version__} on {dev.platform} ({dev})", flush=True)

        frameworks = {"jax": jax.__version__, "optax": optax.__version__}

    from nadir_worker.integrations import run_train_function

    def run_trial(trial: object) -> None:
        run_train_function(trial, train)  # type: ignore[arg-type]

    return run_worker_main(
        run_trial,  # type: ignore[arg-type]
        description="Nadir worker: the digits MLP",
        argv=args_list,
        frameworks=frameworks,
        parser=_parser(),
        on_args=announce,
    )


if __name__ == "__main__":
    sys.exit(main())
