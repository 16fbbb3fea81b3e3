"""Independent float64 NumPy implementation of the NAdamW formulas in algorithms.md §1.1/§1.2, written
straight from the spec text (not from the helpers), used as the reference in the helper tests."""

from __future__ import annotations

import numpy as np


def nadamw_reference(
    theta0: np.ndarray,
    grads: list[np.ndarray],
    lrs: list[float],
    *,
    b1: float,
    b2: float,
    eps: float,
    wd: float,
    variant: str,
    eps_root: float = 0.0,
) -> list[np.ndarray]:
    """theta_1..theta_n for the given gradient sequence and per-update learning rates (lrs[k-1] for
    update k)."""
    theta = np.array(theta0, dtype=np.float64)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    out = []
    for t, (g, lr) in enumerate(zip(grads, lrs), start=1):
        g = np.asarray(g, dtype=np.float64)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        if variant == "optax":
            m_hat = b1 * m / (1 - b1 ** (t + 1)) + (1 - b1) * g / (1 - b1**t)
        else:
            m_hat = (b1 * m + (1 - b1) * g) / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        theta = theta - lr * (m_hat / (np.sqrt(v_hat + eps_root) + eps) + wd * theta)
        out.append(theta.copy())
    return out


def fixed_problem(seed: int = 0, n: int = 64, d_in: int = 6, d_out: int = 3) -> dict[str, np.ndarray]:
    """A fixed least-squares-with-tanh problem: data and initial parameters (float64)."""
    rng = np.random.default_rng(seed)
    return {
        "x": rng.normal(size=(n, d_in)),
        "y": rng.normal(size=(n, d_out)),
        "w": rng.normal(size=(d_in, d_out)) * 0.5,
        "b": rng.normal(size=(d_out,)) * 0.1,
    }
