/**
 * Exact probability that the order statistics of n i.i.d. U(0, 1) variables stay inside given
 * boxes — the computation behind the exact KS distribution and the exact Learned-Miller–DeStefano
 * critical values.
 */
import { poissonPmf } from "./binomial.js";
import { InvalidArgumentError } from "./errors.js";

/** Kernel terms below this fraction of the kernel's largest term are dropped (total < 1e-18). */
const ROW_CUTOFF = 1e-20;

/**
 * `P(lo_i ≤ U_(i) ≤ hi_i for all i = 1..n)` for the order statistics `U_(1) ≤ … ≤ U_(n)` of n
 * i.i.d. U(0, 1) variables (arrays are 0-based: `lo[i−1]`, `hi[i−1]`).
 *
 * Method: with `N(t) = #{U_j ≤ t}`, the event is `N(t) ≥ #{i : hi_i ≤ t}` and
 * `N(t) ≤ #{i : lo_i < t}` for all t (after making the bounds monotone: lo ← running max,
 * hi ← running min from the right, which does not change the event). It suffices to check these
 * at the merged, sorted bound values t_1 < t_2 < ….
 *
 * The uniform order statistics are the arrival times of a rate-n Poisson process conditioned on
 * N(1) = n, so `P(box) = P_Poisson(box, N(1) = n) / Pois(n; n)`. Under the Poisson process the
 * increments are independent, Poisson(n·(t − t_prev)), whatever the current count: one kernel per
 * event, applied to every state of the window as a convolution. (Conditioning the uniforms
 * directly gives Binomial(n − m, ·) transitions whose row depends on the state m; this form was
 * used first and is kept in the tests as an independent check — the convolution has no serial
 * recurrence in its inner loop and runs ~4× faster.) The distribution of N is propagated over the
 * events, keeping only the allowed window of counts, and the mass that ends at N(1) = n is
 * divided by `Pois(n; n)`. All terms are positive (no cancellation). Kernels start at their mode
 * with Loader's accurate pmf and extend by the ratio recurrence, dropping terms < 1e-20 of the
 * kernel maximum, so the absolute error is ~1e-15 (the KS special case reproduces scipy's exact
 * `kstwo` to that level). Cost: O(#events × window × kernel length).
 *
 * This is the Poisson-process form of the classical Noé/Steck boundary-crossing computation
 * (Moscovich & Nadler, "Fast calculation of boundary crossing probabilities for Poisson
 * processes", 2017; Learned-Miller & DeStefano 2008 for its use in LD bands).
 */
export function orderStatisticsBoxProbability(lo: ArrayLike<number>, hi: ArrayLike<number>): number {
  const n = lo.length;
  if (hi.length !== n)
    throw new InvalidArgumentError(`lo and hi must have the same length, got ${n} and ${hi.length}`);
  if (n === 0) return 1;
  const L = new Float64Array(n);
  const H = new Float64Array(n);
  let run = 0;
  for (let i = 0; i < n; i++) {
    const v = lo[i]!;
    if (!(v >= 0 && v <= 1)) throw new InvalidArgumentError(`lo[${i}] must be in [0, 1], got ${v}`);
    run = Math.max(run, v);
    L[i] = run;
  }
  run = 1;
  for (let i = n - 1; i >= 0; i--) {
    const v = hi[i]!;
    if (!(v >= 0 && v <= 1)) throw new InvalidArgumentError(`hi[${i}] must be in [0, 1], got ${v}`);
    run = Math.min(run, v);
    H[i] = run;
  }
  for (let i = 0; i < n; i++) if (L[i]! > H[i]!) return 0;

  let P = new Float64Array(n + 1);
  let Q = new Float64Array(n + 1);
  // Poisson kernel K[j] = Pois(j; λ) for the current event (only [kLo, kHi] is set).
  const K = new Float64Array(n + 1);
  P[0] = 1;
  let curLo = 0;
  let curHi = 0;
  let tPrev = 0;
  // Pointers into L and H: il = #{L_i < t}, ih = #{H_i ≤ t}.
  let il = 0;
  let ih = 0;
  while (il < n || ih < n) {
    // Next event time: the smallest bound not yet passed.
    const tl = il < n ? L[il]! : 2;
    const th = ih < n ? H[ih]! : 2;
    const t = Math.min(tl, th);
    // Window at t: N(t) ≥ #{H_i ≤ t}, N(t) ≤ #{L_i < t}.
    let nih = ih;
    while (nih < n && H[nih]! <= t) nih++;
    let nil = il;
    while (nil < n && L[nil]! < t) nil++;
    const newLo = nih;
    const newHi = nil;
    // The L's equal to t are "passed" after this event (they constrain N at t, counted strictly).
    while (nil < n && L[nil]! <= t) nil++;
    if (newLo > newHi) return 0;
    Q.fill(0, newLo, newHi + 1);
    if (t === tPrev) {
      for (let m = Math.max(curLo, newLo); m <= Math.min(curHi, newHi); m++) Q[m] = P[m]!;
    } else {
      const [kLo, kHi] = poissonKernel(K, n * (t - tPrev), Math.max(0, newLo - curHi), newHi - curLo);
      // Q[m + j] += K[j] P[m]: j outermost so the inner loop is an independent multiply-add.
      for (let j = kLo; j <= kHi; j++) {
        const kj = K[j]!;
        const mLo = Math.max(curLo, newLo - j);
        const mHi = Math.min(curHi, newHi - j);
        for (let m = mLo; m <= mHi; m++) Q[m + j] = Q[m + j]! + kj * P[m]!;
      }
    }
    const tmp = P;
    P = Q;
    Q = tmp;
    curLo = newLo;
    curHi = newHi;
    tPrev = t;
    ih = nih;
    il = nil;
  }
  // The remaining n − m arrivals fall in (t_last, 1]; only N(1) = n is kept, then conditioned on.
  const lambda = n * (1 - tPrev);
  let s = 0;
  for (let m = curLo; m <= curHi; m++) s += P[m]! * poissonPmf(n - m, lambda);
  return Math.min(1, s / poissonPmf(n, n));
}

/**
 * Fills `K[kLo..kHi]` with `Pois(j; λ)` for j in [jMin, jMax] (λ > 0), trimmed to the terms
 * ≥ 1e-20 of the largest one in that range: starts at the mode (clamped into the range) with
 * Loader's pmf and extends by `K[j] = K[j−1]·λ/j` up and `K[j] = K[j+1]·(j+1)/λ` down.
 * Returns [kLo, kHi] (kLo > kHi when the kernel underflows in the range).
 */
function poissonKernel(K: Float64Array, lambda: number, jMin: number, jMax: number): [number, number] {
  let j0 = Math.floor(lambda);
  if (j0 < jMin) j0 = jMin;
  if (j0 > jMax) j0 = jMax;
  const k0 = poissonPmf(j0, lambda);
  if (k0 === 0) return [1, 0];
  K[j0] = k0;
  const cut = k0 * ROW_CUTOFF;
  let kHi = j0;
  let v = k0;
  for (let j = j0 + 1; j <= jMax; j++) {
    v *= lambda / j;
    if (v < cut) break;
    K[j] = v;
    kHi = j;
  }
  let kLo = j0;
  v = k0;
  for (let j = j0 - 1; j >= jMin; j--) {
    v *= (j + 1) / lambda;
    if (v < cut) break;
    K[j] = v;
    kLo = j;
  }
  return [kLo, kHi];
}
