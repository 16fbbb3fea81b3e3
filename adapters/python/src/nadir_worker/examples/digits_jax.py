"""A real MLP on scikit-learn's bundled 8x8 digits (no download), trained with the exact optax NAdamW of
a Nadir trial. Usable without a coordinator:

    from nadir_worker.examples.digits_jax import train
    metrics = train({"learning_rate": 2e-3, "hidden_units": 64}, step_budget=1000, seed=0)
    # {"validation/error_rate": 0.019, "validation/loss": 0.080, "train/loss": 0.027, ..., "step": 1000}

``train(params, step_budget, seed, on_eval=None, eval_every=50, optimizer=None) -> dict``

* ``params``: the trial's hyperparameters, keys as in the quickstart study of ``nadir run`` (after
  ``"as"``: ``beta1``, not ``one_minus_beta1``). Missing keys take :data:`DEFAULTS` (``hidden_units``
  is missing from the AlgoPerf list points, so list trials use 128). Unknown keys raise ``ValueError``.
* ``step_budget``: optimizer updates (one minibatch of :data:`BATCH_SIZE` each).
* ``seed``: initialisation, minibatch order and dropout. Same seed and params -> same result on one device.
* ``on_eval(step, metrics)``: called every ``eval_every`` steps and after the last step with the same
  dict ``train`` returns; returning True stops training there (pruning, target reached).
* ``optimizer``: a :class:`nadir_worker.OptimizerSpec` (a trial's ``trial.optimizer``, materialised
  by the coordinator). Without it the spec is built from ``params`` the way ``@nadir/core`` materialises
  the digits study (:func:`optimizer_spec`): AlgoPerf NAdamW, epsilon 1e-8, linear warmup of
  ``floor(warmup_factor * step_budget)`` steps from 0, then cosine decay to 0 at ``step_budget``.

Returns ``{"validation/error_rate", "validation/loss", "train/loss", "train/learning_rate", "step"}``:
the validation error rate and (unsmoothed) cross-entropy on the fixed 360-example validation split, the
mean training objective (label-smoothed cross-entropy with dropout, no weight-decay term) over the
minibatches since the previous evaluation, the learning rate of the last update (``lr(step - 1)`` of the
optimizer's schedule), and the step they were measured at.

Data: ``load_digits()``, features scaled to [0, 1], split once by a fixed permutation (seed
:data:`SPLIT_SEED`) into 1437 training and 360 validation examples. Model: two hidden ReLU layers of
``hidden_units`` with dropout after each, 10 logits. Steps run ``eval_every`` at a time inside one
``lax.scan`` so Python is entered once per evaluation; the compiled step is cached per model shape and
optimizer configuration.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

from nadir_worker.config import OptimizerSpec
from nadir_worker.optax_helper import make_optimizer, make_schedule
from nadir_worker.examples.digits_task import (  # noqa: F401 (DEFAULTS, SPLIT_SEED, VALIDATION_SIZE: re-exported, documented here)
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


def load_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x_train, y_train, x_val, y_val)`` of :func:`nadir_worker.examples.digits_task.load_split`, labels as int32."""
    x_tr, y_tr, x_val, y_val = load_split()
    return x_tr, y_tr.astype(np.int32), x_val, y_val.astype(np.int32)


class MLP(nn.Module):
    """64 -> hidden -> hidden -> 10, ReLU, dropout after each hidden layer."""

    hidden_units: int
    dropout_rate: float

    @nn.compact
    def __call__(self, x: jax.Array, *, train: bool) -> jax.Array:
        for _ in range(2):
            x = nn.relu(nn.Dense(self.hidden_units)(x))
            x = nn.Dropout(self.dropout_rate, deterministic=not train)(x)
        return nn.Dense(NUM_CLASSES)(x)


def _loss(logits: jax.Array, labels: jax.Array, smoothing: float) -> jax.Array:
    targets = optax.smooth_labels(jax.nn.one_hot(labels, NUM_CLASSES), smoothing) if smoothing else jax.nn.one_hot(labels, NUM_CLASSES)
    return optax.softmax_cross_entropy(logits, targets).mean()


@functools.lru_cache(maxsize=64)
def _compiled(hidden_units: int, dropout_rate: float, label_smoothing: float, spec: OptimizerSpec) -> tuple[Any, Any, Any, Any]:
    """(model, tx, run_chunk, evaluate) for one configuration; jit caches one executable per chunk length."""
    model = MLP(hidden_units, dropout_rate)
    tx = make_optimizer(spec)

    def step(carry: Any, batch: tuple[jax.Array, jax.Array, jax.Array]) -> tuple[Any, jax.Array]:
        variables, opt_state = carry
        x, y, key = batch

        def objective(v: Any) -> jax.Array:
            return _loss(model.apply(v, x, train=True, rngs={"dropout": key}), y, label_smoothing)

        loss, grads = jax.value_and_grad(objective)(variables)
        updates, opt_state = tx.update(grads, opt_state, variables)
        return (optax.apply_updates(variables, updates), opt_state), loss

    @jax.jit
    def run_chunk(variables: Any, opt_state: Any, xs: jax.Array, ys: jax.Array, keys: jax.Array) -> tuple[Any, Any, jax.Array]:
        (variables, opt_state), losses = jax.lax.scan(step, (variables, opt_state), (xs, ys, keys))
        return variables, opt_state, losses.mean()

    @jax.jit
    def evaluate(variables: Any, x: jax.Array, y: jax.Array) -> tuple[jax.Array, jax.Array]:
        logits = model.apply(variables, x, train=False)
        return _loss(logits, y, 0.0), jnp.mean(jnp.argmax(logits, -1) != y)

    return model, tx, run_chunk, evaluate


def _batch_indices(rng: np.random.Generator, n: int, steps: int) -> np.ndarray:
    """``steps x BATCH_SIZE`` indices: epochs of a fresh permutation each, concatenated (no replacement
    within an epoch)."""
    epochs = math.ceil(steps * BATCH_SIZE / n)
    flat = np.concatenate([rng.permutation(n) for _ in range(epochs)])
    return flat[: steps * BATCH_SIZE].reshape(steps, BATCH_SIZE)


def train(
    params: Mapping[str, Any],
    step_budget: int,
    seed: int,
    on_eval: EvalCallback | None = None,
    eval_every: int = 50,
    optimizer: OptimizerSpec | None = None,
) -> dict[str, float]:
    """Trains the digits MLP for ``step_budget`` steps and returns the final metrics (module docstring)."""
    if isinstance(step_budget, bool) or not isinstance(step_budget, int) or step_budget < 1:
        raise ValueError(f"step_budget must be a positive integer, got {step_budget!r}")
    if eval_every < 1:
        raise ValueError(f"eval_every must be >= 1, got {eval_every}")
    p = resolve_params(params)
    spec = optimizer if optimizer is not None else optimizer_spec(p, step_budget)
    # Dropout and label smoothing from the optimizer spec: the one place list and search trials both fill.
    model, tx, run_chunk, evaluate = _compiled(p["hidden_units"], float(spec.dropout_rate), float(spec.label_smoothing), spec)
    x_tr, y_tr, x_val, y_val = load_data()
    x_tr_d, y_tr_d, x_val_d, y_val_d = (jnp.asarray(a) for a in (x_tr, y_tr, x_val, y_val))

    key = jax.random.PRNGKey(seed % 2**32)
    init_key, dropout_key = jax.random.split(key)
    variables = model.init(init_key, x_tr_d[:1], train=False)
    opt_state = tx.init(variables)
    schedule = make_schedule(spec)  # the optimizer's own schedule: update k used schedule(k - 1)
    order = _batch_indices(np.random.default_rng(seed), len(y_tr), step_budget)

    metrics: dict[str, float] = {}
    step = 0
    while step < step_budget:
        n = min(eval_every, step_budget - step)
        idx = jnp.asarray(order[step : step + n])
        keys = jax.random.split(jax.random.fold_in(dropout_key, step), n)
        variables, opt_state, train_loss = run_chunk(variables, opt_state, x_tr_d[idx], y_tr_d[idx], keys)
        step += n
        val_loss, val_err = evaluate(variables, x_val_d, y_val_d)
        metrics = {
            "validation/error_rate": float(val_err),
            "validation/loss": float(val_loss),
            "train/loss": float(train_loss),
            "train/learning_rate": float(schedule(step - 1)),
            "step": step,
        }
        if on_eval is not None and on_eval(step, dict(metrics)):
            break
    return metrics
