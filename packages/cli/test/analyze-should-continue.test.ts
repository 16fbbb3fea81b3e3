// `nadir analyze --should-continue`: the stopper's advice for studies run elsewhere (a lab running Optuna
// or Ray calls it between batches). Real data: the 1,024 DeBERTaV3 error rates of the opda papers
// (shared/data/opda/derived_scores.json), all of them and the first 12, written as CSV.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { analyzeScores } from "@nadir/analysis";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT_STOP_ADVISED, register } from "../src/commands/analyze.js";
import { runCommand } from "./run-command.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const scores = JSON.parse(
  readFileSync(path.resolve(repoRoot, "../shared/data/opda/derived_scores.json"), "utf8"),
).scores["deberta-v3-base_error_rate"] as number[];
const tmp = mkdtempSync(path.join(tmpdir(), "nadir-should-continue-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, ys: number[]): string => {
  const f = path.join(tmp, name);
  writeFileSync(f, `error_rate\n${ys.join("\n")}\n`);
  return f;
};
const all = write("all.csv", scores);
const few = write("few.csv", scores.slice(0, 12));
const base = ["--metric", "error_rate", "--direction", "minimize", "--lower", "0", "--upper", "1"];

const run = (...args: string[]) => runCommand(register, "analyze", args, { rethrow: true });

describe("nadir analyze --should-continue", () => {
  it("advises stopping when 100 more trials gain less than the threshold, with the bound it computed", async () => {
    const args = [all, ...base, "--threshold", "0.11", "--should-continue", "--in-trials", "100"];
    const json = await run(...args, "--gain", "0.001", "--json");
    expect(json.code).toBe(EXIT_STOP_ADVISED);
    const d = JSON.parse(json.out);
    // The same bound as the library's, computed independently of the CLI's plumbing.
    const lib = analyzeScores(scores, {
      direction: "minimize",
      lower: 0,
      upper: 1,
      threshold: 0.11,
      maxK: 1,
      continuationTrials: 100,
    });
    expect(d.gainBound).toBeCloseTo(lib.continuation?.gain as number, 12);
    expect(d.gainBound).toBeGreaterThan(0);
    expect(d.gainBound).toBeLessThan(0.001);
    expect(d.stop).toBe(true);
    expect(d.reason).toBe("gain-below-threshold");
    const text = await run(...args, "--gain", "0.001");
    expect(text.code).toBe(EXIT_STOP_ADVISED);
    expect(text.out).toMatch(
      /^no: stop after 1024 trials: 100 more would gain at most 0\.000\d+ at 80% \(threshold 0\.001\)\n$/,
    );
    // A threshold below the bound: continue (exit 0), and the message says how much could still be gained.
    const strict = await run(...args, "--gain", String((d.gainBound as number) / 2));
    expect(strict.code).toBe(0);
    expect(strict.out).toMatch(/^yes: continue: 100 more trials could still gain up to /);
  }, 120_000);

  it("continues on too few trials and says why", async () => {
    const r = await run(
      few,
      ...base,
      "--threshold",
      "0.11",
      "--should-continue",
      "--gain",
      "0.01",
      "--in-trials",
      "10",
    );
    expect(r.code).toBe(0);
    expect(r.out).toBe("yes: continue: 12 of the 16 search trials needed before deciding\n");
  });

  it("rejects incomplete or invalid advice flags with exit 2, before reading the file", async () => {
    const cases: [string[], RegExp][] = [
      [["--should-continue", "--gain", "0.01", "--in-trials", "10"], /needs --threshold/],
      [["--threshold", "0.11", "--should-continue", "--gain", "0.01"], /needs --gain G and --in-trials K/],
      [["--threshold", "0.11", "--gain", "0.01", "--in-trials", "10"], /go with --should-continue/],
      [
        ["--threshold", "0.11", "--should-continue", "--gain", "-1", "--in-trials", "10"],
        /--gain must be a number > 0/,
      ],
      [
        ["--threshold", "0.11", "--should-continue", "--gain", "0.1", "--in-trials", "2.5"],
        /--in-trials must be an integer >= 1/,
      ],
      [
        ["--threshold", "0.11", "--should-continue", "--gain", "abc", "--in-trials", "3"],
        /--gain must be a number/,
      ],
    ];
    for (const [flags, msg] of cases) {
      const r = await run(path.join(tmp, "missing.csv"), ...base, ...flags);
      expect(r.code, flags.join(" ")).toBe(2);
      expect(r.err).toMatch(msg);
    }
  });
});
