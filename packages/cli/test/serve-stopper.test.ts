// `nadir serve --gain G --in-trials K`: the study stopper from the serve command's flags. A real `nadir
// serve` process (file journal, ZeroMQ) and two synthetic worker processes (final loss =
// (log10 lr + 3)² + 1/(1 + steps/10)) run a 300-trial Halton study whose file declares no stopper; the
// flags must put the stopper on, the study must end on its decision before the budget, the journal must
// hold the rule the flags gave (gain, K, confidence, threshold), and stdout must give the reason. Bad
// stopper flags are usage errors (exit 2) before anything is bound; a study that prunes is refused by name.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readJournal } from "@nadir/coordinator";
import { afterEach, describe, expect, it } from "vitest";
import { killAll, startServe, startWorker, tmpDir, writeStudy } from "../../coordinator/test/helpers.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const bin = path.join(repoRoot, "packages/cli/dist/bin.js");

function serveSync(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, "serve", "--quiet", ...args], {
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("nadir serve with the study stopper's flags", () => {
  afterEach(killAll);

  it("stops the study on the flags' stopper before its budget; the journal holds the flags' rule and stdout the reason", async () => {
    const dir = tmpDir("nadir-serve-stopper-");
    const study = writeStudy(dir, "srv", 300, 20);
    const journal = path.join(dir, "journal");
    const serve = await startServe([
      ...["--study", study, "--bind", "tcp://127.0.0.1:0", "--journal", journal, "--exit-when-done"],
      ...["--heartbeat-ms", "100", "--gain", "0.15", "--in-trials", "32", "--min-trials", "12"],
      ...["--every", "4", "--confidence", "0.9", "--threshold", "0.5"],
    ]);
    const workers = [
      startWorker(serve.endpoint, "w1", { capacity: 2, stepMs: 1 }),
      startWorker(serve.endpoint, "w2", { capacity: 2, stepMs: 1 }),
    ];
    expect(await serve.exited).toBe(0);
    for (const w of workers) await w.exited;

    const rs = readJournal(journal).records;
    const spec = rs.find((r) => r.studyCreated)?.studyCreated;
    expect(spec?.studyStopper?.asymptotic).toMatchObject({
      gain: 0.15,
      inTrials: 32,
      minTrials: 12,
      every: 4,
      confidence: 0.9,
      threshold: 0.5,
      maxIntervalWidth: 0,
    });
    const decisions = rs.filter((r) => r.stopperDecision).map((r) => r.stopperDecision);
    const stop = decisions.find((d) => d?.stop);
    expect(stop?.reason).toBe("gain-below-threshold");
    expect(stop?.gainBound).toBeLessThanOrEqual(0.15);
    expect(stop?.confidence).toBe(0.9);
    expect(stop?.regimeThreshold).toBe(0.5);
    // Decisions on the grid 12 + 4j; fewer trials than budgeted were ever created.
    for (const d of decisions) expect(((d?.searchTrials ?? 0) - 12) % 4).toBe(0);
    const created = rs.filter((r) => r.trialCreated).length;
    expect(created).toBeLessThan(300);
    // stdout: the reason, in run's words.
    const out = serve.out();
    expect(out).toMatch(
      new RegExp(
        `nadir: srv stopped after ${stop?.searchTrials} search trials \\(${created} trials of the 300 budgeted\\): `,
      ),
    );
    expect(out).toContain("nadir: done");
  }, 120_000);

  const study = () => writeStudy(tmpDir("nadir-serve-stopper-bad-"), "bad", 10, 10);
  const cases: [string, string[], number, string][] = [
    ["--in-trials without --gain", ["--in-trials", "32"], 2, "--in-trials go with --gain"],
    ["--gain without --in-trials", ["--gain", "0.1"], 2, "--gain needs --in-trials K"],
    ["--gain 0", ["--gain", "0", "--in-trials", "8"], 2, '--gain must be a number > 0, got "0"'],
    [
      "--min-trials 1",
      ["--gain", "0.1", "--in-trials", "8", "--min-trials", "1"],
      2,
      "--min-trials must be an integer >= 2",
    ],
    [
      "--confidence 1",
      ["--gain", "0.1", "--in-trials", "8", "--confidence", "1"],
      2,
      '--confidence must be in (0, 1), got "1"',
    ],
    [
      "--threshold abc",
      ["--gain", "0.1", "--in-trials", "8", "--threshold", "abc"],
      2,
      '--threshold must be a finite number, got "abc"',
    ],
    ["--confidence without --gain", ["--confidence", "0.9"], 2, "--confidence goes with --gain"],
  ];
  for (const [name, args, code, message] of cases)
    it(`${name} → exit ${code} before binding`, () => {
      const journal = path.join(tmpDir("nadir-serve-stopper-j-"), "journal");
      const r = serveSync(["--study", study(), "--bind", "tcp://127.0.0.1:0", "--journal", journal, ...args]);
      expect(r.status).toBe(code);
      expect(r.stderr).toContain(message);
      expect(r.stdout).not.toContain("nadir: serving");
      expect(existsSync(journal)).toBe(false);
    });

  it("a study that prunes is refused by file name (exit 1)", () => {
    const dir = tmpDir("nadir-serve-stopper-asha-");
    const f = writeStudy(dir, "asha", 10, 10, {
      earlyStopping: { kind: "asha", minSteps: 2, reductionFactor: 3 },
    });
    const r = serveSync(["--study", f, "--bind", "tcp://127.0.0.1:0", "--gain", "0.1", "--in-trials", "8"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${f} prunes trials (earlyStopping asha)`);
    expect(r.stdout).not.toContain("nadir: serving");
  });
});
