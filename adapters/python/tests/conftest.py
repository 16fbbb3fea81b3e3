"""Shared pytest fixtures: repository paths (the tests read protocols/testdata and start Node scripts)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
TESTDATA = REPO_ROOT / "protocols" / "testdata"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (contains protocols/, packages/, adapters/)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def testdata_dir() -> Path:
    """protocols/testdata: golden vectors shared with the TypeScript suite."""
    assert TESTDATA.is_dir(), f"golden vectors missing at {TESTDATA}"
    return TESTDATA


@pytest.fixture(scope="session")
def node_bin() -> str:
    """Path of the `node` executable ($NADIR_NODE overrides); the interop tests need it."""
    node = os.environ.get("NADIR_NODE") or shutil.which("node")
    assert node, "node is not on PATH (set NADIR_NODE); the cross-language tests need Node >= 20"
    return node
