/**
 * Reading one metric column from an exported trials file: CSV with a header row (RFC 4180:
 * quoted fields, doubled quotes, CRLF) or JSON Lines (one object per line), optionally gzipped when
 * given as bytes. The parsing is @nadir/core's tabular reader, the same one `nadir lists build` uses.
 * Rows whose metric is empty/missing, NaN, infinite or not a number (core's strict rule: a decimal
 * literal without spaces) are counted and returned with the reason — never silently dropped.
 */
import {
  CoreError,
  classifyNumber,
  csvRecords,
  decodeTabularBytes,
  detectTabularFormat,
  jsonLinesRecords,
  parseCsvText,
  type TabularFormat,
} from "@nadir/core";
import { ResultsError, type TrialTable, tableFromRows } from "@nadir/results";

/** The input could not be read as a trials table (exit code 1). */
export class ReadTrialsError extends Error {
  override readonly name = "ReadTrialsError";
}

export type TrialsFormat = TabularFormat;

/** A row whose metric was not usable. `row` is 1-based over data rows (the CSV header excluded). */
export interface SkippedRow {
  row: number;
  value: string;
  reason: "empty" | "nan" | "infinite" | "non-numeric";
}

/**
 * A row that came from a precomputed list (non-empty `list_index`, as `nadir export` writes it). List
 * points are not random draws, so by default they are held out of the random-search sample that the
 * analysis treats as i.i.d., and compared with it instead (the report's list-vs-random section).
 */
export interface ListRow {
  row: number;
  list_index: number;
  value: string;
  /** The metric, or null when it is missing or not finite. */
  score: number | null;
}

/** What to do with list rows: hold them out of the sample ("separate", the default) or keep them ("include"). */
export type ListTrialsMode = "separate" | "include";

export interface TrialsColumn {
  format: TrialsFormat;
  /** Number of data rows read. */
  rows: number;
  /** The usable (finite) metric values, in file order. */
  scores: number[];
  skipped: SkippedRow[];
  /** Column / field names seen. */
  columns: string[];
  /** Rows held out because they came from a list (mode "separate"). */
  listRows: ListRow[];
}

function listIndexOf(raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  const v = typeof raw === "number" ? raw : Number(String(raw).trim());
  return Number.isInteger(v) && v >= 0 ? v : undefined;
}

/** Classify a textual value: a finite number, or the reason it is skipped (core's strict number rule). */
function parseValue(raw: string): number | SkippedRow["reason"] {
  return classifyNumber(raw);
}

/** Runs core's tabular reader, turning its typed error into this module's ReadTrialsError (exit code 1). */
function reading<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CoreError) throw new ReadTrialsError(e.message, { cause: e });
    throw e;
  }
}

/**
 * RFC 4180 CSV → rows of fields (header included), by core's reader: quoted fields, doubled quotes,
 * CRLF, BOM; blank lines skipped. Throws ReadTrialsError on an unterminated quote or a ragged row.
 */
export function parseCsv(text: string, source = "csv"): string[][] {
  return reading(() => parseCsvText(text, { source }));
}

/** Decide the format from the file name (.csv; .jsonl/.ndjson/.json; .gz ignored) or, failing that, the first character. */
export function detectFormat(fileName: string, text: string | Uint8Array): TrialsFormat {
  return detectTabularFormat(fileName, text);
}

/**
 * Read the metric `metric` from a trials file's text. Throws ReadTrialsError when the metric
 * column is absent, a JSON line is malformed, or the table is empty.
 */
export function readTrialsColumn(
  input: string | Uint8Array,
  fileName: string,
  metric: string,
  mode: ListTrialsMode = "separate",
): TrialsColumn {
  const text =
    typeof input === "string" ? input : reading(() => decodeTabularBytes(input, { source: fileName }));
  const format = detectFormat(fileName, text);
  const source = fileName || format;
  const scores: number[] = [];
  const skipped: SkippedRow[] = [];
  const listRows: ListRow[] = [];
  const take = (row: number, raw: string, listIndex?: number) => {
    const v = parseValue(raw);
    if (mode === "separate" && listIndex !== undefined) {
      listRows.push({ row, list_index: listIndex, value: raw, score: typeof v === "number" ? v : null });
      return;
    }
    if (typeof v === "number") scores.push(v);
    else skipped.push({ row, value: raw, reason: v });
  };
  if (format === "csv") {
    return reading(() => {
      let columns: string[] | undefined;
      let col = -1;
      let li = -1;
      let rows = 0;
      for (const r of csvRecords(text, { source })) {
        if (!columns) {
          columns = r.fields.map((h) => h.trim());
          col = columns.indexOf(metric);
          if (col < 0)
            throw new ReadTrialsError(
              `CSV: no column ${JSON.stringify(metric)} (columns: ${columns.join(", ")})`,
            );
          li = columns.indexOf("list_index");
          continue;
        }
        rows++;
        take(rows, r.fields[col] ?? "", li < 0 ? undefined : listIndexOf(r.fields[li]));
      }
      if (!columns) throw new ReadTrialsError("CSV: the file is empty (a header row is required)");
      return { format, rows, scores, skipped, columns, listRows };
    });
  }
  const columns = new Set<string>();
  let rows = 0;
  let found = false;
  reading(() => {
    for (const { record: rec } of jsonLinesRecords(text, { source })) {
      rows++;
      for (const k of Object.keys(rec)) columns.add(k);
      const v = rec[metric];
      if (metric in rec) found = true;
      const li = listIndexOf(rec.list_index);
      if (typeof v === "number") take(rows, String(v), li);
      else if (typeof v === "string") take(rows, v, li);
      else if (mode === "separate" && li !== undefined)
        listRows.push({
          row: rows,
          list_index: li,
          value: v === undefined ? "" : JSON.stringify(v),
          score: null,
        });
      else
        skipped.push({
          row: rows,
          value: v === undefined ? "" : JSON.stringify(v),
          reason: v === undefined || v === null ? "empty" : "non-numeric",
        });
    }
  });
  if (rows === 0) throw new ReadTrialsError("JSON Lines: the file has no records");
  if (!found)
    throw new ReadTrialsError(
      `JSON Lines: no record has the field ${JSON.stringify(metric)} (fields: ${[...columns].join(", ")})`,
    );
  return { format, rows, scores, skipped, columns: [...columns], listRows };
}

/** A trials file as the results pipeline's trial table (see {@link readTrialsTable}). */
export interface TrialsTableFile {
  format: TrialsFormat;
  /** Column / field names seen. */
  columns: string[];
  table: TrialTable;
  /** The metric cell as written, for the data rows (1-based) whose metric is not a finite number. */
  rawMetric: Map<number, string>;
}

/**
 * Reads a trials file (CSV with a header, or JSON Lines; bytes may be gzipped) into the trial table of
 * @nadir/results, by core's tabular reader: one row per data row with its `state`, `source`,
 * `list_index`, `steps`, ... when the file has them. `stepBudget` (the study's, when known) decides
 * which trials ran to the full budget. Throws ReadTrialsError when the metric column is absent, the
 * file is empty or malformed, or a row is not a trial (its row number named).
 */
export function readTrialsTable(
  input: string | Uint8Array,
  fileName: string,
  metric: string,
  options: { stepBudget?: number } = {},
): TrialsTableFile {
  const text =
    typeof input === "string" ? input : reading(() => decodeTabularBytes(input, { source: fileName }));
  const format = detectFormat(fileName, text);
  const source = fileName || format;
  const rows: Record<string, unknown>[] = [];
  const rawMetric = new Map<number, string>();
  let columns: string[] = [];
  if (format === "csv") {
    reading(() => {
      let header: string[] | undefined;
      let col = -1;
      for (const r of csvRecords(text, { source })) {
        if (!header) {
          header = r.fields.map((h) => h.trim());
          col = header.indexOf(metric);
          if (col < 0)
            throw new ReadTrialsError(
              `CSV: no column ${JSON.stringify(metric)} (columns: ${header.join(", ")})`,
            );
          continue;
        }
        const o: Record<string, unknown> = {};
        for (let i = 0; i < header.length; i++) o[header[i] as string] = r.fields[i] ?? "";
        rows.push(o);
        const raw = r.fields[col] ?? "";
        if (typeof classifyNumber(raw) !== "number") rawMetric.set(rows.length, raw);
      }
      if (!header) throw new ReadTrialsError("CSV: the file is empty (a header row is required)");
      columns = header;
    });
  } else {
    const seen = new Set<string>();
    let found = false;
    reading(() => {
      for (const { record } of jsonLinesRecords(text, { source })) {
        rows.push(record);
        for (const k of Object.keys(record)) seen.add(k);
        if (metric in record) found = true;
        const v = record[metric];
        if (typeof v === "string" && typeof classifyNumber(v) !== "number") rawMetric.set(rows.length, v);
        else if (v !== undefined && v !== null && typeof v !== "number" && typeof v !== "string")
          rawMetric.set(rows.length, JSON.stringify(v));
      }
    });
    if (rows.length === 0) throw new ReadTrialsError("JSON Lines: the file has no records");
    if (!found)
      throw new ReadTrialsError(
        `JSON Lines: no record has the field ${JSON.stringify(metric)} (fields: ${[...seen].join(", ")})`,
      );
    columns = [...seen];
  }
  let table: TrialTable;
  try {
    table = tableFromRows(rows, {
      metrics: [metric],
      firstRow: 1,
      ...(options.stepBudget ? { stepBudget: options.stepBudget } : {}),
    });
  } catch (e) {
    if (e instanceof ResultsError) throw new ReadTrialsError(`${source}: ${e.message}`, { cause: e });
    throw e;
  }
  // Core's strict number rule decides what a metric cell is (the table's reader would trim " 1 " or
  // take "1." as numbers): a cell that rule calls non-numeric stays text, so it is a row without a score.
  table.trials.forEach((t, i) => {
    const raw = rawMetric.get(i + 1);
    if (raw !== undefined && classifyNumber(raw) === "non-numeric") t.metrics[metric] = raw;
  });
  return { format, columns, table, rawMetric };
}
