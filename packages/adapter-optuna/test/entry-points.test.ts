// The public surface: the root reads studies and writes records; the journal replay is the documented
// sub-entry point `@nadir/adapter-optuna/journal`, resolved by package name.
import { describe, expect, it } from "vitest";
import * as src from "../src/index.js";
import * as journalSrc from "../src/journal.js";

describe("@nadir/adapter-optuna public surface", () => {
  it("root and /journal resolve by package name to the built modules", async () => {
    const journal = (await import("@nadir/adapter-optuna/journal")) as Record<string, unknown>;
    expect(Object.keys(journal).sort()).toEqual(Object.keys(journalSrc).sort());
    const root = (await import("@nadir/adapter-optuna")) as Record<string, unknown>;
    expect(Object.keys(root).sort()).toEqual(Object.keys(src).sort());
    for (const name of ["replayOptunaJournal", "journalRecords", "parseDistribution", "STATE_MAP"])
      expect(src, name).not.toHaveProperty(name);
  });
});
