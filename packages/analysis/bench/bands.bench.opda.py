"""opda side of bands.bench.mjs: one confidence_bands call, timed, in this (fresh) process.

Usage: python bands.bench.opda.py <ys.json> <method> <confidence> <seed>
Prints one JSON object: seconds and cpu_seconds (the confidence_bands call only), peak RSS of this process (MB),
opda's Monte-Carlo critical value recovered from the band, and the band's cumulative values
L_0..L_n, U_0..U_n. n_jobs=1 so the whole cost is in this process (our implementation is
single-threaded too); opda's default n_jobs=os.cpu_count() only parallelises the simulation.
Needs opda (see setup-opda.sh).
"""
import importlib.metadata as md
import json
import resource
import sys
import time

import numpy as np
from scipy import stats
from opda.nonparametric import EmpiricalDistribution


def main():
    path, method, confidence, seed = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    ys = np.array(json.load(open(path)), dtype=float)
    n = len(ys)
    t = time.perf_counter()
    c = time.process_time()
    lo, _pt, hi = EmpiricalDistribution.confidence_bands(
        ys, confidence, a=0.0, b=1.0, method=method,
        generator=np.random.default_rng(seed), n_jobs=1,
    )
    seconds = time.perf_counter() - t
    cpu_seconds = time.process_time() - c
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    s = np.sort(ys)
    L = np.concatenate([[lo.cdf(0.0)], lo.cdf(s)])
    U = np.concatenate([[hi.cdf(0.0)], hi.cdf(s)])
    # Recover the pointwise coverage delta opda used (interior order statistics):
    # the interval of order statistic i is [L_i, U_{i-1}], of Beta(i, n+1-i) mass delta.
    i = np.arange(2, n)
    deltas = stats.beta(i, n + 1 - i).cdf(U[i - 1]) - stats.beta(i, n + 1 - i).cdf(L[i])
    print(json.dumps({
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_rss_mb": peak_mb,
        "critical_value_mc": float(np.median(deltas)),
        "lower": L.tolist(),
        "upper": U.tolist(),
        "versions": {k: md.version(k) for k in ("opda", "numpy", "scipy")},
        "python": sys.version.split()[0],
    }))


if __name__ == "__main__":
    main()
