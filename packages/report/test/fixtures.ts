/**
 * Test inputs built from real data (shared/data/opda, CC BY-SA 4.0, read in place, never copied)
 * with the real analysis function `analyzeScores`: the object `nadir analyze --json` prints. The CLI test
 * (packages/cli/test/report.test.ts) checks the report against the analyze command itself.
 */
import fs from "node:fs";
import path from "node:path";
import { analyzeScores, toJsonSafe } from "@nadir/analysis";
import type { AnalyzeResult, LearningCurves, StoppingStory } from "../src/index.js";

export const repoRoot = path.resolve(import.meta.dirname, "../../..");
export const sharedDir = path.resolve(repoRoot, "../shared");
export const opdaDir = path.join(sharedDir, "data/opda");

/** One score per run, in file order (derived_scores.json, see shared/data/opda/README.md). */
export function derivedScores(key: string): number[] {
  const d = JSON.parse(fs.readFileSync(path.join(opdaDir, "derived_scores.json"), "utf8")) as {
    scores: Record<string, number[]>;
  };
  const ys = d.scores[key];
  if (!ys) throw new Error(`derived_scores.json has no key ${key}`);
  return ys;
}

/**
 * What `nadir analyze --json` prints for `ys` (the same analysis call, made JSON-safe the same way):
 * DKW bands on [0, 1] (fast; the report does not depend on the band method), tail fit beyond θ.
 */
export function analyzeLike(
  ys: number[],
  minimize: boolean,
  threshold: number,
  confidence = 0.8,
): AnalyzeResult {
  const result = analyzeScores(ys, {
    metric: minimize ? "error rate" : "accuracy",
    direction: minimize ? "minimize" : "maximize",
    confidence,
    bands: "dkw",
    lower: 0,
    upper: 1,
    threshold,
  });
  return toJsonSafe(result) as AnalyzeResult;
}

/** DeBERTaV3 matched learning curves as error rates (1 − accuracy) per training step. */
export function debertaCurves(): LearningCurves {
  const text = fs.readFileSync(path.join(opdaDir, "deberta/deberta-v3-base_tuning.results.jsonl"), "utf8");
  const trials = text
    .trim()
    .split("\n")
    .map((line, i) => {
      const r = JSON.parse(line) as {
        iteration?: number;
        learning_curves: { matched: Array<[number, number]> };
      };
      return {
        trial: String(r.iteration ?? i),
        points: r.learning_curves.matched.map(([step, acc]) => ({ step, value: 1 - acc })),
      };
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
  return [...html.matchAll(re)].map((m) => ({
    path: m[1] as string,
    value: m[2] as string,
    text: m[3] as string,
  }));
}

/**
 * A study stopper's story with made-up but consistent numbers (the report only shows them): ten
 * evaluations whose gain bound falls over three decades to below the threshold, after a 5-point list.
 */
export function stoppingStory(): StoppingStory {
  const bounds = [null, 0.4, 0.15, 0.06, 0.03, 0.012, 0.006, 0.003, 0.0016, 0.0008];
  const decisions = bounds.map((g, i) => {
    const stop = g !== null && g < 0.001;
    return {
      search_trials: 16 + 8 * i,
      study_trials: 21 + 8 * i,
      stop,
      reason: g === null ? "too-few-tail-points" : stop ? "gain-below-threshold" : "gain-above-threshold",
      message: `${stop ? "stop" : "continue"} after ${16 + 8 * i} trials`,
      gain_bound: g,
      gain_threshold: 0.001,
      in_trials: 64,
      confidence: 0.8,
      best_observed: 0.0925,
      best_lower: g === null ? null : 0.09,
      best_upper: g === null ? null : 0.0925,
      accepted_c: [1, 2],
      regime_threshold: 0.11,
      tail_points: 12 + 4 * i,
    };
  });
  return {
    rule: { gain: 0.001, in_trials: 64, min_trials: 16, every: 8, confidence: 0.8, max_interval_width: null },
    decisions,
    outcome: "stopped",
    max_trials: 256,
    final_trials: 96,
    list: { name: "deberta-list", trials: 5, best: 0.1 },
    search: { trials: 90, best: 0.0925 },
  };
}
