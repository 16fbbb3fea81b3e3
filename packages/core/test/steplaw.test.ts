import { describe, expect, it } from "vitest";
import { stepLaw } from "../src/steplaw.js";

// Spec §5.1 examples (bootstrap-mean model) and §5.2 per-(N, D) predictions (these match the paper's rounded
// constants, not the means: e.g. N = 2.15e8, D = 4e9 gives 1.848e-3 with the means, 1.818e-3 rounded).
const rel = (a: number, b: number) => Math.abs(a / b - 1);

describe("Step Law", () => {
  it.each([
    [7e9, 1.4e12, 9.35e-4, 5.0e6, 2440],
    [1e9, 1e11, 1.66e-3, 1.107e6, 541],
    [4e8, 4e10, 2.41e-3, 6.56e5, 320],
  ])("N=%d D=%d → η*, B*", (N, D, lr, bt, seqs) => {
    const r = stepLaw(N, D);
    expect(rel(r.learningRate, lr)).toBeLessThan(0.006);
    expect(rel(r.batchTokens, bt)).toBeLessThan(0.006);
    expect(Math.abs(r.batchSequences - seqs)).toBeLessThan(0.006 * seqs);
  });
  it.each([
    [2.15e8, 4e9, 1.82e-3, 86],
    [2.15e8, 1e11, 4.89e-3, 541],
    [4.29e8, 4e10, 2.25e-3, 321],
    [1.07e9, 2e10, 9.47e-4, 216],
    [1.07e9, 5.69e10, 1.31e-3, 392],
  ])("grid check N=%d D=%d (paper-rounded constants)", (N, D, lr, seqs) => {
    const r = stepLaw(N, D, 2048, "paper-rounded");
    expect(rel(stepLaw(N, D).learningRate, lr)).toBeGreaterThan(0.006); // the two sets really differ
    expect(rel(r.learningRate, lr)).toBeLessThan(0.006);
    expect(Math.abs(r.batchSequences - seqs)).toBeLessThan(1);
    expect(r.inRange).toBe(true);
  });
  it("warns outside the fitted range (the README's own 7B example) and rejects bad input", () => {
    const r = stepLaw(7e9, 1.4e12);
    expect(r.inRange).toBe(false);
    expect(r.warnings).toHaveLength(2);
    expect(stepLaw(5e8, 2e9).warnings[0]).toMatch(/D = .* outside/);
    expect(() => stepLaw(0, 1e10)).toThrow(/N: expected a positive/);
    expect(() => stepLaw(1e9, Number.NaN)).toThrow(/D: expected a finite number/);
  });
  it("D/N outside the grid's ratios [4e9/1.1e9, 1e11/2e8] and MoE models against the MoE runs", () => {
    // 4.1e9 tokens on 1.1e9 parameters: D/N = 3.727 ≥ 3.636, inside; 1e11 on 2e8 = 500, the edge, inside.
    expect(stepLaw(1.1e9, 4.1e9).warnings).toEqual([]);
    expect(stepLaw(2e8, 1e11).warnings).toEqual([]);
    const low = stepLaw(1.2e9, 4e9); // N out, D/N = 3.33 < 3.64
    expect(low.warnings).toHaveLength(2);
    expect(low.warnings[1]).toMatch(/D\/N = 3\.333 .* fewer tokens per parameter than any fitted run/);
    expect(low.tokensPerParam).toBeCloseTo(4e9 / 1.2e9, 14);
    // MoE: checked against the MoE runs (active N from 1.88e8): 1.5e8 active is below them.
    const moe = stepLaw(1.5e8, 5e9, 2048, "bootstrap-mean", { moeTotalParams: 2.15e9 });
    expect(moe.warnings).toEqual([
      expect.stringMatching(/^active N = 1\.500e\+8 is outside the MoE runs' range/),
    ]);
    expect(stepLaw(5e8, 3e10, 2048, "bootstrap-mean", { moeTotalParams: 2.2e9 }).warnings).toEqual([
      expect.stringMatching(/^D = 3\.000e\+10 is outside the MoE runs' range/),
    ]);
    // Same η* and B* as the dense law: only the range check changes.
    expect(moe.learningRate).toBe(stepLaw(1.5e8, 5e9).learningRate);
    expect(() => stepLaw(1e9, 1e10, 2048, "bootstrap-mean", { moeTotalParams: 5e8 })).toThrow(/at least/);
  });
});
