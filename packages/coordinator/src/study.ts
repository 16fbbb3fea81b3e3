/**
 * Study files: loading, validation and the conversion into a `nadir.v1.StudySpec`.
 *
 * A study file is either the user-facing study config (packages/protocol/schemas/study.schema.json, with
 * an `id`; validated with `validateStudy` and converted with `studyToSpec` from @nadir/protocol; a
 * search space given as a path is read relative to the study file), or the canonical proto3 JSON of
 * StudySpec itself (with a `studyId`; lowerCamelCase field names, enums by name). Either way the result is
 * then checked for everything the coordinator relies on; each failure names the field.
 */

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { getList } from "@nadir/core";
import { nadir, studyToSpec, validateSearchSpace, validateStudy } from "@nadir/protocol";
import { CoordinatorError } from "./errors.js";
import { MaterializeError, optimizerSettings } from "./materialize.js";

/** A study file or spec that cannot be served. `field` is the offending path. */
export class StudyValidationError extends CoordinatorError {
  /** The study field the problem is in (also `path`). */
  readonly field: string;
  constructor(field: string, message: string) {
    super("study_invalid", `study ${field}: ${message}`, field);
    this.field = field;
  }
}

/**
 * The protobuf StudySpec (`nadir.v1.StudySpec` of @nadir/protocol) that the coordinator serves and
 * journals, as {@link studyFromJson} and {@link loadStudyFile} return it: named here so that callers need
 * not import the generated namespace.
 */
export type StudySpec = nadir.v1.StudySpec;

const D = nadir.v1.Direction;

/** Builds and validates a StudySpec from its JSON object form. @throws StudyValidationError */
export function studyFromJson(json: unknown): StudySpec {
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new StudyValidationError("(root)", "must be a JSON object");
  let spec: StudySpec;
  try {
    spec = nadir.v1.StudySpec.fromObject(json as Record<string, unknown>);
  } catch (err) {
    throw new StudyValidationError("(root)", (err as Error).message);
  }
  validateStudySpec(spec);
  return spec;
}

/** Reads a study file (JSON). @throws StudyValidationError, or the fs error when unreadable */
export function loadStudyFile(file: string): StudySpec {
  const text = fs.readFileSync(file, "utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StudyValidationError("(file)", `${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (
    typeof json === "object" &&
    json !== null &&
    !Array.isArray(json) &&
    "id" in json &&
    !("studyId" in json)
  ) {
    const r = validateStudy(json);
    if (!r.ok)
      throw new StudyValidationError(
        r.errors[0]?.pointer || "(root)",
        `${file} is not a valid study:\n${r.errors.map((e) => `  ${e.message}`).join("\n")}`,
      );
    let space: unknown;
    if (typeof r.value.searchSpace === "string") {
      const spaceFile = path.resolve(path.dirname(file), r.value.searchSpace);
      try {
        space = JSON.parse(fs.readFileSync(spaceFile, "utf8"));
      } catch (err) {
        throw new StudyValidationError("/searchSpace", `cannot read ${spaceFile}: ${(err as Error).message}`);
      }
      const rs = validateSearchSpace(space);
      if (!rs.ok)
        throw new StudyValidationError(
          "/searchSpace",
          `${spaceFile}:\n${rs.errors.map((e) => `  ${e.message}`).join("\n")}`,
        );
    }
    let props: nadir.v1.StudySpec.$Properties;
    try {
      props = studyToSpec(r.value, space as Parameters<typeof studyToSpec>[1]);
    } catch (err) {
      throw new StudyValidationError("(root)", (err as Error).message);
    }
    // A study that replays a built-in list without naming the NAdamW variant trains the variant the list
    // was tuned with (Medapati's list: optax; AlgoPerf's: algoperf), not the schema's generic default.
    const sg = r.value.suggester;
    if (r.value.optimizer?.variant === undefined && sg?.kind === "list" && typeof sg.list === "string") {
      let variant: string | undefined;
      try {
        variant = getList(sg.list).variant;
      } catch {
        // An unknown list name is reported by the suggester with the names it knows.
      }
      if (variant && props.optimizerDefaults)
        props.optimizerDefaults = { ...props.optimizerDefaults, variant };
    }
    const spec = nadir.v1.StudySpec.decode(nadir.v1.StudySpec.encode(props).finish());
    validateStudySpec(spec);
    return spec;
  }
  return studyFromJson(json);
}

/** Checks a StudySpec for everything the coordinator relies on. @throws StudyValidationError */
export function validateStudySpec(spec: StudySpec): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(spec.studyId)) {
    throw new StudyValidationError(
      "studyId",
      `must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}, got ${JSON.stringify(spec.studyId)}`,
    );
  }
  if (!spec.objective?.metric) throw new StudyValidationError("objective.metric", "is required");
  const dir = spec.objective.direction;
  if (dir !== D.DIRECTION_MINIMIZE && dir !== D.DIRECTION_MAXIMIZE) {
    throw new StudyValidationError("objective.direction", "must be DIRECTION_MINIMIZE or DIRECTION_MAXIMIZE");
  }
  const b = spec.budget;
  if (!b || !Number.isInteger(b.maxTrials) || Number(b.maxTrials) < 1)
    throw new StudyValidationError("budget.maxTrials", "must be an integer >= 1");
  if (!Number.isInteger(b.parallelism ?? 0) || Number(b.parallelism ?? 0) < 0)
    throw new StudyValidationError("budget.parallelism", "must be an integer >= 0 (0 = unlimited)");
  if (!Number.isSafeInteger(spec.stepBudget) || spec.stepBudget < 1)
    throw new StudyValidationError("stepBudget", "must be an integer >= 1");
  try {
    optimizerSettings(spec);
  } catch (err) {
    if (err instanceof MaterializeError) throw new StudyValidationError(err.path, err.reason);
    throw err;
  }
  const params = spec.searchSpace?.parameters ?? [];
  const names = new Set<string>();
  params.forEach((p, i) => {
    const f = `searchSpace.parameters[${i}]`;
    if (!p.name) throw new StudyValidationError(`${f}.name`, "is required");
    if (names.has(p.name))
      throw new StudyValidationError(`${f}.name`, `duplicate parameter ${JSON.stringify(p.name)}`);
    names.add(p.name);
    switch (p.domain) {
      case "floatDomain": {
        const d = p.floatDomain as nadir.v1.FloatDomain;
        if (!(Number.isFinite(d.min) && Number.isFinite(d.max) && d.min <= d.max))
          throw new StudyValidationError(`${f}.floatDomain`, "needs finite min <= max");
        if (
          (d.scale === nadir.v1.Scale.SCALE_LOG || d.scale === nadir.v1.Scale.SCALE_REVERSE_LOG) &&
          d.min <= 0
        ) {
          throw new StudyValidationError(`${f}.floatDomain.min`, "must be > 0 on a log scale");
        }
        break;
      }
      case "intDomain": {
        const d = p.intDomain as nadir.v1.IntDomain;
        if (!(Number.isSafeInteger(d.min) && Number.isSafeInteger(d.max) && d.min <= d.max))
          throw new StudyValidationError(`${f}.intDomain`, "needs integer min <= max");
        if (d.scale === nadir.v1.Scale.SCALE_LOG && d.min <= 0)
          throw new StudyValidationError(`${f}.intDomain.min`, "must be > 0 on a log scale");
        break;
      }
      case "categoricalDomain":
        if ((p.categoricalDomain?.values?.length ?? 0) === 0)
          throw new StudyValidationError(`${f}.categoricalDomain.values`, "must not be empty");
        break;
      case "discreteDomain":
        if ((p.discreteDomain?.values?.length ?? 0) === 0)
          throw new StudyValidationError(`${f}.discreteDomain.values`, "must not be empty");
        break;
      case "fixedDomain":
        if (!p.fixedDomain?.value?.kind)
          throw new StudyValidationError(`${f}.fixedDomain.value`, "must hold a value");
        break;
      default:
        throw new StudyValidationError(
          f,
          "needs a domain (floatDomain, intDomain, categoricalDomain, discreteDomain or fixedDomain)",
        );
    }
    if (p.condition?.parent && !names.has(p.condition.parent)) {
      throw new StudyValidationError(
        `${f}.condition.parent`,
        `must name an earlier parameter, got ${JSON.stringify(p.condition.parent)}`,
      );
    }
  });
  if (spec.target) {
    if (!spec.target.metric)
      throw new StudyValidationError("target.metric", "is required when a target is set");
    if (!Number.isFinite(spec.target.threshold))
      throw new StudyValidationError("target.threshold", "must be finite");
    if (spec.target.direction !== D.DIRECTION_MINIMIZE && spec.target.direction !== D.DIRECTION_MAXIMIZE) {
      throw new StudyValidationError("target.direction", "must be DIRECTION_MINIMIZE or DIRECTION_MAXIMIZE");
    }
  }
  const es = spec.earlyStopping;
  if (es?.rule === "asha") {
    const a = es.asha as nadir.v1.AshaSpec;
    if (!(a.minSteps >= 1)) throw new StudyValidationError("earlyStopping.asha.minSteps", "must be >= 1");
    if (!(a.reductionFactor >= 2))
      throw new StudyValidationError("earlyStopping.asha.reductionFactor", "must be >= 2");
  }
  const ss = spec.studyStopper;
  if (ss?.rule === "asymptotic") {
    const a = ss.asymptotic as nadir.v1.AsymptoticStopperSpec;
    const at = (f: string): string => `studyStopper.asymptotic.${f}`;
    if (!(Number.isFinite(a.gain) && a.gain > 0))
      throw new StudyValidationError(at("gain"), "must be a number > 0");
    if (!(a.inTrials >= 1)) throw new StudyValidationError(at("inTrials"), "must be an integer >= 1");
    if (!(a.confidence === 0 || (a.confidence > 0 && a.confidence < 1)))
      throw new StudyValidationError(at("confidence"), "must be in (0, 1) (0 = the default 0.8)");
    if (!(Number.isFinite(a.maxIntervalWidth) && a.maxIntervalWidth >= 0))
      throw new StudyValidationError(at("maxIntervalWidth"), "must be a number >= 0 (0 = no interval rule)");
    if (a.threshold !== undefined && a.threshold !== null && !Number.isFinite(a.threshold))
      throw new StudyValidationError(at("threshold"), "must be finite");
    if (spec.earlyStopping?.rule)
      throw new StudyValidationError(
        "studyStopper",
        "cannot be combined with earlyStopping: pruned search trials leave a selected subset, not the i.i.d. sample the stopper's law needs",
      );
  }
  if ((spec.replicates ?? 0) > 1000) throw new StudyValidationError("replicates", "must be <= 1000");
}

/** Hex SHA-256 of the deterministic encoding of a StudySpec (SuggestRequest.spec_fingerprint). */
export function specFingerprint(spec: nadir.v1.StudySpec.$Properties): string {
  return createHash("sha256").update(nadir.v1.StudySpec.encode(spec).finish()).digest("hex");
}
