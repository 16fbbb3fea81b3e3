"""Starts the real TypeScript coordinator (`node packages/cli/dist/bin.js serve`) for integration tests,
and reads its results back two independent ways: `nadir export` and a direct parse of the journal files
(NADIRJ01 segments: per record u32le length, u32le CRC32C, protobuf JournalRecord).

A missing build is a test FAILURE, not a skip: scripts/test.sh builds everything first, so a missing
bin.js means the build is broken (run `pnpm -s build` or `bash scripts/bootstrap.sh` by hand)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from nadir_worker.gen import journal_pb2

REPO_ROOT = Path(__file__).resolve().parents[3]
CLI = REPO_ROOT / "packages" / "cli" / "dist" / "bin.js"


def node_executable() -> str:
    node = os.environ.get("NADIR_NODE") or shutil.which("node")
    if not node:
        pytest.fail("node is not on PATH (set NADIR_NODE): the integration tests start the TypeScript coordinator")
    return node


def require_cli() -> Path:
    if not CLI.is_file():
        pytest.fail(f"{CLI} is missing: build the TypeScript packages first (pnpm -s build, or bash scripts/bootstrap.sh)")
    return CLI


def toy_study(study_id: str, *, trials: int = 3, steps: int = 30, parallelism: int = 2, max_attempts: int = 3, **extra: Any) -> dict[str, Any]:
    """A NAdamW study replaying the AlgoPerf list (user-facing study JSON, examples/studies format)."""
    study: dict[str, Any] = {
        "id": study_id,
        "name": f"python integration {study_id}",
        "workload": "toy",
        "searchSpace": {
            "parameters": [
                {"name": "learning_rate", "type": "float", "min": 1e-4, "max": 1e-2, "scale": "log"},
                {"name": "one_minus_beta1", "type": "float", "min": 4e-3, "max": 0.1, "scale": "log", "transform": "one_minus", "as": "beta1"},
                {"name": "beta2", "type": "fixed", "value": 0.999},
                {"name": "weight_decay", "type": "float", "min": 5e-3, "max": 1.0, "scale": "log"},
                {"name": "warmup_factor", "type": "discrete", "values": [0.02, 0.05, 0.1]},
            ]
        },
        "objective": {"metric": "loss", "direction": "minimize"},
        "budget": {"trials": trials, "parallelism": parallelism, "maxAttemptsPerTrial": max_attempts},
        "stepBudget": steps,
        "suggester": {"kind": "list", "list": "algoperf-nadamw-5", "fallback": {"kind": "halton", "seed": 42}},
        "optimizer": {"name": "nadamw", "variant": "algoperf", "epsilon": 1e-8, "schedule": "linear_warmup_cosine_decay", "warmupRounding": "floor"},
        "seed": 0,
    }
    study.update(extra)
    return study


class Coordinator:
    """A running `nadir serve` process."""

    def __init__(self, proc: subprocess.Popen[str], endpoint: str, journal: Path, study_id: str) -> None:
        self.proc, self.endpoint, self.journal, self.study_id = proc, endpoint, journal, study_id
        self.stdout_lines: list[str] = []
        self.stderr_lines: list[str] = []

    def wait(self, timeout: float = 60.0) -> int:
        """Waits for the process to exit (with --exit-when-done) and returns its exit code."""
        return self.proc.wait(timeout=timeout)

    def export(self, fmt: str = "jsonl") -> list[dict[str, Any]]:
        """`nadir export <journal> --study <id> --format <fmt>` parsed as JSON lines."""
        out = subprocess.run(
            [node_executable(), str(CLI), "export", str(self.journal), "--study", self.study_id, "--format", fmt],
            capture_output=True, text=True, timeout=60, check=False,
        )
        assert out.returncode == 0, f"nadir export failed ({out.returncode}): {out.stderr}"
        return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]

    def journal_records(self) -> list[journal_pb2.JournalRecord]:
        """Every record of every journal segment, CRC-checked (Python's own reader)."""
        return read_journal(self.journal)


def _crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bitwise: the journal's record checksum."""
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def read_journal(directory: Path) -> list[journal_pb2.JournalRecord]:
    """Parses NADIRJ01 segments in name order; asserts every record's CRC32C."""
    records = []
    for seg in sorted(Path(directory).glob("journal-*.log")):
        buf = seg.read_bytes()
        assert buf[:8] == b"NADIRJ01", f"{seg} lacks the NADIRJ01 magic"
        pos = 8
        while pos + 8 <= len(buf):
            n = int.from_bytes(buf[pos : pos + 4], "little")
            crc = int.from_bytes(buf[pos + 4 : pos + 8], "little")
            payload = buf[pos + 8 : pos + 8 + n]
            if len(payload) < n:
                break  # a torn tail is allowed (the coordinator truncates it on replay)
            assert _crc32c(payload) == crc, f"CRC mismatch in {seg} at byte {pos}"
            records.append(journal_pb2.JournalRecord.FromString(payload))
            pos += 8 + n
    return records


@contextmanager
def serve(tmp: Path, study: dict[str, Any], *extra_args: str, exit_when_done: bool = True, heartbeat_ms: int = 200, peer_timeout_ms: int = 3000,
          journal: Path | None = None) -> Iterator[Coordinator]:
    """Runs `nadir serve` for ``study`` with a journal in ``tmp``; yields once it prints its endpoint."""
    require_cli()
    study_file = tmp / f"{study['id']}.study.json"
    study_file.write_text(json.dumps(study))
    jdir = journal or tmp / "journal"
    args = [node_executable(), str(CLI), "serve", "--study", str(study_file), "--bind", "tcp://127.0.0.1:0", "--journal", str(jdir),
            "--heartbeat-ms", str(heartbeat_ms), "--peer-timeout-ms", str(peer_timeout_ms), "--quiet", *extra_args]
    if exit_when_done:
        args.append("--exit-when-done")
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    endpoint = None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        m = re.match(r"nadir: serving (tcp://\S+)", line)
        if m:
            endpoint = m.group(1)
            break
    if endpoint is None:
        proc.kill()
        err = proc.stderr.read()
        pytest.fail(f"nadir serve did not print its endpoint; stdout={lines!r} stderr={err!r}")
    c = Coordinator(proc, endpoint, jdir, study["id"])
    c.stdout_lines = lines

    def pump(stream: Any, sink: list[str]) -> None:
        for ln in stream:
            sink.append(ln)

    threads = [threading.Thread(target=pump, args=(proc.stdout, c.stdout_lines), daemon=True),
               threading.Thread(target=pump, args=(proc.stderr, c.stderr_lines), daemon=True)]
    for t in threads:
        t.start()
    try:
        yield c
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        for t in threads:
            t.join(2)
