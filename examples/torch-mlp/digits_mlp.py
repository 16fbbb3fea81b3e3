"""The PyTorch digits MLP ships in the SDK as :mod:`nadir_worker.examples.digits_torch`; this module
re-exports it for the examples that ``from digits_mlp import train``. Contract: that module's docstring."""

from nadir_worker.examples.digits_torch import *  # noqa: F401,F403
from nadir_worker.examples.digits_torch import DEFAULTS, default_device, load_data, make_model, train  # noqa: F401
