/**
 * Journal damage against a real running Coordinator (real sockets, a real worker process, real files):
 * the coordinator writes a journal of 10 acknowledged COMPLETED trials; then
 *  - a byte flipped a third into the active segment, or a damaged segment magic, stops the next start()
 *    with JournalCorruptError naming the file and offset, and the bytes stay exactly as they were (before,
 *    the flip was taken for a torn tail and most acknowledged results were truncated away);
 *  - a flip at EVERY byte of this coordinator-written journal either keeps every acknowledged result or is
 *    refused, never changing the file;
 *  - `salvageJournal` recovers the intact records into a new journal on which a coordinator starts
 *    cleanly, with every surviving result counted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Coordinator } from "../src/coordinator.js";
import {
  FileJournal,
  inspectJournal,
  JournalCorruptError,
  type JournalRecord,
  readJournal,
  salvageJournal,
} from "../src/journal.js";
import { studyFromJson } from "../src/study.js";
import { doneWithin, killAll, startWorker, tmpDir } from "./helpers.js";

afterEach(async () => {
  await killAll();
});

const TRIALS = 10;
const study = () =>
  studyFromJson({
    studyId: "jc",
    objective: { metric: "loss", direction: "DIRECTION_MINIMIZE" },
    budget: { maxTrials: TRIALS, parallelism: 2 },
    stepBudget: 10,
    searchSpace: {
      parameters: [{ name: "learning_rate", floatDomain: { min: 1e-4, max: 1e-2, scale: "SCALE_LOG" } }],
    },
  });

/** Runs the study to the end on `journal` with one worker; returns the coordinator's final counts. */
async function runStudy(journal: string) {
  const c = new Coordinator({
    bind: ["tcp://127.0.0.1:0"],
    store: new FileJournal(journal),
    studies: [study()],
    heartbeatIntervalMs: 100,
    reattachGraceMs: 200,
  });
  const { endpoints } = await c.start();
  const worker = startWorker(endpoints[0] as string, "w1", { capacity: 2, reportEvery: 10 });
  await doneWithin(c, 60_000);
  await c.stop({ shutdownWorkers: true });
  expect(await worker.exited).toBe(0);
  return c.progress();
}

/** Trial ids with a TrialCompleted record. */
const completedIds = (records: JournalRecord[]): number[] =>
  records
    .flatMap((r) => (r.trialCompleted ? [r.trialCompleted.trial?.trialId ?? 0] : []))
    .sort((a, b) => a - b);

describe("journal damage under a real coordinator", () => {
  it("refuses corruption untouched, at every byte, and a coordinator starts on the salvaged journal", async () => {
    const dir = tmpDir();
    const journal = path.join(dir, "journal");
    const done = await runStudy(journal);
    expect(done[0]?.completed).toBe(TRIALS);
    const seg = path.join(journal, "journal-00000001.log");
    const original = fs.readFileSync(seg);
    const frames = inspectJournal(journal).segments[0]?.frames ?? [];
    const all = frames.map((f) => f.record);
    expect(completedIds(all)).toEqual(Array.from({ length: TRIALS }, (_, i) => i + 1));

    // The reported case: one flipped byte a third of the way into the active segment.
    const third = Math.floor(original.length / 3);
    const flipped = Buffer.from(original);
    flipped[third] = (flipped[third] as number) ^ 0x20;
    fs.writeFileSync(seg, flipped);
    const c = new Coordinator({
      bind: ["tcp://127.0.0.1:0"],
      store: new FileJournal(journal),
      studies: [study()],
    });
    const err = await c.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JournalCorruptError);
    const victim = frames.find((f) => f.offset <= third && third < f.end);
    expect(err).toMatchObject({ code: "JOURNAL_CORRUPT", file: seg, offset: victim?.offset });
    expect(fs.readFileSync(seg).equals(flipped)).toBe(true);
    expect(() => readJournal(journal)).toThrow(JournalCorruptError);

    // A damaged segment magic used to rewrite the segment empty: now it is refused too.
    const badMagic = Buffer.from(original);
    badMagic[3] = 0;
    fs.writeFileSync(seg, badMagic);
    expect(() => new FileJournal(journal).open()).toThrow(/does not start with the NADIRJ01 magic/);
    expect(fs.readFileSync(seg).equals(badMagic)).toBe(true);

    // Every byte of the coordinator-written journal (in place, one byte at a time).
    fs.writeFileSync(seg, original);
    const fd = fs.openSync(seg, "r+");
    const want = completedIds(all).join(",");
    const expected = Buffer.from(original);
    const onDisk = Buffer.alloc(original.length + 1);
    let refused = 0;
    try {
      for (let i = 0; i < original.length; i++) {
        expected[i] = (original[i] as number) ^ 0x01;
        fs.writeSync(fd, expected, i, 1, i);
        const j = new FileJournal(journal, { fsync: "never" });
        try {
          const { records } = j.open();
          await j.close();
          expect(completedIds(records).join(","), `flip at ${i}`).toBe(want);
        } catch (e) {
          expect(e, `flip at ${i}`).toBeInstanceOf(JournalCorruptError);
          refused += 1;
        }
        const n = fs.readSync(fd, onDisk, 0, onDisk.length, 0);
        expect(n === expected.length && onDisk.subarray(0, n).equals(expected), `flip at ${i}`).toBe(true);
        expected[i] = original[i] as number;
        fs.writeSync(fd, expected, i, 1, i);
      }
    } finally {
      fs.closeSync(fd);
    }
    expect(refused).toBe(original.length);

    // Salvage the journal with the flipped byte; a coordinator starts on the result and finishes the study.
    fs.writeFileSync(seg, flipped);
    const out = path.join(dir, "salvaged");
    const rep = salvageJournal(journal, out);
    expect(rep.records).toBe(frames.length - 1);
    expect(rep.recordsLost).toBe(1);
    expect(fs.readFileSync(seg).equals(flipped)).toBe(true);
    const kept = completedIds(readJournal(out).records);
    expect(kept.length).toBeGreaterThanOrEqual(TRIALS - 1);
    const c2 = new Coordinator({
      bind: ["tcp://127.0.0.1:0"],
      store: new FileJournal(out),
      studies: [study()],
    });
    const started = await c2.start();
    expect(started.replayed).toBe(rep.records);
    expect(started.truncatedBytes).toBe(0);
    // Every result that survived counts, exactly as replay counts them.
    expect(c2.progress()[0]?.completed).toBe(kept.length);
    await c2.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 110_000);
});
