"""A worker script built on nadir_worker.cli for test_deploy.py: the standard flags, and a closed-form
"training" (the loss is a function of the trial's learning rate), so the deployment recipes are tested
with the real CLI, socket and CURVE handshake in seconds. With $NADIR_TEST_SLOW set a trial reports every
50 ms for its whole step budget first (long enough to be preempted)."""

from __future__ import annotations

import math
import os
import sys
import time

from nadir_worker.cli import run_worker_main


def run_trial(trial) -> None:
    lr = float(trial.params["learning_rate"])
    if os.environ.get("NADIR_TEST_SLOW"):  # a long trial, for the preemption test: reports every 50 ms
        for step in range(1, trial.step_budget + 1):
            trial.report(step, loss=1.0)
            time.sleep(0.05)
    for step in (10, 20, 30):
        trial.report(step, loss=abs(math.log10(lr) + 3.0) + 1.0 / step)
    trial.complete(loss=abs(math.log10(lr) + 3.0) + 1.0 / 30)


if __name__ == "__main__":
    sys.exit(run_worker_main(run_trial, description="deployment test worker"))
