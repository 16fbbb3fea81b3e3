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
});
