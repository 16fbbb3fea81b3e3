// `nadir analyze` on real data (DeBERTaV3 scores from shared/data/opda/derived_scores.json) written
// as CSV and JSON Lines to a temporary folder with a few unusable rows mixed in. The command is
// registered on a fresh commander program, exactly as main() does; stdout/stderr are captured and
// the --json output is validated against packages/analysis/schemas/analyze-output.schema.json.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import { afterAll, describe, expect, it } from "vitest";
import { register } from "../src/commands/analyze.js";
import { parseCsv, readTrialsColumn } from "../src/read-trials.js";
import { runCommand } from "./run-command.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const shared = path.resolve(repoRoot, "../shared");
const scores = JSON.parse(readFileSync(path.join(shared, "data/opda/derived_scores.json"), "utf8"))
  .scores as Record<string, number[]>;
const err = scores["deberta-v3-base_error_rate"] as number[];
const acc = scores["deberta-v3-base_accuracy"] as number[];
const schema = JSON.parse(
  readFileSync(path.join(repoRoot, "packages/analysis/schemas/analyze-output.schema.json"), "utf8"),
);
const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ allErrors: true, strict: false });
const validate = ajv.compile(schema);
// The validator must be able to fail: a result without its required fields, or with a bad string.
if (validate({ n: 1 }) || validate({ ...JSON.parse('{"n":1}'), direction: "sideways" }))
  throw new Error("schema accepts invalid output");

const tmp = mkdtempSync(path.join(tmpdir(), "nadir-analyze-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// CSV: a quoted column with a comma, then three unusable rows (empty, NaN, text).
const csvPath = path.join(tmp, "deberta.csv");
writeFileSync(
  csvPath,
  [
    "trial,note,error_rate",
    ...err.map((e, i) => `${i},"run, ok",${e}`),
    "1024,pruned,",
    "1025,diverged,NaN",
    '1026,"bad ""value""",oops',
  ].join("\n"),
);
const jsonlPath = path.join(tmp, "deberta.jsonl");
writeFileSync(
  jsonlPath,
  `${acc.map((a, i) => JSON.stringify({ trial: i, accuracy: a })).join("\n")}\n${JSON.stringify({ trial: 9999, accuracy: null })}\n`,
);

const run = (...args: string[]) => runCommand(register, "analyze", args);

describe("nadir analyze --json", () => {
  it("CSV, minimize, with a threshold: schema-valid, skipped rows reported, numbers checked", async () => {
    const r = await run(
      csvPath,
      "--metric",
      "error_rate",
      "--direction",
      "minimize",
      "--bands",
      "dkw",
      "--lower",
      "0",
      "--upper",
      "1",
      "--threshold",
      "0.11",
      "--max-k",
      "64",
      "--json",
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(validate(j), JSON.stringify(validate.errors)).toBe(true);
    expect(j.n).toBe(1024);
    expect(j.input).toMatchObject({ format: "csv", rows: 1027, skipped_count: 3 });
    expect(j.input.skipped.map((s: any) => [s.row, s.reason])).toEqual([
      [1025, "empty"],
      [1026, "nan"],
      [1027, "non-numeric"],
    ]);
    expect(j.tuning_curve).toHaveLength(64);
    // Independent: the median curve is the step quantile Q(1 − ½^{1/k}) of the sorted sample.
    const sorted = [...err].sort((a, b) => a - b);
    for (const k of [1, 3, 64]) {
      const level = 1 - 0.5 ** (1 / k);
      expect(j.tuning_curve[k - 1].median).toBe(sorted[Math.max(0, Math.ceil(level * 1024 - 1e-9) - 1)]);
    }
    expect(j.ecdf.y).toHaveLength(new Set(err).size);
    // Fit on the tail (opda's objective for this data: 0.0832145; see analysis fit tests).
    expect(j.fit.c).toBe(1);
    expect(j.fit.objective).toBeLessThan(0.0832145 + 1e-6);
    expect(j.best_score_interval.lower).toBeLessThanOrEqual(j.fit.a);
    expect(j.best_score_interval.upper).toBeGreaterThanOrEqual(j.fit.a);
    expect(j.effective_dimension.accepted).toEqual([1]);
    expect(j.extrapolation.map((e: any) => e.k)).toEqual([1024, 2048, 4096, 8192, 16384]);
  });

  it('JSON Lines, maximize, no threshold: fit null, unbounded mean band written as "inf", K = max(n, 64)', async () => {
    const r = await run(
      jsonlPath,
      "--metric",
      "accuracy",
      "--direction",
      "maximize",
      "--bands",
      "dkw",
      "--confidence",
      "0.95",
      "--json",
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(validate(j), JSON.stringify(validate.errors)).toBe(true);
    expect(j.fit).toBeNull();
    expect(j.best_score_interval).toBeNull();
    expect(j.confidence).toBe(0.95);
    expect(j.tuning_curve).toHaveLength(1024);
    expect(j.tuning_curve[0].mean_upper).toBe("inf"); // lower CDF band leaves mass on b = +∞
    expect(j.input).toMatchObject({ format: "jsonl", rows: 1025, skipped_count: 1 });
  });
});

describe("nadir analyze (text)", () => {
  it("prints a readable summary with the interval, accepted c and the gain sentence", async () => {
    const r = await run(
      csvPath,
      "--metric",
      "error_rate",
      "--direction",
      "minimize",
      "--bands",
      "dkw",
      "--lower",
      "0",
      "--upper",
      "1",
      "--threshold",
      "0.11",
      "--max-k",
      "64",
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/n = 1024 of 1027 rows \(3 skipped/);
    expect(r.out).toMatch(/best reachable score: 80\.0% interval \[0\.09\d+, 0\.09\d+\]/);
    expect(r.out).toMatch(/effective dimension c accepted: \{1\}/);
    expect(r.out).toMatch(/1024 more trials gain about \d/);
    expect(r.out).toMatch(
      /skipped rows: row 1025 \(empty\), row 1026 \(nan: "NaN"\), row 1027 \(non-numeric: "oops"\)/,
    );
  });
});

describe("nadir analyze errors", () => {
  it("unknown metric → exit 1 with the available columns", async () => {
    const r = await run(csvPath, "--metric", "loss", "--direction", "minimize");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no column "loss" \(columns: trial, note, error_rate\)/);
  });
  it("bad flags → exit 2", async () => {
    expect((await run(csvPath, "--metric", "error_rate", "--direction", "down")).code).toBe(2);
    expect(
      (await run(csvPath, "--metric", "error_rate", "--direction", "minimize", "--confidence", "80")).code,
    ).toBe(2);
    expect(
      (await run(csvPath, "--metric", "error_rate", "--direction", "minimize", "--bands", "bootstrap")).code,
    ).toBe(2);
    expect((await run(csvPath, "--metric", "error_rate")).code).toBe(2); // --direction is required
  });
  it("missing file or no usable value → exit 1", async () => {
    expect((await run(path.join(tmp, "nope.csv"), "--metric", "x", "--direction", "minimize")).code).toBe(1);
    const empty = path.join(tmp, "empty.csv");
    writeFileSync(empty, "trial,score\n1,\n2,NaN\n");
    const r = await run(empty, "--metric", "score", "--direction", "minimize", "--bands", "dkw");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no usable values of "score".*2 rows, 2 skipped/);
  });
});

describe("read-trials", () => {
  it("parses RFC 4180 quoting, CRLF and a BOM", () => {
    expect(parseCsv('\ufeffa,b\r\n"x, ""y""",2\r\n')).toEqual([
      ["a", "b"],
      ['x, "y"', "2"],
    ]);
  });
  it("JSONL: malformed lines are errors with the line number; Infinity strings are skipped as infinite", () => {
    expect(() => readTrialsColumn('{"m": 1}\n{oops\n', "t.jsonl", "m")).toThrow(/t\.jsonl:2: not valid JSON/);
    const c = readTrialsColumn('{"m": 1}\n{"m": "Infinity"}\n{"m": "0.5"}\n', "t.jsonl", "m");
    expect(c.scores).toEqual([1, 0.5]);
    expect(c.skipped).toEqual([{ row: 2, value: "Infinity", reason: "infinite" }]);
  });
  it("list rows (a list_index, as nadir export writes) are held out of the sample unless included", () => {
    const csv = "trial,list_index,loss\n0,0,0.5\n1,1,\n2,,0.7\n3,,0.6\n";
    const sep = readTrialsColumn(csv, "t.csv", "loss");
    expect(sep.scores).toEqual([0.7, 0.6]);
    expect(sep.skipped).toEqual([]);
    expect(sep.listRows).toEqual([
      { row: 1, list_index: 0, value: "0.5", score: 0.5 },
      { row: 2, list_index: 1, value: "", score: null },
    ]);
    const inc = readTrialsColumn(csv, "t.csv", "loss", "include");
    expect(inc.scores).toEqual([0.5, 0.7, 0.6]);
    expect(inc.skipped).toEqual([{ row: 2, value: "", reason: "empty" }]);
    expect(inc.listRows).toEqual([]);
    const jl = readTrialsColumn(
      '{"list_index": 2, "loss": 0.1}\n{"list_index": null, "loss": 0.3}\n{"loss": 0.2}\n',
      "t.jsonl",
      "loss",
    );
    expect(jl.scores).toEqual([0.3, 0.2]);
    expect(jl.listRows).toEqual([{ row: 1, list_index: 2, value: "0.1", score: 0.1 }]);
  });
});

describe("nadir analyze --list-trials", () => {
  it("reports the held-out list rows in input, schema-valid; include analyses them; a bad mode exits 2", async () => {
    const file = path.join(tmp, "listed.jsonl");
    writeFileSync(
      file,
      `${err
        .slice(0, 40)
        .map((e, i) => JSON.stringify({ trial: i, list_index: i < 5 ? i : null, error_rate: e }))
        .join("\n")}\n`,
    );
    const args = ["--metric", "error_rate", "--direction", "minimize", "--bands", "dkw", "--json"];
    const sep = await run(file, ...args);
    expect(sep.code, sep.err).toBe(0);
    const a = JSON.parse(sep.out);
    expect(validate(a), JSON.stringify(validate.errors)).toBe(true);
    expect(a.n).toBe(35);
    expect(a.input).toMatchObject({ rows: 40, list_trials: "separate", list_rows_count: 5 });
    expect(a.input.list_rows.map((r: { list_index: number }) => r.list_index)).toEqual([0, 1, 2, 3, 4]);
    const inc = await run(file, ...args, "--list-trials", "include");
    expect(JSON.parse(inc.out)).toMatchObject({
      n: 40,
      input: { list_trials: "include", list_rows_count: 0 },
    });
    expect((await run(file, ...args, "--list-trials", "drop")).code).toBe(2);
  });
});

describe("nadir analyze: bounds, --max-c and text without nan", () => {
  const small = path.join(tmp, "small.csv");
  // The first 10 error rates scaled to percent-like values: no score bounds given below.
  writeFileSync(small, ["error", ...err.slice(0, 10).map((e) => String(e * 1000))].join("\n"));

  it("--lower above the data names the flag and the file", async () => {
    const r = await run(csvPath, "--metric", "error_rate", "--direction", "minimize", "--lower", "0.5");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--lower 0\.5 is above the lowest error_rate in .*deberta\.csv/);
    expect(r.err).not.toMatch(/ys/);
  });

  it("--max-c is validated, applied and reported in the JSON and the text", async () => {
    const bad = await run(csvPath, "--metric", "error_rate", "--direction", "minimize", "--max-c", "11");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--max-c must be an integer from 1 to 10/);
    const args = [
      csvPath,
      "--metric",
      "error_rate",
      "--direction",
      "minimize",
      "--lower",
      "0",
      "--upper",
      "1",
    ];
    const j = await run(...args, "--threshold", "0.11", "--max-c", "2", "--max-k", "16", "--json");
    expect(j.code).toBe(0);
    const o = JSON.parse(j.out);
    expect(validate(o), JSON.stringify(validate.errors)).toBe(true);
    expect(o.effective_dimension.max_c).toBe(2);
    expect(o.effective_dimension.max_c_source).toBe("given");
    for (const c of o.effective_dimension.accepted) expect(c).toBeLessThanOrEqual(2);
    const t = await run(...args, "--threshold", "0.11", "--max-c", "2", "--max-k", "16");
    expect(t.out).toMatch(/searched 1\.\.2, --max-c/);
  });

  it("a tiny unbounded study says its interval is uninformative and prints no nan", async () => {
    const r = await run(
      small,
      "--metric",
      "error",
      "--direction",
      "minimize",
      "--threshold",
      "110",
      "--max-k",
      "4",
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/best reachable score: uninformative/);
    expect(r.out).toMatch(/warning: the best-score interval .* is uninformative/);
    expect(r.out).not.toMatch(/\bnan\b/i);
  });

  it("a failed tail fit prints what failed instead of nan", async () => {
    // Two scores: the fit needs three, the consonance set still runs.
    const two = path.join(tmp, "two.csv");
    writeFileSync(two, "e\n0.1\n0.2\n");
    const r = await run(
      two,
      ...["--metric", "e", "--direction", "minimize", "--lower", "0", "--upper", "1"],
      ...["--threshold", "0.15", "--max-k", "4", "--bands", "dkw"],
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/warning: no parametric fit: need at least 3 scores/);
    expect(r.out).toMatch(/no point estimate: the tail fit failed/);
    expect(r.out).not.toMatch(/\bnan\b/i);
  });
});
