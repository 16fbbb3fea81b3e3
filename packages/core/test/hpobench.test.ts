import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { hpobenchConfig, loadHpobench } from "../src/hpobench.js";
import { cell } from "../src/trials.js";

const DIR = resolve(__dirname, "../../../../shared/data/tabular/hpobench");

describe("HPOBench loader", () => {
  it("finds the shared data (CI has shared/ beside the clone)", () => expect(existsSync(DIR)).toBe(true));
  const b = loadHpobench(DIR, { datasets: ["kc1", "car"] });
  it("loads 30,000 configs × 5 seeds per dataset, in grid order", () => {
    expect(b.table.points).toHaveLength(30_000);
    expect(b.table.workloads).toEqual(["kc1", "car"]);
    expect(b.pointIds[0]).toBe("00000");
    expect(b.pointIds[29_999]).toBe("99299");
    expect(hpobenchConfig(b, "00000")).toEqual({
      alpha: 1e-8,
      batch_size: 4,
      depth: 1,
      learning_rate_init: 1e-5,
      width: 16,
    });
  });
  it("matches the README's spot check (kc1, alpha 2.7825593e-4, batch 40, depth 1, lr 1.6681006e-3, width 161)", () => {
    const id = "55045";
    expect(hpobenchConfig(b, id)).toEqual({
      alpha: 2.7825593e-4,
      batch_size: 40,
      depth: 1,
      learning_rate_init: 1.6681006e-3,
      width: 161,
    });
    const p = b.pointIds.indexOf(id);
    expect(Array.from(cell(b.table, p, 0))).toEqual([
      0.7665240225637036, 0.7824936782727097, 0.7604940673020812, 0.783874732542307, 0.7309472865201323,
    ]);
  });
  it("agrees with the README's per-file summary (car: min 0.1603, max 1, 15.0 % at chance 0.25)", () => {
    const car = Array.from({ length: 30_000 }, (_, p) => Array.from(cell(b.table, p, 1))).flat();
    expect(car).toHaveLength(150_000);
    expect(car.reduce((a, v) => Math.min(a, v)).toFixed(4)).toBe("0.1603");
    expect(car.reduce((a, v) => Math.max(a, v))).toBe(1);
    expect(((100 * car.filter((v) => v === 0.25).length) / car.length).toFixed(1)).toBe("15.0");
  });
  it("rejects unknown datasets", () =>
    expect(() => loadHpobench(DIR, { datasets: ["iris"] })).toThrow(/unknown dataset "iris"/));
});
