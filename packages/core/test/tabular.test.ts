// The one tabular reader (RFC 4180 CSV, JSON Lines, gzip) and its strict number rule. Expected values are
// written by hand or produced by an independent encoder in the test (a CSV writer that quotes every field).
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  classifyNumber,
  csvRecords,
  decodeTabularBytes,
  detectTabularFormat,
  jsonLinesRecords,
  parseCsvText,
  parseStrictNumber,
} from "../src/tabular.js";

describe("strict numbers", () => {
  it("accepts decimal literals only", () => {
    expect(parseStrictNumber("1")).toBe(1);
    expect(parseStrictNumber("-2.5e-3")).toBe(-0.0025);
    expect(parseStrictNumber(".5")).toBe(0.5);
    expect(parseStrictNumber("5.")).toBe(5);
    expect(parseStrictNumber("+1E2")).toBe(100);
    for (const bad of [
      "",
      " 1 ",
      "1 ",
      " 1",
      "0x10",
      "0b1",
      "0o7",
      "1e",
      "1e+",
      "e5",
      ".",
      "-",
      "Infinity",
      "NaN",
      "1e400",
      "1,5",
      "1_000",
    ])
      expect(parseStrictNumber(bad), bad).toBeNull();
  });
  it("classifies why a value is unusable", () => {
    expect(classifyNumber("")).toBe("empty");
    expect(classifyNumber("NaN")).toBe("nan");
    expect(classifyNumber("-inf")).toBe("infinite");
    expect(classifyNumber("1e999")).toBe("infinite");
    expect(classifyNumber("0x10")).toBe("non-numeric");
    expect(classifyNumber(" 1 ")).toBe("non-numeric");
    expect(classifyNumber("3.25")).toBe(3.25);
  });
  it("every finite double's shortest form round-trips; anything Number() reads differently is refused", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(parseStrictNumber(String(x))).toBe(x === 0 ? 0 : x); // -0 prints "0"
      }),
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        const v = parseStrictNumber(s);
        if (v !== null) {
          expect(s.trim()).toBe(s);
          expect(/^[+-]?[\d.]/.test(s)).toBe(true);
          expect(v).toBe(Number(s));
        }
      }),
    );
  });
});

/** An independent CSV writer: every field quoted, quotes doubled. */
const writeCsv = (rows: string[][], eol: string) =>
  rows.map((r) => r.map((f) => `"${f.replaceAll('"', '""')}"`).join(",")).join(eol) + eol;

describe("CSV (RFC 4180)", () => {
  it("quoted commas, doubled quotes, line breaks inside quotes, CRLF, a BOM, blank lines", () => {
    const recs = [...csvRecords('\ufeffa,b\r\n"x, ""y""",2\r\n\r\n"multi\nline",3\nlast,4')];
    expect(recs).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ['x, "y"', "2"] },
      { line: 4, fields: ["multi\nline", "3"] },
      { line: 6, fields: ["last", "4"] },
    ]);
  });
  it("round-trips any table written by an independent quoting writer (property)", () => {
    const field = fc.string({ unit: fc.constantFrom("a", "é", ",", '"', "\n", "\r", " ", "1", "😀") });
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 4 })
          .chain((w) =>
            fc.array(fc.array(field, { minLength: w, maxLength: w }), { minLength: 1, maxLength: 6 }),
          ),
        fc.constantFrom("\n", "\r\n"),
        (rows, eol) => {
          // A one-column row holding "" is written as "" and is not a blank line.
          expect(parseCsvText(writeCsv(rows, eol))).toEqual(rows);
          expect(parseCsvText(new TextEncoder().encode(writeCsv(rows, eol)))).toEqual(rows);
        },
      ),
      { numRuns: 200 },
    );
  });
  it("names the line of a ragged row, counting the lines inside quoted fields", () => {
    expect(() => [...csvRecords('a,b\n"x\ny",1\n1,2,3\n', { source: "t.csv" })]).toThrow(
      /^t\.csv:4: expected 2 fields, got 3/,
    );
    expect(() => [...csvRecords("a,b\n1\n")]).toThrow(/csv:2: expected 2 fields, got 1/);
  });
  it("refuses an unterminated quote (line where it opened) and text after a closing quote", () => {
    expect(() => [...csvRecords('a,b\n1,"open\n\n', { source: "f" })]).toThrow(
      /^f:2: a quoted field is not terminated/,
    );
    expect(() => [...csvRecords('a,b\n"x"y,1\n')]).toThrow(/csv:2: a closing quote must be followed/);
  });
});

describe("JSON Lines and gzip", () => {
  it("one object per line, blank lines skipped, errors name the line", () => {
    expect([...jsonLinesRecords('{"a":1}\r\n\n{"a":"x"}\n')]).toEqual([
      { line: 1, record: { a: 1 } },
      { line: 3, record: { a: "x" } },
    ]);
    expect(() => [...jsonLinesRecords('{"a":1}\n[1]\n', { source: "t.jsonl" })]).toThrow(
      /t\.jsonl:2: not a JSON object/,
    );
    expect(() => [...jsonLinesRecords('{"a":1}\n{oops\n')]).toThrow(/jsonl:2: not valid JSON/);
  });
  it("gzip is found by its magic bytes, not the name; a corrupt stream is a typed error", () => {
    const text = "point,workload,metric\na,w,1\n";
    const gz = gzipSync(Buffer.from(text));
    expect(Buffer.from(decodeTabularBytes(gz)).toString("utf8")).toBe(text);
    const plain = Buffer.from(text);
    expect(decodeTabularBytes(plain)).toBe(plain);
    const broken = gz.subarray(0, 12);
    expect(() => decodeTabularBytes(broken, { source: "t.csv.gz" })).toThrow(
      /t\.csv\.gz: the file starts like gzip/,
    );
  });
  it("format from the name (.gz ignored), else from the first byte", () => {
    expect(detectTabularFormat("x.jsonl.gz", "a,b")).toBe("jsonl");
    expect(detectTabularFormat("x.CSV", "{")).toBe("csv");
    expect(detectTabularFormat("x", Buffer.from('\ufeff  {"a":1}'))).toBe("jsonl");
    expect(detectTabularFormat("x", Buffer.from("a,b"))).toBe("csv");
  });
});
