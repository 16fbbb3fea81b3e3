/**
 * Correctly rounded exp and log for doubles.
 *
 * Why: AlgoPerf's log-scale mapping min·exp(u·ln(max/min)) (halton.py `_generate_double_point`) runs on the
 * platform libm. V8's Math.exp/Math.log (fdlibm ports) differed from CPython by 1 ulp on the spec's test
 * vectors. Correct rounding is the one platform-independent choice, and it reproduces every spec vector.
 * glibc's exp/log are accurate to < 1 ulp but not always correctly rounded (and glibc picks an FMA code path
 * at run time on x86-64), so on rare hard cases CPython's value is the other neighbour: scripts/
 * halton-crosscheck.py measured 25 of 60,000 log-scale values differing by 1–2 ulp. Evaluation is in
 * double-double arithmetic (≈106 bits) rounded once; cases that need more than 106 bits are vanishingly rare.
 */

const SPLIT = 134217729; // 2^27 + 1 (Dekker split)

function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}
function twoProd(a: number, b: number): [number, number] {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}
function ddAdd(ah: number, al: number, bh: number, bl: number): [number, number] {
  const [s, e] = twoSum(ah, bh);
  const [t, f] = twoSum(al, bl);
  const [s2, e2] = twoSum(s, e + t);
  return twoSum(s2, e2 + f);
}
function ddMul(ah: number, al: number, bh: number, bl: number): [number, number] {
  const [p, e] = twoProd(ah, bh);
  return twoSum(p, e + (ah * bl + al * bh));
}

const LN2_HI = Math.LN2;
const LN2_LO = 2.3190468138462996e-17;

/** e^x as a double-double (hi, lo) for |x| < 709. */
function expDD(x: number): [number, number] {
  const k = Math.round(x / LN2_HI);
  // r = x − k·ln2 in double-double.
  const [p1, p1e] = twoProd(k, LN2_HI);
  let [rh, rl] = ddAdd(x, 0, -p1, -p1e);
  [rh, rl] = ddAdd(rh, rl, -k * LN2_LO, 0);
  // e^r = (e^(r/256))^256: Taylor series of e^(r/256) to 12 terms (|r/256| < 1.4e-3 → error < 1e-40).
  const sh = rh / 256;
  const sl = rl / 256;
  let th = 1;
  let tl = 0; // term
  let sumh = 1;
  let suml = 0;
  for (let n = 1; n <= 12; n++) {
    [th, tl] = ddMul(th, tl, sh, sl);
    th /= n;
    tl /= n;
    [sumh, suml] = ddAdd(sumh, suml, th, tl);
  }
  for (let i = 0; i < 8; i++) [sumh, suml] = ddMul(sumh, suml, sumh, suml);
  const scale = 2 ** k;
  return [sumh * scale, suml * scale];
}

/** Correctly rounded e^x (matches glibc/CPython math.exp). */
export function crExp(x: number): number {
  if (!Number.isFinite(x) || x > 709 || x < -708) return Math.exp(x);
  const [h, l] = expDD(x);
  return h + l;
}

/** Correctly rounded natural logarithm (matches glibc/CPython math.log), by one Newton step in double-double. */
export function crLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x) || x < 1e-300 || x > 1e300) return Math.log(x);
  const y = Math.log(x);
  const [eh, el] = expDD(y);
  // log x = y + ln(x/e^y) ≈ y + (x − e^y)/e^y; the residual is computed in double-double.
  const [dh, dl] = ddAdd(x, 0, -eh, -el);
  const corr = (dh + dl) / eh;
  const [s, e] = twoSum(y, corr);
  return s + e;
}
