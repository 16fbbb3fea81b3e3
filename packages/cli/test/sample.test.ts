// `nadir sample` on real files, registered on a fresh commander program; expected points are the spec's
// Halton test vectors (algorithms.md §4.2), not values computed by @nadir/core.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { register } from "../src/commands/sample.js";
import { runCommand } from "./run-command.js";

const tmp = mkdtempSync(path.join(tmpdir(), "nadir-sample-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (...args: string[]) => runCommand(register, "sample", args);

// The archived AlgoPerf NAdamW space, in AlgoPerf's own JSON format.
const spaceFile = path.join(tmp, "tuning_search_space.json");
writeFileSync(
  spaceFile,
  JSON.stringify({
    learning_rate: { min: 1e-4, max: 1e-2, scaling: "log" },
    one_minus_beta1: { min: 4e-3, max: 0.1, scaling: "log" },
    beta2: { feasible_points: [0.999] },
    warmup_factor: { feasible_points: [0.05] },
    weight_decay: { min: 5e-3, max: 1.0, scaling: "log" },
    label_smoothing: { feasible_points: [0.1, 0.2] },
    dropout_rate: { feasible_points: [0.0, 0.1] },
  }),
);
const SPEC_POINTS = [
  [0.0019814680146414726, 0.045677535963609565, 0.999, 0.05, 0.010340635370188849, 0.1, 0.0],
  [0.0002366315233112939, 0.007676940273940445, 0.999, 0.05, 0.358796133013872, 0.2, 0.1],
  [0.0009554263254837416, 0.05281759963218209, 0.999, 0.05, 0.01950318659958426, 0.1, 0.0],
  [0.00010054778177688589, 0.005702987383013654, 0.999, 0.05, 0.012638327613865154, 0.1, 0.0],
  [0.00019766560226064676, 0.040447795913733486, 0.999, 0.05, 0.012300240728935494, 0.1, 0.1],
];
const KEYS = [
  "learning_rate",
  "one_minus_beta1",
  "beta2",
  "warmup_factor",
  "weight_decay",
  "label_smoothing",
  "dropout_rate",
];

describe("nadir sample", () => {
  it("halton on an AlgoPerf file gives the spec's 5 points bit for bit (order set by the seed)", async () => {
    const r = await run("--space", spaceFile, "--sampler", "halton", "--n", "5", "--seed", "3", "--json");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const got = j.points.map((p: any) => KEYS.map((k) => p[k]));
    expect([...got].sort()).toEqual([...SPEC_POINTS].sort());
    // one_minus_beta1 materialises as beta1 = 1 − x.
    j.hyperparameters.forEach((h: any, i: number) => {
      expect(h.beta1).toBe(1 - j.points[i].one_minus_beta1);
    });
    const again = JSON.parse(
      (await run("--space", spaceFile, "--sampler", "halton", "--n", "5", "--seed", "3", "--json")).out,
    );
    expect(again.points).toEqual(j.points);
  });
  it("random is reproducible per seed and in range; grid has at most N points", async () => {
    const a = JSON.parse(
      (await run("--space", spaceFile, "--sampler", "random", "--n", "50", "--seed", "9", "--json")).out,
    );
    const b = JSON.parse(
      (await run("--space", spaceFile, "--sampler", "random", "--n", "50", "--seed", "9", "--json")).out,
    );
    expect(a.points).toEqual(b.points);
    for (const p of a.points) {
      expect(p.weight_decay).toBeGreaterThanOrEqual(5e-3);
      expect(p.weight_decay).toBeLessThanOrEqual(1);
    }
    const g = JSON.parse((await run("--space", spaceFile, "--sampler", "grid", "--n", "40", "--json")).out);
    // 4 discrete combinations × L³ ≤ 40 → L = 2 → 32 points.
    expect(g.n).toBe(32);
  });
  it("YAML in Nadir's form; CSV text output", async () => {
    const f = path.join(tmp, "space.yaml");
    writeFileSync(
      f,
      "parameters:\n  - { name: lr, type: float, min: 0.001, max: 0.1, scale: log }\n  - { name: opt, type: categorical, values: [adam, sgd] }\n",
    );
    const r = await run("--space", f, "--sampler", "random", "--n", "3", "--seed", "1");
    expect(r.code).toBe(0);
    expect(r.out.split("\n")[0]).toBe("lr,opt");
    expect(r.out.trim().split("\n")).toHaveLength(4);
  });
  it("errors: schema violation → 1 with a JSON pointer, bad sampler or n → 2", async () => {
    const f = path.join(tmp, "bad.json");
    writeFileSync(f, JSON.stringify({ lr: { min: 1e-3, max: 1e-1, scaling: "cubic" } }));
    const a = await run("--space", f, "--sampler", "random", "--n", "3");
    expect(a.code).toBe(1);
    expect(a.err).toMatch(/\/lr\/scaling/);
    expect((await run("--space", spaceFile, "--sampler", "sobol", "--n", "3")).code).toBe(2);
    expect((await run("--space", spaceFile, "--sampler", "random", "--n", "0")).code).toBe(2);
  });
});
