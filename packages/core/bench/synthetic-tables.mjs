// Synthetic trials tables for benchmarks and tests, generated deterministically from numpy's MT19937
// (core's RandomState), so the same seed gives the same table on every machine.
import { RandomState } from "../dist/index.js";

/** A standard normal by Box–Muller from two uniforms. */
function normal(rs) {
  const u = 1 - rs.randomSample();
  const v = rs.randomSample();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const NB201_DATASETS = [
  // name, chance accuracy (%), best accuracy (%) in NAS-Bench-201 (Dong & Yang 2020, Table 5)
  ["cifar10", 10, 94.37],
  ["cifar100", 1, 73.51],
  ["ImageNet16-120", 0.83, 47.31],
];

/**
 * A table shaped like NAS-Bench-201 (Dong & Yang 2020, arXiv:2001.00326): 5^6 = 15,625 cells (6 edges, 5
 * operations each: none, skip, conv1x1, conv3x3, avgpool; point id p = Σ_e op_e·5^e), 3 datasets, 3 seeds of
 * final validation accuracy in percent (maximize). Like the real benchmark: a cell whose 3 edges into the
 * output node are all `none` is disconnected and sits at chance accuracy (point 0 is such a cell); convolutions
 * help, pooling and skips less; the datasets agree on the ranking up to per-dataset noise (the real
 * benchmark's cross-dataset rank correlation is high but not 1), and seeds add noise. Values are rounded to 2
 * decimals as the benchmark reports them, so ties occur.
 * Returns { points, workloads, values: Float64Array (point-major, then dataset, then seed), seeds }.
 */
export function nb201LikeTable(seed, { seeds = 3, datasetNoise = 0.35, seedNoise = 0.25 } = {}) {
  const rs = new RandomState(seed);
  const P = 5 ** 6;
  const W = NB201_DATASETS.length;
  const opWeight = [0, 0.15, 0.55, 0.9, 0.25]; // none, skip, conv1x1, conv3x3, avgpool
  const edgeWeight = Array.from({ length: 6 }, () => 0.6 + 0.8 * rs.randomSample());
  const values = new Float64Array(P * W * seeds);
  const points = [];
  for (let p = 0; p < P; p++) {
    points.push(`c${p}`);
    const ops = [];
    for (let e = 0, x = p; e < 6; e++, x = Math.floor(x / 5)) ops.push(x % 5);
    const disconnected = ops[3] === 0 && ops[4] === 0 && ops[5] === 0;
    let q = -3.2;
    for (let e = 0; e < 6; e++) q += edgeWeight[e] * opWeight[ops[e]];
    q += 0.4 * normal(rs);
    for (let w = 0; w < W; w++) {
      const [, chance, best] = NB201_DATASETS[w];
      const qd = q + datasetNoise * normal(rs);
      for (let s = 0; s < seeds; s++) {
        const acc = disconnected
          ? chance
          : chance + (best - chance) / (1 + Math.exp(-(qd + seedNoise * normal(rs))));
        values[(p * W + w) * seeds + s] = Math.round(acc * 100) / 100;
      }
    }
  }
  return { points, workloads: NB201_DATASETS.map((d) => d[0]), values, seeds };
}

/** A dense final-metric TrialsTable (maximize) from {@link nb201LikeTable}'s output. */
export function asTrialsTable({ points, workloads, values, seeds }) {
  const C = points.length * workloads.length;
  const offsets = new Int32Array(C + 1);
  for (let c = 0; c <= C; c++) offsets[c] = c * seeds;
  return { mode: "final-metric", direction: "maximize", points, workloads, values, offsets };
}

/**
 * A long CSV (point,workload,seed,metric) of P points × W workloads × S seeds, written in chunks to `write`
 * (so a million-point table never exists as one string). Metric = a point effect shared by all workloads
 * plus workload and seed noise, in [0, 1].
 */
export function writeLongCsv(write, { points: P, workloads: W, seeds: S, seed = 0 }) {
  const rs = new RandomState(seed);
  write("point,workload,seed,metric\n");
  let chunk = "";
  for (let p = 0; p < P; p++) {
    const base = rs.randomSample();
    for (let w = 0; w < W; w++) {
      const wv = 0.8 * base + 0.2 * rs.randomSample();
      for (let s = 0; s < S; s++)
        chunk += `p${p},w${w},${s},${(wv * (0.98 + 0.02 * rs.randomSample())).toFixed(6)}\n`;
    }
    if (chunk.length > 1 << 20) {
      write(chunk);
      chunk = "";
    }
  }
  write(chunk);
}
