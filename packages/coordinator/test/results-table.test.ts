/**
 * The trial table of a real run: a real coordinator with a file journal, ASHA early stopping and a list
 * (one point that cannot be materialised) with a Halton fallback, served over ZeroMQ to a real worker
 * process (the coordinator's synthetic worker: loss = (log10 lr + 3)^2 + 1/(1 + step/10)). The selection
 * is checked against the raw journal records (created/completed/stopped/failed entries) and against the
 * worker's closed form, and the CSV export (with its new `source` column) gives the same selection.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { nadir } from "@nadir/protocol";
import { searchedDimensions, selectIid, tableFromRows, tableFromStudy } from "@nadir/results";
import { afterEach, describe, expect, it } from "vitest";
import {
  Coordinator,
  exportStudy,
  FileJournal,
  loadJournalStudies,
  readJournal,
  studyFromJson,
} from "../src/index.js";
import { syntheticSpace } from "./helpers.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const workerFixture = path.join(repoRoot, "packages/coordinator/test/fixtures/synthetic-worker.mjs");
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

const BUDGET = 45;
const lossAt = (lr: number, step: number) => (Math.log10(lr) + 3) ** 2 + 1 / (1 + step / 10);

describe("the trial table of a real ASHA run", () => {
  it("keeps only full-budget Halton trials in the sample; pruned, list and infeasible trials apart, as the journal says", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nadir-results-"));
    const journal = path.join(dir, "journal");
    const point = (lr: number, omb1: number) => ({
      values: { learning_rate: { floatValue: lr }, one_minus_beta1: { floatValue: omb1 } },
    });
    const study = studyFromJson({
      studyId: "asha",
      objective: { metric: "loss", direction: "DIRECTION_MINIMIZE" },
      budget: { maxTrials: 20, parallelism: 2 },
      stepBudget: BUDGET,
      reportEverySteps: 5,
      searchSpace: syntheticSpace(),
      suggester: {
        kind: "list",
        list: {
          points: [point(1e-2, 0.1), point(1e-3, 0)],
          fallback: { kind: "SAMPLER_KIND_HALTON", seed: 7 },
        },
      },
      earlyStopping: { asha: { minSteps: 5, reductionFactor: 2 } },
    });
    const c = new Coordinator({
      bind: ["tcp://127.0.0.1:0"],
      store: new FileJournal(journal),
      studies: [study],
      heartbeatIntervalMs: 100,
      log: () => {},
    });
    const { endpoints } = await c.start();
    const worker = spawn(
      process.execPath,
      [
        workerFixture,
        "--endpoint",
        endpoints[0] as string,
        "--id",
        "w1",
        "--capacity",
        "2",
        "--step-ms",
        "1",
      ],
      { stdio: "ignore" },
    );
    children.push(worker);
    await Promise.race([
      c.whenDone(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("study did not finish in 90 s")), 90_000)),
    ]);
    await c.stop({ shutdownWorkers: true });

    // What the raw journal says, independently of the coordinator's replay.
    const { records, problem } = readJournal(journal);
    expect(problem).toBe("");
    const created = new Map<number, { suggester: string; listIndex: number | null; lr: number }>();
    for (const r of records)
      if (r.trialCreated)
        created.set(r.trialCreated.trial?.trialId ?? 0, {
          suggester: r.trialCreated.suggester ?? "",
          listIndex: r.trialCreated.listIndex ?? null,
          lr: r.trialCreated.parameters?.learning_rate?.floatValue ?? Number.NaN,
        });
    const ids = (pred: (r: nadir.v1.JournalRecord) => number | undefined) =>
      records.map(pred).filter((x): x is number => x !== undefined);
    const completedFull = ids((r) =>
      r.trialCompleted && Number(r.trialCompleted.final?.step) === BUDGET
        ? r.trialCompleted.trial?.trialId
        : undefined,
    );
    const pruned = ids((r) =>
      r.trialStopped?.reason === nadir.v1.StopReason.STOP_REASON_PRUNED
        ? r.trialStopped.trial?.trialId
        : undefined,
    );
    const infeasible = ids((r) =>
      r.trialFailed?.kind === nadir.v1.FailureKind.FAILURE_KIND_INFEASIBLE
        ? r.trialFailed.trial?.trialId
        : undefined,
    );
    const isSearch = (id: number) => created.get(id)?.suggester === "list:inline>halton";
    const isList = (id: number) => created.get(id)?.listIndex !== null;
    expect(created.size).toBe(20);
    expect(infeasible).toEqual([2]);
    expect(pruned.filter(isSearch).length).toBeGreaterThan(0); // ASHA did prune search trials
    const expectedSample = completedFull.filter(isSearch).sort((a, b) => a - b);
    expect(expectedSample.length).toBeGreaterThan(0);

    // The table and the selection, through the coordinator's exported records.
    const { studies } = loadJournalStudies(journal);
    const st = studies.get("asha");
    if (!st) throw new Error("no study asha in the journal");
    const table = tableFromStudy(st.spec, st.trials, { curves: true });
    expect(table.stepBudget).toBe(BUDGET);
    expect(table.trials.length).toBe(20);
    for (const t of table.trials) expect(t.source).toBe(created.get(t.trial)?.suggester);
    const sel = selectIid(table, { metric: "loss", direction: "minimize" });
    const sampleIds = sel.sampleTrials.map((t) => t.trial).sort((a, b) => a - b);
    expect(sampleIds).toEqual(expectedSample);
    // Each score is the worker's closed form at the full budget.
    for (const [i, t] of sel.sampleTrials.entries())
      expect(sel.scores[i]).toBeCloseTo(lossAt(created.get(t.trial)?.lr as number, BUDGET), 12);
    const group = (g: string) => sel.summary.groups.find((x) => x.group === g);
    expect(group("pruned")?.trials).toEqual(pruned.filter((id) => !isList(id)).sort((a, b) => a - b));
    expect(group("infeasible")).toBeUndefined(); // the infeasible point is a list point: it stays with the list
    expect(group("list")?.points?.map((p) => [p.index, p.state])).toEqual([
      [
        1,
        created.get(1) && st.trials.find((t) => t.trial?.trialId === 1)?.state === 5 ? "COMPLETED" : "PRUNED",
      ],
      [2, "INFEASIBLE"],
    ]);
    const stopper = sel.summary.warnings.find((w) => w.code === "stopper_selected");
    expect(stopper?.count).toBe(pruned.filter(isSearch).length);
    // A pruned trial's curve stops before the budget; the sample's curves reach it.
    for (const t of table.trials.filter((x) => x.state === "PRUNED"))
      expect(Math.max(...(t.curve ?? []).map((p) => p.step))).toBeLessThan(BUDGET);
    for (const t of sel.sampleTrials) expect(t.curve?.at(-1)?.step).toBe(BUDGET);
    expect(searchedDimensions(st.spec)).toBe(2);

    // The CSV export carries state and source: the same selection from its rows.
    const csv = exportStudy(journal, "asha", "csv").trim().split("\n");
    expect(csv.every((l) => !l.includes('"'))).toBe(true); // plain cells: a split is the CSV parse
    const header = (csv[0] as string).split(",");
    expect(header).toContain("state");
    expect(header).toContain("source");
    const rows = csv.slice(1).map((l) => Object.fromEntries(l.split(",").map((v, i) => [header[i], v])));
    const fromCsv = selectIid(tableFromRows(rows, { metrics: ["loss"], stepBudget: BUDGET }), {
      metric: "loss",
      direction: "minimize",
    });
    expect(fromCsv.scores).toEqual(sel.scores);
    expect(fromCsv.summary.groups.map((g) => [g.group, g.trials])).toEqual(
      sel.summary.groups.map((g) => [g.group, g.trials]),
    );
    expect(fromCsv.summary.warnings).toEqual(sel.summary.warnings);
    // Without the study, the export's full_budget column says which trials ran the full budget: the
    // same sample, and nothing is inferred.
    const fromColumn = tableFromRows(rows, { metrics: ["loss"] });
    expect([fromColumn.stepBudget, fromColumn.stepBudgetFrom]).toEqual([null, "column"]);
    expect(selectIid(fromColumn, { metric: "loss", direction: "minimize" }).scores).toEqual(sel.scores);
    // Without the column either, the budget is inferred from the completed trials' steps: the same sample.
    const bare = rows.map(({ full_budget: _, ...r }) => r);
    const inferred = tableFromRows(bare, { metrics: ["loss"] });
    expect([inferred.stepBudget, inferred.stepBudgetFrom]).toEqual([BUDGET, "inferred"]);
    expect(selectIid(inferred, { metric: "loss", direction: "minimize" }).scores).toEqual(sel.scores);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
