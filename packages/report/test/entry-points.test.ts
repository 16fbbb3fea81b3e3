// The public surface: the root exports renderReport, its input types and the errors; the plot builders
// and the number formatting are the documented sub-entry points, resolved by package name.
import { describe, expect, it } from "vitest";
import * as src from "../src/index.js";
import * as formatSrc from "../src/numbers.js";
import * as plotsSrc from "../src/plots.js";

describe("@nadir/report public surface", () => {
  it("root, /plots and /format resolve by package name to the built modules", async () => {
    for (const [spec, mod] of [
      ["@nadir/report", src],
      ["@nadir/report/plots", plotsSrc],
      ["@nadir/report/format", formatSrc],
    ] as const) {
      const built = (await import(spec)) as Record<string, unknown>;
      expect(Object.keys(built).sort(), spec).toEqual(Object.keys(mod).sort());
    }
  });

  it("the root keeps only deprecated aliases of the moved helpers", () => {
    for (const name of [
      "prefixIds",
      "roundPathData",
      "fittedCdf",
      "logGrid",
      "escapeHtml",
      "toNumber",
      "dejaVuWidth",
    ])
      expect(src, name).not.toHaveProperty(name);
    expect(src.renderSvg).toBe(plotsSrc.renderSvg);
    expect(src.formatNumber).toBe(formatSrc.formatNumber);
  });
});
