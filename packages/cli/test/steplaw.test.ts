// `nadir steplaw`, registered on a fresh commander program as main() does. Expected numbers are the spec's
// Step Law tables (mean bootstrap model: the step-law tool's own outputs; paper-rounded constants: the per-grid
// predictions), not values computed by @nadir/core.
import { describe, expect, it } from "vitest";
import { register } from "../src/commands/steplaw.js";
import { runCommand } from "./run-command.js";

const run = (...args: string[]) => runCommand(register, "steplaw", args);

const rel = (a: number, b: number) => Math.abs(a / b - 1);

describe("nadir steplaw", () => {
  it.each([
    // N, D, η*, B* tokens, sequences at 2048 (mean model)
    ["7e9", "1.4e12", 9.35e-4, 5.0e6, 2440, false],
    ["1e9", "1e11", 1.66e-3, 1.107e6, 541, true],
    ["4e8", "4e10", 2.41e-3, 6.56e5, 320, true],
  ])(
    "--params %s --tokens %s --json: the step-law tool's recommendation",
    async (N, D, lr, bt, seqs, inRange) => {
      const r = await run("--params", N, "--tokens", D, "--json");
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out);
      expect(rel(j.learning_rate, lr)).toBeLessThan(0.006);
      expect(rel(j.batch_tokens, bt)).toBeLessThan(0.006);
      expect(Math.abs(j.batch_sequences - seqs)).toBeLessThan(0.006 * seqs);
      expect(j.tokens_per_param).toBe(Number(D) / Number(N));
      expect(j.in_range).toBe(inRange);
      expect(j.warnings.length === 0).toBe(inRange);
      expect(r.err === "").toBe(inRange);
    },
  );
  it.each([
    ["2.15e8", "4e9", 1.82e-3, 86],
    ["2.15e8", "1e11", 4.89e-3, 541],
    ["4.29e8", "4e10", 2.25e-3, 321],
    ["1.07e9", "2e10", 9.47e-4, 216],
    ["1.07e9", "5.69e10", 1.31e-3, 392],
  ])("--coefficients paper-rounded, grid point N=%s D=%s", async (N, D, lr, seqs) => {
    const j = JSON.parse(
      (await run("--params", N, "--tokens", D, "--coefficients", "paper-rounded", "--json")).out,
    );
    expect(rel(j.learning_rate, lr)).toBeLessThan(0.006);
    expect(Math.abs(j.batch_sequences - seqs)).toBeLessThan(1);
    expect(j.in_range).toBe(true);
  });
  it("--seq-len divides the batch; text output names the numbers", async () => {
    const r = await run("--params", "1e9", "--tokens", "1e11", "--seq-len", "4096");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/peak learning rate {2}0\.00166/);
    // 1.107e6 tokens / 4096 ≈ 270 sequences
    const m = /= ([\d.]+) sequences of 4096/.exec(r.out);
    expect(Math.abs(Number(m?.[1]) - 1.107e6 / 4096)).toBeLessThan(0.006 * 270);
  });
  it("warns outside the fitted range: D/N beyond the grid's ratios, and MoE models by total parameters", async () => {
    // 1e11 tokens on 1.5e8 parameters: 667 tokens per parameter, past the grid's 1e11/2e8 = 500.
    const a = await run("--params", "1.5e8", "--tokens", "1e11", "--json");
    expect(a.code).toBe(0);
    const j = JSON.parse(a.out);
    expect(j.warnings).toEqual([
      expect.stringMatching(/^N = 1\.500e\+8 is outside the fitted range/),
      expect.stringMatching(
        /^D\/N = 666\.7 tokens per parameter is outside .* more over-trained than any fitted run/,
      ),
    ]);
    expect(a.err).toMatch(/warning: D\/N = 666\.7/);
    // An MoE model: 5e8 active of 8e9 total, 1e10 tokens. Active N and D are inside the MoE runs' ranges;
    // the total is not (every MoE run had about 2.15e9).
    const b = JSON.parse(
      (await run("--params", "5e8", "--tokens", "1e10", "--moe-total-params", "8e9", "--json")).out,
    );
    expect(b.moe_total_params).toBe(8e9);
    expect(b.warnings).toEqual([
      expect.stringMatching(/^total parameters = 8\.000e\+9 is outside the MoE runs' range/),
    ]);
    const c = JSON.parse(
      (await run("--params", "5e8", "--tokens", "1e10", "--moe-total-params", "2.15e9", "--json")).out,
    );
    expect(c.warnings).toEqual([]);
    expect(c.in_range).toBe(true);
  });
  it("exit 2 for unusable flags (strict numbers), 1 for values core refuses", async () => {
    for (const bad of [
      ["--params", "0x10"],
      ["--params", " 1e9"],
      ["--params", "-1"],
      ["--seq-len", "2048.5"],
      ["--coefficients", "x"],
    ]) {
      const args = ["--params", "1e9", "--tokens", "1e11"];
      const i = args.indexOf(bad[0]!);
      if (i >= 0) args[i + 1] = bad[1]!;
      else args.push(...bad);
      const r = await run(...args);
      expect(r.code, bad.join(" ")).toBe(2);
    }
    const r = await run("--params", "1e9", "--tokens", "1e11", "--moe-total-params", "5e8");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/moeTotalParams: the total parameter count .* must be at least/);
    expect((await run("--tokens", "1e11")).code).toBe(2);
  });
});
