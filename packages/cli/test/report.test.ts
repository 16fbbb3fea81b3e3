// `nadir report` on real data: the DeBERTaV3 runs of shared/data/opda (CC BY-SA 4.0, read in place)
// written to a temporary JSONL with their derived error rate beside each run's learning curve. The
// report's numbers must equal `nadir analyze --json` on the same file and flags, run through the
// same main() (so both commands are registered exactly as the CLI registers them).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exportStudy } from "@nadir/coordinator";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
// Real processes for the journal case: `nadir serve` (built CLI) and the coordinator's synthetic workers.
import { killAll, startServe, startWorker, tmpDir, writeStudy } from "../../coordinator/test/helpers.js";
import { main } from "../src/main.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const opda = path.resolve(repoRoot, "../shared/data/opda");
const scores = JSON.parse(readFileSync(path.join(opda, "derived_scores.json"), "utf8")).scores as Record<
  string,
  number[]
>;
const errorRates = scores["deberta-v3-base_error_rate"] as number[];

const tmp = mkdtempSync(path.join(tmpdir(), "nadir-report-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// One line per run: its id, the derived error rate (derived_scores.json, file order) and the
// upstream learning curves unchanged; one more line with no score, which both commands must skip.
const runs = readFileSync(path.join(opda, "deberta/deberta-v3-base_tuning.results.jsonl"), "utf8")
  .trim()
  .split("\n");
const jsonlPath = path.join(tmp, "deberta-v3.jsonl");
writeFileSync(
  jsonlPath,
  `${runs
    .map((line, i) => {
      const r = JSON.parse(line);
      return JSON.stringify({
        trial: r.iteration ?? i,
        error_rate: errorRates[i],
        learning_curves: r.learning_curves,
      });
    })
    .join("\n")}\n${JSON.stringify({ trial: 99999, error_rate: null })}\n`,
);
const csvPath = path.join(tmp, "deberta-v3.csv");
writeFileSync(csvPath, ["trial,error_rate", ...errorRates.map((e, i) => `${i},${e}`)].join("\n"));

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const errs: string[] = [];
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out.push(String(s));
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    errs.push(String(s));
    return true;
  });
  try {
    const code = await main(["node", "nadir", ...args]);
    return { code, out: out.join(""), err: errs.join("") };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** Reads a value at `a.b[3].c`. */
function atPath(obj: unknown, p: string): unknown {
  let cur: unknown = obj;
  for (const part of p.replace(/\[(\d+)\]/g, ".$1").split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const FLAGS = [
  "--metric",
  "error_rate",
  "--direction",
  "minimize",
  "--lower",
  "0",
  "--upper",
  "1",
  "--threshold",
  "0.11",
  "--bands",
  "dkw",
  "--confidence",
  "0.8",
];

describe("nadir report <results.jsonl>", () => {
  let analyzed: Record<string, unknown>;
  let html: string;
  const outPath = path.join(tmp, "out", "report.html");

  beforeAll(async () => {
    const a = await run("analyze", jsonlPath, ...FLAGS, "--json");
    expect(a.code, a.err).toBe(0);
    analyzed = JSON.parse(a.out);
    const r = await run(
      "report",
      jsonlPath,
      ...FLAGS,
      "--out",
      outPath,
      "--curve",
      "learning_curves.matched",
      "--curve-transform",
      "one-minus",
      "--title",
      "DeBERTaV3",
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^wrote .*report\.html \(\d+ KiB\): 1024 trials of error_rate/);
    html = readFileSync(outPath, "utf8");
  });

  it("embeds exactly the object `nadir analyze --json` prints", () => {
    const m = html.match(/<script type="application\/json" id="nadir-analysis">([\s\S]*?)<\/script>/);
    expect(m).not.toBeNull();
    expect(JSON.parse((m as RegExpMatchArray)[1] as string)).toEqual(analyzed);
    // The skipped row is reported, not silently dropped.
    expect(analyzed.input).toMatchObject({ rows: 1025, skipped_count: 1 });
    expect(html).toContain("1 row(s) of");
  });

  it("prints every analysis number with the analyze JSON's value at its path", () => {
    const spans = [...html.matchAll(/<span class="num" data-path="([^"]*)" data-value="([^"]*)">/g)];
    expect(spans.length).toBeGreaterThan(30);
    for (const [, p, v] of spans) {
      const want = atPath(analyzed, p as string);
      expect(want, p).not.toBeUndefined();
      expect(v, p).toBe(typeof want === "number" ? JSON.stringify(want) : String(want));
    }
    const paths = new Set(spans.map((s) => s[1]));
    // The headline: best reachable score (a: minimizing) with its interval, c, and the gain of more trials.
    for (const p of [
      "fit.a",
      "best_score_interval.lower",
      "best_score_interval.upper",
      "fit.c",
      "gain[0].gain",
      "gain[0].more_trials",
      "gain[0].lower",
      "gain[0].upper",
      "n",
    ]) {
      expect(paths.has(p), p).toBe(true);
    }
  });

  it("has every section: plots for the data given, explicit notes for the rest", () => {
    for (const id of [
      "summary",
      "tuning-curve",
      "cdf",
      "list-vs-random",
      "learning-curves",
      "fit-details",
      "data",
    ]) {
      expect(html, id).toContain(`<section id="${id}"`);
    }
    for (const plot of ["tuning-curve", "cdf", "learning-curves"])
      expect(html).toMatch(new RegExp(`<figure class="plot" data-plot="${plot}"><svg`));
    expect(html).toMatch(
      /<section id="list-vs-random"[^>]*>\s*<h2>[^<]*<\/h2>\s*<p class="na"><strong>Not available:<\/strong> no list evaluation was given/,
    );
  });

  it("a CSV input gives the same numbers and says why there are no learning curves", async () => {
    const out = path.join(tmp, "csv.html");
    const r = await run("report", csvPath, ...FLAGS, "--out", out);
    expect(r.code, r.err).toBe(0);
    const page = readFileSync(out, "utf8");
    const a = JSON.parse(
      (page.match(/id="nadir-analysis">([\s\S]*?)<\/script>/) as RegExpMatchArray)[1] as string,
    );
    expect(a.tuning_curve).toEqual(analyzed.tuning_curve);
    expect(a.fit).toEqual(analyzed.fit);
    expect(page).toContain("a CSV results file has no learning curves");
  });
});

describe("nadir report: errors", () => {
  it("exit 2 for bad flags, exit 1 for unreadable or unusable input", async () => {
    const out = path.join(tmp, "never.html");
    const bad = await run(
      "report",
      jsonlPath,
      "--metric",
      "error_rate",
      "--direction",
      "sideways",
      "--out",
      out,
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--direction must be minimize or maximize");
    const missing = await run("report", path.join(tmp, "nope.jsonl"), ...FLAGS, "--out", out);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("cannot read");
    const noMetric = await run(
      "report",
      jsonlPath,
      ...FLAGS.map((f) => (f === "error_rate" ? "bleu" : f)),
      "--out",
      out,
    );
    expect(noMetric.code).toBe(1);
    expect(noMetric.err).toContain('no record has the field "bleu"');
    const badCurve = await run("report", jsonlPath, ...FLAGS, "--out", out, "--curve", "trial");
    expect(badCurve.code).toBe(1);
    expect(badCurve.err).toMatch(/results line 1: trial: must be a list/);
    const badList = await run("report", jsonlPath, ...FLAGS, "--out", out, "--list", csvPath);
    expect(badList.code).toBe(1);
    expect(badList.err).toContain("is not valid JSON");
    expect(() => readFileSync(out)).toThrow();
  });
});

describe("nadir report <journal dir>", () => {
  afterEach(async () => {
    await killAll();
  });

  it("reports a study run by `nadir serve` with two worker processes; numbers equal analyze --json of its export", async () => {
    const dir = tmpDir("nadir-report-journal-");
    const study = writeStudy(dir, "rep", 24, 20);
    const journal = path.join(dir, "journal");
    const serve = await startServe([
      "--study",
      study,
      "--bind",
      "tcp://127.0.0.1:0",
      "--journal",
      journal,
      "--exit-when-done",
      "--heartbeat-ms",
      "100",
      "--peer-timeout-ms",
      "1000",
    ]);
    const workers = [
      startWorker(serve.endpoint, "w1", { stepMs: 1 }),
      startWorker(serve.endpoint, "w2", { stepMs: 1 }),
    ];
    expect(await serve.exited).toBe(0);
    for (const w of workers) await w.exited;

    const exported = path.join(dir, "rep.jsonl");
    writeFileSync(exported, exportStudy(journal, "rep", "jsonl"));
    const flags = ["--metric", "loss", "--direction", "minimize", "--bands", "dkw"];
    // The journal's study bounds c by its 2 searched hyperparameters; the export is told with --max-c.
    const a = await run("analyze", exported, ...flags, "--max-c", "2", "--json");
    expect(a.code, a.err).toBe(0);
    const out = path.join(dir, "report.html");
    const r = await run("report", journal, ...flags, "--out", out);
    expect(r.code, r.err).toBe(0);
    const page = readFileSync(out, "utf8");
    const embedded = JSON.parse(
      (page.match(/id="nadir-analysis">([\s\S]*?)<\/script>/) as RegExpMatchArray)[1] as string,
    );
    const analyzed = JSON.parse(a.out);
    // Same numbers; only the input's name differs (the journal's study vs the exported file).
    expect(embedded.input.file).toBe(`${journal}#rep.jsonl`);
    expect(embedded.max_c_from).toBe("study");
    expect(analyzed.max_c_from).toBe("flag");
    expect(embedded.effective_dimension).toMatchObject({ max_c: 2, max_c_source: "given" });
    // The journal records the step budget and the export carries it per trial (its full_budget
    // column), so neither infers it from the trials' steps: no notes on either side.
    expect(embedded.selection.notes).toEqual([]);
    expect(analyzed.selection.notes).toEqual([]);
    const same = (j: Record<string, any>) => ({
      ...j,
      input: { ...j.input, file: "" },
      max_c_from: "",
    });
    expect(same(embedded)).toEqual(same(analyzed));
    expect(embedded.selection).toMatchObject({ trials: 24, sample_count: 24, groups: [] });
    // The study's name is the title; the i.i.d. count is checked against the records' states and sources.
    expect(page).toMatch(/<title>[^<]*rep/);
    expect(page).toMatch(/<p class="sample" data-iid="24" data-excluded-total="0">/);
    expect(embedded.n).toBe(24);
    // Learning curves come from the journal's intermediate reports (every 5 steps of 20).
    expect(page).toMatch(/<figure class="plot" data-plot="learning-curves"><svg/);
    expect(page).toContain("in grey, the other 19 trials");
    // No threshold: the fit is explicitly not available.
    expect(page).toContain("no threshold θ was given");
    // Without --metric and --direction, the journal's study objective (loss, minimize) is used: the same
    // analysis, byte for byte.
    const bare = path.join(dir, "bare.html");
    const b = await run("report", journal, "--bands", "dkw", "--out", bare);
    expect(b.code, b.err).toBe(0);
    expect(b.out).toContain("trials of loss");
    const bareEmbedded = JSON.parse(
      (
        readFileSync(bare, "utf8").match(/id="nadir-analysis">([\s\S]*?)<\/script>/) as RegExpMatchArray
      )[1] as string,
    );
    expect(bareEmbedded).toEqual(embedded);
    // A results file has no study: both flags are needed, and naming the missing one is a usage error.
    const noFlags = await run(
      "report",
      exported,
      "--direction",
      "minimize",
      "--out",
      path.join(dir, "x.html"),
    );
    expect(noFlags.code).toBe(2);
    expect(noFlags.err).toContain("--metric is required for a results file");
    // An unknown study, and a directory that is not a journal, are invalid input.
    const unknown = await run(
      "report",
      journal,
      ...flags,
      "--study",
      "nope",
      "--out",
      path.join(dir, "x.html"),
    );
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no study "nope"');
    const notJournal = await run("report", dir, ...flags, "--out", path.join(dir, "x.html"));
    expect(notJournal.code).toBe(1);
    expect(notJournal.err).toContain("no journal-*.log segments");
  });
});
