/**
 * The one results pipeline, end to end through the real commands:
 *
 * 1. `nadir run` of a study with ASHA early stopping, served to the coordinator's real synthetic worker
 *    process over ZeroMQ (loss = (log10 lr + 3)^2 + 1/(1 + step/10)): the analysis counts only the
 *    trials that ran to the full step budget, and the pruned ones are shown apart, in analysis.json, the
 *    text output and the report. Checked against the raw journal records, read independently of the
 *    coordinator's replay, and against the worker's closed form.
 * 2. A TPE study written by the real Optuna, imported with `nadir import optuna --sampler tpe`: `nadir
 *    analyze` warns in the text and the JSON that the trials are not i.i.d. draws, and `nadir report`
 *    shows the warning.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { nadirPython } from "@nadir/adapter-optuna";
import { readJournal } from "@nadir/coordinator";
import { nadir } from "@nadir/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const bin = path.join(repoRoot, "packages/cli/dist/bin.js");
const workerFixture = path.join(repoRoot, "packages/coordinator/test/fixtures/synthetic-worker.mjs");

const BUDGET = 45;
const TRIALS = 24;
const lossAt = (lr: number, step: number) => (Math.log10(lr) + 3) ** 2 + 1 / (1 + step / 10);

function nadirCli(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 110_000 });
}

const embeddedAnalysis = (html: string) =>
  JSON.parse((html.match(/id="nadir-analysis">([\s\S]*?)<\/script>/) as RegExpMatchArray)[1] as string);

describe("nadir run of a study with ASHA", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "nadir-run-asha-"));
  const runDir = path.join(dir, "run");
  let stdout = "";
  beforeAll(() => {
    const study = path.join(dir, "asha.study.json");
    writeFileSync(
      study,
      JSON.stringify({
        id: "asha-run",
        name: "ASHA on the synthetic loss",
        searchSpace: {
          parameters: [
            { name: "learning_rate", type: "float", min: 1e-5, max: 1e-1, scale: "log" },
            { name: "warmup_factor", type: "discrete", values: [0.02, 0.05, 0.1] },
          ],
        },
        objective: { metric: "loss", direction: "minimize" },
        budget: { trials: TRIALS, parallelism: 4 },
        stepBudget: BUDGET,
        reportEverySteps: 5,
        suggester: { kind: "halton", seed: 7 },
        earlyStopping: { kind: "asha", minSteps: 5, reductionFactor: 2 },
      }),
    );
    const r = nadirCli([
      "run",
      "--study",
      study,
      "--run-dir",
      runDir,
      "--workers",
      "2",
      "--no-progress",
      "--worker-cmd",
      `${process.execPath} ${workerFixture} --endpoint {endpoint} --id w{index} --capacity 2 --step-ms 1`,
    ]);
    stdout = r.stdout;
    if (r.status !== 0) throw new Error(`nadir run exited ${r.status}: ${r.stderr}\n${r.stdout}`);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** What the raw journal says: pruned trials, and the final loss of those completed at the budget. */
  function fromJournal() {
    const { records, problem } = readJournal(path.join(runDir, "journal"));
    expect(problem).toBe("");
    const lr = new Map<number, number>();
    for (const r of records)
      if (r.trialCreated)
        lr.set(
          r.trialCreated.trial?.trialId ?? 0,
          r.trialCreated.parameters?.learning_rate?.floatValue ?? Number.NaN,
        );
    const pruned: number[] = [];
    const full = new Map<number, number>();
    for (const r of records) {
      if (r.trialStopped?.reason === nadir.v1.StopReason.STOP_REASON_PRUNED)
        pruned.push(r.trialStopped.trial?.trialId ?? 0);
      if (r.trialCompleted && Number(r.trialCompleted.final?.step) === BUDGET)
        full.set(r.trialCompleted.trial?.trialId ?? 0, Number(r.trialCompleted.final?.metrics?.loss));
    }
    return { lr, pruned: [...new Set(pruned)].sort((a, b) => a - b), full };
  }

  it("analyses only the trials that ran to the full budget; the pruned ones are a group apart", () => {
    const { lr, pruned, full } = fromJournal();
    expect(lr.size).toBe(TRIALS);
    expect(pruned.length).toBeGreaterThan(0); // ASHA did prune
    expect(full.size + pruned.length).toBe(TRIALS);
    const analysis = JSON.parse(readFileSync(path.join(runDir, "analysis.json"), "utf8"));
    expect(analysis.n).toBe(full.size);
    // The sample is exactly the full-budget losses, each the worker's closed form at its learning rate.
    for (const [id, loss] of full) expect(loss).toBeCloseTo(lossAt(lr.get(id) as number, BUDGET), 12);
    const unique = [...new Set(full.values())].sort((a, b) => a - b);
    expect(analysis.ecdf.y).toEqual(unique);
    expect(analysis.selection).toMatchObject({ trials: TRIALS, sample_count: full.size });
    expect(analysis.selection.groups).toEqual([
      expect.objectContaining({ group: "pruned", count: pruned.length, in_sample: false, trials: pruned }),
    ]);
    const w = analysis.selection.warnings.find((x: { code: string }) => x.code === "stopper_selected");
    expect(w?.count).toBe(pruned.length);
    // The stopper's warning leads the analysis's warnings, next to its numbers.
    expect(analysis.warnings[0]).toBe(w.message);
    expect(w.message).toContain(`pruned ${pruned.length} of ${TRIALS} search trials`);
    // c is bounded by the study's two searched hyperparameters, and the JSON says so.
    expect(analysis.max_c_from).toBe("study");
    expect(analysis.effective_dimension.max_c).toBe(2);
  });

  it("says so in the text output", () => {
    const { pruned, full } = fromJournal();
    expect(stdout).toContain(`i.i.d. sample: ${full.size} of ${TRIALS} trial(s)`);
    expect(stdout).toMatch(new RegExp(`\\n  ${pruned.length} pruned \\(shown apart\\): stopped early`));
    expect(stdout).toContain(`warning: an early-stopping rule pruned ${pruned.length} of ${TRIALS}`);
    expect(stdout).toMatch(/c searched in 1\.\.2: the study's searched hyperparameters/);
  });

  it("shows the pruned trials apart in the report, titled with the study's name", () => {
    const { pruned, full } = fromJournal();
    const html = readFileSync(path.join(runDir, "report.html"), "utf8");
    expect(html).toMatch(/<title>[^<]*ASHA on the synthetic loss/);
    expect(html).toContain(`data-iid="${full.size}" data-excluded-total="${pruned.length}"`);
    expect(html).toMatch(
      new RegExp(`<span data-excluded="pruned by an early-stopping rule[^"]*">${pruned.length} pruned`),
    );
    expect(html).toContain(`an early-stopping rule pruned ${pruned.length} of ${TRIALS} search trials`);
    // The report embeds exactly the analysis the run wrote.
    const analysis = JSON.parse(readFileSync(path.join(runDir, "analysis.json"), "utf8"));
    expect(embeddedAnalysis(html)).toEqual(analysis);
  });

  it("nadir analyze of the run's export makes the same selection from its state and source columns", () => {
    const analysis = JSON.parse(readFileSync(path.join(runDir, "analysis.json"), "utf8"));
    const m = stdout.match(/analysis: \S+ {2}\(= nadir analyze (\S+) (.*) --json\)/) as RegExpMatchArray;
    expect(m, stdout).not.toBeNull();
    const r = nadirCli(["analyze", m[1] as string, ...(m[2] as string).split(" "), "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout);
    // The export carries full_budget (no budget inferred, the same notes); analyze is told --max-c.
    const same = (j: Record<string, any>) => ({ ...j, max_c_from: "" });
    expect(printed.selection.notes).toEqual(analysis.selection.notes);
    expect(same(printed)).toEqual(same(analysis));
  });
});

// A TPE study, written by the real Optuna (the objective's minimum is 0.1 at x = 1).
const OPTUNA = String.raw`
import sys
import optuna
from optuna.storages.journal import JournalFileBackend
optuna.logging.set_verbosity(optuna.logging.ERROR)
storage = optuna.storages.JournalStorage(JournalFileBackend(sys.argv[1]))
s = optuna.create_study(study_name="tpe", storage=storage, sampler=optuna.samplers.TPESampler(seed=1))
s.optimize(lambda t: (t.suggest_float("x", -3, 3) - 1) ** 2 + 0.1, n_trials=30)
print(len(s.trials))
`;

describe("an imported TPE study", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "nadir-tpe-"));
  const log = path.join(dir, "tpe.log");
  const imported = path.join(dir, "tpe.jsonl");
  beforeAll(() => {
    const py = nadirPython();
    const proc = spawnSync(py, ["-c", OPTUNA, log], { encoding: "utf8" });
    if (proc.error || proc.status !== 0)
      throw new Error(
        `Optuna did not run with ${py} (set NADIR_PYTHON): ${proc.error?.message ?? proc.stderr}`,
      );
    expect(proc.stdout.trim()).toBe("30");
    const r = nadirCli([
      "import",
      "optuna",
      "--journal",
      log,
      "--study",
      "tpe",
      "--sampler",
      "tpe",
      "--out",
      imported,
    ]);
    if (r.status !== 0) throw new Error(`nadir import exited ${r.status}: ${r.stderr}`);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const flags = ["--metric", "value", "--direction", "minimize", "--lower", "0.1"];

  it("nadir analyze warns in the JSON and in the text that the trials are not random-search draws", () => {
    const rows = readFileSync(imported, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(30);
    for (const row of rows) expect(row.source).toBe("imported:tpe");
    const j = nadirCli(["analyze", imported, ...flags, "--json"]);
    expect(j.status, j.stderr).toBe(0);
    const a = JSON.parse(j.stdout);
    expect(a.n).toBe(30);
    const w = a.selection.warnings.find((x: { code: string }) => x.code === "imported_not_random");
    expect(w).toMatchObject({ count: 30 });
    expect(w.message).toMatch(/30 imported trial\(s\) were proposed by a non-random sampler: tpe/);
    expect(a.warnings[0]).toBe(w.message);
    const t = nadirCli(["analyze", imported, ...flags]);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toContain(`warning: ${w.message}`);
    expect(t.stdout).toContain("i.i.d. sample: 30 of 30 trial(s)");
  });

  it("nadir report shows the warning", () => {
    const out = path.join(dir, "report.html");
    const r = nadirCli(["report", imported, ...flags, "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).toContain("30 imported trial(s) were proposed by a non-random sampler: tpe");
    // The study's name (the import's study column) is the title; the sample is checked, not assumed.
    expect(html).toMatch(/<title>[^<]*tpe/);
    expect(html).toContain('data-iid="30" data-excluded-total="0"');
  });
});

describe("a trials file without state or source columns", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "nadir-plain-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is analysed as an assumed i.i.d. full-budget sample, and every output says so", () => {
    const file = path.join(dir, "plain.csv");
    writeFileSync(file, "trial,loss\n1,0.5\n2,0.4\n3,0.3\n4, 1 \n5,0.2\n");
    const flags = ["--metric", "loss", "--direction", "minimize"];
    const j = nadirCli(["analyze", file, ...flags, "--json"]);
    expect(j.status, j.stderr).toBe(0);
    const a = JSON.parse(j.stdout);
    expect(a.n).toBe(4);
    expect(a.selection.notes.map((x: { code: string }) => x.code)).toEqual(["assumed_iid"]);
    // " 1 " is not a number under core's strict rule: a row without a score, shown apart and reported.
    expect(a.selection.groups).toEqual([
      expect.objectContaining({ group: "missing_score", count: 1, trials: [4] }),
    ]);
    expect(a.input.skipped).toEqual([{ row: 4, value: " 1 ", reason: "non-numeric" }]);
    const t = nadirCli(["analyze", file, ...flags]);
    expect(t.stdout).toContain("i.i.d. sample: 4 of 5 trial(s)");
    expect(t.stdout).toContain("  1 missing score (shown apart)");
    expect(t.stdout).toContain(`note: ${a.selection.notes[0].message}`);
    const out = path.join(dir, "plain.html");
    const r = nadirCli(["report", file, ...flags, "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).toContain('data-iid="4" data-excluded-total="1"');
    expect(html).toContain("That is assumed, since the input does not record how each trial was proposed");
  });
});
