// `nadir journal verify|salvage` through main() (so the command's registration is tested too), on real
// journal files written by the coordinator's FileJournal and damaged on disk the way `dd` would.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FileJournal, inspectJournal, type JournalRecord } from "@nadir/coordinator";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../src/main.js";

const tmp = fs.mkdtempSync(path.join(tmpdir(), "nadir-journal-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const SEG = "journal-00000001.log";
const TRIALS = 10;

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out.push(String(s));
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    err.push(String(s));
    return true;
  });
  let code: number;
  try {
    code = await main(["node", "nadir", ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  return { code, out: out.join(""), err: err.join("") };
}

const sha = (file: string): string => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** Copies the clean journal to `name` and applies `damage` to its segment in place. */
function damagedCopy(name: string, damage: (fd: number) => void): string {
  const dir = path.join(tmp, name);
  fs.cpSync(clean, dir, { recursive: true });
  const fd = fs.openSync(path.join(dir, SEG), "r+");
  try {
    damage(fd);
  } finally {
    fs.closeSync(fd);
  }
  return dir;
}

let clean: string;
let offsets: { offset: number; end: number; record: JournalRecord }[];

beforeAll(async () => {
  clean = path.join(tmp, "clean");
  const j = new FileJournal(clean);
  j.open();
  await j.append({ studyCreated: { studyId: "s", objective: { metric: "loss" }, stepBudget: 10 } });
  for (let t = 1; t <= TRIALS; t++) {
    const trial = { studyId: "s", trialId: t, attempt: 1 };
    await j.append({ trialCreated: { trial: { ...trial, attempt: 0 }, seed: t } });
    await j.append({ attemptAssigned: { assignment: { trial }, workerId: "w" } });
    await j.append({ trialCompleted: { trial, final: { step: 10, metrics: { loss: 1 / t } } } });
  }
  await j.close();
  offsets = inspectJournal(clean).segments[0]?.frames ?? [];
  expect(offsets.length).toBe(1 + 3 * TRIALS);
});

describe("nadir journal verify", () => {
  it("says OK and exits 0 for a clean journal", async () => {
    const r = await run("journal", "verify", clean);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`journal ${clean}: OK, 1 segment, 31 records (sequence 1..31)\n`);
  });

  it("reports a flipped byte as corruption (file, offset, length, the record and trial lost), exit 1, file untouched", async () => {
    // Trial 5's TrialCompleted is record 16 (1 StudyCreated + 3 per trial).
    const victim = offsets[15] as (typeof offsets)[number];
    expect(victim.record.trialCompleted?.trial?.trialId).toBe(5);
    // A byte of its stored CRC: the payload still decodes, so verify can name the trial it was about.
    const dir = damagedCopy("flip", (fd) => fs.writeSync(fd, Buffer.of(0x5a), 0, 1, victim.offset + 5));
    const file = path.join(dir, SEG);
    const before = sha(file);
    const r = await run("journal", "verify", dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`journal ${dir}: CORRUPT`);
    expect(r.out).toContain(
      `damaged: ${SEG} bytes ${victim.offset}..${victim.end} (${victim.end - victim.offset} bytes, corrupt)`,
    );
    expect(r.out).toContain("1 record (sequence 16) lost; probably s/5#1 trialCompleted (unverified)");
    const j = await run("journal", "verify", dir, "--json");
    expect(j.code).toBe(1);
    const rep = JSON.parse(j.out);
    expect(rep.status).toBe("corrupt");
    expect(rep.records).toBe(30);
    expect(rep.damage).toMatchObject([
      {
        file,
        offset: victim.offset,
        length: victim.end - victim.offset,
        recordsLost: 1,
        recordsLostExact: true,
      },
    ]);
    expect(sha(file)).toBe(before);
    // The tools that open the journal refuse it too, naming the file and offset.
    const exp = await run("export", dir, "--study", "s");
    expect(exp.code).not.toBe(0);
    expect(exp.err).toContain(`${file}: journal corrupt at byte ${victim.offset}`);
    const st = await run("status", "--journal", dir);
    expect(st.code).not.toBe(0);
    expect(st.err).toContain(`journal corrupt at byte ${victim.offset}`);
    expect(sha(file)).toBe(before);
  });

  it("reports a torn tail as OK (exit 0), since opening cuts only an unacknowledged write", async () => {
    const dir = damagedCopy("torn", (fd) => fs.ftruncateSync(fd, fs.fstatSync(fd).size - 5));
    const r = await run("journal", "verify", dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain("OK with a torn tail");
    expect(r.out).toMatch(/torn-tail\): last record cut short/);
  });

  it("exits 2 for a path that is not a journal", async () => {
    const r = await run("journal", "verify", path.join(tmp, "nope"));
    expect(r.code).toBe(2);
    expect(r.err).toContain("not a journal directory");
  });
});

describe("nadir journal salvage", () => {
  it("writes every intact record into --out (which then opens cleanly), prints what was lost, never touches the source", async () => {
    const victim = offsets[10] as (typeof offsets)[number];
    const dir = damagedCopy("salvage", (fd) => {
      // A damaged magic and a damaged record.
      fs.writeSync(fd, Buffer.from("X"), 0, 1, 0);
      fs.writeSync(fd, Buffer.of(0xff, 0xff), 0, 2, victim.offset + 4);
    });
    const before = sha(path.join(dir, SEG));
    const out = path.join(tmp, "salvaged");
    const r = await run("journal", "salvage", dir, "--out", out);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`salvaged 30 intact records (sequence 1..31) from ${dir}`);
    expect(r.out).toContain(
      `lost: ${SEG} bytes 0..8 (8 bytes, corrupt): segment does not start with the NADIRJ01 magic`,
    );
    expect(r.out).toContain(`lost: ${SEG} bytes ${victim.offset}..${victim.end}`);
    expect(r.out).toContain(
      `skipped ${8 + victim.end - victim.offset} damaged bytes in 2 regions; 1 record lost`,
    );
    expect(sha(path.join(dir, SEG))).toBe(before);
    const j = new FileJournal(out);
    const { records, report } = j.open();
    await j.close();
    expect(report.truncatedBytes).toBe(0);
    const want = offsets.filter((f) => f !== victim).map((f) => f.record.sequence);
    expect(records.map((x) => x.sequence)).toEqual(want);
    expect((await run("journal", "verify", out)).code).toBe(0);
    // --out must be new: salvage never overwrites.
    const again = await run("journal", "salvage", dir, "--out", out);
    expect(again.code).toBe(2);
    expect(again.err).toContain("is not empty");
  });
});
