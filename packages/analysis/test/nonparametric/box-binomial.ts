/**
 * Test oracle: the first implementation of the order-statistic box probability, which conditions
 * the uniforms directly (Binomial(n − m, ·) transitions, a different row per state). The library
 * now uses the Poisson-process convolution form; this independent derivation checks it.
 */
import { binomialPmf } from "../../src/special/binomial.js";
import { InvalidArgumentError } from "../../src/special/errors.js";

/** Terms of a binomial row below this fraction of its largest term are dropped (total < 1e-18). */
const ROW_CUTOFF = 1e-20;

/**
 * `P(lo_i ≤ U_(i) ≤ hi_i for all i = 1..n)` for the order statistics `U_(1) ≤ … ≤ U_(n)` of n
 * i.i.d. U(0, 1) variables (arrays are 0-based: `lo[i−1]`, `hi[i−1]`).
 *
 * Method: with `N(t) = #{U_j ≤ t}`, the event is `N(t) ≥ #{i : hi_i ≤ t}` and
 * `N(t) ≤ #{i : lo_i < t}` for all t (after making the bounds monotone: lo ← running max,
 * hi ← running min from the right, which does not change the event). It suffices to check these
 * at the merged, sorted bound values t_1 < t_2 < …. N is Markov: given `N(t_prev) = m`, the count
 * added in `(t_prev, t]` is Binomial(n − m, (t − t_prev)/(1 − t_prev)). The distribution of N is
 * propagated over the events, keeping only the allowed window of counts (the window never
 * exceeds the band's width in counts), and the surviving mass is returned. Binomial rows start at
 * their mode with Loader's accurate pmf and extend by the ratio recurrence, dropping terms
 * < 1e-20 of the row maximum, so the absolute error is ~1e-15 (the KS special case reproduces
 * scipy's exact `kstwo` to that level). Cost: O(#events × window × row length).
 *
 * This is the classical "Noé/Steck"-type boundary-crossing computation in its direct Markov form
 * (cf. Moscovich, Nadler & Spiegelman 2016; Learned-Miller & DeStefano 2008 for its use here).
 */
export function boxProbabilityBinomial(lo: ArrayLike<number>, hi: ArrayLike<number>): number {
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

  // Reciprocals 1/k: the ratio recurrences below would otherwise divide in the innermost loop.
  const inv = new Float64Array(n + 2);
  for (let k = 1; k <= n + 1; k++) inv[k] = 1 / k;
  let P = new Float64Array(n + 1);
  let Q = new Float64Array(n + 1);
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
      const denom = 1 - tPrev;
      const p = (t - tPrev) / denom;
      const q = (1 - t) / denom;
      const ratio = p / q;
      const invRatio = q / p;
      const logQ = q < 0.5 ? Math.log(q) : Math.log1p(-p);
      const invQ = 1 / q;
      // q^r for consecutive r is obtained by one multiplication from the previous one and
      // re-anchored with exp() every 16 states, so its relative error stays ≤ ~16 ulps while
      // exp() (a large share of the cost) runs on 1/16 of the states.
      let anchorR = -1;
      let anchorPow = 0;
      let sinceAnchor = 0;
      for (let m = curLo; m <= curHi; m++) {
        const pm = P[m]!;
        if (pm === 0) continue;
        const r = n - m;
        const jmin = Math.max(0, newLo - m);
        const jmax = Math.min(r, newHi - m);
        if (jmin > jmax) continue;
        if (q === 0) {
          if (jmax === r) Q[n] = Q[n]! + pm;
          continue;
        }
        let j0 = Math.floor((r + 1) * p);
        if (j0 < jmin) j0 = jmin;
        if (j0 > jmax) j0 = jmax;
        let b0: number;
        if (j0 !== 0) b0 = binomialPmf(j0, r, p, q);
        else if (anchorR === r + 1 && sinceAnchor < 16) {
          b0 = anchorPow * invQ;
          anchorR = r;
          anchorPow = b0;
          sinceAnchor++;
        } else {
          b0 = Math.exp(r * logQ);
          anchorR = r;
          anchorPow = b0;
          sinceAnchor = 0;
        }
        if (b0 === 0) continue;
        const base = m;
        Q[base + j0] = Q[base + j0]! + pm * b0;
        const cut = b0 * ROW_CUTOFF;
        let bj = b0;
        for (let j = j0 + 1; j <= jmax; j++) {
          bj *= (r - j + 1) * inv[j]! * ratio;
          if (bj < cut) break;
          Q[base + j] = Q[base + j]! + pm * bj;
        }
        bj = b0;
        for (let j = j0 - 1; j >= jmin; j--) {
          bj *= (j + 1) * inv[r - j]! * invRatio;
          if (bj < cut) break;
          Q[base + j] = Q[base + j]! + pm * bj;
        }
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
  let s = 0;
  for (let m = curLo; m <= curHi; m++) s += P[m]!;
  return s;
}
