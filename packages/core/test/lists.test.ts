import { describe, expect, it } from "vitest";
import {
  buildList,
  buildResultToJson,
  costMatrix,
  exhaustiveList,
  greedyList,
  listCost,
  looTable,
} from "../src/lists.js";
import { parseTrialsCsv, trialsFromRows } from "../src/trials.js";

const INF = "";
// Toy time-to-target data (hand-computed costs in the comments, τ = 2, T = 100 everywhere).
const CSV = `point,workload,steps_to_target,step_budget,seed
p1,A,50,100,0
p1,B,${INF},100,0
p2,A,${INF},100,0
p2,B,80,100,0
p3,A,90,100,0
p3,A,70,100,1
p3,A,${INF},100,2
p3,B,90,100,0
`;

describe("time-to-target list construction (paper Section 2)", () => {
  const t = parseTrialsCsv(CSV);
  const m = costMatrix(t, { tau: 2 });
  it("parses the long table: 3 points × 2 workloads, seeds as extra rows, empty = not reached", () => {
    expect(t.mode).toBe("time-to-target");
    expect(t.points).toEqual(["p1", "p2", "p3"]);
    expect(t.workloads).toEqual(["A", "B"]);
    expect(Array.from(t.values)).toEqual([0.5, Infinity, Infinity, 0.8, 0.9, 0.7, Infinity, 0.9]);
    // p3 on A: median of [0.7, 0.9, ∞] = 0.9 (paper: median over 5 runs).
    expect(m.summary[2 * 2 + 0]).toBe(0.9);
  });
  it("C_τ(L) = Π min(t_i, τ)^(1/N) by hand", () => {
    expect(listCost(m, [0])).toBeCloseTo(Math.sqrt(0.5 * 2), 14);
    expect(listCost(m, [1])).toBeCloseTo(Math.sqrt(2 * 0.8), 14);
    expect(listCost(m, [2])).toBeCloseTo(0.9, 14);
    expect(listCost(m, [0, 1])).toBeCloseTo(Math.sqrt(0.5 * 0.8), 14);
    expect(listCost(m, [])).toBeCloseTo(2, 14);
  });
  it("greedy takes p3 then p1; exhaustive finds the cheaper {p1, p2} (greedy is not optimal)", () => {
    expect(greedyList(m, 2)).toEqual([2, 0]);
    expect(listCost(m, [2, 0])).toBeCloseTo(Math.sqrt(0.5 * 0.9), 14);
    expect(exhaustiveList(m, 2)).toEqual([0, 1]);
    expect(() => exhaustiveList(m, 2, [0, 1], 2)).toThrow(/C\(3, 2\) = 3 subsets exceed/);
  });
  it("leave-one-out builds on the other workloads only", () => {
    const r = buildList(t, { size: 1, tau: 2, leaveOneOut: true });
    const a = r.leaveOneOut![0]!;
    expect(a.heldOut).toBe("A");
    expect(a.list).toEqual(["p2"]); // best on B alone
    expect(a.reached).toBe(false);
    expect(a.summary).toBe(Infinity);
    // A miss counts τ = 2 in the expectation; random search over A's 5 rows [0.5, ∞, 0.9, 0.7, ∞] capped.
    expect(a.expected).toBe(2);
    expect(a.randomBestOfK).toBeCloseTo((0.5 + 2 + 0.9 + 0.7 + 2) / 5, 14);
    expect(a.equivalentRandomBudget).toEqual({ k: 1 });
    const b = r.leaveOneOut![1]!;
    expect(b.list).toEqual(["p1"]);
    expect(b.reached).toBe(false);
    const json = buildResultToJson(t, r) as { leave_one_out: Record<string, unknown>[] };
    expect(json.leave_one_out[0]).toMatchObject({
      held_out: "A",
      list: ["p2"],
      reached: false,
      step_fraction: "inf",
      equivalent_random_budget: 1,
    });
    expect(looTable(t, r)).toContain("| method | A | B |");
  });
});

describe("final-metric list construction", () => {
  // Means: W1: a 0.9, b 0.5, c 0.7 → regret a 0, b 1, c 0.5; W2: a 0.1, b 0.9, c 0.8 → a 1, b 0, c 0.125.
  const rows = [
    ["a", "W1", 0.9],
    ["a", "W2", 0.1],
    ["b", "W1", 0.4],
    ["b", "W1", 0.6],
    ["b", "W2", 0.9],
    ["c", "W1", 0.7],
    ["c", "W2", 0.8],
  ].map(([point, workload, metric]) => ({
    point: point as string,
    workload: workload as string,
    metric: metric as number,
  }));
  const t = trialsFromRows(rows, "final-metric", "maximize");
  it("normalised regret and its mean, by hand", () => {
    const m = costMatrix(t);
    [0, 1, 1, 0, 0.5, 0.125].forEach((r, c) => {
      expect(m.primary[c]).toBeCloseTo(r, 14);
    });
    expect(listCost(m, [2])).toBeCloseTo((0.5 + 0.125) / 2, 14);
    expect(greedyList(m, 1)).toEqual([2]);
    expect(greedyList(m, 2)).toEqual([2, 0]); // c then a: regrets (0, 0.125) beat (0.5, 0) of c+b
  });
  it("targets: fraction of workloads missed, regret breaks ties", () => {
    const m = costMatrix(t, { targets: { W1: 0.85, W2: 0.85 } });
    expect(Array.from(m.primary)).toEqual([0, 1, 1, 0, 1, 1]);
    // a and b each cover one target; b's regret tie-break: a (0 + 1) vs b (1 + 0) tie → a (lower index).
    expect(greedyList(m, 2)).toEqual([0, 1]);
    expect(listCost(m, [0, 1])).toBe(0);
    const r = buildList(t, { size: 1, targets: { W1: 0.85, W2: 0.85 } });
    expect(r.perWorkload.map((e) => e.reached)).toEqual([true, false]);
  });
  it("expected best of a list point uses its seed rows; random search all rows", () => {
    const r = buildList(t, { size: 1 });
    const w1 = r.perWorkload[0]!;
    expect(w1.expected).toBe(0.7); // c has one row on W1
    expect(w1.rows).toBe(4);
    expect(w1.randomBestOfK).toBeCloseTo((0.9 + 0.4 + 0.6 + 0.7) / 4, 14);
  });
});

describe("greedy agrees with a naive reference on random data", () => {
  it("same list as recomputing each candidate's cost from scratch", () => {
    let s = 42;
    const rnd = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    const rows = [];
    for (let p = 0; p < 300; p++)
      for (let w = 0; w < 6; w++)
        for (let k = 0; k < 3; k++)
          rows.push({ point: `p${p}`, workload: `w${w}`, metric: rnd() ** (1 + w) });
    const t = trialsFromRows(rows, "final-metric", "maximize");
    const m = costMatrix(t);
    const naive: number[] = [];
    for (let step = 0; step < 8; step++) {
      let best = -1;
      let bc = Infinity;
      for (let p = 0; p < 300; p++) {
        if (naive.includes(p)) continue;
        const c = listCost(m, [...naive, p]);
        if (c < bc - 1e-15) {
          bc = c;
          best = p;
        }
      }
      naive.push(best);
    }
    expect(greedyList(m, 8)).toEqual(naive);
  });
});

describe("trials table validation", () => {
  it("names the line and the field", () => {
    expect(() => parseTrialsCsv("point,workload,metric\na,w,x\n")).toThrow(
      /csv:2.metric: not a finite number/,
    );
    expect(() => parseTrialsCsv("point,workload,metric,steps_to_target\na,w,1,2\n")).toThrow(/csv:1/);
    expect(() => parseTrialsCsv("point,workload,metric\na,w,1\nb,v,2\n")).toThrow(
      /point "a" has no row for workload "v"/,
    );
    expect(() => parseTrialsCsv("point,workload,metric\na,w\n")).toThrow(/csv:2: expected 3 fields, got 2/);
    expect(() => parseTrialsCsv("point,workload,steps_to_target,step_budget\na,w,5,0\n")).toThrow(
      /step_budget: expected a positive number/,
    );
    expect(() => parseTrialsCsv("point,workload,metric\na,w,1\n", { mode: "time-to-target" })).toThrow(
      /--mode time-to-target was requested/,
    );
    expect(() => buildList(parseTrialsCsv("point,workload,metric\na,w,1\n"), { size: 2 })).toThrow(
      /size: expected an integer in \[1, 1\]/,
    );
  });
});

describe("list aliases", () => {
  it("the short names of study files resolve to the same lists as their full names", async () => {
    const { getList, LIST_ALIASES } = await import("../src/builtins.js");
    expect(Object.keys(LIST_ALIASES).sort()).toEqual(["algoperf-nadamw-5", "medapati-nadamw-5"]);
    expect(getList("algoperf-nadamw-5")).toEqual(getList("algoperf-v0.5-nadamw-baseline@1"));
    expect(getList("medapati-nadamw-5")).toEqual(getList("medapati2025-nadamw@1"));
    expect(() => getList("nadamw-5")).toThrow(/no built-in list named "nadamw-5"/);
  });
});
