/**
 * Builds the self-contained HTML report: inline CSS, inline SVG (rendered on the server by vega),
 * the analyze JSON embedded verbatim, no script and no external resource.
 *
 * Every number printed from the analysis is wrapped as
 * `<span class="num" data-path="<json path>" data-value="<json value>">` so that a test (or a
 * reader) can check it against `nadir analyze --json` exactly.
 */

import { fittedCdf, fittedDistribution, fittedTuningCurve, type TailDistribution } from "./fitted.js";
import { figure, notAvailable, pctText, renderBoth, section, tableRows } from "./html.js";
import { escapeHtml, formatNumber, intervalHtml, numSpan, toNumber } from "./numbers.js";
import {
  anyClamped,
  type Bounds,
  cdfSpec,
  curvesDomain,
  learningCurvesSpec,
  listVsRandomSpec,
  listWorkloadsSpec,
  tuningCurveSpec,
  tuningDomain,
} from "./specs.js";
import { stoppingSection } from "./stopping.js";
import { COLORS, FONT, NARROW_BREAKPOINT } from "./theme.js";
import {
  type AnalyzeResult,
  isListWorkloads,
  isUnavailable,
  type JsonNumber,
  type LearningCurves,
  type ListVsRandom,
  type ListWorkloads,
  type ReportInput,
  validateReportInput,
} from "./types.js";

/**
 * Section ids, in page order; every one is always present (with data or a "not available" note). The
 * stopper's section (`STOPPING_SECTION_ID`) comes after the summary only when the input has `stopping`.
 */
export const SECTION_IDS = [
  "summary",
  "tuning-curve",
  "cdf",
  "list-vs-random",
  "learning-curves",
  "fit-details",
  "data",
] as const;

/** At most this many grey background curves, so that a 1,000-trial study still gives a small file. */
export const MAX_BACKGROUND_CURVES = 250;
/** The best few trials drawn in colour. */
export const HIGHLIGHTED_CURVES = 5;

/** The score's bounds of the analysis (`bounds` of the analyze JSON), (−∞, ∞) when it has none. */
function scoreBounds(a: AnalyzeResult): Bounds {
  if (!a.bounds) return [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  return [toNumber(a.bounds.lower), toNumber(a.bounds.upper)];
}

/**
 * The study's name: the input's `study`, else the study of a journal source (`nadir report
 * <journal> --study s` names its source `<journal>#s.jsonl`), else the file name of the source.
 */
export function studyName(input: ReportInput): string | undefined {
  if (input.study) return input.study;
  const src = input.source ?? input.analysis.input?.file;
  if (typeof src !== "string" || src === "") return undefined;
  const journal = src.match(/#([^#/]+)\.jsonl$/);
  if (journal) return journal[1];
  const base = src.split(/[\\/]/).pop();
  return base === "" ? undefined : base;
}

/**
 * The header's source line. A journal source is named `<journal>#<study>.jsonl` (the export's
 * format, for the reader of trials); the reader is shown the journal directory itself.
 */
function sourceText(source: string): string {
  const journal = source.match(/^(.*)#([^#/]+)\.jsonl$/);
  return journal ? `journal: ${escapeHtml(journal[1] as string)}` : `source: ${escapeHtml(source)}`;
}

/** The largest effective dimension searched: the input's, the analysis's, else 10 (the analysis's range). */
function maxC(input: ReportInput): number {
  const fromAnalysis = input.analysis.effective_dimension?.max_c;
  return input.max_c ?? (typeof fromAnalysis === "number" ? fromAnalysis : 10);
}

/**
 * A set of integers as runs: [1..10] → "1–10", [1, 2, 3, 7] → "1–3, 7". Each printed end is a
 * numSpan at its index in `effective_dimension.accepted`.
 */
function integerRuns(values: number[], path: string): string {
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    let j = i;
    while (j + 1 < values.length && (values[j + 1] as number) === (values[j] as number) + 1) j++;
    const first = numSpan(`${path}[${i}]`, values[i] as number);
    if (j === i) parts.push(first);
    else if (j === i + 1) parts.push(`${first}, ${numSpan(`${path}[${j}]`, values[j] as number)}`);
    else parts.push(`${first}–${numSpan(`${path}[${j}]`, values[j] as number)}`);
    i = j + 1;
  }
  return parts.join(", ");
}

/** Mass of each ECDF step, cdf[i] − cdf[i−1] (zero at the support bounds and ±∞ sentinels). */
export function ecdfMasses(a: AnalyzeResult): number[] {
  return a.ecdf.cdf.map((c, i) => toNumber(c) - (i > 0 ? toNumber(a.ecdf.cdf[i - 1] as JsonNumber) : 0));
}

/** Index of the best finite observed score in `ecdf.y` (max for maximize, min for minimize). */
function bestObservedIndex(a: AnalyzeResult): number {
  let best = -1;
  const minimize = a.direction === "minimize";
  const masses = ecdfMasses(a);
  a.ecdf.y.forEach((raw, i) => {
    const y = toNumber(raw);
    // Support bounds and ±∞ sentinels carry no mass: they were never observed.
    if (!Number.isFinite(y) || !((masses[i] as number) > 0)) return;
    if (best < 0) best = i;
    const cur = toNumber(a.ecdf.y[best] as JsonNumber);
    if (minimize ? y < cur : y > cur) best = i;
  });
  return best;
}

/** The metric's display name: the report input's, else the analysis's own `metric`, else "score". */
function metricName(input: ReportInput): string {
  const m = input.metric ?? input.analysis.metric;
  return typeof m === "string" && m !== "" ? m : "score";
}

function warningsHtml(a: AnalyzeResult): string {
  const w = a.warnings ?? [];
  const skipped =
    a.input && a.input.skipped_count > 0
      ? [
          `${a.input.skipped_count} row(s) of ${a.input.file} had no finite value of the metric and were left out (rows ${a.input.skipped
            .slice(0, 10)
            .map((r) => r.row)
            .join(", ")}${a.input.skipped_count > 10 ? ", …" : ""})`,
        ]
      : [];
  const all = [...skipped, ...w];
  if (all.length === 0) return "";
  return `<div class="warnings" data-warnings="${all.length}"><strong>Warnings from the analysis</strong><ul>${all.map((x) => `<li>${escapeHtml(x)}</li>`).join("")}</ul></div>`;
}

function headline(input: ReportInput, why: { fit: string }): string {
  const a = input.analysis;
  const minimize = a.direction === "minimize";
  const metric = escapeHtml(metricName(input));
  const conf = pctText(a.confidence);
  const cards: string[] = [];
  // Best reachable score: the fitted optimum (a for a convex fit, b for a concave one) with its
  // consonance interval; either can exist without the other (fit and consonance set fail separately).
  // It is the noise-free optimum, so the best observed run (noise included) can beat it by luck:
  // both are shown, and the card says which is which.
  {
    const bsi = a.best_score_interval;
    const interval = bsi
      ? `<div class="sub">${conf} interval: ${intervalHtml(
          { path: "best_score_interval.lower", raw: bsi.lower },
          { path: "best_score_interval.upper", raw: bsi.upper },
        )}</div>`
      : `<div class="sub">interval not available: ${escapeHtml(a.fit ? "no consonance set (see the warnings)" : why.fit)}</div>`;
    const key = a.fit?.convex ? "a" : "b";
    const big = a.fit
      ? `<div class="big">${numSpan(`fit.${key}`, a.fit[key])}</div><div class="sub">the noise-free optimum: the ${metric} the best configuration would get on average over repeated runs (fitted law, ${minimize ? "lowest" : "highest"} point)</div>`
      : `<div class="big">—</div><div class="sub">fit not available: ${escapeHtml(why.fit)}</div>`;
    const bi = bestObservedIndex(a);
    const observed =
      bi >= 0
        ? `<div class="sub observed">best observed: ${numSpan(`ecdf.y[${bi}]`, a.ecdf.y[bi] as JsonNumber)}, a single run with its evaluation noise${a.fit ? `, so it can be ${minimize ? "below" : "above"} the noise-free optimum by luck` : ""}</div>`
        : "";
    cards.push(
      `<div class="card" data-card="best-score"><div class="label">Best reachable score</div>${big}${interval}${observed}</div>`,
    );
  }
  // Effective dimension: the set of plausible c is the result (the data rarely pin c down); the
  // single best-fitting c is secondary.
  {
    const acc = a.effective_dimension?.accepted ?? [];
    const top = maxC(input);
    let big: string;
    let sub: string;
    if (acc.length > 0) {
      // In braces even when it holds one value: it is a set of plausible c, not an estimate.
      big = `<div class="big">{${integerRuns(acc, "effective_dimension.accepted")}}</div>`;
      const all = acc.length === top && acc[0] === 1 && acc[acc.length - 1] === top;
      sub = `the number of hyperparameters that matter near the optimum (c of the fitted law): ${
        acc.length === 1
          ? `only this value is plausible at ${conf}`
          : all
            ? `every c from 1 to ${top} searched is plausible at ${conf}, so these trials do not tell`
            : `${acc.length} values of the ${top} searched (1..${top}) are plausible at ${conf}`
      }${a.fit ? `; the best fit has c = ${numSpan("fit.c", a.fit.c)}` : ""}`;
    } else {
      big = a.fit ? `<div class="big">none</div>` : `<div class="big">—</div>`;
      sub = a.regime
        ? `no c in 1..${top} gives a noisy-quadratic tail inside the band${a.fit ? ` (best fit: c = ${numSpan("fit.c", a.fit.c)})` : ""}`
        : `not available: ${escapeHtml(why.fit)}`;
    }
    cards.push(
      `<div class="card" data-card="effective-dimension"><div class="label">Effective dimension</div>${big}<div class="sub">${sub}</div></div>`,
    );
  }
  // What k more trials would gain.
  {
    let body: string;
    // The first row is the nearest horizon (by default n more trials, i.e. doubling the budget).
    const first = a.gain?.[0];
    if (first) {
      const p = "gain[0]";
      body = `<div class="big">${numSpan(`${p}.gain`, first.gain)}</div><div class="sub">with k = ${numSpan(`${p}.more_trials`, first.more_trials)} more trials (after ${numSpan(`${p}.from_k`, first.from_k)}), the median best ${metric} ${minimize ? "drops" : "rises"} by this much; ${conf} interval: ${intervalHtml(
        { path: `${p}.lower`, raw: first.lower },
        { path: `${p}.upper`, raw: first.upper },
      )}</div>`;
    } else
      body = `<div class="big">—</div><div class="sub">not available: ${escapeHtml(a.fit ? "the analysis gave no gain estimate" : why.fit)}</div>`;
    cards.push(
      `<div class="card" data-card="gain"><div class="label">k more trials gain about</div>${body}</div>`,
    );
  }
  return `<div class="cards">${cards.join("\n")}</div>${sampleHtml(input)}`;
}

/**
 * Which trials the statistics are about: the i.i.d. sample and what was kept out of it. From the
 * input's `sample` when the caller knows (per-trial state and source), else from the analysis:
 * n trials, assumed i.i.d., rows without a usable value and held-out list trials left out.
 */
export function sampleHtml(input: ReportInput): string {
  const a = input.analysis;
  const given = input.sample;
  const iid = given?.iid ?? a.n;
  const excluded: Array<{ reason: string; count: number }> = given?.excluded
    ? given.excluded.filter((e) => e.count > 0)
    : [
        ...(a.input && a.input.skipped_count > 0
          ? [{ reason: "without a usable value of the metric", count: a.input.skipped_count }]
          : []),
        ...(a.input?.list_trials === "separate" && (a.input.list_rows_count ?? 0) > 0
          ? [
              {
                reason: "proposed by a list (compared with random search below)",
                count: a.input.list_rows_count ?? 0,
              },
            ]
          : []),
      ];
  const what = given?.checked
    ? "trials proposed by random search and run to the full budget, the i.i.d. sample the statistics below are about."
    : "trials, taken as the i.i.d. sample the statistics below are about: independent random-search draws run to the full budget. That is assumed, since the input does not record how each trial was proposed or stopped.";
  const left =
    excluded.length > 0
      ? ` Kept out of it: ${excluded.map((e) => `<span data-excluded="${escapeHtml(e.reason)}">${e.count} ${escapeHtml(e.reason)}</span>`).join("; ")}.`
      : " No trial was kept out of it.";
  return `<p class="sample" data-iid="${iid}" data-excluded-total="${excluded.reduce((t, e) => t + e.count, 0)}"><strong>Trials analysed:</strong> ${iid} ${what}${left}</p>`;
}

async function tuningSection(
  input: ReportInput,
  metric: string,
  dist: TailDistribution | null,
): Promise<string> {
  const a = input.analysis;
  const minimize = a.direction === "minimize";
  const curve = a.tuning_curve.map((r) => ({
    k: r.k,
    median: toNumber(r.median),
    lower: toNumber(r.median_lower),
    upper: toNumber(r.median_upper),
  }));
  const ext = (a.extrapolation ?? []).map((r) => ({
    k: r.k,
    median: toNumber(r.median),
    lower: toNumber(r.lower),
    upper: toNumber(r.upper),
  }));
  const kMax = Math.max(a.n, ...ext.map((r) => r.k));
  const bounds = scoreBounds(a);
  const fitted = dist && a.fit ? fittedTuningCurve(dist, a.fit, minimize, kMax, 96, bounds) : undefined;
  const plot = { n: a.n, confidence: a.confidence, metric, curve, fitted, extrapolation: ext, bounds };
  const svg = await renderBoth("tuning-curve", (layout) => tuningCurveSpec({ ...plot, layout }), "tc");
  const clamped = anyClamped(
    [...curve.flatMap((r) => [r.lower, r.upper]), ...ext.flatMap((r) => [r.lower, r.upper])],
    tuningDomain(plot),
  );
  const better = minimize ? "lower" : "higher";
  const how = `The blue line is the median of the best ${escapeHtml(metric)} you would get from k random-search trials, estimated from the ${a.n} trials run; the shaded band holds the whole curve with ${pctText(a.confidence)} confidence (simultaneously for every k, so it can be read at any k). ${
    fitted
      ? `The dashed orange line is the fitted asymptotic law (noisy quadratic tail): it continues the curve beyond the data; orange points with bars are the extrapolated medians with their intervals.`
      : "No fitted law is drawn (no fit)."
  }${clamped ? " Where the band runs into the top or bottom edge, it reaches beyond the plotted range (up to the score's bound, or unbounded): the data cannot rule those values out." : ""} Where the band is flat the next trials change little; a wide band means more trials are needed to be sure. ${better[0]?.toUpperCase()}${better.slice(1)} is better.`;
  let table = "";
  if (a.gain && a.gain.length > 0) {
    const rows = a.gain.map((r, i) => [
      numSpan(`gain[${i}].more_trials`, r.more_trials),
      numSpan(`gain[${i}].gain`, r.gain),
      intervalHtml({ path: `gain[${i}].lower`, raw: r.lower }, { path: `gain[${i}].upper`, raw: r.upper }),
    ]);
    table += `<h3>What more trials would gain (median ${minimize ? "decrease" : "increase"} from ${a.n} trials)</h3>${tableRows(rows, ["more trials", "gain", `${pctText(a.confidence)} interval`])}`;
  }
  if (a.extrapolation && a.extrapolation.length > 0) {
    const rows = a.extrapolation.map((r, i) => [
      numSpan(`extrapolation[${i}].k`, r.k),
      numSpan(`extrapolation[${i}].median`, r.median),
      intervalHtml(
        { path: `extrapolation[${i}].lower`, raw: r.lower },
        { path: `extrapolation[${i}].upper`, raw: r.upper },
      ),
    ]);
    table += `<h3>Extrapolated median best score</h3>${tableRows(rows, ["trials k", "median best", `${pctText(a.confidence)} interval`])}`;
  } else
    table += `<h3>Extrapolated median best score</h3>${notAvailable(a.fit ? "the analysis gave no extrapolation" : "no fitted law, so nothing to extrapolate with")}`;
  const nRow = a.tuning_curve.findIndex((r) => r.k === a.n);
  const atN = a.tuning_curve[nRow];
  const now = atN
    ? `<p class="note">With the ${a.n} trials run, the median best is ${numSpan(`tuning_curve[${nRow}].median`, atN.median)} (band: ${intervalHtml(
        { path: `tuning_curve[${nRow}].median_lower`, raw: atN.median_lower },
        { path: `tuning_curve[${nRow}].median_upper`, raw: atN.median_upper },
      )}).</p>`
    : "";
  return section(
    "tuning-curve",
    "Tuning curve: best score against number of trials",
    `${figure("tuning-curve", svg, how)}${now}${table}`,
  );
}

async function cdfSection(
  input: ReportInput,
  metric: string,
  dist: TailDistribution | null,
): Promise<string> {
  const a = input.analysis;
  const minimize = a.direction === "minimize";
  const ecdf = a.ecdf.y.map((y, i) => ({
    y: toNumber(y),
    cdf: toNumber(a.ecdf.cdf[i] as JsonNumber),
    lower: toNumber(a.ecdf.lower[i] as JsonNumber),
    upper: toNumber(a.ecdf.upper[i] as JsonNumber),
  }));
  const masses = ecdfMasses(a);
  const observed = ecdf.filter((_, i) => (masses[i] as number) > 0).map((r) => r.y);
  const bounds = scoreBounds(a);
  const fitted = dist && a.fit ? fittedCdf(dist, a.fit, minimize, observed, 160, bounds) : undefined;
  const threshold = a.fit ? toNumber(a.fit.threshold) : undefined;
  const svg = await renderBoth(
    "cdf",
    (layout) =>
      cdfSpec({
        confidence: a.confidence,
        metric,
        minimize,
        ecdf,
        observed,
        fitted,
        threshold,
        bounds,
        layout,
      }),
    "cdf",
  );
  const how = `The step line is the share of trials scoring at most x; the band holds the true distribution of scores under random search with ${pctText(a.confidence)} confidence. ${
    fitted
      ? `Only the tail beyond the threshold θ (the ${minimize ? "lowest" : "highest"} scores) is fitted: the dashed orange line is the noisy quadratic there. If it stays inside the band, the asymptotic law describes your best trials and its extrapolations can be trusted; the second panel zooms on that tail.`
      : "No fitted tail is drawn (no fit)."
  }`;
  return section("cdf", "Distribution of scores (CDF)", figure("cdf", svg, how));
}

async function listSection(input: ReportInput, metric: string): Promise<string> {
  const lv = input.list_vs_random;
  if (lv === undefined)
    return section(
      "list-vs-random",
      "List against random search",
      notAvailable(
        "no list evaluation was given (pass --list with the output of `nadir lists build --json`)",
      ),
      "unavailable",
    );
  if (isUnavailable(lv))
    return section(
      "list-vs-random",
      "List against random search",
      notAvailable(lv.unavailable),
      "unavailable",
    );
  if (isListWorkloads(lv)) return listWorkloadsSection(lv);
  const a = input.analysis;
  const minimize = a.direction === "minimize";
  const list = lv as ListVsRandom;
  const name = list.name ?? "list";
  const random = a.tuning_curve.map((r) => ({
    k: r.k,
    median: toNumber(r.median),
    lower: toNumber(r.median_lower),
    upper: toNumber(r.median_upper),
  }));
  const svg = await renderBoth(
    "list-vs-random",
    (layout) =>
      listVsRandomSpec({
        confidence: a.confidence,
        metric,
        minimize,
        name,
        random,
        points: list.points,
        layout,
      }),
    "lvr",
  );
  const hasBudget = (list.equivalent_random_budget?.length ?? 0) > 0;
  // The budget table exists only for a list evaluated with `nadir lists`; a list read from the
  // trials themselves has none, so the caption must not point at it.
  const how = `Green: the best score so far after evaluating the list's first i points, in order (hollow grey dots: each point's own score). Blue: random search's median best after k trials, with its ${pctText(a.confidence)} band. Where green is ${minimize ? "below" : "above"} blue, the list beats random search at the same budget${
    hasBudget
      ? "; the equivalent random budget (table below) says how many random trials the list's first i points are worth."
      : ": read across to where blue reaches green's level to see how many random trials the list's first i points are worth."
  }`;
  let table = "";
  if (list.equivalent_random_budget && hasBudget) {
    const rows = list.equivalent_random_budget.map((r) => [
      escapeHtml(String(r.index)),
      escapeHtml(formatNumber(toNumber(r.budget), 3)),
    ]);
    table = `<h3>Equivalent random budget</h3>${tableRows(rows, ["list points evaluated", "≈ random-search trials"])}`;
  }
  return section("list-vs-random", "List against random search", figure("list-vs-random", svg, how) + table);
}

async function listWorkloadsSection(lw: ListWorkloads): Promise<string> {
  const K = lw.list.length;
  const rows = lw.per_workload.map((w) => {
    const b = w.equivalent_random_budget;
    return typeof b === "number"
      ? { workload: w.workload, budget: b, overflow: false }
      : { workload: w.workload, budget: Number(b.slice(1)), overflow: true };
  });
  const svg = await renderBoth(
    "list-vs-random",
    (layout) => listWorkloadsSpec({ listLength: K, rows, layout }),
    "lvr",
  );
  const how = `Each bar is one workload: how many random-search trials (drawn from all of that workload's configurations and seeds) it takes for random search's expected best to match the ${K}-point list's expected best. Bars past the dashed rule at K = ${K} mean the list beats random search at the same budget; a label like "&gt;n" means even n random trials fall short.`;
  const direction = lw.direction ?? "maximize";
  const headCols =
    lw.mode === "time-to-target" ? ["expected capped step fraction (list)"] : ["expected best (list)"];
  const tRows = lw.per_workload.map((w) => {
    const listVal = lw.mode === "time-to-target" ? w.expected_capped_step_fraction : w.best_metric;
    return [
      escapeHtml(w.workload),
      listVal === undefined ? "—" : escapeHtml(formatNumber(toNumber(listVal))),
      w.random_best_of_k === undefined ? "—" : escapeHtml(formatNumber(toNumber(w.random_best_of_k))),
      escapeHtml(String(w.equivalent_random_budget)),
    ];
  });
  const table = `<h3>Per workload (${escapeHtml(direction)})</h3>${tableRows(tRows, ["workload", ...headCols, `expected best of ${K} random`, "equivalent random budget"])}<p class="note">List: ${lw.list.map((id) => `<code>${escapeHtml(id)}</code>`).join(", ")}</p>`;
  return section("list-vs-random", "List against random search", figure("list-vs-random", svg, how) + table);
}

async function curvesSection(input: ReportInput, metric: string): Promise<string> {
  const lc = input.learning_curves;
  if (lc === undefined)
    return section(
      "learning-curves",
      "Learning curves",
      notAvailable(
        "no per-trial learning curves were given (pass a journal, or --curve for a JSONL results file)",
      ),
      "unavailable",
    );
  if (isUnavailable(lc))
    return section("learning-curves", "Learning curves", notAvailable(lc.unavailable), "unavailable");
  const curves = lc as LearningCurves;
  const minimize = input.analysis.direction === "minimize";
  const withPts = curves.trials.filter((t) => t.points.length > 0);
  if (withPts.length === 0)
    return section(
      "learning-curves",
      "Learning curves",
      notAvailable("every trial's learning curve is empty"),
      "unavailable",
    );
  const bestOf = (t: { points: Array<{ value: number }> }) => {
    const vs = t.points.map((p) => p.value).filter((v) => Number.isFinite(v));
    if (vs.length === 0) return minimize ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    return minimize ? Math.min(...vs) : Math.max(...vs);
  };
  const ranked = withPts
    .map((t) => ({ t, best: bestOf(t) }))
    .sort((x, y) => (minimize ? x.best - y.best : y.best - x.best));
  const top = ranked.slice(0, HIGHLIGHTED_CURVES);
  const rest = ranked.slice(HIGHLIGHTED_CURVES).map((r) => r.t);
  // Every m-th of the remaining trials (in input order), so the grey cloud is an unbiased sample.
  const restInOrder = withPts.filter((t) => rest.includes(t));
  const stride = Math.max(1, Math.ceil(restInOrder.length / MAX_BACKGROUND_CURVES));
  const background = restInOrder.filter((_, i) => i % stride === 0);
  const yLabel = curves.y_label ?? metric;
  const yDomain = curvesDomain(
    ranked.map((r) => r.best),
    minimize,
    withPts.flatMap((t) => t.points.map((q) => q.value)),
  );
  const cut = anyClamped(
    withPts.flatMap((t) => t.points.map((q) => q.value)),
    yDomain,
  );
  const svg = await renderBoth(
    "learning-curves",
    (layout) =>
      learningCurvesSpec({
        layout,
        metric,
        xLabel: curves.x_label ?? "step",
        yLabel,
        background,
        yDomain,
        highlighted: top.map(({ t, best }) => ({
          trial: t.trial,
          label:
            layout === "narrow"
              ? `trial ${t.trial} (${formatNumber(best)})`
              : `trial ${t.trial} (best ${formatNumber(best)})`,
          points: t.points,
        })),
      }),
    "lc",
  );
  const shown =
    stride > 1
      ? `${background.length} of the other ${restInOrder.length} trials (every ${stride}th, to keep the file small)`
      : `the other ${restInOrder.length} trials`;
  const how = `One line per trial: ${escapeHtml(yLabel)} against ${escapeHtml(curves.x_label ?? "step")}. In colour, the ${top.length} trials with the ${minimize ? "lowest" : "highest"} best value; in grey, ${shown}.${cut ? ` The ${yLabel} axis is zoomed on the better three quarters of the trials; worse values (e.g. diverged runs, early steps) are cut off at the edge.` : ""} Curves that are still improving at the end suggest a longer budget would help; curves that peak early and fall suggest over-fitting or too high a learning rate.`;
  const skipped = curves.trials.length - withPts.length;
  const note =
    skipped > 0
      ? `<p class="note">${skipped} trial(s) had an empty learning curve and are not drawn.</p>`
      : "";
  return section("learning-curves", "Learning curves", figure("learning-curves", svg, how) + note);
}

function fitDetails(a: AnalyzeResult, whyNoFit: string): string {
  if (!a.fit) return section("fit-details", "Fitted asymptotic law", notAvailable(whyNoFit), "unavailable");
  const f = a.fit;
  const rows = [
    [
      `best reachable score, noise-free (${f.convex ? "a, convex: minimizing" : "b, concave: maximizing"})`,
      numSpan(f.convex ? "fit.a" : "fit.b", f.convex ? f.a : f.b),
    ],
    [
      f.convex ? "b (scale end of the tail)" : "a (scale end of the tail)",
      numSpan(f.convex ? "fit.b" : "fit.a", f.convex ? f.b : f.a),
    ],
    ["c (effective number of hyperparameters)", numSpan("fit.c", f.c)],
    ["σ (evaluation noise, standard deviation)", numSpan("fit.o", f.o)],
    ["threshold θ (start of the fitted tail)", numSpan("fit.threshold", f.threshold)],
    ["spacing objective (lower fits better)", numSpan("fit.objective", f.objective)],
  ];
  if (typeof f.probability_of_regime === "number")
    rows.push([
      "fitted P(score in the tail beyond θ)",
      numSpan("fit.probability_of_regime", f.probability_of_regime as number),
    ]);
  if (a.noise_interval)
    rows.push([
      `σ consistent with the band (${pctText(a.confidence)})`,
      intervalHtml(
        { path: "noise_interval.lower", raw: a.noise_interval.lower },
        { path: "noise_interval.upper", raw: a.noise_interval.upper },
      ),
    ]);
  if (a.regime)
    rows.push([
      "trials in the tail (count, share)",
      `${numSpan("regime.count", a.regime.count)} (${numSpan("regime.fraction", a.regime.fraction)}); band on P(tail): [${numSpan("regime.band_lower", a.regime.band_lower)}, ${numSpan("regime.band_upper", a.regime.band_upper)}]`,
    ]);
  const how = `<p class="note">The tail of the score distribution beyond θ is modelled as a noisy quadratic distribution (Lourie, He &amp; Cho 2025, <em>Hyperparameter Loss Surfaces Are Simple Near their Optima</em>): near the optimum the loss is a quadratic in c effective hyperparameters plus Gaussian evaluation noise σ, so the best score after k trials approaches the optimum like k<sup>−2/c</sup>.</p>`;
  return section("fit-details", "Fitted asymptotic law", tableRows(rows, ["parameter", "value"]) + how);
}

/** JSON for an inline `<script type="application/json">`: `<` escaped so no `</script>` can end it early. */
function inlineJson(v: unknown): string {
  return JSON.stringify(v, null, 1).replace(/</g, "\\u003c");
}

const CSS = `
:root{--ink:#1f2933;--muted:#5b6570;--line:#e2e6ea;--bg:#f5f7f9;--accent:${COLORS.data};--fit:${COLORS.fit}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 ${FONT}}
main{max-width:860px;margin:0 auto;padding:24px 20px 48px}
header.top{background:#17324d;color:#fff;padding:28px 0 22px}
header.top .inner{max-width:860px;margin:0 auto;padding:0 20px}
header.top h1{margin:0 0 4px;font-size:24px;font-weight:650;letter-spacing:.2px}
header.top .meta{color:#c9d6e3;font-size:13px}
.cards{display:grid;grid-template-columns:repeat(3,1fr);gap:14px;margin:-2px 0 22px}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
.card .label{font-size:12px;text-transform:uppercase;letter-spacing:.6px;color:var(--muted);font-weight:600}
.card .big{font-size:28px;font-weight:650;margin:4px 0 2px;color:#102a43}
.card .sub{font-size:12.5px;color:var(--muted)}
.card .sub+.sub{margin-top:5px}
.panel{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin:0 0 18px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
.panel h2{font-size:17px;margin:0 0 12px;font-weight:650}
.panel h3{font-size:14px;margin:16px 0 6px;color:#334e68}
figure.plot{margin:0}
figure.plot svg{display:block;max-width:100%;height:auto}
figure.plot svg[data-layout="narrow"]{display:none}
figcaption{font-size:13px;color:#3e4c59;margin-top:8px;border-left:3px solid var(--line);padding-left:10px}
p.na{margin:0;padding:10px 12px;background:#fff8e6;border:1px solid #f3d98b;border-radius:8px;color:#6b4f00;font-size:14px}
p.note{font-size:13px;color:#3e4c59}
table{border-collapse:collapse;font-size:13px;margin-top:4px}
th,td{text-align:left;padding:4px 14px 4px 0;border-bottom:1px solid var(--line)}
th{color:var(--muted);font-weight:600}
.num{font-variant-numeric:tabular-nums}
sup{font-size:11px}
.warnings{margin:0 0 14px;padding:10px 12px;background:#fff4f0;border:1px solid #f2c4b0;border-radius:8px;font-size:13px;color:#7a2e0e}
.warnings ul{margin:4px 0 0 18px;padding:0}
details summary{cursor:pointer;color:var(--muted);font-size:13px}
footer{color:var(--muted);font-size:12px;margin-top:24px}
.sample{font-size:13px;color:#3e4c59;margin:0 0 14px}
.stop-headline{font-size:15px;margin:0 0 8px}
.stop-story{font-size:14px;margin:0 0 12px;color:#25303b}
.table-wrap{overflow-x:auto}
@media (max-width:${NARROW_BREAKPOINT - 0.02}px){
main{padding:14px 10px 32px}
header.top{padding:20px 0 16px}
header.top .inner{padding:0 12px}
header.top h1{font-size:21px}
.panel{padding:14px 12px}
.cards{grid-template-columns:1fr}
figure.plot svg[data-layout="wide"]{display:none}
figure.plot svg[data-layout="narrow"]{display:block;width:100%;max-width:420px}
}
`;

/**
 * Renders the report as one HTML string (UTF-8). All plots are SVG rendered on the server by
 * vega-lite/vega, so the page runs no script and loads nothing at view time.
 * @throws ReportInputError when the input is malformed (checked before anything is rendered)
 * @throws ReportRenderError when vega rejects a spec
 */
export async function renderReport(input: ReportInput): Promise<string> {
  validateReportInput(input);
  const a = input.analysis;
  const metric = metricName(input);
  const study = studyName(input);
  const title = input.title ?? (study ? `${study}: tuning report` : "Nadir tuning report");
  const fitWarning = (a.warnings ?? []).find((w) => w.startsWith("no parametric fit"));
  const whyNoFit =
    fitWarning ??
    (a.fit === null && !a.regime
      ? "no threshold θ was given (pass --threshold to fit the tail)"
      : "the analysis has no fitted tail");
  const dist = a.fit ? fittedDistribution(a.fit) : null;
  const [stop, tc, cdf, lvr, lc] = [
    await stoppingSection(input),
    await tuningSection(input, metric, dist),
    await cdfSection(input, metric, dist),
    await listSection(input, metric),
    await curvesSection(input, metric),
  ];
  const meta = [
    input.title && study ? `study: ${escapeHtml(study)}` : null,
    input.source ? sourceText(input.source) : null,
    `${numSpan("n", a.n)} trials`,
    `metric: ${escapeHtml(metric)} (${a.direction})`,
    `confidence ${numSpan("confidence", a.confidence)}${a.bands ? ` · bands: ${escapeHtml(a.bands)}` : ""}`,
  ].filter((s): s is string => s !== null);
  const summary = section(
    "summary",
    "Summary",
    headline(input, { fit: whyNoFit }) +
      warningsHtml(a) +
      `<p class="note">The numbers on this page are those of <code>nadir analyze --json</code> on the same input (embedded verbatim at the end).</p>`,
  );
  const data = section(
    "data",
    "Analysis data",
    `<details><summary>The analyze JSON this report was built from</summary><pre style="font-size:11px;overflow:auto;max-height:300px">${escapeHtml(JSON.stringify(a, null, 1))}</pre></details>\n<script type="application/json" id="nadir-analysis">${inlineJson(a)}</script>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header class="top"><div class="inner"><h1>${escapeHtml(title)}</h1><div class="meta">${meta.join(" · ")}</div></div></header>
<main>
${summary}
${stop ? `${stop}\n` : ""}${tc}
${cdf}
${lvr}
${lc}
${fitDetails(a, whyNoFit)}
${data}
<footer>Made by Nadir${input.generated_at ? ` on ${escapeHtml(input.generated_at)}` : ""}. Plots: vega-lite rendered to SVG. Method: Lourie, Cho &amp; He 2024 (confidence bands for tuning curves); Lourie, He &amp; Cho 2025 (asymptotic law of random search).</footer>
</main>
</body>
</html>
`;
}
