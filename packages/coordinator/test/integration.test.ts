/**
 * End-to-end tests with real processes and real sockets: `nadir serve` (packages/cli/dist/bin.js) and
 * synthetic TS workers (test/fixtures/synthetic-worker.mjs). Requires the packages to be built.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { exportStudy } from "../src/export.js";
import { encodeRecord, scanSegment } from "../src/journal.js";
import {
  completedCount,
  killAll,
  startServe,
  startWorker,
  summarize,
  tmpDir,
  until,
  writeStudy,
} from "./helpers.js";

afterEach(async () => {
  await killAll();
});

const FAST = ["--heartbeat-ms", "100", "--peer-timeout-ms", "1000"];

function totalCompleted(s: ReturnType<typeof summarize>): number {
  return [...s.completed.values()].reduce((a, v) => a + v.length, 0);
}

describe("coordinator with real worker processes", () => {
  it("runs a 40-trial study on 4 worker processes: exactly 40 results in the journal", async () => {
    const dir = tmpDir();
    const study = writeStudy(dir, "forty", 40, 20);
    const journal = path.join(dir, "journal");
    const serve = await startServe([
      "--study",
      study,
      "--bind",
      "tcp://127.0.0.1:0",
      "--journal",
      journal,
      "--exit-when-done",
      ...FAST,
    ]);
    const workers = [1, 2, 3, 4].map((i) => startWorker(serve.endpoint, `w${i}`, { stepMs: 1 }));
    expect(await serve.exited).toBe(0);
    expect(serve.out()).toMatch(/nadir: done/);
    for (const w of workers) expect(await w.exited).toBe(0);
    const s = summarize(journal, "forty");
    expect(s.problem).toBe("");
    expect(totalCompleted(s)).toBe(40);
    expect([...s.completed.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    for (const attempts of s.completed.values()) expect(attempts).toEqual([1]);
    expect(s.duplicateReports).toEqual([]);
    // 20 steps, a report every 5 steps: 4 reports per trial.
    expect(s.reports).toBe(160);
    // Every worker process took part.
    expect(new Set(s.assigned.map((a) => a.workerId))).toEqual(new Set(["w1", "w2", "w3", "w4"]));
    const csv = exportStudy(journal, "forty", "csv").trim().split("\n");
    expect(csv.length).toBe(41);
    expect(csv.slice(1).every((l) => l.split(",")[4] === "COMPLETED")).toBe(true);
    // The exported loss is the synthetic worker's closed form: (log10(lr) + 3)^2 + 1/(1 + 20/10).
    const header = (csv[0] as string).split(",");
    for (const line of csv.slice(1)) {
      const cols = line.split(",");
      const lr = Number(cols[header.indexOf("param.learning_rate")]);
      expect(Number(cols[header.indexOf("loss")])).toBeCloseTo((Math.log10(lr) + 3) ** 2 + 1 / 3, 12);
      expect(Number(cols[header.indexOf("steps")])).toBe(20);
    }
  });

  it("re-runs the trial of a SIGKILLed worker as attempt 2, which completes exactly once", async () => {
    const dir = tmpDir();
    const study = writeStudy(dir, "killw", 6, 100);
    const journal = path.join(dir, "journal");
    const serve = await startServe([
      "--study",
      study,
      "--bind",
      "tcp://127.0.0.1:0",
      "--journal",
      journal,
      "--exit-when-done",
      ...FAST,
    ]);
    const victim = startWorker(serve.endpoint, "victim", { stepMs: 5 });
    await victim.waitFor(/welcomed/);
    // Wait until the victim holds a trial and has reported on it, then kill it mid-trial.
    let trialId = 0;
    await until(
      () => {
        try {
          const s = summarize(journal);
          const a = s.assigned.find((x) => x.workerId === "victim");
          if (a && s.reports > 0) trialId = a.trialId;
          return trialId > 0;
        } catch {
          return false;
        }
      },
      10_000,
      "the victim to report",
    );
    victim.child.kill("SIGKILL");
    const rescuer = startWorker(serve.endpoint, "rescuer", { stepMs: 2 });
    expect(await serve.exited).toBe(0);
    expect(await rescuer.exited).toBe(0);
    const s = summarize(journal, "killw");
    expect(s.preempted).toContainEqual({ trialId, attempt: 1 });
    expect(s.assigned).toContainEqual({ trialId, attempt: 2, workerId: "rescuer" });
    expect(s.completed.get(trialId)).toEqual([2]);
    expect(totalCompleted(s)).toBe(6);
    for (const [id, attempts] of s.completed) if (id !== trialId) expect(attempts.length).toBe(1);
    const rows = exportStudy(journal, "killw", "jsonl")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.find((r) => r.trial === trialId)).toMatchObject({ attempt: 2, state: "COMPLETED" });
  });

  it("survives a SIGKILLed coordinator: restarted on the same journal, workers reconnect and every earlier result is present exactly once", async () => {
    const dir = tmpDir();
    const study = writeStudy(dir, "killc", 16, 40);
    const journal = path.join(dir, "journal");
    const first = await startServe([
      "--study",
      study,
      "--bind",
      "tcp://127.0.0.1:0",
      "--journal",
      journal,
      ...FAST,
      "--reattach-grace-ms",
      "3000",
    ]);
    const workers = [1, 2].map((i) => startWorker(first.endpoint, `cw${i}`, { capacity: 2, stepMs: 4 }));
    await until(() => completedCount(journal) >= 4, 20_000, "4 results before the kill");
    first.child.kill("SIGKILL");
    await first.exited;
    const before = summarize(journal, "killc");
    expect(totalCompleted(before)).toBeGreaterThanOrEqual(4);
    expect(totalCompleted(before)).toBeLessThan(16);
    const second = await startServe([
      "--study",
      study,
      "--bind",
      first.endpoint,
      "--journal",
      journal,
      "--exit-when-done",
      ...FAST,
      "--reattach-grace-ms",
      "3000",
    ]);
    expect(second.endpoint).toBe(first.endpoint);
    expect(await second.exited).toBe(0);
    for (const w of workers) expect(await w.exited).toBe(0);
    const after = summarize(journal, "killc");
    expect(totalCompleted(after)).toBe(16);
    for (const [id, attempts] of after.completed) expect(attempts.length, `trial ${id}`).toBe(1);
    for (const [id, loss] of before.finalLoss) expect(after.finalLoss.get(id)).toBe(loss);
    expect(after.duplicateReports).toEqual([]);
  });

  it("detects a torn last journal record on start, loads the rest, and re-runs the lost result", async () => {
    const dir = tmpDir();
    const study = writeStudy(dir, "torn", 5, 10);
    const journal = path.join(dir, "journal");
    const serve = await startServe([
      "--study",
      study,
      "--bind",
      "tcp://127.0.0.1:0",
      "--journal",
      journal,
      "--exit-when-done",
      ...FAST,
    ]);
    const w = startWorker(serve.endpoint, "tw", { stepMs: 1 });
    expect(await serve.exited).toBe(0);
    await w.exited;
    const seg = path.join(journal, "journal-00000001.log");
    const buf = fs.readFileSync(seg);
    const scan = scanSegment(buf);
    // Cut the file in the middle of the last trialCompleted record (dropping everything after it).
    let offset = 8;
    let cut = -1;
    let lostTrial = 0;
    for (const r of scan.records) {
      const len = encodeRecord(r as never).length;
      if (r.trialCompleted) {
        cut = offset + Math.floor(len / 2);
        lostTrial = r.trialCompleted.trial?.trialId ?? 0;
      }
      offset += len;
    }
    expect(offset).toBe(buf.length);
    fs.writeFileSync(seg, buf.subarray(0, cut));
    const damaged = summarize(journal, "torn");
    expect(damaged.problem).toMatch(/needs \d+ payload bytes/);
    expect(totalCompleted(damaged)).toBe(4);
    const again = await startServe([
      "--study",
      study,
      "--bind",
      "tcp://127.0.0.1:0",
      "--journal",
      journal,
      "--exit-when-done",
      ...FAST,
      "--reattach-grace-ms",
      "500",
    ]);
    const w2 = startWorker(again.endpoint, "tw2", { stepMs: 1 });
    expect(await again.exited).toBe(0);
    await w2.exited;
    expect(again.err()).toMatch(/torn tail/);
    const healed = summarize(journal, "torn");
    expect(healed.problem).toBe("");
    expect(totalCompleted(healed)).toBe(5);
    expect(healed.completed.get(lostTrial)).toEqual([2]);
  });
});
