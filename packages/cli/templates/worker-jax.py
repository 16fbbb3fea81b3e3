"""A Nadir worker around a JAX/optax training function (written by `nadir init --framework jax`).

Needs ``pip install 'nadir-worker[jax]'``. Replace the data and the model with yours; keep the signature
of ``train``. Run it with ``nadir run --study nadir.study.json --worker worker.py``.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

from nadir_worker import OptimizerSpec, Trial
from nadir_worker.cli import run_worker_main
from nadir_worker.integrations import run_train_function
from nadir_worker.optax_helper import make_optimizer

BATCH = 64


def load_data(seed: int = 0) -> tuple[np.ndarray, ...]:
    """A synthetic 10-class problem (replace with your dataset): 2048 train, 512 validation examples."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(10, 32)).astype(np.float32)
    y = rng.integers(0, 10, size=2560)
    x = centers[y] + rng.normal(scale=1.5, size=(2560, 32)).astype(np.float32)
    return x[:2048], y[:2048], x[2048:], y[2048:]


class MLP(nn.Module):
    hidden: int
    dropout_rate: float

    @nn.compact
    def __call__(self, x: jax.Array, *, train: bool) -> jax.Array:
        x = nn.relu(nn.Dense(self.hidden)(x))
        x = nn.Dropout(self.dropout_rate, deterministic=not train)(x)
        return nn.Dense(10)(x)


def train(
    params: dict[str, Any],
    step_budget: int,
    seed: int,
    on_eval: Callable[[int, dict[str, float]], bool] | None = None,
    eval_every: int = 50,
    optimizer: OptimizerSpec | None = None,
) -> dict[str, float]:
    """Trains for ``step_budget`` steps with the trial's exact NAdamW; returns the final metrics.

    Dropout and label smoothing come from ``optimizer`` (the trial's materialised config), never from
    ``params``: that is where list trials and search trials both carry them.
    """
    assert optimizer is not None, "run_train_function passes the trial's materialised optimizer"
    x_tr, y_tr, x_val, y_val = (jnp.asarray(a) for a in load_data())
    model = MLP(hidden=int(params.get("hidden_units", 128)), dropout_rate=optimizer.dropout_rate)
    tx = make_optimizer(optimizer)
    key, init_key = jax.random.split(jax.random.PRNGKey(seed % 2**32))
    variables = model.init(init_key, x_tr[:1], train=False)
    opt_state = tx.init(variables)

    def loss_fn(v: Any, x: jax.Array, y: jax.Array, k: jax.Array) -> jax.Array:
        logits = model.apply(v, x, train=True, rngs={"dropout": k})
        targets = optax.smooth_labels(jax.nn.one_hot(y, 10), optimizer.label_smoothing)
        return optax.softmax_cross_entropy(logits, targets).mean()

    @jax.jit
    def step_fn(v: Any, s: Any, x: jax.Array, y: jax.Array, k: jax.Array) -> tuple[Any, Any, jax.Array]:
        loss, grads = jax.value_and_grad(loss_fn)(v, x, y, k)
        updates, s = tx.update(grads, s, v)
        return optax.apply_updates(v, updates), s, loss

    @jax.jit
    def evaluate(v: Any) -> jax.Array:
        return jnp.mean(jnp.argmax(model.apply(v, x_val, train=False), -1) != y_val)

    rng = np.random.default_rng(seed)
    metrics: dict[str, float] = {}
    for step in range(1, step_budget + 1):
        idx = rng.integers(0, len(y_tr), size=BATCH)
        key, k = jax.random.split(key)
        variables, opt_state, loss = step_fn(variables, opt_state, x_tr[idx], y_tr[idx], k)
        if step % eval_every == 0 or step == step_budget:
            metrics = {"validation/error_rate": float(evaluate(variables)), "train/loss": float(loss), "step": step}
            if on_eval is not None and on_eval(step, dict(metrics)):
                break  # the coordinator asked to stop (pruned, target reached)
    return metrics


def run_trial(trial: Trial) -> None:
    """One trial: ``train`` with the trial's parameters, budget, seed and materialised NAdamW."""
    run_train_function(trial, train)


if __name__ == "__main__":
    sys.exit(run_worker_main(run_trial, description="Nadir worker (JAX)", frameworks={"jax": jax.__version__}))
