"""Cross-check @nadir/core's Halton sampler (`nadir sample --sampler halton`) against a Python run of AlgoPerf's Halton recipe.

The recipe is written here from shared/specs/algorithms.md §4.2 (not copied code); every random piece uses the
real numpy legacy RandomState (per-base digit shuffle and shift, then the point shuffle by the global RNG after
numpy.random.seed(seed)) and the mapping uses CPython's math.exp/math.log, so this is what AlgoPerf's
generate_search gives on this machine after numpy.random.seed(seed).

Usage: python packages/core/scripts/halton-crosscheck.py N SEED[,SEED...] [space.json]
Prints, per seed, how many unit coordinates and mapped values differ, and by how many ulps. Exit 1 if a unit
coordinate or a linear/discrete value differs, or a log-scale value differs by more than 2 ulps, for any seed.
Spaces may repeat feasible points (AlgoPerf indexes the list as given, so a repeat is a weight).
"""

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CORE = HERE.parent / "dist" / "index.js"


def odd_primes_below(limit):
    k = (limit - 2) // 2
    marked = [False] * (k + 1)
    for i in range(1, k + 1):
        j = i
        while i + j + 2 * i * j <= k:
            marked[i + j + 2 * i * j] = True
            j += 1
    return [2 * i + 1 for i in range(1, k + 1) if not marked[i]]


def bases(d):
    a = 1
    while True:
        p = odd_primes_below(1000 * a)
        if len(p) >= d + 1:
            return p[-d - 1 : -1]
        a += 1


def column(n, b, skip=100):
    rs = np.random.RandomState(b)
    digits = list(range(1, b))
    rs.shuffle(digits)
    perm = [0] + digits
    shift = rs.random_sample()
    out = []
    for i in range(skip + 1, skip + n + 1):
        x, den = 0.0, b
        while i:
            x += perm[i % b] / den
            den *= b
            i //= b
        out.append(math.fmod(x + shift, 1.0))
    return out


def unit_points(n, d, seed):
    cols = [column(n, b) for b in bases(d)]
    rows = list(zip(*cols))
    np.random.seed(seed)
    np.random.shuffle(rows)
    return rows


def mapped(space, u):
    out = {}
    for (name, s), x in zip(space.items(), u):
        if "feasible_points" in s:
            fp = s["feasible_points"]
            out[name] = fp[int(math.floor(x * len(fp)))]
        elif s.get("scaling") == "log":
            out[name] = s["min"] * math.exp(x * math.log(s["max"] / s["min"]))
        else:
            out[name] = x * (s["max"] - s["min"]) + s["min"]
    return out


def check(space, space_file, n, seed):
    d = len(space)
    ref_u = unit_points(n, d, seed)
    js = (
        f"import({json.dumps(str(CORE))}).then((m) => {{"
        f"const doc = m.loadSpaceDocument(require('node:fs').readFileSync({json.dumps(space_file)}, 'utf8'));"
        f"process.stdout.write(JSON.stringify({{"
        f"u: m.haltonSequence({n}, {d}, {{ shuffleSeed: {seed} }}).map((r) => Array.from(r)),"
        f"points: m.sample(doc.space, 'halton', {n}, {{ seed: {seed} }}) }}));}})"
    )
    ts = json.loads(subprocess.run(["node", "-e", js], capture_output=True, text=True, check=True).stdout)
    ts_u, ts_p = ts["u"], ts["points"]
    u_diff = sum(1 for a, b in zip(ref_u, ts_u) for x, y in zip(a, b) if x != y)
    log_keys = {k for k, s in space.items() if s.get("scaling") == "log"}
    diffs = []
    for u, p in zip(ref_u, ts_p):
        for k, v in mapped(space, u).items():
            if v != p[k] or isinstance(v, bool) != isinstance(p[k], bool):
                diffs.append((k, abs(v - p[k]) / math.ulp(v) if k in log_keys else math.inf))
    worst = max((x for _, x in diffs), default=0.0)
    print(
        f"n={n} seed={seed}: unit coordinates {n * d}, differing {u_diff}; "
        f"mapped values {n * d} ({n * len(log_keys)} log-scale), differing {len(diffs)}, "
        f"all on log scale: {all(k in log_keys for k, _ in diffs)}, max {worst:g} ulp"
    )
    return u_diff == 0 and all(k in log_keys for k, _ in diffs) and worst <= 2


def main():
    n = int(sys.argv[1])
    seeds = [int(s) for s in sys.argv[2].split(",")]
    space_file = sys.argv[3] if len(sys.argv) > 3 else str(HERE.parent / "examples" / "algoperf-nadamw-space.json")
    space = json.loads(Path(space_file).read_text())
    ok = all([check(space, space_file, n, seed) for seed in seeds])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
