/**
 * Materialisation: search-space values -> the hyperparameters a worker trains with (TrialAssignment
 * .parameters and .optimizer). Transforms are applied (ONE_MINUS: v -> 1 - v) and parameters renamed to
 * their materialized_name. When the study's optimizer is NAdamW (optimizer_defaults.optimizer "nadamw", or
 * a learning_rate parameter with no optimizer named), the OptimizerConfig is @nadir/core's
 * {@link coreMaterialize} of the point (the configuration `nadir lists show --steps` prints: warmup steps
 * with the study's rounding, the study's variant and ε), re-expressed as protocol fields. Only what core
 * does not model is added here: aux_dropout_rate and grad_clip.
 */
import {
  materialize as coreMaterialize,
  InvalidArgumentError,
  type MaterializedConfig,
  type NadamwListPoint,
  type NadamwVariant,
  type WarmupRounding,
} from "@nadir/core";
import { nadir } from "@nadir/protocol";
import type { ParameterValue } from "@nadir/sdk";
import { parameterValue } from "@nadir/sdk";
import { CoordinatorError } from "./errors.js";

/** The study's optimizer settings cannot be materialised, or a trial's values are out of range. */
export class MaterializeError extends CoordinatorError {
  /** The offending field (e.g. `optimizerDefaults.schedule`, `beta1`). */
  declare readonly path: string;
  /**
   * @param path the offending field (e.g. `optimizerDefaults.schedule`, `beta1`)
   * @param reason what is wrong with it, without the path
   */
  constructor(
    path: string,
    readonly reason: string,
  ) {
    super("materialize_failed", `${path}: ${reason}`, path);
  }
}

/** How a study's optimizer_defaults resolve, with the protocol's defaults for empty fields. */
export interface OptimizerSettings {
  /** True when the study trains NAdamW (the only optimizer core materialises). */
  nadamw: boolean;
  variant: NadamwVariant;
  rounding: WarmupRounding;
  /** Undefined: core's default (1e-8). */
  epsilon: number | undefined;
}

/**
 * Values of NAdamW hyperparameters a study's space does not search: the AlgoPerf baseline's fixed
 * parts (β1 0.9, β2 0.999 as in optax and torch; no weight decay, warmup, dropout or label smoothing,
 * which is stricter than optax's weight_decay default 1e-4 on purpose: a study that does not search
 * weight decay trains without it).
 */
export const NADAMW_UNSEARCHED_DEFAULTS: Readonly<Omit<NadamwListPoint, "id" | "learning_rate" | "note">> =
  Object.freeze({
    beta1: 0.9,
    beta2: 0.999,
    weight_decay: 0,
    warmup_fraction: 0,
    dropout_rate: 0,
    label_smoothing: 0,
  });

/**
 * Resolves and checks a study's optimizer_defaults (the static part of materialisation, so a study that
 * cannot be materialised is rejected when it is created instead of failing every trial). Empty fields take
 * the protocol's defaults (study.proto OptimizerDefaults): variant algoperf, rounding floor, schedule
 * linear warmup + cosine decay.
 * @throws MaterializeError for an unknown variant or rounding, or a schedule core does not materialise
 */
export function optimizerSettings(spec: nadir.v1.StudySpec.$Properties): OptimizerSettings {
  const od = spec.optimizerDefaults;
  const variant = od?.variant || "algoperf";
  if (variant !== "algoperf" && variant !== "optax")
    throw new MaterializeError(
      "optimizerDefaults.variant",
      `expected "algoperf" or "optax", got ${JSON.stringify(variant)}`,
    );
  const rounding = od?.warmupRounding || "floor";
  if (rounding !== "floor" && rounding !== "round")
    throw new MaterializeError(
      "optimizerDefaults.warmupRounding",
      `expected "floor" or "round", got ${JSON.stringify(rounding)}`,
    );
  const nadamw = od?.optimizer ? od.optimizer.toLowerCase() === "nadamw" : true;
  const schedule = od?.schedule || "linear_warmup_cosine_decay";
  // Workers would train whatever kind the assignment names, but core (and so `nadir lists show`)
  // defines only warmup + cosine; sending cosine for another name would train the wrong schedule.
  if (nadamw && schedule !== "linear_warmup_cosine_decay")
    throw new MaterializeError(
      "optimizerDefaults.schedule",
      `${JSON.stringify(schedule)} is not supported: NAdamW studies train linear_warmup_cosine_decay`,
    );
  return { nadamw, variant, rounding, epsilon: od?.epsilon || undefined };
}

const VARIANT: Readonly<Record<NadamwVariant, nadir.v1.NadamwVariant>> = {
  optax: nadir.v1.NadamwVariant.NADAMW_VARIANT_OPTAX,
  algoperf: nadir.v1.NadamwVariant.NADAMW_VARIANT_ALGOPERF,
};
const ROUNDING: Readonly<Record<WarmupRounding, nadir.v1.WarmupRounding>> = {
  floor: nadir.v1.WarmupRounding.WARMUP_ROUNDING_FLOOR,
  round: nadir.v1.WarmupRounding.WARMUP_ROUNDING_ROUND,
};

/**
 * Re-expresses core's materialised configuration as the protocol's OptimizerConfig, field for field
 * (decay_all_parameters: AlgoPerf decays every parameter, as core's config states).
 */
export function optimizerConfigFromCore(
  m: MaterializedConfig,
  extra: { auxDropoutRate?: number; gradClipNorm?: number } = {},
): nadir.v1.OptimizerConfig.$Properties {
  const h = m.hyperparameters;
  return {
    nadamw: {
      learningRate: h.learning_rate,
      beta1: h.beta1,
      beta2: h.beta2,
      epsilon: h.epsilon,
      epsilonRoot: h.epsilon_root,
      weightDecay: h.weight_decay,
      variant: VARIANT[m.variant],
      decayAllParameters: true,
    },
    schedule: {
      kind: nadir.v1.ScheduleKind.SCHEDULE_KIND_LINEAR_WARMUP_COSINE_DECAY,
      warmupSteps: m.schedule.warmupSteps,
      warmupFraction: m.schedule.warmupFraction,
      warmupRounding: ROUNDING[m.schedule.rounding],
      totalSteps: m.schedule.totalSteps,
      initValue: m.schedule.initValue,
      endValue: m.schedule.endValue,
    },
    regularization: {
      dropoutRate: h.dropout_rate,
      labelSmoothing: h.label_smoothing,
      auxDropoutRate: extra.auxDropoutRate ?? 0,
    },
    ...(extra.gradClipNorm !== undefined ? { gradClipNorm: extra.gradClipNorm } : {}),
  };
}

/**
 * Applies transforms and renames; builds the optimizer config (through core) when the study trains NAdamW.
 * @throws MaterializeError when the study's optimizer settings are invalid or core rejects the values
 *   (e.g. β1 ≥ 1, a warmup fraction outside [0, 1]): such a point cannot be trained.
 */
export function materialize(
  spec: nadir.v1.StudySpec.$Properties,
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
  const settings = optimizerSettings(spec);
  const lr = num("learning_rate");
  // No optimizer named: NAdamW only when the point has a learning rate to train with.
  if (!settings.nadamw || lr === undefined) return { parameters, optimizer: undefined };
  const d = NADAMW_UNSEARCHED_DEFAULTS;
  // one_minus_beta1 given without a transform (an inline list's own name): beta1 = 1 - value.
  const omb1 = num("one_minus_beta1");
  const point: NadamwListPoint = {
    id: 0,
    learning_rate: lr,
    beta1: num("beta1") ?? (omb1 !== undefined ? 1 - omb1 : d.beta1),
    beta2: num("beta2") ?? d.beta2,
    weight_decay: num("weight_decay") ?? d.weight_decay,
    // AlgoPerf's name first (warmup_factor), then core's.
    warmup_fraction: num("warmup_factor") ?? num("warmup_fraction") ?? d.warmup_fraction,
    dropout_rate: num("dropout_rate") ?? d.dropout_rate,
    label_smoothing: num("label_smoothing") ?? d.label_smoothing,
  };
  let m: MaterializedConfig;
  try {
    m = coreMaterialize(point, Number(spec.stepBudget), {
      variant: settings.variant,
      rounding: settings.rounding,
      ...(settings.epsilon !== undefined ? { epsilon: settings.epsilon } : {}),
    });
  } catch (err) {
    if (err instanceof InvalidArgumentError) {
      const why = err.message.startsWith(`${err.path}: `)
        ? err.message.slice(err.path.length + 2)
        : err.message;
      throw new MaterializeError(err.path.replace(/^point\./, ""), why);
    }
    throw err;
  }
  const gradClip = num("grad_clip");
  return {
    parameters,
    optimizer: optimizerConfigFromCore(m, {
      auxDropoutRate: num("aux_dropout_rate") ?? 0,
      ...(gradClip !== undefined ? { gradClipNorm: gradClip } : {}),
    }),
  };
}
