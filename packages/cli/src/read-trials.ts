/**
 * Reading one metric column from an exported trials file: CSV with a header row (RFC 4180:
 * quoted fields, doubled quotes, CRLF) or JSON Lines (one object per line). Rows whose metric is
 * empty/missing, NaN, infinite or not a number are counted and returned with the reason — never
 * silently dropped.
 */

/** The input could not be read as a trials table (exit code 1). */
export class ReadTrialsError extends Error {
  override readonly name = "ReadTrialsError";
}

export type TrialsFormat = "csv" | "jsonl";

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

/** The `input` object of `nadir analyze --json` (and of the report and `nadir run`'s analysis.json). */
export function inputInfo(file: string, col: TrialsColumn, mode: ListTrialsMode = "separate") {
  return {
    file,
    format: col.format,
    rows: col.rows,
    skipped_count: col.skipped.length,
    skipped: col.skipped.map((s) => ({ row: s.row, value: s.value, reason: s.reason })),
    list_trials: mode,
    list_rows_count: col.listRows.length,
    list_rows: col.listRows.map((r) => ({ row: r.row, list_index: r.list_index, value: r.value })),
  };
}

/** The list rows with a usable score, as the report's list-vs-random points (index = list_index + 1). */
export function listPoints(col: TrialsColumn): { index: number; score: number }[] {
  return col.listRows
    .filter((r): r is ListRow & { score: number } => r.score !== null)
    .sort((x, y) => x.list_index - y.list_index || x.row - y.row)
    .map((r) => ({ index: r.list_index + 1, score: r.score }));
}

function listIndexOf(raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  const v = typeof raw === "number" ? raw : Number(String(raw).trim());
  return Number.isInteger(v) && v >= 0 ? v : undefined;
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Classify a textual value: a finite number, or the reason it is skipped. */
function parseValue(raw: string): number | SkippedRow["reason"] {
  const s = raw.trim();
  if (s === "") return "empty";
  if (/^[+-]?nan$/i.test(s)) return "nan";
  if (/^[+-]?(inf|infinity)$/i.test(s)) return "infinite";
  if (!NUMBER_RE.test(s)) return "non-numeric";
  const v = Number(s);
  return Number.isFinite(v) ? v : "infinite";
}

/** RFC 4180 CSV → rows of fields. Throws ReadTrialsError on an unterminated quote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = "";
  let row: string[] = [];
  let inQuotes = false;
  let i = 0;
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // strip a BOM
  while (i < t.length) {
    const ch = t[i] as string;
    if (inQuotes) {
      if (ch === '"') {
        if (t[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === "") {
      inQuotes = true;
      i++;
    } else if (ch === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (ch === "\n" || ch === "\r") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += ch === "\r" && t[i + 1] === "\n" ? 2 : 1;
    } else {
      field += ch;
      i++;
    }
  }
  if (inQuotes) throw new ReadTrialsError("CSV: a quoted field is not terminated");
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  // Blank lines carry no data.
  return rows.filter((r) => !(r.length === 1 && r[0] === ""));
}

/** Decide the format from the file name (.csv; .jsonl/.ndjson/.json) or, failing that, the first character. */
export function detectFormat(fileName: string, text: string): TrialsFormat {
  const lower = fileName.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json")) return "jsonl";
  return text.trimStart().startsWith("{") ? "jsonl" : "csv";
}

/**
 * Read the metric `metric` from a trials file's text. Throws ReadTrialsError when the metric
 * column is absent, a JSON line is malformed, or the table is empty.
 */
export function readTrialsColumn(
  text: string,
  fileName: string,
  metric: string,
  mode: ListTrialsMode = "separate",
): TrialsColumn {
  const format = detectFormat(fileName, text);
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
    const rows = parseCsv(text);
    const header = rows[0];
    if (!header) throw new ReadTrialsError("CSV: the file is empty (a header row is required)");
    const columns = header.map((h) => h.trim());
    const col = columns.indexOf(metric);
    if (col < 0)
      throw new ReadTrialsError(`CSV: no column ${JSON.stringify(metric)} (columns: ${columns.join(", ")})`);
    const data = rows.slice(1);
    const li = columns.indexOf("list_index");
    for (const [i, r] of data.entries()) take(i + 1, r[col] ?? "", li < 0 ? undefined : listIndexOf(r[li]));
    return { format, rows: data.length, scores, skipped, columns, listRows };
  }
  const columns = new Set<string>();
  let rows = 0;
  let found = false;
  const lines = text.split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new ReadTrialsError(`JSON Lines: line ${i + 1} is not valid JSON (${(e as Error).message})`);
    }
    if (!obj || typeof obj !== "object" || Array.isArray(obj))
      throw new ReadTrialsError(`JSON Lines: line ${i + 1} is not a JSON object`);
    rows++;
    const rec = obj as Record<string, unknown>;
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
  if (rows === 0) throw new ReadTrialsError("JSON Lines: the file has no records");
  if (!found)
    throw new ReadTrialsError(
      `JSON Lines: no record has the field ${JSON.stringify(metric)} (fields: ${[...columns].join(", ")})`,
    );
  return { format, rows, scores, skipped, columns: [...columns], listRows };
}
