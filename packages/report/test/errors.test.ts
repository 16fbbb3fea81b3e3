// One error root: every public function of @nadir/report that rejects its input throws a ReportError whose
// code is in the closed set, with the path of the offending field, plot or argument.

import type { TopLevelSpec } from "vega-lite";
import { describe, expect, it } from "vitest";
import {
  curvesFromExport,
  curvesFromResults,
  REPORT_ERROR_CODES,
  ReportError,
  type ReportErrorCode,
  type ReportInput,
  ReportInputError,
  ReportRenderError,
  renderReport,
  validateReportInput,
} from "../src/index.js";
import { formatNumber } from "../src/numbers.js";
import { logGrid, renderSvg } from "../src/plots.js";

function check(err: unknown, code: ReportErrorCode, path: string): void {
  expect(err).toBeInstanceOf(ReportError);
  const e = err as ReportError;
  expect(REPORT_ERROR_CODES).toContain(e.code);
  expect(e.code).toBe(code);
  expect(e.path).toBe(path);
  expect(e.name).toBe(e.constructor.name);
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error("expected a ReportError, nothing was thrown");
}

describe("ReportError is the one root, with closed codes and paths", () => {
  it("validateReportInput / renderReport: invalid_input naming the field", async () => {
    const e = thrown(() => validateReportInput({} as ReportInput));
    check(e, "invalid_input", "analysis");
    expect(e).toBeInstanceOf(ReportInputError);
    await expect(renderReport({} as ReportInput)).rejects.toSatisfy((err: unknown) => {
      check(err, "invalid_input", "analysis");
      return true;
    });
  });

  it("curvesFromExport / curvesFromResults: invalid_input naming the line", () => {
    check(
      thrown(() => curvesFromExport("{}\nnot json\n", "loss")),
      "invalid_input",
      "curves-jsonl line 2",
    );
    check(
      thrown(() => curvesFromExport('{"trial":1,"step":1}\n', "loss")),
      "invalid_input",
      "curves-jsonl",
    );
    check(
      thrown(() => curvesFromResults('{"curve": 3}\n', { field: "curve" })),
      "invalid_input",
      "results line 1: curve",
    );
  });

  it("formatNumber / logGrid: invalid_argument naming the argument", () => {
    check(
      thrown(() => formatNumber(1, 0)),
      "invalid_argument",
      "digits",
    );
    check(
      thrown(() => logGrid(0, 1, 3)),
      "invalid_argument",
      "lo",
    );
    check(
      thrown(() => logGrid(2, 1, 3)),
      "invalid_argument",
      "hi",
    );
    check(
      thrown(() => logGrid(1, 2, 1)),
      "invalid_argument",
      "count",
    );
  });

  it("renderSvg: render_failed naming the plot", async () => {
    const bad = {
      mark: "point",
      data: { values: [{ x: 1 }] },
      encoding: { x: { field: "x", type: "nope" } },
    };
    const err = await renderSvg("tuning-curve", bad as unknown as TopLevelSpec, "p").then(
      () => undefined,
      (e: unknown) => e,
    );
    check(err, "render_failed", "tuning-curve");
    expect(err).toBeInstanceOf(ReportRenderError);
    expect((err as ReportRenderError).plot).toBe("tuning-curve");
  });
});
