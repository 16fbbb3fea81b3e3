import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  describeRegion,
  encodeRecord,
  FileJournal,
  inspectJournal,
  JournalCorruptError,
  readJournal,
  SEGMENT_MAGIC,
  salvageJournal,
  scanSegment,
  verifyJournal,
} from "../src/journal.js";

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "nadir-journal-"));
  dirs.push(d);
  return d;
}
function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error("expected an error");
}

afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function report(trialId: number, seq: number) {
  return {
    trialReport: {
      trial: { studyId: "s", trialId, attempt: 1 },
      sequence: seq,
      measurement: { step: seq * 10, elapsedSeconds: seq, metrics: { loss: 1 / seq } },
    },
  };
}

function segment(dir: string, n = 1): string {
  return path.join(dir, `journal-${String(n).padStart(8, "0")}.log`);
}

describe("FileJournal", () => {
  it("replays exactly what was appended, with increasing sequence numbers", async () => {
    const dir = tmp();
    const j = new FileJournal(dir);
    expect(j.open().records).toEqual([]);
    await Promise.all(Array.from({ length: 100 }, (_, i) => j.append(report(1 + (i % 3), i + 1))));
    await j.close();
    const j2 = new FileJournal(dir);
    const { records, report: rep } = j2.open();
    expect(rep.truncatedBytes).toBe(0);
    expect(records.map((r) => r.sequence)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(records[41]?.trialReport?.measurement?.metrics?.loss).toBe(1 / 42);
    await j2.append(report(9, 1));
    await j2.close();
    expect(
      readJournal(dir)
        .records.map((r) => r.sequence)
        .at(-1),
    ).toBe(101);
  });

  it("detects a torn last record at every cut point and keeps the records before it", async () => {
    const dir = tmp();
    const j = new FileJournal(dir, { fsync: "never" });
    j.open();
    for (let i = 1; i <= 5; i++) await j.append(report(1, i));
    await j.close();
    const full = fs.readFileSync(segment(dir));
    const all = scanSegment(full);
    expect(all.records.length).toBe(5);
    const lastLen = encodeRecord(all.records[4] as never).length;
    expect(lastLen).toBeGreaterThan(8);
    const goodPrefix = scanSegment(full.subarray(0, full.length - lastLen));
    expect(goodPrefix.records.length).toBe(4);
    for (let cut = 1; cut < lastLen; cut++) {
      fs.writeFileSync(segment(dir), full.subarray(0, full.length - cut));
      const warnings: string[] = [];
      const jj = new FileJournal(dir, { onWarning: (w) => warnings.push(w) });
      const { records, report: rep } = jj.open();
      expect(records.length).toBe(4);
      expect(rep.truncatedBytes).toBe(lastLen - cut);
      expect(warnings.length).toBe(1);
      await jj.close();
      // Truncated on disk, so a second open is clean.
      expect(fs.statSync(segment(dir)).size).toBe(full.length - lastLen);
    }
  });

  it("refuses a whole last record whose CRC does not match (a flipped byte, not a torn write) and leaves it", async () => {
    const dir = tmp();
    const j = new FileJournal(dir);
    j.open();
    for (let i = 1; i <= 3; i++) await j.append(report(1, i));
    await j.close();
    const buf = fs.readFileSync(segment(dir));
    const lastStart = buf.length - encodeRecord(scanSegment(buf).records[2] as never).length;
    buf[buf.length - 2] = (buf[buf.length - 2] as number) ^ 0x01;
    fs.writeFileSync(segment(dir), buf);
    const err = catchError(() => new FileJournal(dir).open());
    expect(err).toBeInstanceOf(JournalCorruptError);
    expect(err).toMatchObject({ code: "JOURNAL_CORRUPT", file: segment(dir), offset: lastStart });
    expect((err as Error).message).toMatch(/CRC-32C/);
    expect(fs.readFileSync(segment(dir)).equals(buf)).toBe(true);
    expect(() => readJournal(dir)).toThrow(JournalCorruptError);
  });

  it("cuts a zero-filled tail (blocks allocated but never written) as a torn tail", async () => {
    const dir = tmp();
    const j = new FileJournal(dir);
    j.open();
    for (let i = 1; i <= 3; i++) await j.append(report(1, i));
    await j.close();
    const good = fs.readFileSync(segment(dir));
    fs.writeFileSync(segment(dir), Buffer.concat([good, Buffer.alloc(4096)]));
    expect(readJournal(dir).problem).toMatch(/torn tail: zero-filled tail/);
    const { records, report: rep } = new FileJournal(dir).open();
    expect(records.map((r) => r.sequence)).toEqual([1, 2, 3]);
    expect(rep.truncatedBytes).toBe(4096);
    expect(fs.readFileSync(segment(dir)).equals(good)).toBe(true);
  });

  it("a torn tail is cut and appends continue after it", async () => {
    const dir = tmp();
    const j = new FileJournal(dir);
    j.open();
    for (let i = 1; i <= 3; i++) await j.append(report(1, i));
    await j.close();
    const buf = fs.readFileSync(segment(dir));
    fs.writeFileSync(segment(dir), buf.subarray(0, buf.length - 3));
    const j2 = new FileJournal(dir);
    const { records, report: rep } = j2.open();
    expect(records.length).toBe(2);
    expect(rep.truncationReason).toMatch(/last record cut short/);
    await j2.append(report(1, 3));
    await j2.close();
    const again = readJournal(dir);
    expect(again.problem).toBe("");
    expect(again.records.map((r) => r.sequence)).toEqual([1, 2, 3]);
  });

  it("verify counts what a damaged region lost from the sequence gap and names its trial, even through a damaged study id", async () => {
    const dir = tmp();
    const j = new FileJournal(dir);
    j.open();
    for (let i = 1; i <= 6; i++) await j.append(report(i, i));
    await j.close();
    const buf = fs.readFileSync(segment(dir));
    const frames = inspectJournal(dir).segments[0]?.frames ?? [];
    const victim = frames[2] as (typeof frames)[number];
    // The payload is: sequence, time, then trialReport { trial { study_id "s" ... } }: damage the "s".
    const at =
      victim.offset +
      8 +
      buf.subarray(victim.offset + 8, victim.end).indexOf(Buffer.from("0a0173", "hex")) +
      2;
    buf[at] = 0xff;
    fs.writeFileSync(segment(dir), buf);
    const v = verifyJournal(dir);
    expect(v.status).toBe("corrupt");
    expect(v.records).toBe(5);
    expect(v.damage).toMatchObject([
      {
        offset: victim.offset,
        length: victim.end - victim.offset,
        afterSequence: 2,
        beforeSequence: 4,
        recordsLost: 1,
        recordsLostExact: true,
        trials: ["?/3#1 trialReport"],
      },
    ]);
    expect(describeRegion(v.damage[0] as never)).toContain(
      "1 record (sequence 3) lost; probably ?/3#1 trialReport",
    );
  });

  it("treats damage in an older segment as corruption, not a torn tail", async () => {
    const dir = tmp();
    fs.mkdirSync(dir, { recursive: true });
    const rec = (s: number) => encodeRecord({ sequence: s, recordedUnixMs: 1, ...report(1, s) });
    fs.writeFileSync(segment(dir, 1), Buffer.concat([SEGMENT_MAGIC, rec(1), rec(2).subarray(0, 5)]));
    fs.writeFileSync(segment(dir, 2), Buffer.concat([SEGMENT_MAGIC, rec(3)]));
    expect(() => new FileJournal(dir).open()).toThrow(JournalCorruptError);
  });

  it("compaction replaces history atomically; replay starts at the snapshot and appends continue", async () => {
    const dir = tmp();
    const j = new FileJournal(dir);
    j.open();
    for (let i = 1; i <= 50; i++) await j.append(report(1, i));
    expect(j.recordsSinceCompaction).toBe(50);
    const pending = j.append(report(2, 1));
    await j.compact([{ snapshot: { studies: [], trials: [], coversThroughSequence: 51 } }, report(3, 1)]);
    await pending;
    await j.append(report(4, 1));
    await j.close();
    expect(fs.readdirSync(dir).sort()).toEqual(["journal-00000002.log"]);
    const { records } = new FileJournal(dir).open();
    expect(records.map((r) => r.entry)).toEqual(["snapshot", "trialReport", "trialReport"]);
    expect(records.map((r) => r.trialReport?.trial?.trialId ?? 0)).toEqual([0, 3, 4]);
    // Sequence numbers never go back, across compactions.
    expect(records.map((r) => r.sequence)).toEqual([52, 53, 54]);
  });

  it("after a compaction interrupted before deleting old segments: damage in a superseded one is ignored, in the snapshot it is corruption", async () => {
    const dir = tmp();
    const rec = (s: number) => encodeRecord({ sequence: s, recordedUnixMs: 1, ...report(1, s) });
    const snap = encodeRecord({ sequence: 3, recordedUnixMs: 1, snapshot: { coversThroughSequence: 2 } });
    // Segment 1 (superseded) has a flipped byte; segment 2 starts with an intact snapshot.
    const old = Buffer.concat([SEGMENT_MAGIC, rec(1), rec(2)]);
    old[12] = (old[12] as number) ^ 0xff;
    fs.writeFileSync(segment(dir, 1), old);
    fs.writeFileSync(segment(dir, 2), Buffer.concat([SEGMENT_MAGIC, snap, rec(4)]));
    const v = verifyJournal(dir);
    expect(v).toMatchObject({ status: "clean", superseded: ["journal-00000001.log"], records: 2 });
    const { records } = new FileJournal(dir).open();
    expect(records.map((r) => r.sequence)).toEqual([3, 4]);
    expect(fs.existsSync(segment(dir, 1))).toBe(false);

    // Now the snapshot itself is damaged while segment 1 is still there: replay would need segment 1 and
    // then segment 2 without its snapshot: corruption, and neither file changes.
    const dir2 = tmp();
    const seg2 = Buffer.concat([SEGMENT_MAGIC, snap, rec(4)]);
    seg2[SEGMENT_MAGIC.length + 9] = (seg2[SEGMENT_MAGIC.length + 9] as number) ^ 0x01;
    const seg1 = Buffer.concat([SEGMENT_MAGIC, rec(1), rec(2)]);
    fs.writeFileSync(segment(dir2, 1), seg1);
    fs.writeFileSync(segment(dir2, 2), seg2);
    expect(() => new FileJournal(dir2).open()).toThrow(
      expect.objectContaining({ code: "JOURNAL_CORRUPT", file: segment(dir2, 2), offset: 8 }),
    );
    expect(fs.readFileSync(segment(dir2, 1)).equals(seg1)).toBe(true);
    expect(fs.readFileSync(segment(dir2, 2)).equals(seg2)).toBe(true);
    const out = path.join(tmp(), "salvaged");
    expect(salvageJournal(dir2, out).records).toBe(3);
    expect(readJournal(out).records.map((r) => r.sequence)).toEqual([1, 2, 4]);
  });

  it("ignores an interrupted compaction's temporary file", async () => {
    const dir = tmp();
    const j = new FileJournal(dir);
    j.open();
    await j.append(report(1, 1));
    await j.close();
    fs.writeFileSync(path.join(dir, "journal-00000002.log.tmp"), Buffer.from("garbage"));
    const { records } = new FileJournal(dir).open();
    expect(records.length).toBe(1);
    expect(fs.existsSync(path.join(dir, "journal-00000002.log.tmp"))).toBe(false);
  });

  it("validates options and refuses appends when closed", async () => {
    expect(() => new FileJournal("")).toThrow(/non-empty/);
    expect(() => new FileJournal(tmp(), { fsync: "sometimes" as never })).toThrow(/fsync/);
    const j = new FileJournal(tmp());
    await expect(j.append(report(1, 1))).rejects.toThrow(/not open/);
  });
});
