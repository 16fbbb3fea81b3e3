// `nadir run` with its embedded default study on a tiny budget: a real coordinator (ZeroMQ ROUTER, file
// journal) and two real Python workers (python -m nadir_worker.examples.digits: JAX + optax on scikit-learn's digits)
// train a real MLP. Checked: the journal (read by `nadir export`), the exported results (the published
// NAdamW list first, then Halton, every trial trained to its budget), analysis.json against
// `nadir analyze --json`, and the report (every section, embedded numbers equal to the analysis).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getList } from "@nadir/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const bin = path.join(repoRoot, "packages/cli/dist/bin.js");
const python = process.env.NADIR_PYTHON ?? path.join(repoRoot, ".venv/bin/python");
const METRIC = "validation/error_rate";
const TRIALS = 9;
const STEPS = 300;

type Row = Record<string, unknown>;
const readJsonl = (file: string): Row[] =>
  readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Row);

describe("nadir run (default study, real JAX workers)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "nadir-run-"));
  let stdout = "";
  beforeAll(() => {
    if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/bootstrap.sh first`);
    const r = spawnSync(
      process.execPath,
      [
        bin,
        "run",
        "--trials",
        String(TRIALS),
        "--steps",
        String(STEPS),
        "--workers",
        "2",
        "--run-dir",
        dir,
        "--python",
        python,
        "--no-progress",
      ],
      { encoding: "utf8", timeout: 420_000 },
    );
    stdout = r.stdout;
    if (r.status !== 0) throw new Error(`nadir run exited ${r.status}: ${r.stderr}\n${r.stdout}`);
  }, 440_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("journals every trial once; the export of the journal is the results file", () => {
    const exported = execFileSync(
      process.execPath,
      [bin, "export", path.join(dir, "journal"), "--study", "quickstart", "--format", "jsonl"],
      { encoding: "utf8" },
    );
    expect(exported).toBe(readFileSync(path.join(dir, "results.jsonl"), "utf8"));
    const rows = readJsonl(path.join(dir, "results.jsonl"));
    expect(rows.map((r) => r.trial)).toEqual(Array.from({ length: TRIALS }, (_, i) => i + 1));
    for (const r of rows) {
      expect(r.state, JSON.stringify(r)).toBe("COMPLETED");
      expect(r.attempt).toBe(1);
      // Trained to the budget (no pruning, target not acted on) and much better than chance (0.9).
      expect(r.steps).toBe(STEPS);
      expect(r[METRIC]).toBeGreaterThanOrEqual(0);
      expect(r[METRIC]).toBeLessThan(0.5);
    }
    expect(stdout).toContain(`trials: ${TRIALS} completed, 0 pruned, 0 failed`);
  });

  it("serves the published NAdamW list first, point by point, then Halton", () => {
    const rows = readJsonl(path.join(dir, "results.jsonl"));
    const list = getList("medapati2025-nadamw@1");
    expect(list.points).toHaveLength(5);
    for (const [i, p] of list.points.entries()) {
      const r = rows[i] as Row;
      expect(r.list_index).toBe(i);
      expect(r.suggester).toMatch(/^list:/);
      expect(r["param.learning_rate"]).toBe(p.learning_rate);
      expect(r["param.weight_decay"]).toBe(p.weight_decay);
    }
    // Past the list, the fallback (Halton) proposes: no list index, and distinct points.
    const rest = rows.slice(5);
    for (const r of rest) {
      expect(r.list_index).toBeNull();
      expect(r.suggester).toBe("list:medapati-nadamw-5>halton");
    }
    expect(new Set(rest.map((r) => r["param.learning_rate"])).size).toBe(rest.length);
    // Learning curves were journaled for every trial (reports every 50 steps).
    const curves = readJsonl(path.join(dir, "curves.jsonl"));
    for (let t = 1; t <= TRIALS; t++)
      expect(curves.filter((c) => c.trial === t).length).toBeGreaterThanOrEqual(5);
  });

  it("writes the analysis `nadir analyze --json` prints, over the Halton trials (list trials held out)", () => {
    const analysis = JSON.parse(readFileSync(path.join(dir, "analysis.json"), "utf8"));
    const m = stdout.match(/analysis: \S+ {2}\(= nadir analyze (\S+) (.*) --json\)/);
    expect(m, stdout).not.toBeNull();
    const [, file, args] = m as RegExpMatchArray;
    const printed = JSON.parse(
      execFileSync(
        process.execPath,
        [bin, "analyze", file as string, ...(args as string).split(" "), "--json"],
        {
          encoding: "utf8",
        },
      ),
    );
    // The export carries full_budget, so analyze selects exactly what the run did (no budget inferred);
    // c is bounded by the study's searched hyperparameters in the run, by the printed --max-c in analyze.
    expect(printed.selection.notes).toEqual([]);
    expect(analysis.selection.notes).toEqual([]);
    expect(analysis.max_c_from).toBe("study");
    const same = (j: Record<string, any>) => ({ ...j, max_c_from: "" });
    expect(same(analysis)).toEqual(same(printed));
    expect(analysis.n).toBe(TRIALS - 5);
    expect(analysis.selection.groups).toEqual([expect.objectContaining({ group: "list", count: 5 })]);
    expect(analysis.input.list_rows_count).toBe(5);
    expect(stdout).toMatch(/list: best validation\/error_rate \S+ from its 5 trial\(s\)/);
  });

  it("writes a report with every section and the analysis numbers", () => {
    const html = readFileSync(path.join(dir, "report.html"), "utf8");
    for (const id of [
      "summary",
      "tuning-curve",
      "cdf",
      "list-vs-random",
      "learning-curves",
      "fit-details",
      "data",
    ])
      expect(html, id).toContain(`<section id="${id}"`);
    for (const plot of ["tuning-curve", "cdf", "list-vs-random", "learning-curves"])
      expect(html, plot).toMatch(new RegExp(`<figure class="plot" data-plot="${plot}"><svg`));
    const embedded = JSON.parse(
      (html.match(/id="nadir-analysis">([\s\S]*?)<\/script>/) as RegExpMatchArray)[1] as string,
    );
    const analysis = JSON.parse(readFileSync(path.join(dir, "analysis.json"), "utf8"));
    // The report reads the journal (for learning curves); only the input's name differs.
    expect({ ...embedded, input: { ...embedded.input, file: "" } }).toEqual({
      ...analysis,
      input: { ...analysis.input, file: "" },
    });
  });
});
