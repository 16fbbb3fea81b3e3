"""The trial function of test_ray_cluster.py, importable by name on every Ray node.

A cheap deterministic "training" (the loss is a closed-form function of the trial's learning rate). The
first trial of each worker waits, up to 120 s, until the other worker has started its first trial too
(marker files in $NADIR_TEST_BARRIER), so both workers are guaranteed to train at least one trial and
the test can check that work ran on both nodes.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

_started = False


def train(trial) -> None:
    global _started
    barrier = Path(os.environ["NADIR_TEST_BARRIER"])
    if not _started:
        _started = True
        (barrier / f"{os.getpid()}").touch()
        deadline = time.monotonic() + 120
        while len(list(barrier.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    lr = float(trial.params["learning_rate"])
    for step in (10, 20, 30):
        trial.report(step, loss=abs(math.log10(lr) + 3.0) + 1.0 / step)
    trial.complete(loss=abs(math.log10(lr) + 3.0) + 1.0 / 30)
