/**
 * A suggester that fails (or has nothing to offer) is retried with exponential backoff, not in a tight
 * loop, and a recovering one is used as soon as it answers. Real coordinator, file journal and a real
 * worker process; only the suggester is an in-process plugin (the interface under test).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Suggester, SuggesterFactory } from "@nadir/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { Coordinator } from "../src/coordinator.js";
import { FileJournal, readJournal } from "../src/journal.js";
import { studyFromJson } from "../src/study.js";
import { doneWithin, killAll, startWorker, tmpDir } from "./helpers.js";

afterEach(async () => {
  await killAll();
});

function flakyFactory(failures: number, calls: number[]): SuggesterFactory {
  return (study) => {
    if (study.suggester?.external?.algorithm !== "test.flaky") return undefined;
    const s: Suggester = {
      name: "test:flaky",
      async suggest(count) {
        calls.push(Date.now());
        if (calls.length <= failures) throw new Error(`failure ${calls.length}`);
        return {
          suggestions: Array.from({ length: count }, (_, i) => ({
            parameters: { x: { floatValue: (calls.length + i) / 100 } },
          })),
          exhausted: false,
        };
      },
    };
    return s;
  };
}

const study = () =>
  studyFromJson({
    studyId: "flaky",
    objective: { metric: "loss", direction: "DIRECTION_MINIMIZE" },
    budget: { maxTrials: 3, parallelism: 1 },
    stepBudget: 5,
    searchSpace: { parameters: [{ name: "x", floatDomain: { min: 0, max: 1 } }] },
    suggester: { external: { algorithm: "test.flaky" } },
  });

describe("suggester retry backoff", () => {
  it("a failing suggester is asked a few times per second at most, then used once it recovers", async () => {
    const dir = tmpDir();
    const journal = path.join(dir, "journal");
    const calls: number[] = [];
    const c = new Coordinator({
      bind: ["tcp://127.0.0.1:0"],
      store: new FileJournal(journal),
      studies: [study()],
      suggesters: [flakyFactory(6, calls)],
      heartbeatIntervalMs: 100,
      log: () => {},
    });
    const { endpoints } = await c.start();
    const worker = startWorker(endpoints[0] as string, "w1");
    await doneWithin(c, 60_000);
    await c.stop({ shutdownWorkers: true });
    await worker.exited;
    // 6 failures with delays 50, 100, 200, 400, 800, 1600 ms: the 7th call comes >= 3.1 s after the first.
    // Without backoff the failures would take microseconds and the calls would number in the thousands.
    expect(calls.length).toBeGreaterThanOrEqual(7);
    expect(calls.length).toBeLessThan(20);
    expect((calls[6] as number) - (calls[0] as number)).toBeGreaterThanOrEqual(3000);
    const { records, problem } = readJournal(journal);
    expect(problem).toBe("");
    expect(records.filter((r) => r.trialCompleted).length).toBe(3);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 90_000);
});
