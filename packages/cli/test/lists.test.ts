// `nadir lists show|build`, registered on a fresh commander program as main() does, stdout/stderr captured.
// Expected numbers come from the spec (paper Table 10), closed forms, or brute-force enumeration written here,
// not from @nadir/core.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { register } from "../src/commands/lists.js";
import { runCommand } from "./run-command.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const shared = path.resolve(repoRoot, "../shared");
const tmp = mkdtempSync(path.join(tmpdir(), "nadir-lists-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (...args: string[]) => runCommand(register, "lists", args);

// Paper Table 10 (algorithms.md §1.7): lr, warmup, β1, β2, wd, dropout, label smoothing.
const TABLE10 = [
  [0.007188680089024849, 0.1, 0.9521079797438937, 0.9545645606521953, 0.020932289532959312, 0.0, 0.2],
  [0.0011719210768906827, 0.02, 0.9641782560318817, 0.9953311727740848, 0.15957548811577366, 0.1, 0.0],
  [0.001183374563441696, 0.02, 0.918959806679234, 0.9941923836947718, 0.028400661323288435, 0.1, 0.1],
  [0.0014515212275017363, 0.1, 0.9600296609757403, 0.889423091749684, 0.031808785805059143, 0.0, 0.2],
  [0.0005102205206215031, 0.05, 0.9120180064671332, 0.9597041640569521, 0.04833675039698776, 0.1, 0.0],
];

describe("nadir lists show", () => {
  it("--json --steps: every digit of Table 10, warmup floor(f·S), lr at 0, 1, W, S/2, S−1", async () => {
    const S = 36_189; // fastMRI step budget (paper Table 11)
    const r = await run("show", "medapati2025-nadamw", "--steps", String(S), "--json");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(
      j.points.map((p: any) => [
        p.learning_rate,
        p.warmup_fraction,
        p.beta1,
        p.beta2,
        p.weight_decay,
        p.dropout_rate,
        p.label_smoothing,
      ]),
    ).toEqual(TABLE10);
    expect(j.provenance).toMatch(/arXiv:2503.03986, Table 10/);
    j.configs.forEach((c: any, i: number) => {
      const [eta, f, b1, b2, wd, dr, ls] = TABLE10[i]!;
      const W = Math.floor(f! * S);
      expect(c.warmup_steps).toBe(W);
      const C = S - W;
      const expectLr = (step: number) =>
        step < W ? (eta! * step) / W : eta! * 0.5 * (1 + Math.cos((Math.PI * (step - W)) / C));
      expect(c.lr.map((x: any) => x.step)).toEqual([0, 1, W, Math.floor(S / 2), S - 1]);
      for (const x of c.lr) expect(x.lr).toBeCloseTo(expectLr(x.step), 17);
      expect(c.lr[0].lr).toBe(0);
      expect(c.lr[2].lr).toBe(eta);
      expect(c.optax.kwargs).toMatchObject({ b1, b2, eps: 1e-8, eps_root: 0, weight_decay: wd });
      expect(c.pytorch.kwargs).toEqual({
        lr: eta,
        betas: [b1, b2],
        eps: 1e-8,
        weight_decay: wd,
        momentum_decay: 1e9,
        decoupled_weight_decay: true,
      });
      expect(c.hyperparameters).toMatchObject({ dropout_rate: dr, label_smoothing: ls });
    });
  });
  it("the AlgoPerf baseline list: β1 = 1 − one_minus_beta1, AlgoPerf variant by default", async () => {
    const r = await run("show", "algoperf-v0.5-nadamw-baseline@1", "--steps", "10666", "--json");
    const j = JSON.parse(r.out);
    expect(j.variant).toBe("algoperf");
    expect(j.points[3].beta2).toBe(0.6291854735396584);
    expect(j.points[3].beta1).toBe(1 - 0.13625575743);
    expect(j.configs[3].warmup_steps).toBe(213); // int(0.02 · 10666) = int(213.32)
    expect(j.configs[3].pytorch.exact).toBe(false);
  });
  it("text output names the optax and torch calls", async () => {
    const r = await run("show", "medapati2025-nadamw", "--steps", "1000");
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      "optax.nadamw(learning_rate=optax.warmup_cosine_decay_schedule(init_value=0.0, peak_value=0.007188680089024849, warmup_steps=100, decay_steps=1000, end_value=0.0)",
    );
    expect(r.out).toContain("momentum_decay=1e9, decoupled_weight_decay=True");
  });
  it("errors: unknown list → 1, bad --steps → 2", async () => {
    const a = await run("show", "no-such-list");
    expect(a.code).toBe(1);
    expect(a.err).toMatch(/no built-in list named "no-such-list"; available: medapati2025-nadamw@1/);
    const b = await run("show", "medapati2025-nadamw", "--steps", "1.5");
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/--steps must be an integer/);
  });
});

describe("nadir lists build", () => {
  it("time-to-target: the paper's cost by hand, LOO JSON shape", async () => {
    const csv = path.join(tmp, "ttt.csv");
    writeFileSync(
      csv,
      "point,workload,steps_to_target,step_budget\np1,A,50,100\np1,B,,100\np2,A,,100\np2,B,80,100\np3,A,90,100\np3,B,90,100\n",
    );
    const r = await run("build", "--trials", csv, "--size", "2", "--leave-one-out", "--json");
    expect(r.err).toBe("");
    const j = JSON.parse(r.out);
    // Greedy: p3 alone costs sqrt(0.9·0.9) = 0.9 (best single), then p1: sqrt(0.5·0.9).
    expect(j.list).toEqual(["p3", "p1"]);
    expect(j.cost).toBeCloseTo(Math.sqrt(0.5 * 0.9), 14);
    expect(j.per_workload.map((w: any) => [w.workload, w.step_fraction, w.reached])).toEqual([
      ["A", 0.5, true],
      ["B", 0.9, true],
    ]);
    // Built on B alone: p2 (0.8) first; then p1 and p3 tie at cost 0.8, and the tie goes to the lower
    // stand-alone cost on B: p3 (0.9) beats p1 (a miss, capped at τ = 2). Built on A alone: p1 (0.5), then
    // p2 (miss → 2) and p3 (0.9) tie at 0.5 and p3 wins the same way.
    expect(j.leave_one_out.map((e: any) => [e.held_out, e.list])).toEqual([
      ["A", ["p2", "p3"]],
      ["B", ["p1", "p3"]],
    ]);
    // Held-out A: p3 reaches at 0.9. Random search over A's rows {0.5, 2 (capped miss), 0.9}: E[min of 1] =
    // 3.4/3 > 0.9, E[min of 2] = 0.5·5/9 + 0.9·3/9 + 2·1/9 = 0.8 ≤ 0.9, so the equivalent budget is 2.
    // (This toy is adversarial for the stand-alone tie-break: each workload's best point is the other's worst,
    // and file order happened to pick it; table order gives ">3" on both held-out workloads.)
    expect(j.leave_one_out[0]).toMatchObject({
      reached: true,
      step_fraction: 0.9,
      expected_capped_step_fraction: 0.9,
      equivalent_random_budget: 2,
    });
    const old = JSON.parse(
      (
        await run(
          "build",
          "--trials",
          csv,
          "--size",
          "2",
          "--leave-one-out",
          "--tie-break",
          "table-order",
          "--json",
        )
      ).out,
    );
    expect(old.leave_one_out.map((e: any) => [e.list, e.equivalent_random_budget])).toEqual([
      [["p2", "p1"], ">3"],
      [["p1", "p2"], ">3"],
    ]);
    // Held-out B under the new rule: p3's 0.9 against B's rows {2, 0.8, 0.9}: E[min of 3] = (0.8·19 + 0.9·7 + 2)/27
    // = 0.870 ≤ 0.9 < E[min of 2] = 0.967, so 3.
    expect(j.leave_one_out[1].equivalent_random_budget).toBe(3);
    for (const e of j.leave_one_out)
      expect(Object.keys(e)).toEqual(
        expect.arrayContaining(["held_out", "list", "reached", "step_fraction", "equivalent_random_budget"]),
      );
    const exhaustive = JSON.parse(
      (await run("build", "--trials", csv, "--size", "2", "--method", "exhaustive", "--json")).out,
    );
    expect(exhaustive.list).toEqual(["p1", "p2"]); // sqrt(0.5·0.8) < sqrt(0.5·0.9)
  });

  it("final-metric on real HPOBench rows: list scores and equivalent budgets match brute force", async () => {
    // 3 datasets × the first 120 configurations × 5 seeds, as a long CSV.
    const ds = ["kc1", "credit_g", "blood_transfusion"];
    const data: Record<string, number[][]> = {};
    const lines = ["point,workload,metric,seed"];
    for (const d of ds) {
      const text = gunzipSync(
        readFileSync(path.join(shared, `data/tabular/hpobench/${d}.csv.gz`)),
      ).toString();
      data[d] = text
        .split("\n")
        .slice(1, 121)
        .map((l) => l.split(",").slice(5).map(Number));
      data[d]!.forEach((seeds, p) => {
        for (let s = 0; s < seeds.length; s++) lines.push(`c${p},${d},${seeds[s]},${s}`);
      });
    }
    const csv = path.join(tmp, "hpo.csv");
    writeFileSync(csv, `${lines.join("\n")}\n`);
    const r = await run(
      "build",
      "--trials",
      csv,
      "--size",
      "2",
      "--mode",
      "final-metric",
      "--direction",
      "maximize",
      "--leave-one-out",
      "--json",
    );
    expect(r.err).toBe("");
    const j = JSON.parse(r.out);
    expect(j.leave_one_out).toHaveLength(3);
    for (const e of j.leave_one_out) {
      const rows = data[e.held_out]!;
      const [a, b] = e.list.map((id: string) => rows[Number(id.slice(1))]!);
      // Brute force over the 25 seed pairs.
      let s = 0;
      for (const x of a) for (const y of b) s += Math.max(x, y);
      expect(e.best_metric).toBeCloseTo(s / 25, 13);
      // Random search: all 600 rows; E[max of k] by the closed form; smallest k reaching the list's score.
      const all = rows.flat().sort((p, q) => p - q);
      const n = all.length;
      const curve = (k: number) =>
        all.reduce((acc, y, i) => acc + y * (((i + 1) / n) ** k - (i / n) ** k), 0);
      expect(e.random_best_of_k).toBeCloseTo(curve(2), 12);
      let k = 1;
      while (k <= n && curve(k) < e.best_metric - 1e-12) k++;
      expect(e.equivalent_random_budget).toBe(k <= n ? k : `>${n}`);
      // Regret is normalised on the training workloads only: the held-out data cannot move the list.
      expect(e.list).not.toHaveLength(0);
    }
  });

  it("gzip and JSON Lines input, --duplicates error|mean, a one-workload warning, quoted ids", async () => {
    const rows = [
      { point: "a, lr=1e-3", workload: "w", seed: 0, metric: 0.5 },
      { point: "a, lr=1e-3", workload: "w", seed: 1, metric: 0.7 },
      { point: "b", workload: "w", seed: 0, metric: 0.6 },
      { point: "b", workload: "w", seed: 0, metric: 0.8 }, // the same seed twice
    ];
    const gz = path.join(tmp, "dup.jsonl.gz");
    writeFileSync(gz, gzipSync(rows.map((r) => JSON.stringify(r)).join("\n")));
    const e = await run("build", "--trials", gz, "--size", "1", "--direction", "maximize");
    expect(e.code).toBe(1);
    expect(e.err).toMatch(
      /dup\.jsonl\.gz: 1 repeated row group: \S*dup\.jsonl\.gz:3, \S*dup\.jsonl\.gz:4 repeat one seed with values 0\.6, 0\.8/,
    );
    const m = await run(
      "build",
      "--trials",
      gz,
      "--size",
      "1",
      "--direction",
      "maximize",
      "--duplicates",
      "mean",
      "--json",
    );
    expect(m.code).toBe(0);
    const j = JSON.parse(m.out);
    // Means: a (0.5 + 0.7)/2 = 0.6 over two seeds; b's one seed 0 is (0.6 + 0.8)/2 = 0.7, so b wins.
    expect(j.list).toEqual(["b"]);
    expect(j.per_workload[0].best_metric).toBeCloseTo(0.7, 15);
    expect(j.per_workload[0].rows).toBe(3);
    expect(j.warnings).toHaveLength(2);
    expect(m.err).toMatch(/warning: only one workload \("w"\)/);
    expect(m.err).toMatch(/warning: averaged 1 repeated \(point, workload, seed\) group/);
    // The same rows as a quoted CSV (a comma inside the point id), gzipped under a name without .gz.
    const csv = path.join(tmp, "quoted.csv");
    writeFileSync(
      csv,
      gzipSync('point,workload,seed,metric\n"a, lr=1e-3",w,0,0.5\n"a, lr=1e-3",w,1,0.7\nb,w,0,0.6\n'),
    );
    const q = JSON.parse(
      (await run("build", "--trials", csv, "--size", "2", "--direction", "maximize", "--json")).out,
    );
    expect(q.list).toEqual(["a, lr=1e-3", "b"]);
    const bad = await run("build", "--trials", csv, "--size", "1", "--duplicates", "sum");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--duplicates must be one of error, mean/);
  });

  it("errors: missing cells → 1 with the names, bad --size → 2, unreadable file → 1", async () => {
    const csv = path.join(tmp, "bad.csv");
    writeFileSync(csv, "point,workload,metric\na,w1,1\nb,w2,2\n");
    const a = await run("build", "--trials", csv, "--size", "1");
    expect(a.code).toBe(1);
    expect(a.err).toMatch(/point "a" has no row for workload "w2"/);
    const b = await run("build", "--trials", csv, "--size", "0");
    expect(b.code).toBe(2);
    const ttt = path.join(tmp, "ttt2.csv");
    writeFileSync(ttt, "point,workload,steps_to_target,step_budget\np,w,0,100\n");
    const d = await run("build", "--trials", ttt, "--size", "1");
    expect(d.code).toBe(1);
    expect(d.err).toMatch(/csv:2.steps_to_target: expected a positive step or empty, got 0/);
    const e = await run("build", "--trials", ttt, "--size", "1", "--direction", "maximize");
    expect(e.code).toBe(1);
    expect(e.err).toMatch(/maximize does not apply to a time-to-target table/);
    const c = await run("build", "--trials", path.join(tmp, "missing.csv"), "--size", "1");
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/ENOENT/);
  });
});
