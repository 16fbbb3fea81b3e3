// Ctrl-C during `nadir run` drains cleanly and the same command resumes from the journal: a paced replay
// (real coordinator, journal and replay-worker processes) is interrupted with SIGINT midway, exits 130 with
// the resume hint, and a second run on the same --run-dir finishes the study; every recorded run is then
// in the results exactly once, with its recorded score, and nothing finished before the interrupt is redone.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const shared = path.resolve(repoRoot, "../shared");
const bin = path.join(repoRoot, "packages/cli/dist/bin.js");
const N = 300;

describe("nadir run: SIGINT drains, the same command resumes", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "nadir-interrupt-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const args = [
    "run",
    "--replay",
    "deberta-v3-base",
    "--limit",
    String(N),
    "--workers",
    "2",
    "--run-dir",
    dir,
  ];

  it("interrupts, then resumes to exactly one result per recorded run", async () => {
    // 2 workers x 64 slots and 2 s per run: runs finish in waves of 128. Interrupt once the first wave
    // is journaled, so that some trials are finished and others are in flight.
    const first = spawn(process.execPath, [bin, ...args, "--replay-pace-ms", "2000", "--no-progress"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    first.stdout.on("data", (d) => {
      out += String(d);
    });
    first.stderr.on("data", (d) => {
      err += String(d);
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 300));
      const st = spawnSync(process.execPath, [bin, "status", "--journal", path.join(dir, "journal")], {
        encoding: "utf8",
      });
      const done = Number(st.stdout.match(/: (\d+)\/\d+ done/)?.[1] ?? 0);
      if (done > 0) break;
      if (Date.now() > deadline) throw new Error(`no trial finished within 60 s: ${out}\n${err}`);
    }
    first.kill("SIGINT");
    const code = await new Promise<number | null>((r) => first.on("exit", (c) => r(c)));
    expect(code, `${out}\n${err}`).toBe(130);
    expect(err).toContain("draining");
    expect(out).toContain(`interrupted: resume with  nadir run --run-dir ${dir} --replay deberta-v3-base`);

    const second = spawnSync(process.execPath, [bin, ...args, "--no-progress"], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(second.status, second.stderr).toBe(0);
    const m = second.stdout.match(/resumed: (\d+) finished trial\(s\) restored from the journal/);
    expect(m, second.stdout).not.toBeNull();
    const restored = Number((m as RegExpMatchArray)[1]);
    expect(restored).toBeLessThan(N);
    expect(second.stdout).toContain(`trials: ${N} completed, 0 pruned, 0 failed`);

    const rows = readFileSync(path.join(dir, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(N);
    const derived = JSON.parse(readFileSync(path.join(shared, "data/opda/derived_scores.json"), "utf8"))
      .scores["deberta-v3-base_error_rate"] as number[];
    const seen = new Set<number>();
    for (const r of rows) {
      expect(r.state).toBe("COMPLETED");
      const it = Number(r["param.iteration"]);
      expect(seen.has(it)).toBe(false);
      seen.add(it);
      expect(r.error_rate).toBe(derived[it - 1]);
    }
    // Trials in flight at the interrupt were preempted, not failed: they finished as a later attempt.
    const reattempted = rows.filter((r) => Number(r.attempt) > 1).length;
    expect(reattempted).toBeGreaterThan(0);
    expect(reattempted).toBeLessThanOrEqual(N - restored);
  }, 180_000);
});
