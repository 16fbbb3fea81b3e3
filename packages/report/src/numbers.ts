/**
 * @nadir/report/format: number and HTML formatting of the report: JSON numbers with ±∞ and NaN, digits without
 * exponents, intervals as HTML.
 *
 * @module @nadir/report/format
 */
import { ReportError } from "./errors.js";
import type { JsonNumber } from "./types.js";

/** Reads a JSON number of the analyze output: "inf" → +∞, "-inf" → −∞, "nan" → NaN. */
export function toNumber(v: JsonNumber): number {
  if (typeof v === "number") return v;
  if (v === "inf") return Number.POSITIVE_INFINITY;
  if (v === "-inf") return Number.NEGATIVE_INFINITY;
  return Number.NaN;
}

const SUPERSCRIPT: Record<string, string> = {
  "-": "⁻",
  "0": "⁰",
  "1": "¹",
  "2": "²",
  "3": "³",
  "4": "⁴",
  "5": "⁵",
  "6": "⁶",
  "7": "⁷",
  "8": "⁸",
  "9": "⁹",
};

/** Replaces ASCII hyphen-minus by the minus sign U+2212, which reads as a minus in any font. */
function minus(s: string): string {
  return s.replace(/-/g, "−");
}

/**
 * Formats a number for display with `digits` significant digits, always in plain digits between
 * 10⁻⁶ and 10⁹ (15360 prints as "15360", 5.5e-5 as "0.000055"); outside that range as
 * "1.536×10⁹". Trailing zeros are dropped ("0.8", not "0.8000"). Infinities print as the words
 * "unbounded above" / "unbounded below" (they only arise as open ends of intervals or bands) and NaN
 * as "n/a". The full-precision value is always kept next to it in a `data-value` attribute, so
 * tests compare exact numbers.
 */
export function formatNumber(x: number, digits = 4): string {
  if (!Number.isInteger(digits) || digits < 1 || digits > 21)
    throw new ReportError("invalid_argument", "digits", `digits must be an integer in 1..21, got ${digits}`);
  if (Number.isNaN(x)) return "n/a";
  if (x === Number.POSITIVE_INFINITY) return "unbounded above";
  if (x === Number.NEGATIVE_INFINITY) return "unbounded below";
  if (x === 0) return "0";
  const ax = Math.abs(x);
  if (ax >= 1e9 || ax < 1e-6) {
    const [mant, exp] = x.toExponential(digits - 1).split("e") as [string, string];
    const m = mant.replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
    const e = String(Number(exp))
      .split("")
      .map((ch) => SUPERSCRIPT[ch] ?? ch)
      .join("");
    return `${minus(m)}×10${e}`;
  }
  // toPrecision switches to exponents once the integer part has more than `digits` digits
  // ("1.536e+4", or "1.000e+4" for 9999.5): print the rounded integer instead.
  const p = x.toPrecision(digits);
  if (p.includes("e")) return minus(Math.round(x).toFixed(0));
  // Below that it writes plain digits down to 1e-6; drop trailing zeros ("0.8000" → "0.8").
  return minus(p.replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, ""));
}

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * A displayed number tied to its source: `path` is its place in the analyze JSON (e.g.
 * `best_score_interval.lower`), `raw` the JSON value itself (kept verbatim in `data-value`).
 */
export function numSpan(path: string, raw: JsonNumber, digits = 4): string {
  const value = typeof raw === "number" ? JSON.stringify(raw) : raw;
  return `<span class="num" data-path="${escapeHtml(path)}" data-value="${escapeHtml(value)}">${escapeHtml(formatNumber(toNumber(raw), digits))}</span>`;
}

/**
 * An interval of the analyze JSON as text. Both ends finite: "[lo, hi]". An infinite end means
 * the data do not bound that side (the band reaches the score's unbounded end), which "−∞" hides
 * from most readers, so it is said in words: "at most hi (unbounded below)", "at least lo
 * (unbounded above)", or "unbounded below and unbounded above". Every end keeps its `numSpan`.
 */
export function intervalHtml(
  lower: { path: string; raw: JsonNumber },
  upper: { path: string; raw: JsonNumber },
  digits = 4,
): string {
  const lo = numSpan(lower.path, lower.raw, digits);
  const hi = numSpan(upper.path, upper.raw, digits);
  const loInf = toNumber(lower.raw) === Number.NEGATIVE_INFINITY;
  const hiInf = toNumber(upper.raw) === Number.POSITIVE_INFINITY;
  if (loInf && hiInf) return `${lo} and ${hi}`;
  if (loInf) return `at most ${hi} (${lo})`;
  if (hiInf) return `at least ${lo} (${hi})`;
  return `[${lo}, ${hi}]`;
}
