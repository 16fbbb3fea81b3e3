// One error root: every public function of @nadir/adapter-optuna that fails throws an OptunaImportError whose
// code is in the closed set, whose kind follows from the code, and whose path says where.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  OPTUNA_IMPORT_ERROR_CODES,
  OptunaImportError,
  type OptunaImportErrorCode,
  readOptunaJournal,
  readOptunaStorage,
} from "../src/index.js";
import { parseDistribution, replayOptunaJournal } from "../src/journal.js";

function expectCode(f: () => unknown, code: OptunaImportErrorCode, where: string): OptunaImportError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(OptunaImportError);
  const e = err as OptunaImportError;
  expect(OPTUNA_IMPORT_ERROR_CODES).toContain(e.code);
  expect(e.code).toBe(code);
  expect(e.path).toBe(where);
  expect(e.kind).toBe(code.startsWith("python_") ? "environment" : "input");
  return e;
}

describe("OptunaImportError is the one root, with closed codes and paths", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "nadir-optuna-errors-"));

  it("readOptunaJournal: file_not_found, file_unreadable, malformed_journal, study_not_found", () => {
    const missing = path.join(dir, "missing.log");
    expectCode(() => readOptunaJournal({ file: missing }, { study: "s" }), "file_not_found", missing);
    expectCode(() => readOptunaJournal({ file: dir }, { study: "s" }), "file_unreadable", dir);
    const bad = expectCode(
      () => readOptunaJournal({ text: "garbage\n{}\n" }, { study: "s" }),
      "malformed_journal",
      "journal line 1",
    );
    expect(bad.message).toBe("journal line 1: not valid JSON");
    expectCode(() => readOptunaJournal({ text: "" }, { study: "s" }), "study_not_found", "study");
  });

  it("replayOptunaJournal / parseDistribution: malformed_journal", () => {
    expectCode(() => replayOptunaJournal('{"op_code": 99}\n{}\n'), "malformed_journal", "journal line 1");
    expectCode(
      () => parseDistribution('{"name": "NoSuchDistribution", "attributes": {}}'),
      "malformed_journal",
      "",
    );
  });

  it("readOptunaStorage: python_unavailable, storage_rejected (exit 1), python_failed (other exits)", () => {
    const opts = { study: "s" };
    expectCode(
      () => readOptunaStorage("sqlite:///x.db", { ...opts, python: path.join(dir, "no-python") }),
      "python_unavailable",
      "",
    );
    // `false` exits 1, which the exporter uses for "no such study or storage".
    expectCode(
      () => readOptunaStorage("sqlite:///x.db", { ...opts, python: "false" }),
      "storage_rejected",
      "",
    );
    // Node rejects `-m` with exit 9: an interpreter that fails for another reason.
    expectCode(
      () => readOptunaStorage("sqlite:///x.db", { ...opts, python: process.execPath }),
      "python_failed",
      "",
    );
  });
});
