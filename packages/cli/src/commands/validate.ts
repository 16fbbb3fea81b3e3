/**
 * `nadir validate <file>`: checks a study config (default) or a search space (`--kind search-space`)
 * against the JSON Schemas of @nadir/protocol, then the semantic checks the schemas cannot express (the
 * coordinator's own study checks, a suggester that can be built, list names that exist, list fields that
 * land on search-space parameters; see study-check.ts). Exit 0 when valid, 1 when the file
 * is invalid (every issue printed as `<file>: <json pointer>: expected ..., got ...`), 2 when the file
 * cannot be read at all or the flags are wrong. A study whose `searchSpace` is a path has that file
 * validated too (resolved relative to the study file).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { StudyValidationError, validateStudySpec } from "@nadir/coordinator";
import {
  nadir,
  type SearchSpaceJson,
  studyToSpec,
  type ValidationIssue,
  validateSearchSpace,
  validateStudy,
} from "@nadir/protocol";
import { checkStudy } from "../study-check.js";
import type { RegisterCommand } from "./index.js";

type Kind = "study" | "search-space";

/** A finding tied to the file it is in. */
interface FileIssue extends ValidationIssue {
  file: string;
}

/** Reads and parses a JSON file; parse errors become one issue at the document root. */
function readJson(
  file: string,
): { ok: true; doc: unknown } | { ok: false; issue?: FileIssue; unreadable?: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    return {
      ok: false,
      unreadable: `${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    };
  }
  try {
    return { ok: true, doc: JSON.parse(text) };
  } catch (err) {
    const msg = (err as Error).message;
    return {
      ok: false,
      issue: {
        file,
        pointer: "",
        keyword: "json",
        expected: "valid JSON",
        message: `(document): expected valid JSON (${msg})`,
      },
    };
  }
}

/** Describes a search space's form for the success line. */
function describeSpace(space: SearchSpaceJson): string {
  if (Array.isArray(space)) return `AlgoPerf list of ${space.length} point(s)`;
  if (Array.isArray((space as { parameters?: unknown }).parameters))
    return `${(space as { parameters: unknown[] }).parameters.length} parameter(s)`;
  return `AlgoPerf dict of ${Object.keys(space).length} parameter(s)`;
}

export interface ValidateOutcome {
  code: 0 | 1 | 2;
  stdout: string[];
  stderr: string[];
  issues: FileIssue[];
}

/** Validates one file; pure apart from reading the file(s). Used by the command and its tests. */
export function validateFile(file: string, kind: Kind): ValidateOutcome {
  const out: ValidateOutcome = { code: 0, stdout: [], stderr: [], issues: [] };
  const read = readJson(file);
  if (!read.ok) {
    if (read.unreadable) return { ...out, code: 2, stderr: [read.unreadable] };
    out.issues.push(read.issue as FileIssue);
  } else if (kind === "search-space") {
    const r = validateSearchSpace(read.doc);
    if (r.ok) out.stdout.push(`${file}: valid search space (${describeSpace(r.value)})`);
    else out.issues.push(...r.errors.map((e) => ({ ...e, file })));
  } else {
    const r = validateStudy(read.doc);
    if (!r.ok) out.issues.push(...r.errors.map((e) => ({ ...e, file })));
    else {
      let space: SearchSpaceJson | undefined =
        typeof r.value.searchSpace === "string" ? undefined : r.value.searchSpace;
      if (typeof r.value.searchSpace === "string") {
        const spaceFile = path.resolve(path.dirname(file), r.value.searchSpace);
        const sr = readJson(spaceFile);
        if (!sr.ok) {
          out.issues.push(
            sr.issue ?? {
              file,
              pointer: "/searchSpace",
              keyword: "file",
              expected: "a readable search-space file",
              message: `/searchSpace: expected a readable search-space file, got ${JSON.stringify(r.value.searchSpace)} (${sr.unreadable ?? ""})`,
            },
          );
        } else {
          const v = validateSearchSpace(sr.doc);
          if (v.ok) space = v.value;
          else out.issues.push(...v.errors.map((e) => ({ ...e, file: spaceFile })));
        }
      }
      if (space !== undefined && out.issues.length === 0) {
        // The conversion is what `nadir serve` does next; running it here proves the file is usable.
        const spec = studyToSpec(r.value, space);
        const v = r.value;
        // What the schema cannot say: the coordinator's own checks, then the suggester and list checks.
        // A real message (oneof fields set), as the coordinator holds it.
        const full = nadir.v1.StudySpec.decode(nadir.v1.StudySpec.encode(spec).finish());
        try {
          validateStudySpec(full);
        } catch (err) {
          if (!(err instanceof StudyValidationError)) throw err;
          out.issues.push({
            file,
            pointer: `/${err.field.replaceAll(".", "/")}`,
            keyword: "semantic",
            expected: "a usable study",
            message: `${err.field}: ${err.message.replace(/^study [^:]*: /, "")}`,
          });
        }
        const check = out.issues.length === 0 ? checkStudy(full) : { errors: [], notes: [] };
        for (const e of check.errors)
          out.issues.push({
            file,
            pointer: e.pointer,
            keyword: "semantic",
            expected: "a usable study",
            message: `${e.pointer || "(document)"}: ${e.message}`,
          });
        if (out.issues.length > 0) return finish(out, file, kind);
        for (const n of check.notes) out.stdout.push(`${file}: note: ${n.pointer}: ${n.message}`);
        out.stdout.push(
          `${file}: valid study "${v.id}" (${describeSpace(space)}; ${v.budget.trials} trial(s) x ${v.stepBudget} step(s), parallelism ${spec.budget?.parallelism}; objective ${v.objective.direction} ${v.objective.metric})`,
        );
      }
    }
  }
  return finish(out, file, kind);
}

/** Sets the exit code and the summary lines once every issue is collected. */
function finish(out: ValidateOutcome, file: string, kind: Kind): ValidateOutcome {
  if (out.issues.length > 0) {
    out.code = 1;
    out.stderr.push(
      `${file}: invalid ${kind} (${out.issues.length} issue${out.issues.length === 1 ? "" : "s"})`,
    );
    for (const i of out.issues) out.stderr.push(`  ${i.file === file ? "" : `${i.file}: `}${i.message}`);
  }
  return out;
}

export const register: RegisterCommand = (program, setExit) => {
  program
    .command("validate")
    .description("check a study config (or a search space) against the Nadir JSON Schemas")
    .argument("<file>", "JSON file to check")
    .option("--kind <kind>", "what the file is: study | search-space", "study")
    .option("--json", "print the result as JSON on stdout")
    .action((file: string, opts: { kind: string; json?: boolean }) => {
      if (opts.kind !== "study" && opts.kind !== "search-space") {
        process.stderr.write(
          `nadir validate: --kind must be "study" or "search-space", got ${JSON.stringify(opts.kind)}\n`,
        );
        setExit(2);
        return;
      }
      const r = validateFile(file, opts.kind);
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({ file, kind: opts.kind, valid: r.code === 0, issues: r.issues, error: r.code === 2 ? r.stderr[0] : undefined })}\n`,
        );
      } else {
        for (const line of r.stdout) process.stdout.write(`${line}\n`);
        for (const line of r.stderr) process.stderr.write(`${line}\n`);
      }
      setExit(r.code);
    });
};
