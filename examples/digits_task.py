"""The digits task (data split, defaults, parameter checks, optimizer spec) lives in the SDK as
:mod:`nadir_worker.examples.digits_task`; this re-export keeps ``from digits_task import ...`` working."""

from nadir_worker.examples.digits_task import *  # noqa: F401,F403
from nadir_worker.examples.digits_task import (  # noqa: F401
    BATCH_SIZE,
    DEFAULTS,
    NUM_CLASSES,
    SPLIT_SEED,
    VALIDATION_SIZE,
    EvalCallback,
    load_split,
    optimizer_spec,
    resolve_params,
)
