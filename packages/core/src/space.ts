/**
 * Search spaces: a typed in-memory model, a parser for Nadir's native JSON/YAML form and for AlgoPerf's
 * search-space JSON (dict form and list form, as in AlgoPerf `tuning_search_space.json` files), and the map from a unit-cube coordinate
 * u ∈ [0, 1) to a parameter value that every sampler shares.
 *
 * The model mirrors `nadir.v1.SearchSpace` (protocols/nadir/v1/study.proto) field for field but does not
 * import the wire types: the coordinator maps between the two.
 */

import { validateSearchSpace } from "@nadir/protocol";
import { parse as parseYaml } from "yaml";
import { crExp, crLog } from "./crmath.js";
import { describe, InvalidArgumentError, InvalidSpaceError } from "./errors.js";

/**
 * How a numeric range is sampled: uniform in [min, max], uniform in [ln min, ln max], or reverse_log
 * (dense near max: x = min + max − exp(uniform(ln min, ln max)), Vizier REVERSE_LOG; floats only).
 */
export type Scale = "linear" | "log" | "reverse_log";
/** A parameter value; categorical values may be strings or booleans. */
export type ParamValue = number | string | boolean;

/** The domain of one dimension. */
export type Domain =
  | { kind: "float"; min: number; max: number; scale: Scale }
  | { kind: "int"; min: number; max: number; scale: Scale }
  /** Unordered choices. */
  | { kind: "categorical"; values: ParamValue[] }
  /** An ordered finite set of numbers (AlgoPerf `feasible_points`). */
  | { kind: "discrete"; values: number[] }
  /** A constant. */
  | { kind: "fixed"; value: ParamValue };

/** Value transform applied when a sampled point is materialised. */
export type Transform = "identity" | "one_minus";

/** Makes a parameter active only when an earlier parameter `parent` takes one of `values`. */
export interface Condition {
  parent: string;
  values: ParamValue[];
}

/** One dimension of a search space. */
export interface ParameterSpec {
  /** Name the sampler and the trials see (e.g. `one_minus_beta1`). */
  name: string;
  domain: Domain;
  /** `one_minus`: the materialised hyperparameter is 1 − sampled value (Medapati et al. Table 1, AlgoPerf). */
  transform: Transform;
  /** Name of the materialised hyperparameter (e.g. `beta1`; JSON field `as`); defaults to `name`. */
  materializedName?: string;
  condition?: Condition;
  description?: string;
}

/** An ordered list of dimensions. Order matters: dimension j uses the j-th quasi-random coordinate. */
export interface SearchSpace {
  parameters: ParameterSpec[];
}

/** A sampled point: parameter name → value; inactive conditional parameters are absent. */
export type Point = Record<string, ParamValue>;

/** What a search-space document holds: a space to sample, or (AlgoPerf list form) a fixed list of points. */
export type SpaceDocument = { kind: "space"; space: SearchSpace } | { kind: "points"; points: Point[] };

const isObj = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);
const isValue = (x: unknown): x is ParamValue =>
  (typeof x === "number" && Number.isFinite(x)) || typeof x === "string" || typeof x === "boolean";

/**
 * Parses JSON or YAML text into a SpaceDocument. `format` "auto" tries JSON first, then YAML.
 * Structural checks are done here (see {@link parseSpaceDocument}); schema validation with the ajv schema
 * of @nadir/protocol is layered on top by {@link validateSpaceDocumentSchema}.
 */
export function loadSpaceDocument(text: string, format: "json" | "yaml" | "auto" = "auto"): SpaceDocument {
  let doc: unknown;
  if (format === "json" || (format === "auto" && /^\s*[[{]/.test(text))) {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      if (format === "json")
        throw new InvalidSpaceError("", `not valid JSON: ${(e as Error).message}`, { cause: e });
      doc = undefined;
    }
  }
  if (doc === undefined) {
    try {
      doc = parseYaml(text);
    } catch (e) {
      throw new InvalidSpaceError("", `not valid YAML: ${(e as Error).message}`, { cause: e });
    }
  }
  return parseSpaceDocument(doc);
}

/**
 * Interprets a parsed document, after validating it with @nadir/protocol's `validateSearchSpace`
 * (search-space.schema.json plus its semantic checks). Accepted forms:
 * 1. Native: `{ "parameters": [ {name, type, …}, … ] }` where type is float | int | categorical | discrete |
 *    fixed; float/int take `min`, `max`, `scale` ("linear" default, or "log"); categorical/discrete take
 *    `values`; fixed takes `value`; optional `transform` ("one_minus"), `as` (materialised name), `condition`
 *    `{parent, values}`, `description`.
 * 2. AlgoPerf dict form (algoperf/halton.py `generate_search`): `{ name: {min, max, scaling} |
 *    {feasible_points: [...]}, … }` in key order. A name starting with `one_minus_` gets the one_minus
 *    transform and materialises as the rest of the name (AlgoPerf `one_minus_beta1` → `beta1`).
 * 3. AlgoPerf list form: `[ {name: value, …}, … ]`, returned as points.
 */
export function parseSpaceDocument(doc: unknown): SpaceDocument {
  validateSpaceDocumentSchema(doc);
  if (Array.isArray(doc)) {
    if (doc.length === 0) throw new InvalidSpaceError("", "the list of points is empty");
    const points = doc.map((p, i) => {
      if (!isObj(p))
        throw new InvalidSpaceError(`[${i}]`, `expected an object of parameter values, got ${describe(p)}`);
      for (const [k, v] of Object.entries(p)) {
        if (!isValue(v))
          throw new InvalidSpaceError(
            `[${i}].${k}`,
            `expected a number, string or boolean, got ${describe(v)}`,
          );
      }
      return { ...(p as Point) };
    });
    return { kind: "points", points };
  }
  if (!isObj(doc)) throw new InvalidSpaceError("", `expected an object or a list, got ${describe(doc)}`);
  if ("parameters" in doc && Array.isArray(doc.parameters)) {
    return { kind: "space", space: parseNative(doc.parameters) };
  }
  return { kind: "space", space: parseAlgoPerfDict(doc) };
}

function parseNative(params: unknown[]): SearchSpace {
  const out: ParameterSpec[] = params.map((raw, i) => {
    const at = `parameters[${i}]`;
    if (!isObj(raw)) throw new InvalidSpaceError(at, `expected an object, got ${describe(raw)}`);
    const name = raw.name;
    if (typeof name !== "string" || name === "")
      throw new InvalidSpaceError(`${at}.name`, "expected a non-empty string");
    const type = raw.type;
    let domain: Domain;
    if (type === "float" || type === "int") {
      const scale = raw.scale ?? "linear";
      if (scale !== "linear" && scale !== "log" && !(scale === "reverse_log" && type === "float")) {
        throw new InvalidSpaceError(
          `${at}.scale`,
          `expected "linear" or "log"${type === "float" ? ' or "reverse_log"' : ""}, got ${describe(scale)}`,
        );
      }
      domain = { kind: type, min: raw.min as number, max: raw.max as number, scale };
    } else if (type === "categorical" || type === "discrete") {
      domain = { kind: type, values: raw.values as number[] };
    } else if (type === "fixed") {
      domain = { kind: "fixed", value: raw.value as ParamValue };
    } else {
      throw new InvalidSpaceError(
        `${at}.type`,
        `expected float, int, categorical, discrete or fixed, got ${describe(type)}`,
      );
    }
    const transform = raw.transform ?? "identity";
    if (transform !== "identity" && transform !== "one_minus") {
      throw new InvalidSpaceError(
        `${at}.transform`,
        `expected "identity" or "one_minus", got ${describe(transform)}`,
      );
    }
    const spec: ParameterSpec = { name, domain, transform };
    const mName = raw.as;
    if (mName !== undefined) {
      if (typeof mName !== "string" || mName === "")
        throw new InvalidSpaceError(`${at}.as`, "expected a non-empty string");
      spec.materializedName = mName;
    }
    if (raw.condition !== undefined) {
      const c = raw.condition;
      if (!isObj(c) || typeof c.parent !== "string" || !Array.isArray(c.values)) {
        throw new InvalidSpaceError(`${at}.condition`, "expected {parent: string, values: [...]}");
      }
      spec.condition = { parent: c.parent, values: c.values as ParamValue[] };
    }
    if (typeof raw.description === "string") spec.description = raw.description;
    return spec;
  });
  const space = { parameters: out };
  validateSpace(space);
  return space;
}

function parseAlgoPerfDict(doc: Record<string, unknown>): SearchSpace {
  const params: ParameterSpec[] = [];
  for (const [name, raw] of Object.entries(doc)) {
    if (!isObj(raw))
      throw new InvalidSpaceError(
        name,
        `expected {min, max, scaling} or {feasible_points}, got ${describe(raw)}`,
      );
    let domain: Domain;
    if ("feasible_points" in raw) {
      const fp = raw.feasible_points;
      if (!Array.isArray(fp)) throw new InvalidSpaceError(`${name}.feasible_points`, "expected a list");
      domain = fp.every((v) => typeof v === "number")
        ? { kind: "discrete", values: fp as number[] }
        : { kind: "categorical", values: fp as ParamValue[] };
    } else {
      const scaling = raw.scaling ?? "linear";
      if (scaling !== "linear" && scaling !== "log") {
        throw new InvalidSpaceError(
          `${name}.scaling`,
          `expected "linear" or "log", got ${describe(scaling)}`,
        );
      }
      domain = { kind: "float", min: raw.min as number, max: raw.max as number, scale: scaling };
    }
    const spec: ParameterSpec = { name, domain, transform: "identity" };
    if (name.startsWith("one_minus_") && name.length > "one_minus_".length) {
      spec.transform = "one_minus";
      spec.materializedName = name.slice("one_minus_".length);
    }
    params.push(spec);
  }
  const space = { parameters: params };
  // AlgoPerf indexes feasible_points as given (L[floor(u·|L|)]), so repeated values are legal there.
  validateSpace(space, { allowRepeatedValues: true });
  return space;
}

/**
 * Checks a SearchSpace: unique names; finite min < max (min > 0 on log scale, integers for int);
 * non-empty, duplicate-free values; a condition's parent exists earlier in the order and its values are
 * values the parent can take; one_minus only on numeric domains.
 */
export function validateSpace(space: SearchSpace, options: { allowRepeatedValues?: boolean } = {}): void {
  if (!isObj(space) || !Array.isArray(space.parameters))
    throw new InvalidSpaceError("", "expected {parameters: [...]}");
  if (space.parameters.length === 0)
    throw new InvalidSpaceError("parameters", "a search space needs at least one parameter");
  const seen = new Map<string, ParameterSpec>();
  space.parameters.forEach((p, i) => {
    const at = `parameters[${i}] (${p.name})`;
    if (seen.has(p.name))
      throw new InvalidSpaceError(at, `duplicate parameter name ${JSON.stringify(p.name)}`);
    const d = p.domain;
    if (d.kind === "float" || d.kind === "int") {
      if (typeof d.min !== "number" || !Number.isFinite(d.min))
        throw new InvalidSpaceError(`${at}.min`, `expected a finite number, got ${describe(d.min)}`);
      if (typeof d.max !== "number" || !Number.isFinite(d.max))
        throw new InvalidSpaceError(`${at}.max`, `expected a finite number, got ${describe(d.max)}`);
      if (!(d.min < d.max)) throw new InvalidSpaceError(at, `min (${d.min}) must be below max (${d.max})`);
      if (d.scale !== "linear" && d.scale !== "log" && !(d.scale === "reverse_log" && d.kind === "float")) {
        throw new InvalidSpaceError(`${at}.scale`, `invalid scale ${describe(d.scale)}`);
      }
      if (d.scale !== "linear" && !(d.min > 0))
        throw new InvalidSpaceError(`${at}.min`, `a log scale needs min > 0, got ${d.min}`);
      if (d.kind === "int" && (!Number.isInteger(d.min) || !Number.isInteger(d.max))) {
        throw new InvalidSpaceError(at, `an int domain needs integer bounds, got [${d.min}, ${d.max}]`);
      }
    } else if (d.kind === "categorical" || d.kind === "discrete") {
      if (!Array.isArray(d.values) || d.values.length === 0)
        throw new InvalidSpaceError(`${at}.values`, "expected a non-empty list");
      d.values.forEach((v, j) => {
        if (d.kind === "discrete" ? typeof v !== "number" || !Number.isFinite(v) : !isValue(v)) {
          throw new InvalidSpaceError(`${at}.values[${j}]`, `invalid value ${describe(v)}`);
        }
      });
      if (!options.allowRepeatedValues && new Set(d.values).size !== d.values.length)
        throw new InvalidSpaceError(`${at}.values`, "values must be distinct");
    } else if (d.kind === "fixed") {
      if (!isValue(d.value)) throw new InvalidSpaceError(`${at}.value`, `invalid value ${describe(d.value)}`);
    }
    if (
      p.transform === "one_minus" &&
      !(d.kind === "float" || d.kind === "discrete" || (d.kind === "fixed" && typeof d.value === "number"))
    ) {
      throw new InvalidSpaceError(
        `${at}.transform`,
        "one_minus needs a numeric (float, discrete or numeric fixed) domain",
      );
    }
    if (p.condition) {
      const parent = seen.get(p.condition.parent);
      if (!parent) {
        throw new InvalidSpaceError(
          `${at}.condition.parent`,
          `parent ${JSON.stringify(p.condition.parent)} must be a parameter declared earlier`,
        );
      }
      const pv =
        parent.domain.kind === "categorical" || parent.domain.kind === "discrete"
          ? (parent.domain.values as ParamValue[])
          : parent.domain.kind === "fixed"
            ? [parent.domain.value]
            : null;
      if (!pv)
        throw new InvalidSpaceError(
          `${at}.condition.parent`,
          "the parent of a condition must be categorical, discrete or fixed",
        );
      if (!Array.isArray(p.condition.values) || p.condition.values.length === 0) {
        throw new InvalidSpaceError(`${at}.condition.values`, "expected a non-empty list");
      }
      for (const v of p.condition.values) {
        if (!pv.includes(v))
          throw new InvalidSpaceError(
            `${at}.condition.values`,
            `${describe(v)} is not a value of ${p.condition.parent}`,
          );
      }
    }
    seen.set(p.name, p);
  });
}

/**
 * Maps a unit coordinate u ∈ [0, 1) to a value of the domain (AlgoPerf `halton.py` mapping of a unit point onto the search space):
 * - float log: min·exp(u·ln(max/min)); float linear: min + u·(max − min);
 *   float reverse_log: min + max − min·exp(u·ln(max/min))
 * - int linear: min + floor(u·(max − min + 1)); int log: round(min·exp(u·ln(max/min))), clamped
 * - discrete / categorical: values[floor(u·|values|)]; fixed: the value.
 */
export function mapUnit(domain: Domain, u: number): ParamValue {
  switch (domain.kind) {
    case "float":
      if (domain.scale === "log") return domain.min * crExp(u * crLog(domain.max / domain.min));
      if (domain.scale === "reverse_log")
        return domain.min + domain.max - domain.min * crExp(u * crLog(domain.max / domain.min));
      return domain.min + u * (domain.max - domain.min);
    case "int": {
      const v =
        domain.scale === "log"
          ? Math.round(domain.min * crExp(u * crLog(domain.max / domain.min)))
          : domain.min + Math.floor(u * (domain.max - domain.min + 1));
      return Math.min(domain.max, Math.max(domain.min, v));
    }
    case "categorical":
    case "discrete":
      return domain.values[
        Math.min(domain.values.length - 1, Math.floor(u * domain.values.length))
      ] as ParamValue;
    case "fixed":
      return domain.value;
  }
}

/**
 * Builds a point from one unit vector (one coordinate per parameter, in order). A conditional parameter is
 * left out when its parent is inactive or takes a value outside `condition.values`; its coordinate is still
 * consumed, so the other dimensions do not shift.
 */
export function pointFromUnit(space: SearchSpace, u: ArrayLike<number>): Point {
  if (u.length !== space.parameters.length) {
    throw new InvalidArgumentError("u", `expected ${space.parameters.length} coordinates, got ${u.length}`);
  }
  const point: Point = {};
  space.parameters.forEach((p, j) => {
    if (p.condition) {
      const pv = point[p.condition.parent];
      if (pv === undefined || !p.condition.values.includes(pv)) return;
    }
    point[p.name] = mapUnit(p.domain, u[j] as number);
  });
  return point;
}

/**
 * Materialises a sampled point into hyperparameters: applies each parameter's transform (one_minus:
 * v ↦ 1 − v, the "1 − β" reparameterisation of Medapati et al. Table 1) and renames to materializedName.
 * Keys of the point that are not in the space are copied unchanged.
 */
export function materializePoint(space: SearchSpace, point: Point): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  const byName = new Map(space.parameters.map((p) => [p.name, p]));
  for (const [k, v] of Object.entries(point)) {
    const p = byName.get(k);
    if (!p) {
      out[k] = v;
      continue;
    }
    const value = p.transform === "one_minus" ? 1 - (v as number) : v;
    out[p.materializedName ?? p.name] = value;
  }
  return out;
}

/**
 * Validates a parsed document against @nadir/protocol's search-space schema (JSON Schema 2020-12 via ajv,
 * then the protocol's semantic checks). Throws InvalidSpaceError listing every issue; the error's path is
 * the JSON pointer of the first one.
 */
export function validateSpaceDocumentSchema(doc: unknown): void {
  const r = validateSearchSpace(doc);
  if (!r.ok) {
    const first = r.errors[0]?.pointer ?? "";
    throw new InvalidSpaceError(
      first,
      `does not match the search-space schema:\n${r.errors.map((e) => `  ${e.message}`).join("\n")}`,
    );
  }
}
