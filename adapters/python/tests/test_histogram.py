"""Gradient-magnitude histograms: the protocol's binning rule on hand-counted inputs, and the hook."""

from __future__ import annotations

import numpy as np
import pytest

from nadir_worker.histogram import GradientHistogramHook, default_edges, histogram_message, histogram_of


def test_binning_rule_hand_counted() -> None:
    edges = [-3.0, -2.0, -1.0, 0.0]
    values = {
        "a": np.array([0.0, -0.0, 1e-4, 1e-3, -5e-3, 0.01, 0.02, -0.5, 1.0]),
        "b": [np.array([[2.0, np.nan], [np.inf, -np.inf]])],
    }
    h = histogram_of(values, edges)
    # |x| and log10: 0,0 -> zero; 1e-4 (-4) -> underflow; 1e-3 (-3) -> bin 0; 5e-3 (-2.3) -> bin 0;
    # 0.01 (-2) -> bin 1; 0.02 (-1.7) -> bin 1; 0.5 (-0.3) -> bin 2; 1.0 (0 = last edge) -> bin 2;
    # 2.0 (0.3) -> overflow; nan, inf, -inf -> nonfinite.
    assert h["counts"] == [2, 2, 2]
    assert (h["zero_count"], h["underflow_count"], h["overflow_count"], h["nonfinite_count"]) == (2, 1, 1, 3)
    assert h["total_count"] == 13 == sum(h["counts"]) + 2 + 1 + 1 + 3
    assert h["min_positive"] == 1e-4
    assert h["max_finite"] == 2.0


def test_torch_and_jax_inputs_give_the_same_counts() -> None:
    import jax.numpy as jnp
    import torch

    rng = np.random.default_rng(1)
    arrs = [rng.standard_normal(50) * 10.0 ** rng.uniform(-8, 0, 50), rng.standard_normal((4, 5)) * 1e-3]
    h_np = histogram_of(arrs)
    h_t = histogram_of([torch.tensor(a) for a in arrs])
    h_j = histogram_of({"x": jnp.asarray(arrs[0], jnp.float32), "y": jnp.asarray(arrs[1], jnp.float32)})
    assert h_np["counts"] == h_t["counts"]
    assert h_np["total_count"] == h_j["total_count"] == 70
    # float32 rounding may move an entry sitting right at an edge; totals and bulk agree.
    assert sum(abs(a - b) for a, b in zip(h_np["counts"], h_j["counts"])) <= 2


def test_default_edges_and_validation() -> None:
    e = default_edges(-2, 1, 2)
    assert e == [-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0]
    assert len(default_edges()) == 22 * 4 + 1
    with pytest.raises(ValueError, match="strictly increasing"):
        histogram_of([1.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="lo < hi"):
        default_edges(1, 1)


def test_hook_first_steps_and_message() -> None:
    sent = []
    hook = GradientHistogramHook(sent.append, first_steps=4, every=2, edges=[-2.0, 0.0])
    for step in range(1, 10):
        hook(step, [np.array([0.1, 0.5, 0.001])])
    assert [m.step for m in sent] == [2, 4]
    assert list(sent[0].counts) == [2] and sent[0].underflow_count == 1 and sent[0].total_count == 3
    msg = histogram_message(np.array([1e-9]), step=3, edges=[-10.0, -8.0])
    assert msg.step == 3 and list(msg.counts) == [1] and msg.quantity == 1
    with pytest.raises(ValueError, match="first_steps"):
        GradientHistogramHook(sent.append, first_steps=0)
