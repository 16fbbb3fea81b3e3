import { describe, expect, it } from "vitest";
import { gridPoints, sample } from "../src/samplers.js";
import {
  loadSpaceDocument,
  mapUnit,
  materializePoint,
  parseSpaceDocument,
  validateSpace,
} from "../src/space.js";

const NATIVE_YAML = `
parameters:
  - { name: learning_rate, type: float, min: 1.0e-4, max: 1.0e-2, scale: log }
  - { name: one_minus_beta1, type: float, min: 1.0e-3, max: 0.2, scale: log, transform: one_minus, as: beta1 }
  - { name: layers, type: int, min: 1, max: 4 }
  - { name: optimizer, type: categorical, values: [adam, sgd] }
  - { name: momentum, type: discrete, values: [0.8, 0.9, 0.99], condition: { parent: optimizer, values: [sgd] } }
  - { name: schedule, type: fixed, value: cosine }
`;

describe("search spaces", () => {
  it("parses the native YAML form with every kind, conditions and 1 − β", () => {
    const doc = loadSpaceDocument(NATIVE_YAML);
    if (doc.kind !== "space") throw new Error("expected a space");
    expect(doc.space.parameters.map((p) => p.domain.kind)).toEqual([
      "float",
      "float",
      "int",
      "categorical",
      "discrete",
      "fixed",
    ]);
    const pts = sample(doc.space, "random", 200, { seed: 1 });
    for (const p of pts) {
      expect(p.momentum !== undefined).toBe(p.optimizer === "sgd");
      expect(Number.isInteger(p.layers)).toBe(true);
      expect(p.schedule).toBe("cosine");
    }
    expect(new Set(pts.map((p) => p.layers))).toEqual(new Set([1, 2, 3, 4]));
    const m = materializePoint(doc.space, pts[0]!);
    expect(m.beta1).toBe(1 - (pts[0]!.one_minus_beta1 as number));
    expect("one_minus_beta1" in m).toBe(false);
  });
  it("accepts the AlgoPerf dict and list forms as-is", () => {
    const d = loadSpaceDocument(
      '{"learning_rate": {"min": 1e-4, "max": 1e-2, "scaling": "log"}, "one_minus_beta1": {"feasible_points": [0.1]}}',
    );
    if (d.kind !== "space") throw new Error();
    expect(d.space.parameters[1]).toMatchObject({ transform: "one_minus", materializedName: "beta1" });
    const l = loadSpaceDocument('[{"learning_rate": 0.001, "dropout_rate": 0.1}]');
    expect(l).toEqual({ kind: "points", points: [{ learning_rate: 0.001, dropout_rate: 0.1 }] });
  });
  it("rejects invalid spaces with the path", () => {
    // Through @nadir/protocol's schema (JSON pointers) ...
    expect(() =>
      parseSpaceDocument({ parameters: [{ name: "x", type: "float", min: 0, max: 1, scale: "log" }] }),
    ).toThrow(/\/parameters\/0\/min/);
    expect(() => parseSpaceDocument({ parameters: [{ name: "x", type: "float", min: 2, max: 1 }] })).toThrow(
      /does not match the search-space schema/,
    );
    expect(() =>
      parseSpaceDocument({
        parameters: [{ name: "x", type: "discrete", values: [1], condition: { parent: "y", values: [1] } }],
      }),
    ).toThrow(/\/parameters\/0\/condition\/parent/);
    expect(() => parseSpaceDocument({ parameters: [{ name: "x", type: "bogus" }] })).toThrow(
      /\/parameters\/0\/type/,
    );
    expect(() => parseSpaceDocument({ lr: { min: 1, max: 2, scaling: "cubic" } })).toThrow(/\/lr\/scaling/);
    expect(() =>
      parseSpaceDocument({
        parameters: [{ name: "x", type: "float", min: 1, max: 2, materialized_name: "y" }],
      }),
    ).toThrow(/materialized_name/);
    // ... and core's own checks on in-memory spaces.
    expect(() =>
      validateSpace({
        parameters: [
          { name: "x", domain: { kind: "float", min: 0, max: 1, scale: "log" }, transform: "identity" },
        ],
      }),
    ).toThrow(/parameters\[0\] \(x\).min: a log scale needs min > 0/);
    expect(() =>
      validateSpace({
        parameters: [
          { name: "x", domain: { kind: "float", min: 2, max: 1, scale: "linear" }, transform: "identity" },
        ],
      }),
    ).toThrow(/min \(2\) must be below max \(1\)/);
    expect(() =>
      validateSpace({
        parameters: [
          {
            name: "x",
            domain: { kind: "discrete", values: [1] },
            transform: "identity",
            condition: { parent: "y", values: [1] },
          },
        ],
      }),
    ).toThrow(/must be a parameter declared earlier/);
    expect(() => loadSpaceDocument("{ not json", "json")).toThrow(/not valid JSON/);
  });
  it("keeps AlgoPerf feasible_points in file order, repeats included (AlgoPerf indexes L[floor(u·|L|)])", () => {
    const d = parseSpaceDocument({ ls: { feasible_points: [0.2, 0.1, 0.2] } });
    if (d.kind !== "space") throw new Error();
    expect(d.space.parameters[0]!.domain).toEqual({ kind: "discrete", values: [0.2, 0.1, 0.2] });
    expect(mapUnit(d.space.parameters[0]!.domain, 0.5)).toBe(0.1);
  });
  it("reverse_log is dense near max: min + max − min·(max/min)^u", () => {
    const dom = { kind: "float" as const, min: 0.9, max: 0.999, scale: "reverse_log" as const };
    expect(mapUnit(dom, 0)).toBe(0.999);
    expect(mapUnit(dom, 0.5)).toBeCloseTo(0.9 + 0.999 - 0.9 * Math.sqrt(0.999 / 0.9), 14);
    const d = parseSpaceDocument({
      parameters: [{ name: "b", type: "float", min: 0.9, max: 0.999, scale: "reverse_log" }],
    });
    if (d.kind !== "space") throw new Error();
    expect(gridPoints(d.space, 3).map((p) => p.b)).toEqual([0.999, mapUnit(dom, 0.5), 0.9]);
  });
  it("grid: full mixed-radix grid, endpoints exact, deduplicated under conditions", () => {
    const doc = loadSpaceDocument(NATIVE_YAML);
    if (doc.kind !== "space") throw new Error();
    const g = gridPoints(doc.space, 2);
    // lr 2 × 1−β1 2 × layers 2 × (adam + sgd × 3 momenta) = 8 × 4 = 32.
    expect(g).toHaveLength(32);
    expect(g[0]).toEqual({
      learning_rate: 1e-4,
      one_minus_beta1: 1e-3,
      layers: 1,
      optimizer: "adam",
      schedule: "cosine",
    });
    expect(g.at(-1)).toEqual({
      learning_rate: 1e-2,
      one_minus_beta1: 0.2,
      layers: 4,
      optimizer: "sgd",
      momentum: 0.99,
      schedule: "cosine",
    });
    // n = 40: the discrete part needs 6 combos; 6·L^3 ≤ 40 → L = 1.
    const s = sample(doc.space, "grid", 40, { seed: 0 });
    expect(s.length).toBeLessThanOrEqual(40);
    expect(() => sample(doc.space, "grid", 5, { seed: 0 })).toThrow(
      /discrete dimensions alone give 6 grid points/,
    );
  });
});
