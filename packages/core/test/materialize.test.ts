import { describe, expect, it } from "vitest";
import { getList, getSpace, listNames, spaceNames } from "../src/builtins.js";
import { lrCheckpoints, materialize, pyFloat } from "../src/materialize.js";
import { simulateNadamw } from "../src/nadamw.js";
import { learningRateAt } from "../src/schedule.js";

describe("built-in lists (paper Table 10, AlgoPerf §3.1)", () => {
  it("ships both lists and spaces with versions", () => {
    expect(listNames()).toEqual(["medapati2025-nadamw@1", "algoperf-v0.5-nadamw-baseline@1"]);
    expect(spaceNames()).toEqual(["medapati2025-broad@1", "algoperf-archived-nadamw@1"]);
    expect(() => getList("nope")).toThrow(/no built-in list named "nope"/);
    expect(() => getList("medapati2025-nadamw@7")).toThrow(/has no version 7/);
  });
  it("Table 10 with every digit, in priority order", () => {
    const l = getList("medapati2025-nadamw");
    expect(l.variant).toBe("optax");
    expect(
      l.points.map((p) => [
        p.learning_rate,
        p.warmup_fraction,
        p.beta1,
        p.beta2,
        p.weight_decay,
        p.dropout_rate,
        p.label_smoothing,
      ]),
    ).toEqual([
      [0.007188680089024849, 0.1, 0.9521079797438937, 0.9545645606521953, 0.020932289532959312, 0.0, 0.2],
      [0.0011719210768906827, 0.02, 0.9641782560318817, 0.9953311727740848, 0.15957548811577366, 0.1, 0.0],
      [0.001183374563441696, 0.02, 0.918959806679234, 0.9941923836947718, 0.028400661323288435, 0.1, 0.1],
      [0.0014515212275017363, 0.1, 0.9600296609757403, 0.889423091749684, 0.031808785805059143, 0.0, 0.2],
      [0.0005102205206215031, 0.05, 0.9120180064671332, 0.9597041640569521, 0.04833675039698776, 0.1, 0.0],
    ]);
  });
  it("AlgoPerf baseline stores 1 − β1; point 3 = point 1 without label smoothing", () => {
    const l = getList("algoperf-v0.5-nadamw-baseline@1");
    expect(1 - l.points[0]!.beta1).toBeCloseTo(0.02686663061, 15);
    expect({ ...l.points[2], id: 1, label_smoothing: 0.1, note: "" }).toEqual({ ...l.points[0], note: "" });
    expect(l.variant).toBe("algoperf");
  });
  it("the broad space is Table 1 with the 1 − β reparameterisation", () => {
    const s = getSpace("medapati2025-broad").space;
    const b2 = s.parameters.find((p) => p.name === "one_minus_beta2")!;
    expect(b2).toMatchObject({
      transform: "one_minus",
      materializedName: "beta2",
      domain: { kind: "float", min: 1e-3, max: 0.2, scale: "log" },
    });
  });
});

describe("materialize", () => {
  const p1 = getList("medapati2025-nadamw").points[0]!;
  it("warmup steps and the learning rate at 0, 1, W, S/2, S − 1", () => {
    const cfg = materialize(p1, 10_000);
    expect(cfg.schedule.warmupSteps).toBe(1000); // floor(0.1 · 10000)
    expect(cfg.schedule.cosineSteps).toBe(9000);
    const lr = p1.learning_rate;
    const cps = lrCheckpoints(cfg);
    expect(cps.map((c) => c.step)).toEqual([0, 1, 1000, 5000, 9999]);
    expect(cps[0]!.lr).toBe(0);
    expect(cps[1]!.lr).toBeCloseTo(lr / 1000, 18);
    expect(cps[2]!.lr).toBe(lr);
    // S/2 = 5000: 4000 of 9000 cosine steps → η·½(1 + cos(4π/9)).
    expect(cps[3]!.lr).toBeCloseTo(lr * 0.5 * (1 + Math.cos((4 * Math.PI) / 9)), 18);
    expect(cps[4]!.lr).toBeCloseTo(lr * 0.5 * (1 + Math.cos(Math.PI * (8999 / 9000))), 20);
  });
  it("optax kwargs override optax's weight_decay default and carry the exact schedule", () => {
    const cfg = materialize(p1, 48_000);
    expect(cfg.optax.kwargs).toMatchObject({
      b1: p1.beta1,
      b2: p1.beta2,
      eps: 1e-8,
      eps_root: 0,
      weight_decay: p1.weight_decay,
    });
    expect(cfg.optax.code).toBe(
      "optax.nadamw(learning_rate=optax.warmup_cosine_decay_schedule(init_value=0.0, peak_value=0.007188680089024849, warmup_steps=4800, decay_steps=48000, end_value=0.0), b1=0.9521079797438937, b2=0.9545645606521953, eps=1e-08, eps_root=0.0, weight_decay=0.020932289532959312)",
    );
    expect(cfg.hyperparameters.label_smoothing).toBe(0.2);
    expect(cfg.hyperparameters.dropout_rate).toBe(0);
  });
  it("the PyTorch mapping (NAdam, ψ = 1e9, decoupled) reproduces optax nadamw under the real schedule", () => {
    const cfg = materialize(p1, 40);
    expect(cfg.pytorch.kwargs).toEqual({
      lr: p1.learning_rate,
      betas: [p1.beta1, p1.beta2],
      eps: 1e-8,
      weight_decay: p1.weight_decay,
      momentum_decay: 1e9,
      decoupled_weight_decay: true,
    });
    let s = 7;
    const grads = Array.from({ length: 40 }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return (s / 2 ** 32) * 2 - 1;
    });
    const lr = (c: number) => learningRateAt(cfg.schedule, c);
    const sim = {
      theta0: 0.3,
      grads,
      lr,
      b1: p1.beta1,
      b2: p1.beta2,
      eps: 1e-8,
      weightDecay: p1.weight_decay,
    };
    const optax = simulateNadamw("optax", sim);
    const torch = simulateNadamw("torch_nadam", {
      ...sim,
      momentumDecay: cfg.pytorch.kwargs.momentum_decay as number,
    });
    torch.forEach((x, i) => {
      expect(Math.abs(x - optax[i]!)).toBeLessThan(1e-15);
    });
    // First update uses lr(0) = 0: nothing moves.
    expect(optax[0]).toBe(0.3);
    // The torch default ψ = 4e-3 is a different algorithm, and so is the AlgoPerf variant.
    const torchDefault = simulateNadamw("torch_nadam", { ...sim, momentumDecay: 4e-3 });
    expect(Math.abs(torchDefault[39]! - optax[39]!)).toBeGreaterThan(1e-6);
    expect(Math.abs(simulateNadamw("algoperf", sim)[39]! - optax[39]!)).toBeGreaterThan(1e-6);
  });
  it("the AlgoPerf variant names AlgoPerf's own class and says torch.optim cannot express it", () => {
    const cfg = materialize(getList("algoperf-v0.5-nadamw-baseline").points[4]!, 133_333, {
      variant: "algoperf",
    });
    expect(cfg.pytorch.exact).toBe(false);
    expect(cfg.pytorch.optimizer).toMatch(/AlgoPerf/);
    expect(cfg.schedule.warmupSteps).toBe(2666); // int(0.02 · 133333) = int(2666.66)
    expect(cfg.notes.join(" ")).toMatch(/optax.nadamw uses/);
  });
  it("validates", () => {
    expect(() => materialize(p1, 0)).toThrow(/totalSteps/);
    expect(() => materialize({ ...p1, beta1: 1 }, 10)).toThrow(/point.beta1: expected a value in \[0, 1\)/);
    expect(pyFloat(0)).toBe("0.0");
    expect(pyFloat(1e-8)).toBe("1e-08");
  });
});
