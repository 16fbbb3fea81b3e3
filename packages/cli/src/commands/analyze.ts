import * as fs from "node:fs";
import {
  type AnalyzeResult,
  decideStopping,
  EXACT_K,
  InvalidArgumentError,
  MAX_K,
  type StoppingRule,
  stoppingEvidence,
  toJsonSafe,
  validateStoppingRule,
} from "@nadir/analysis";
import type { Command } from "commander";
import { type ListTrialsMode, ReadTrialsError, readTrialsTable } from "../read-trials.js";
import {
  analyzeSelection,
  inputFromSelection,
  type PipelineOptions,
  selectionText,
  selectSample,
  type TableInput,
} from "../results-pipeline.js";
import type { RegisterCommand } from "./index.js";

const BANDS = ["dkw", "ks", "ld_equal_tailed", "ld_highest_density"] as const;
type Bands = (typeof BANDS)[number];

interface AnalyzeFlags {
  metric: string;
  direction: string;
  confidence: string;
  bands: string;
  lower?: string;
  upper?: string;
  maxK?: string;
  maxC?: string;
  threshold?: string;
  listTrials: string;
  json?: boolean;
  shouldContinue?: boolean;
  gain?: string;
  inTrials?: string;
  maxWidth?: string;
  minTrials?: string;
}

/** Exit code of `--should-continue` when the advice is to stop (0 means continue; 1 and 2 are errors). */
export const EXIT_STOP_ADVISED = 3;

function usage(msg: string): never {
  throw new UsageError(msg);
}
class UsageError extends Error {}

function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === "" || Number.isNaN(x)) usage(`${flag} must be a number, got ${JSON.stringify(v)}`);
  return x;
}

/** A number for text output; NaN never reaches the text (callers say what failed instead). */
const fmt = (x: number): string =>
  Number.isFinite(x) ? Number(x.toPrecision(6)).toString() : Number.isNaN(x) ? "n/a" : x > 0 ? "inf" : "-inf";
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** Human-readable summary of an analysis result. */
function render(file: string, metric: string, r: AnalyzeResult, rows: number, skipped: number): string {
  const out: string[] = [];
  const conf = pct(r.confidence);
  out.push(
    `${file}: ${metric} (${r.direction}), n = ${r.n} of ${rows} rows${skipped ? ` (${skipped} skipped: metric missing or not a finite number)` : ""}`,
  );
  out.push(
    `Band: ${r.bands} at ${conf} simultaneous confidence (critical value ${fmt(r.critical_value)}, ${r.critical_value_source.kind.replace("_", " ")}); support [${fmt(r.bounds.lower)}, ${fmt(r.bounds.upper)}]`,
  );
  if (r.critical_value_source.kind === "pelz_good" || r.critical_value_source.kind === "extrapolated")
    out.push(`  note: ${r.critical_value_source.note}`);
  out.push(`Best score after k random-search trials — median [${conf} band] and mean [band]:`);
  // Powers of two (on the grid beyond 1024 too: 16 points per doubling), n and the last k.
  const K = r.tuning_curve.at(-1)?.k ?? 0;
  const show = new Set<number>([1, r.n]);
  for (let k = 2; k <= K; k *= 2) show.add(k);
  show.add(K);
  for (const p of r.tuning_curve) {
    if (!show.has(p.k)) continue;
    out.push(
      `  k = ${String(p.k).padStart(5)}: median ${fmt(p.median)} [${fmt(p.median_lower)}, ${fmt(p.median_upper)}]   mean ${fmt(p.mean)} [${fmt(p.mean_lower)}, ${fmt(p.mean_upper)}]`,
    );
  }
  if (r.fit) {
    const f = r.fit;
    out.push(
      `Tail fit (noisy quadratic, threshold ${fmt(f.threshold)}): a = ${fmt(f.a)}, b = ${fmt(f.b)}, c = ${f.c}, o = ${fmt(f.o)}, ${f.convex ? "convex" : "concave"}; objective ${fmt(f.objective)}`,
    );
  }
  if (r.regime)
    out.push(
      `  asymptotic regime: ${r.regime.count} of ${r.n} scores (${pct(r.regime.fraction)}); band for its probability [${pct(r.regime.band_lower)}, ${pct(r.regime.band_upper)}]`,
    );
  const bs = r.best_score_interval;
  if (bs) {
    if (Number.isNaN(bs.lower) || Number.isNaN(bs.upper))
      out.push("  best reachable score: no interval (no noisy-quadratic tail is consistent with the band)");
    else if (!bs.informative)
      out.push(
        `  best reachable score: uninformative — the ${conf} interval [${fmt(bs.lower)}, ${fmt(bs.upper)}] is no narrower than the scores' range (see the warning)`,
      );
    else out.push(`  best reachable score: ${conf} interval [${fmt(bs.lower)}, ${fmt(bs.upper)}]`);
  }
  if (r.fit || r.regime)
    out.push(
      `  effective dimension c accepted: ${r.effective_dimension.accepted.length ? `{${r.effective_dimension.accepted.join(", ")}}` : "none"} (searched 1..${r.effective_dimension.max_c}${r.effective_dimension.max_c_source === "default" ? ", the default bound; --max-c sets it" : ", --max-c"})`,
    );
  const noFit = r.fit ? "" : "no point estimate: the tail fit failed (see the warning)";
  if (r.extrapolation.length) {
    out.push("Extrapolated median best score (fit, [range over accepted tails]):");
    for (const e of r.extrapolation) {
      const range = Number.isNaN(e.lower) ? "no accepted tails" : `[${fmt(e.lower)}, ${fmt(e.upper)}]`;
      const point = Number.isNaN(e.median) ? noFit || "no point estimate" : fmt(e.median);
      out.push(`  k = ${String(e.k).padStart(6)}: ${point} ${range}`);
    }
  }
  for (const g of r.gain) {
    const range = Number.isNaN(g.lower) ? "no accepted tails" : `range ${fmt(g.lower)} to ${fmt(g.upper)}`;
    const point = Number.isNaN(g.gain)
      ? `gain: ${noFit || "no point estimate"}`
      : `gain about ${fmt(g.gain)}`;
    out.push(`  ${g.more_trials} more trials ${point} (${range})`);
  }
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return `${out.join("\n")}\n`;
}

/** `nadir analyze`: tuning curves with confidence bands and the tail fit for one metric of a trials file. */
export const register: RegisterCommand = (program: Command, setExit) => {
  program
    .command("analyze")
    .description(
      "Tuning curves with simultaneous confidence bands, and the asymptotic-law tail fit, for one metric",
    )
    .argument("<file>", "trials as CSV with a header, or JSON Lines (e.g. from `nadir export`)")
    .requiredOption("--metric <name>", "column / field holding the score")
    .requiredOption("--direction <dir>", "minimize | maximize")
    .option("--confidence <c>", "simultaneous confidence of the band", "0.8")
    .option("--bands <method>", "dkw | ks | ld_equal_tailed | ld_highest_density", "ld_highest_density")
    .option("--lower <A>", "lowest possible score (e.g. 0)")
    .option("--upper <B>", "highest possible score (e.g. 1)")
    .option(
      "--max-k <K>",
      `largest k of the tuning curve (default max(n, 64), at most ${MAX_K.toLocaleString("en-US")}; every k up to ${EXACT_K}, then 16 per doubling)`,
    )
    .option(
      "--max-c <C>",
      "largest effective dimension c for the tail fit (1..10; pass the number of searched hyperparameters; default 10)",
    )
    .option("--threshold <T>", "asymptotic-regime threshold: fit the noisy quadratic to scores beyond it")
    .option(
      "--list-trials <mode>",
      "rows with a list_index (list points, not random draws): separate (held out of the sample) | include",
      "separate",
    )
    .option("--json", "print one JSON object (schema: @nadir/analysis schemas/analyze-output.schema.json)")
    .option(
      "--should-continue",
      `advice for a study run elsewhere: is more random search worth it? prints yes/no with the reason; exit 0 = continue, ${EXIT_STOP_ADVISED} = stop (needs --threshold, --gain, --in-trials)`,
    )
    .option("--gain <G>", "with --should-continue: stop when --in-trials more trials would gain at most G")
    .option("--in-trials <K>", "with --should-continue: the further trials the gain is about")
    .option(
      "--max-width <W>",
      "with --should-continue: also stop when the best-score interval is narrower than W",
    )
    .option("--min-trials <N>", "with --should-continue: fewest search trials before deciding (default 16)")
    .action((file: string, o: AnalyzeFlags) => {
      let options: Omit<PipelineOptions, "lists">;
      let rule: StoppingRule | undefined;
      try {
        if (o.direction !== "minimize" && o.direction !== "maximize")
          usage(`--direction must be minimize or maximize, got ${JSON.stringify(o.direction)}`);
        if (!BANDS.includes(o.bands as Bands))
          usage(`--bands must be one of ${BANDS.join(", ")}, got ${JSON.stringify(o.bands)}`);
        const confidence = num("--confidence", o.confidence) as number;
        if (!(confidence > 0 && confidence < 1)) usage(`--confidence must be in (0, 1), got ${o.confidence}`);
        if (o.listTrials !== "separate" && o.listTrials !== "include")
          usage(`--list-trials must be separate or include, got ${JSON.stringify(o.listTrials)}`);
        const maxK = num("--max-k", o.maxK);
        if (maxK !== undefined && !(Number.isInteger(maxK) && maxK >= 1 && maxK <= MAX_K))
          usage(`--max-k must be an integer from 1 to ${MAX_K.toLocaleString("en-US")}, got ${o.maxK}`);
        const maxC = num("--max-c", o.maxC);
        if (maxC !== undefined && !(Number.isInteger(maxC) && maxC >= 1 && maxC <= 10))
          usage(`--max-c must be an integer from 1 to 10, got ${o.maxC}`);
        options = {
          metric: o.metric,
          maxC,
          direction: o.direction,
          confidence,
          bands: o.bands as Bands,
          lower: num("--lower", o.lower),
          upper: num("--upper", o.upper),
          maxK,
          threshold: num("--threshold", o.threshold),
        };
        const advice = [o.gain, o.inTrials, o.maxWidth, o.minTrials].some((v) => v !== undefined);
        if (advice && !o.shouldContinue)
          usage("--gain, --in-trials, --max-width and --min-trials go with --should-continue");
        if (o.shouldContinue) {
          if (options.threshold === undefined)
            usage("--should-continue needs --threshold (the asymptotic regime the gain bound is fitted on)");
          if (o.gain === undefined || o.inTrials === undefined)
            usage(
              "--should-continue needs --gain G and --in-trials K (stop when K more trials gain at most G)",
            );
          rule = {
            gain: num("--gain", o.gain) as number,
            inTrials: num("--in-trials", o.inTrials) as number,
            maxIntervalWidth: num("--max-width", o.maxWidth),
            minTrials: num("--min-trials", o.minTrials),
          };
          try {
            validateStoppingRule(rule);
          } catch (err) {
            usage((err as Error).message.replace("the stopper's ", "--").replace("inTrials", "in-trials"));
          }
          options = { ...options, continuationTrials: rule.inTrials };
        }
      } catch (err) {
        process.stderr.write(`nadir analyze: ${(err as Error).message}\n`);
        return setExit(2);
      }
      let text: string;
      try {
        text = fs.readFileSync(file, "utf8");
      } catch (err) {
        process.stderr.write(`nadir analyze: cannot read ${file}: ${(err as Error).message}\n`);
        return setExit(1);
      }
      try {
        const mode = o.listTrials as ListTrialsMode;
        // One pass: the file's rows → the trial table → the i.i.d. selection → the analysis.
        const file_ = readTrialsTable(text, file, o.metric);
        const input: TableInput = {
          file,
          format: file_.format,
          table: file_.table,
          rawMetric: file_.rawMetric,
        };
        const popts: PipelineOptions = { ...options, lists: mode };
        const sel = selectSample(input, popts);
        const rows = file_.table.trials.length;
        const skipped = inputFromSelection(input, sel, popts).skipped;
        if (sel.scores.length === 0) {
          process.stderr.write(
            `nadir analyze: no usable values of ${JSON.stringify(o.metric)} in ${file} (${rows} rows, ${skipped.length} skipped${sel.summary.trials - skipped.length > 0 ? `, ${sel.summary.trials - skipped.length} shown apart: ${sel.summary.groups.map((g) => `${g.count} ${g.group}`).join(", ")}` : ""})\n`,
          );
          return setExit(1);
        }
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        for (const y of sel.scores) {
          if (y < lo) lo = y;
          if (y > hi) hi = y;
        }
        if (options.lower !== undefined && options.lower > lo) {
          process.stderr.write(
            `nadir analyze: --lower ${o.lower} is above the lowest ${o.metric} in ${file} (${lo}); the bounds must contain every score\n`,
          );
          return setExit(1);
        }
        if (options.upper !== undefined && options.upper < hi) {
          process.stderr.write(
            `nadir analyze: --upper ${o.upper} is below the highest ${o.metric} in ${file} (${hi}); the bounds must contain every score\n`,
          );
          return setExit(1);
        }
        const { json, analysis } = analyzeSelection(input, sel, popts);
        if (rule) {
          const decision = decideStopping(stoppingEvidence(analysis), rule);
          if (o.json)
            process.stdout.write(`${JSON.stringify(toJsonSafe({ ...decision, analysis: json }))}\n`);
          else {
            process.stdout.write(`${decision.stop ? "no" : "yes"}: ${decision.message}\n`);
            for (const w of sel.summary.warnings) process.stdout.write(`warning: ${w.message}\n`);
          }
          return setExit(decision.stop ? EXIT_STOP_ADVISED : 0);
        }
        if (o.json) process.stdout.write(`${JSON.stringify(json)}\n`);
        else {
          process.stdout.write(render(file, o.metric, analysis, rows, skipped.length));
          process.stdout.write(`${selectionText(sel.summary).join("\n")}\n`);
          if (skipped.length) {
            const list = skipped
              .slice(0, 10)
              .map((s) => `row ${s.row} (${s.reason}${s.value ? `: ${JSON.stringify(s.value)}` : ""})`);
            process.stdout.write(
              `skipped rows: ${list.join(", ")}${skipped.length > 10 ? `, … (${skipped.length - 10} more)` : ""}\n`,
            );
          }
        }
        setExit(0);
      } catch (err) {
        process.stderr.write(`nadir analyze: ${(err as Error).message}\n`);
        setExit(err instanceof ReadTrialsError || err instanceof InvalidArgumentError ? 1 : 2);
      }
    });
};
