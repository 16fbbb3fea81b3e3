// `nadir run --replay deberta-v3-base`: the 1,024 recorded DeBERTaV3 runs go through a real coordinator
// (ZeroMQ ROUTER, file journal) and real replay-worker processes; the results must be the recorded scores
// exactly, the tail fit must be at least as good as opda's (reference/opda/fits.json), and the analysis the
// run writes must equal what `nadir analyze --json` prints for the exported results.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NoisyQuadraticDistribution, spacingData, spacingObjective } from "@nadir/analysis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const shared = path.resolve(repoRoot, "../shared");
const bin = path.join(repoRoot, "packages/cli/dist/bin.js");

interface DerivedScores {
  scores: Record<string, number[]>;
}

interface FitCase {
  id: string;
  fits: {
    fitted: { a: number; b: number; c: number; o: number; convex: boolean };
    differential_evolution_results_per_convex_candidate: { fun: number }[];
    median_tuning_curve_k1_to_64: number[];
  }[];
}

describe("nadir run --replay deberta-v3-base", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "nadir-replay-"));
  let stdout = "";
  beforeAll(() => {
    const r = spawnSync(
      process.execPath,
      [bin, "run", "--replay", "deberta-v3-base", "--run-dir", dir, "--workers", "2", "--no-progress"],
      { encoding: "utf8", timeout: 170_000 },
    );
    stdout = r.stdout;
    if (r.status !== 0) throw new Error(`nadir run exited ${r.status}: ${r.stderr}\n${r.stdout}`);
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("journals exactly one completed result per recorded run, equal to the recorded score", () => {
    const rows = readFileSync(path.join(dir, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(1024);
    const byIteration = new Map<number, number>();
    for (const r of rows) {
      expect(r.state).toBe("COMPLETED");
      const it = Number(r["param.iteration"]);
      expect(byIteration.has(it)).toBe(false);
      byIteration.set(it, Number(r.error_rate));
    }
    const derived = JSON.parse(readFileSync(path.join(shared, "data/opda/derived_scores.json"), "utf8"))
      .scores["deberta-v3-base_error_rate"] as number[];
    expect(derived).toHaveLength(1024);
    const ours = derived.map((_, i) => byIteration.get(i + 1));
    expect(ours).toEqual(derived);
    // The same bytes opda's fit was computed on (fits.json gives their SHA-256 as float64 little-endian).
    const buf = Buffer.alloc(8 * 1024);
    for (const [i, v] of ours.entries()) buf.writeDoubleLE(v as number, 8 * i);
    expect(createHash("sha256").update(buf).digest("hex")).toBe(
      "8e1d601041be974f997c57d973a671770f677b31621e51d18ac709b74a9a07f7",
    );
  });

  it("fits the noisy quadratic at least as well as opda, with the same median tuning curve", () => {
    const fits = JSON.parse(readFileSync(path.join(shared, "reference/opda/fits.json"), "utf8"))
      .cases as FitCase[];
    const ref = fits.find((c) => c.id === "real_deberta-v3-base_error_rate")!.fits[0]!;
    const analysis = JSON.parse(readFileSync(path.join(dir, "analysis.json"), "utf8"));
    const opdaObjective = Math.min(
      ...ref.differential_evolution_results_per_convex_candidate.map((r) => r.fun),
    );
    expect(analysis.fit.threshold).toBe(0.11);
    // opda evaluates the objective with approximate CDFs (odd c: minimax polynomials, error up to
    // ~8e-6); ours integrates accurately. So, as in @nadir/analysis's fit tests: (1) under the same
    // accurate objective our optimum is at least as good as opda's parameters, and (2) ours is within
    // opda's reported value plus the objective discrepancy its approximation makes at its own optimum.
    const ys = (
      JSON.parse(readFileSync(path.join(shared, "data/opda/derived_scores.json"), "utf8")) as DerivedScores
    ).scores["deberta-v3-base_error_rate"]!;
    const data = spacingData(
      ys,
      [Number.NEGATIVE_INFINITY, 0.11],
      [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
    );
    const objective = (p: { a: number; b: number; c: number; o: number; convex: boolean }): number => {
      const dist = new NoisyQuadraticDistribution(p.a, p.b, p.c, p.o, p.convex);
      return spacingObjective(data, (y) => dist.cdf(y), true);
    };
    const atOurs = objective(analysis.fit);
    const atOpda = objective(ref.fitted);
    expect(Math.abs(atOurs - analysis.fit.objective)).toBeLessThan(1e-12);
    expect(atOurs).toBeLessThanOrEqual(atOpda + 1e-12);
    expect(analysis.fit.objective).toBeLessThanOrEqual(
      opdaObjective + Math.abs(atOpda - opdaObjective) + 1e-12,
    );
    expect(analysis.fit.c).toBe(ref.fitted.c);
    expect(analysis.fit.convex).toBe(ref.fitted.convex);
    // Parameters of two optimisers agree to the flatness of the objective near its minimum.
    expect(analysis.fit.a).toBeCloseTo(ref.fitted.a, 3);
    expect(analysis.fit.b).toBeCloseTo(ref.fitted.b, 2);
    expect(stdout).toContain("best reachable error_rate");
  });

  it("writes the analysis `nadir report <journal>` makes: every recorded run in the i.i.d. sample", () => {
    const analysis = JSON.parse(readFileSync(path.join(dir, "analysis.json"), "utf8"));
    // Each recorded run trained to its own length (epochs and batch size were searched): all 1,024
    // are full-budget draws, though the replay's step budget is the longest run's.
    expect(analysis.selection).toMatchObject({ trials: 1024, sample_count: 1024, groups: [] });
    expect(analysis.selection.notes.map((x: { code: string }) => x.code)).toEqual(["lists_included"]);
    // c is bounded by the 5 recorded hyperparameters (the replay's `iteration` is not one).
    expect(analysis.max_c_from).toBe("study");
    expect(analysis.effective_dimension.max_c).toBe(5);
    const embedded = (html: string) =>
      JSON.parse((html.match(/id="nadir-analysis">([\s\S]*?)<\/script>/) as RegExpMatchArray)[1] as string);
    expect(embedded(readFileSync(path.join(dir, "report.html"), "utf8"))).toEqual(analysis);
    // `nadir report <journal>` needs only the threshold: the study names the metric, direction, score
    // bounds, searched hyperparameters and (a replay) that its list points are draws.
    const out = path.join(dir, "again.html");
    execFileSync(
      process.execPath,
      [bin, "report", path.join(dir, "journal"), "--threshold", "0.11", "--out", out],
      {
        encoding: "utf8",
      },
    );
    const again = embedded(readFileSync(out, "utf8"));
    expect({ ...again, input: { ...again.input, file: "" } }).toEqual({
      ...analysis,
      input: { ...analysis.input, file: "" },
    });
    // And `nadir analyze` of the export with the flags the run printed: the export's full_budget column
    // keeps every run a full-budget draw (no budget inferred from the longest run).
    const m = stdout.match(/analysis: \S+ {2}\(= nadir analyze (\S+) (.*) --json\)/) as RegExpMatchArray;
    expect(m, stdout).not.toBeNull();
    const printed = JSON.parse(
      execFileSync(
        process.execPath,
        [bin, "analyze", m[1] as string, ...(m[2] as string).split(" "), "--json"],
        {
          encoding: "utf8",
        },
      ),
    );
    expect(printed.selection).toEqual(analysis.selection);
    expect({ ...printed, max_c_from: "" }).toEqual({ ...analysis, max_c_from: "" });
  });

  it("resuming a finished run adds nothing", () => {
    const r = spawnSync(
      process.execPath,
      [
        bin,
        "run",
        "--replay",
        "deberta-v3-base",
        "--run-dir",
        dir,
        "--workers",
        "1",
        "--no-progress",
        "--no-report",
      ],
      { encoding: "utf8", timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/resumed: 1024 finished trial\(s\) restored/);
    const rows = readFileSync(path.join(dir, "results.jsonl"), "utf8").trim().split("\n");
    expect(rows).toHaveLength(1024);
  }, 120_000);
});
