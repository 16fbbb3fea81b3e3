"""Independent re-computation of the HPOBench list study (numpy only, no @nadir/core code).

Reads the 8 gzipped CSVs of shared/data/tabular/hpobench directly, derives each row's point id from its
parameter values (not from its row number), and recomputes everything in
packages/core/bench/results/hpobench-study.json with different formulas from the TypeScript ones:

- construction: seed-mean accuracy, normalised regret (best - m) / (best - worst) per dataset over all
  30,000 configurations, greedy (paper Algorithm 1) on the 7 training datasets; ties in the greedy cost go
  to the lowest stand-alone cost (the point's own regret summed over the training datasets), then to the
  lower row;
- the list's score: brute-force mean over all 5^5 = 3,125 seed combinations of max over the 5 points;
- random search: E[max of k rows drawn with replacement from all 150,000] by the survival form
  y_max - sum_j (y_(j+1) - y_(j)) F(y_(j))^k (integration by parts; the TypeScript side sums
  y_(i)·((i/n)^k - ((i-1)/n)^k)), with F the empirical CDF at the distinct values;
- equivalent random budget: a linear scan over k = 1, 2, ... (the TypeScript side bisects).

Usage: python packages/core/scripts/hpobench-study-check.py [study.json]  (exit 1 on any mismatch)
"""

import gzip
import itertools
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[3] / "shared" / "data" / "tabular" / "hpobench"
STUDY = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "bench" / "results" / "hpobench-study.json"
REL = 1e-12


def load():
    meta = json.loads((DATA / "space.json").read_text())
    params = meta["parameters"]
    scores = {}
    ids = None
    for d in meta["datasets"]:
        with gzip.open(DATA / d["file"], "rt") as f:
            header = f.readline().strip().split(",")
            raw = np.loadtxt(f, delimiter=",")
        assert header[: len(params)] == [p["name"] for p in params], header
        # Point id = one choice-index digit per parameter, looked up from the value itself.
        digits = np.stack(
            [np.searchsorted(np.array(p["choices"]), raw[:, j]) for j, p in enumerate(params)], axis=1
        )
        for j, p in enumerate(params):
            assert np.array_equal(np.array(p["choices"])[digits[:, j]], raw[:, j]), p["name"]
        these = ["".join(str(x) for x in row) for row in digits]
        if ids is None:
            ids = these
        assert these == ids, "datasets list configurations in different orders"
        scores[d["name"]] = raw[:, len(params) :]
    return meta, ids, scores


def greedy(regret, train, k):
    cur = np.ones(len(train))
    chosen = []
    sub = regret[:, train]
    own = np.zeros(sub.shape[0])
    for j in range(len(train)):
        own = own + sub[:, j]
    for _ in range(k):
        # Sequential sum over the training datasets in order, as Algorithm 1 writes it.
        total = np.zeros(sub.shape[0])
        for j in range(len(train)):
            total = total + np.minimum(sub[:, j], cur[j])
        total[chosen] = np.inf
        tied = np.flatnonzero(total == total.min())
        p = int(tied[np.argmin(own[tied])])  # lowest stand-alone cost, then lowest row
        chosen.append(p)
        cur = np.minimum(cur, sub[p])
    return chosen, float(cur.mean())


def expected_best_list(rows):
    return float(np.mean([max(c) for c in itertools.product(*rows)]))


class Random:
    def __init__(self, values):
        self.y, counts = np.unique(values, return_counts=True)
        self.F = np.cumsum(counts) / values.size
        self.n = values.size
        self.gaps = np.diff(self.y)

    def best(self, k):
        return float(self.y[-1] - np.sum(self.gaps * self.F[:-1] ** k))

    def budget(self, score):
        tol = REL * max(1.0, abs(score))
        for k in range(1, self.n + 1):
            if self.best(k) >= score - tol:
                return k
        return f">{self.n}"


def close(a, b):
    return abs(a - b) <= REL * max(1.0, abs(b))


def main():
    meta, ids, scores = load()
    names = [d["name"] for d in meta["datasets"]]
    means = np.stack([scores[n].mean(axis=1) for n in names], axis=1)
    best, worst = means.max(axis=0), means.min(axis=0)
    regret = np.where(best > worst, (best - means) / np.where(best > worst, best - worst, 1), 0.0)
    study = json.loads(STUDY.read_text())
    K = study["size"]
    bad = []

    lst, cost = greedy(regret, list(range(len(names))), K)
    if [ids[p] for p in lst] != [x["id"] for x in study["list_all"]]:
        bad.append(f"list on all 8: {[ids[p] for p in lst]} vs {[x['id'] for x in study['list_all']]}")
    if not close(cost, study["cost_all"]):
        bad.append(f"cost_all {cost} vs {study['cost_all']}")

    print(f"{'held out':<18} {'list E[best]':>12} {'random E[best of K]':>20} {'k':>5}  agrees")
    for e in study["leave_one_out"]:
        h = names.index(e["held_out"])
        lst, _ = greedy(regret, [i for i in range(len(names)) if i != h], K)
        got_ids = [ids[p] for p in lst]
        score = expected_best_list([scores[e["held_out"]][p] for p in lst])
        rnd = Random(scores[e["held_out"]].ravel())
        rk = rnd.best(K)
        k = rnd.budget(score)
        ok = (
            got_ids == e["list"]
            and close(score, e["best_metric"])
            and close(rk, e["random_best_of_k"])
            and k == e["equivalent_random_budget"]
            and rnd.n == e["rows"]
        )
        if not ok:
            bad.append(f"{e['held_out']}: {got_ids} {score} {rk} {k} vs {e}")
        print(f"{e['held_out']:<18} {score:>12.6f} {rk:>20.6f} {k!s:>5}  {'yes' if ok else 'NO'}")

    if bad:
        print("MISMATCH:\n" + "\n".join(bad), file=sys.stderr)
        sys.exit(1)
    print(f"all {len(study['leave_one_out'])} held-out datasets and the full list agree with {STUDY.name}")


if __name__ == "__main__":
    main()
