// The Halton sampler against AlgoPerf's recipe run in Python with the real numpy legacy RandomState and CPython's
// libm (scripts/halton-crosscheck.py, a real process). Unit coordinates, the seeded point order and every
// linear/discrete value must be identical. Log-scale values use correctly rounded exp/log (crmath.ts); glibc's
// exp is not always correctly rounded, so a few of them differ from CPython by 1–2 ulp (about 4 in 10,000 on
// this machine), which the script tolerates and reports.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const python = process.env.NADIR_PYTHON ?? path.resolve(pkg, "../../.venv/bin/python");

function crosscheck(n: number, seed: number | string, space?: string) {
  const args = [path.join(pkg, "scripts/halton-crosscheck.py"), String(n), String(seed)];
  if (space) args.push(path.join(pkg, space));
  const r = spawnSync(python, args, { encoding: "utf8" });
  if (r.error)
    throw new Error(`could not run ${python} (it needs numpy; set NADIR_PYTHON): ${r.error.message}`);
  return r;
}

describe("Halton vs numpy RandomState + CPython (AlgoPerf recipe, seeded point order)", () => {
  it("the spec's 5 points, shuffled by numpy.random.seed(0): every value identical", () => {
    const r = crosscheck(5, 0);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      "unit coordinates 35, differing 0; mapped values 35 (15 log-scale), differing 0",
    );
  });
  it("2,000 points, seed 11: unit coordinates and order identical, log-scale values within 2 ulp", () => {
    const r = crosscheck(2000, 11);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("unit coordinates 14000, differing 0;");
    expect(r.stdout).toContain("all on log scale: True");
  });
  // Several seeds and spaces, AlgoPerf dict form as-is: repeated feasible points (numbers, strings, booleans),
  // a one-point list, linear/log floats, and 11 dimensions (bases 947 … 997 and beyond).
  const SEEDS = [0, 1, 7, 12345];
  for (const [space, d, logDims] of [
    ["examples/algoperf-nadamw-space.json", 7, 3],
    ["test/fixtures/algoperf-repeated-space.json", 7, 2],
    ["test/fixtures/algoperf-wide-space.json", 11, 4],
  ] as const) {
    it(`${space}: seeds ${SEEDS.join(", ")}, 300 points each, identical up to ≤ 2 ulp on log scale`, () => {
      const r = crosscheck(300, SEEDS.join(","), space);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const lines = r.stdout.trim().split("\n");
      expect(lines).toHaveLength(SEEDS.length);
      lines.forEach((line, i) => {
        expect(line).toContain(`n=300 seed=${SEEDS[i]}: unit coordinates ${300 * d}, differing 0; `);
        expect(line).toContain(`(${300 * logDims} log-scale)`);
        expect(line).toContain("all on log scale: True");
      });
    }, 60_000);
  }
});
