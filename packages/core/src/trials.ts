/**
 * The long-format trials table that list construction reads: one row per (point, workload, seed) run,
 * stored densely (typed arrays) so that 30,000 points × 8 workloads × 5 seeds fit in a few MB.
 */
import { InvalidArgumentError, InvalidTrialsError } from "./errors.js";

/**
 * time-to-target: each run gives a step fraction t/T (∞ when the target was never reached), lower is better.
 * final-metric: each run gives a final metric; `direction` says which way is better.
 */
export type TrialsMode = "time-to-target" | "final-metric";
/** Which way a metric is better; time-to-target tables are always minimize (a lower step fraction wins). */
export type Direction = "minimize" | "maximize";

/** A dense (point × workload) table with a variable number of seed values per cell. */
export interface TrialsTable {
  mode: TrialsMode;
  /** time-to-target is always minimize. */
  direction: Direction;
  points: string[];
  workloads: string[];
  /** Cell (p, w) holds values[offsets[p·W + w] … offsets[p·W + w + 1]). */
  values: Float64Array;
  offsets: Int32Array;
}

/** The seed values of cell (p, w) (a view, not a copy). */
export function cell(t: TrialsTable, p: number, w: number): Float64Array {
  const i = p * t.workloads.length + w;
  return t.values.subarray(t.offsets[i] as number, t.offsets[i + 1] as number);
}

/** One row of the long-format table. */
export interface TrialRow {
  point: string;
  workload: string;
  /** final-metric mode. */
  metric?: number;
  /** time-to-target mode: first step at which the target was reached; null/undefined = not reached. */
  stepsToTarget?: number | null;
  stepBudget?: number;
  seed?: string;
}

/**
 * Builds a dense table from rows. Every (point, workload) pair must have at least one row (the
 * paper's method compares points on every workload); several rows of one pair are seeds. Point and
 * workload order = first appearance. time-to-target values are stepsToTarget/stepBudget (∞ if missing);
 * stepsToTarget must be in (0, ∞), stepBudget a positive number.
 */
export function trialsFromRows(
  rows: readonly TrialRow[],
  mode: TrialsMode,
  direction: Direction = "minimize",
): TrialsTable {
  if (mode !== "time-to-target" && mode !== "final-metric")
    throw new InvalidArgumentError("mode", `expected time-to-target or final-metric, got ${String(mode)}`);
  if (direction !== "minimize" && direction !== "maximize")
    throw new InvalidArgumentError("direction", `expected minimize or maximize, got ${String(direction)}`);
  if (mode === "time-to-target" && direction !== "minimize") {
    throw new InvalidArgumentError(
      "direction",
      "time-to-target mode compares step fractions, where lower is always better",
    );
  }
  if (rows.length === 0) throw new InvalidTrialsError("rows", "the trials table is empty");
  const pIndex = new Map<string, number>();
  const wIndex = new Map<string, number>();
  const vals = new Float64Array(rows.length);
  const cellOf = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    const at = `rows[${i}]`;
    if (typeof r.point !== "string" || r.point === "")
      throw new InvalidTrialsError(`${at}.point`, "expected a non-empty point id");
    if (typeof r.workload !== "string" || r.workload === "")
      throw new InvalidTrialsError(`${at}.workload`, "expected a non-empty workload name");
    let v: number;
    if (mode === "final-metric") {
      if (typeof r.metric !== "number" || !Number.isFinite(r.metric))
        throw new InvalidTrialsError(`${at}.metric`, `expected a finite number, got ${String(r.metric)}`);
      v = r.metric;
    } else {
      const T = r.stepBudget;
      if (typeof T !== "number" || !Number.isFinite(T) || !(T > 0))
        throw new InvalidTrialsError(`${at}.step_budget`, `expected a positive number, got ${String(T)}`);
      const t = r.stepsToTarget;
      if (t === null || t === undefined) v = Number.POSITIVE_INFINITY;
      else {
        if (typeof t !== "number" || !Number.isFinite(t) || !(t > 0))
          throw new InvalidTrialsError(
            `${at}.steps_to_target`,
            `expected a positive number or empty, got ${String(t)}`,
          );
        v = t / T;
      }
    }
    let p = pIndex.get(r.point);
    if (p === undefined) {
      p = pIndex.size;
      pIndex.set(r.point, p);
    }
    let w = wIndex.get(r.workload);
    if (w === undefined) {
      w = wIndex.size;
      wIndex.set(r.workload, w);
    }
    vals[i] = v;
    cellOf[i] = p * 65536 + w; // packed (p, w); W < 65536 enforced below
  });
  const P = pIndex.size;
  const W = wIndex.size;
  if (W >= 65536) throw new InvalidTrialsError("workload", `at most 65535 workloads are supported, got ${W}`);
  const counts = new Int32Array(P * W + 1);
  for (let i = 0; i < rows.length; i++) {
    const packed = cellOf[i] as number;
    const c = Math.floor(packed / 65536) * W + (packed % 65536);
    cellOf[i] = c;
    counts[c + 1] = (counts[c + 1] as number) + 1;
  }
  const points = [...pIndex.keys()];
  const workloads = [...wIndex.keys()];
  for (let c = 0; c < P * W; c++) {
    if (counts[c + 1] === 0) {
      throw new InvalidTrialsError(
        "rows",
        `point ${JSON.stringify(points[Math.floor(c / W)])} has no row for workload ${JSON.stringify(workloads[c % W])}; every point must be run on every workload`,
      );
    }
  }
  for (let c = 0; c < P * W; c++) counts[c + 1] = (counts[c + 1] as number) + (counts[c] as number);
  const offsets = counts;
  const fill = offsets.slice(0, P * W);
  const values = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const c = cellOf[i] as number;
    values[fill[c] as number] = vals[i] as number;
    fill[c] = (fill[c] as number) + 1;
  }
  return {
    mode,
    direction: mode === "time-to-target" ? "minimize" : direction,
    points,
    workloads,
    values,
    offsets,
  };
}

/**
 * Parses the CSV form of the trials table (header required, `,` separator, no quoting needed):
 * `point,workload,metric[,seed]` (final-metric) or `point,workload,steps_to_target,step_budget[,seed]`
 * (time-to-target; an empty steps_to_target = not reached). Columns may come in any order; the mode
 * is read from the header and must agree with `mode` when given.
 */
export function parseTrialsCsv(
  text: string,
  options: { mode?: TrialsMode; direction?: Direction } = {},
): TrialsTable {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === "") lines.pop();
  if (lines.length < 2) throw new InvalidTrialsError("csv", "expected a header line and at least one row");
  const header = (lines[0] as string).split(",").map((h) => h.trim());
  const col = (name: string) => header.indexOf(name);
  const iPoint = col("point");
  const iWork = col("workload");
  if (iPoint < 0 || iWork < 0)
    throw new InvalidTrialsError(
      "csv:1",
      `the header needs point and workload columns, got ${header.join(",")}`,
    );
  const iMetric = col("metric");
  const iSteps = col("steps_to_target");
  const iBudget = col("step_budget");
  const iSeed = col("seed");
  let mode: TrialsMode;
  if (iMetric >= 0 && iSteps < 0 && iBudget < 0) mode = "final-metric";
  else if (iSteps >= 0 && iBudget >= 0 && iMetric < 0) mode = "time-to-target";
  else {
    throw new InvalidTrialsError(
      "csv:1",
      "the header must have either a metric column (final-metric) or steps_to_target and step_budget columns (time-to-target), not both",
    );
  }
  if (mode === "time-to-target" && options.direction === "maximize") {
    throw new InvalidTrialsError(
      "csv:1",
      "direction maximize does not apply to a time-to-target table (lower step fractions are always better)",
    );
  }
  if (options.mode !== undefined && options.mode !== mode) {
    throw new InvalidTrialsError(
      "csv:1",
      `--mode ${options.mode} was requested but the header describes a ${mode} table`,
    );
  }
  const num = (s: string | undefined, at: string, allowEmpty: boolean): number | null => {
    const t = (s ?? "").trim();
    if (t === "") {
      if (allowEmpty) return null;
      throw new InvalidTrialsError(at, "empty cell");
    }
    const v = Number(t);
    if (!Number.isFinite(v)) throw new InvalidTrialsError(at, `not a finite number: ${JSON.stringify(t)}`);
    return v;
  };
  const rows: TrialRow[] = [];
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li] as string;
    if (line.trim() === "") continue;
    const f = line.split(",");
    const at = `csv:${li + 1}`;
    if (f.length !== header.length)
      throw new InvalidTrialsError(at, `expected ${header.length} fields, got ${f.length}`);
    const row: TrialRow = { point: (f[iPoint] as string).trim(), workload: (f[iWork] as string).trim() };
    if (!row.point) throw new InvalidTrialsError(`${at}.point`, "empty point id");
    if (!row.workload) throw new InvalidTrialsError(`${at}.workload`, "empty workload");
    if (mode === "final-metric") row.metric = num(f[iMetric], `${at}.metric`, false) as number;
    else {
      row.stepsToTarget = num(f[iSteps], `${at}.steps_to_target`, true);
      row.stepBudget = num(f[iBudget], `${at}.step_budget`, false) as number;
      if (row.stepsToTarget !== null && !(row.stepsToTarget > 0))
        throw new InvalidTrialsError(
          `${at}.steps_to_target`,
          `expected a positive step or empty, got ${row.stepsToTarget}`,
        );
      if (!(row.stepBudget > 0))
        throw new InvalidTrialsError(
          `${at}.step_budget`,
          `expected a positive number, got ${row.stepBudget}`,
        );
    }
    if (iSeed >= 0) row.seed = (f[iSeed] ?? "").trim();
    rows.push(row);
  }
  // Every per-row check trialsFromRows makes has already run above with the CSV line in the path.
  return trialsFromRows(
    rows,
    mode,
    mode === "time-to-target" ? "minimize" : (options.direction ?? "minimize"),
  );
}
