/**
 * Built-in suggesters: list (a hyperparameter list replayed in order, then a fallback sampler), random,
 * Halton and grid. The lists, the AlgoPerf-exact scrambled Halton sequence, the MT19937 random stream, the
 * grid and the unit-cube → value map all come from @nadir/core, so a study serves the same points as
 * `nadir sample` and `nadir lists show`. Every suggester is a pure function of the study spec and
 * `ctx.created` (its position in a deterministic sequence), so a restarted coordinator resumes exactly
 * where it stopped.
 */
import {
  type Domain,
  getList,
  gridLevelsFor,
  gridPoints,
  haltonSequence,
  listNames,
  NADAMW_POINT_FIELDS,
  type NadamwListPoint,
  NotFoundError,
  type ParamValue,
  type Point,
  pointFromUnit,
  RandomState,
  type SearchSpace,
  validateSpace,
} from "@nadir/core";
import { nadir } from "@nadir/protocol";
import type { ParameterValue, SuggestBatch, SuggestContext, Suggester, Suggestion } from "@nadir/sdk";
import { CoordinatorError } from "./errors.js";

const Scale = nadir.v1.Scale;

/**
 * Short names a study may use for @nadir/core's built-in lists (the names in the study schema and the
 * protocol's test vectors). Any `name` or `name@version` that core knows works as well.
 */
export const LIST_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  "algoperf-nadamw-5": "algoperf-v0.5-nadamw-baseline@1",
  "medapati-nadamw-5": "medapati2025-nadamw@1",
});

/** Raised for a suggester spec the coordinator cannot build. */
export class SuggesterConfigError extends CoordinatorError {
  constructor(message: string) {
    super("suggester_invalid", message);
  }
}

/** A study's search space in @nadir/core's model, with the way back to wire values. */
export interface CoreSpace {
  /** Undefined for an empty space (every point is then `{}`). */
  space: SearchSpace | undefined;
  /** Converts a core point (plain values) to the protocol's ParameterValue map. */
  toWire(point: Point): Record<string, ParameterValue>;
}

function plainValue(v: nadir.v1.ParameterValue.$Properties | null | undefined, where: string): ParamValue {
  if (v?.floatValue !== undefined && v.floatValue !== null) return v.floatValue;
  if (v?.intValue !== undefined && v.intValue !== null) return Number(v.intValue);
  if (v?.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v?.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  throw new SuggesterConfigError(`${where}: a value must be a float, int, string or bool`);
}

/**
 * Maps a `nadir.v1.SearchSpace` onto @nadir/core's SearchSpace (same order, same domains; a numeric range
 * with min = max becomes a fixed value, which core's model requires). Transforms are left out: sampling
 * happens in the search space, and the coordinator materialises assignments itself.
 * @throws SuggesterConfigError when core rejects the space
 */
export function toCoreSpace(space: nadir.v1.SearchSpace.$Properties): CoreSpace {
  const params = space.parameters ?? [];
  const back = new Map<string, (v: ParamValue) => ParameterValue>();
  const parameters = params.map((ps) => {
    // Specs decoded or built with fromObject are class instances, which carry the oneof's `domain` name.
    const p = ps as nadir.v1.ParameterSpec;
    const name = p.name;
    let domain: Domain;
    switch (p.domain) {
      case "floatDomain": {
        const d = p.floatDomain as nadir.v1.FloatDomain;
        const scale =
          d.scale === Scale.SCALE_LOG
            ? "log"
            : d.scale === Scale.SCALE_REVERSE_LOG
              ? "reverse_log"
              : "linear";
        domain = d.min === d.max ? { kind: "fixed", value: d.min } : { kind: "float", ...minMax(d), scale };
        back.set(name, (v) => ({ floatValue: v as number }));
        break;
      }
      case "intDomain": {
        const d = p.intDomain as nadir.v1.IntDomain;
        const scale = d.scale === Scale.SCALE_LOG ? "log" : "linear";
        domain = d.min === d.max ? { kind: "fixed", value: d.min } : { kind: "int", ...minMax(d), scale };
        back.set(name, (v) => ({ intValue: v as number }));
        break;
      }
      case "categoricalDomain": {
        const wire = (p.categoricalDomain as nadir.v1.CategoricalDomain).values;
        const values = wire.map((v, i) => plainValue(v, `${name}.values[${i}]`));
        domain = { kind: "categorical", values };
        // Back by position, so an int stays an int and a float 1.0 stays a float.
        back.set(name, (v) => wire[values.indexOf(v)] as ParameterValue);
        break;
      }
      case "discreteDomain": {
        const d = p.discreteDomain as nadir.v1.DiscreteDomain;
        domain = { kind: "discrete", values: [...d.values] };
        back.set(name, (v) => (d.integer ? { intValue: v as number } : { floatValue: v as number }));
        break;
      }
      case "fixedDomain": {
        const wire = (p.fixedDomain as nadir.v1.FixedDomain).value as ParameterValue;
        domain = { kind: "fixed", value: plainValue(wire, `${name}.value`) };
        back.set(name, () => wire);
        break;
      }
      default:
        throw new SuggesterConfigError(`parameter ${name} has no domain`);
    }
    const c = p.condition;
    return {
      name,
      domain,
      transform: "identity" as const,
      ...(c?.parent
        ? {
            condition: {
              parent: c.parent,
              values: (c.values ?? []).map((v, i) => plainValue(v, `${name}.condition.values[${i}]`)),
            },
          }
        : {}),
    };
  });
  const core: SearchSpace | undefined = parameters.length > 0 ? { parameters } : undefined;
  if (core) {
    try {
      validateSpace(core);
    } catch (err) {
      throw new SuggesterConfigError(`search space: ${(err as Error).message}`);
    }
  }
  return {
    space: core,
    toWire(point: Point): Record<string, ParameterValue> {
      const out: Record<string, ParameterValue> = {};
      for (const [k, v] of Object.entries(point)) {
        const f = back.get(k);
        if (f) out[k] = f(v);
      }
      return out;
    },
  };
}

function minMax(d: { min: number; max: number }): { min: number; max: number } {
  return { min: Number(d.min), max: Number(d.max) };
}

function seedOf(seed: unknown): number {
  const s = Number(seed ?? 0);
  if (!(Number.isInteger(s) && s >= 0 && s <= 0xffffffff))
    throw new SuggesterConfigError(`sampler seed must be an integer in [0, 2^32), got ${String(seed)}`);
  return s;
}

/** Points a study's budget asks for: ceil(max_trials / replicates) (replicates share a point). */
export function budgetPoints(study: nadir.v1.StudySpec.$Properties): number {
  const maxTrials = Number(study.budget?.maxTrials ?? 0);
  return Math.max(1, Math.ceil(maxTrials / Math.max(1, Number(study.replicates ?? 0))));
}

/** A suggester over a deterministic point sequence: point k of the sampler = `pointAt(k)`. */
function sequenceSuggester(
  name: string,
  offset: number,
  length: number,
  pointAt: (k: number) => Record<string, ParameterValue>,
): Suggester {
  return {
    name,
    suggest(count: number, ctx: SuggestContext): SuggestBatch {
      const suggestions: Suggestion[] = [];
      const first = ctx.created - offset;
      for (let k = first; k < first + count && k < length; k++) suggestions.push({ parameters: pointAt(k) });
      return { suggestions, exhausted: first + suggestions.length >= length };
    },
  };
}

/**
 * Random search: @nadir/core's MT19937 stream (`RandomState(seed).random_sample()`), one coordinate per
 * parameter, point after point; so point k is the (k+1)-th point of `nadir sample --sampler random --seed`.
 * `offset` is the number of points the study created before this sampler took over (a list's length).
 */
export function randomSuggester(
  space: nadir.v1.SearchSpace.$Properties,
  seed: number,
  offset = 0,
): Suggester {
  const core = toCoreSpace(space);
  const rs = new RandomState(seedOf(seed));
  const points: Record<string, ParameterValue>[] = [];
  const d = core.space?.parameters.length ?? 0;
  const u = new Float64Array(d);
  return sequenceSuggester("random", offset, Number.POSITIVE_INFINITY, (k) => {
    while (points.length <= k) {
      for (let j = 0; j < d; j++) u[j] = rs.randomSample();
      points.push(core.space ? core.toWire(pointFromUnit(core.space, u)) : {});
    }
    return points[k] as Record<string, ParameterValue>;
  });
}

/**
 * Halton: @nadir/core's AlgoPerf scrambled, shifted Halton sequence of `n` points (skip 100), in the order
 * RandomState(seed) shuffles them, exactly `nadir sample --sampler halton --n <n> --seed <seed>`. `n` is
 * the number of points the study's budget leaves to this sampler. Should more be asked for (they cannot be
 * under the budget), they continue the sequence unshuffled after those n.
 */
export function haltonSuggester(
  space: nadir.v1.SearchSpace.$Properties,
  seed: number,
  n: number,
  offset = 0,
): Suggester {
  const core = toCoreSpace(space);
  const s = seedOf(seed);
  if (!(Number.isInteger(n) && n >= 1)) throw new SuggesterConfigError(`halton needs n >= 1, got ${n}`);
  const d = core.space?.parameters.length ?? 0;
  let rows: Float64Array[] | undefined;
  return sequenceSuggester("halton", offset, Number.POSITIVE_INFINITY, (k) => {
    if (!core.space) return {};
    let u: Float64Array;
    if (k < n) {
      rows ??= haltonSequence(n, d, { shuffleSeed: s });
      u = rows[k] as Float64Array;
    } else {
      u = haltonSequence(1, d, { skip: 100 + k, shuffleSeed: null })[0] as Float64Array;
    }
    return core.toWire(pointFromUnit(core.space, u));
  });
}

/**
 * Grid: @nadir/core's grid (mixed-radix order, last parameter fastest; endpoints included) with
 * `levels` values per numeric dimension; 0 picks the most levels whose grid fits in `n` points, as
 * `nadir sample --sampler grid --n <n>` does. Exhausted after the last grid point.
 */
export function gridSuggester(
  space: nadir.v1.SearchSpace.$Properties,
  levels: number,
  n: number,
  offset = 0,
): Suggester {
  const core = toCoreSpace(space);
  if (!core.space) return sequenceSuggester("grid", offset, 1, () => ({}));
  let l = levels;
  if (!(l > 0)) {
    try {
      l = gridLevelsFor(core.space, n);
    } catch {
      l = 1; // the discrete dimensions alone exceed the budget: the budget cuts the grid short
    }
  }
  let points: Point[];
  try {
    points = gridPoints(core.space, l);
  } catch (err) {
    throw new SuggesterConfigError(`grid: ${(err as Error).message}`);
  }
  const wire = points.map((p) => core.toWire(p));
  return sequenceSuggester("grid", offset, wire.length, (k) => wire[k] as Record<string, ParameterValue>);
}

function samplerFor(study: nadir.v1.StudySpec, s: nadir.v1.SamplerSpec, offset: number): Suggester {
  const space = study.searchSpace ?? nadir.v1.SearchSpace.create();
  const n = Math.max(1, budgetPoints(study) - offset);
  switch (s.kind) {
    case nadir.v1.SamplerKind.SAMPLER_KIND_RANDOM:
      return randomSuggester(space, seedOf(s.seed), offset);
    case nadir.v1.SamplerKind.SAMPLER_KIND_HALTON:
      return haltonSuggester(space, seedOf(s.seed), n, offset);
    case nadir.v1.SamplerKind.SAMPLER_KIND_GRID:
      return gridSuggester(space, s.gridPointsPerDimension, n, offset);
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

/** Names a search space may use for `warmup_fraction` (AlgoPerf calls it warmup_factor). */
const FIELD_ALIASES: Readonly<Record<string, string>> = { warmup_factor: "warmup_fraction" };

/**
 * Expresses one of @nadir/core's list points (materialised: β1, not 1 − β1) in the study's search space,
 * so that the coordinator's materialisation gives back exactly core's values:
 * - a field that a space parameter materialises to (its `as`/materialized_name, or its name less a
 *   `one_minus_` prefix, or `warmup_factor` for warmup_fraction) is served under that parameter's name,
 *   as 1 − value when the parameter is a one_minus one (1 − (1 − β) is exact for β ∈ [½, 1], so
 *   materialising gives β back bit for bit);
 * - any other field is served under core's name.
 */
export function listPointForSpace(
  point: NadamwListPoint,
  space: nadir.v1.SearchSpace.$Properties,
): Record<string, ParameterValue> {
  const byTarget = new Map<string, nadir.v1.ParameterSpec.$Properties>();
  for (const p of space.parameters ?? []) {
    const name = p.name ?? "";
    const oneMinus = p.transform === nadir.v1.Transform.TRANSFORM_ONE_MINUS || name.startsWith("one_minus_");
    const target = p.materializedName || (oneMinus && name.startsWith("one_minus_") ? name.slice(10) : name);
    byTarget.set(FIELD_ALIASES[target] ?? target, p);
  }
  const out: Record<string, ParameterValue> = {};
  for (const f of NADAMW_POINT_FIELDS) {
    const v = point[f];
    const p = byTarget.get(f);
    if (!p) {
      out[f] = { floatValue: v };
      continue;
    }
    const oneMinus =
      p.transform === nadir.v1.Transform.TRANSFORM_ONE_MINUS || (p.name ?? "").startsWith("one_minus_");
    const x = oneMinus ? 1 - v : v;
    const integer =
      (p as nadir.v1.ParameterSpec).domain === "intDomain" ||
      ((p as nadir.v1.ParameterSpec).domain === "discreteDomain" && p.discreteDomain?.integer);
    out[p.name ?? f] = integer ? { intValue: x } : { floatValue: x };
  }
  return out;
}

/** Resolves a list name (an alias of {@link LIST_ALIASES}, or core's `name` / `name@version`). */
export function builtinList(name: string): ReturnType<typeof getList> {
  try {
    return getList(LIST_ALIASES[name] ?? name);
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new SuggesterConfigError(
        `unknown built-in list ${JSON.stringify(name)} (known: ${[...Object.keys(LIST_ALIASES), ...listNames()].join(", ")})`,
      );
    throw err;
  }
}

/** List suggester: the list's points in order (listIndex set), then the fallback sampler (if any). */
export function listSuggester(study: nadir.v1.StudySpec, spec: nadir.v1.ListSuggesterSpec): Suggester {
  const space = study.searchSpace ?? nadir.v1.SearchSpace.create();
  let points: Record<string, ParameterValue>[];
  let name: string;
  if (spec.listName) {
    points = builtinList(spec.listName).points.map((p) => listPointForSpace(p, space));
    name = `list:${spec.listName}`;
  } else {
    points = spec.points.map((p) => ({ ...(p.values as Record<string, ParameterValue>) }));
    name = "list:inline";
    for (const p of points)
      for (const [k, v] of Object.entries(p)) if (!v || typeof v !== "object") p[k] = toParameterValue(v);
  }
  const fallback = spec.fallback
    ? samplerFor(study, nadir.v1.SamplerSpec.fromObject(spec.fallback), points.length)
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
        // Exports say which points the fallback proposed (the list's own carry listIndex).
        out.push(...more.suggestions.map((s) => ({ ...s, source: s.source ?? `${name}>${fallback.name}` })));
        return { suggestions: out, exhausted: more.exhausted };
      }
      return { suggestions: out, exhausted: !fallback && ctx.created + out.length >= points.length };
    },
  };
}

/** Builds the built-in suggester for a study, or undefined when it asks for an external one. */
export function builtinSuggester(study: nadir.v1.StudySpec): Suggester | undefined {
  const s = study.suggester;
  if (!s?.kind)
    return haltonSuggester(study.searchSpace ?? nadir.v1.SearchSpace.create(), 0, budgetPoints(study));
  if (s.kind === "list") return listSuggester(study, s.list as nadir.v1.ListSuggesterSpec);
  if (s.kind === "sampler") return samplerFor(study, s.sampler as nadir.v1.SamplerSpec, 0);
  return undefined;
}
