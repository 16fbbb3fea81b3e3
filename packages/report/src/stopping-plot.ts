/**
 * The study stopper's plot: at each evaluation, the bound Ĝ on what `inTrials` more search trials would
 * gain (at the rule's confidence, from the fitted noisy-quadratic tail: Lourie, He & Cho 2025), against
 * the number of search trials, with the threshold G the study stops below.
 */
import type { TopLevelSpec } from "vega-lite";
import { formatNumber } from "./numbers.js";
import { base, COUNT_FORMAT, colorEnc } from "./specs.js";
import { COLORS, type Layout, MIN_PLOT_FONT } from "./theme.js";

/** Input of {@link stoppingGainSpec}. */
export interface StoppingPlotInput {
  /** Every evaluation in order; those without a bound (no fit) are left out of the plot. */
  points: Array<{ search_trials: number; gain_bound: number | null; stop: boolean }>;
  /** The rule's gain threshold G (> 0). */
  threshold: number;
  /** k of the rule: the further search trials the bound is about. */
  inTrials: number;
  confidence: number;
  layout?: Layout;
}

/** Dark orange: a stop is a verdict of the fitted law (orange), set apart from the evaluations that continued. */
const STOP_COLOR = "#8a2c05";

/**
 * True when the y axis should be logarithmic: every bound and the threshold are positive and the largest
 * is at least 100 times the smallest (they span two decades or more), where a linear axis would flatten
 * the late, small bounds against zero.
 */
export function stoppingLogScale(values: number[]): boolean {
  const f = values.filter((v) => Number.isFinite(v));
  if (f.length === 0 || f.some((v) => v <= 0)) return false;
  return Math.max(...f) / Math.min(...f) >= 100;
}

/** The y-range: a factor 1.6 around the values on a log axis; from 0 (or below) to 12 % above the top on a linear one. */
export function stoppingDomain(values: number[], log: boolean): [number, number] {
  const f = values.filter((v) => Number.isFinite(v));
  const lo = Math.min(...f);
  const hi = Math.max(...f);
  if (log) return [lo / 1.6, hi * 1.6];
  const span = hi - Math.min(0, lo) || Math.abs(hi) || 1;
  return [Math.min(0, lo - (lo < 0 ? span * 0.08 : 0)), hi + span * 0.12];
}

/**
 * Ĝ against search trials: a line through the evaluations that had a fit, each a dot (continue) or a larger
 * dark dot (stop), and a dashed rule at the threshold G. The y axis turns logarithmic when the bounds
 * span two decades ({@link stoppingLogScale}).
 */
export function stoppingGainSpec(p: StoppingPlotInput): TopLevelSpec {
  const layout = p.layout ?? "wide";
  const narrow = layout === "narrow";
  const pts = p.points.filter(
    (d): d is { search_trials: number; gain_bound: number; stop: boolean } =>
      d.gain_bound !== null && Number.isFinite(d.gain_bound),
  );
  const values = [...pts.map((d) => d.gain_bound), p.threshold];
  const log = stoppingLogScale(values);
  const domain = stoppingDomain(values, log);
  const sGo = narrow ? "continue" : "bound at an evaluation: continue";
  const sStop = narrow ? "stop" : "bound at an evaluation: stop";
  const color = {
    ...colorEnc([
      [sGo, COLORS.fit],
      [sStop, STOP_COLOR],
    ]),
    legend: { symbolType: "circle" },
  };
  const xMax = Math.max(1, ...pts.map((d) => d.search_trials));
  const x = {
    field: "k",
    type: "quantitative",
    title: narrow ? "search trials" : "i.i.d. search trials at the evaluation",
    scale: { domain: [0, xMax * 1.05], nice: false, zero: true },
    axis: { format: COUNT_FORMAT, tickCount: narrow ? 4 : 10 },
  };
  const y = {
    field: "g",
    type: "quantitative",
    title: narrow
      ? `gain bound${log ? " (log)" : ""}`
      : `bound on the gain of ${p.inTrials} more trials at ${+(p.confidence * 100).toFixed(2)}%${log ? " (log scale)" : ""}`,
    // d3's "r": significant digits, never an exponent (0.0001, not 1e-4).
    scale: log ? { type: "log", domain, nice: false } : { domain, nice: false, zero: false },
    axis: { format: "~r", tickCount: narrow ? 4 : 6 },
  };
  const rows = pts.map((d) => ({ k: d.search_trials, g: d.gain_bound, series: d.stop ? sStop : sGo }));
  const label = narrow
    ? `threshold ${formatNumber(p.threshold)}`
    : `threshold G = ${formatNumber(p.threshold)}`;
  return {
    ...base(layout),
    layer: [
      {
        data: { values: [{ g: p.threshold, label }] },
        layer: [
          {
            mark: { type: "rule", strokeDash: [6, 4], color: COLORS.rule, strokeWidth: 1.5 },
            encoding: { y },
          },
          {
            mark: {
              type: "text",
              x: "width",
              align: "right",
              baseline: "bottom",
              dx: -4,
              dy: -3,
              fontSize: MIN_PLOT_FONT,
              color: COLORS.rule,
            },
            encoding: { y, text: { field: "label" } },
          },
        ],
      },
      {
        data: { values: rows },
        mark: { type: "line", color: COLORS.fit, strokeWidth: 1.8, clip: true },
        encoding: { x, y },
      },
      {
        data: { values: rows.filter((r) => r.series === sGo) },
        mark: { type: "point", filled: true, size: narrow ? 40 : 50, clip: true },
        encoding: { x, y, color },
      },
      {
        data: { values: rows.filter((r) => r.series === sStop) },
        mark: { type: "point", filled: true, size: narrow ? 110 : 130, clip: true },
        encoding: { x, y, color },
      },
    ],
  } as unknown as TopLevelSpec;
}
