// One error root: every error the coordinator throws on purpose is a CoordinatorError with a closed code
// (and the field or file in `path` where there is one); the subclasses keep their names.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { nadir } from "@nadir/protocol";
import { afterAll, describe, expect, it } from "vitest";
import {
  COORDINATOR_ERROR_CODES,
  CoordinatorError,
  ExportError,
  formatStudyExport,
  JournalCorruptError,
  KeyFileError,
  MaterializeError,
  optimizerSettings,
  readJournal,
  readKeyPair,
  StudyValidationError,
  studyFromJson,
} from "../src/index.js";

const tmp = mkdtempSync(path.join(tmpdir(), "nadir-coordinator-errors-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe("CoordinatorError", () => {
  it("is the root of the study, materialisation, key and journal errors, with their codes and paths", () => {
    const study = thrown(() => studyFromJson([1, 2]));
    expect(study).toBeInstanceOf(StudyValidationError);
    expect(study).toBeInstanceOf(CoordinatorError);
    expect(study).toMatchObject({ name: "StudyValidationError", code: "study_invalid", path: "(root)" });

    const mat = thrown(() => optimizerSettings({ optimizerDefaults: { variant: "adamw" } }));
    expect(mat).toBeInstanceOf(MaterializeError);
    expect(mat).toMatchObject({ code: "materialize_failed", path: "optimizerDefaults.variant" });

    const key = thrown(() => readKeyPair(tmp, "nobody"));
    expect(key).toBeInstanceOf(KeyFileError);
    expect(key).toMatchObject({ name: "KeyFileError", code: "key_file_invalid" });

    const journal = thrown(() => readJournal(path.join(tmp, "no-journal-here")));
    expect(journal).toBeInstanceOf(JournalCorruptError);
    expect(journal).toBeInstanceOf(CoordinatorError);
    expect((journal as CoordinatorError).code).toBe("JOURNAL_NOT_FOUND");
  });

  it("an export in an unknown format is an ExportError", () => {
    const spec = nadir.v1.StudySpec.create({ studyId: "s" });
    const err = thrown(() => formatStudyExport("s", { spec, trials: [] }, "xml" as "csv"));
    expect(err).toBeInstanceOf(ExportError);
    expect(err).toMatchObject({ name: "ExportError", code: "export_invalid" });
  });

  it("lists every code once", () => {
    expect(new Set(COORDINATOR_ERROR_CODES).size).toBe(COORDINATOR_ERROR_CODES.length);
    expect(COORDINATOR_ERROR_CODES).toContain("JOURNAL_CORRUPT");
  });
});
