/**
 * Linear warmup from 0 then cosine decay to 0: the AlgoPerf NAdamW baseline schedule
 * (AlgoPerf, Dahl et al. 2023, arXiv:2306.07179; `algorithms/baselines/external_tuning/jax_nadamw_full_budget.py`),
 * which is
 * optax `warmup_cosine_decay_schedule(init_value=0, peak_value=η, warmup_steps=W, decay_steps=S,
 * end_value=0)` (optax `schedules/_schedule.py`, `_join.py`).
 */
import { InvalidArgumentError, requireFinite, requireInt } from "./errors.js";

/** How warmup steps are derived from a fraction: AlgoPerf `int(f·S)` (floor) or init2winit `round(f·S)`. */
export type WarmupRounding = "floor" | "round";

/** A fully determined warmup + cosine schedule. */
export interface WarmupCosineSchedule {
  /** Peak (base) learning rate η. */
  peak: number;
  /** Total steps S (optax decay_steps; counts the warmup). */
  totalSteps: number;
  /** W = floor(f·S) (or round). */
  warmupSteps: number;
  /** C = max(S − W, 1): length of the cosine phase. */
  cosineSteps: number;
  warmupFraction: number;
  rounding: WarmupRounding;
}

/**
 * Builds the schedule: W = floor(f·S) (Python `int()`, AlgoPerf) or round(f·S) (init2winit), C = max(S − W, 1).
 * Requires η ≥ 0, S ≥ 1 integer, f ∈ [0, 1].
 */
export function warmupCosineSchedule(
  peak: number,
  warmupFraction: number,
  totalSteps: number,
  rounding: WarmupRounding = "floor",
): WarmupCosineSchedule {
  requireFinite("peak", peak);
  if (peak < 0) throw new InvalidArgumentError("peak", `expected a learning rate ≥ 0, got ${peak}`);
  requireFinite("warmupFraction", warmupFraction);
  if (warmupFraction < 0 || warmupFraction > 1)
    throw new InvalidArgumentError("warmupFraction", `expected a fraction in [0, 1], got ${warmupFraction}`);
  requireInt("totalSteps", totalSteps, 1);
  if (rounding !== "floor" && rounding !== "round")
    throw new InvalidArgumentError("rounding", `expected "floor" or "round", got ${String(rounding)}`);
  const x = warmupFraction * totalSteps;
  // Python round() is round-half-to-even; Math.round rounds half up, so handle .5 explicitly.
  const warmupSteps = rounding === "floor" ? Math.floor(x) : roundHalfEven(x);
  return {
    peak,
    totalSteps,
    warmupSteps,
    cosineSteps: Math.max(totalSteps - warmupSteps, 1),
    warmupFraction,
    rounding,
  };
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Learning rate at schedule counter c (the k-th optimizer update, k = 1, 2, …, uses c = k − 1):
 * - c < W: optax linear_schedule(0 → η, W): (0 − η)·(1 − c/W) + η  (= η·c/W, evaluated as optax does)
 * - c ≥ W: optax cosine_decay_schedule(η, C): η·½·(1 + cos(π·min(c − W, C)/C))
 * So lr(0) = 0, lr(W) = η, lr(S) = 0, and lr stays 0 past S (optax clamps).
 */
export function learningRateAt(s: WarmupCosineSchedule, c: number): number {
  requireInt("c", c, 0);
  if (c < s.warmupSteps) return (0 - s.peak) * (1 - c / s.warmupSteps) + s.peak;
  const t = Math.min(c - s.warmupSteps, s.cosineSteps);
  return s.peak * (0.5 * (1 + Math.cos((Math.PI * t) / s.cosineSteps)));
}
