/**
 * Semantic checks of a study that the JSON Schemas cannot express, run by `nadir validate` and by
 * `nadir run` before anything starts: the suggester can be built (a list name that exists, a fallback
 * sampler that fits the space), every field of a built-in list's points lands on a parameter of the
 * study's search space (a misspelt `learning_rte` would otherwise send the list's learning rate under a
 * name the worker does not read), and list points outside the space's bounds are pointed out.
 */
import { builtinList, builtinSuggester, SuggesterConfigError } from "@nadir/coordinator";
import { NADAMW_POINT_FIELDS } from "@nadir/core";
import { nadir } from "@nadir/protocol";

/** One finding, at a JSON pointer of the study file. */
export interface StudyFinding {
  /** JSON pointer into the study file ("" for the whole document). */
  pointer: string;
  message: string;
}

/** Errors make the study unusable; notes are worth reading but do not stop a run. */
export interface StudyCheck {
  errors: StudyFinding[];
  notes: StudyFinding[];
}

/** Names a search space may use for `warmup_fraction` (AlgoPerf's name). */
const FIELD_ALIASES: Readonly<Record<string, string>> = { warmup_factor: "warmup_fraction" };

/** The NAdamW field a parameter materialises to, the way the coordinator's list suggester maps it. */
function targetField(p: nadir.v1.ParameterSpec): string {
  const name = p.name ?? "";
  const oneMinus = p.transform === nadir.v1.Transform.TRANSFORM_ONE_MINUS || name.startsWith("one_minus_");
  const target = p.materializedName || (oneMinus && name.startsWith("one_minus_") ? name.slice(10) : name);
  return FIELD_ALIASES[target] ?? target;
}

function bounds(p: nadir.v1.ParameterSpec): [number, number] | undefined {
  if (p.domain === "floatDomain" && p.floatDomain)
    return [Number(p.floatDomain.min ?? 0), Number(p.floatDomain.max ?? 0)];
  if (p.domain === "intDomain" && p.intDomain) return [Number(p.intDomain.min), Number(p.intDomain.max)];
  if (p.domain === "discreteDomain" && p.discreteDomain?.values?.length) {
    const v = p.discreteDomain.values.map(Number);
    return [Math.min(...v), Math.max(...v)];
  }
  const fixed = p.domain === "fixedDomain" ? p.fixedDomain?.value : undefined;
  if (fixed?.kind === "floatValue" || fixed?.kind === "intValue") {
    const x = Number(fixed.kind === "floatValue" ? fixed.floatValue : fixed.intValue);
    return [x, x];
  }
  return undefined;
}

/** Runs the semantic checks on a study that already passed the schema and `validateStudySpec`. */
export function checkStudy(spec: nadir.v1.StudySpec): StudyCheck {
  const out: StudyCheck = { errors: [], notes: [] };
  const s = spec.suggester;
  if (s?.kind === "external") {
    out.notes.push({
      pointer: "/suggester",
      message: `the suggester is external (${JSON.stringify(s.external?.algorithm || s.external?.suggesterId || "")}): a process must connect as a suggester; \`nadir run\` has none built in`,
    });
    return out;
  }
  try {
    builtinSuggester(spec);
  } catch (err) {
    if (!(err instanceof SuggesterConfigError) && !(err instanceof RangeError) && !(err instanceof TypeError))
      throw err;
    const pointer = s?.kind === "list" ? "/suggester/list" : s?.kind ? "/suggester" : "/searchSpace";
    out.errors.push({ pointer, message: (err as Error).message });
    return out;
  }
  const listName = s?.kind === "list" ? s.list?.listName : undefined;
  if (!listName) return out;
  const list = builtinList(listName);
  const params = (spec.searchSpace?.parameters ?? []) as nadir.v1.ParameterSpec[];
  const byField = new Map(params.map((p) => [targetField(p), p] as const));
  const unmatched = NADAMW_POINT_FIELDS.filter((f) => !byField.has(f));
  if (unmatched.length > 0) {
    out.errors.push({
      pointer: "/searchSpace",
      message: `the list ${JSON.stringify(listName)} sets ${unmatched.join(", ")}, which no parameter of the search space takes (name a parameter so, or one_minus_<name>, or give it "as": "<name>"); its points would reach the worker under names the study does not declare`,
    });
  }
  const fields = new Set<string>(NADAMW_POINT_FIELDS);
  const unset = params.filter((p) => !fields.has(targetField(p))).map((p) => p.name);
  if (unset.length > 0)
    out.notes.push({
      pointer: "/searchSpace",
      message: `the list ${JSON.stringify(listName)} does not set ${unset.join(", ")}: its ${list.points.length} trial(s) leave them to the worker's defaults`,
    });
  for (const f of NADAMW_POINT_FIELDS) {
    const p = byField.get(f);
    const b = p ? bounds(p) : undefined;
    if (!p || !b) continue;
    const oneMinus =
      p.transform === nadir.v1.Transform.TRANSFORM_ONE_MINUS || (p.name ?? "").startsWith("one_minus_");
    const outside = list.points
      .map((pt, i) => ({ i, x: oneMinus ? 1 - pt[f] : pt[f] }))
      .filter(({ x }) => x < b[0] * (1 - 1e-12) || x > b[1] * (1 + 1e-12));
    if (outside.length > 0)
      out.notes.push({
        pointer: `/searchSpace/parameters/${params.indexOf(p)}`,
        message: `${outside.length} point(s) of the list ${JSON.stringify(listName)} lie outside ${p.name}'s range [${b[0]}, ${b[1]}] (point ${outside[0]?.i}: ${outside[0]?.x}); list trials use them as published`,
      });
  }
  return out;
}
