"""``python -m nadir_worker.examples.digits`` (the worker of ``nadir run``'s default study, shipped in the
SDK): the extras check names the missing ``pip install`` before anything connects, ``--check`` passes where
the extras are installed, and the examples/ scripts are the same module."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from nadir_worker.examples import digits

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("framework", "gone", "extra"), [("jax", "flax", "jax"), ("jax", "sklearn", "examples"), ("torch", "torch", "torch")])
def test_a_missing_module_names_the_extra(monkeypatch, capsys, framework, gone, extra):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == gone else real(name, *a))
    code = digits.main(["--framework", framework, "--endpoint", "tcp://127.0.0.1:1"])
    err = capsys.readouterr().err
    assert code == digits.EXIT_MISSING_EXTRA == 3
    assert f"needs {gone} (extra {extra} of nadir-worker)" in err
    assert f"pip install 'nadir-worker[{framework},examples]'" in err


@pytest.mark.parametrize("framework", ["jax", "torch"])
def test_check_passes_with_the_extras_installed(framework):
    r = subprocess.run([sys.executable, "-m", "nadir_worker.examples.digits", "--framework", framework, "--check"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert f"{framework} ready" in r.stdout


def test_the_examples_scripts_are_the_sdk_module():
    sys.path.insert(0, str(REPO / "examples" / "jax-mlp"))
    try:
        import digits_mlp  # the examples/ wrapper

        from nadir_worker.examples import digits_jax

        assert digits_mlp.train is digits_jax.train
    finally:
        sys.path.remove(str(REPO / "examples" / "jax-mlp"))
        sys.modules.pop("digits_mlp", None)
    r = subprocess.run([sys.executable, str(REPO / "examples" / "torch-mlp" / "worker.py"), "--check"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "torch ready" in r.stdout, r.stderr
