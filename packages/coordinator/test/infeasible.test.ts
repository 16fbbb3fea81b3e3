/**
 * A point @nadir/core cannot materialise (here β1 = 1: 1 − β1 = 0) ends INFEASIBLE in the journal without
 * reaching a worker, and the study goes on with the next point. Real coordinator, file journal and a real
 * worker process.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { nadir } from "@nadir/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { Coordinator } from "../src/coordinator.js";
import { FileJournal, readJournal } from "../src/journal.js";
import { studyFromJson } from "../src/study.js";
import { doneWithin, killAll, startWorker, tmpDir } from "./helpers.js";

afterEach(async () => {
  await killAll();
});

describe("infeasible points", () => {
  it("are journaled INFEASIBLE with the reason, never assigned; the other points complete", async () => {
    const dir = tmpDir();
    const journal = path.join(dir, "journal");
    const point = (omb1: number) => ({
      values: { learning_rate: { floatValue: 1e-3 }, one_minus_beta1: { floatValue: omb1 } },
    });
    const study = studyFromJson({
      studyId: "inf",
      objective: { metric: "loss", direction: "DIRECTION_MINIMIZE" },
      budget: { maxTrials: 3, parallelism: 1 },
      stepBudget: 10,
      searchSpace: {
        parameters: [
          { name: "learning_rate", floatDomain: { min: 1e-4, max: 1e-2, scale: "SCALE_LOG" } },
          {
            name: "one_minus_beta1",
            floatDomain: { min: 0, max: 0.1 },
            transform: "TRANSFORM_ONE_MINUS",
            as: "beta1",
          },
        ],
      },
      suggester: { kind: "list", list: { points: [point(0.1), point(0), point(0.05)] } },
    });
    const logs: string[] = [];
    const c = new Coordinator({
      bind: ["tcp://127.0.0.1:0"],
      store: new FileJournal(journal),
      studies: [study],
      heartbeatIntervalMs: 100,
      log: (l) => logs.push(l),
    });
    const { endpoints } = await c.start();
    const worker = startWorker(endpoints[0] as string, "w1");
    await doneWithin(c, 60_000);
    await c.stop({ shutdownWorkers: true });
    expect(await worker.exited).toBe(0);
    const { records, problem } = readJournal(journal);
    expect(problem).toBe("");
    const assigned = records.flatMap((r) =>
      r.attemptAssigned ? [r.attemptAssigned.assignment?.trial?.trialId] : [],
    );
    const failed = records.flatMap((r) => (r.trialFailed ? [r.trialFailed] : []));
    const completed = records.flatMap((r) => (r.trialCompleted ? [r.trialCompleted.trial?.trialId] : []));
    expect(assigned).toEqual([1, 3]);
    expect(completed).toEqual([1, 3]);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.trial?.trialId).toBe(2);
    expect(failed[0]?.kind).toBe(nadir.v1.FailureKind.FAILURE_KIND_INFEASIBLE);
    expect(failed[0]?.message).toMatch(/cannot materialise the optimizer: .*beta1/);
    expect(logs.some((l) => /trial 2: cannot materialise/.test(l))).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 90_000);
});
