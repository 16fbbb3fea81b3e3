"""Shared checks of the end-to-end adapter tests: the list as the real CLI materialises it, and the real
``nadir analyze --json`` report checked against numbers computed here from the trial records."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[4]
CLI = REPO / "packages" / "cli" / "dist" / "bin.js"
LIST_NAME = "algoperf-v0.5-nadamw-baseline@1"


def load_example(folder: str, module: str) -> Any:
    """Import ``examples/<folder>/<module>.py`` (the example scripts are the code under test)."""
    path = str(REPO / "examples" / folder)
    if path not in sys.path:
        sys.path.insert(0, path)
    return __import__(module)


def cli_list(steps: int) -> dict[str, Any]:
    """``nadir lists show <list> --steps <steps> --json`` parsed (the reference for the injected points)."""
    proc = subprocess.run(["node", str(CLI), "lists", "show", LIST_NAME, "--steps", str(steps), "--json"],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def expected_min_of_k(values: list[float], k: int) -> float:
    """Mean of the best (smallest) of k draws with replacement from the empirical distribution of values."""
    y = sorted(values)
    n = len(y)
    return sum(y[i] * (((n - i) / n) ** k - ((n - i - 1) / n) ** k) for i in range(n))


def check_analyze(trials_file: Path, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Run the real ``nadir analyze --json`` on ``trials_file`` and check it against ``records`` (the rows
    the adapter wrote): row count, the sample it analysed, and the mean tuning curve E[min of k draws]."""
    proc = subprocess.run(
        ["node", str(CLI), "analyze", str(trials_file), "--metric", "value", "--direction", "minimize",
         "--lower", "0", "--upper", "1", "--json"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["input"]["rows"] == len(records)
    finite = [r for r in records if isinstance(r["value"], (int, float)) and math.isfinite(r["value"])]
    # List points are not random draws: analyze holds them out unless told otherwise.
    held_out = report["input"].get("list_trials") == "separate"
    sample = [r["value"] for r in finite if not (held_out and r["list_index"] is not None)]
    if held_out:
        assert report["input"]["list_rows_count"] == sum(r["list_index"] is not None for r in records)
    assert report["n"] == len(sample)
    assert report["ecdf"]["y"] == sorted(set(sample)) or report["ecdf"]["y"] == sorted(sample)
    curve = {c["k"]: c for c in report["tuning_curve"]}
    for k in range(1, len(sample) + 1):
        assert math.isclose(curve[k]["mean"], expected_min_of_k(sample, k), rel_tol=1e-9, abs_tol=1e-12), k
    assert 0 <= min(sample) <= curve[1]["mean"] <= max(sample) <= 1
    return report
