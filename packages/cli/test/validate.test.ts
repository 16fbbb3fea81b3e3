// `nadir validate`: exit codes and messages on real files (the example study, the AlgoPerf files, and
// broken copies written to a temporary folder). The command is registered on a fresh commander program,
// exactly as main() does, and its stdout/stderr are captured.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { register } from "../src/commands/validate.js";
import { runCommand } from "./run-command.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const example = path.join(repoRoot, "examples/studies/digits-mlp.study.json");
const tmp = mkdtempSync(path.join(tmpdir(), "nadir-validate-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (...args: string[]) => runCommand(register, "validate", args, { rethrow: true });

function write(name: string, content: unknown): string {
  const file = path.join(tmp, name);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return file;
}

const exampleJson = () => JSON.parse(readFileSync(example, "utf8")) as Record<string, unknown>;

describe("nadir validate", () => {
  it("exits 0 on the example study and says what it found", async () => {
    const r = await run(example);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    expect(lines.at(-1)).toBe(
      `${example}: valid study "digits-mlp" (8 parameter(s); 20 trial(s) x 1000 step(s), parallelism 4; objective minimize validation/error_rate)`,
    );
    // The semantic notes: what the list leaves to the worker, and its points outside the searched ranges.
    expect(lines.slice(0, -1)).toEqual([
      `${example}: note: /searchSpace: the list "algoperf-nadamw-5" does not set hidden_units: its 5 trial(s) leave them to the worker's defaults`,
      `${example}: note: /searchSpace/parameters/1: 2 point(s) of the list "algoperf-nadamw-5" lie outside one_minus_beta1's range [0.004, 0.1] (point 1: 0.11042418465000003); list trials use them as published`,
      `${example}: note: /searchSpace/parameters/2: 5 point(s) of the list "algoperf-nadamw-5" lie outside beta2's range [0.999, 0.999] (point 0: 0.9981232922116359); list trials use them as published`,
    ]);
  });

  it("exits 1 with the pointer and the expectation for each issue", async () => {
    const s = exampleJson();
    (s.budget as Record<string, unknown>).trials = 0;
    (s.searchSpace as { parameters: Record<string, unknown>[] }).parameters[0] = {
      name: "learning_rate",
      type: "float",
      min: 0.01,
      max: 0.001,
      scale: "log",
    };
    const file = write("bad.study.json", s);
    const r = await run(file);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toBe(`${file}: invalid study (1 issue)\n  /budget/trials: expected a number >= 1, got 0\n`);
    // Semantic issues show once the schema passes.
    (s.budget as Record<string, unknown>).trials = 5;
    const r2 = await run(write("bad2.study.json", s));
    expect(r2.code).toBe(1);
    expect(r2.err).toContain(
      '  /searchSpace/parameters/0/max: expected max > min (0.01); use type "fixed" for a constant, got 0.001\n',
    );
  });

  it("exits 1 on broken JSON, naming the parse error", async () => {
    const file = write("broken.json", '{"id": "x",');
    const r = await run(file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/invalid study \(1 issue\)\n {2}\(document\): expected valid JSON \(.+\)\n$/);
  });

  it("exits 2 when the file cannot be read or the kind is unknown", async () => {
    const r = await run(path.join(tmp, "missing.json"));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/missing\.json: cannot read: ENOENT/);
    const r2 = await run(example, "--kind", "trial");
    expect(r2.code).toBe(2);
    expect(r2.err).toContain('--kind must be "study" or "search-space"');
  });

  it("validates AlgoPerf search-space files as-is with --kind search-space", async () => {
    const dict = path.join(repoRoot, "protocols/testdata/algoperf/nadamw_tuning_search_space.json");
    const list = path.join(repoRoot, "protocols/testdata/algoperf/external_tuning_search_space.json");
    expect((await run(dict, "--kind", "search-space")).out).toBe(
      `${dict}: valid search space (AlgoPerf dict of 7 parameter(s))\n`,
    );
    expect((await run(list, "--kind", "search-space")).out).toBe(
      `${list}: valid search space (AlgoPerf list of 5 point(s))\n`,
    );
  });

  it("follows a searchSpace path relative to the study and reports issues in that file", async () => {
    const s = exampleJson();
    s.searchSpace = "space.json";
    const study = write("linked.study.json", s);
    const space = write("space.json", { lr: { min: 0, max: 1, scaling: "log" } });
    const r = await run(study);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `${study}: invalid study (1 issue)\n  ${space}: /lr/min: expected min > 0 for log scaling, got 0\n`,
    );
    write("space.json", { lr: { min: 1e-4, max: 1e-2, scaling: "log" } });
    // Schema-valid now, but the study's NAdamW list has nowhere to put its fields in a space of `lr` alone.
    const r2 = await run(study);
    expect(r2.code).toBe(1);
    expect(r2.err).toContain(
      '/searchSpace: the list "algoperf-nadamw-5" sets learning_rate, beta1, beta2, weight_decay, warmup_fraction, dropout_rate, label_smoothing, which no parameter of the search space takes',
    );
    s.searchSpace = "nowhere.json";
    const r3 = await run(write("dangling.study.json", s));
    expect(r3.code).toBe(1);
    expect(r3.err).toContain('/searchSpace: expected a readable search-space file, got "nowhere.json"');
  });

  it("prints machine-readable results with --json", async () => {
    const s = exampleJson();
    delete s.objective;
    const r = await run(write("nojective.json", s), "--json");
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as {
      valid: boolean;
      issues: { pointer: string; keyword: string; expected: string }[];
    };
    expect(j.valid).toBe(false);
    expect(j.issues).toEqual([
      expect.objectContaining({
        pointer: "/objective",
        keyword: "required",
        expected: 'required property "objective"',
      }),
    ]);
  });
});
