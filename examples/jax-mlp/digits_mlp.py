"""The JAX digits MLP ships in the SDK as :mod:`nadir_worker.examples.digits_jax` (so that ``nadir run``
works from ``pip install 'nadir-worker[jax,examples]'``); this module re-exports it for the examples that
``from digits_mlp import train``. Contract and metrics: that module's docstring."""

from nadir_worker.examples.digits_jax import *  # noqa: F401,F403
from nadir_worker.examples.digits_jax import DEFAULTS, MLP, load_data, train  # noqa: F401
