/**
 * Replicate numbers survive journal compaction: a list study with 2 replicates per point runs on a real
 * worker process against a file journal that compacts every few records; the compacted journal's snapshot
 * carries TrialResult.replicate, the export says which replicate each row is, and a coordinator rebuilt
 * from the compacted journal continues the list at the right point.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Coordinator } from "../src/coordinator.js";
import { exportStudy, loadJournalStudies } from "../src/export.js";
import { FileJournal, readJournal } from "../src/journal.js";
import { studyFromJson } from "../src/study.js";
import { doneWithin, killAll, startWorker, tmpDir } from "./helpers.js";

afterEach(async () => {
  await killAll();
});

const point = (lr: number) => ({ values: { learning_rate: { floatValue: lr } } });

describe("compaction with replicates", () => {
  it("keeps each trial's replicate and the list position through a snapshot", async () => {
    const dir = tmpDir();
    const journal = path.join(dir, "journal");
    const study = studyFromJson({
      studyId: "rep",
      objective: { metric: "loss", direction: "DIRECTION_MINIMIZE" },
      budget: { maxTrials: 6, parallelism: 1 },
      replicates: 2,
      stepBudget: 10,
      searchSpace: {
        parameters: [{ name: "learning_rate", floatDomain: { min: 1e-4, max: 1e-2, scale: "SCALE_LOG" } }],
      },
      suggester: { kind: "list", list: { points: [point(1e-3), point(2e-3), point(3e-3), point(4e-3)] } },
    });
    const c = new Coordinator({
      bind: ["tcp://127.0.0.1:0"],
      store: new FileJournal(journal),
      studies: [study],
      heartbeatIntervalMs: 100,
      compactEvery: 8,
    });
    const { endpoints } = await c.start();
    const worker = startWorker(endpoints[0] as string, "w1");
    await doneWithin(c, 60_000);
    await c.stop({ shutdownWorkers: true });
    expect(await worker.exited).toBe(0);

    const { records, problem } = readJournal(journal);
    expect(problem).toBe("");
    const snap = records.find((r) => r.snapshot)?.snapshot;
    expect(snap, "the journal was compacted").toBeDefined();
    // Every finished trial in the snapshot has the replicate it was created with: trial k is replicate (k-1) % 2.
    expect(snap?.trials.length).toBeGreaterThan(0);
    for (const t of snap?.trials ?? []) expect(t.replicate).toBe(((t.trial?.trialId ?? 0) - 1) % 2);

    const { studies } = loadJournalStudies(journal);
    const trials = studies.get("rep")?.trials ?? [];
    expect(trials.map((t) => [t.trial?.trialId, t.listIndex, t.replicate])).toEqual([
      [1, 0, 0],
      [2, 0, 1],
      [3, 1, 0],
      [4, 1, 1],
      [5, 2, 0],
      [6, 2, 1],
    ]);
    const csv = exportStudy(journal, "rep", "csv").trim().split("\n");
    const col = (csv[0] ?? "").split(",").indexOf("replicate");
    expect(csv.slice(1).map((l) => l.split(",")[col])).toEqual(["0", "1", "0", "1", "0", "1"]);
    // Replayed from the compacted journal, the study counts three points (the list suggester's position),
    // not six: a continued study would go on with list point 4, not skip it.
    const replayed = new Coordinator({ store: new FileJournal(journal), studies: [] });
    replayed.replayOffline(records);
    expect(replayed.progress()[0]?.created).toBe(6);
    expect(replayed.pointsCreated("rep")).toBe(3);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 90_000);
});
