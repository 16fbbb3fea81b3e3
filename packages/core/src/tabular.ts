/**
 * One reader for every tabular trials file Nadir accepts: CSV (RFC 4180) and JSON Lines, either one
 * optionally gzip-compressed. It works on bytes, so a file of millions of rows is never held as one
 * JavaScript string (V8 caps strings at about 512 MiB), and it yields records one at a time.
 *
 * Rules, in the words the error messages use:
 * - **gzip** is recognised by its magic bytes 1f 8b (RFC 1952 §2.3.1), whatever the file name says.
 * - **CSV** (RFC 4180): `,` separates fields; a field that starts with `"` is quoted and may hold commas,
 *   line breaks and doubled quotes `""`; a closing quote must be followed by `,`, a line break or the end.
 *   Line breaks are LF, CRLF or a lone CR. A UTF-8 byte-order mark is skipped. Blank lines are skipped.
 *   The first record is the header; every later record must have as many fields as the header (a ragged
 *   row is an error naming its line). Spaces are part of a field, as RFC 4180 says.
 * - **JSON Lines**: one JSON object per non-blank line.
 * - **Numbers** ({@link parseStrictNumber}): a decimal literal `[+-]digits[.digits][e[+-]digits]` (a leading
 *   or trailing `.` allowed, as in `.5` and `5.`) and nothing else: no surrounding spaces, no hex/octal/binary
 *   (`0x10`), no `Infinity`/`NaN`, no empty string, no incomplete exponent (`1e`), and the value must be finite.
 *   JavaScript's `Number()` accepts all of those silently (`Number("") = 0`, `Number("0x10") = 16`), which is
 *   why it is never applied to raw text here.
 *
 * Line numbers are 1-based physical lines of the (decompressed) file; a record's line is the line it starts on.
 *
 * @module @nadir/core/tabular
 */
import { gunzipSync } from "node:zlib";
import { InvalidTrialsError } from "./errors.js";

/** The two tabular formats. */
export type TabularFormat = "csv" | "jsonl";

/** A CSV record: its fields and the line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A JSON Lines record: the parsed object and its line. */
export interface JsonLinesRecord {
  line: number;
  record: Record<string, unknown>;
}

/** Where errors point: `${source}:${line}`. */
export interface TabularOptions {
  /** Name used in error paths (a file name); default "csv" or "jsonl". */
  source?: string;
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The number a text field denotes under the strict rule in the module doc, or null when the text is not a
 * finite decimal literal. Examples: "1" → 1, "-2.5e-3" → -0.0025, ".5" → 0.5; "", " 1 ", "0x10", "1e",
 * "Infinity", "NaN", "1e400" → null.
 */
export function parseStrictNumber(text: string): number | null {
  if (!NUMBER_RE.test(text)) return null;
  const v = Number(text);
  return Number.isFinite(v) ? v : null;
}

/** Why a text field is not a usable number, or the number. Same grammar as {@link parseStrictNumber}. */
export type NumberClass = number | "empty" | "nan" | "infinite" | "non-numeric";

/**
 * Classifies a text field: the finite number it denotes, or "empty", "nan" (nan, NaN, +nan…), "infinite"
 * (inf, Infinity, or a literal that overflows a double), "non-numeric" (anything else, "0x10" and " 1 "
 * included).
 */
export function classifyNumber(text: string): NumberClass {
  if (text === "") return "empty";
  if (/^[+-]?nan$/i.test(text)) return "nan";
  if (/^[+-]?(inf|infinity)$/i.test(text)) return "infinite";
  if (!NUMBER_RE.test(text)) return "non-numeric";
  const v = Number(text);
  return Number.isFinite(v) ? v : "infinite";
}

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The file's bytes, gunzipped when they start with the gzip magic number (see {@link isGzip}); otherwise
 * the same bytes. A corrupt gzip stream is an InvalidTrialsError, not a zlib exception.
 */
export function decodeTabularBytes(bytes: Uint8Array, options: TabularOptions = {}): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new InvalidTrialsError(
      options.source ?? "gzip",
      `the file starts like gzip (bytes 1f 8b) but does not decompress: ${(e as Error).message}`,
    );
  }
}

/**
 * The format of a (decompressed) file: from its name (`.csv`; `.jsonl`, `.ndjson`, `.json`; a trailing
 * `.gz` is ignored), else from its first non-blank byte (`{` → JSON Lines, anything else → CSV).
 */
export function detectTabularFormat(fileName: string, bytes: Uint8Array | string): TabularFormat {
  const lower = fileName.toLowerCase().replace(/\.gz$/, "");
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json")) return "jsonl";
  if (typeof bytes === "string") return bytes.trimStart().startsWith("{") ? "jsonl" : "csv";
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (
    i < bytes.length &&
    (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)
  )
    i++;
  return bytes[i] === 0x7b ? "jsonl" : "csv";
}

const encoder = new TextEncoder();

function asBuffer(input: Uint8Array | string): Buffer {
  if (typeof input === "string") {
    const b = encoder.encode(input);
    return Buffer.from(b.buffer, b.byteOffset, b.length);
  }
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.length);
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/**
 * The records of a CSV file (header first), one at a time, under the rules in the module doc. Throws
 * InvalidTrialsError at `source:line` for an unterminated quoted field, a character after a closing quote,
 * or a record whose field count differs from the header's.
 */
export function* csvRecords(input: Uint8Array | string, options: TabularOptions = {}): Generator<CsvRecord> {
  const src = options.source ?? "csv";
  const b = asBuffer(input);
  const n = b.length;
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  let line = 1;
  let width = -1;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let quoted = false;
    for (;;) {
      if (i < n && b[i] === QUOTE) {
        quoted = true;
        const openLine = line;
        i++;
        let s = i;
        let text = "";
        for (;;) {
          if (i >= n) throw new InvalidTrialsError(`${src}:${openLine}`, "a quoted field is not terminated");
          const c = b[i];
          if (c === QUOTE) {
            text += b.toString("utf8", s, i);
            if (b[i + 1] === QUOTE) {
              text += '"';
              i += 2;
              s = i;
              continue;
            }
            i++;
            break;
          }
          if (c === LF || (c === CR && b[i + 1] !== LF)) line++;
          i++;
        }
        if (i < n && b[i] !== COMMA && b[i] !== LF && b[i] !== CR)
          throw new InvalidTrialsError(
            `${src}:${line}`,
            'a closing quote must be followed by a comma or the end of the line (write a literal quote as "")',
          );
        fields.push(text);
      } else {
        const s = i;
        while (i < n) {
          const c = b[i];
          if (c === COMMA || c === LF || c === CR) break;
          i++;
        }
        fields.push(b.toString("utf8", s, i));
      }
      if (i >= n) break;
      const c = b[i];
      if (c === COMMA) {
        i++;
        continue;
      }
      i += c === CR && b[i + 1] === LF ? 2 : 1;
      line++;
      break;
    }
    if (!quoted && fields.length === 1 && fields[0] === "") continue; // a blank line
    if (width < 0) width = fields.length;
    else if (fields.length !== width)
      throw new InvalidTrialsError(
        `${src}:${start}`,
        `expected ${width} fields, got ${fields.length} (every row must have as many fields as the header)`,
      );
    yield { line: start, fields };
  }
}

/**
 * The records of a JSON Lines file, one at a time. Throws InvalidTrialsError at `source:line` for a line
 * that is not valid JSON or not a JSON object.
 */
export function* jsonLinesRecords(
  input: Uint8Array | string,
  options: TabularOptions = {},
): Generator<JsonLinesRecord> {
  const src = options.source ?? "jsonl";
  const b = asBuffer(input);
  const n = b.length;
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  let line = 0;
  while (i < n) {
    line++;
    let e = b.indexOf(LF, i);
    if (e < 0) e = n;
    const text = b.toString("utf8", i, e);
    i = e + 1;
    if (text.trim() === "") continue;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (err) {
      throw new InvalidTrialsError(`${src}:${line}`, `not valid JSON (${(err as Error).message})`);
    }
    if (obj === null || typeof obj !== "object" || Array.isArray(obj))
      throw new InvalidTrialsError(`${src}:${line}`, "not a JSON object");
    yield { line, record: obj as Record<string, unknown> };
  }
}

/** All records of a CSV text as arrays of fields, header included (small inputs; see {@link csvRecords}). */
export function parseCsvText(text: Uint8Array | string, options: TabularOptions = {}): string[][] {
  const out: string[][] = [];
  for (const r of csvRecords(text, options)) out.push(r.fields);
  return out;
}
