/**
 * JSON Schema (2020-12) validation of the user-facing files: study configs and search spaces.
 *
 * Validation runs in two passes: the JSON Schemas in `packages/protocol/schemas/` (compiled once with ajv's
 * Ajv2020), then semantic checks a schema cannot express (min < max, log scale needs min > 0, unique names,
 * conditions referring to earlier parameters, ...). Both passes report `ValidationIssue`s naming the JSON
 * pointer of the offending value and what was expected there.
 */
import { readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { ProtocolError } from "./errors.js";

/** One problem found in a document. */
export interface ValidationIssue {
  /** RFC 6901 JSON pointer of the offending value ("" = the whole document). */
  pointer: string;
  /** The schema keyword that failed ("required", "type", ...) or "semantic" for checks beyond the schema. */
  keyword: string;
  /** What was expected at the pointer, in words. */
  expected: string;
  /** One line: `<pointer>: <expected>[, got <value>]`. */
  message: string;
}

/** Result of a validation: the document (typed) or every issue found, sorted by pointer. */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: ValidationIssue[] };

/**
 * Thrown by the assert* helpers (code `schema_invalid`); carries every issue, and `path` is the JSON pointer
 * of the first one.
 */
export class SchemaValidationError extends ProtocolError {
  /** Every issue found, sorted by pointer. */
  readonly issues: ValidationIssue[];
  /**
   * @param what the kind of document, e.g. "study"
   * @param issues the validation issues (at least one)
   */
  constructor(what: string, issues: ValidationIssue[]) {
    super("schema_invalid", `invalid ${what}:\n${issues.map((i) => `  ${i.message}`).join("\n")}`, {
      path: issues[0]?.pointer ?? "",
    });
    this.issues = issues;
  }
}

// ---------------------------------------------------------------------------------------------- types

/** A scalar hyperparameter value. */
export type Scalar = string | number | boolean;

/** Nadir-form parameter (search-space.schema.json#/$defs/parameter). */
export type ParameterJson = {
  name: string;
  transform?: "identity" | "one_minus";
  as?: string;
  condition?: { parent: string; values: Scalar[] };
  description?: string;
} & (
  | { type: "float"; min: number; max: number; scale?: "linear" | "log" | "reverse_log" }
  | { type: "int"; min: number; max: number; scale?: "linear" | "log" }
  | { type: "categorical"; values: Scalar[] }
  | { type: "discrete"; values: number[] }
  | { type: "fixed"; value: Scalar }
);

/** Nadir-form search space. */
export interface NadirSearchSpaceJson {
  parameters: ParameterJson[];
  description?: string;
}
/** AlgoPerf dict form (halton.py::generate_search). */
export type AlgoperfDictJson = Record<
  string,
  { min: number; max: number; scaling: "log" | "linear" } | { feasible_points: Scalar[] }
>;
/** AlgoPerf list form: one flat object per trial. */
export type AlgoperfListJson = Record<string, Scalar>[];
/** Any accepted search-space form. */
export type SearchSpaceJson = NadirSearchSpaceJson | AlgoperfDictJson | AlgoperfListJson;

/** A sampler choice. */
export interface SamplerJson {
  kind: "random" | "halton" | "grid";
  seed?: number;
  pointsPerDimension?: number;
}
/** Suggester choice (study.schema.json#/$defs/suggester). */
export type SuggesterJson =
  | SamplerJson
  | { kind: "list"; list: string | AlgoperfListJson; fallback?: SamplerJson }
  | {
      kind: "external";
      algorithm: string;
      suggesterId?: string;
      settings?: Record<string, string>;
      seed?: number;
    };
/** Early-stopping choice. */
export type EarlyStoppingJson =
  | {
      kind: "asha";
      metric?: string;
      minSteps: number;
      reductionFactor?: number;
      minEarlyStoppingRate?: number;
    }
  | { kind: "median"; metric?: string; warmupSteps?: number; minTrials?: number; intervalSteps?: number };

/** Study-level stopper choice (study.schema.json#/$defs/studyStopper). */
export interface StudyStopperJson {
  kind: "asymptotic";
  /** Stop when `inTrials` more search trials would gain at most this much (objective units, > 0). */
  gain: number;
  /** k: the further search trials the promise is about. */
  inTrials: number;
  /** Fewest i.i.d. search trials before the first evaluation (default 16). */
  minTrials?: number;
  /** Re-evaluate after every this many further i.i.d. search trials (default 8). */
  every?: number;
  /** Also stop when the best reachable score's interval is at most this wide. */
  maxIntervalWidth?: number;
  /** Confidence of the promise and the interval (default 0.8). */
  confidence?: number;
  /** Asymptotic-regime threshold; default: the median search score at each evaluation. */
  threshold?: number;
  /** Fewest scores in the regime for a fit a stop may rest on (default 8). */
  minTailPoints?: number;
}

/** A study config file (study.schema.json). */
export interface StudyJson {
  id: string;
  name?: string;
  description?: string;
  workload?: string;
  /** Inline, or a path relative to the study file. */
  searchSpace: SearchSpaceJson | string;
  objective: { metric: string; direction: "minimize" | "maximize" };
  budget: {
    trials: number;
    parallelism?: number;
    maxFailedTrials?: number;
    maxAttemptsPerTrial?: number;
    maxWallSeconds?: number;
  };
  stepBudget: number;
  target?: { metric?: string; value: number; direction?: "minimize" | "maximize"; stopWhenReached?: boolean };
  suggester?: SuggesterJson;
  earlyStopping?: EarlyStoppingJson;
  studyStopper?: StudyStopperJson;
  optimizer?: {
    name?: "nadamw";
    variant?: "algoperf" | "optax";
    epsilon?: number;
    schedule?: "linear_warmup_cosine_decay" | "linear_warmup_linear_decay" | "constant";
    warmupRounding?: "floor" | "round";
  };
  reportEverySteps?: number;
  replicates?: number;
  seed?: number;
  labels?: Record<string, string>;
}

// ------------------------------------------------------------------------------------------ compiling

// The schemas live in packages/protocol/schemas/; `../schemas/` resolves there from src/ and from dist/.
function loadSchema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../schemas/${file}`, import.meta.url), "utf8")) as Record<
    string,
    unknown
  >;
}

/** The study JSON Schema (2020-12) as an object. */
export const studySchema = loadSchema("study.schema.json");
/** The search-space JSON Schema (2020-12) as an object. */
export const searchSpaceSchema = loadSchema("search-space.schema.json");

type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

let compiled: { study: ValidateFunction; space: ValidateFunction } | undefined;
function validators(): { study: ValidateFunction; space: ValidateFunction } {
  if (!compiled) {
    const ajv = new Ajv2020({
      allErrors: true,
      verbose: true,
      strict: true,
      strictTypes: false,
      strictRequired: false,
    });
    addFormats(ajv);
    ajv.addSchema(searchSpaceSchema);
    ajv.addSchema(studySchema);
    const space = ajv.getSchema(searchSpaceSchema.$id as string);
    const study = ajv.getSchema(studySchema.$id as string);
    if (!space || !study) throw new ProtocolError("internal", "schema compilation failed");
    compiled = { study, space };
  }
  return compiled;
}

// ----------------------------------------------------------------------------------- error formatting

function escapePointer(seg: string | number): string {
  return String(seg).replace(/~/g, "~0").replace(/\//g, "~1");
}

function valueAt(doc: unknown, pointer: string): { found: boolean; value?: unknown } {
  if (pointer === "") return { found: true, value: doc };
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (cur !== null && typeof cur === "object" && Object.hasOwn(cur, seg))
      cur = (cur as Record<string, unknown>)[seg];
    else return { found: false };
  }
  return { found: true, value: cur };
}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number" && Number.isInteger(v)) return "integer";
  return typeof v;
}

function issue(
  pointer: string,
  keyword: string,
  expected: string,
  got?: { value: unknown } | { text: string },
): ValidationIssue {
  const where = pointer === "" ? "(document)" : pointer;
  const tail = got ? `, got ${"text" in got ? got.text : show(got.value)}` : "";
  return { pointer, keyword, expected, message: `${where}: expected ${expected}${tail}` };
}

/** Turns one ajv error into an issue (undefined for errors that only echo a sub-schema failure). */
function fromAjv(e: ErrorObject, doc: unknown): ValidationIssue | undefined {
  const p = e.params as Record<string, unknown>;
  const at = valueAt(doc, e.instancePath);
  const got = at.found ? { value: at.value } : undefined;
  switch (e.keyword) {
    case "if":
    case "$ref":
    case "allOf":
      return undefined;
    case "required":
      return issue(
        `${e.instancePath}/${escapePointer(String(p.missingProperty))}`,
        "required",
        `required property "${String(p.missingProperty)}"`,
      );
    case "additionalProperties": {
      const allowed = Object.keys(
        ((e.parentSchema as Record<string, unknown> | undefined)?.properties as object | undefined) ?? {},
      );
      const name = String(p.additionalProperty);
      return issue(
        `${e.instancePath}/${escapePointer(name)}`,
        "additionalProperties",
        `no property "${name}" here${allowed.length ? ` (allowed: ${allowed.join(", ")})` : ""}`,
      );
    }
    case "false schema": {
      const name = e.instancePath.split("/").pop() ?? "";
      const parent = valueAt(doc, e.instancePath.slice(0, e.instancePath.lastIndexOf("/")));
      const kind = (parent.value as { type?: unknown } | undefined)?.type;
      return issue(
        e.instancePath,
        "not",
        `no property "${name}"${typeof kind === "string" ? ` for a ${kind} parameter` : " here"}`,
      );
    }
    case "type":
      return issue(
        e.instancePath,
        "type",
        String(p.type).split(",").join(" or "),
        got && { text: `${typeName(got.value)} ${show(got.value)}` },
      );
    case "enum":
      return issue(
        e.instancePath,
        "enum",
        `one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
        got,
      );
    case "const":
      return issue(e.instancePath, "const", JSON.stringify(p.allowedValue), got);
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return issue(e.instancePath, e.keyword, `a number ${String(p.comparison)} ${String(p.limit)}`, got);
    case "minItems":
      return issue(e.instancePath, "minItems", `at least ${String(p.limit)} item(s)`, got);
    case "minLength":
      return issue(e.instancePath, "minLength", `a string of at least ${String(p.limit)} character(s)`, got);
    case "minProperties":
      return issue(
        e.instancePath,
        "minProperties",
        `an object with at least ${String(p.limit)} propert${p.limit === 1 ? "y" : "ies"}`,
        got,
      );
    case "uniqueItems":
      return issue(
        e.instancePath,
        "uniqueItems",
        `unique items (items ${String(p.j)} and ${String(p.i)} are equal)`,
      );
    case "pattern": {
      const desc = (e.parentSchema as { description?: string } | undefined)?.description;
      return issue(
        e.instancePath,
        "pattern",
        desc ? desc.replace(/\.$/, "") : `a string matching ${String(p.pattern)}`,
        got,
      );
    }
    case "propertyNames":
      return issue(
        `${e.instancePath}/${escapePointer(String(p.propertyName))}`,
        "propertyNames",
        `a valid name instead of ${JSON.stringify(p.propertyName)}`,
      );
    default:
      return issue(e.instancePath, e.keyword, e.message ?? "a valid value", got);
  }
}

function collect(validate: ValidateFunction, doc: unknown): ValidationIssue[] {
  if (validate(doc)) return [];
  const out: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    // propertyNames reports the name's own failure too, at the same instancePath; the summary suffices.
    if (e.propertyName !== undefined) continue;
    const i = fromAjv(e, doc);
    if (i && !seen.has(i.message)) {
      seen.add(i.message);
      out.push(i);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------- semantic checks

function isNadirForm(space: unknown): space is NadirSearchSpaceJson {
  return (
    typeof space === "object" &&
    space !== null &&
    !Array.isArray(space) &&
    Array.isArray((space as { parameters?: unknown }).parameters)
  );
}

/** Values a finite-domain parameter can take; undefined for continuous ones. */
function finiteValues(p: ParameterJson): Scalar[] | undefined {
  if (p.type === "categorical" || p.type === "discrete") return p.values;
  if (p.type === "fixed") return [p.value];
  return undefined;
}

function semanticSearchSpace(space: SearchSpaceJson, base: string): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (isNadirForm(space)) {
    const firstIndex = new Map<string, number>();
    const materialized = new Map<string, number>();
    space.parameters.forEach((p, i) => {
      const at = `${base}/parameters/${i}`;
      const prev = firstIndex.get(p.name);
      if (prev !== undefined)
        out.push(
          issue(`${at}/name`, "semantic", `a unique name ("${p.name}" is already /parameters/${prev})`),
        );
      else firstIndex.set(p.name, i);
      const outName = p.as ?? p.name;
      const prevOut = materialized.get(outName);
      if (prev === undefined && prevOut !== undefined) {
        out.push(
          issue(
            `${at}/${p.as ? "as" : "name"}`,
            "semantic",
            `a unique materialised name ("${outName}" is already produced by /parameters/${prevOut})`,
          ),
        );
      } else materialized.set(outName, i);
      if (p.type === "float" || p.type === "int") {
        if (!(p.min < p.max))
          out.push(
            issue(`${at}/max`, "semantic", `max > min (${p.min}); use type "fixed" for a constant`, {
              value: p.max,
            }),
          );
        if ((p.scale === "log" || p.scale === "reverse_log") && !(p.min > 0)) {
          out.push(issue(`${at}/min`, "semantic", `min > 0 for a ${p.scale} scale`, { value: p.min }));
        }
      }
      if (p.type === "categorical") {
        const kinds = new Set(p.values.map((v) => typeof v));
        if (kinds.size > 1)
          out.push(
            issue(
              `${at}/values`,
              "semantic",
              `values of a single type (found ${[...kinds].sort().join(" and ")})`,
            ),
          );
      }
      if (p.transform === "one_minus") {
        const nums =
          p.type === "float"
            ? [p.min, p.max]
            : p.type === "discrete"
              ? p.values
              : p.type === "fixed" && typeof p.value === "number"
                ? [p.value]
                : undefined;
        if (!nums)
          out.push(
            issue(
              `${at}/transform`,
              "semantic",
              `"one_minus" only on float, discrete or numeric fixed parameters (type is "${p.type}")`,
            ),
          );
        else if (nums.some((x) => x < 0 || x > 1))
          out.push(
            issue(`${at}/transform`, "semantic", `"one_minus" on values within [0, 1] so that 1 - x is too`),
          );
      }
      if (p.condition) {
        const parentIdx = firstIndex.get(p.condition.parent);
        if (parentIdx === undefined || parentIdx >= i) {
          out.push(
            issue(`${at}/condition/parent`, "semantic", `the name of an earlier parameter`, {
              value: p.condition.parent,
            }),
          );
        } else {
          const parent = space.parameters[parentIdx] as ParameterJson;
          const allowed = finiteValues(parent);
          if (!allowed) {
            out.push(
              issue(
                `${at}/condition/parent`,
                "semantic",
                `a categorical, discrete or fixed parent ("${parent.name}" is ${parent.type})`,
              ),
            );
          } else {
            p.condition.values.forEach((v, j) => {
              if (!allowed.includes(v)) {
                out.push(
                  issue(
                    `${at}/condition/values/${j}`,
                    "semantic",
                    `one of the values of "${parent.name}": ${allowed.map((a) => JSON.stringify(a)).join(", ")}`,
                    { value: v },
                  ),
                );
              }
            });
          }
        }
      }
    });
  } else if (!Array.isArray(space)) {
    for (const [name, dim] of Object.entries(space)) {
      const at = `${base}/${escapePointer(name)}`;
      if ("min" in dim) {
        if (!(dim.min < dim.max))
          out.push(issue(`${at}/max`, "semantic", `max > min (${dim.min})`, { value: dim.max }));
        if (dim.scaling === "log" && !(dim.min > 0))
          out.push(issue(`${at}/min`, "semantic", "min > 0 for log scaling", { value: dim.min }));
      }
    }
  }
  return out;
}

function semanticStudy(study: StudyJson): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (typeof study.searchSpace !== "string")
    out.push(...semanticSearchSpace(study.searchSpace, "/searchSpace"));
  if (study.earlyStopping?.kind === "asha" && study.earlyStopping.minSteps > study.stepBudget) {
    out.push(
      issue("/earlyStopping/minSteps", "semantic", `minSteps <= stepBudget (${study.stepBudget})`, {
        value: study.earlyStopping.minSteps,
      }),
    );
  }
  if (study.earlyStopping?.kind === "median" && (study.earlyStopping.warmupSteps ?? 0) >= study.stepBudget) {
    out.push(
      issue("/earlyStopping/warmupSteps", "semantic", `warmupSteps < stepBudget (${study.stepBudget})`, {
        value: study.earlyStopping.warmupSteps,
      }),
    );
  }
  const ss = study.studyStopper;
  if (ss && study.earlyStopping) {
    // Pruned trials are censored: the survivors of a pruning rule are a selected subset, not i.i.d. draws
    // of the final score, so the law the stopper fits would not describe random search.
    out.push(
      issue(
        "/studyStopper",
        "semantic",
        `no studyStopper together with earlyStopping ("${study.earlyStopping.kind}" prunes search trials, so the survivors are not the i.i.d. sample the stopper's law needs)`,
      ),
    );
  }
  if (ss && ss.minTrials !== undefined && ss.minTrials > study.budget.trials) {
    out.push(
      issue(
        "/studyStopper/minTrials",
        "semantic",
        `minTrials <= budget.trials (${study.budget.trials}); the stopper would never be evaluated`,
        { value: ss.minTrials },
      ),
    );
  }
  if (ss && ss.minTailPoints !== undefined && ss.minTrials !== undefined && ss.minTailPoints > ss.minTrials) {
    out.push(
      issue("/studyStopper/minTailPoints", "semantic", `minTailPoints <= minTrials (${ss.minTrials})`, {
        value: ss.minTailPoints,
      }),
    );
  }
  if (study.reportEverySteps !== undefined && study.reportEverySteps > study.stepBudget) {
    out.push(
      issue("/reportEverySteps", "semantic", `reportEverySteps <= stepBudget (${study.stepBudget})`, {
        value: study.reportEverySteps,
      }),
    );
  }
  if (
    study.target?.direction &&
    study.target.direction !== study.objective.direction &&
    (study.target.metric ?? study.objective.metric) === study.objective.metric
  ) {
    out.push(
      issue(
        "/target/direction",
        "semantic",
        `the objective's direction "${study.objective.direction}" for the objective metric`,
        { value: study.target.direction },
      ),
    );
  }
  return out;
}

function sortIssues(issues: ValidationIssue[]): ValidationIssue[] {
  return issues.sort((a, b) =>
    a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : a.message < b.message ? -1 : 1,
  );
}

// ------------------------------------------------------------------------------------------- public

/**
 * Validates a search space in any accepted form (Nadir, AlgoPerf dict, AlgoPerf list) against
 * search-space.schema.json, then semantically (min < max, log needs min > 0, unique names, conditions).
 */
export function validateSearchSpace(doc: unknown): ValidationResult<SearchSpaceJson> {
  const errors = collect(validators().space, doc);
  if (errors.length === 0) errors.push(...semanticSearchSpace(doc as SearchSpaceJson, ""));
  return errors.length
    ? { ok: false, errors: sortIssues(errors) }
    : { ok: true, value: doc as SearchSpaceJson };
}

/**
 * Validates a study config against study.schema.json, then semantically (inline search space, early
 * stopping and report intervals within the step budget, target direction). A search space given as a path
 * is not read here (this package does no file I/O beyond its own schemas): validate that file with
 * validateSearchSpace.
 */
export function validateStudy(doc: unknown): ValidationResult<StudyJson> {
  const errors = collect(validators().study, doc);
  if (errors.length === 0) errors.push(...semanticStudy(doc as StudyJson));
  return errors.length ? { ok: false, errors: sortIssues(errors) } : { ok: true, value: doc as StudyJson };
}

/** validateStudy, throwing SchemaValidationError on any issue. */
export function assertStudy(doc: unknown): StudyJson {
  const r = validateStudy(doc);
  if (!r.ok) throw new SchemaValidationError("study", r.errors);
  return r.value;
}

/** validateSearchSpace, throwing SchemaValidationError on any issue. */
export function assertSearchSpace(doc: unknown): SearchSpaceJson {
  const r = validateSearchSpace(doc);
  if (!r.ok) throw new SchemaValidationError("search space", r.errors);
  return r.value;
}
