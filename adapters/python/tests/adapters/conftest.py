"""Fixtures shared by the adapter tests: one local Ray instance for the whole session.

test_ray_tune.py and test_e2e_ray.py both need Ray. Starting it once (not once per module) halves the
exposure to Ray's node startup wait, which on a loaded 2-core CI machine is the flaky part: ``ray.init``
gives the raylet a fixed 30 s (hard-coded in ``ray/_private/node.py``, no ``RAY_*`` variable or
``_system_config`` key changes it) to register with the GCS, and the raylet registers only after its
Python agents (dashboard agent, runtime-env agent) have started and written their port files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]

# Ray's worker processes import trainables by module name: this folder (test_ray_tune's trainable) and
# the ray-tune example with the digits MLP it trains (test_e2e_ray). This checkout's nadir_worker comes
# first, so the workers run the code under test even when another checkout is installed in the venv.
RAY_PYTHONPATH = [str(REPO / "adapters" / "python" / "src"), str(HERE), str(REPO / "examples" / "ray-tune"),
                  str(REPO / "examples" / "jax-mlp")]

_START_TIMEOUT_MARK = "timed out during startup"


def start_local_ray(num_cpus: int = 2, attempts: int = 2) -> None:
    """``ray.init`` a fresh local instance; a start that times out (see the module docstring) is shut
    down cleanly and tried again, up to ``attempts`` times. Any other error is raised at once."""
    import ray

    env = {"env_vars": {"PYTHONPATH": os.pathsep.join(RAY_PYTHONPATH)}}
    for attempt in range(1, attempts + 1):
        try:
            ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False, configure_logging=False,
                     runtime_env=env)
            return
        except Exception as exc:  # Ray raises a bare Exception for the startup timeout
            # Kill whatever half-started processes the failed start left, so the retry begins clean.
            ray.shutdown()
            if _START_TIMEOUT_MARK not in str(exc) or attempt == attempts:
                raise


@pytest.fixture(scope="session")
def local_ray():
    """One local Ray instance (2 CPUs, no dashboard) for every adapter test module that needs it."""
    import ray

    start_local_ray()
    yield ray
    ray.shutdown()
