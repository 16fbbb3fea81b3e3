// `nadir run --replay deberta-v3-base --gain 0.002 --in-trials 256`: a run that stops itself. The 1,024
// recorded DeBERTaV3 random-search runs (opda papers) go through a real coordinator, file journal and
// replay-worker processes with the asymptotic study stopper on; the study must end on the stopper's
// decision before its budget, and the terminal, the raw journal, `nadir status --journal` and the report
// must all give the reason with the same numbers. The decision's inputs are re-derived from the journal
// on their own: the best score of the trials it rested on, and how many of them lie in the asymptotic
// regime below θ = 0.11 (the threshold the opda paper uses for DeBERTaV3 error rates).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readJournal } from "@nadir/coordinator";
import { nadir } from "@nadir/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const bin = path.join(repoRoot, "packages/cli/dist/bin.js");

describe("nadir run with the study stopper", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "nadir-stopper-run-"));
  let stdout = "";
  beforeAll(() => {
    const r = spawnSync(
      process.execPath,
      [
        bin,
        ...["run", "--replay", "deberta-v3-base", "--run-dir", dir, "--workers", "2", "--no-progress"],
        ...["--gain", "0.002", "--in-trials", "256"],
      ],
      { encoding: "utf8", timeout: 170_000 },
    );
    stdout = r.stdout;
    if (r.status !== 0) throw new Error(`nadir run exited ${r.status}: ${r.stderr}\n${r.stdout}`);
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const journal = () => readJournal(path.join(dir, "journal")).records;
  const stopRecord = () => {
    const rs = journal();
    const i = rs.findIndex((r) => r.stopperDecision?.stop);
    return { rs, i, d: rs[i]?.stopperDecision as nadir.v1.StopperDecision };
  };

  it("ends the study on the stopper's decision, before the budget, with the reason in the journal", () => {
    const { rs, i, d } = stopRecord();
    expect(i).toBeGreaterThan(0);
    expect(d.reason).toBe("gain-below-threshold");
    expect(d.gainBound).toBeLessThanOrEqual(0.002);
    expect(d.regimeThreshold).toBe(0.11);
    const created = rs.filter((r) => r.trialCreated).length;
    expect(created).toBeLessThan(1024);
    expect(rs.slice(i).some((r) => r.trialCreated)).toBe(false);
    const end = rs.filter(
      (r) => r.studyStateChanged?.state === nadir.v1.StudyStateChanged.StudyState.STUDY_STATE_COMPLETED,
    );
    expect(end).toHaveLength(1);
    expect(end[0]?.studyStateChanged?.reason).toBe(d.message);
    expect(end[0]?.studyStateChanged?.stopper?.searchTrials).toBe(d.searchTrials);
    // Every decision before it continued, and said why.
    for (const r of rs.slice(0, i))
      if (r.stopperDecision) expect(r.stopperDecision.message).toMatch(/^continue: /);
    // Decisions sit on the grid of finished search trials: 16, then every 8 (the defaults).
    for (const r of rs) if (r.stopperDecision) expect((r.stopperDecision.searchTrials - 16) % 8).toBe(0);
  });

  it("rested on the recorded scores: its best and its tail count agree with the journal", () => {
    const { rs, i, d } = stopRecord();
    // The replay's runs are served in recorded order; the decision used the first searchTrials finished.
    const scores = rs
      .slice(0, i)
      .filter((r) => r.trialCompleted)
      .map((r) => r.trialCompleted?.final?.metrics?.error_rate as number)
      .slice(0, d.searchTrials);
    expect(scores).toHaveLength(d.searchTrials);
    expect(d.bestObserved).toBe(Math.min(...scores));
    expect(d.tailPoints).toBe(scores.filter((y) => y <= 0.11).length);
  });

  it("says so in the terminal", () => {
    const { d, rs } = stopRecord();
    const created = rs.filter((r) => r.trialCreated).length;
    const bound = Number((d.gainBound as number).toPrecision(4));
    expect(stdout).toContain(
      `stopped after ${d.searchTrials} search trials (${created} trials of the 1024 budgeted): 256 more would gain at most ${bound} at 80% (threshold 0.002)\n`,
    );
  });

  it("says so in nadir status --journal", () => {
    const { d } = stopRecord();
    const r = spawnSync(process.execPath, [bin, "status", "--journal", path.join(dir, "journal")], {
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`stopper: STOP at ${d.searchTrials} search trials`);
    expect(r.stdout).toContain(`replay-deberta-v3-base: ${d.message}\n`);
  });

  it("says so in the report", () => {
    const { d } = stopRecord();
    const html = readFileSync(path.join(dir, "report.html"), "utf8");
    expect(html).toContain("Why the study stopped");
    expect(html).toContain(`Stopped after ${d.searchTrials} search trials`);
  });
});
