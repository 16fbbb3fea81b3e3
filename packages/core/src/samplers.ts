/**
 * Seeded, reproducible samplers over a SearchSpace: uniform random, grid, and AlgoPerf's scrambled,
 * shifted Halton sequence (bit-for-bit with AlgoPerf `halton.py`; Halton 1960, Owen 2017
 * arXiv:1706.02808 for the random digit scrambling). All randomness comes from {@link RandomState}
 * (MT19937, 32-bit integer arithmetic), so the same seed gives the same points on every platform.
 */
import { InvalidArgumentError, requireInt, TooLargeError } from "./errors.js";
import { RandomState } from "./rng.js";
import { mapUnit, type Point, pointFromUnit, type SearchSpace, validateSpace } from "./space.js";

/**
 * Odd primes below `limit`, ascending, by the Sieve of Sundaram as in AlgoPerf `halton.py`
 * (which is why 2 is never a base: Sundaram yields only the odd primes).
 */
export function oddPrimesBelow(limit: number): number[] {
  requireInt("limit", limit, 3, 1e8);
  const k = Math.floor((limit - 2) / 2); // candidates 2i+1 < limit for i = 1..k
  const marked = new Uint8Array(k + 1);
  for (let i = 1; i <= k; i++) {
    for (let j = i; i + j + 2 * i * j <= k; j++) marked[i + j + 2 * i * j] = 1;
  }
  const out: number[] = [];
  for (let i = 1; i <= k; i++) if (!marked[i] && 2 * i + 1 < limit) out.push(2 * i + 1);
  return out;
}

/**
 * Halton bases for d dimensions (AlgoPerf `halton.py`, `generate_primes` / `_get_bases`): P = odd primes below 1000·a for the smallest
 * a = 1, 2, … with |P| ≥ d + 1, then bases = P[−d−1 : −1] (the d primes just below the largest).
 * For d = 7: [947, 953, 967, 971, 977, 983, 991].
 */
export function haltonBases(d: number): number[] {
  requireInt("d", d, 1, 100000);
  for (let a = 1; ; a++) {
    const p = oddPrimesBelow(1000 * a);
    if (p.length >= d + 1) return p.slice(p.length - d - 1, p.length - 1);
  }
}

/**
 * Digit permutation and shift of one base (AlgoPerf `halton.py`, `_get_permutations` / shift): RandomState(b) shuffles [1, …, b−1]
 * in place, 0 is prepended (π(0) = 0), then one random_sample() gives the shift s ∈ [0, 1).
 */
export function haltonScramble(base: number): { permutation: number[]; shift: number } {
  requireInt("base", base, 2, 1e7);
  const rs = new RandomState(base);
  const digits = Array.from({ length: base - 1 }, (_, i) => i + 1);
  rs.shuffle(digits);
  const permutation = [0, ...digits];
  return { permutation, shift: rs.randomSample() };
}

/** Options of the Halton sequence; defaults are AlgoPerf's. */
export interface HaltonOptions {
  /** Leading points dropped (AlgoPerf: 100). */
  skip?: number;
  /**
   * Order of the points. AlgoPerf shuffles them with numpy's unseeded global RNG, so its order cannot be
   * reproduced; here `shuffleSeed` s applies the legacy shuffle of RandomState(s) (what
   * `numpy.random.seed(s)` before AlgoPerf's call would give). null = generation order (test vectors).
   */
  shuffleSeed?: number | null;
}

/**
 * AlgoPerf's scrambled, shifted Halton sequence in [0, 1)^d (algoperf/halton.py): for base b_j and
 * index i = skip+1 … skip+n, u_j = fmod(Σ_k π_b(digit_k(i))/b^(k+1) + s_b, 1), summed least-significant
 * digit first exactly as Python does, so the doubles are identical. Returns n rows of d coordinates.
 */
export function haltonSequence(n: number, d: number, options: HaltonOptions = {}): Float64Array[] {
  requireInt("n", n, 0, 10_000_000);
  const skip = requireInt("skip", options.skip ?? 100, 0, 1e9);
  const bases = haltonBases(d);
  const rows = Array.from({ length: n }, () => new Float64Array(d));
  bases.forEach((b, j) => {
    const { permutation, shift } = haltonScramble(b);
    for (let r = 0; r < n; r++) {
      let idx = skip + 1 + r;
      let x = 0;
      let denom = b;
      while (idx > 0) {
        x += (permutation[idx % b] as number) / denom;
        idx = Math.floor(idx / b);
        denom *= b;
      }
      (rows[r] as Float64Array)[j] = (x + shift) % 1;
    }
  });
  const seed = options.shuffleSeed;
  if (seed !== null && seed !== undefined)
    new RandomState(requireInt("shuffleSeed", seed, 0, 0xffffffff)).shuffle(rows);
  return rows;
}

/** Which sampler. */
export type SamplerKind = "random" | "halton" | "grid";

/** Options common to {@link sample}. */
export interface SampleOptions {
  /** Seed (unsigned 32-bit). random: the stream; halton: the point order; grid: ignored. */
  seed: number;
  /** Halton only: leading points skipped (default 100). */
  skip?: number;
}

/**
 * Draws n points from a space.
 * - random: RandomState(seed).random_sample() for each coordinate, point by point (one coordinate per
 *   parameter, conditional or not), mapped by {@link mapUnit}.
 * - halton: {@link haltonSequence} with shuffleSeed = seed, mapped by {@link mapUnit}.
 * - grid: {@link gridPoints} with the most levels per numeric dimension that keep the grid ≤ n points;
 *   returns the whole grid (possibly fewer than n points).
 */
export function sample(space: SearchSpace, kind: SamplerKind, n: number, options: SampleOptions): Point[] {
  // Repeated discrete/categorical values are legal here: every sampler maps u to values[floor(u·|values|)],
  // where a repeat is a weight, exactly as AlgoPerf indexes feasible_points. Whether a document may repeat
  // values is decided by its parser (AlgoPerf's format may, Nadir's native format may not), not re-decided here.
  validateSpace(space, { allowRepeatedValues: true });
  requireInt("n", n, 1, 10_000_000);
  const seed = requireInt("seed", options.seed, 0, 0xffffffff);
  const d = space.parameters.length;
  if (kind === "random") {
    const rs = new RandomState(seed);
    const out: Point[] = [];
    const u = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) u[j] = rs.randomSample();
      out.push(pointFromUnit(space, u));
    }
    return out;
  }
  if (kind === "halton") {
    const opts: HaltonOptions = { shuffleSeed: seed };
    if (options.skip !== undefined) opts.skip = options.skip;
    return haltonSequence(n, d, opts).map((u) => pointFromUnit(space, u));
  }
  if (kind === "grid") return gridPoints(space, gridLevelsFor(space, n));
  throw new InvalidArgumentError("kind", `expected random, halton or grid, got ${String(kind)}`);
}

/**
 * The largest L such that a grid with L levels on every float/int dimension has at most n points.
 * Throws when even L = 1 exceeds n (the discrete dimensions alone need more points).
 */
export function gridLevelsFor(space: SearchSpace, n: number): number {
  let fixedCount = 1;
  let numeric = 0;
  for (const p of space.parameters) {
    const d = p.domain;
    if (d.kind === "float" || d.kind === "int") numeric++;
    else if (d.kind === "categorical" || d.kind === "discrete") fixedCount *= new Set(d.values).size;
  }
  if (fixedCount > n)
    throw new TooLargeError(
      "n",
      `the discrete dimensions alone give ${fixedCount} grid points, more than n = ${n}`,
    );
  if (numeric === 0) return 1;
  let L = Math.max(1, Math.floor((n / fixedCount) ** (1 / numeric) + 1e-9));
  while (fixedCount * (L + 1) ** numeric <= n) L++;
  while (L > 1 && fixedCount * L ** numeric > n) L--;
  return L;
}

/**
 * The full grid in mixed-radix order (last parameter fastest). Numeric dimensions get `levels` values
 * at t = l/(L−1), l = 0…L−1 in the scaled space (t = ½ when L = 1): float linear min + t(max−min), float
 * log min·(max/min)^t (endpoints exact); int dims round those and drop duplicates. Discrete and categorical
 * dimensions take all distinct values, fixed its value. Points whose conditional parameters are inactive lose those
 * keys; duplicates that result are dropped (first kept).
 */
export function gridPoints(space: SearchSpace, levels: number, limit = 1_000_000): Point[] {
  validateSpace(space, { allowRepeatedValues: true });
  requireInt("levels", levels, 1, 1e6);
  const axes = space.parameters.map((p) => {
    const d = p.domain;
    if (d.kind === "float" || d.kind === "int") {
      const vals: number[] = [];
      for (let l = 0; l < levels; l++) {
        const t = levels === 1 ? 0.5 : l / (levels - 1);
        // Endpoints exactly (reverse_log maps t = 0 to max and t = 1 to min).
        const lo = d.scale === "reverse_log" ? d.max : d.min;
        const hi = d.scale === "reverse_log" ? d.min : d.max;
        let v =
          t === 1
            ? hi
            : t === 0
              ? lo
              : (mapUnit({ kind: "float", min: d.min, max: d.max, scale: d.scale }, t) as number);
        if (d.kind === "int") v = Math.round(v);
        if (!vals.includes(v)) vals.push(v);
      }
      return vals;
    }
    if (d.kind === "fixed") return [d.value];
    return [...new Set(d.values)]; // a repeated value is one grid level (first occurrence kept)
  });
  const total = axes.reduce((a, x) => a * x.length, 1);
  if (total > limit)
    throw new TooLargeError("levels", `the grid has ${total} points, more than the limit ${limit}`);
  const out: Point[] = [];
  const seen = new Set<string>();
  const idx = new Array<number>(axes.length).fill(0);
  for (let c = 0; c < total; c++) {
    let rem = c;
    for (let j = axes.length - 1; j >= 0; j--) {
      const len = (axes[j] as unknown[]).length;
      idx[j] = rem % len;
      rem = Math.floor(rem / len);
    }
    const point: Point = {};
    space.parameters.forEach((p, j) => {
      if (p.condition) {
        const pv = point[p.condition.parent];
        if (pv === undefined || !p.condition.values.includes(pv)) return;
      }
      point[p.name] = (axes[j] as Point[string][])[idx[j] as number] as Point[string];
    });
    const key = JSON.stringify(point);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(point);
    }
  }
  return out;
}
