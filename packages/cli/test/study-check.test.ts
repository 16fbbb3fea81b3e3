// checkStudy, the semantic checks shared by `nadir validate` and `nadir run`: a property over every subset
// of the quickstart study's parameters (an error exactly when a field of the list lands on no parameter),
// and each kind of finding on hand-made studies.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NADAMW_POINT_FIELDS } from "@nadir/core";
import { nadir, type SearchSpaceJson, studyToSpec, validateStudy } from "@nadir/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkStudy } from "../src/study-check.js";

const quickstart = JSON.parse(
  readFileSync(
    path.join(path.dirname(fileURLToPath(import.meta.url)), "../studies/quickstart.study.json"),
    "utf8",
  ),
) as { searchSpace: { parameters: { name: string; as?: string }[] } } & Record<string, unknown>;
const params = quickstart.searchSpace.parameters;

/** A study file's JSON as the coordinator holds it (schema check, conversion, a real message). */
function studyFromJson(doc: unknown): nadir.v1.StudySpec {
  const r = validateStudy(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const spec = studyToSpec(r.value, r.value.searchSpace as SearchSpaceJson);
  return nadir.v1.StudySpec.decode(nadir.v1.StudySpec.encode(spec).finish());
}
/** The NAdamW field each quickstart parameter lands on (by `as`, a one_minus_ prefix, or the AlgoPerf alias). */
const field = (p: { name: string; as?: string }): string =>
  p.as ?? (p.name === "warmup_factor" ? "warmup_fraction" : p.name.replace(/^one_minus_/, ""));

describe("checkStudy", () => {
  it("errors exactly when a list field has no parameter (every subset of the quickstart space)", () => {
    fc.assert(
      fc.property(fc.subarray(params, { minLength: 1 }), (kept) => {
        const spec = studyFromJson({ ...quickstart, searchSpace: { parameters: kept } });
        const r = checkStudy(spec);
        const missing = NADAMW_POINT_FIELDS.filter((f) => !kept.some((p) => field(p) === f));
        expect(r.errors.length).toBe(missing.length > 0 ? 1 : 0);
        if (missing.length > 0) expect(r.errors[0]?.message).toContain(`sets ${missing.join(", ")}, which`);
        const extra = kept.filter((p) => !(NADAMW_POINT_FIELDS as readonly string[]).includes(field(p)));
        expect(r.notes.some((n) => n.message.includes("does not set"))).toBe(extra.length > 0);
      }),
      { numRuns: 60 },
    );
  });

  it("names an unknown list, and says nothing about a study without a list", () => {
    const bad = checkStudy(studyFromJson({ ...quickstart, suggester: { kind: "list", list: "nope" } }));
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors[0]?.pointer).toBe("/suggester/list");
    expect(bad.errors[0]?.message).toContain('unknown built-in list "nope"');
    const halton = checkStudy(studyFromJson({ ...quickstart, suggester: { kind: "halton", seed: 1 } }));
    expect(halton).toEqual({ errors: [], notes: [] });
  });

  it("notes list points outside a parameter's range, with the first one", () => {
    const narrow = params.map((p) => (p.name === "learning_rate" ? { ...p, min: 1e-4, max: 2e-4 } : p));
    const r = checkStudy(studyFromJson({ ...quickstart, searchSpace: { parameters: narrow } }));
    expect(r.errors).toEqual([]);
    const note = r.notes.find((n) => n.pointer === "/searchSpace/parameters/0");
    expect(note?.message).toMatch(
      /^5 point\(s\) of the list "medapati-nadamw-5" lie outside learning_rate's range \[0.0001, 0.0002\]/,
    );
  });
});
