"""opda side of fit.bench.mjs: the same inputs, timed in one Python process.

Usage: python fit.bench.opda.py <scores.json> <key> <threshold> <confidence> <fit_repeats>
Prints one JSON object. Needs opda (pip install opda; see setup-opda.sh / the README).
"""
import json
import resource
import sys
import time

import numpy as np
from opda.parametric import NoisyQuadraticDistribution
from opda.utils import dkw_epsilon


def main():
    path, key, threshold, confidence, repeats = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    ys = np.array(json.load(open(path))["scores"][key], dtype=float)
    n = len(ys)
    fits = []
    for _ in range(repeats):
        t = time.perf_counter()
        cpu = time.process_time()
        d = NoisyQuadraticDistribution.fit(
            ys,
            limits=(-np.inf, threshold),
            constraints={"a": (0.0, 1.0), "c": (1, 5), "convex": True},
            generator=np.random.default_rng(0),
        )
        seconds = time.perf_counter() - t
        cpu_seconds = time.process_time() - cpu
        fits.append({"seconds": seconds, "cpu_seconds": cpu_seconds, "a": float(d.a), "b": float(d.b), "c": int(d.c), "o": float(d.o), "convex": bool(d.convex)})

    # Consonance set the way the paper's notebooks do it: a brute-force grid, vectorized per
    # (c, s) over (a, b), accepting parameters whose CDF stays inside the DKW band at the regime's
    # jump points. Grid: c = 1..5, 16 log-spaced s, 64 a, 128 b (the notebook used 64 o x 128 a
    # x 256 b per c, i.e. 16x more points; its time scales linearly).
    eps = dkw_epsilon(n, confidence)
    srt = np.sort(ys)
    ts = np.unique(srt[srt <= threshold])
    if ts[-1] != threshold:
        ts = np.append(ts, threshold)
    counts = np.searchsorted(srt, ts, side="right")
    lower = np.clip(counts / n - eps, 0, 1)
    prev_counts = np.concatenate([[0], counts[:-1]])
    upper_prev = np.clip(prev_counts / n + eps, 0, 1)
    a_grid = np.linspace(0.090, 0.100, 64)
    b_grid = np.linspace(0.105, 0.250, 128)
    s_grid = np.logspace(-4, 0, 16)
    A, B = np.meshgrid(a_grid, b_grid, indexing="ij")
    A = A.ravel()
    B = B.ravel()
    R = B - A
    t = time.perf_counter()
    cpu = time.process_time()
    accepted_a = []
    accepted_c = set()
    for c in range(1, 6):
        for s in s_grid:
            std = NoisyQuadraticDistribution(0.0, 1.0, c, s, convex=True)
            Z = (ts[None, :] - A[:, None]) / R[:, None]
            F = std.cdf(Z)
            ok = np.all((F >= lower[None, :]) & (F <= upper_prev[None, :]), axis=1)
            if ok.any():
                accepted_c.add(c)
                accepted_a.extend(A[ok].tolist())
    grid_seconds = time.perf_counter() - t
    grid_cpu_seconds = time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "fits": fits,
        "consonance_grid": {
            "seconds": grid_seconds,
            "cpu_seconds": grid_cpu_seconds,
            "grid": {"c": [1, 5], "s": 16, "a": 64, "b": 128, "a_range": [0.090, 0.100], "b_range": [0.105, 0.250], "s_range": [1e-4, 1.0]},
            "best_score_interval": [min(accepted_a), max(accepted_a)] if accepted_a else None,
            "accepted_c": sorted(accepted_c),
        },
        "peak_rss_mb": peak_mb,
    }))


if __name__ == "__main__":
    main()
