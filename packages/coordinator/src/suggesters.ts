/**
 * Built-in suggesters: list (a hyperparameter list replayed in order, then a fallback sampler), random,
 * Halton and grid. All are functions of the study spec and `ctx.created` (their position in a
 * deterministic sequence), so a restarted coordinator resumes exactly where it stopped.
 *
 * NOTE: these samplers are a small local implementation behind the @nadir/sdk Suggester interface because
 * @nadir/core (spaces, samplers, AlgoPerf-exact Halton, built-in lists) had no exports yet when this was
 * written. The Halton sequence here is the plain (unscrambled) radical-inverse sequence, not AlgoPerf's
 * shuffled one; switching to core's samplers only changes `sampleUnitPoint`.
 */
import { nadir } from "@nadir/protocol";
import type { ParameterValue, SuggestBatch, SuggestContext, Suggester, Suggestion } from "@nadir/sdk";

const Scale = nadir.v1.Scale;

/** Built-in lists by name. The AlgoPerf external-tuning NAdamW list (algorithms.md §3.1), in file order. */
export const BUILTIN_LISTS: Readonly<Record<string, readonly Readonly<Record<string, number>>[]>> =
  Object.freeze({
    "algoperf-nadamw-5": [
      {
        dropout_rate: 0.0,
        label_smoothing: 0.1,
        learning_rate: 0.001308209823469072,
        one_minus_beta1: 0.02686663061,
        beta2: 0.9981232922116359,
        weight_decay: 0.16375311233774334,
        warmup_factor: 0.1,
      },
      {
        dropout_rate: 0.0,
        label_smoothing: 0.2,
        learning_rate: 0.0008445074561975979,
        one_minus_beta1: 0.11042418465,
        beta2: 0.9978504782314613,
        weight_decay: 0.08135402759553023,
        warmup_factor: 0.05,
      },
      {
        dropout_rate: 0.0,
        label_smoothing: 0.0,
        learning_rate: 0.001308209823469072,
        one_minus_beta1: 0.02686663061,
        beta2: 0.9981232922116359,
        weight_decay: 0.16375311233774334,
        warmup_factor: 0.1,
      },
      {
        dropout_rate: 0.0,
        label_smoothing: 0.0,
        learning_rate: 0.004958460849689891,
        one_minus_beta1: 0.13625575743,
        beta2: 0.6291854735396584,
        weight_decay: 0.1147386261512052,
        warmup_factor: 0.02,
      },
      {
        dropout_rate: 0.1,
        label_smoothing: 0.0,
        learning_rate: 0.0017486387539278373,
        one_minus_beta1: 0.06733926164,
        beta2: 0.9955159689799007,
        weight_decay: 0.08121616522670176,
        warmup_factor: 0.02,
      },
    ],
  });

/** Raised for a suggester spec the coordinator cannot build. */
export class SuggesterConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SuggesterConfigError";
  }
}

/** SplitMix64-derived 32-bit hash of (seed, index, dim): a counter-based generator, so point k never depends on points < k. */
function unitHash(seed: number, index: number, dim: number): number {
  let h = BigInt.asUintN(
    64,
    BigInt(seed) * 0x9e3779b97f4a7c15n +
      BigInt(index) * 0xbf58476d1ce4e5b9n +
      BigInt(dim) * 0x94d049bb133111ebn,
  );
  h = BigInt.asUintN(64, (h ^ (h >> 30n)) * 0xbf58476d1ce4e5b9n);
  h = BigInt.asUintN(64, (h ^ (h >> 27n)) * 0x94d049bb133111ebn);
  h ^= h >> 31n;
  // 53 random bits -> [0, 1).
  return Number(h >> 11n) / 2 ** 53;
}

const PRIMES = [
  2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103,
  107, 109, 113,
];

/** Radical inverse of n in base b (van der Corput): the Halton coordinate. */
export function radicalInverse(n: number, b: number): number {
  let inv = 1 / b;
  let x = 0;
  let k = n;
  let f = inv;
  while (k > 0) {
    x += (k % b) * f;
    k = Math.floor(k / b);
    f *= inv;
  }
  inv = 0;
  return x;
}

/** Maps u in [0, 1) onto a parameter's domain (before transforms). */
export function mapUnit(spec: nadir.v1.ParameterSpec.$Properties, u: number): ParameterValue {
  // Specs decoded or built with fromObject are class instances, which carry the oneof's `domain` name.
  const p = spec as nadir.v1.ParameterSpec;
  switch (p.domain) {
    case "floatDomain": {
      const d = p.floatDomain as nadir.v1.FloatDomain;
      if (d.scale === Scale.SCALE_LOG)
        return { floatValue: Math.exp(Math.log(d.min) + u * (Math.log(d.max) - Math.log(d.min))) };
      if (d.scale === Scale.SCALE_REVERSE_LOG)
        return {
          floatValue: d.min + d.max - Math.exp(Math.log(d.min) + u * (Math.log(d.max) - Math.log(d.min))),
        };
      return { floatValue: d.min + u * (d.max - d.min) };
    }
    case "intDomain": {
      const d = p.intDomain as nadir.v1.IntDomain;
      if (d.scale === Scale.SCALE_LOG) {
        const v = Math.round(Math.exp(Math.log(d.min) + u * (Math.log(d.max) - Math.log(d.min))));
        return { intValue: Math.min(d.max, Math.max(d.min, v)) };
      }
      return { intValue: Math.min(d.max, d.min + Math.floor(u * (d.max - d.min + 1))) };
    }
    case "categoricalDomain": {
      const vals = (p.categoricalDomain as nadir.v1.CategoricalDomain).values;
      return vals[Math.min(vals.length - 1, Math.floor(u * vals.length))] as ParameterValue;
    }
    case "discreteDomain": {
      const d = p.discreteDomain as nadir.v1.DiscreteDomain;
      const v = d.values[Math.min(d.values.length - 1, Math.floor(u * d.values.length))] as number;
      return d.integer ? { intValue: v } : { floatValue: v };
    }
    case "fixedDomain":
      return (p.fixedDomain as nadir.v1.FixedDomain).value as ParameterValue;
    default:
      throw new SuggesterConfigError(`parameter ${p.name} has no domain`);
  }
}

function sameValue(a: ParameterValue | undefined, b: ParameterValue): boolean {
  if (!a) return false;
  return (
    a.floatValue === b.floatValue &&
    Number(a.intValue ?? Number.NaN) === Number(b.intValue ?? Number.NaN) &&
    a.stringValue === b.stringValue &&
    a.boolValue === b.boolValue
  );
}

/** Drops parameters whose parent condition is not met (Vizier conditional parameters, flattened). */
export function applyConditions(
  space: nadir.v1.SearchSpace.$Properties,
  values: Record<string, ParameterValue>,
): Record<string, ParameterValue> {
  const out: Record<string, ParameterValue> = {};
  for (const p of space.parameters ?? []) {
    if (!p.name) continue;
    const v = values[p.name];
    if (v === undefined) continue;
    const c = p.condition;
    if (c?.parent) {
      const pv = out[c.parent];
      if (!pv || !(c.values ?? []).some((x) => sameValue(pv, x as ParameterValue))) continue;
    }
    out[p.name] = v;
  }
  return out;
}

type UnitPoint = (index: number, dims: number) => number[];

class SamplerSuggester implements Suggester {
  readonly name: string;
  constructor(
    private readonly space: nadir.v1.SearchSpace.$Properties,
    kind: "random" | "halton",
    private readonly unit: UnitPoint,
    private readonly offset = 0,
  ) {
    this.name = kind;
  }
  suggest(count: number, ctx: SuggestContext): SuggestBatch {
    const suggestions: Suggestion[] = [];
    const dims = (this.space.parameters ?? []).length;
    for (let k = 0; k < count; k++) {
      const u = this.unit(ctx.created - this.offset + k, dims);
      const values: Record<string, ParameterValue> = {};
      (this.space.parameters ?? []).forEach((p, d) => {
        values[p.name ?? ""] = mapUnit(p, u[d] as number);
      });
      suggestions.push({ parameters: applyConditions(this.space, values) });
    }
    return { suggestions, exhausted: false };
  }
}

/** Random search: point k's coordinate d is hash(seed, k, d) (uniform, independent of the batch split). */
export function randomSuggester(
  space: nadir.v1.SearchSpace.$Properties,
  seed: number,
  offset = 0,
): Suggester {
  return new SamplerSuggester(
    space,
    "random",
    (i, dims) => Array.from({ length: dims }, (_, d) => unitHash(seed, i, d)),
    offset,
  );
}

/** Halton: point k's coordinate d is the radical inverse of k + 1 + seed in the d-th prime base. */
export function haltonSuggester(
  space: nadir.v1.SearchSpace.$Properties,
  seed: number,
  offset = 0,
): Suggester {
  if ((space.parameters ?? []).length > PRIMES.length)
    throw new SuggesterConfigError(`halton supports at most ${PRIMES.length} dimensions`);
  return new SamplerSuggester(
    space,
    "halton",
    (i, dims) => Array.from({ length: dims }, (_, d) => radicalInverse(i + 1 + seed, PRIMES[d] as number)),
    offset,
  );
}

/** Grid: the cartesian product of per-dimension levels, first dimension varying slowest. */
export function gridSuggester(
  space: nadir.v1.SearchSpace.$Properties,
  pointsPerDimension: number,
  offset = 0,
): Suggester {
  const n = pointsPerDimension > 0 ? pointsPerDimension : 3;
  const levels: ParameterValue[][] = (space.parameters ?? []).map((ps) => {
    const p = ps as nadir.v1.ParameterSpec;
    switch (p.domain) {
      case "categoricalDomain":
        return (p.categoricalDomain as nadir.v1.CategoricalDomain).values as ParameterValue[];
      case "discreteDomain": {
        const d = p.discreteDomain as nadir.v1.DiscreteDomain;
        return d.values.map((v) => (d.integer ? { intValue: v } : { floatValue: v }));
      }
      case "fixedDomain":
        return [(p.fixedDomain as nadir.v1.FixedDomain).value as ParameterValue];
      case "intDomain": {
        const d = p.intDomain as nadir.v1.IntDomain;
        if (d.max - d.min + 1 <= n)
          return Array.from({ length: d.max - d.min + 1 }, (_, i) => ({ intValue: d.min + i }));
        return Array.from({ length: n }, (_, i) =>
          mapUnit(p, n === 1 ? 0.5 : i / (n - 1) - (i === n - 1 ? 1e-12 : 0)),
        );
      }
      default:
        // Endpoints included: u = i / (n - 1) (the last nudged inside [0, 1)).
        return Array.from({ length: n }, (_, i) =>
          mapUnit(p, n === 1 ? 0.5 : Math.min(i / (n - 1), 1 - 1e-15)),
        );
    }
  });
  const total = levels.reduce((acc, l) => acc * l.length, 1);
  return {
    name: "grid",
    suggest(count: number, ctx: SuggestContext): SuggestBatch {
      const suggestions: Suggestion[] = [];
      for (let k = ctx.created - offset; k < total && suggestions.length < count; k++) {
        let rem = k;
        const values: Record<string, ParameterValue> = {};
        for (let d = levels.length - 1; d >= 0; d--) {
          const l = levels[d] as ParameterValue[];
          values[space.parameters?.[d]?.name ?? ""] = l[rem % l.length] as ParameterValue;
          rem = Math.floor(rem / l.length);
        }
        suggestions.push({ parameters: applyConditions(space, values) });
      }
      return { suggestions, exhausted: ctx.created - offset + suggestions.length >= total };
    },
  };
}

function samplerFor(
  space: nadir.v1.SearchSpace.$Properties,
  s: nadir.v1.SamplerSpec,
  offset: number,
): Suggester {
  switch (s.kind) {
    case nadir.v1.SamplerKind.SAMPLER_KIND_RANDOM:
      return randomSuggester(space, s.seed, offset);
    case nadir.v1.SamplerKind.SAMPLER_KIND_HALTON:
      return haltonSuggester(space, s.seed, offset);
    case nadir.v1.SamplerKind.SAMPLER_KIND_GRID:
      return gridSuggester(space, s.gridPointsPerDimension, offset);
    default:
      throw new SuggesterConfigError(
        `sampler kind ${String(s.kind)} is not supported (use RANDOM, HALTON or GRID)`,
      );
  }
}

function toParameterValue(v: unknown): ParameterValue {
  if (typeof v === "number")
    return Number.isInteger(v) && Math.abs(v) > 1 ? { intValue: v } : { floatValue: v };
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  throw new SuggesterConfigError(`list value ${JSON.stringify(v)} is not a number, string or boolean`);
}

/** List suggester: the list's points in order (listIndex set), then the fallback sampler (if any). */
export function listSuggester(
  space: nadir.v1.SearchSpace.$Properties,
  spec: nadir.v1.ListSuggesterSpec,
): Suggester {
  let points: Record<string, ParameterValue>[];
  let name: string;
  if (spec.listName) {
    const list = BUILTIN_LISTS[spec.listName];
    if (!list)
      throw new SuggesterConfigError(
        `unknown built-in list ${JSON.stringify(spec.listName)} (known: ${Object.keys(BUILTIN_LISTS).join(", ")})`,
      );
    points = list.map((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, { floatValue: v }])));
    name = `list:${spec.listName}`;
  } else {
    points = spec.points.map((p) => ({ ...(p.values as Record<string, ParameterValue>) }));
    name = "list:inline";
    for (const p of points)
      for (const [k, v] of Object.entries(p)) if (!v || typeof v !== "object") p[k] = toParameterValue(v);
  }
  const fallback = spec.fallback
    ? samplerFor(space, nadir.v1.SamplerSpec.fromObject(spec.fallback), points.length)
    : undefined;
  return {
    name,
    async suggest(count: number, ctx: SuggestContext): Promise<SuggestBatch> {
      const out: Suggestion[] = [];
      for (let i = ctx.created; i < points.length && out.length < count; i++) {
        out.push({ parameters: points[i] as Record<string, ParameterValue>, listIndex: i });
      }
      if (out.length < count && fallback) {
        const more = await fallback.suggest(count - out.length, {
          ...ctx,
          created: ctx.created + out.length,
        });
        out.push(...more.suggestions);
        return { suggestions: out, exhausted: more.exhausted };
      }
      return { suggestions: out, exhausted: !fallback && ctx.created + out.length >= points.length };
    },
  };
}

/** Builds the built-in suggester for a study, or undefined when it asks for an external one. */
export function builtinSuggester(study: nadir.v1.StudySpec): Suggester | undefined {
  const space = study.searchSpace ?? nadir.v1.SearchSpace.create();
  const s = study.suggester;
  if (!s?.kind) return haltonSuggester(space, 0);
  if (s.kind === "list") return listSuggester(space, s.list as nadir.v1.ListSuggesterSpec);
  if (s.kind === "sampler") return samplerFor(space, s.sampler as nadir.v1.SamplerSpec, 0);
  return undefined;
}
