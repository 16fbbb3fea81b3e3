"""The loop integrations (nadir_worker.integrations) against the real coordinator (`nadir serve`):
a Flax TrainState loop and a PyTorch loop train the same least-squares problem for a list trial; the
journal holds their reports every reportEverySteps and a completion at the budget; the final parameters
equal a hand-written optax / torch loop with the trial's optimizer (the loops step, schedule and count
exactly like plain code), and the JAX and PyTorch loops agree with each other to 1e-5 relative.
Also: the plain-function path stops at the coordinator's request without claiming completion, and the
gradient-histogram hook reaches the journal."""

from __future__ import annotations

import math
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch
from flax import linen as nn

from fixtures_coordinator import serve, toy_study
from nadir_worker import Worker
from nadir_worker.config import schedule_value
from nadir_worker.gen import trial_pb2
from nadir_worker.integrations import run_train_function
from nadir_worker.integrations.flax_train_state import create_train_state, train_loop as flax_loop
from nadir_worker.integrations.torch_loop import train_loop as torch_loop
from nadir_worker.optax_helper import make_optimizer
from nadir_worker.torch_helper import make_torch_nadamw

STEPS = 40
EVERY = 10
RNG = np.random.default_rng(7)
X = RNG.normal(size=(64, 5)).astype(np.float32)
Y = (X @ RNG.normal(size=(5, 3)) + 0.1 * RNG.normal(size=(64, 3))).astype(np.float32)
W0 = (0.3 * RNG.normal(size=(5, 3))).astype(np.float32)
B0 = np.zeros(3, np.float32)


class Linear(nn.Module):
    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        return nn.Dense(3)(x)


def flax_params() -> dict:
    return {"params": {"Dense_0": {"kernel": jnp.asarray(W0), "bias": jnp.asarray(B0)}}}


def mse(pred: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((pred - y) ** 2)


@jax.jit
def flax_step(state, batch):
    x, y = batch
    loss, grads = jax.value_and_grad(lambda p: mse(state.apply_fn(p, x), y))(state.params)
    return state.apply_gradients(grads=grads), {"train/loss": loss}


def flax_reference(spec) -> np.ndarray:
    """The same training as a plain optax loop (no Nadir code but the optimizer)."""
    tx = make_optimizer(spec)
    params = flax_params()
    opt_state = tx.init(params)
    model = Linear()
    for _ in range(STEPS):
        grads = jax.grad(lambda p: mse(model.apply(p, X), Y))(params)
        updates, opt_state = tx.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
    return np.asarray(params["params"]["Dense_0"]["kernel"])


def torch_model() -> torch.nn.Linear:
    m = torch.nn.Linear(5, 3)
    with torch.no_grad():
        m.weight.copy_(torch.from_numpy(W0.T))
        m.bias.copy_(torch.from_numpy(B0))
    return m


def torch_loss(model: torch.nn.Module, batch) -> torch.Tensor:
    x, y = batch
    return torch.mean((model(x) - y) ** 2)


def torch_reference(spec) -> np.ndarray:
    model = torch_model()
    opt = make_torch_nadamw(spec, model.parameters())
    xt, yt = torch.from_numpy(X), torch.from_numpy(Y)
    for _ in range(STEPS):
        opt.zero_grad()
        torch_loss(model, (xt, yt)).backward()
        opt.step()
    return model.weight.detach().numpy().T.copy()


def test_flax_and_torch_loops_under_a_real_coordinator(tmp_path: Path) -> None:
    study = toy_study("it-loops", trials=2, steps=STEPS, parallelism=1, reportEverySteps=EVERY)
    results: dict[int, tuple[str, np.ndarray, object]] = {}
    with serve(tmp_path, study) as coord:
        with Worker(coord.endpoint, handle_signals=False) as w:
            for trial in w.trials():
                with trial:
                    if trial.ref.trial_id == 1:
                        state = create_train_state(trial, Linear().apply, flax_params())
                        batch = (jnp.asarray(X), jnp.asarray(Y))
                        evaluate = jax.jit(lambda s: {"validation/loss": mse(s.apply_fn(s.params, batch[0]), batch[1])})
                        state, final = flax_loop(trial, state, flax_step, lambda step: batch, evaluate)
                        assert int(state.step) == STEPS
                        results[1] = ("flax", np.asarray(state.params["params"]["Dense_0"]["kernel"]), trial.optimizer)
                    else:
                        model = torch_model()
                        batch = (torch.from_numpy(X), torch.from_numpy(Y))
                        final = torch_loop(trial, model, torch_loss, lambda step: batch, lambda m: {"validation/loss": torch_loss(m, batch)})
                        results[2] = ("torch", model.weight.detach().numpy().T.copy(), trial.optimizer)
                    assert trial.outcome == "completed" and math.isfinite(final["validation/loss"])
        assert coord.wait(30) == 0
    rows = coord.export("jsonl")
    assert [(r["trial"], r["state"], r["steps"]) for r in rows] == [(1, "COMPLETED", STEPS), (2, "COMPLETED", STEPS)]
    curves = coord.export("curves-jsonl")
    for tid in (1, 2):
        spec = results[tid][2]
        mine = sorted((c for c in curves if c["trial"] == tid), key=lambda c: c["step"])
        assert [c["step"] for c in mine] == list(range(EVERY, STEPS + 1, EVERY))
        for c in mine:
            ref = spec.learning_rate(c["step"] - 1)
            assert c["train/learning_rate"] == pytest.approx(ref, rel=1e-6, abs=4 * 2**-24 * spec.nadamw.learning_rate)
        assert mine[-1]["validation/loss"] < mine[0]["validation/loss"]
    # The loops are exactly the plain loops with the trial's optimizer.
    np.testing.assert_allclose(results[1][1], flax_reference(results[1][2]), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(results[2][1], torch_reference(results[2][2]))
    # List points 0 and 1 differ, so compare each framework with the other on the same spec too.
    np.testing.assert_allclose(torch_reference(results[1][2]), results[1][1], rtol=1e-5, atol=1e-6)


def test_plain_function_stops_when_pruned_and_histograms_reach_the_journal(tmp_path: Path) -> None:
    # ASHA with rungs at steps 10 and 30, one trial at a time: trials 1 and 2 survive (best so far at
    # each rung), trial 3 repeats trial 1's point (loss 1.408 at step 10) against 1.045 of trial 2 and
    # is outside the top 1/3 of 3 at rung 10 -> pruned there (stoppers.ts rule).
    study = toy_study("it-prune", trials=3, steps=STEPS, parallelism=1, reportEverySteps=EVERY,
                      earlyStopping={"kind": "asha", "minSteps": EVERY, "reductionFactor": 3})
    seen: dict[int, int] = {}

    def loss(params: dict, step: int) -> float:
        return params["learning_rate"] * 1e3 + 1.0 / step

    def train(params, step_budget, seed, on_eval=None, eval_every=50, optimizer=None):
        assert optimizer is not None and optimizer.schedule.total_steps == step_budget
        step = 0
        for step in range(1, step_budget + 1):
            if step % eval_every == 0:
                stop = on_eval(step, {"loss": loss(params, step), "step": step})
                time.sleep(0.3)  # room for the coordinator's StopTrial to arrive before the next report
                if stop:
                    break
        return {"loss": loss(params, step), "step": step}

    with serve(tmp_path, study) as coord:
        with Worker(coord.endpoint, handle_signals=False) as w:
            for trial in w.trials():
                with trial:
                    trial.histogram_hook(first_steps=2)(1, [1e-3, 2e-6, 0.0])
                    final = run_train_function(trial, train)
                    seen[trial.ref.trial_id] = final["step"]
                    if trial.stop_reason is not None:
                        assert not trial.finished  # left to the block: TrialStopped, not TrialCompleted
        assert coord.wait(30) == 0
    states = {r["trial"]: r["state"] for r in coord.export("jsonl")}
    assert states == {1: "COMPLETED", 2: "COMPLETED", 3: "PRUNED"}
    assert seen == {1: STEPS, 2: STEPS, 3: 2 * EVERY}  # stopped at the first report after the StopTrial
    recs = coord.journal_records()
    stopped = [r.trial_stopped for r in recs if r.WhichOneof("entry") == "trial_stopped"]
    assert [(s.trial.trial_id, s.reason, s.last.step) for s in stopped] == [(3, trial_pb2.STOP_REASON_PRUNED, 2 * EVERY)]
    completed = sorted((r.trial_completed.trial.trial_id, r.trial_completed.final.step) for r in recs if r.WhichOneof("entry") == "trial_completed")
    assert completed == [(1, STEPS), (2, STEPS)]
    hists = [r.gradient_histogram for r in recs if r.WhichOneof("entry") == "gradient_histogram"]
    assert len(hists) == 3 and all(h.total_count == 3 and h.zero_count == 1 for h in hists)
