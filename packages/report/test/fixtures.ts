/**
 * Test inputs built from real data (shared/data/opda, CC BY-SA 4.0, read in place, never copied)
 * with the real analysis functions: the same shape `nadir analyze --json` prints. The CLI test
 * (packages/cli/test/report.test.ts) checks the report against the analyze command itself.
 */
import fs from "node:fs";
import path from "node:path";
import { confidenceBands, consonanceSet, extrapolateMedian, fitNoisyQuadratic, medianGain } from "@nadir/analysis";
import type { AnalyzeResult, JsonNumber, LearningCurves } from "../src/index.js";

export const repoRoot = path.resolve(import.meta.dirname, "../../..");
export const sharedDir = path.resolve(repoRoot, "../shared");
export const opdaDir = path.join(sharedDir, "data/opda");

/** One score per run, in file order (derived_scores.json, see shared/data/opda/README.md). */
export function derivedScores(key: string): number[] {
  const d = JSON.parse(fs.readFileSync(path.join(opdaDir, "derived_scores.json"), "utf8")) as { scores: Record<string, number[]> };
  const ys = d.scores[key];
  if (!ys) throw new Error(`derived_scores.json has no key ${key}`);
  return ys;
}

const J = (x: number): JsonNumber => (Number.isFinite(x) ? x : Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf");

/**
 * An analyze-shaped result for `ys`: DKW bands on [0, 1], median tuning curve k = 1..n, noisy
 * quadratic fit beyond `threshold`, consonance set, extrapolation to 2n/4n/8n and the gain of n more.
 */
export function analyzeLike(ys: number[], minimize: boolean, threshold: number, confidence = 0.8): AnalyzeResult {
  const n = ys.length;
  const bands = confidenceBands(ys, confidence, { a: 0, b: 1, method: "dkw" });
  const steps = bands.point.steps();
  const ks = Array.from({ length: n }, (_, i) => i + 1);
  const med = bands.point.quantileTuningCurve(ks, { minimize });
  const lo = bands.upper.quantileTuningCurve(ks, { minimize });
  const hi = bands.lower.quantileTuningCurve(ks, { minimize });
  const mean = bands.point.averageTuningCurve(ks, { minimize });
  const meanLo = bands.upper.averageTuningCurve(ks, { minimize });
  const meanHi = bands.lower.averageTuningCurve(ks, { minimize });
  const fit = fitNoisyQuadratic(ys, { limits: minimize ? [Number.NEGATIVE_INFINITY, threshold] : [threshold, Number.POSITIVE_INFINITY], constraints: { convex: minimize } });
  const sorted = [...ys].sort((x, y) => x - y);
  const L = [bands.lower.cdf(0), ...sorted.map((y) => bands.lower.cdf(y))];
  const U = [bands.upper.cdf(0), ...sorted.map((y) => bands.upper.cdf(y))];
  const cs = consonanceSet({ ys, lower: L, upper: U }, { threshold, minimize, scoreBound: minimize ? 0 : 1, cs: [1, 2, 3, 4, 5, 6] });
  const ext = extrapolateMedian(cs, [2 * n, 4 * n, 8 * n], fit.distribution);
  const g = medianGain(cs, n, n, fit.distribution);
  return {
    n,
    direction: minimize ? "minimize" : "maximize",
    confidence,
    bands: "dkw",
    ecdf: { y: steps.map((s) => J(s.value)), cdf: steps.map((s) => J(s.cdf)), lower: steps.map((s) => J(bands.lower.cdf(s.value))), upper: steps.map((s) => J(bands.upper.cdf(s.value))) },
    tuning_curve: ks.map((k, i) => ({ k, median: J(med[i] as number), median_lower: J(lo[i] as number), median_upper: J(hi[i] as number), mean: J(mean[i] as number), mean_lower: J(meanLo[i] as number), mean_upper: J(meanHi[i] as number) })),
    fit: { a: fit.a, b: fit.b, c: fit.c, o: fit.o, convex: fit.convex, objective: J(fit.objective), threshold: J(threshold) },
    best_score_interval: { lower: J(cs.bestScore.lower), upper: J(cs.bestScore.upper) },
    effective_dimension: { accepted: [...cs.acceptedC] },
    extrapolation: ext.map((e) => ({ k: e.k, median: J(e.median), lower: J(e.lower), upper: J(e.upper) })),
    gain: [{ from_k: n, more_trials: n, gain: J(g.gain), lower: J(g.lower), upper: J(g.upper) }],
    warnings: [],
  };
}

/** DeBERTaV3 matched learning curves as error rates (1 − accuracy) per training step. */
export function debertaCurves(): LearningCurves {
  const text = fs.readFileSync(path.join(opdaDir, "deberta/deberta-v3-base_tuning.results.jsonl"), "utf8");
  const trials = text
    .trim()
    .split("\n")
    .map((line, i) => {
      const r = JSON.parse(line) as { iteration?: number; learning_curves: { matched: Array<[number, number]> } };
      return { trial: String(r.iteration ?? i), points: r.learning_curves.matched.map(([step, acc]) => ({ step, value: 1 - acc })) };
    });
  return { x_label: "training step", y_label: "matched error rate", trials };
}

/** Reads `obj` at a path like `best_score_interval.lower` or `ecdf.y[3]`. */
export function atPath(obj: unknown, p: string): unknown {
  let cur: unknown = obj;
  for (const part of p.replace(/\[(\d+)\]/g, ".$1").split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Every `<span class="num" data-path=… data-value=…>` of an HTML page. */
export function numberSpans(html: string): Array<{ path: string; value: string; text: string }> {
  const re = /<span class="num" data-path="([^"]*)" data-value="([^"]*)">([^<]*)<\/span>/g;
  return [...html.matchAll(re)].map((m) => ({ path: m[1] as string, value: m[2] as string, text: m[3] as string }));
}
