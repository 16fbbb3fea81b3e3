/**
 * The README's suggester example (examples/my-suggester.ts) type-checks, is the code the README shows,
 * and drives a real study: an in-process Coordinator with a file journal, two real worker processes
 * (fixtures/synthetic-worker.mjs) over TCP.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { validateStudy } from "@nadir/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { PERTURB_BEST, perturbBestFactory } from "../examples/my-suggester.js";
import { Coordinator } from "../src/coordinator.js";
import { FileJournal, readJournal } from "../src/journal.js";
import { studyFromJson } from "../src/study.js";
import { doneWithin, killAll, repoRoot, startWorker, tmpDir } from "./helpers.js";

const pkg = path.join(repoRoot, "packages/coordinator");

afterEach(async () => {
  await killAll();
});

describe("examples/my-suggester.ts", () => {
  it("type-checks against the published @nadir/sdk and @nadir/protocol types", () => {
    const r = spawnSync(
      process.execPath,
      [
        path.join(repoRoot, "node_modules/typescript/bin/tsc"),
        "-p",
        path.join(pkg, "examples/tsconfig.json"),
      ],
      { encoding: "utf8" },
    );
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("is shown verbatim in the README", () => {
    const readme = fs.readFileSync(path.join(pkg, "README.md"), "utf8");
    const m = /<!-- example: examples\/my-suggester\.ts -->\s*```ts\n([\s\S]*?)```/.exec(readme);
    expect(m).not.toBeNull();
    expect(m?.[1]).toBe(fs.readFileSync(path.join(pkg, "examples/my-suggester.ts"), "utf8"));
  });

  it("the README's study config is valid against the study schema", () => {
    const readme = fs.readFileSync(path.join(pkg, "README.md"), "utf8");
    const m = /## Study config[\s\S]*?```json\n([\s\S]*?)```/.exec(readme);
    const r = validateStudy(JSON.parse(m?.[1] ?? "null"));
    expect(r.ok ? [] : r.errors.map((e) => e.message)).toEqual([]);
  });

  it("runs a 6-trial study through a real coordinator and two worker processes", async () => {
    const dir = tmpDir();
    const journal = path.join(dir, "journal");
    const study = studyFromJson({
      studyId: "perturb",
      objective: { metric: "loss", direction: "DIRECTION_MINIMIZE" },
      budget: { maxTrials: 6, parallelism: 2 },
      stepBudget: 20,
      searchSpace: {
        parameters: [
          { name: "learning_rate", floatDomain: { min: 1e-5, max: 1e-1, scale: "SCALE_LOG" } },
          { name: "weight_decay", floatDomain: { min: 0, max: 0.2 } },
        ],
      },
      suggester: { external: { algorithm: PERTURB_BEST } },
    });
    const c = new Coordinator({
      bind: ["tcp://127.0.0.1:0"],
      store: new FileJournal(journal),
      studies: [study],
      suggesters: [perturbBestFactory],
      heartbeatIntervalMs: 100,
    });
    const { endpoints } = await c.start();
    const workers = [startWorker(endpoints[0] as string, "w1"), startWorker(endpoints[0] as string, "w2")];
    await doneWithin(c, 60_000);
    await c.stop({ shutdownWorkers: true });
    for (const w of workers) expect(await w.exited).toBe(0);

    const { records, problem } = readJournal(journal);
    expect(problem).toBe("");
    const created = records.flatMap((r) => (r.trialCreated ? [r.trialCreated] : []));
    const completed = new Map<number, number>();
    for (const r of records)
      if (r.trialCompleted)
        completed.set(
          r.trialCompleted.trial?.trialId ?? 0,
          r.trialCompleted.final?.metrics?.loss ?? Number.NaN,
        );
    expect(created.map((t) => t.trial?.trialId)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(completed.size).toBe(6);
    for (const t of created) expect(t.suggester).toBe("example:perturb-best");
    const lr = (i: number) => created[i]?.parameters?.learning_rate?.floatValue as number;
    // The first two are the golden-ratio exploration points, log-uniform in [1e-5, 1e-1].
    expect(lr(0)).toBeCloseTo(1e-5 * 1e4 ** 0.6180339887498949, 15);
    expect(lr(1)).toBeCloseTo(1e-5 * 1e4 ** ((2 * 0.6180339887498949) % 1), 15);
    expect(created[0]?.parameters?.weight_decay?.floatValue).toBe(0.1); // midpoint until a best exists
    // Every later point perturbs a trial that had completed: its rate times 2^(+-1/2).
    const rates = created.map((_, i) => lr(i));
    for (let i = 2; i < 6; i++) {
      if (created[i]?.metadata?.from !== "perturb") continue;
      const ratio = rates.slice(0, i).map((r) => Math.log2(rates[i] as number) - Math.log2(r));
      expect(ratio.some((x) => Math.abs(Math.abs(x) - 0.5) < 1e-9)).toBe(true);
    }
    expect(created.filter((t) => t.metadata?.from === "perturb").length).toBeGreaterThanOrEqual(3);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 90_000);
});
