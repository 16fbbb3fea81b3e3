import { describe, expect, it } from "vitest";
import { simulateNadamw } from "../src/nadamw.js";
import { learningRateAt, warmupCosineSchedule } from "../src/schedule.js";

// Test vectors: three hand-computed NAdamW updates (θ0 = 1, g = [0.5, −0.3, 0.2], α = 0.1, β1 = 0.9, β2 = 0.999, ε = 1e-8, λ = 0.01).
const base = {
  theta0: 1,
  grads: [0.5, -0.3, 0.2],
  lr: () => 0.1,
  b1: 0.9,
  b2: 0.999,
  eps: 1e-8,
  weightDecay: 0.01,
};
const OPTAX = [0.8516315818947368, 0.8769961013630316, 0.8307369646763771];

describe("NAdamW update rules (spec §1.5 vectors)", () => {
  it("optax nadamw", () => expect(simulateNadamw("optax", base)).toEqual(OPTAX));
  it("AlgoPerf / init2winit nadamw", () =>
    expect(simulateNadamw("algoperf", base)).toEqual([
      0.8090000037999999, 0.8292557871602472, 0.7764160889024215,
    ]));
  it("adamw (no Nesterov)", () =>
    expect(simulateNadamw("adamw", base)).toEqual([0.899000002, 0.8789511989397751, 0.8433294795899422]));
  it("torch NAdam, decoupled, ψ = 0.004", () =>
    expect(simulateNadamw("torch_nadam", { ...base, momentumDecay: 0.004 })).toEqual([
      0.8933548242773647, 0.940837468022806, 0.9014701335604465,
    ]));
  it("torch NAdam, decoupled, ψ = 1e9 equals optax nadamw (the mapping materialize() emits)", () => {
    // The spec lists this vector as "identical to optax nadamw": on these three steps the different
    // rounding order of the decay term (θ(1 − αλ) first vs −αλθ inside the update, §1.3) happens to cost
    // nothing, so the doubles must match exactly.
    expect(simulateNadamw("torch_nadam", { ...base, momentumDecay: 1e9 })).toEqual(OPTAX);
  });
  it("first step at t = 1: optax m̂ ≈ 1.4737 g, AlgoPerf m̂ = 1.9 g (spec §1.5)", () => {
    const one = { ...base, grads: [1], weightDecay: 0, b2: 0.999, eps: 0 };
    // With v̂ = g², u = m̂/|g|, so θ1 = 1 − α·m̂.
    expect((1 - simulateNadamw("optax", one)[0]!) / 0.1).toBeCloseTo(0.9 / 1.9 + 1, 12);
    expect((1 - simulateNadamw("algoperf", one)[0]!) / 0.1).toBeCloseTo(1.9, 12);
  });
});

describe("warmup + cosine schedule (spec §2.3 test values)", () => {
  const s = warmupCosineSchedule(1e-3, 0.05, 1000);
  it("W = 50, C = 950", () => {
    expect(s.warmupSteps).toBe(50);
    expect(s.cosineSteps).toBe(950);
  });
  it("lr(0) = 0, lr(25) = 5e-4, lr(50) = 1e-3, lr(525) = 5e-4, lr(1000) = 0, clamped after S", () => {
    expect(learningRateAt(s, 0)).toBe(0);
    expect(learningRateAt(s, 25)).toBe(5e-4);
    expect(learningRateAt(s, 50)).toBe(1e-3);
    expect(learningRateAt(s, 525)).toBe(5e-4);
    expect(learningRateAt(s, 1000)).toBe(0);
    expect(learningRateAt(s, 5000)).toBe(0);
  });
  it("floor vs round warmup conventions", () => {
    // 0.29·100 = 28.999999999999996 in doubles: Python int() gives 28, round() 29.
    expect(warmupCosineSchedule(1, 0.29, 100).warmupSteps).toBe(28);
    expect(warmupCosineSchedule(1, 0.29, 100, "round").warmupSteps).toBe(29);
    expect(warmupCosineSchedule(1, 0.025, 100, "round").warmupSteps).toBe(2); // 2.5 → 2 (half to even)
    expect(warmupCosineSchedule(1, 1, 10).cosineSteps).toBe(1); // C = max(S − W, 1)
  });
  it("rejects bad arguments with the field name", () => {
    expect(() => warmupCosineSchedule(1e-3, 1.5, 100)).toThrow(/warmupFraction/);
    expect(() => warmupCosineSchedule(1e-3, 0.1, 0)).toThrow(/totalSteps/);
  });
});
