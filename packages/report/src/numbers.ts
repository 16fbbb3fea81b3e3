import type { JsonNumber } from "./types.js";

/** Reads a JSON number of the analyze output: "inf" → +∞, "-inf" → −∞, "nan" → NaN. */
export function toNumber(v: JsonNumber): number {
  if (typeof v === "number") return v;
  if (v === "inf") return Number.POSITIVE_INFINITY;
  if (v === "-inf") return Number.NEGATIVE_INFINITY;
  return Number.NaN;
}

/**
 * Formats a number for display with `digits` significant digits (trailing zeros kept only up to
 * the precision asked), ∞ / −∞ for infinities and "n/a" for NaN. The full-precision value is
 * always kept next to it in a `data-value` attribute, so tests compare exact numbers.
 */
export function formatNumber(x: number, digits = 4): string {
  if (Number.isNaN(x)) return "n/a";
  if (x === Number.POSITIVE_INFINITY) return "∞";
  if (x === Number.NEGATIVE_INFINITY) return "−∞";
  if (x === 0) return "0";
  const ax = Math.abs(x);
  if (ax >= 1e6 || ax < 1e-4)
    return x
      .toExponential(digits - 1)
      .replace(/\.?0+e/, "e")
      .replace(/-/g, "−");
  if (Number.isInteger(x) && ax < 10 ** digits) return x.toFixed(0).replace("-", "−");
  // toPrecision keeps trailing zeros ("0.8000"); drop them so 0.8 reads as 0.8.
  return x
    .toPrecision(digits)
    .replace(/(\.\d*?)0+$/, "$1")
    .replace(/\.$/, "")
    .replace("-", "−");
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
