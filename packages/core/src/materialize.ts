/**
 * Materialisation: a list point + total step budget S → the exact optimizer configuration: warmup steps,
 * the learning rate at every step, keyword arguments for optax `nadamw` and for PyTorch, dropout and label
 * smoothing. References: Dozat 2016, "Incorporating Nesterov Momentum into Adam" (NAdam);
 * Loshchilov & Hutter 2019, arXiv:1711.05101 (decoupled weight decay); optax `_src/alias.py::nadamw`,
 * torch.optim.NAdam, AE `pytorch_nadamw_full_budget.py`.
 */

import type { NadamwListPoint } from "./builtins.js";
import { InvalidArgumentError, requireFinite, requireInt } from "./errors.js";
import {
  learningRateAt,
  type WarmupCosineSchedule,
  type WarmupRounding,
  warmupCosineSchedule,
} from "./schedule.js";

/**
 * Which NAdamW: `optax` (optax.nadamw; Medapati et al. tuned with it) or `algoperf` (AlgoPerf/init2winit
 * scale_by_nadam, the variant behind the AlgoPerf baseline list). They differ only in the Nesterov bias
 * correction: optax m̂ = β1 m_t/(1−β1^(t+1)) + (1−β1) g/(1−β1^t); AlgoPerf m̂ = (β1 m_t + (1−β1) g)/(1−β1^t).
 * At t = 1, β1 = 0.9: 1.4737·g vs 1.9·g; the gap fades after ≈ 5/(1−β1) steps
 * (β1^t ≤ e^−5).
 */
export type NadamwVariant = "optax" | "algoperf";

/** The hyperparameters of a NAdamW list point, by their materialised names (every one is required). */
export const NADAMW_POINT_FIELDS = [
  "learning_rate",
  "beta1",
  "beta2",
  "weight_decay",
  "warmup_fraction",
  "dropout_rate",
  "label_smoothing",
] as const;

/** Options of {@link materialize}. */
export interface MaterializeOptions {
  /**
   * Default optax. A point does not know its list, so callers that do pass `list.variant` (as
   * `nadir lists show` does): the AlgoPerf baseline list was tuned with the algoperf variant.
   */
  variant?: NadamwVariant;
  /** Warmup rounding, default floor (AlgoPerf `int(f·S)`). */
  rounding?: WarmupRounding;
  /** ε outside the sqrt; 1e-8 in every baseline. */
  epsilon?: number;
}

/** Everything a worker needs to train one list point for S steps. */
export interface MaterializedConfig {
  pointId: number;
  variant: NadamwVariant;
  hyperparameters: {
    learning_rate: number;
    beta1: number;
    beta2: number;
    epsilon: number;
    epsilon_root: number;
    weight_decay: number;
    warmup_fraction: number;
    dropout_rate: number;
    label_smoothing: number;
  };
  schedule: WarmupCosineSchedule & { kind: "linear_warmup_cosine_decay"; initValue: 0; endValue: 0 };
  /** optax: `optax.nadamw(**kwargs)` with learning_rate = the schedule below. */
  optax: { call: string; kwargs: Record<string, number | string>; schedule: string; code: string };
  /** PyTorch: the optimizer to build and the per-step LR multiplier. */
  pytorch: {
    optimizer: string;
    kwargs: Record<string, number | boolean | [number, number]>;
    scheduler: string;
    code: string;
    exact: boolean;
  };
  /** Points where this config departs from another convention, in words. */
  notes: string[];
}

/** Python literal for a double (repr-like: 0.0, 1e-08). */
export function pyFloat(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  return String(x).replace(/e([+-])(\d)$/, "e$10$2");
}

/**
 * Builds the exact configuration of one list point for a total budget of S steps (S = the workload's
 * step_hint in AlgoPerf):
 * - W = floor(f·S) warmup steps, lr(c) per {@link learningRateAt} (0 → η linearly, cosine to 0 at S).
 * - optax: `optax.nadamw(learning_rate=optax.warmup_cosine_decay_schedule(0.0, η, W, S, 0.0), b1=β1, b2=β2,
 *   eps=1e-8, eps_root=0.0, weight_decay=λ)`. weight_decay must be passed: optax's default is 1e-4.
 * - PyTorch (variant optax): `torch.optim.NAdam(lr=η, betas=(β1, β2), eps=1e-8, weight_decay=λ,
 *   momentum_decay=1e9, decoupled_weight_decay=True)` + `LambdaLR(lr(c)/η)` stepped after every update.
 *   ψ = 1e9 makes μ_t = β1 exactly (0.96^(tψ) underflows to 0), which turns torch's NAdam into optax's
 *   (μ_t = β1(1 − 0.5·0.96^(tψ)), Dozat 2016); the torch default ψ = 4e-3 is a different algorithm early in training. Decoupled decay
 *   θ(1 − γλ) scales λ by the full lr, as optax does. Needs torch ≥ 2.2 (decoupled_weight_decay).
 * - PyTorch (variant algoperf): torch.optim has no equivalent; AlgoPerf's own `NAdamW` class
 *   (pytorch_nadamw_full_budget.py) with the same keyword arguments is named instead.
 */
export function materialize(
  point: NadamwListPoint,
  totalSteps: number,
  options: MaterializeOptions = {},
): MaterializedConfig {
  requireInt("totalSteps", totalSteps, 1);
  for (const k of NADAMW_POINT_FIELDS) requireFinite(`point.${k}`, point[k]);
  for (const k of ["beta1", "beta2"] as const) {
    if (!(point[k] >= 0 && point[k] < 1))
      throw new InvalidArgumentError(`point.${k}`, `expected a value in [0, 1), got ${point[k]}`);
  }
  const variant = options.variant ?? "optax";
  if (variant !== "optax" && variant !== "algoperf")
    throw new InvalidArgumentError("variant", `expected "optax" or "algoperf", got ${String(variant)}`);
  const eps = options.epsilon ?? 1e-8;
  requireFinite("epsilon", eps);
  const sched = warmupCosineSchedule(
    point.learning_rate,
    point.warmup_fraction,
    totalSteps,
    options.rounding ?? "floor",
  );
  const { warmupSteps: W } = sched;
  const eta = point.learning_rate;
  const schedStr = `optax.warmup_cosine_decay_schedule(init_value=0.0, peak_value=${pyFloat(eta)}, warmup_steps=${W}, decay_steps=${totalSteps}, end_value=0.0)`;
  const optaxKwargs = {
    b1: point.beta1,
    b2: point.beta2,
    eps,
    eps_root: 0,
    weight_decay: point.weight_decay,
  };
  const optaxCall = variant === "optax" ? "optax.nadamw" : "algoperf nadamw (jax_nadamw_full_budget.py)";
  const optaxCode =
    variant === "optax"
      ? `optax.nadamw(learning_rate=${schedStr}, b1=${pyFloat(point.beta1)}, b2=${pyFloat(point.beta2)}, eps=${pyFloat(eps)}, eps_root=0.0, weight_decay=${pyFloat(point.weight_decay)})`
      : `nadamw(learning_rate=${schedStr}, b1=${pyFloat(point.beta1)}, b2=${pyFloat(point.beta2)}, eps=${pyFloat(eps)}, weight_decay=${pyFloat(point.weight_decay)})  # AlgoPerf jax_nadamw_full_budget.py, no mask`;
  const lambda = `lambda c: (c / ${W} if c < ${W} else 0.5 * (1 + math.cos(math.pi * min(c - ${W}, ${sched.cosineSteps}) / ${sched.cosineSteps})))`;
  const scheduler = `torch.optim.lr_scheduler.LambdaLR(opt, ${lambda})  # scheduler.step() after every opt.step()`;
  const torchKwargs: Record<string, number | boolean | [number, number]> =
    variant === "optax"
      ? {
          lr: eta,
          betas: [point.beta1, point.beta2],
          eps,
          weight_decay: point.weight_decay,
          momentum_decay: 1e9,
          decoupled_weight_decay: true,
        }
      : { lr: eta, betas: [point.beta1, point.beta2], eps, weight_decay: point.weight_decay };
  const torchOpt =
    variant === "optax" ? "torch.optim.NAdam" : "NAdamW (AlgoPerf pytorch_nadamw_full_budget.py)";
  const torchCode =
    variant === "optax"
      ? `opt = torch.optim.NAdam(params, lr=${pyFloat(eta)}, betas=(${pyFloat(point.beta1)}, ${pyFloat(point.beta2)}), eps=${pyFloat(eps)}, weight_decay=${pyFloat(point.weight_decay)}, momentum_decay=1e9, decoupled_weight_decay=True)`
      : `opt = NAdamW(params, lr=${pyFloat(eta)}, betas=(${pyFloat(point.beta1)}, ${pyFloat(point.beta2)}), eps=${pyFloat(eps)}, weight_decay=${pyFloat(point.weight_decay)})  # AlgoPerf class, not torch.optim`;
  const notes = [
    "lr(c) is the learning rate of the (c+1)-th update: the first update uses lr(0) = 0, so it changes nothing (optax counter convention).",
    "Weight decay is decoupled and multiplied by the full scheduled learning rate (optax and PyTorch convention, not Loshchilov & Hutter's schedule-only factor).",
    variant === "optax"
      ? "Variant optax: AlgoPerf's own NAdamW uses m̂ = (β1·m_t + (1−β1)·g_t)/(1−β1^t) instead; the difference fades after ≈ 5/(1−β1) steps."
      : "Variant algoperf: optax.nadamw uses m̂ = β1·m_t/(1−β1^(t+1)) + (1−β1)·g_t/(1−β1^t) instead; torch.optim.NAdam cannot express this variant.",
    "AlgoPerf decays every parameter (no mask); optax's default mask is also none. The LambdaLR above clamps at S and starts at 0, as optax does; AlgoPerf's own PyTorch port (LinearLR from 1e-10, then CosineAnnealingLR) starts at 1e-10·η and rises again past S (AlgoPerf pytorch_nadamw_full_budget.py).",
  ];
  return {
    pointId: point.id,
    variant,
    hyperparameters: {
      learning_rate: eta,
      beta1: point.beta1,
      beta2: point.beta2,
      epsilon: eps,
      epsilon_root: 0,
      weight_decay: point.weight_decay,
      warmup_fraction: point.warmup_fraction,
      dropout_rate: point.dropout_rate,
      label_smoothing: point.label_smoothing,
    },
    schedule: { ...sched, kind: "linear_warmup_cosine_decay", initValue: 0, endValue: 0 },
    optax: {
      call: optaxCall,
      kwargs: { learning_rate: schedStr, ...optaxKwargs },
      schedule: schedStr,
      code: optaxCode,
    },
    pytorch: {
      optimizer: torchOpt,
      kwargs: torchKwargs,
      scheduler,
      code: torchCode,
      exact: variant === "optax",
    },
    notes,
  };
}

/**
 * The learning rate at the steps `nadir lists show --steps S` prints: 0, 1, W, floor(S/2) and S − 1
 * (deduplicated, ascending).
 */
export function lrCheckpoints(cfg: MaterializedConfig): { step: number; lr: number }[] {
  const S = cfg.schedule.totalSteps;
  const steps = [...new Set([0, 1, cfg.schedule.warmupSteps, Math.floor(S / 2), S - 1])]
    .filter((c) => c >= 0)
    .sort((a, b) => a - b);
  return steps.map((step) => ({ step, lr: learningRateAt(cfg.schedule, step) }));
}
