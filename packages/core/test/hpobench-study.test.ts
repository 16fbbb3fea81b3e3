// The committed HPOBench study (bench/results/hpobench-study.json) must be what the script produces today, and
// an independent numpy re-computation (scripts/hpobench-study-check.py: its own loader, brute-force list
// scores over all 5^5 seed combinations, the survival form of E[best of k], a linear budget scan) must agree
// with it. Both run as real processes, the script from the built dist/ (`pnpm test` builds first).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = path.resolve(pkg, "../..");
const committed = path.join(pkg, "bench/results/hpobench-study.json");
const python = process.env.NADIR_PYTHON ?? path.join(repoRoot, ".venv/bin/python");
const tmp = mkdtempSync(path.join(tmpdir(), "nadir-study-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function check(json: string) {
  const r = spawnSync(python, [path.join(pkg, "scripts/hpobench-study-check.py"), json], {
    encoding: "utf8",
  });
  if (r.error)
    throw new Error(`could not run ${python} (it needs numpy; set NADIR_PYTHON): ${r.error.message}`);
  return r;
}

describe("HPOBench study (leave-one-dataset-out, greedy 5-point lists)", () => {
  it("the script reproduces the committed JSON byte for byte", () => {
    const out = path.join(tmp, "study.json");
    const r = spawnSync(
      process.execPath,
      [path.join(pkg, "scripts/hpobench-study.mjs"), "--size", "5", "--json", out],
      { encoding: "utf8", cwd: repoRoot },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(readFileSync(committed, "utf8"));
    // The printed table carries the same numbers as the JSON (4 decimals).
    const doc = JSON.parse(readFileSync(committed, "utf8"));
    for (const e of doc.leave_one_out) {
      const row = r.stdout.split("\n").find((l) => l.startsWith(`| ${e.held_out} |`));
      expect(row).toBe(
        `| ${e.held_out} | ${e.best_metric.toFixed(4)} | ${e.random_best_of_k.toFixed(4)} | +${(e.best_metric - e.random_best_of_k).toFixed(4)} | ${e.equivalent_random_budget} | ${e.rows} |`,
      );
    }
  });

  it("an independent numpy re-computation agrees with every list, score, E[best of 5] and budget", () => {
    const r = check(committed);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("all 8 held-out datasets and the full list agree");
  });

  it("the re-computation catches a perturbed number (so the check above can fail)", () => {
    const doc = JSON.parse(readFileSync(committed, "utf8"));
    doc.leave_one_out[3].random_best_of_k += 1e-9;
    doc.leave_one_out[5].equivalent_random_budget += 1;
    const bad = path.join(tmp, "bad.json");
    writeFileSync(bad, JSON.stringify(doc));
    const r = check(bad);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${doc.leave_one_out[3].held_out}:`);
    expect(r.stderr).toContain(`${doc.leave_one_out[5].held_out}:`);
  });
});
