/**
 * The Beta distribution: regularized incomplete beta function, its inverse, and the equal-tailed
 * and highest-density intervals used by the Learned-Miller–DeStefano confidence bands.
 */
import { InvalidArgumentError, NumericalError } from "./errors.js";
import { logBeta, stirlingRemainder } from "./gamma.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const EPS = 2.220446049250313e-16;
const TINY = 1e-300;

function checkShape(a: number, b: number, fn: string): void {
  if (!(a > 0) || !(b > 0) || !Number.isFinite(a) || !Number.isFinite(b)) {
    throw new InvalidArgumentError(`${fn}: shape parameters must be finite and > 0, got a=${a}, b=${b}`);
  }
}

/** `u = e − ln(1 + e)` accurately for all e > −1 (series in t = e/(2 + e) near 0). */
function rlog1(e: number): number {
  if (Math.abs(e) > 0.5) return e - Math.log1p(e);
  // ln(1 + e) = 2 atanh(t) with t = e/(2 + e), and e − 2t = e²/(2 + e).
  const t = e / (2 + e);
  const t2 = t * t;
  let term = t * t2;
  let s = 0;
  for (let k = 3; k < 200; k += 2) {
    const add = term / k;
    s += add;
    if (Math.abs(add) <= 1e-17 * Math.abs(s)) break;
    term *= t2;
  }
  return (e * e) / (2 + e) - 2 * s;
}

/**
 * `x^a y^b / B(a, b)` with `y = 1 − x` (passed separately to keep its precision near x = 1).
 * For a, b ≥ 10 uses the form of TOMS 708's `brcomp` (DiDonato & Morris 1992):
 * `sqrt(ab / (2π(a+b))) · exp(−a·u(−λ/a) − b·u(λ/b) − δ(a) − δ(b) + δ(a+b))` with
 * `λ = a − (a+b)x`, u(e) = e − ln(1+e), which has relative error ~1e-15 even for a, b ~ 1e4,
 * where `a ln x + b ln y − ln B(a, b)` would cancel ~1e4 units.
 */
export function betaPowerTerm(a: number, b: number, x: number, y: number): number {
  if (x <= 0 || y <= 0) return 0;
  if (a >= 10 && b >= 10) {
    const s = a + b;
    const lambda = x <= y ? a - s * x : s * y - b;
    const e1 = -lambda / a;
    const e2 = lambda / b;
    const u = Math.abs(e1) > 0.6 ? e1 - Math.log((x * s) / a) : rlog1(e1);
    const v = Math.abs(e2) > 0.6 ? e2 - Math.log((y * s) / b) : rlog1(e2);
    const corr = stirlingRemainder(a) + stirlingRemainder(b) - stirlingRemainder(s);
    return Math.exp(-(a * u + b * v) - corr + 0.5 * Math.log((a * b) / s) - HALF_LOG_2PI);
  }
  return Math.exp(a * Math.log(x) + b * Math.log(y) - logBeta(a, b));
}

/** Continued fraction for I_x(a, b) (Numerical Recipes §6.4, modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) <= EPS) return h;
  }
  throw new NumericalError(`incomplete beta continued fraction did not converge (a=${a}, b=${b}, x=${x})`);
}

/** Both tails `{p: I_x(a,b), q: 1 − I_x(a,b)}`, each with full relative precision, and the density. */
export interface BetaCdfBoth {
  p: number;
  q: number;
  /** Beta(a, b) density at x. */
  pdf: number;
}

/**
 * Regularized incomplete beta `I_x(a, b) = B(x; a, b)/B(a, b)` and its complement, evaluated with the
 * continued fraction on the side where it converges (x < (a+1)/(a+b+2), else via
 * `I_x(a,b) = 1 − I_{1−x}(b,a)`), so the smaller tail keeps full relative precision.
 * `y = 1 − x` may be passed for precision near 1.
 */
export function betaCdfBoth(x: number, a: number, b: number, y: number = 1 - x): BetaCdfBoth {
  if (x <= 0)
    return { p: 0, q: 1, pdf: x === 0 && a < 1 ? Number.POSITIVE_INFINITY : x === 0 && a === 1 ? b : 0 };
  if (y <= 0) return { p: 1, q: 0, pdf: b < 1 ? Number.POSITIVE_INFINITY : b === 1 ? a : 0 };
  const front = betaPowerTerm(a, b, x, y);
  const pdf = front / (x * y);
  if (x < (a + 1) / (a + b + 2)) {
    const p = (front * betaContinuedFraction(a, b, x)) / a;
    return { p, q: 1 - p, pdf };
  }
  const q = (front * betaContinuedFraction(b, a, y)) / b;
  return { p: 1 - q, q, pdf };
}

/** Regularized incomplete beta function `I_x(a, b)` = CDF of Beta(a, b) at x ∈ [0, 1]. */
export function betaCdf(x: number, a: number, b: number): number {
  checkShape(a, b, "betaCdf");
  if (!(x >= 0 && x <= 1)) throw new InvalidArgumentError(`betaCdf: x must be in [0, 1], got ${x}`);
  return betaCdfBoth(x, a, b).p;
}

/** Complement `1 − I_x(a, b)` (survival function), accurate when it is tiny. */
export function betaSf(x: number, a: number, b: number): number {
  checkShape(a, b, "betaSf");
  if (!(x >= 0 && x <= 1)) throw new InvalidArgumentError(`betaSf: x must be in [0, 1], got ${x}`);
  return betaCdfBoth(x, a, b).q;
}

/** Initial guess for the inverse (Numerical Recipes `invbetai`; AS 109 for a, b ≥ 1). */
function inverseGuess(p: number, a: number, b: number): number {
  if (a >= 1 && b >= 1) {
    const pp = p < 0.5 ? p : 1 - p;
    const t = Math.sqrt(-2 * Math.log(pp));
    let z = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t;
    if (p < 0.5) z = -z;
    const al = (z * z - 3) / 6;
    const h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1));
    const w = (z * Math.sqrt(al + h)) / h - (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (al + 5 / 6 - 2 / (3 * h));
    return a / (a + b * Math.exp(2 * w));
  }
  const lna = Math.log(a / (a + b));
  const lnb = Math.log(b / (a + b));
  const t = Math.exp(a * lna) / a;
  const u = Math.exp(b * lnb) / b;
  const w = t + u;
  return p < t / w ? (a * w * p) ** (1 / a) : 1 - (b * w * (1 - p)) ** (1 / b);
}

/**
 * Solve `I_x(a, b) = p` for x when p ≤ ½ (lower tail): Halley's method on I_x − p with
 * `f'' / f' = (a−1)/x − (b−1)/(1−x)`, safeguarded by a bracket (bisection when a step leaves it).
 */
function lowerTailInverse(p: number, a: number, b: number, guess?: number): number {
  let lo = 0;
  let hi = 1;
  let x = guess !== undefined && guess > 0 && guess < 1 ? guess : inverseGuess(p, a, b);
  if (!(x > 0 && x < 1)) x = 0.5;
  for (let it = 0; it < 200; it++) {
    const { p: px, pdf } = betaCdfBoth(x, a, b);
    const f = px - p;
    if (f === 0) return x;
    if (f > 0) hi = x;
    else lo = x;
    let xNew: number;
    if (pdf > 0 && Number.isFinite(pdf)) {
      const t = f / pdf;
      const corr = 1 - 0.5 * t * ((a - 1) / x - (b - 1) / (1 - x));
      xNew = x - (corr > 0.5 && corr < 2 ? t / corr : t);
    } else xNew = Number.NaN;
    if (!(xNew > lo && xNew < hi)) xNew = lo > 0 ? 0.5 * (lo + hi) : hi * 0.5;
    if (Math.abs(xNew - x) <= 4 * EPS * x || hi - lo <= 4 * EPS * hi) return xNew;
    x = xNew;
  }
  throw new NumericalError(`betaPpf did not converge (p=${p}, a=${a}, b=${b})`);
}

/**
 * Quantile of Beta(a, b): the x ∈ [0, 1] with `I_x(a, b) = p`. For p > ½ the symmetric problem
 * `I_{1−x}(b, a) = 1 − p` is solved so the upper tail keeps its precision.
 */
export function betaPpf(p: number, a: number, b: number): number {
  checkShape(a, b, "betaPpf");
  if (!(p >= 0 && p <= 1)) throw new InvalidArgumentError(`betaPpf: p must be in [0, 1], got ${p}`);
  if (p === 0) return 0;
  if (p === 1) return 1;
  return p <= 0.5 ? lowerTailInverse(p, a, b) : 1 - lowerTailInverse(1 - p, b, a);
}

/**
 * Lower-tail quantile for p ≤ ½ started from `guess` (e.g. the solution at a nearby p; Halley's
 * method then needs one or two steps). Internal fast path of the LD band construction.
 */
export function betaPpfLowerFrom(p: number, a: number, b: number, guess: number): number {
  if (p === 0) return 0;
  return lowerTailInverse(p, a, b, guess);
}

/** Inverse survival function: the x with `1 − I_x(a, b) = q` (precise for tiny q). */
export function betaIsf(q: number, a: number, b: number): number {
  checkShape(a, b, "betaIsf");
  if (!(q >= 0 && q <= 1)) throw new InvalidArgumentError(`betaIsf: q must be in [0, 1], got ${q}`);
  if (q === 0) return 1;
  if (q === 1) return 0;
  return q <= 0.5 ? 1 - lowerTailInverse(q, b, a) : lowerTailInverse(1 - q, a, b);
}

/** A closed interval `[lo, hi]`. */
export interface Interval {
  lo: number;
  hi: number;
}

/**
 * Equal-tailed interval of Beta(a, b) with coverage δ: `[B⁻¹((1−δ)/2), B⁻¹((1+δ)/2)]`, the upper
 * end computed from the upper tail `(1−δ)/2` directly. Same as `opda.utils.beta_equal_tailed_interval`.
 */
export function betaEqualTailedInterval(a: number, b: number, coverage: number): Interval {
  checkShape(a, b, "betaEqualTailedInterval");
  if (!(coverage >= 0 && coverage <= 1))
    throw new InvalidArgumentError(`coverage must be in [0, 1], got ${coverage}`, { path: "coverage" });
  const tail = (1 - coverage) / 2;
  return { lo: betaPpf(tail, a, b), hi: betaIsf(tail, a, b) };
}

/**
 * The other end of the equal-density level set: given x on one side of the mode m of
 * φ(t) = (a−1) ln t + (b−1) ln(1−t), the y on the other side with φ(y) = φ(x).
 * Safeguarded Newton on the strictly monotone branch (bisection when a step leaves the bracket).
 */
function equalDensityPartner(x: number, a: number, b: number, mode: number): number {
  const am = a - 1;
  const bm = b - 1;
  const target = am * Math.log(x) + bm * Math.log1p(-x);
  const right = x < mode;
  let lo = right ? mode : 0;
  let hi = right ? 1 : mode;
  // Start from the mirror image, which is exact for a = b.
  let y = Math.min(hi, Math.max(lo, 2 * mode - x));
  if (y <= lo || y >= hi) y = 0.5 * (lo + hi);
  for (let it = 0; it < 200; it++) {
    const g = am * Math.log(y) + bm * Math.log1p(-y) - target;
    // On the right branch φ decreases: g > 0 means y is still left of the root.
    if (g > 0 === right) lo = y;
    else hi = y;
    const dg = am / y - bm / (1 - y);
    let yNew = y - g / dg;
    if (!(yNew > lo && yNew < hi)) yNew = 0.5 * (lo + hi);
    if (Math.abs(yNew - y) <= 2 * EPS * Math.min(y, 1 - y) || hi - lo <= 2 * EPS * Math.min(hi, 1 - lo))
      return yNew;
    y = yNew;
  }
  throw new NumericalError(`equal-density partner did not converge (x=${x}, a=${a}, b=${b})`);
}

/** Mass of Beta(a, b) on [x, y] from both tails, choosing the subtraction that keeps precision. */
function massBetween(x: number, y: number, a: number, b: number): { mass: number; pdfX: number } {
  const X = betaCdfBoth(x, a, b);
  const Y = betaCdfBoth(y, a, b);
  return { mass: 1 - X.p - Y.q, pdfX: X.pdf };
}

/**
 * Highest-density (shortest) interval of Beta(a, b) containing probability `coverage`:
 * the `[x, y]` with `I_y − I_x = δ` and equal density at both ends (Learned-Miller & DeStefano
 * 2008 use these per order statistic). One-sided when the density is monotone: `a ≤ 1 < b` gives
 * `[0, B⁻¹(δ)]`, `b ≤ 1 < a` gives `[B⁻¹(1−δ), 1]`; undefined (InvalidArgumentError) when
 * a ≤ 1 and b ≤ 1. Otherwise x solves `G(x) = I_{y(x)} − I_x − δ = 0` on (0, mode), y(x) being the
 * equal-density partner; G is decreasing with `G'(x) = f(x)(φ'(x)/φ'(y) − 1)`, so a bracketed Newton
 * iteration converges to ~1e-15 relative (opda's binary search stops at 1e-10).
 *
 * @param guess optional starting lower end (e.g. the solution at a nearby coverage).
 */
export function betaHighestDensityInterval(a: number, b: number, coverage: number, guess?: number): Interval {
  checkShape(a, b, "betaHighestDensityInterval");
  if (!(coverage >= 0 && coverage <= 1))
    throw new InvalidArgumentError(`coverage must be in [0, 1], got ${coverage}`, { path: "coverage" });
  if (a <= 1 && b <= 1) {
    throw new InvalidArgumentError(
      `betaHighestDensityInterval: a (${a}) or b (${b}) must be > 1 for a unimodal density`,
    );
  }
  if (a <= 1) return { lo: 0, hi: betaPpf(coverage, a, b) };
  if (b <= 1) return { lo: betaIsf(coverage, a, b), hi: 1 };
  const mode = (a - 1) / (a + b - 2);
  if (coverage === 0) return { lo: mode, hi: mode };
  if (coverage === 1) return { lo: 0, hi: 1 };
  let lo = 0;
  let hi = mode;
  let x = guess !== undefined && guess > 0 && guess < mode ? guess : betaPpf((1 - coverage) / 2, a, b);
  if (!(x > 0 && x < mode)) x = 0.5 * mode;
  for (let it = 0; it < 300; it++) {
    const y = equalDensityPartner(x, a, b, mode);
    const { mass, pdfX } = massBetween(x, y, a, b);
    const g = mass - coverage;
    if (g === 0) return { lo: x, hi: y };
    if (g > 0) lo = x;
    else hi = x;
    const dphiX = (a - 1) / x - (b - 1) / (1 - x);
    const dphiY = (a - 1) / y - (b - 1) / (1 - y);
    const dg = pdfX * (dphiX / dphiY - 1);
    let xNew = dg < 0 && Number.isFinite(dg) ? x - g / dg : Number.NaN;
    if (!(xNew > lo && xNew < hi)) xNew = lo > 0 ? 0.5 * (lo + hi) : 0.5 * hi;
    if (Math.abs(xNew - x) <= 4 * EPS * x || hi - lo <= 4 * EPS * hi) {
      return { lo: xNew, hi: equalDensityPartner(xNew, a, b, mode) };
    }
    x = xNew;
  }
  throw new NumericalError(
    `betaHighestDensityInterval did not converge (a=${a}, b=${b}, coverage=${coverage})`,
  );
}
