"""Log-binned gradient-magnitude histograms (protocol ``nadir.v1.GradientHistogram``), the input of the
Adam-epsilon range suggestion in ``@nadir/analysis`` (``suggestEpsilonRange``; Silva & Rodriguez,
arXiv 2311.11532).

Binning (the protocol's rule): with strictly increasing log10 edges ``e_0 < ... < e_B``, bin ``i`` counts
entries with ``e_i <= log10|g| < e_{i+1}``, the last bin also takes ``log10|g| = e_B``; entries below
``e_0`` go to ``underflow_count``, above ``e_B`` to ``overflow_count``, exact zeros to ``zero_count`` and
NaN/Inf to ``nonfinite_count``; all counts sum to ``total_count``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .gen import common_pb2, histogram_pb2

DEFAULT_LOG10_MIN = -20.0
DEFAULT_LOG10_MAX = 2.0
DEFAULT_BINS_PER_DECADE = 4


def default_edges(lo: float = DEFAULT_LOG10_MIN, hi: float = DEFAULT_LOG10_MAX, bins_per_decade: int = DEFAULT_BINS_PER_DECADE) -> list[float]:
    """``bins_per_decade`` equal bins per power of ten from ``10^lo`` to ``10^hi`` (log10 edges)."""
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"need finite lo < hi, got lo={lo}, hi={hi}")
    if not isinstance(bins_per_decade, int) or bins_per_decade < 1:
        raise ValueError(f"bins_per_decade must be a positive integer, got {bins_per_decade!r}")
    n = int(round((hi - lo) * bins_per_decade))
    if n < 1:
        raise ValueError(f"[{lo}, {hi}] with {bins_per_decade} bins per decade gives no bins")
    return [lo + (hi - lo) * i / n for i in range(n + 1)]


def _flatten(values: Any) -> np.ndarray:
    """Concatenates numpy arrays, scalars, JAX arrays, torch tensors or (nested) lists/dicts/pytrees of
    them into one float64 vector of their entries."""
    leaves: list[np.ndarray] = []

    def walk(x: Any) -> None:
        if x is None:
            return
        if isinstance(x, dict):
            for k in sorted(x, key=str):
                walk(x[k])
            return
        if isinstance(x, (list, tuple)):
            for item in x:
                walk(item)
            return
        if hasattr(x, "detach") and hasattr(x, "cpu"):  # torch.Tensor, without importing torch
            x = x.detach().cpu().double().numpy()
        leaves.append(np.asarray(x, dtype=np.float64).ravel())

    try:
        import jax  # optional: flattens flax/optax pytrees of any container type

        values = jax.tree_util.tree_leaves(values)
    except ImportError:
        pass
    walk(values)
    return np.concatenate(leaves) if leaves else np.zeros(0)


def histogram_of(values: Any, edges: Sequence[float] | None = None) -> dict[str, Any]:
    """Counts of ``|values|`` in log10 bins per the module rule; returns the histogram message's fields
    (``bin_edges``, ``counts``, ``underflow_count``, ``overflow_count``, ``zero_count``, ``nonfinite_count``,
    ``total_count``, ``min_positive``, ``max_finite``)."""
    e = np.asarray(default_edges() if edges is None else list(edges), dtype=np.float64)
    if e.ndim != 1 or e.size < 2 or not np.all(np.isfinite(e)) or not np.all(np.diff(e) > 0):
        raise ValueError("edges must be at least two finite, strictly increasing log10 values")
    x = np.abs(_flatten(values))
    finite = np.isfinite(x)
    nonfinite = int(np.count_nonzero(~finite))
    xf = x[finite]
    zeros = int(np.count_nonzero(xf == 0))
    pos = xf[xf > 0]
    lg = np.log10(pos)
    idx = np.searchsorted(e, lg, side="right") - 1
    nb = e.size - 1
    idx[lg == e[-1]] = nb - 1
    under = int(np.count_nonzero(idx < 0))
    over = int(np.count_nonzero(idx >= nb))
    inside = idx[(idx >= 0) & (idx < nb)]
    counts = np.bincount(inside, minlength=nb).astype(np.int64)
    return {
        "bin_edges": [float(v) for v in e],
        "counts": [int(c) for c in counts],
        "underflow_count": under,
        "overflow_count": over,
        "zero_count": zeros,
        "nonfinite_count": nonfinite,
        "total_count": int(x.size),
        "min_positive": float(pos.min()) if pos.size else 0.0,
        "max_finite": float(xf.max()) if xf.size else 0.0,
    }


def histogram_message(
    values: Any,
    *,
    step: int,
    trial: common_pb2.TrialRef | None = None,
    edges: Sequence[float] | None = None,
    scope: str = "*",
    quantity: int = histogram_pb2.HISTOGRAM_QUANTITY_GRADIENT_ABS,
) -> histogram_pb2.GradientHistogram:
    """A ``GradientHistogram`` message of ``|values|`` at ``step`` (see :func:`histogram_of`)."""
    if not isinstance(step, int) or step < 0:
        raise ValueError(f"step must be a non-negative integer, got {step!r}")
    fields = histogram_of(values, edges)
    msg = histogram_pb2.GradientHistogram(step=step, quantity=quantity, scope=scope, **fields)
    if trial is not None:
        msg.trial.CopyFrom(trial)
    return msg


class GradientHistogramHook:
    """Collects log-binned |g| histograms for the first ``first_steps`` optimizer steps (every
    ``every`` steps) and hands each to ``sink`` (normally ``trial.report_histogram``).

    Call ``hook(step, grads)`` after computing the (clipped) gradients of step ``step`` (1-based);
    it returns the message when one was taken, else None."""

    def __init__(self, sink: Any, first_steps: int = 100, every: int = 1, edges: Sequence[float] | None = None, scope: str = "*") -> None:
        if not isinstance(first_steps, int) or first_steps < 1:
            raise ValueError(f"first_steps must be a positive integer, got {first_steps!r}")
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive integer, got {every!r}")
        if not callable(sink):
            raise ValueError("sink must be callable (e.g. trial.report_histogram)")
        self.sink = sink
        self.first_steps = first_steps
        self.every = every
        self.edges = list(default_edges() if edges is None else edges)
        self.scope = scope
        self.sent = 0

    def wants(self, step: int) -> bool:
        """Whether step ``step`` is histogrammed (``step <= first_steps`` and ``step % every == 0``)."""
        return 1 <= step <= self.first_steps and step % self.every == 0

    def __call__(self, step: int, grads: Any) -> histogram_pb2.GradientHistogram | None:
        if not self.wants(step):
            return None
        msg = histogram_message(grads, step=step, edges=self.edges, scope=self.scope)
        self.sink(msg)
        self.sent += 1
        return msg


def torch_grads(params: Iterable[Any]) -> list[Any]:
    """The ``.grad`` of every torch parameter that has one (input for the hook)."""
    return [p.grad for p in params if getattr(p, "grad", None) is not None]
