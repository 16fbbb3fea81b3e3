/**
 * What a reader sees: numbers in digits (no exponents below 1e9, no ∞), curves inside the score's
 * bounds, the study's name in the title, cards that say what their numbers are, the i.i.d. sample
 * and what was kept out, and a phone-width rendering of every plot with text no smaller than 12 px.
 */
import { analyzeScores, toJsonSafe } from "@nadir/analysis";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type AnalyzeResult, ReportError, renderReport, studyName } from "../src/index.js";
import { formatNumber, intervalHtml } from "../src/numbers.js";
import {
  dejaVuWidth,
  fittedCdf,
  fittedDistribution,
  fittedTuningCurve,
  listWorkloadsSpec,
  renderSvg,
  roundPathData,
  tuningCurveSpec,
} from "../src/plots.js";
import { MIN_PLOT_FONT, NARROW_BREAKPOINT, PLOT_SIZE } from "../src/theme.js";
import { analyzeLike, derivedScores, numberSpans } from "./fixtures.js";

/** The text a reader sees: tags stripped, the embedded analyze JSON (script and <details>) left out. */
function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, "")
    .replace(/<details>[\s\S]*?<\/details>/g, "")
    .replace(/<style>[\s\S]*?<\/style>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&[a-z]+;|&#\d+;/g, " ")
    .replace(/\s+/g, " ");
}

function section(page: string, id: string): string {
  const m = page.match(new RegExp(`<section id="${id}"[\\s\\S]*?</section>`));
  if (!m) throw new Error(`section ${id} missing`);
  return m[0];
}

function card(page: string, name: string): string {
  const m = page.match(new RegExp(`<div class="card" data-card="${name}">([\\s\\S]*?)</div></div>`));
  if (!m) throw new Error(`card ${name} missing`);
  return (m[1] as string).replace(/<[^>]+>/g, "");
}

const EXPONENT = /\d(?:\.\d+)?[eE][+\-−]?\d/;

describe("formatNumber", () => {
  it("writes digits, not exponents, below 1e9 (15360, not 1.536e+4)", () => {
    expect(formatNumber(15360)).toBe("15360");
    expect(formatNumber(9999.5)).toBe("10000");
    expect(formatNumber(123456.7)).toBe("123457");
    expect(formatNumber(5.513e-5)).toBe("0.00005513");
    expect(formatNumber(-0.000123456)).toBe("−0.0001235");
    expect(formatNumber(999_999_999)).toBe("999999999");
    expect(formatNumber(1.536e9)).toBe("1.536×10⁹");
    expect(formatNumber(-2e-7)).toBe("−2×10⁻⁷");
    expect(formatNumber(Number.NEGATIVE_INFINITY)).toBe("unbounded below");
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe("unbounded above");
    expect(() => formatNumber(1, 0)).toThrow(ReportError);
  });

  it("property: on [1e-6, 1e9) the text is plain digits within half a unit of the 4th significant digit", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 999_999_999, noNaN: true }), fc.boolean(), (ax, negative) => {
        const x = negative ? -ax : ax;
        const s = formatNumber(x);
        expect(s).toMatch(/^−?\d+(\.\d+)?$/);
        const back = Number(s.replace("−", "-"));
        // toPrecision(4) is off by at most half a unit in the 4th significant digit; rounding to an
        // integer (only for |x| ≥ 1e4) by at most 0.5.
        const unit = 10 ** (Math.floor(Math.log10(ax)) - 3);
        expect(Math.abs(back - x)).toBeLessThanOrEqual(Math.max(unit / 2, 0.5) * (1 + 1e-9));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("intervals with an open end", () => {
  it("say 'unbounded below/above' in words, keeping every end's data-path", () => {
    const lo = { path: "x.lower", raw: "-inf" as const };
    const hi = { path: "x.upper", raw: 0.09312 };
    const text = (h: string) => h.replace(/<[^>]+>/g, "");
    expect(text(intervalHtml(lo, hi))).toBe("at most 0.09312 (unbounded below)");
    expect(text(intervalHtml({ path: "x.lower", raw: 0.5 }, { path: "x.upper", raw: "inf" }))).toBe(
      "at least 0.5 (unbounded above)",
    );
    expect(text(intervalHtml(lo, { path: "x.upper", raw: "inf" }))).toBe(
      "unbounded below and unbounded above",
    );
    expect(text(intervalHtml({ path: "a", raw: 1 }, { path: "b", raw: 2 }))).toBe("[1, 2]");
    expect(
      numberSpans(intervalHtml(lo, hi))
        .map((s) => [s.path, s.value])
        .sort(),
    ).toEqual([
      ["x.lower", "-inf"],
      ["x.upper", "0.09312"],
    ]);
  });
});

describe("fitted curves stay inside the score's bounds", () => {
  // An optimum near 0 with noise: the fitted law's quantiles for large k fall below 0.
  const fit = { a: 0.001, b: 0.2, c: 1, o: 0.01, convex: true, objective: 0, threshold: 0.2 };
  const dist = fittedDistribution(fit);

  it("tuning curve: below 0 without bounds, clipped to [0, 1] with them", () => {
    const free = fittedTuningCurve(dist, fit, true, 1e5, 64);
    expect(Math.min(...free.map((r) => r.value))).toBeLessThan(0);
    const clipped = fittedTuningCurve(dist, fit, true, 1e5, 64, [0, 1]);
    expect(clipped.map((r) => r.k)).toEqual(free.map((r) => r.k));
    for (const [i, r] of clipped.entries())
      expect(r.value).toBe(Math.max(0, (free[i] as { value: number }).value));
  });

  it("CDF: the grid starts at a − 3σ without bounds, at the lower bound with them", () => {
    expect((fittedCdf(dist, fit, true, [0.05, 0.3])[0] as { y: number }).y).toBeCloseTo(0.001 - 0.03, 12);
    const rows = fittedCdf(dist, fit, true, [0.05, 0.3], 160, [0, 1]);
    expect((rows[0] as { y: number }).y).toBe(0);
    for (const r of rows) expect(r.y).toBeGreaterThanOrEqual(0);
  });

  it("tuning-curve spec: no drawn value and no axis below 0 for an error rate", () => {
    const fitted = fittedTuningCurve(dist, fit, true, 1e5, 64);
    const spec = tuningCurveSpec({
      n: 100,
      confidence: 0.8,
      metric: "error rate",
      curve: [1, 10, 100].map((k) => ({ k, median: 0.05 / k, lower: 0, upper: 0.1 })),
      fitted,
      extrapolation: [{ k: 1e4, median: -0.004, lower: -0.02, upper: 0.003 }],
      bounds: [0, 1],
    }) as unknown as {
      layer: Array<{
        data?: { values: Array<Record<string, unknown>> };
        encoding?: { y?: { scale?: { domain: number[] } } };
      }>;
    };
    const domain = spec.layer[0]?.encoding?.y?.scale?.domain as number[];
    expect(domain[0]).toBeGreaterThanOrEqual(0);
    const drawn = spec.layer.flatMap((l) => l.data?.values ?? []);
    for (const row of drawn)
      for (const f of ["v", "lo", "hi"])
        if (typeof row[f] === "number")
          expect(row[f] as number, `${f} of ${row.series}`).toBeGreaterThanOrEqual(0);
  });
});

describe("vega text metrics", () => {
  it("DejaVu Sans widths match Chromium's measurement of the same text", () => {
    // Chromium 2D canvas, "1000px DejaVu Sans": 16785.6 px for this axis title.
    // Per-character advances leave out kerning: within 1 %.
    expect(Math.abs(dejaVuWidth("random-search trials k (log scale)", 1000) / 16785.6 - 1)).toBeLessThan(
      0.01,
    );
  });

  it("path data is rounded to 0.1 px and nothing else changes", () => {
    expect(roundPathData('<path d="M0,18.363L2.572,-33.337Z" x="1.234"/>')).toBe(
      '<path d="M0,18.4L2.6,-33.3Z" x="1.234"/>',
    );
    expect(roundPathData('<path d="M-0.04,5L1.25,2"/>')).toBe('<path d="M0,5L1.3,2"/>');
  });
});

describe("per-workload list chart on a phone", () => {
  it("fits 344 px with a long workload name (cut with an ellipsis, and its bounds with it)", async () => {
    const rows = [
      { workload: "adult", budget: 7, overflow: false },
      { workload: "covertype-long-name-dataset", budget: 3, overflow: false },
      { workload: "higgs", budget: 100, overflow: true },
    ];
    const svg = await renderSvg("w", listWorkloadsSpec({ listLength: 5, rows, layout: "narrow" }), "w");
    const width = Number(svg.match(/^<svg[^>]*? width="([\d.]+)"/)?.[1]);
    expect(width).toBeGreaterThan(250);
    expect(width).toBeLessThanOrEqual(344);
    expect(svg).toContain("covertype-long-…");
    expect(svg).not.toContain("covertype-long-name-dataset<");
  });
});

describe("the new optional inputs are validated up front", () => {
  it("names the offending field", async () => {
    const analysis = analyzeLike(derivedScores("deberta-v3-base_error_rate").slice(0, 30), true, 0.11);
    await expect(renderReport({ analysis, study: "" })).rejects.toThrow(/^study: must be a non-empty string/);
    await expect(renderReport({ analysis, max_c: 0 })).rejects.toThrow(
      /^max_c: must be a positive integer, got 0/,
    );
    await expect(renderReport({ analysis, sample: { iid: -1 } })).rejects.toThrow(/^sample\.iid: /);
    await expect(
      renderReport({ analysis, sample: { excluded: [{ reason: "pruned", count: 1.5 }] } }),
    ).rejects.toThrow(/^sample\.excluded\[0\]\.count: must be a non-negative integer, got 1\.5/);
    await expect(
      renderReport({ analysis: { ...analysis, bounds: { lower: "nan", upper: 1 } } }),
    ).rejects.toThrow(/^analysis\.bounds\.lower: /);
  });
});

describe("study name", () => {
  const a = { n: 1 } as unknown as AnalyzeResult;
  it("comes from the input, else a journal source's study, else the file name", () => {
    expect(studyName({ analysis: a, study: "s1", source: "j#s2.jsonl" })).toBe("s1");
    expect(studyName({ analysis: a, source: "runs/quickstart/journal#quickstart.jsonl" })).toBe("quickstart");
    expect(studyName({ analysis: a, source: "data/results.jsonl" })).toBe("results.jsonl");
    expect(studyName({ analysis: a })).toBeUndefined();
  });
});

describe("a bounded study (DeBERTaV3, error rate in [0, 1]), list from its trials", () => {
  let analysis: AnalyzeResult;
  let page: string;
  beforeAll(async () => {
    const ys = derivedScores("deberta-v3-base_error_rate");
    analysis = analyzeLike(ys, true, 0.11);
    page = await renderReport({
      source: "runs/deberta/journal#deberta-v3.jsonl",
      metric: "error rate",
      analysis,
      list_vs_random: {
        name: "the list's trials",
        points: ys.slice(0, 6).map((score, i) => ({ index: i + 1, score })),
      },
    });
  });

  it("has the study's name in the title", () => {
    expect(page).toContain("<title>deberta-v3: tuning report</title>");
    expect(page).toMatch(/<h1>deberta-v3: tuning report<\/h1>/);
    expect(page).toContain('<div class="meta">journal: runs/deberta/journal · ');
  });

  it("writes 15360 as digits, and no exponent or ∞ anywhere a reader looks (text and plots)", () => {
    const text = visibleText(page);
    expect(text).toMatch(/\b15360\b/);
    expect(text).not.toMatch(EXPONENT);
    expect(text).not.toContain("∞");
    expect(text).not.toMatch(/\bNaN\b|\bnan\b|\bInfinity\b/);
    // The band at n = 1024 reaches the score's bound 0.
    expect(analysis.tuning_curve[1023]?.median_lower).toBe(0);
    expect(text).toMatch(/median best is 0\.09241 \(band: \[ 0 , 0\.09424 \]\)/);
  });

  it("explains the best reachable score as the noise-free optimum, next to the best observed run", () => {
    const c = card(page, "best-score");
    expect(c).toContain("the noise-free optimum");
    expect(c).toMatch(
      /best observed: 0\.09241, a single run with its evaluation noise, so it can be below the noise-free optimum/,
    );
  });

  it("shows the plausible set of effective dimensions (here only c = 1)", () => {
    expect(analysis.effective_dimension?.accepted).toEqual([1]);
    const c = card(page, "effective-dimension");
    expect(c).toContain("only this value is plausible at 80%");
  });

  it("says which trials were analysed and which were kept out (defaults from the analysis)", () => {
    expect(page).toMatch(/<p class="sample" data-iid="1024" data-excluded-total="0">/);
    expect(visibleText(page)).toContain(
      "independent random-search draws run to the full budget. That is assumed, since the input does not record",
    );
  });

  it("the list caption does not point at a budget table that is not there", () => {
    const s = section(page, "list-vs-random");
    expect(s).not.toContain("<table");
    expect(s.match(/<figcaption>[\s\S]*?<\/figcaption>/)?.[0]).not.toMatch(/table/);
  });

  it("draws every plot twice: wide for desktop, narrow (≤ 344 px, text ≥ 12 px) for phones", () => {
    const figs = [...page.matchAll(/<figure class="plot" data-plot="([^"]+)">([\s\S]*?)<\/figure>/g)];
    expect(figs.map((f) => f[1])).toEqual(["tuning-curve", "cdf", "list-vs-random"]);
    for (const [, name, body] of figs) {
      const svgs = [...(body as string).matchAll(/<svg data-layout="(wide|narrow)"[^>]*? width="([\d.]+)"/g)];
      expect(
        svgs.map((s) => s[1]),
        name,
      ).toEqual(["wide", "narrow"]);
      // At 390 px the page leaves 344 px for a plot: the narrow one is drawn at that size or less.
      expect(Number(svgs[1]?.[2]), `${name} narrow width`).toBeLessThanOrEqual(344);
      expect(Number(svgs[0]?.[2]), `${name} wide width`).toBeGreaterThan(PLOT_SIZE.wide.width);
      const sizes = [...(body as string).matchAll(/font-size="([\d.]+)px"/g)].map((m) => Number(m[1]));
      expect(sizes.length, name).toBeGreaterThan(10);
      expect(Math.min(...sizes), name).toBeGreaterThanOrEqual(MIN_PLOT_FONT);
    }
    expect(page).toContain(`@media (max-width:${NARROW_BREAKPOINT - 0.02}px)`);
  });
});

describe("an unbounded study of 20 trials, with the caller's sample counts", () => {
  let page: string;
  beforeAll(async () => {
    const ys = derivedScores("deberta-v3-base_error_rate").slice(0, 20);
    const analysis = toJsonSafe(
      analyzeScores(ys, { direction: "minimize", confidence: 0.8, bands: "dkw", threshold: 0.11 }),
    ) as AnalyzeResult;
    page = await renderReport({
      title: "Twenty trials",
      study: "tiny-study",
      metric: "error rate",
      analysis,
      sample: {
        iid: 20,
        checked: true,
        excluded: [
          { reason: "pruned (censored)", count: 7 },
          { reason: "proposed by a list", count: 3 },
        ],
      },
    });
  });

  it("shows the plausible set {1–10}, not one number, and says the trials do not tell", () => {
    const c = card(page, "effective-dimension");
    expect(c).toContain("{1–10}");
    expect(c).toContain("every c from 1 to 10 searched is plausible at 80%, so these trials do not tell");
  });

  it("keeps the given title and names the study in the header", () => {
    expect(page).toContain("<title>Twenty trials</title>");
    expect(page).toMatch(/study: tiny-study · /);
  });

  it("lists the trials kept out of the i.i.d. sample", () => {
    expect(page).toMatch(/<p class="sample" data-iid="20" data-excluded-total="10">/);
    const text = visibleText(page);
    expect(text).toContain("proposed by random search and run to the full budget");
    expect(text).toMatch(/7 pruned \(censored\) ; 3 proposed by a list/);
  });

  it("has no ∞ and no exponent in its text, though its bands are open-ended", () => {
    const text = visibleText(page);
    // Without bounds the band at n = 20 is open below: said in words.
    expect(text).toMatch(/median best is 0\.09435 \(band: at most 0\.09944 \( unbounded below \)\)/);
    expect(text).not.toContain("∞");
    expect(text).not.toMatch(EXPONENT);
  });
});
