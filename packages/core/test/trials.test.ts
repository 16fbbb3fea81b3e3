// Reading long-format trials files into the dense table: sizes past the old 32,767-point limit, duplicates,
// seeds, formats. Expected values are written by hand or follow from how the synthetic data is generated.
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildList } from "../src/lists.js";
import { cell, parseTrialsCsv, readTrialsTable, trialsFromRows } from "../src/trials.js";

describe("tables above the old 32,767-point limit", () => {
  it("62,208 points × 4 workloads × 4 seeds (the FCNet grid shape) builds a list", () => {
    // Every point scores 0.5 + tiny noise on every workload, except two planted winners past 2^15: p62207
    // is best on w0, w1 and w2, p32768 on w3. A greedy 2-point list (final-metric, maximize) must be exactly
    // those two, p62207 first (it fixes three workloads at once), with cost 0.
    const P = 62_208;
    const W = 4;
    const S = 4;
    const parts: string[] = ["point,workload,seed,metric\n"];
    const win: Record<string, number[]> = { p62207: [0, 1, 2], p32768: [3] };
    for (let p = 0; p < P; p++) {
      let chunk = "";
      for (let w = 0; w < W; w++)
        for (let s = 0; s < S; s++) {
          const planted = win[`p${p}`]?.includes(w);
          const v = planted ? 0.9 + s * 0.01 : 0.5 + ((p * 7 + w * 13 + s * 31) % 97) / 1e4;
          chunk += `p${p},w${w},${s},${v}\n`;
        }
      parts.push(chunk);
    }
    const bytes = gzipSync(Buffer.from(parts.join("")), { level: 1 });
    const read = readTrialsTable(bytes, { source: "fcnet-shape.csv.gz", direction: "maximize" });
    expect(read.gzip).toBe(true);
    expect(read.rows).toBe(P * W * S);
    expect(read.table.points.length).toBe(P);
    expect(read.table.workloads).toEqual(["w0", "w1", "w2", "w3"]);
    expect(Array.from(cell(read.table, 62_207, 2))).toEqual([0, 1, 2, 3].map((s) => 0.9 + s * 0.01));
    const r = buildList(read.table, { size: 2 });
    expect(r.ids).toEqual(["p62207", "p32768"]);
    expect(r.cost).toBe(0);
  }, 60_000);
  it("a missing cell past 2^15 is named correctly (not p32768 by packing overflow)", () => {
    const rows = [];
    for (let p = 0; p < 40_000; p++)
      for (const w of ["a", "b"]) rows.push({ point: `p${p}`, workload: w, metric: p });
    rows.pop(); // p39999 on b
    expect(() => trialsFromRows(rows, "final-metric")).toThrow(
      /point "p39999" has no row for workload "b"; every/,
    );
    rows.pop(); // p39999 on a: the point vanishes entirely, so the table is complete again
    expect(trialsFromRows(rows, "final-metric").points.length).toBe(39_999);
  });
});

describe("duplicates and seeds", () => {
  const head = "point,workload,metric,seed\n";
  it("repeated (point, workload, seed) rows are refused with their lines, exact copies named as such", () => {
    const csv = `${head}a,w,1,0\na,w,2,1\na,w,1,0\nb,w,3,0\nb,w,4,0\n`;
    expect(() => parseTrialsCsv(csv)).toThrow(
      /2 repeated row groups: csv:2, csv:4 are exact duplicates \(point "a", workload "w", seed "0"\); csv:5, csv:6 repeat one seed with values 3, 4 \(point "b", workload "w", seed "0"\)\. each \(point, workload, seed\) must appear once, or average repeats with duplicates = mean/,
    );
  });
  it("duplicates = mean averages each group into one seed value and says so", () => {
    const csv = `${head}a,w,1,0\na,w,2,1\na,w,1,0\nb,w,3,0\nb,w,4,0\nb,w,6,1\n`;
    const r = readTrialsTable(csv, { duplicates: "mean", format: "csv" });
    expect(Array.from(cell(r.table, 0, 0))).toEqual([1, 2]);
    expect(Array.from(cell(r.table, 1, 0))).toEqual([3.5, 6]);
    expect(r.merged).toEqual({ groups: 2, rowsRemoved: 2 });
    expect(r.warnings.join("\n")).toMatch(
      /averaged 2 repeated \(point, workload, seed\) groups .*2 rows merged away/,
    );
  });
  it("seeds are seeds: the same seed on different workloads or points is fine, a repeat in a large cell is found", () => {
    let csv = head;
    for (let s = 0; s < 40; s++) csv += `a,w,${s},${s}\n`;
    expect(Array.from(cell(parseTrialsCsv(csv), 0, 0))).toHaveLength(40);
    csv += "a,w,99,17\n";
    expect(() => parseTrialsCsv(csv)).toThrow(/csv:19, csv:42 repeat one seed with values 17, 99/);
  });
  it("without a seed column, identical rows are refused (a second seed or a row written twice?)", () => {
    expect(() => parseTrialsCsv("point,workload,metric\na,w,1\na,w,2\na,w,1\n")).toThrow(
      /csv:2, csv:4 are exact duplicates \(point "a", workload "w"\)\. with no seed column Nadir cannot tell/,
    );
    expect(Array.from(cell(parseTrialsCsv("point,workload,metric\na,w,1\na,w,2\n"), 0, 0))).toEqual([1, 2]);
  });
  it("an empty seed is an error when the table has a seed column", () => {
    expect(() => parseTrialsCsv(`${head}a,w,1,\n`)).toThrow(/csv:2.seed: empty seed/);
  });
});

describe("the table builder against a naive reference (property)", () => {
  it("any rows, shuffled extra rows and repeats: cells equal a Map-based regrouping; errors iff a seed repeats", () => {
    const extra = fc.record({
      p: fc.nat(4),
      w: fc.nat(2),
      s: fc.nat(3),
      v: fc.integer({ min: 0, max: 8 }).map((x) => x / 4),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(extra, { maxLength: 40 }),
        (P, W, more) => {
          // A complete grid with seed 0 first (so point and workload order is p0…, w0…), then the extra rows.
          const rows: { p: number; w: number; s: number; v: number }[] = [];
          for (let p = 0; p < P; p++) for (let w = 0; w < W; w++) rows.push({ p, w, s: 0, v: p + w / 10 });
          for (const r of more) if (r.p < P && r.w < W) rows.push(r);
          const csv = `point,workload,seed,metric\n${rows.map((r) => `p${r.p},w${r.w},${r.s},${r.v}`).join("\n")}\n`;
          // Reference: per cell, seeds in first-appearance order, each the mean of its values in file order.
          const groups = new Map<string, Map<number, number[]>>();
          for (const r of rows) {
            const k = `${r.p}|${r.w}`;
            if (!groups.has(k)) groups.set(k, new Map());
            const g = groups.get(k)!;
            if (!g.has(r.s)) g.set(r.s, []);
            g.get(r.s)!.push(r.v);
          }
          const repeated = [...groups.values()].some((g) => [...g.values()].some((vs) => vs.length > 1));
          if (repeated) expect(() => parseTrialsCsv(csv)).toThrow(/repeated row group/);
          else expect(() => parseTrialsCsv(csv)).not.toThrow();
          const t = parseTrialsCsv(csv, { duplicates: "mean" });
          expect(t.points).toEqual(Array.from({ length: P }, (_, p) => `p${p}`));
          for (let p = 0; p < P; p++)
            for (let w = 0; w < W; w++) {
              const g = groups.get(`${p}|${w}`)!;
              const want = [...g.values()].map((vs) => vs.reduce((a, b) => a + b, 0) / vs.length);
              expect(Array.from(cell(t, p, w))).toEqual(want);
            }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("columns, numbers and formats", () => {
  it("says precisely which columns are missing", () => {
    expect(() => parseTrialsCsv("point,workload,seed,accuracy\na,w,0,1\n")).toThrow(
      /csv:1: no metric column \(final-metric\) and no steps_to_target and step_budget columns \(time-to-target\); columns: point, workload, seed, accuracy/,
    );
    expect(() => parseTrialsCsv("point,workload,steps_to_target\na,w,1\n")).toThrow(
      /the step_budget column is missing/,
    );
    expect(() => parseTrialsCsv("id,workload,metric\na,w,1\n")).toThrow(/csv:1: no point column/);
    expect(() => parseTrialsCsv("point,workload,metric\n")).toThrow(/has a header .* but no rows/);
  });
  it("strict numbers with the line: 0x10, empty, 1e and ' 1 ' are refused", () => {
    for (const bad of ["0x10", "", "1e", " 1 "])
      expect(() => parseTrialsCsv(`point,workload,metric\na,w,1\nb,w,${bad}\n`), bad).toThrow(
        /csv:3\.metric: /,
      );
  });
  it("header names are matched without surrounding spaces; data fields are kept exactly", () => {
    const t = parseTrialsCsv("point, workload , metric\na,w,1\n");
    expect(t.points).toEqual(["a"]);
    expect(() => parseTrialsCsv("point, workload, metric\na, w, 1\n")).toThrow(
      /csv:2\.metric: not a finite number: " 1"/,
    );
  });
  it("quoted fields (commas in point ids) work as in nadir analyze", () => {
    const t = parseTrialsCsv('point,workload,metric\n"lr=1e-3, wd=0.1",w,1\n"lr=1e-2, wd=0",w,"2"\n');
    expect(t.points).toEqual(["lr=1e-3, wd=0.1", "lr=1e-2, wd=0"]);
  });
  it("JSON Lines, gzipped or not, give the same table as the CSV; ∞ for a missed target", () => {
    const csv =
      "point,workload,steps_to_target,step_budget,seed\na,x,50,100,0\na,y,,100,0\nb,x,80,100,0\nb,y,40,100,0\n";
    const jl = [
      { point: "a", workload: "x", steps_to_target: 50, step_budget: 100, seed: 0 },
      { point: "a", workload: "y", steps_to_target: null, step_budget: 100, seed: 0 },
      { point: "b", workload: "x", steps_to_target: "80", step_budget: 100, seed: 0 },
      { point: "b", workload: "y", steps_to_target: 40, step_budget: 100, seed: 0 },
    ]
      .map((o) => JSON.stringify(o))
      .join("\n");
    const a = readTrialsTable(csv, { format: "csv" }).table;
    const b = readTrialsTable(Buffer.from(jl), { source: "t.jsonl" });
    const c = readTrialsTable(gzipSync(Buffer.from(jl)), { source: "t.jsonl.gz" });
    expect(b.format).toBe("jsonl");
    expect(b.table).toEqual(a);
    expect(c.table).toEqual(a);
    expect(Array.from(a.values)).toEqual([0.5, Infinity, 0.8, 0.4]);
    expect(() =>
      readTrialsTable(
        Buffer.from('{"point":"a","workload":"x","steps_to_target":null,"step_budget":100}\n{"point":"a"}'),
        { source: "t.jsonl" },
      ),
    ).toThrow(/t\.jsonl:2\.workload: empty workload/);
  });
  it("one workload is accepted with a warning (leave-one-out needs two)", () => {
    const r = readTrialsTable("point,workload,metric\na,w,1\nb,w,2\n", { format: "csv" });
    expect(r.warnings).toEqual([
      expect.stringMatching(/only one workload \("w"\).*leave-one-out cross validation needs at least 2/),
    ]);
    expect(readTrialsTable("point,workload,metric\na,w,1\na,v,2\n", { format: "csv" }).warnings).toEqual([]);
  });
});
