/**
 * vega-lite specs for the report's plots. Each builder takes plain numbers (already read from the
 * analyze JSON) and returns a spec with inline data only. Infinite band edges (an unbounded
 * simultaneous band: Lourie, Cho & He 2024, "Show Your Work with Confidence",
 * arXiv:2311.09480, where the lower band edge of the CDF reaches 0 before the sample minimum) are drawn at the edge of the plot and flagged
 * in the data (`unbounded`), never dropped.
 */
import type { TopLevelSpec } from "vega-lite";
import { COLORS, type Layout, MIN_PLOT_FONT, PLOT_SIZE, VL_CONFIG } from "./theme.js";

type Row = Record<string, number | string | boolean | null>;

/** The y-range spanned by the finite values, padded by 4 % on each side (a flat range gets ±1 %·|y| or ±1). */
export function finiteDomain(values: number[]): [number, number] {
  const f = values.filter((v) => Number.isFinite(v));
  if (f.length === 0) return [0, 1];
  let lo = Math.min(...f);
  let hi = Math.max(...f);
  if (lo === hi) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.01;
    lo -= d;
    hi += d;
  }
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

/**
 * The y-range of a plot: spanned by the `core` values (the curves themselves), widened to take in
 * the `extra` values (band edges) that lie within one core span of it. A band edge beyond that
 * (e.g. at the score's bound, or ±∞) is drawn at the plot's edge rather than flattening the curves.
 */
export function robustDomain(core: number[], extra: number[]): [number, number] {
  const c = core.filter((v) => Number.isFinite(v));
  if (c.length === 0) return finiteDomain(extra);
  const lo = Math.min(...c);
  const hi = Math.max(...c);
  const span = hi - lo || Math.abs(hi) * 0.05 || 1;
  return finiteDomain([...c, ...extra.filter((v) => Number.isFinite(v) && v >= lo - span && v <= hi + span)]);
}

/** True when some value would be drawn clamped at the edge of `domain` (outside it, or infinite). */
export function anyClamped(values: number[], [lo, hi]: [number, number]): boolean {
  return values.some((v) => !Number.isNaN(v) && (v < lo || v > hi));
}

/** The score's bounds as the analyze JSON gives them; (−∞, ∞) when the study declares none. */
export type Bounds = [number, number];
const UNBOUNDED: Bounds = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];

/**
 * `domain` narrowed to the score's bounds: an error rate's axis never runs below 0, whatever
 * padding or fitted curve would put it there. A domain that would collapse is left as it was.
 */
export function clipDomain([lo, hi]: [number, number], [blo, bhi]: Bounds = UNBOUNDED): [number, number] {
  const l = Math.max(lo, blo);
  const h = Math.min(hi, bhi);
  return h > l ? [l, h] : [lo, hi];
}

/**
 * A value of the fitted law clipped to the score's bounds. The noisy quadratic puts Gaussian noise
 * on a quadratic that may reach the bound, so its quantiles can fall outside [lower, upper]; a score
 * there cannot occur, so drawn curves stop at the bound. Infinite values (an interval's open end)
 * become the bound as well.
 */
export function clipToBounds(v: number, [blo, bhi]: Bounds = UNBOUNDED): number {
  if (Number.isNaN(v)) return v;
  return Math.min(bhi, Math.max(blo, v));
}

function clampTo(v: number, [lo, hi]: [number, number]): number {
  if (v === Number.POSITIVE_INFINITY) return hi;
  if (v === Number.NEGATIVE_INFINITY) return lo;
  return Math.min(hi, Math.max(lo, v));
}

/** Colour legend shared by all layers of one plot: `series` names in order, with their colours. */
export function colorEnc(series: Array<[string, string]>, title: string | null = null) {
  return {
    field: "series",
    type: "nominal",
    title,
    sort: series.map(([s]) => s),
    scale: { domain: series.map(([s]) => s), range: series.map(([, c]) => c) },
  };
}

/** The frame every plot shares: schema, plot-area size for the layout, the theme. */
export function base(
  layout: Layout = "wide",
  width = PLOT_SIZE[layout].width,
  height = PLOT_SIZE[layout].height,
) {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width,
    height,
    config: VL_CONFIG[layout],
  } as const;
}

/**
 * Number format of count axes (trials k, budgets): d3's "r" rounds to significant digits without
 * ever switching to exponents, "," groups thousands (15,360 rather than 1.536e+4 or 15.4k).
 */
export const COUNT_FORMAT = ",~r";

function pct(confidence: number): string {
  return `${+(confidence * 100).toFixed(2)}%`;
}

/** Input of {@link tuningCurveSpec}: the median tuning curve with its band, the fit and the extrapolation. */
export interface TuningPlotInput {
  n: number;
  confidence: number;
  metric: string;
  /** Median tuning curve of the data with its simultaneous band (may contain ±∞). */
  curve: Array<{ k: number; median: number; lower: number; upper: number }>;
  /** The fitted noisy quadratic's median tuning curve on a grid of k (tail side of the threshold only). */
  fitted?: Array<{ k: number; value: number }>;
  /** Extrapolated medians with intervals (the analyze JSON's `extrapolation`). */
  extrapolation?: Array<{ k: number; median: number; lower: number; upper: number }>;
  /** The score's bounds (analyze JSON `bounds`): fitted and extrapolated values are clipped to them. */
  bounds?: Bounds;
  layout?: Layout;
}

/** The y-range of the tuning-curve plot (see robustDomain). */
export function tuningDomain(p: TuningPlotInput): [number, number] {
  const b = p.bounds;
  return clipDomain(
    robustDomain(
      [
        ...p.curve.map((r) => r.median),
        ...(p.fitted ?? []).map((r) => clipToBounds(r.value, b)),
        ...(p.extrapolation ?? []).map((r) => clipToBounds(r.median, b)),
      ],
      [
        ...p.curve.flatMap((r) => [r.lower, r.upper]),
        ...(p.extrapolation ?? []).flatMap((r) => [clipToBounds(r.lower, b), clipToBounds(r.upper, b)]),
      ],
    ),
    b,
  );
}

/** Tuning curve: best score after k random-search trials (median), band, fitted law, extrapolation. */
export function tuningCurveSpec(p: TuningPlotInput): TopLevelSpec {
  const layout = p.layout ?? "wide";
  const narrow = layout === "narrow";
  const b = p.bounds;
  const ext = p.extrapolation ?? [];
  const fitted = p.fitted ?? [];
  const domain = tuningDomain(p);
  // vega measures legend text by estimate (0.8 em a character) and cuts it at labelLimit: short
  // names on a phone, so the legend stays within the screen without an ellipsis.
  const sMedian = narrow ? "Median best (data)" : "Median best score (data)";
  const sBand = `${pct(p.confidence)} ${narrow ? "band" : "simultaneous band"}`;
  const sFit = narrow ? "Fitted law (median)" : "Fitted asymptotic law (median)";
  const sExt = narrow ? "Extrapolated median" : "Extrapolated median with interval";
  const series: Array<[string, string]> = [
    [sMedian, COLORS.data],
    [sBand, COLORS.band],
  ];
  if (fitted.length > 0) series.push([sFit, COLORS.fit]);
  if (ext.length > 0) series.push([sExt, COLORS.fitBand]);
  const color = colorEnc(series);
  const kMax = Math.max(p.n, ...p.curve.map((r) => r.k), ...ext.map((r) => r.k), ...fitted.map((r) => r.k));
  const x = {
    field: "k",
    type: "quantitative",
    title: narrow ? "random-search trials k (log scale)" : "number of random-search trials k (log scale)",
    scale: { type: "log", base: 2, domain: [1, kMax * 1.25], nice: false },
    axis: { tickCount: narrow ? 5 : 12, format: COUNT_FORMAT },
  };
  const y = {
    type: "quantitative",
    title: `best ${p.metric} after k trials`,
    scale: { domain, nice: false, zero: false },
  };
  const band: Row[] = p.curve.map((r) => ({
    k: r.k,
    lo: clampTo(r.lower, domain),
    hi: clampTo(r.upper, domain),
    unbounded: !Number.isFinite(r.lower) || !Number.isFinite(r.upper),
    series: sBand,
  }));
  const med: Row[] = p.curve
    .filter((r) => Number.isFinite(r.median))
    .map((r) => ({ k: r.k, v: r.median, series: sMedian }));
  const layers: unknown[] = [
    {
      data: { values: band },
      mark: { type: "area", opacity: 0.35, clip: true },
      encoding: { x, y: { ...y, field: "lo" }, y2: { field: "hi" }, color },
    },
    {
      data: { values: med },
      mark: { type: "line", strokeWidth: 2.2, clip: true },
      encoding: { x, y: { ...y, field: "v" }, color },
    },
  ];
  if (fitted.length > 0) {
    const fit: Row[] = fitted.map((r) => ({
      k: r.k,
      v: clampTo(clipToBounds(r.value, b), domain),
      series: sFit,
    }));
    layers.push({
      data: { values: fit },
      mark: { type: "line", strokeWidth: 2, strokeDash: [6, 4], clip: true },
      encoding: { x, y: { ...y, field: "v" }, color },
    });
  }
  if (ext.length > 0) {
    const e: Row[] = ext.map((r) => ({
      k: r.k,
      v: clampTo(clipToBounds(r.median, b), domain),
      lo: clampTo(clipToBounds(r.lower, b), domain),
      hi: clampTo(clipToBounds(r.upper, b), domain),
      series: sExt,
    }));
    layers.push({
      data: { values: e },
      mark: { type: "rule", strokeWidth: 2, clip: true },
      encoding: { x, y: { ...y, field: "lo" }, y2: { field: "hi" }, color },
    });
    layers.push({
      data: { values: e },
      mark: { type: "point", filled: true, size: 70, clip: true },
      encoding: { x, y: { ...y, field: "v" }, color },
    });
  }
  layers.push({
    data: { values: [{ k: p.n, label: narrow ? `n = ${p.n}` : `n = ${p.n} trials run` }] },
    layer: [
      { mark: { type: "rule", strokeDash: [2, 3], color: COLORS.rule }, encoding: { x } },
      {
        mark: {
          type: "text",
          align: "right",
          baseline: "top",
          dx: -4,
          dy: 4,
          y: 0,
          fontSize: MIN_PLOT_FONT,
          color: COLORS.rule,
        },
        encoding: { x, text: { field: "label" } },
      },
    ],
  });
  return { ...base(layout), layer: layers } as unknown as TopLevelSpec;
}

/** Input of {@link cdfSpec}: the empirical CDF with its simultaneous band and the fitted CDF. */
export interface CdfPlotInput {
  confidence: number;
  metric: string;
  minimize: boolean;
  ecdf: Array<{ y: number; cdf: number; lower: number; upper: number }>;
  /** The observed scores (ECDF points carrying mass; support bounds excluded): they set the x-range. */
  observed: number[];
  /** The fitted noisy quadratic's CDF on a grid (tail side of the threshold only). */
  fitted?: Array<{ y: number; value: number }>;
  threshold?: number;
  /** The score's bounds: the x-range never reaches past them. */
  bounds?: Bounds;
  layout?: Layout;
}

function cdfLayers(
  p: CdfPlotInput,
  xDomain: [number, number],
  title: string,
  yDomain: [number, number] = [0, 1],
) {
  const narrow = p.layout === "narrow";
  const sEcdf = "Empirical CDF (data)";
  const sBand = `${pct(p.confidence)} ${narrow ? "band" : "simultaneous band"}`;
  const sFit = narrow ? "Fitted law (tail)" : "Fitted noisy quadratic (tail)";
  const fitted = p.fitted ?? [];
  const series: Array<[string, string]> = [
    [sEcdf, COLORS.data],
    [sBand, COLORS.band],
  ];
  if (fitted.length > 0) series.push([sFit, COLORS.fit]);
  const color = colorEnc(series);
  const x = {
    field: "y",
    type: "quantitative",
    title: `${p.metric} (${p.minimize ? "lower" : "higher"} is better)`,
    scale: { domain: xDomain, nice: false, zero: false },
    axis: { tickCount: narrow ? 4 : 8 },
  };
  const yEnc = { type: "quantitative", title: "P(score ≤ x)", scale: { domain: yDomain, nice: false } };
  const pts = p.ecdf.filter((r) => Number.isFinite(r.y));
  // A step-after line ends at its last point: carry the last step to the plot's right edge, and
  // start the empirical CDF at 0 on the left edge (exact: no score lies below the smallest one).
  const first = pts[0];
  const last = pts[pts.length - 1];
  const bandPts = pts.map((r) => ({ y: r.y, lo: r.lower, hi: r.upper, series: sBand }));
  const linePts = pts.map((r) => ({ y: r.y, v: r.cdf, series: sEcdf }));
  if (last && xDomain[1] > last.y) {
    bandPts.push({ y: xDomain[1], lo: last.lower, hi: last.upper, series: sBand });
    linePts.push({ y: xDomain[1], v: last.cdf, series: sEcdf });
  }
  if (first && xDomain[0] < first.y && p.observed.every((y) => y >= first.y))
    linePts.unshift({ y: xDomain[0], v: 0, series: sEcdf });
  const layers: unknown[] = [
    {
      data: { values: bandPts },
      mark: { type: "area", interpolate: "step-after", opacity: 0.35, clip: true },
      encoding: { x, y: { ...yEnc, field: "lo" }, y2: { field: "hi" }, color },
    },
    {
      data: { values: linePts },
      mark: { type: "line", interpolate: "step-after", strokeWidth: 2, clip: true },
      encoding: { x, y: { ...yEnc, field: "v" }, color },
    },
  ];
  if (fitted.length > 0) {
    layers.push({
      data: { values: fitted.map((r) => ({ y: r.y, v: r.value, series: sFit })) },
      mark: { type: "line", strokeWidth: 2, strokeDash: [6, 4], clip: true },
      encoding: { x, y: { ...yEnc, field: "v" }, color },
    });
  }
  if (p.threshold !== undefined && Number.isFinite(p.threshold)) {
    const thLeft = p.threshold - xDomain[0] < (xDomain[1] - xDomain[0]) / 2;
    layers.push({
      data: { values: [{ y: p.threshold, label: "threshold θ" }] },
      layer: [
        { mark: { type: "rule", strokeDash: [2, 3], color: COLORS.rule }, encoding: { x } },
        {
          mark: {
            type: "text",
            // On the side of the rule with more room, so the label stays inside the plot.
            align: thLeft ? "left" : "right",
            baseline: "top",
            dx: thLeft ? 4 : -4,
            dy: 4,
            y: 0,
            fontSize: MIN_PLOT_FONT,
            color: COLORS.rule,
          },
          encoding: { x, text: { field: "label" } },
        },
      ],
    });
  }
  const size = PLOT_SIZE[p.layout ?? "wide"];
  return {
    title,
    width: narrow ? size.width : size.width / 2 - 30,
    height: narrow ? Math.round(size.height * 0.85) : size.height,
    layer: layers,
  };
}

/**
 * The probability range of the tail panel: the tail holds the top (maximize) or bottom (minimize)
 * share of the mass, so zoom on [min over the tail of band and fit, 1] or [0, max], padded a little.
 */
export function tailProbabilityDomain(p: CdfPlotInput, xDomain: [number, number]): [number, number] {
  const inX = (y: number) => y >= xDomain[0] && y <= xDomain[1];
  const vals = [
    ...p.ecdf.filter((r) => inX(r.y)).flatMap((r) => [r.lower, r.upper, r.cdf]),
    ...(p.fitted ?? []).filter((r) => inX(r.y)).map((r) => r.value),
  ].filter((v) => Number.isFinite(v));
  if (vals.length === 0) return [0, 1];
  if (p.minimize) return [0, Math.min(1, Math.max(...vals) * 1.05 + 0.01)];
  const lo = Math.min(...vals);
  return [Math.max(0, 1 - (1 - lo) * 1.05 - 0.01), 1];
}

/**
 * CDF of the scores with its band; when a fit exists, a second panel zooms on the tail beyond the
 * threshold, where the fitted noisy quadratic is meant to hold.
 */
export function cdfSpec(p: CdfPlotInput): TopLevelSpec {
  const layout = p.layout ?? "wide";
  const ys = p.observed;
  const full = clipDomain(finiteDomain([...ys, ...(p.fitted ?? []).map((r) => r.y)]), p.bounds);
  if (p.threshold === undefined || !Number.isFinite(p.threshold) || (p.fitted ?? []).length === 0) {
    const one = cdfLayers(p, full, "All scores");
    return { ...base(layout), ...one, width: PLOT_SIZE[layout].width } as unknown as TopLevelSpec;
  }
  const th = p.threshold;
  const tailYs = [
    ...ys.filter((y) => Number.isFinite(y) && (p.minimize ? y <= th : y >= th)),
    ...(p.fitted ?? []).map((r) => r.y),
    th,
  ];
  const tail = clipDomain(finiteDomain(tailYs), p.bounds);
  const panels = [
    cdfLayers(p, full, "All scores"),
    cdfLayers(
      p,
      tail,
      layout === "narrow" ? "Zoom on the tail (beyond θ)" : "Zoom on the tail (beyond the threshold)",
      tailProbabilityDomain(p, tail),
    ),
  ];
  // On a phone the two panels are stacked, each as wide as the screen allows.
  return {
    ...base(layout),
    width: undefined,
    height: undefined,
    ...(layout === "narrow" ? { vconcat: panels } : { hconcat: panels }),
    resolve: { scale: { color: "shared" } },
  } as unknown as TopLevelSpec;
}

/** Input of {@link listVsRandomSpec}: a list's scores in order against random search's tuning curve. */
export interface ListPlotInput {
  confidence: number;
  metric: string;
  minimize: boolean;
  name: string;
  /** Random search's median tuning curve with its band (from the analysis). */
  random: Array<{ k: number; median: number; lower: number; upper: number }>;
  /** The list's scores in evaluation order (index is 1-based). */
  points: Array<{ index: number; score: number }>;
  layout?: Layout;
}

/** The list's best-so-far after i points against random search's median best after k trials. */
export function listVsRandomSpec(p: ListPlotInput): TopLevelSpec {
  const sorted = [...p.points].sort((a, b) => a.index - b.index);
  const best: Row[] = [];
  let cur = p.minimize ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  const narrow = p.layout === "narrow";
  const sBest = `${narrow ? "List" : p.name}: best so far`;
  const sPts = `${narrow ? "List" : p.name}: each point`;
  const sRand = narrow ? "Random: median best" : "Random search: median best";
  const sBand = `${pct(p.confidence)} ${narrow ? "band" : "simultaneous band"}`;
  for (const pt of sorted) {
    cur = p.minimize ? Math.min(cur, pt.score) : Math.max(cur, pt.score);
    best.push({ k: pt.index, v: cur, series: sBest });
  }
  const kMax = Math.max(...sorted.map((r) => r.index), 2);
  const randomIn = p.random.filter((r) => r.k <= Math.max(kMax * 2, 4));
  const domain = robustDomain(
    [...sorted.map((r) => r.score), ...randomIn.map((r) => r.median)],
    randomIn.flatMap((r) => [r.lower, r.upper]),
  );
  const color = colorEnc([
    [sRand, COLORS.data],
    [sBand, COLORS.band],
    [sBest, COLORS.list],
    [sPts, COLORS.muted],
  ]);
  const x = {
    field: "k",
    type: "quantitative",
    title: narrow
      ? "list points, or random trials k"
      : "trials (list points evaluated, or random-search trials k)",
    scale: { type: "log", base: 2, domain: [0.8, Math.max(kMax * 2, 4)], nice: false },
    axis: { format: COUNT_FORMAT, tickCount: narrow ? 5 : 10 },
  };
  const y = {
    type: "quantitative",
    title: `best ${p.metric} so far`,
    scale: { domain, nice: false, zero: false },
  };
  const layers = [
    {
      data: {
        values: randomIn.map((r) => ({
          k: r.k,
          lo: clampTo(r.lower, domain),
          hi: clampTo(r.upper, domain),
          series: sBand,
        })),
      },
      mark: { type: "area", opacity: 0.35, clip: true },
      encoding: { x, y: { ...y, field: "lo" }, y2: { field: "hi" }, color },
    },
    {
      data: {
        values: randomIn
          .filter((r) => Number.isFinite(r.median))
          .map((r) => ({ k: r.k, v: r.median, series: sRand })),
      },
      mark: { type: "line", strokeWidth: 2.2, clip: true },
      encoding: { x, y: { ...y, field: "v" }, color },
    },
    {
      data: { values: sorted.map((r) => ({ k: r.index, v: r.score, series: sPts })) },
      mark: { type: "point", size: 30, clip: true },
      encoding: { x, y: { ...y, field: "v" }, color },
    },
    {
      data: { values: best },
      mark: {
        type: "line",
        interpolate: "step-after",
        strokeWidth: 2.2,
        point: { filled: true, size: 36 },
        clip: true,
      },
      encoding: { x, y: { ...y, field: "v" }, color },
    },
  ];
  return { ...base(p.layout), layer: layers } as unknown as TopLevelSpec;
}

/** Input of {@link learningCurvesSpec}: background and highlighted learning curves. */
export interface CurvesPlotInput {
  metric: string;
  xLabel: string;
  yLabel: string;
  /** Trials drawn in grey (context). */
  background: Array<{ trial: string; points: Array<{ step: number; value: number }> }>;
  /** Trials drawn in colour with a legend entry (the best few). */
  highlighted: Array<{ trial: string; label: string; points: Array<{ step: number; value: number }> }>;
  /** y-range (see curvesDomain). */
  yDomain: [number, number];
  layout?: Layout;
}

/**
 * The y-range of the learning-curve plot: from the best value of any trial to the 75th
 * percentile of the trials' best values (from the best side), plus half that span as margin.
 * Diverged runs sit far away and would squash the trials worth looking at.
 */
export function curvesDomain(
  trialBests: number[],
  minimize: boolean,
  allValues: number[] = [],
): [number, number] {
  const f = trialBests.filter((v) => Number.isFinite(v)).sort((x, y) => x - y);
  if (f.length === 0) return [0, 1];
  const at = (q: number) => f[Math.min(f.length - 1, Math.max(0, Math.round(q * (f.length - 1))))] as number;
  // Never reach past what was recorded (a margin below the lowest value would show empty space).
  const all = allValues.filter((v) => Number.isFinite(v));
  const floor = all.length ? Math.min(...all) : Number.NEGATIVE_INFINITY;
  const ceil = all.length ? Math.max(...all) : Number.POSITIVE_INFINITY;
  if (minimize) {
    const lo = at(0);
    const hi = at(0.75);
    return finiteDomain([lo, Math.min(ceil, hi + (hi - lo) * 0.5)]);
  }
  const hi = at(1);
  const lo = at(0.25);
  return finiteDomain([Math.max(floor, lo - (hi - lo) * 0.5), hi]);
}

/** Per-trial learning curves: every trial in grey, the best few in colour. */
export function learningCurvesSpec(p: CurvesPlotInput): TopLevelSpec {
  const sOther = "other trials";
  const hl: Array<[string, string]> = p.highlighted.map((t, i) => [
    t.label,
    COLORS.highlight[i % COLORS.highlight.length] as string,
  ]);
  const color = colorEnc([...hl, [sOther, COLORS.muted]]);
  const values = [
    ...p.background.flatMap((t) =>
      t.points.map((q) => ({ trial: t.trial, x: q.step, v: q.value, series: sOther })),
    ),
  ];
  const hv = p.highlighted.flatMap((t) =>
    t.points.map((q) => ({ trial: t.trial, x: q.step, v: q.value, series: t.label })),
  );
  const domain = p.yDomain;
  const x = {
    field: "x",
    type: "quantitative",
    title: p.xLabel,
    scale: { nice: false, zero: false },
    axis: { tickCount: p.layout === "narrow" ? 4 : 10 },
  };
  const y = {
    field: "v",
    type: "quantitative",
    title: p.yLabel,
    scale: { domain, nice: false, zero: false },
  };
  const layers = [
    {
      data: { values },
      mark: { type: "line", strokeWidth: 1, opacity: 0.35, clip: true },
      encoding: { x, y, color, detail: { field: "trial", type: "nominal" } },
    },
    {
      data: { values: hv },
      mark: { type: "line", strokeWidth: 2.2, clip: true },
      encoding: { x, y, color, detail: { field: "trial", type: "nominal" } },
    },
  ];
  return { ...base(p.layout), layer: layers } as unknown as TopLevelSpec;
}

/** Input of {@link listWorkloadsSpec}: the equivalent random-search budget of a list per workload. */
export interface ListWorkloadsPlotInput {
  /** List length K: the budget at which list and random search cost the same. */
  listLength: number;
  /** Equivalent random budget per workload; `overflow` when even all rows fall short (">n"). */
  rows: Array<{ workload: string; budget: number; overflow: boolean }>;
  layout?: Layout;
}

/**
 * Equivalent random budget per workload (log scale) against the list's own length K: a bar past
 * the K rule means the K-point list is worth more than K random-search trials there.
 */
export function listWorkloadsSpec(p: ListWorkloadsPlotInput): TopLevelSpec {
  const layout = p.layout ?? "wide";
  const narrow = layout === "narrow";
  const maxB = Math.max(p.listLength, ...p.rows.map((r) => r.budget));
  const sAbove = narrow ? "worth ≥ K random trials" : "list worth ≥ K random trials";
  const sBelow = narrow ? "worth < K random trials" : "list worth < K random trials";
  const values = p.rows.map((r) => ({
    workload: r.workload,
    budget: r.budget,
    label: r.overflow ? `>${r.budget}` : String(r.budget),
    series: r.budget >= p.listLength ? sAbove : sBelow,
  }));
  const color = {
    ...colorEnc([
      [sAbove, COLORS.list],
      [sBelow, COLORS.muted],
    ]),
    legend: { symbolType: "square", symbolStrokeWidth: 0 },
  };
  const x = {
    field: "budget",
    type: "quantitative",
    title: narrow ? "equivalent random budget" : "equivalent random-search budget (trials, log scale)",
    scale: { type: "log", domain: [0.8, maxB * 2], nice: false },
    axis: { format: COUNT_FORMAT, grid: false, tickCount: narrow ? 4 : 10 },
  };
  const y = {
    field: "workload",
    type: "nominal",
    title: null,
    sort: null,
    axis: { labelLimit: narrow ? 110 : 220 },
  };
  const height = Math.max(120, 28 * p.rows.length);
  const size = PLOT_SIZE[layout];
  return {
    ...base(layout, narrow ? size.width - 70 : size.width - 140, height),
    layer: [
      {
        data: { values },
        mark: { type: "bar", height: 16, clip: true },
        encoding: { x: { ...x, scale: { ...x.scale } }, x2: { datum: 0.8 }, y, color },
      },
      {
        data: { values },
        mark: { type: "text", align: "left", dx: 4, fontSize: MIN_PLOT_FONT, color: "#25303b" },
        encoding: { x, y, text: { field: "label" } },
      },
      {
        data: { values: [{ budget: p.listLength, label: `K = ${p.listLength} (list length)` }] },
        layer: [
          {
            mark: { type: "rule", strokeDash: [4, 3], color: COLORS.rule, strokeWidth: 1.5 },
            encoding: { x },
          },
          {
            mark: {
              type: "text",
              align: "left",
              baseline: "bottom",
              dx: 4,
              y: 0,
              dy: -2,
              fontSize: MIN_PLOT_FONT,
              color: COLORS.rule,
            },
            encoding: { x, text: { field: "label" } },
          },
        ],
      },
    ],
  } as unknown as TopLevelSpec;
}
