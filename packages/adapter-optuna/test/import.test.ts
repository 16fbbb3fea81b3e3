/**
 * Both import paths on studies written by the real Optuna inside this test (optuna-scenario.ts): the
 * TypeScript journal replay, the Python bridge used for SQLite, and Optuna's own live Study objects must
 * all agree, trial by trial.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  nadirPython,
  OptunaImportError,
  readOptunaJournal,
  readOptunaStorage,
  type TrialRecord,
  toJsonl,
} from "../src/index.js";
import { journalRecords, journalStudyNames, replayOptunaJournal } from "../src/journal.js";
import { type OptunaScenario, type RefTrial, runOptunaScenario } from "./optuna-scenario.js";

let sc: OptunaScenario;

const toNum = (v: number | string | null): number | null => (v === null ? null : Number(v));

function expectMatchesReference(records: TrialRecord[], reference: RefTrial[]): void {
  expect(records.map((r) => r.trial)).toEqual(reference.map((t) => t.number));
  for (const [i, t] of reference.entries()) {
    const r = records[i] as TrialRecord;
    expect(r.source_state).toBe(t.state);
    expect(r.params).toEqual(t.params);
    expect(r.list_index).toBe(t.list_index ?? null);
    expect(toNum(r.value)).toEqual(t.values === null ? null : t.values[0]);
    if (t.values !== null && t.values.length > 1) expect(r.values?.map((v) => Number(v))).toEqual(t.values);
    expect(r.intermediate.map(([s, v]) => [s, Number(v)])).toEqual(t.intermediate);
  }
}

/** Run `f`, expect an OptunaImportError, return it for its kind and message. */
function importError(f: () => unknown): OptunaImportError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(OptunaImportError);
    return err as OptunaImportError;
  }
  throw new Error("expected an OptunaImportError, nothing was thrown");
}

beforeAll(() => {
  sc = runOptunaScenario();
});

describe("journal replay in TypeScript", () => {
  it("sees the studies Optuna sees (deleted one gone)", () => {
    const j = replayOptunaJournal(readFileSync(sc.journalFile, "utf8"));
    expect(journalStudyNames(j)).toEqual(["exp", "other", "mo"]);
    expect(j.truncatedTail).toBe(false);
  });

  it("matches Optuna's live trials for every study", () => {
    for (const name of ["exp", "other", "mo"]) {
      const records = readOptunaJournal({ file: sc.journalFile }, { study: name });
      expectMatchesReference(records, sc.ref.journal[name] as RefTrial[]);
    }
    const exp = readOptunaJournal({ file: sc.journalFile }, { study: "exp" });
    expect(exp.map((r) => r.state)).toEqual([
      "COMPLETED",
      "COMPLETED",
      "COMPLETED",
      "PRUNED",
      "FAILED",
      "COMPLETED",
      "RUNNING",
      "QUEUED",
    ]);
    expect(exp[1]?.intermediate[1]).toEqual([20, "NaN"]);
    expect(exp[2]?.intermediate[2]).toEqual([30, "Infinity"]);
    expect(exp[7]?.started).toBeNull();
    expect(exp[0]?.started).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    // The multi-objective study keeps every objective, +inf as Python writes it.
    const mo = readOptunaJournal({ file: sc.journalFile }, { study: "mo" });
    expect(mo[0]?.values?.[1]).toBe("Infinity");
  });

  it("reads the same records from the file and from its text", () => {
    const text = readFileSync(sc.journalFile, "utf8");
    const fromFile = readOptunaJournal({ file: sc.journalFile }, { study: "exp" });
    expect(readOptunaJournal({ text }, { study: "exp" })).toEqual(fromFile);
    expect(journalRecords(replayOptunaJournal(text), "exp")).toEqual(fromFile);
    expect(fromFile).toHaveLength(8);
  });

  it("is row-for-row, key order included, what Optuna's own replay exports (python -m nadir_worker.adapters.optuna)", () => {
    for (const study of ["exp", "mo"]) {
      const py = spawnSync(
        nadirPython(),
        ["-m", "nadir_worker.adapters.optuna", "export", "--journal", sc.journalFile, "--study", study],
        { encoding: "utf8" },
      );
      expect(py.status, py.stderr).toBe(0);
      const rows = (text: string) =>
        text
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      const fromPython = rows(py.stdout);
      const fromTs = rows(toJsonl(readOptunaJournal({ file: sc.journalFile }, { study })));
      expect(fromTs).toHaveLength(study === "exp" ? 8 : 2);
      expect(fromTs).toEqual(fromPython);
      expect(fromTs.map((r) => Object.keys(r))).toEqual(fromPython.map((r) => Object.keys(r)));
    }
  });

  it("skips an unfinished last line and rejects a broken middle line", () => {
    const text = readFileSync(sc.journalFile, "utf8");
    const partial = `${text}{"op_code":4,"worker_id":"w","stu`;
    const j = replayOptunaJournal(partial);
    expect(j.truncatedTail).toBe(true);
    expect(journalRecords(j, "exp")).toHaveLength(8);
    const lines = text.split("\n");
    lines.splice(3, 0, "{not json");
    expect(() => replayOptunaJournal(lines.join("\n"))).toThrow(/journal line 4: not valid JSON/);
    expect(() => replayOptunaJournal('{"op_code":42}\n')).toThrow(/unknown op_code 42/);
    expect(() => journalRecords(j, "nope")).toThrow(
      /no study named "nope"; the journal has \["exp","other","mo"\]/,
    );
  });

  it("says which file is missing or unreadable, as invalid input", () => {
    const absent = path.join(sc.dir, "absent.log");
    const missing = importError(() => readOptunaJournal({ file: absent }, { study: "exp" }));
    expect(missing.kind).toBe("input");
    expect(missing.message).toBe(`journal file ${absent} does not exist`);
    const dirErr = importError(() => readOptunaJournal({ file: sc.dir }, { study: "exp" }));
    expect(dirErr.kind).toBe("input");
    expect(dirErr.message).toMatch(new RegExp(`^cannot read journal file ${sc.dir}: .*EISDIR`));
  });
});

describe("SQLite through the Python bridge", () => {
  it("matches Optuna's live trials", () => {
    for (const name of ["exp", "other", "mo"]) {
      expectMatchesReference(
        readOptunaStorage(sc.sqliteUrl, { study: name }),
        sc.ref.sqlite[name] as RefTrial[],
      );
    }
  });

  it("passes the exporter's own message on for a missing study or database (kind input)", () => {
    const study = importError(() => readOptunaStorage(sc.sqliteUrl, { study: "zzz" }));
    expect(study.kind).toBe("input");
    expect(study.message).toContain("no study named 'zzz'; the storage has ['exp', 'other', 'mo']");
    expect(study.message).not.toMatch(/^error: /);
    const db = importError(() => readOptunaStorage(`sqlite:///${sc.dir}/absent.db`, { study: "exp" }));
    expect(db.kind).toBe("input");
    expect(db.message).toContain("absent.db' does not exist");
  });

  it("reports an interpreter that cannot run as an environment problem, naming it", () => {
    const python = path.join(sc.dir, "no-such-python");
    const err = importError(() => readOptunaStorage(sc.sqliteUrl, { study: "exp", python }));
    expect(err.kind).toBe("environment");
    expect(err.message).toMatch(
      new RegExp(
        `^cannot run ${python} \\(set NADIR_PYTHON to a Python with nadir-worker\\[optuna\\] installed\\)`,
      ),
    );
  });

  it("reports an interpreter without the exporter as an environment problem, with its stderr", () => {
    // /bin/sh runs "-m" as an unknown option and exits 2: the bridge must not take that for bad input.
    const err = importError(() => readOptunaStorage(sc.sqliteUrl, { study: "exp", python: "/bin/sh" }));
    expect(err.kind).toBe("environment");
    expect(err.message).toMatch(/^\/bin\/sh -m nadir_worker\.adapters\.optuna export failed \(exit 2\): \S/);
  });
});
