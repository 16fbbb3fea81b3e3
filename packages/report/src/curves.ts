/**
 * Parsers from text to the report's learning-curve input (no I/O: the CLI reads the files).
 *
 * - `curvesFromExport`: the coordinator's `curves-jsonl` export (packages/coordinator/src/export.ts):
 *   one line per intermediate report with `trial`, `attempt`, `step` and the metrics by name. Only
 *   the last attempt of each trial is kept, matching the trial table's "last attempt" rows.
 * - `curvesFromResults`: a results JSONL whose records carry their own curve (e.g. opda's runs:
 *   `learning_curves.matched` = `[[step, value], ...]`, or `learning_curve` = `[{epoch, top_1}, ...]`).
 */
import { ReportInputError } from "./errors.js";
import type { LearningCurves } from "./types.js";

type Json = Record<string, unknown>;

function parseLines(text: string, what: string): Json[] {
  const out: Json[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      throw new ReportInputError(`${what} line ${i + 1}`, `not valid JSON (${(err as Error).message})`);
    }
    if (typeof v !== "object" || v === null || Array.isArray(v))
      throw new ReportInputError(`${what} line ${i + 1}`, "must be a JSON object");
    out.push(v as Json);
  });
  return out;
}

/** A number from a JSON value: numbers as they are, and the export's "NaN"/"Infinity"/"-Infinity" strings. */
function num(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (v === "NaN" || v === "nan") return Number.NaN;
  if (v === "Infinity" || v === "inf") return Number.POSITIVE_INFINITY;
  if (v === "-Infinity" || v === "-inf") return Number.NEGATIVE_INFINITY;
  return undefined;
}

/**
 * Learning curves from the coordinator's `curves-jsonl` export, for metric `metric`. Lines without
 * that metric are skipped (a report may carry other metrics only); NaN values are dropped.
 * @throws ReportInputError for a malformed line, or when no line has the metric
 */
export function curvesFromExport(text: string, metric: string): LearningCurves {
  const rows = parseLines(text, "curves-jsonl");
  const lastAttempt = new Map<string, number>();
  const byTrial = new Map<string, Map<number, Array<{ step: number; value: number }>>>();
  let seen = 0;
  rows.forEach((r, i) => {
    const trial = r.trial;
    const step = num(r.step);
    if (
      (typeof trial !== "string" && typeof trial !== "number") ||
      step === undefined ||
      !Number.isFinite(step)
    ) {
      throw new ReportInputError(`curves-jsonl line ${i + 1}`, "needs a trial id and a finite step");
    }
    const value = num(r[metric]);
    if (value === undefined) return;
    seen++;
    if (Number.isNaN(value)) return;
    const t = String(trial);
    const attempt = typeof r.attempt === "number" ? r.attempt : 0;
    lastAttempt.set(t, Math.max(lastAttempt.get(t) ?? attempt, attempt));
    let m = byTrial.get(t);
    if (!m) {
      m = new Map();
      byTrial.set(t, m);
    }
    let pts = m.get(attempt);
    if (!pts) {
      pts = [];
      m.set(attempt, pts);
    }
    pts.push({ step, value });
  });
  if (seen === 0) throw new ReportInputError("curves-jsonl", `no line has the metric "${metric}"`);
  const trials = [...byTrial.entries()].map(([trial, m]) => ({
    trial,
    points: (m.get(lastAttempt.get(trial) ?? 0) ?? []).sort((x, y) => x.step - y.step),
  }));
  return { x_label: "step", y_label: metric, trials };
}

function getPath(obj: Json, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Json)[part];
  }
  return cur;
}

/** Options of {@link curvesFromResults}: where each record keeps its curve and how to read it. */
export interface ResultsCurveOptions {
  /** Dotted path of the curve in each record, e.g. `learning_curves.matched` or `learning_curve`. */
  field: string;
  /** For curves of objects: the step key (default "step"; opda's vision runs use "epoch"). */
  stepKey?: string;
  /** For curves of objects: the value key (required for objects, e.g. "top_1"). */
  valueKey?: string;
  /** Maps each value (e.g. accuracy → error rate as 1 − v); default identity. */
  transform?: (v: number) => number;
  /** Record key naming the trial (default: "trial", then "iteration", else the line number). */
  idKey?: string;
}

/**
 * Learning curves carried inside a results JSONL: each record's `field` is a list of `[step, value]`
 * pairs or of objects (`stepKey`, `valueKey`). A record without the field gets an empty curve.
 * @throws ReportInputError naming the line of a malformed curve, or when no record has the field
 */
export function curvesFromResults(text: string, options: ResultsCurveOptions): LearningCurves {
  const rows = parseLines(text, "results");
  const stepKey = options.stepKey ?? "step";
  const f = options.transform ?? ((v: number) => v);
  let found = 0;
  const trials = rows.map((r, i) => {
    const idRaw = options.idKey ? r[options.idKey] : (r.trial ?? r.iteration);
    const trial = typeof idRaw === "string" || typeof idRaw === "number" ? String(idRaw) : String(i + 1);
    const curve = getPath(r, options.field);
    if (curve === undefined || curve === null) return { trial, points: [] };
    if (!Array.isArray(curve))
      throw new ReportInputError(`results line ${i + 1}: ${options.field}`, "must be a list");
    found++;
    const points: Array<{ step: number; value: number }> = [];
    curve.forEach((p, j) => {
      let step: number | undefined;
      let value: number | undefined;
      if (Array.isArray(p)) {
        step = num(p[0]);
        value = num(p[1]);
      } else if (p && typeof p === "object") {
        if (!options.valueKey)
          throw new ReportInputError(
            `results line ${i + 1}: ${options.field}[${j}]`,
            "is an object: say which key holds the value (--curve-value)",
          );
        step = num((p as Json)[stepKey]);
        value = num((p as Json)[options.valueKey]);
      }
      if (step === undefined || value === undefined)
        throw new ReportInputError(
          `results line ${i + 1}: ${options.field}[${j}]`,
          `needs a numeric step and value, got ${JSON.stringify(p)}`,
        );
      if (!Number.isFinite(step) || Number.isNaN(value)) return;
      points.push({ step, value: f(value) });
    });
    return { trial, points };
  });
  if (found === 0) throw new ReportInputError(`results: ${options.field}`, "no record has this field");
  return { x_label: stepKey === "step" ? "step" : stepKey, trials };
}
