/**
 * Damage at every byte: a real journal of 30 acknowledged COMPLETED trials (written through FileJournal's
 * append, each awaited, i.e. acknowledged), then, for EVERY byte offset, a flipped byte (XOR masks drawn by
 * fast-check) and a truncation. Each flip must either open with every acknowledged record, or refuse with
 * JournalCorruptError (code JOURNAL_CORRUPT, the file, an offset at or before the flipped byte) and leave
 * the file byte for byte as it was. A truncation is what a crash during the write of everything after the
 * cut looks like, so it must open with exactly the records wholly before the cut, cut to that boundary.
 * Salvage after a flip must recover every record that does not overlap the damaged one.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FileJournal,
  type Frame,
  inspectJournal,
  JournalCorruptError,
  type JournalRecord,
  readJournal,
  SEGMENT_MAGIC,
  salvageJournal,
} from "../src/journal.js";

const TRIALS = 30;
let root: string;
let original: Buffer;
let frames: Frame[];
const segName = "journal-00000001.log";

/** Appends a 30-trial study the way the coordinator does: created, assigned, completed, each acknowledged. */
async function writeStudyJournal(dir: string): Promise<void> {
  const j = new FileJournal(dir, { fsync: "always" });
  j.open();
  await j.append({
    studyCreated: {
      studyId: "s",
      objective: { metric: "loss", direction: 1 },
      budget: { maxTrials: TRIALS, parallelism: 4 },
      stepBudget: 100,
    },
  });
  for (let t = 1; t <= TRIALS; t++) {
    const trial = { studyId: "s", trialId: t, attempt: 0 };
    await j.append({ trialCreated: { trial, parameters: { lr: { floatValue: 10 ** (-t / 10) } }, seed: t } });
    await j.append({ attemptAssigned: { assignment: { trial: { ...trial, attempt: 1 } }, workerId: "w1" } });
    await j.append({
      trialCompleted: {
        trial: { ...trial, attempt: 1 },
        final: { step: 100, elapsedSeconds: t, metrics: { loss: 1 / t } },
      },
    });
  }
  await j.close();
}

/** Sequence numbers and final losses, the acknowledged content a replay must keep. */
function fingerprint(records: JournalRecord[]): string {
  return records
    .map((r) => `${r.sequence}:${r.entry}:${r.trialCompleted?.final?.metrics?.loss ?? ""}`)
    .join(",");
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "nadir-journal-damage-"));
  const dir = path.join(root, "original");
  await writeStudyJournal(dir);
  original = fs.readFileSync(path.join(dir, segName));
  const ins = inspectJournal(dir);
  expect(ins.status).toBe("clean");
  frames = ins.segments[0]?.frames ?? [];
  expect(frames.length).toBe(1 + 3 * TRIALS);
  expect(frames.filter((f) => f.record.trialCompleted).length).toBe(TRIALS);
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** Opens `dir` with FileJournal: the records, or the error it threw. */
async function openDir(dir: string): Promise<{ records?: JournalRecord[]; error?: unknown }> {
  const j = new FileJournal(dir, { fsync: "never" });
  let records: JournalRecord[];
  try {
    records = j.open().records;
  } catch (error) {
    return { error };
  }
  await j.close();
  return { records };
}

describe("journal damage at every byte offset", () => {
  it("a flipped byte anywhere either keeps every acknowledged result or refuses, and never changes the file", async () => {
    const dir = path.join(root, "flip");
    fs.mkdirSync(dir);
    const file = path.join(dir, segName);
    fs.writeFileSync(file, original);
    const all = fingerprint(frames.map((f) => f.record));
    // The damage is written in place (pwrite of one byte, then restored): a rewrite of the whole file per
    // case costs ten times more on a busy disk and tests nothing more.
    const fd = fs.openSync(file, "r+");
    const expected = Buffer.from(original);
    const onDisk = Buffer.alloc(original.length + 1);
    let refused = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: original.length, maxLength: original.length, min: 1, max: 255 }),
          async (masks) => {
            for (let i = 0; i < original.length; i++) {
              const mask = masks[i] as number;
              const where = `flip 0x${mask.toString(16)} at byte ${i}`;
              expected[i] = (original[i] as number) ^ mask;
              fs.writeSync(fd, expected, i, 1, i);
              const { records, error } = await openDir(dir);
              if (error) {
                expect(error, where).toBeInstanceOf(JournalCorruptError);
                const e = error as JournalCorruptError;
                expect(e.code, where).toBe("JOURNAL_CORRUPT");
                expect(e.file, where).toBe(file);
                expect(e.offset, where).toBeLessThanOrEqual(i);
                refused += 1;
              } else {
                expect(fingerprint(records as JournalRecord[]), where).toBe(all);
              }
              // Refused or not, the bytes on disk are exactly the damaged bytes.
              const n = fs.readSync(fd, onDisk, 0, onDisk.length, 0);
              expect(n === expected.length && onDisk.subarray(0, n).equals(expected), where).toBe(true);
              expected[i] = original[i] as number;
              fs.writeSync(fd, expected, i, 1, i);
            }
          },
        ),
        { numRuns: 1, endOnFailure: true },
      );
    } finally {
      fs.closeSync(fd);
    }
    // Nothing else appeared (no rewritten segment, no temporary file).
    expect(fs.readdirSync(dir)).toEqual([segName]);
    // Every byte is covered by the magic or a CRC, so in fact every flip is refused.
    expect(refused).toBe(original.length);
  });

  it("a truncation at any offset opens with exactly the records before the cut (a torn tail)", async () => {
    const dir = path.join(root, "cut");
    fs.mkdirSync(dir);
    const file = path.join(dir, segName);
    fs.writeFileSync(file, original);
    const fd = fs.openSync(file, "r+");
    const onDisk = Buffer.alloc(original.length + 1);
    try {
      for (let k = 0; k < original.length; k++) {
        fs.ftruncateSync(fd, k);
        const kept = frames.filter((f) => f.end <= k);
        const boundary = kept.length > 0 ? (kept[kept.length - 1] as Frame).end : SEGMENT_MAGIC.length;
        const { records, error } = await openDir(dir);
        expect(error, `cut at ${k}`).toBeUndefined();
        expect(fingerprint(records as JournalRecord[]), `cut at ${k}`).toBe(
          fingerprint(kept.map((f) => f.record)),
        );
        // Cut back to the last whole record (a cut inside the magic leaves a fresh magic).
        const n = fs.readSync(fd, onDisk, 0, onDisk.length, 0);
        expect(onDisk.subarray(0, n).equals(original.subarray(0, boundary)), `cut at ${k}`).toBe(true);
        fs.writeSync(fd, original, boundary, original.length - boundary, boundary);
      }
    } finally {
      fs.closeSync(fd);
    }
  });

  it("salvage after a flip recovers every record that does not overlap the damaged one", async () => {
    const src = path.join(root, "salvage-src");
    fs.mkdirSync(src);
    const file = path.join(src, segName);
    let n = 0;
    await fc.assert(
      fc.property(fc.nat({ max: original.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, mask) => {
        const damaged = Buffer.from(original);
        damaged[i] = (damaged[i] as number) ^ mask;
        fs.writeFileSync(file, damaged);
        const out = path.join(root, `salvage-out-${n++}`);
        const rep = salvageJournal(src, out);
        const expected = frames.filter((f) => !(f.offset <= i && i < f.end));
        const got = readJournal(out);
        expect(got.problem).toBe("");
        expect(fingerprint(got.records)).toBe(fingerprint(expected.map((f) => f.record)));
        expect(rep.records).toBe(expected.length);
        // The lost record is counted exactly (sequence gap) unless it was the last one.
        const lost = frames.length - expected.length;
        expect(rep.recordsLost).toBe(lost);
        // One damaged region, where the damaged record (or the magic) starts, exactly as long.
        const victim = frames.find((f) => f.offset <= i && i < f.end);
        expect(rep.damage.length).toBe(1);
        expect(rep.damage[0]).toMatchObject(
          victim
            ? { offset: victim.offset, length: victim.end - victim.offset }
            : { offset: 0, length: SEGMENT_MAGIC.length },
        );
        expect(fs.readFileSync(file).equals(damaged)).toBe(true);
        fs.rmSync(out, { recursive: true });
      }),
      { numRuns: 80 },
    );
  });
});
