/**
 * The README's worker (examples/minimal-worker.mjs) is shown verbatim and works: a real `nadir serve`
 * process with a journal, the example as a real worker process, three trials to completion.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readJournal } from "../../coordinator/src/journal.js";
import {
  killAll,
  repoRoot,
  spawnProc,
  startServe,
  tmpDir,
  writeStudy,
} from "../../coordinator/test/helpers.js";

const example = path.join(repoRoot, "packages/worker/examples/minimal-worker.mjs");

afterEach(async () => {
  await killAll();
});

describe("examples/minimal-worker.mjs", () => {
  it("is shown verbatim in the README", () => {
    const readme = fs.readFileSync(path.join(repoRoot, "packages/worker/README.md"), "utf8");
    const m = /<!-- example: examples\/minimal-worker\.mjs -->\s*```js\n([\s\S]*?)```/.exec(readme);
    expect(m?.[1]).toBe(fs.readFileSync(example, "utf8"));
  });

  it("runs a 3-trial study from a real nadir serve to the end", async () => {
    const dir = tmpDir();
    const journal = path.join(dir, "journal");
    const study = writeStudy(dir, "minimal", 3, 30);
    const serve = await startServe([
      "--study",
      study,
      "--bind",
      "tcp://127.0.0.1:0",
      "--journal",
      journal,
      "--exit-when-done",
    ]);
    const worker = spawnProc([example, serve.endpoint]);
    expect(await serve.exited).toBe(0);
    expect(await worker.exited).toBe(0);
    expect(worker.out()).toMatch(/connected to tcp:\/\/127\.0\.0\.1:\d+/);
    expect(worker.out()).toMatch(/: 3 attempts finished/);

    const { records, problem } = readJournal(journal);
    expect(problem).toBe("");
    const lr = new Map<number, number>();
    for (const r of records)
      if (r.trialCreated)
        lr.set(
          r.trialCreated.trial?.trialId ?? 0,
          r.trialCreated.parameters?.learning_rate?.floatValue as number,
        );
    const finals = records.filter((r) => r.trialCompleted).map((r) => r.trialCompleted);
    expect(finals.map((f) => f?.trial?.trialId).sort()).toEqual([1, 2, 3]);
    for (const f of finals) {
      // The example's loss at its last step, recomputed here from the trial's learning rate.
      const x = lr.get(f?.trial?.trialId ?? 0) as number;
      expect(f?.final?.step).toBe(30);
      expect(f?.final?.metrics?.loss).toBe((Math.log10(x) + 3) ** 2 + 1 / 30);
    }
    const reports = records.filter((r) => r.trialReport).map((r) => r.trialReport?.measurement?.step);
    expect(reports.sort((a, b) => Number(a) - Number(b))).toEqual([10, 10, 10, 20, 20, 20, 30, 30, 30]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
