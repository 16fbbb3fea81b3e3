"""Command-line plumbing shared by worker scripts (``examples/*/worker.py``), so every Nadir worker
takes the same flags as the one ``nadir run`` spawns::

    python worker.py --endpoint tcp://127.0.0.1:5555 [--worker-id ID] [--capacity N]
                     [--server-key KEY|FILE [--public-key KEY|FILE --secret-key KEY|FILE]]
                     [--max-trials N] [--idle-timeout S] [--connect-timeout S] [--quiet]

Exit codes: 0 after the coordinator's Shutdown/Drain, a termination signal (running trials were
reported preempted), ``--max-trials`` or ``--idle-timeout``; 2 for bad flags; 3 when the coordinator
refused the worker; 4 when no coordinator answered within ``--connect-timeout``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .client import ConnectTimeout, Trial, Worker, WorkerRefused

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_NO_COORDINATOR = 4

Z85_KEY_LENGTH = 40


class KeyError_(ValueError):
    """A CURVE key flag that is neither a 40-character Z85 key nor a readable key file."""


def load_curve_key(value: str) -> str:
    """A Z85 CURVE key from ``value``: the path of a key file written by ``nadir keys gen`` (first line)
    when such a file exists, else the 40-character Z85 string itself."""
    path = Path(value)
    if path.is_file():
        text = path.read_text(encoding="utf-8").strip().splitlines()
        key = text[0].strip() if text else ""
        source = f"key file {value}"
    else:
        key, source = value.strip(), "key"
    if len(key) != Z85_KEY_LENGTH:
        raise KeyError_(f"{source} is not a {Z85_KEY_LENGTH}-character Z85 CURVE key (got {len(key)} characters)")
    return key


def worker_argument_parser(description: str) -> argparse.ArgumentParser:
    """The standard worker flags (module docstring); add your own before calling ``parse_args``."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--endpoint", required=True, help="coordinator ROUTER endpoint, e.g. tcp://127.0.0.1:5555")
    p.add_argument("--worker-id", help="stable peer id (the coordinator re-attaches running attempts after a reconnect)")
    p.add_argument("--capacity", type=int, default=1, help="trials run at once, one thread each (default 1)")
    p.add_argument("--server-key", help="CURVE: the coordinator's public key (Z85 or server.public file; write --server-key=KEY, since a Z85 key may start with '-')")
    p.add_argument("--public-key", help="CURVE: this worker's public key (Z85 or .public file); generated when omitted")
    p.add_argument("--secret-key", help="CURVE: this worker's secret key (Z85 or .secret file)")
    p.add_argument("--max-trials", type=int, help="leave after this many trials")
    p.add_argument("--idle-timeout", type=float, help="leave after this many seconds without an assignment")
    p.add_argument("--connect-timeout", type=float, default=60.0, help="seconds to wait for the coordinator's Welcome (default 60)")
    p.add_argument("--quiet", action="store_true", help="no per-trial line on stdout")
    return p


def worker_from_args(args: argparse.Namespace, *, frameworks: Mapping[str, str] | None = None, workloads: Sequence[str] = ()) -> Worker:
    """A :class:`Worker` configured from parsed flags (raises ``ValueError`` for inconsistent ones)."""
    keys: dict[str, str] = {}
    for flag in ("server_key", "public_key", "secret_key"):
        value = getattr(args, flag)
        if value is not None:
            keys[flag] = load_curve_key(value)
    return Worker(
        args.endpoint,
        peer_id=args.worker_id,
        capacity=args.capacity,
        connect_timeout=args.connect_timeout,
        frameworks=frameworks,
        workloads=tuple(workloads),
        **keys,
    )


def trial_summary(trial: Trial, seconds: float) -> str:
    """One line about a finished attempt, e.g. ``trial 3 (list point 2): completed at step 1000,
    validation/error_rate=0.0194 in 2.5 s``."""
    where = f"list point {trial.list_index}" if trial.list_index is not None else "sampled"
    last = trial._last  # the last measurement sent (report or completion)
    metric = trial.objective.metric if trial.objective is not None and trial.objective.metric else None
    value = ""
    if last is not None and metric and metric in last.metrics:
        value = f", {metric}={last.metrics[metric]:.4g}"
    return f"trial {trial.ref.trial_id} ({where}): {trial.outcome} at step {trial.step}{value} in {seconds:.1f} s"


def run_worker_main(
    run_trial: Callable[[Trial], Any],
    *,
    description: str,
    argv: Sequence[str] | None = None,
    frameworks: Mapping[str, str] | None = None,
    workloads: Sequence[str] = (),
    parser: argparse.ArgumentParser | None = None,
    on_args: Callable[[argparse.Namespace], None] | None = None,
) -> int:
    """Parses the standard flags, connects, runs ``run_trial(trial)`` inside ``with trial:`` for every
    assignment until the coordinator shuts the worker down, and returns the exit code (module
    docstring). ``on_args`` sees the parsed flags first (e.g. to pick a device)."""
    p = parser or worker_argument_parser(description)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(levelname)s: %(message)s")
    if args.capacity < 1 or (args.max_trials is not None and args.max_trials < 1):
        p.error("--capacity and --max-trials must be >= 1")
    if on_args is not None:
        on_args(args)
    try:
        worker = worker_from_args(args, frameworks=frameworks, workloads=workloads)
    except ValueError as err:
        print(f"{p.prog}: {err}", file=sys.stderr)
        return EXIT_USAGE

    def body(trial: Trial) -> None:
        t0 = time.monotonic()
        # Worker.run already wraps this call in ``with trial:``; the inner block answers failures,
        # divergence and preemption here (the outer one then sees a finished trial and does nothing),
        # so the summary line below knows the outcome.
        with trial:
            run_trial(trial)
        if not args.quiet:
            print(trial_summary(trial, time.monotonic() - t0), flush=True)

    try:
        worker.start()
        if not args.quiet:
            print(f"{p.prog}: connected to {args.endpoint} as {worker.peer_id} (pid {os.getpid()})", flush=True)
        n = worker.run(body, max_trials=args.max_trials, idle_timeout=args.idle_timeout)
    except WorkerRefused as err:
        print(f"{p.prog}: {err}", file=sys.stderr)
        return EXIT_REFUSED
    except ConnectTimeout as err:
        print(f"{p.prog}: {err}", file=sys.stderr)
        return EXIT_NO_COORDINATOR
    finally:
        worker.close()
    if not args.quiet:
        print(f"{p.prog}: done after {n} trial(s)", flush=True)
    return EXIT_OK
