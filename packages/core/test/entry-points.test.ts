// The public surface: the package root exports the user-facing API, and every documented sub-entry point
// in package.json `exports` resolves by its package name (as an installed user imports it) to the built
// module with the same exports as its source.
import { describe, expect, it } from "vitest";
import * as src from "../src/index.js";
import * as listsSrc from "../src/list-building.js";
import * as numericsSrc from "../src/numerics.js";
import * as tabularSrc from "../src/tabular.js";

describe("@nadir/core public surface", () => {
  it("sub-entry points resolve by package name to modules with the source's exports", async () => {
    const subs: [string, Record<string, unknown>][] = [
      ["@nadir/core/tabular", tabularSrc],
      ["@nadir/core/lists", listsSrc],
      ["@nadir/core/numerics", numericsSrc],
      ["@nadir/core/nadamw", await import("../src/nadamw.js")],
      ["@nadir/core/hpobench", await import("../src/hpobench.js")],
    ];
    for (const [spec, mod] of subs) {
      const built = (await import(spec)) as Record<string, unknown>;
      expect(Object.keys(built).sort(), spec).toEqual(Object.keys(mod).sort());
    }
    const root = (await import("@nadir/core")) as Record<string, unknown>;
    expect(Object.keys(root).sort()).toEqual(Object.keys(src).sort());
  });

  it("the root holds the user-facing API and none of the internals", () => {
    for (const name of [
      "getList",
      "materialize",
      "sample",
      "buildList",
      "readTrialsTable",
      "stepLaw",
      "CoreError",
    ])
      expect(src, name).toHaveProperty(name);
    for (const name of [
      "requireFinite",
      "requireInt",
      "describe",
      "costMatrix",
      "greedyList",
      "crExp",
      "haltonBases",
      "pyFloat",
      "simulateNadamw",
      "loadHpobench",
      "isGzip",
      "TrialsTableBuilder",
    ])
      expect(src, name).not.toHaveProperty(name);
  });
});
