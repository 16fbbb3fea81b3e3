/**
 * Materialisation: search-space values -> the hyperparameters a worker trains with (TrialAssignment
 * .parameters and .optimizer). Transforms are applied (ONE_MINUS: v -> 1 - v) and parameters renamed to
 * their materialized_name. When the study's optimizer is NAdamW (optimizer_defaults.optimizer "nadamw", or
 * a learning_rate parameter with no optimizer named), an OptimizerConfig is filled from the AlgoPerf names
 * (algorithms.md §3.2): learning_rate, beta1 (or one_minus_beta1), beta2, weight_decay, warmup_factor (or
 * core's name, warmup_fraction), dropout_rate, label_smoothing, grad_clip; warmup_steps = floor(warmup_factor · step_budget) (AlgoPerf
 * `int()`, algorithms.md §2.2).
 *
 * NOTE: a minimal local version; @nadir/core owns materialisation and replaces this when it exports it.
 */
import { nadir } from "@nadir/protocol";
import type { ParameterValue } from "@nadir/sdk";
import { parameterValue } from "@nadir/sdk";

/** Applies transforms and renames; builds the optimizer config when the study trains NAdamW. */
export function materialize(
  spec: nadir.v1.StudySpec,
  values: Record<string, ParameterValue>,
): {
  parameters: Record<string, ParameterValue>;
  optimizer: nadir.v1.OptimizerConfig.$Properties | undefined;
} {
  const parameters: Record<string, ParameterValue> = {};
  const specs = new Map((spec.searchSpace?.parameters ?? []).map((p) => [p.name, p]));
  for (const [name, v] of Object.entries(values)) {
    const p = specs.get(name);
    let value = v;
    if (p?.transform === nadir.v1.Transform.TRANSFORM_ONE_MINUS) {
      const x = parameterValue(v);
      if (typeof x === "number") value = { floatValue: 1 - x };
    }
    parameters[
      p?.materializedName ||
        (p?.transform === nadir.v1.Transform.TRANSFORM_ONE_MINUS && name.startsWith("one_minus_")
          ? name.slice("one_minus_".length)
          : name)
    ] = value;
  }
  const num = (k: string): number | undefined => {
    const x = parameterValue(parameters[k]);
    return typeof x === "number" ? x : undefined;
  };
  // one_minus_beta1 given without a transform in the list form: beta1 = 1 - value.
  const omb1 = num("one_minus_beta1");
  const od = spec.optimizerDefaults;
  const wantsNadamw = od?.optimizer
    ? od.optimizer.toLowerCase() === "nadamw"
    : num("learning_rate") !== undefined;
  if (!wantsNadamw) return { parameters, optimizer: undefined };
  const lr = num("learning_rate");
  if (lr === undefined) return { parameters, optimizer: undefined };
  const steps = Number(spec.stepBudget);
  const warmupFraction = num("warmup_factor") ?? num("warmup_fraction") ?? 0;
  const warmupSteps = Math.floor(warmupFraction * steps);
  const gradClip = num("grad_clip");
  return {
    parameters,
    optimizer: {
      nadamw: {
        learningRate: lr,
        beta1: num("beta1") ?? (omb1 !== undefined ? 1 - omb1 : 0.9),
        beta2: num("beta2") ?? 0.999,
        epsilon: od?.epsilon || 1e-8,
        epsilonRoot: 0,
        weightDecay: num("weight_decay") ?? 0,
        variant:
          od?.variant === "optax"
            ? nadir.v1.NadamwVariant.NADAMW_VARIANT_OPTAX
            : nadir.v1.NadamwVariant.NADAMW_VARIANT_ALGOPERF,
        decayAllParameters: true,
      },
      schedule: {
        kind: nadir.v1.ScheduleKind.SCHEDULE_KIND_LINEAR_WARMUP_COSINE_DECAY,
        warmupSteps,
        warmupFraction,
        warmupRounding: nadir.v1.WarmupRounding.WARMUP_ROUNDING_FLOOR,
        totalSteps: steps,
      },
      regularization: {
        dropoutRate: num("dropout_rate") ?? 0,
        labelSmoothing: num("label_smoothing") ?? 0,
        auxDropoutRate: num("aux_dropout_rate") ?? 0,
      },
      ...(gradClip !== undefined ? { gradClipNorm: gradClip } : {}),
    },
  };
}
