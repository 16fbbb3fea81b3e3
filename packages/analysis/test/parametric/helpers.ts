import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CdfBand } from "../../src/parametric/consonance.js";

const here = path.dirname(fileURLToPath(import.meta.url));
/** Repository root (packages/analysis/test/parametric → ../../../..). */
export const repoRoot = path.resolve(here, "../../../..");
export const sharedDir = path.resolve(repoRoot, "../shared");

/** Decode the reference files' non-finite encoding ("inf", "-inf", "nan" as strings). */
export function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (v === "inf") return Number.POSITIVE_INFINITY;
  if (v === "-inf") return Number.NEGATIVE_INFINITY;
  if (v === "nan") return Number.NaN;
  throw new Error(`not a number: ${JSON.stringify(v)}`);
}

export function nums(v: unknown): number[] {
  if (!Array.isArray(v)) throw new Error("expected an array");
  return v.map(num);
}

export function readJson<T = any>(rel: string): T {
  return JSON.parse(readFileSync(path.join(sharedDir, rel), "utf8")) as T;
}

/** Scores from data/opda/derived_scores.json. */
export function derivedScores(key: string): number[] {
  const d = readJson<{ scores: Record<string, number[]> }>("data/opda/derived_scores.json");
  const s = d.scores[key];
  if (!s) throw new Error(`no scores ${key}`);
  return s;
}

/** DKW band (Dvoretzky–Kiefer–Wolfowitz–Massart): ε = √(ln(2/α)/(2n)), L_i = max(0, i/n − ε), U_i = min(1, i/n + ε). */
export function dkwBand(ys: number[], confidence: number): CdfBand {
  const n = ys.length;
  const eps = Math.sqrt(Math.log(2 / (1 - confidence)) / (2 * n));
  const lower: number[] = [];
  const upper: number[] = [];
  for (let i = 0; i <= n; i++) {
    lower.push(Math.min(1, Math.max(0, i / n - eps)));
    upper.push(Math.min(1, Math.max(0, i / n + eps)));
  }
  return { ys, lower, upper };
}
