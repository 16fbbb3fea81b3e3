import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
/** Repository root (packages/analysis/test/nonparametric → ../../../..). */
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
  if (!Array.isArray(v)) throw new Error(`expected an array, got ${JSON.stringify(v)?.slice(0, 80)}`);
  return v.map(num);
}

export function readRef(name: string): any {
  return JSON.parse(readFileSync(path.join(sharedDir, "reference/opda", name), "utf8"));
}

/**
 * Element-wise comparison: infinities must match exactly; finite values within
 * `abs + rel·|expected|`. The failure message names the first offending index.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: { abs?: number; rel?: number },
  label: string,
): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  const abs = tol.abs ?? 0;
  const rel = tol.rel ?? 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!Number.isFinite(e)) {
      expect(a, `${label}[${i}]`).toBe(e);
      continue;
    }
    const err = Math.abs(a - e);
    if (!(err <= abs + rel * Math.abs(e))) {
      expect.fail(`${label}[${i}]: got ${a}, expected ${e} (|Δ| = ${err}, tol abs ${abs} rel ${rel})`);
    }
  }
}

/** Largest |a − e| over finite expected values (infinities must match exactly). */
export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!Number.isFinite(e)) {
      if (a !== e) return Number.POSITIVE_INFINITY;
      continue;
    }
    m = Math.max(m, Math.abs(a - e));
  }
  return m;
}
