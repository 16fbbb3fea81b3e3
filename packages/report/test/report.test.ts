import { NoisyQuadraticDistribution } from "@nadir/analysis";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type AnalyzeResult,
  ReportError,
  ReportInputError,
  renderReport,
  SECTION_IDS,
} from "../src/index.js";
import { escapeHtml, formatNumber, toNumber } from "../src/numbers.js";
import {
  fittedCdf,
  fittedDistribution,
  fittedTuningCurve,
  logGrid,
  prefixIds,
  tuningCurveSpec,
} from "../src/plots.js";
import { analyzeLike, atPath, debertaCurves, derivedScores, numberSpans } from "./fixtures.js";

let analysis: AnalyzeResult;
let html: string;

beforeAll(async () => {
  // DeBERTaV3 error rates (1,024 real runs), θ = 0.11 as in the paper's notebook.
  analysis = analyzeLike(derivedScores("deberta-v3-base_error_rate"), true, 0.11);
  html = await renderReport({
    title: "DeBERTaV3",
    source: "derived_scores.json",
    metric: "error rate",
    analysis,
    learning_curves: debertaCurves(),
  });
});

function sectionHtml(page: string, id: string): string {
  const m = page.match(new RegExp(`<section id="${id}"[\\s\\S]*?</section>`));
  if (!m) throw new Error(`section ${id} missing`);
  return m[0];
}

describe("renderReport on real data", () => {
  it("has every section, in order", () => {
    const found = [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]);
    expect(found).toEqual([...SECTION_IDS]);
  });

  it("renders every available plot as inline SVG with marks", () => {
    for (const plot of ["tuning-curve", "cdf", "learning-curves"]) {
      const fig = html.match(new RegExp(`<figure class="plot" data-plot="${plot}">([\\s\\S]*?)</figure>`));
      expect(fig, plot).not.toBeNull();
      const svg = (fig as RegExpMatchArray)[1] as string;
      expect(svg.startsWith("<svg")).toBe(true);
      expect((svg.match(/<path/g) ?? []).length).toBeGreaterThan(5);
      expect(svg).toContain("How to read it.");
    }
  });

  it("says explicitly what is not available (list vs random not given)", () => {
    const s = sectionHtml(html, "list-vs-random");
    expect(s).toContain("Not available:");
    expect(s).toContain("no list evaluation was given");
    expect(s).not.toContain("<svg");
  });

  it("prints numbers that equal the analyze JSON at their paths", () => {
    const spans = numberSpans(html);
    expect(spans.length).toBeGreaterThan(20);
    for (const s of spans) {
      const v = atPath(analysis, s.path);
      expect(v, s.path).not.toBeUndefined();
      expect(s.value, s.path).toBe(typeof v === "number" ? JSON.stringify(v) : String(v));
      expect(s.text, s.path).toBe(escapeHtml(formatNumber(toNumber(v as number))));
    }
    // The headline numbers are among them: best reachable score (a, convex fit) with interval, c, gain.
    const paths = new Set(spans.map((s) => s.path));
    for (const p of [
      "fit.a",
      "best_score_interval.lower",
      "best_score_interval.upper",
      "fit.c",
      "effective_dimension.accepted[0]",
      "gain[0].gain",
      "gain[0].lower",
      "gain[0].upper",
      "gain[0].more_trials",
    ]) {
      expect(paths.has(p), p).toBe(true);
    }
  });

  it("embeds the analyze JSON verbatim", () => {
    const m = html.match(/<script type="application\/json" id="nadir-analysis">([\s\S]*?)<\/script>/);
    expect(m).not.toBeNull();
    expect(JSON.parse((m as RegExpMatchArray)[1] as string)).toEqual(analysis);
  });

  it("is self-contained: no external URL, no executable script", () => {
    expect(html).not.toMatch(/\b(src|href)="(?!#)/);
    expect(html).not.toMatch(/url\((?!#)/);
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts).toEqual([' type="application/json" id="nadir-analysis"']);
    expect(html).toContain("default-src 'none'");
  });

  it("headline best observed score is the smallest observed error rate", () => {
    const card = html.match(
      /<div class="card" data-card="best-score">[\s\S]*?best observed: (<span[^>]*>[^<]*<\/span>)/,
    );
    expect(card).not.toBeNull();
    const value = Number(((card as RegExpMatchArray)[1] as string).match(/data-value="([^"]+)"/)?.[1]);
    expect(value).toBe(Math.min(...derivedScores("deberta-v3-base_error_rate")));
  });
});

describe("sections without data", () => {
  it("renders the given reason for an { unavailable } section, and notes when there is no fit", async () => {
    const noFit: AnalyzeResult = {
      ...analysis,
      fit: null,
      best_score_interval: null,
      effective_dimension: null,
      extrapolation: null,
      gain: [],
      warnings: ["no parametric fit: too few scores beyond the threshold"],
    };
    const page = await renderReport({
      analysis: noFit,
      learning_curves: { unavailable: "the results file has no curve field" },
      list_vs_random: { unavailable: "no list was evaluated" },
    });
    expect(sectionHtml(page, "learning-curves")).toContain("the results file has no curve field");
    expect(sectionHtml(page, "list-vs-random")).toContain("no list was evaluated");
    expect(sectionHtml(page, "fit-details")).toContain("Not available:");
    expect(sectionHtml(page, "summary")).toContain(
      "fit not available: no parametric fit: too few scores beyond the threshold",
    );
    expect(sectionHtml(page, "summary")).toContain('<div class="warnings" data-warnings="1">');
    // Plots that have data still render.
    expect(sectionHtml(page, "tuning-curve")).toContain("<svg");
    expect(sectionHtml(page, "cdf")).toContain("<svg");
  });

  it("renders a list-vs-random plot and the budget table when given", async () => {
    const ys = derivedScores("deberta-v3-base_error_rate");
    const page = await renderReport({
      analysis,
      list_vs_random: {
        name: "list A",
        points: ys.slice(0, 6).map((score, i) => ({ index: i + 1, score })),
        equivalent_random_budget: [{ index: 6, budget: 4.5 }],
      },
    });
    const s = sectionHtml(page, "list-vs-random");
    expect(s).toContain("<svg");
    expect(s).toContain("list A: best so far");
    expect(s).toMatch(/<td>6<\/td><td>4\.5<\/td>/);
  });
});

describe("validation", () => {
  it("names the offending field", async () => {
    const bad = { ...analysis, ecdf: { ...analysis.ecdf, cdf: analysis.ecdf.cdf.slice(1) } };
    await expect(renderReport({ analysis: bad })).rejects.toThrow(ReportInputError);
    await expect(renderReport({ analysis: bad })).rejects.toThrow(
      /analysis\.ecdf\.cdf: must have the length of ecdf\.y/,
    );
    await expect(renderReport({ analysis: { ...analysis, direction: "up" as never } })).rejects.toThrow(
      /analysis\.direction/,
    );
    await expect(
      renderReport({
        analysis: { ...analysis, tuning_curve: [{ ...(analysis.tuning_curve[0] as never), median: "big" }] },
      }),
    ).rejects.toThrow(/analysis\.tuning_curve\[0\]\.median/);
    await expect(
      renderReport({
        analysis,
        learning_curves: { trials: [{ trial: "1", points: [{ step: Number.NaN, value: 1 }] }] },
      }),
    ).rejects.toThrow(/learning_curves\.trials\[0\]\.points\[0\]\.step/);
    await expect(
      renderReport({ analysis, list_vs_random: { points: [{ index: 0, score: 1 }] } }),
    ).rejects.toThrow(/list_vs_random\.points\[0\]\.index/);
  });
});

describe("fitted overlays", () => {
  it("tuning curve equals the quadratic closed form τ(k) = a + r(1 − ½^{1/k})^{2/c} (noiseless) on the tail side", () => {
    const fit = { a: 0.1, b: 0.5, c: 2, o: 0, convex: true, objective: 0, threshold: 0.2 };
    const rows = fittedTuningCurve(fittedDistribution(fit), fit, true, 64);
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) {
      expect(r.value).toBeCloseTo(0.1 + 0.4 * (1 - 0.5 ** (1 / r.k)) ** (2 / 2), 12);
      expect(r.value).toBeLessThanOrEqual(0.2);
    }
    // k = 1 gives the median 0.3 > θ: off the tail, so left out.
    expect((rows[0] as { k: number }).k).toBeGreaterThan(1);
  });

  it("CDF equals NoisyQuadraticDistribution.cdf and spans θ to the tail end", () => {
    const fit = { a: 0.09, b: 0.14, c: 1, o: 0.001, convex: true, objective: 0, threshold: 0.11 };
    const d = new NoisyQuadraticDistribution(0.09, 0.14, 1, 0.001, true);
    const rows = fittedCdf(fittedDistribution(fit), fit, true, [0.095, 0.3]);
    expect((rows[0] as { y: number }).y).toBeCloseTo(0.09 - 0.003, 12);
    expect((rows[rows.length - 1] as { y: number }).y).toBe(0.11);
    for (const r of rows) expect(r.value).toBe(d.cdf(r.y));
  });

  it("logGrid is log-spaced with exact ends", () => {
    const g = logGrid(1, 1024, 11);
    expect(g[0]).toBe(1);
    for (const [i, v] of g.entries()) expect(v).toBeCloseTo(2 ** i, 9);
    expect(() => logGrid(0, 1, 3)).toThrow(ReportError);
  });
});

describe("specs and helpers", () => {
  it("tuning-curve spec carries the analysis medians unchanged", () => {
    const curve = analysis.tuning_curve.map((r) => ({
      k: r.k,
      median: toNumber(r.median),
      lower: toNumber(r.median_lower),
      upper: toNumber(r.median_upper),
    }));
    const spec = tuningCurveSpec({
      n: analysis.n,
      confidence: 0.8,
      metric: "error rate",
      curve,
    }) as unknown as { layer: Array<{ data: { values: Array<{ v?: number; series: string }> } }> };
    const med = spec.layer[1]?.data.values ?? [];
    expect(med.map((r) => r.v)).toEqual(curve.map((r) => r.median));
  });

  it("formats numbers", () => {
    expect(formatNumber(0.8)).toBe("0.8");
    expect(formatNumber(0.0946510727)).toBe("0.09465");
    expect(formatNumber(1024)).toBe("1024");
    expect(formatNumber(-0.5)).toBe("−0.5");
    expect(formatNumber(5.513e-5)).toBe("0.00005513");
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe("unbounded above");
    expect(formatNumber(Number.NaN)).toBe("n/a");
  });

  it("prefixes SVG ids so several inline SVGs do not clash", () => {
    expect(prefixIds('<clipPath id="clip1"/><path clip-path="url(#clip1)"/><use href="#g"/>', "tc")).toBe(
      '<clipPath id="tc-clip1"/><path clip-path="url(#tc-clip1)"/><use href="#tc-g"/>',
    );
  });
});
