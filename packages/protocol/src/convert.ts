/**
 * Conversion of validated user-facing JSON (study config, search space) into the wire messages
 * `nadir.v1.StudySpec` and `nadir.v1.SearchSpace` that suggesters, workers and the journal see.
 * Pure functions: call validateStudy / validateSearchSpace first (they are not repeated here).
 */
import { InvalidArgumentError } from "./errors.js";
import { nadir } from "./messages.js";
import type {
  AlgoperfListJson,
  ParameterJson,
  SamplerJson,
  Scalar,
  SearchSpaceJson,
  StudyJson,
} from "./schema.js";

type SearchSpaceInit = nadir.v1.SearchSpace.$Properties;
type ParameterSpecInit = nadir.v1.ParameterSpec.$Properties;
type ParameterValueInit = nadir.v1.ParameterValue.$Properties;
type PointInit = nadir.v1.ListSuggesterSpec.Point.$Properties;

const Scale = nadir.v1.Scale;
const Transform = nadir.v1.Transform;

/**
 * A JSON scalar as a typed protocol value. Strings and booleans map one to one; numbers become int_value
 * when `asInt` (the caller decides per domain, since JSON cannot tell 1 from 1.0), else float_value.
 */
export function toParameterValue(v: Scalar, asInt = false): ParameterValueInit {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (!Number.isFinite(v)) throw new InvalidArgumentError(`parameter value must be finite, got ${v}`);
  return asInt ? { intValue: v } : { floatValue: v };
}

/** Typed values for a list of JSON scalars: numbers are ints only when every number in the list is one. */
function toValues(values: Scalar[]): ParameterValueInit[] {
  const nums = values.filter((v): v is number => typeof v === "number");
  const allInt = nums.length > 0 && nums.every((n) => Number.isInteger(n));
  return values.map((v) => toParameterValue(v, allInt));
}

function scaleOf(s: string | undefined): nadir.v1.Scale {
  if (s === "log") return Scale.SCALE_LOG;
  if (s === "reverse_log") return Scale.SCALE_REVERSE_LOG;
  return Scale.SCALE_LINEAR;
}

function nadirParameter(p: ParameterJson): ParameterSpecInit {
  const out: ParameterSpecInit = { name: p.name };
  switch (p.type) {
    case "float":
      out.floatDomain = { min: p.min, max: p.max, scale: scaleOf(p.scale) };
      break;
    case "int":
      out.intDomain = { min: p.min, max: p.max, scale: scaleOf(p.scale) };
      break;
    case "categorical":
      out.categoricalDomain = { values: toValues(p.values) };
      break;
    case "discrete":
      // JSON cannot tell 2 from 2.0: a set of whole numbers is taken as integer-valued.
      out.discreteDomain = { values: [...p.values], integer: p.values.every((v) => Number.isInteger(v)) };
      break;
    case "fixed":
      out.fixedDomain = {
        value: toParameterValue(p.value, typeof p.value === "number" && Number.isInteger(p.value)),
      };
      break;
  }
  out.transform = p.transform === "one_minus" ? Transform.TRANSFORM_ONE_MINUS : Transform.TRANSFORM_IDENTITY;
  if (p.as) out.materializedName = p.as;
  if (p.condition) out.condition = { parent: p.condition.parent, values: toValues(p.condition.values) };
  if (p.description) out.description = p.description;
  return out;
}

/** AlgoPerf's naming convention: `one_minus_<x>` is sampled, `<x>` = 1 - value is what training uses. */
function algoperfTransform(name: string): Pick<ParameterSpecInit, "transform" | "materializedName"> {
  const m = /^one_minus_(.+)$/.exec(name);
  return m
    ? { transform: Transform.TRANSFORM_ONE_MINUS, materializedName: m[1] as string }
    : { transform: Transform.TRANSFORM_IDENTITY };
}

/** A finite set of AlgoPerf values: one value is a constant, several numbers an ordered set, else unordered. */
function finiteDomain(name: string, values: Scalar[]): ParameterSpecInit {
  const base = { name, ...algoperfTransform(name) };
  if (values.length === 1) {
    const v = values[0] as Scalar;
    return { ...base, fixedDomain: { value: toParameterValue(v, false) } };
  }
  if (values.every((v) => typeof v === "number")) {
    const nums = [...new Set(values as number[])].sort((a, b) => a - b);
    return { ...base, discreteDomain: { values: nums, integer: false } };
  }
  return { ...base, categoricalDomain: { values: toValues([...new Set(values)]) } };
}

/** Result of converting a search space: the dimensions, plus the points when it was a list. */
export interface ConvertedSearchSpace {
  space: SearchSpaceInit;
  /** AlgoPerf list form only: the trials, in file order. */
  points?: PointInit[];
}

/**
 * Converts any accepted search-space form to nadir.v1.SearchSpace.
 * - Nadir form: one ParameterSpec per entry, in order.
 * - AlgoPerf dict form: {min, max, scaling} -> float domain; feasible_points -> fixed (one value), discrete
 *   (numbers) or categorical; names `one_minus_<x>` get TRANSFORM_ONE_MINUS materialised as `<x>`.
 * - AlgoPerf list form: the points (ListSuggesterSpec points), and a space whose dimensions are the values
 *   each key takes across the list (so samplers and analysis know the names and ranges).
 */
export function searchSpaceToProto(space: SearchSpaceJson): ConvertedSearchSpace {
  if (Array.isArray(space)) {
    const list = space as AlgoperfListJson;
    const names: string[] = [];
    const seen = new Map<string, Scalar[]>();
    for (const point of list) {
      for (const [k, v] of Object.entries(point)) {
        if (!seen.has(k)) {
          seen.set(k, []);
          names.push(k);
        }
        (seen.get(k) as Scalar[]).push(v);
      }
    }
    const points = list.map((point) => ({
      values: Object.fromEntries(
        Object.keys(point)
          .sort()
          .map((k) => [k, toParameterValue(point[k] as Scalar, false)]),
      ),
    }));
    return { space: { parameters: names.map((n) => finiteDomain(n, seen.get(n) as Scalar[])) }, points };
  }
  if (Array.isArray((space as { parameters?: unknown }).parameters)) {
    return {
      space: { parameters: (space as { parameters: ParameterJson[] }).parameters.map(nadirParameter) },
    };
  }
  const params: ParameterSpecInit[] = [];
  for (const [name, dim] of Object.entries(
    space as Record<string, { min: number; max: number; scaling: string } | { feasible_points: Scalar[] }>,
  )) {
    if ("feasible_points" in dim) params.push(finiteDomain(name, dim.feasible_points));
    else
      params.push({
        name,
        floatDomain: { min: dim.min, max: dim.max, scale: scaleOf(dim.scaling) },
        ...algoperfTransform(name),
      });
  }
  return { space: { parameters: params } };
}

const Direction = nadir.v1.Direction;
const dir = (d: "minimize" | "maximize") =>
  d === "minimize" ? Direction.DIRECTION_MINIMIZE : Direction.DIRECTION_MAXIMIZE;

function sampler(s: SamplerJson, studySeed: number): nadir.v1.SamplerSpec.$Properties {
  const kind = {
    random: nadir.v1.SamplerKind.SAMPLER_KIND_RANDOM,
    halton: nadir.v1.SamplerKind.SAMPLER_KIND_HALTON,
    grid: nadir.v1.SamplerKind.SAMPLER_KIND_GRID,
  }[s.kind];
  return {
    kind,
    seed: s.seed ?? studySeed,
    ...(s.pointsPerDimension ? { gridPointsPerDimension: s.pointsPerDimension } : {}),
  };
}

/**
 * Converts a validated study config to nadir.v1.StudySpec. Defaults: parallelism 1, replicates 1, target
 * metric and direction = the objective's, stopWhenReached true, suggester = Halton seeded with the study
 * seed (or, when the search space is an AlgoPerf list, that list followed by nothing), sampler seeds = the
 * study seed (default 0), optimizer variant algoperf, epsilon 1e-8, schedule linear warmup + cosine decay.
 * @param resolvedSearchSpace required when `study.searchSpace` is a path (read and validated by the caller)
 */
export function studyToSpec(
  study: StudyJson,
  resolvedSearchSpace?: SearchSpaceJson,
): nadir.v1.StudySpec.$Properties {
  const rawSpace = typeof study.searchSpace === "string" ? resolvedSearchSpace : study.searchSpace;
  if (rawSpace === undefined) {
    throw new InvalidArgumentError(
      `studyToSpec: study.searchSpace is the path ${JSON.stringify(study.searchSpace)}; pass the file's parsed contents`,
      "/searchSpace",
    );
  }
  const studySeed = study.seed ?? 0;
  const { space, points } = searchSpaceToProto(rawSpace);
  const spec: nadir.v1.StudySpec.$Properties = {
    studyId: study.id,
    name: study.name ?? study.id,
    searchSpace: space,
    objective: { metric: study.objective.metric, direction: dir(study.objective.direction) },
    budget: {
      maxTrials: study.budget.trials,
      parallelism: study.budget.parallelism ?? 1,
      ...(study.budget.maxFailedTrials !== undefined
        ? { maxFailedTrials: study.budget.maxFailedTrials }
        : {}),
      ...(study.budget.maxAttemptsPerTrial !== undefined
        ? { maxAttemptsPerTrial: study.budget.maxAttemptsPerTrial }
        : {}),
      ...(study.budget.maxWallSeconds !== undefined ? { maxWallSeconds: study.budget.maxWallSeconds } : {}),
    },
    stepBudget: study.stepBudget,
    replicates: study.replicates ?? 1,
  };
  if (study.workload) spec.workload = study.workload;
  if (study.reportEverySteps) spec.reportEverySteps = study.reportEverySteps;
  if (study.labels)
    spec.labels = Object.fromEntries(
      Object.entries(study.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  if (study.target) {
    spec.target = {
      metric: study.target.metric ?? study.objective.metric,
      threshold: study.target.value,
      direction: dir(study.target.direction ?? study.objective.direction),
      stopWhenReached: study.target.stopWhenReached ?? true,
    };
  }
  const s = study.suggester;
  if (!s) {
    spec.suggester = points ? { list: { points } } : { sampler: sampler({ kind: "halton" }, studySeed) };
  } else if (s.kind === "list") {
    spec.suggester = {
      list: {
        ...(typeof s.list === "string"
          ? { listName: s.list }
          : { points: searchSpaceToProto(s.list).points ?? [] }),
        ...(s.fallback ? { fallback: sampler(s.fallback, studySeed) } : {}),
      },
    };
  } else if (s.kind === "external") {
    spec.suggester = {
      external: {
        algorithm: s.algorithm,
        ...(s.suggesterId ? { suggesterId: s.suggesterId } : {}),
        ...(s.settings ? { settings: s.settings } : {}),
        seed: s.seed ?? studySeed,
      },
    };
  } else {
    spec.suggester = { sampler: sampler(s, studySeed) };
  }
  const es = study.earlyStopping;
  if (es?.kind === "asha") {
    spec.earlyStopping = {
      asha: {
        minSteps: es.minSteps,
        reductionFactor: es.reductionFactor ?? 3,
        minEarlyStoppingRate: es.minEarlyStoppingRate ?? 0,
      },
      ...(es.metric ? { metric: es.metric } : {}),
    };
  } else if (es?.kind === "median") {
    spec.earlyStopping = {
      median: {
        warmupSteps: es.warmupSteps ?? 0,
        minTrials: es.minTrials ?? 5,
        intervalSteps: es.intervalSteps ?? 0,
      },
      ...(es.metric ? { metric: es.metric } : {}),
    };
  }
  const ss = study.studyStopper;
  if (ss?.kind === "asymptotic") {
    spec.studyStopper = {
      asymptotic: {
        gain: ss.gain,
        inTrials: ss.inTrials,
        minTrials: ss.minTrials ?? 16,
        every: ss.every ?? 8,
        maxIntervalWidth: ss.maxIntervalWidth ?? 0,
        confidence: ss.confidence ?? 0.8,
        ...(ss.threshold !== undefined ? { threshold: ss.threshold } : {}),
        minTailPoints: ss.minTailPoints ?? 8,
      },
    };
  }
  const o = study.optimizer ?? {};
  spec.optimizerDefaults = {
    optimizer: o.name ?? "nadamw",
    variant: o.variant ?? "algoperf",
    epsilon: o.epsilon ?? 1e-8,
    schedule: o.schedule ?? "linear_warmup_cosine_decay",
    warmupRounding: o.warmupRounding ?? "floor",
  };
  spec.seed = studySeed;
  return spec;
}
