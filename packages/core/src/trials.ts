/**
 * The long-format trials table that list construction reads: one row per (point, workload, seed) run,
 * stored densely (typed arrays) so that 30,000 points × 8 workloads × 5 seeds fit in a few MB.
 */
import { InvalidArgumentError, InvalidTrialsError, TooLargeError } from "./errors.js";
import {
  csvRecords,
  decodeTabularBytes,
  detectTabularFormat,
  isGzip,
  jsonLinesRecords,
  parseStrictNumber,
  type TabularFormat,
} from "./tabular.js";

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
 * What to do with repeated rows of one (point, workload, seed): refuse them naming their lines ("error",
 * the default), or replace each group by one row holding the mean of its values ("mean"; in time-to-target
 * mode the mean step fraction, ∞ when any of them missed the target). Without a seed column, a row's seed
 * is its position, so only exact duplicate rows (same point, workload and value) count as repeated: the file
 * cannot say whether they are two seeds or one row written twice.
 */
export type DuplicatePolicy = "error" | "mean";

/** What {@link TrialsTableBuilder.build} merged under the "mean" policy. */
export interface MergedDuplicates {
  /** Number of (point, workload, seed) groups that had more than one row. */
  groups: number;
  /** Rows removed by merging (rows read − rows kept). */
  rowsRemoved: number;
}

/** Beyond this many duplicate groups the error message stops listing them. */
const MAX_LISTED = 5;

/**
 * Accumulates trials rows one at a time into flat typed arrays (about 24 bytes a row plus the distinct ids),
 * then builds the dense {@link TrialsTable} by a counting sort on the cell index p·W + w. Memory is linear in
 * the rows and in P·W; nothing is packed into a fixed-width integer, so the number of points is bounded only
 * by P·W < 2^31 (the Int32Array offsets).
 */
export class TrialsTableBuilder {
  private readonly pIndex = new Map<string, number>();
  private readonly wIndex = new Map<string, number>();
  private readonly sIndex = new Map<string, number>();
  private pOf = new Int32Array(1024);
  private wOf = new Int32Array(1024);
  private sOf = new Int32Array(1024);
  private lineOf = new Int32Array(1024);
  private vOf = new Float64Array(1024);
  private n = 0;

  /**
   * @param hasSeeds whether rows carry a seed (a seed column); then (point, workload, seed) must be unique.
   * @param label how an error names a row's line, e.g. `(l) => \`trials.csv:${l}\``.
   */
  constructor(
    readonly hasSeeds: boolean,
    private readonly label: (line: number) => string = (l) => `rows[${l}]`,
    /** How errors about the whole table name it (a file name). */
    private readonly scope = "rows",
  ) {}

  /** Number of rows added so far. */
  get rows(): number {
    return this.n;
  }

  /** Adds one row; `value` is already the table's value (a metric, or a step fraction, ∞ = not reached). */
  add(point: string, workload: string, value: number, seed: string | undefined, line: number): void {
    if (this.n === this.vOf.length) this.grow();
    let p = this.pIndex.get(point);
    if (p === undefined) {
      p = this.pIndex.size;
      this.pIndex.set(point, p);
    }
    let w = this.wIndex.get(workload);
    if (w === undefined) {
      w = this.wIndex.size;
      this.wIndex.set(workload, w);
    }
    let s = -1;
    if (this.hasSeeds) {
      if (seed === undefined || seed === "")
        throw new InvalidTrialsError(`${this.label(line)}.seed`, "empty seed (the table has a seed column)");
      s = this.sIndex.get(seed) ?? -1;
      if (s < 0) {
        s = this.sIndex.size;
        this.sIndex.set(seed, s);
      }
    }
    const i = this.n++;
    this.pOf[i] = p;
    this.wOf[i] = w;
    this.sOf[i] = s;
    this.lineOf[i] = line;
    this.vOf[i] = value;
  }

  private grow(): void {
    const cap = this.vOf.length * 2;
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.pOf = g32(this.pOf);
    this.wOf = g32(this.wOf);
    this.sOf = g32(this.sOf);
    this.lineOf = g32(this.lineOf);
    const v = new Float64Array(cap);
    v.set(this.vOf);
    this.vOf = v;
  }

  /**
   * The dense table. Throws InvalidTrialsError when the table is empty, when a (point, workload) pair has
   * no row (every point must be run on every workload: the method compares points on all of them), or, under
   * the "error" policy, when a (point, workload, seed) repeats (the message names the lines).
   */
  build(
    mode: TrialsMode,
    direction: Direction,
    duplicates: DuplicatePolicy = "error",
  ): { table: TrialsTable; merged: MergedDuplicates } {
    if (duplicates !== "error" && duplicates !== "mean")
      throw new InvalidArgumentError("duplicates", `expected error or mean, got ${String(duplicates)}`);
    const n = this.n;
    if (n === 0) throw new InvalidTrialsError(this.scope, "the trials table is empty");
    const P = this.pIndex.size;
    const W = this.wIndex.size;
    if (P * W > 2 ** 31 - 2)
      throw new TooLargeError(
        this.scope,
        `${P} points × ${W} workloads = ${P * W} cells exceed the 2^31 − 2 a table can index`,
      );
    const points = [...this.pIndex.keys()];
    const workloads = [...this.wIndex.keys()];
    const C = P * W;
    const offsets = new Int32Array(C + 1);
    const { pOf, wOf, sOf, lineOf, vOf } = this;
    for (let i = 0; i < n; i++) {
      const c = (pOf[i] as number) * W + (wOf[i] as number);
      offsets[c + 1] = (offsets[c + 1] as number) + 1;
    }
    let missing = 0;
    let firstMissing = -1;
    for (let c = 0; c < C; c++) {
      if (offsets[c + 1] === 0) {
        missing++;
        if (firstMissing < 0) firstMissing = c;
      }
    }
    if (missing > 0) {
      const p = Math.floor(firstMissing / W);
      const w = firstMissing - p * W;
      throw new InvalidTrialsError(
        this.scope,
        `point ${JSON.stringify(points[p])} has no row for workload ${JSON.stringify(workloads[w])}` +
          (missing > 1 ? ` (and ${missing - 1} more (point, workload) pairs have none)` : "") +
          "; every point must be run on every workload",
      );
    }
    for (let c = 0; c < C; c++) offsets[c + 1] = (offsets[c + 1] as number) + (offsets[c] as number);
    // Stable counting sort: row indices by cell, file order within a cell.
    const order = new Int32Array(n);
    const fill = offsets.slice(0, C);
    for (let i = 0; i < n; i++) {
      const c = (pOf[i] as number) * W + (wOf[i] as number);
      const at = fill[c] as number;
      order[at] = i;
      fill[c] = at + 1;
    }
    const values = new Float64Array(n);
    const outOffsets = new Int32Array(C + 1);
    const seeds = [...this.sIndex.keys()];
    const problems: string[] = [];
    let groups = 0;
    let o = 0;
    // The key that must be unique within a cell: the seed, or (no seed column) the value itself.
    const sameKey = this.hasSeeds
      ? (a: number, b: number) => sOf[a] === sOf[b]
      : (a: number, b: number) => vOf[a] === vOf[b];
    for (let c = 0; c < C; c++) {
      const lo = offsets[c] as number;
      const hi = offsets[c + 1] as number;
      if (hi - lo === 1) {
        values[o++] = vOf[order[lo] as number] as number;
        outOffsets[c + 1] = o;
        continue;
      }
      const groupOf = cellGroups(order, lo, hi, sameKey, this.hasSeeds ? sOf : null, vOf);
      for (const g of groupOf) {
        if (g.length === 1) {
          values[o++] = vOf[g[0] as number] as number;
          continue;
        }
        groups++;
        if (duplicates === "mean") {
          let s = 0;
          for (const r of g) s += vOf[r] as number;
          values[o++] = s / g.length;
          continue;
        }
        if (problems.length < MAX_LISTED) {
          const first = g[0] as number;
          const exact = g.every((r) => vOf[r] === vOf[first]);
          const where = g.map((r) => this.label(lineOf[r] as number)).join(", ");
          const what = `point ${JSON.stringify(points[pOf[first] as number])}, workload ${JSON.stringify(workloads[wOf[first] as number])}${this.hasSeeds ? `, seed ${JSON.stringify(seeds[sOf[first] as number])}` : ""}`;
          problems.push(
            `${where} ${exact ? "are exact duplicates" : `repeat one seed with values ${g.map((r) => vOf[r]).join(", ")}`} (${what})`,
          );
        }
      }
      outOffsets[c + 1] = o;
    }
    if (groups > 0 && duplicates === "error") {
      const advice = this.hasSeeds
        ? "each (point, workload, seed) must appear once"
        : "with no seed column Nadir cannot tell a second seed from a row written twice; add a seed column";
      throw new InvalidTrialsError(
        this.scope,
        `${groups} repeated row group${groups > 1 ? "s" : ""}: ${problems.join("; ")}${groups > MAX_LISTED ? "; …" : ""}. ${advice}, or average repeats with duplicates = mean (nadir lists build --duplicates mean)`,
      );
    }
    return {
      table: {
        mode,
        direction: mode === "time-to-target" ? "minimize" : direction,
        points,
        workloads,
        values: o === n ? values : values.slice(0, o),
        offsets: outOffsets,
      },
      merged: { groups, rowsRemoved: n - o },
    };
  }
}

/**
 * Rows of one cell (order[lo..hi)) grouped by key, groups in order of first appearance. Small cells compare
 * pairwise; large ones hash the seed index or the value.
 */
function cellGroups(
  order: Int32Array,
  lo: number,
  hi: number,
  sameKey: (a: number, b: number) => boolean,
  seedOf: Int32Array | null,
  valueAt: Float64Array,
): number[][] {
  const out: number[][] = [];
  if (hi - lo <= 16) {
    for (let j = lo; j < hi; j++) {
      const r = order[j] as number;
      const g = out.find((x) => sameKey(x[0] as number, r));
      if (g) g.push(r);
      else out.push([r]);
    }
    return out;
  }
  const byKey = new Map<number, number[]>();
  for (let j = lo; j < hi; j++) {
    const r = order[j] as number;
    const k = seedOf ? (seedOf[r] as number) : (valueAt[r] as number);
    const g = byKey.get(k);
    if (g) g.push(r);
    else {
      const ng = [r];
      byKey.set(k, ng);
      out.push(ng);
    }
  }
  return out;
}

function checkModeDirection(mode: TrialsMode, direction: Direction): void {
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
}

/**
 * Builds a dense table from rows. Every (point, workload) pair must have at least one row (the
 * paper's method compares points on every workload); several rows of one pair are seeds. Point and
 * workload order = first appearance. time-to-target values are stepsToTarget/stepBudget (∞ if missing);
 * stepsToTarget must be in (0, ∞), stepBudget a positive number. When any row has a `seed`, every row
 * must, and repeated (point, workload, seed) rows are refused or averaged (`duplicates`, see
 * {@link DuplicatePolicy}).
 */
export function trialsFromRows(
  rows: readonly TrialRow[],
  mode: TrialsMode,
  direction: Direction = "minimize",
  options: { duplicates?: DuplicatePolicy } = {},
): TrialsTable {
  checkModeDirection(mode, direction);
  if (rows.length === 0) throw new InvalidTrialsError("rows", "the trials table is empty");
  const builder = new TrialsTableBuilder(
    rows.some((r) => r.seed !== undefined),
    (i) => `rows[${i}]`,
  );
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
    builder.add(r.point, r.workload, v, r.seed, i);
  });
  return builder.build(mode, direction, options.duplicates).table;
}

/** Options of {@link readTrialsTable}. */
export interface ReadTrialsOptions {
  /** Must agree with the columns when given. */
  mode?: TrialsMode;
  /** final-metric only; default minimize. */
  direction?: Direction;
  /** Repeated (point, workload, seed) rows; default "error". */
  duplicates?: DuplicatePolicy;
  /** File name: used for error paths and, when `format` is absent, to pick the format. */
  source?: string;
  /** Default: from `source`'s extension, else from the first byte (see detectTabularFormat). */
  format?: TabularFormat;
}

/** Result of {@link readTrialsTable}. */
export interface TrialsRead {
  table: TrialsTable;
  format: TabularFormat;
  /** Whether the file was gzip-compressed. */
  gzip: boolean;
  /** Rows read from the file (before merging duplicates). */
  rows: number;
  merged: MergedDuplicates;
  /** Things the user should know that do not stop the build (one workload; merged duplicates). */
  warnings: string[];
}

const TRIALS_COLUMNS = "point,workload,metric[,seed] or point,workload,steps_to_target,step_budget[,seed]";

/** Which mode the columns describe, or a precise InvalidTrialsError. */
function modeFromColumns(columns: readonly string[], at: string): TrialsMode {
  const has = (c: string) => columns.includes(c);
  const missing = ["point", "workload"].filter((c) => !has(c));
  if (missing.length > 0)
    throw new InvalidTrialsError(
      at,
      `no ${missing.join(" and ")} column (columns: ${columns.join(", ")}); expected ${TRIALS_COLUMNS}`,
    );
  const metric = has("metric");
  const steps = has("steps_to_target");
  const budget = has("step_budget");
  if (metric && !steps && !budget) return "final-metric";
  if (!metric && steps && budget) return "time-to-target";
  if (metric)
    throw new InvalidTrialsError(
      at,
      "the header has both a metric column (final-metric) and steps_to_target/step_budget columns (time-to-target), not both",
    );
  if (steps || budget)
    throw new InvalidTrialsError(
      at,
      `time-to-target needs both steps_to_target and step_budget; the ${steps ? "step_budget" : "steps_to_target"} column is missing`,
    );
  throw new InvalidTrialsError(
    at,
    `no metric column (final-metric) and no steps_to_target and step_budget columns (time-to-target); columns: ${columns.join(", ")}`,
  );
}

/**
 * Reads a long-format trials file (bytes or text; CSV or JSON Lines; gzip detected by its magic bytes) with
 * the one tabular reader of this package (tabular.ts: RFC 4180, strict numbers, line numbers in errors):
 * `point,workload,metric[,seed]` (final-metric) or `point,workload,steps_to_target,step_budget[,seed]`
 * (time-to-target; an empty or null steps_to_target = not reached). Columns may come in any order and extra
 * columns are ignored; the mode is read from the columns (the CSV header, or the first JSON object's keys)
 * and must agree with `mode` when given. With a seed column, seeds identify runs: a repeated (point,
 * workload, seed) is refused or averaged (`duplicates`). Rows stream into typed arrays, so memory is linear
 * in the rows.
 */
export function readTrialsTable(input: Uint8Array | string, options: ReadTrialsOptions = {}): TrialsRead {
  const gzip = typeof input !== "string" && isGzip(input);
  const bytes =
    typeof input === "string"
      ? input
      : decodeTabularBytes(input, options.source === undefined ? {} : { source: options.source });
  const format = options.format ?? detectTabularFormat(options.source ?? "", bytes);
  const src = options.source ?? format;
  const at = (line: number) => `${src}:${line}`;
  let mode: TrialsMode | undefined;
  let builder: TrialsTableBuilder | undefined;
  let columns: string[] = [];
  const start = (cols: string[], line: number) => {
    columns = cols;
    mode = modeFromColumns(cols, at(line));
    if (mode === "time-to-target" && options.direction === "maximize")
      throw new InvalidTrialsError(
        at(line),
        "direction maximize does not apply to a time-to-target table (lower step fractions are always better)",
      );
    if (options.mode !== undefined && options.mode !== mode)
      throw new InvalidTrialsError(
        at(line),
        `--mode ${options.mode} was requested but the ${format === "csv" ? "header" : "first record"} describes a ${mode} table`,
      );
    builder = new TrialsTableBuilder(cols.includes("seed"), at, src);
  };
  /** A numeric cell: a finite JSON number, or text under the strict rule; null when empty and allowed. */
  const num = (raw: unknown, where: string, allowEmpty: boolean): number | null => {
    if (raw === undefined || raw === null || raw === "") {
      if (allowEmpty) return null;
      throw new InvalidTrialsError(where, raw === undefined ? "missing" : "empty cell");
    }
    if (typeof raw === "number") {
      if (Number.isFinite(raw)) return raw;
      throw new InvalidTrialsError(where, `not a finite number: ${raw}`);
    }
    if (typeof raw !== "string")
      throw new InvalidTrialsError(where, `expected a number, got ${JSON.stringify(raw)}`);
    const v = parseStrictNumber(raw);
    if (v === null)
      throw new InvalidTrialsError(
        where,
        `not a finite number: ${JSON.stringify(raw)} (expected a decimal literal such as 12, 0.5 or 1e-3, without spaces)`,
      );
    return v;
  };
  const id = (raw: unknown, where: string, what: string): string => {
    if (typeof raw === "number" && Number.isFinite(raw)) return String(raw);
    if (typeof raw !== "string" || raw === "") throw new InvalidTrialsError(where, `empty ${what}`);
    return raw;
  };
  const row = (get: (c: string) => unknown, line: number) => {
    const b = builder as TrialsTableBuilder;
    const where = at(line);
    const point = id(get("point"), `${where}.point`, "point id");
    const workload = id(get("workload"), `${where}.workload`, "workload");
    let v: number;
    if (mode === "final-metric") v = num(get("metric"), `${where}.metric`, false) as number;
    else {
      const t = num(get("steps_to_target"), `${where}.steps_to_target`, true);
      const T = num(get("step_budget"), `${where}.step_budget`, false) as number;
      if (t !== null && !(t > 0))
        throw new InvalidTrialsError(
          `${where}.steps_to_target`,
          `expected a positive step or empty, got ${t}`,
        );
      if (!(T > 0))
        throw new InvalidTrialsError(`${where}.step_budget`, `expected a positive number, got ${T}`);
      v = t === null ? Number.POSITIVE_INFINITY : t / T;
    }
    let seed: string | undefined;
    if (b.hasSeeds) {
      const s = get("seed");
      seed =
        typeof s === "number" ? String(s) : typeof s === "string" ? s : s == null ? "" : JSON.stringify(s);
    }
    b.add(point, workload, v, seed, line);
  };
  if (format === "csv") {
    let idx: Map<string, number> | undefined;
    for (const r of csvRecords(bytes, { source: src })) {
      if (!idx) {
        // Column names are matched without surrounding spaces ("point, workload, metric" is a common
        // hand-written header); data fields are taken exactly as RFC 4180 gives them.
        const names = r.fields.map((h) => h.trim());
        start(names, r.line);
        idx = new Map(names.map((h, i) => [h, i]));
        continue;
      }
      const m = idx;
      row((c) => {
        const i = m.get(c);
        return i === undefined ? undefined : r.fields[i];
      }, r.line);
    }
    if (!idx)
      throw new InvalidTrialsError(src, "the file is empty (expected a header line and at least one row)");
  } else {
    for (const r of jsonLinesRecords(bytes, { source: src })) {
      if (!builder) start(Object.keys(r.record), r.line);
      row((c) => r.record[c], r.line);
    }
    if (!builder) throw new InvalidTrialsError(src, "the file has no records");
  }
  const b = builder as TrialsTableBuilder;
  if (b.rows === 0)
    throw new InvalidTrialsError(src, `the file has a header (${columns.join(",")}) but no rows`);
  const m = mode as TrialsMode;
  const { table, merged } = b.build(
    m,
    m === "time-to-target" ? "minimize" : (options.direction ?? "minimize"),
    options.duplicates ?? "error",
  );
  const warnings: string[] = [];
  if (table.workloads.length === 1)
    warnings.push(
      `only one workload (${JSON.stringify(table.workloads[0])}): the list is that workload's top points, and leave-one-out cross validation needs at least 2 workloads`,
    );
  if (merged.groups > 0)
    warnings.push(
      `averaged ${merged.groups} repeated (point, workload, seed) group${merged.groups > 1 ? "s" : ""} into one row each (${merged.rowsRemoved} row${merged.rowsRemoved > 1 ? "s" : ""} merged away)`,
    );
  return { table, format, gzip, rows: b.rows, merged, warnings };
}

/**
 * Parses the CSV text form of the trials table (see {@link readTrialsTable}; kept for callers that hold
 * text). Paths in errors read `csv:LINE`.
 */
export function parseTrialsCsv(
  text: string,
  options: { mode?: TrialsMode; direction?: Direction; duplicates?: DuplicatePolicy } = {},
): TrialsTable {
  return readTrialsTable(text, { ...options, format: "csv" }).table;
}
