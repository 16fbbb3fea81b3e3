import * as fs from "node:fs";
import os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import {
  formatStudyExport,
  loadJournalStudies,
  loadStudyFile,
  replayJournal,
  type StudyCounts,
  stoppedSentence,
  stopperSummary,
} from "@nadir/coordinator";
import { nadir } from "@nadir/protocol";
import {
  curvesFromExport,
  type LearningCurves,
  type AnalyzeResult as ReportAnalysis,
  renderReport,
  type Section,
} from "@nadir/report";
import { lowerMedian, studySelectOptions, tableFromStudy } from "@nadir/results";
import {
  assignDevices,
  checkPythonModule,
  detectGpus,
  loadReplayDataset,
  PythonWorkerError,
  parseDeviceList,
  REPLAY_DATASETS,
  REPLAY_WORKER,
  replayStudySpec,
  resolvePython,
  runLocal,
  type WorkerCommand,
} from "@nadir/runner";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { CliError, EXIT_CODES, exitCodeFor, usage } from "../errors.js";
import { confidenceFlag, finiteFlag, intFlag } from "../flag-values.js";
import {
  analyzeSelection,
  maxCBound,
  type PipelineOptions,
  reportSample,
  selectionText,
  selectSample,
  stoppingStory,
  studySpace,
  type TableInput,
} from "../results-pipeline.js";
import {
  addStopperOptions,
  checkStopperFits,
  type StopperFlags,
  stopperFromFlags,
} from "../stopper-flags.js";
import { checkStudy } from "../study-check.js";
import type { RegisterCommand } from "./index.js";

/** The embedded default study, shipped in this package: the digits MLP, NAdamW list first, then Halton. */
export const DEFAULT_STUDY = fileURLToPath(new URL("../../studies/quickstart.study.json", import.meta.url));
/** The training worker of the default study: a module of the `nadir-worker` Python package. */
export const DEFAULT_WORKER_MODULE = "nadir_worker.examples.digits";
/** What to pip install for {@link DEFAULT_WORKER_MODULE}. */
export const DEFAULT_WORKER_EXTRA = "nadir-worker[jax,examples]";

interface RunFlags extends StopperFlags {
  study?: string;
  replay?: string;
  limit?: string;
  replayPaceMs?: string;
  workers?: string;
  runDir?: string;
  trials?: string;
  steps?: string;
  python?: string;
  worker?: string;
  workerCmd?: string;
  gpus?: string;
  threshold?: string;
  lower?: string;
  upper?: string;
  maxC?: string;
  confidence: string;
  report: boolean;
  progress: boolean;
}

/**
 * `--gpus none|auto|<id>,<id>,...` → the device ids to spread workers over (empty: leave the environment
 * alone). `auto` asks nvidia-smi and falls back to the CPU, saying so once on stderr.
 */
function gpuIds(v: string | undefined): string[] {
  const text = (v ?? "none").trim();
  if (text === "none") return [];
  if (text === "auto") {
    const found = detectGpus();
    if (found.ids.length === 0)
      process.stderr.write(
        `nadir run: --gpus auto: no GPU found (${found.reason}); the workers run on the CPU\n`,
      );
    return found.ids;
  }
  try {
    return parseDeviceList(text);
  } catch (err) {
    throw usage(
      `--gpus must be auto, none or a list of distinct device ids such as 0,1: ${(err as Error).message} in ${JSON.stringify(v)}`,
      "--gpus",
    );
  }
}

/** `--worker-cmd "python my_worker.py --endpoint {endpoint} --index {index}"` → a WorkerCommand. */
function templateCommand(template: string): WorkerCommand {
  const words = template.split(/\s+/).filter(Boolean);
  if (!words.some((w) => w.includes("{endpoint}")))
    throw usage("--worker-cmd must contain {endpoint}", "--worker-cmd");
  return (endpoint, index) => {
    const args = words.map((w) => w.replaceAll("{endpoint}", endpoint).replaceAll("{index}", String(index)));
    return { command: args[0] as string, args: args.slice(1) };
  };
}

/** POSIX shell quoting for the resume hint. */
function shq(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}

/** The flags of this invocation that the user gave, as words to repeat (the resume hint). */
function givenFlags(cmd: Command, skip: ReadonlySet<string>): string[] {
  const words: string[] = [];
  for (const opt of cmd.options) {
    const key = opt.attributeName();
    if (skip.has(key) || cmd.getOptionValueSource(key) !== "cli") continue;
    const v = cmd.getOptionValue(key) as unknown;
    if (typeof v === "boolean") {
      if (opt.negate ? !v : v) words.push(opt.long as string);
    } else words.push(opt.long as string, shq(String(v)));
  }
  return words;
}

/**
 * Flags that would change a study already journaled in `journalDir`. A journal keeps the spec it was
 * created with, so a flag that differs is refused here, never silently ignored.
 */
function journalConflicts(journalDir: string, study: nadir.v1.StudySpec, o: RunFlags): void {
  if (!fs.existsSync(journalDir)) return;
  let studies: ReturnType<typeof loadJournalStudies>["studies"];
  try {
    studies = loadJournalStudies(journalDir).studies;
  } catch {
    return; // an empty or unreadable journal: the coordinator reports it with its own error
  }
  if (studies.size === 0) return;
  const journaled = studies.get(study.studyId)?.spec;
  if (!journaled)
    throw new CliError(
      "conflict",
      `the run directory ${path.dirname(journalDir)} holds the study ${[...studies.keys()].map((k) => JSON.stringify(k)).join(", ")}, not ${JSON.stringify(study.studyId)}: give another --run-dir`,
      "--run-dir",
    );
  const was = journaled.budget?.maxTrials ?? 0;
  const want = study.budget?.maxTrials ?? 0;
  if (want !== was) {
    const flag = o.replay ? "--limit" : "--trials";
    throw new CliError(
      "conflict",
      `${flag} ${want}: the run in ${path.dirname(journalDir)} was journaled with ${was} trials and a journaled budget cannot change yet; resume without ${flag}, or start a new run with --run-dir <new dir> ${flag} ${want}`,
      flag,
    );
  }
  if (Number(journaled.stepBudget) !== Number(study.stepBudget))
    throw new CliError(
      "conflict",
      `--steps ${study.stepBudget}: the run in ${path.dirname(journalDir)} was journaled with ${journaled.stepBudget} steps per trial; resume without --steps, or give a new --run-dir`,
      "--steps",
    );
  const norm = (s: nadir.v1.StudySpec): string => {
    const c = nadir.v1.StudySpec.decode(nadir.v1.StudySpec.encode(s).finish());
    c.createdUnixMs = 0;
    if (c.budget) c.budget.parallelism = 0;
    return JSON.stringify(nadir.v1.StudySpec.toObject(c, { defaults: false, longs: String }));
  };
  if (norm(journaled) !== norm(study))
    throw new CliError(
      "conflict",
      `${o.study ?? "the default study"} differs from the study journaled in ${path.dirname(journalDir)} (same id ${JSON.stringify(study.studyId)}); resume with the study it was started with, or give a new --run-dir`,
      "--study",
    );
}

function fmt(x: number | undefined): string {
  return x === undefined ? "-" : Number(x.toPrecision(6)).toString();
}

function doneCount(c: StudyCounts): number {
  return c.completed + c.pruned + c.failed + c.diverged + c.infeasible + c.abandoned;
}

/** The progress display: a bar on a terminal, a line every few seconds otherwise (CI logs stay short). */
function progressDisplay(enabled: boolean): { update(c: StudyCounts[], ms: number): void; stop(): void } {
  if (!enabled) return { update() {}, stop() {} };
  const tty = process.stderr.isTTY === true;
  const bar = new SingleBar({
    stream: process.stderr,
    format:
      "{study} [{bar}] {value}/{total} done | {running} running | {queued} queued | best {best} | {elapsed}s{stopper}",
    barsize: 24,
    hideCursor: tty,
    noTTYOutput: !tty,
    notTTYSchedule: 5000,
    etaBuffer: 50,
  });
  let started = false;
  return {
    update(counts, ms) {
      const c = counts[0];
      if (!c) return;
      const payload = {
        study: c.studyId,
        running: c.running,
        queued: c.queued,
        best: fmt(c.best),
        elapsed: (ms / 1000).toFixed(1),
        stopper: c.stopper ? ` | ${stopperSummary(c.stopper)}` : "",
      };
      if (!started) {
        bar.start(c.maxTrials, doneCount(c), payload);
        started = true;
      } else bar.update(doneCount(c), payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** `nadir run`: a real tuning study on this machine, or a replay of a recorded one, then its analysis and report. */
export const register: RegisterCommand = (program: Command, setExit) => {
  const run = program
    .command("run")
    .description(
      "Run a study locally (embedded coordinator + journal, spawned workers), then write results, analysis and an HTML report",
    )
    .option("--study <file>", "study config (default: the JAX digits MLP, NAdamW list then Halton)")
    .option(
      "--replay <dataset>",
      `replay a recorded random search instead of training: ${Object.keys(REPLAY_DATASETS).join(", ")}`,
    )
    .option("--limit <n>", "replay only the first n recorded runs")
    .option(
      "--replay-pace-ms <ms>",
      "replay: spread each run over this many milliseconds (default 0: as fast as possible)",
    )
    .option("--workers <n>", "worker processes (default: the number of cores)")
    .option(
      "--run-dir <dir>",
      "where the journal, results and report go; an existing run directory is resumed (default runs/<study id>)",
    )
    .option("--trials <n>", "override the study's trial budget")
    .option("--steps <n>", "override the study's per-trial step budget")
    .option(
      "--python <path>",
      "Python for the training workers (default: $NADIR_PYTHON, else the active virtual environment's, else python3)",
    )
    .option(
      "--worker <script>",
      "a Python worker script (e.g. from `nadir init`), run as <python> <script> --endpoint E --worker-id ID",
    )
    .option("--worker-cmd <template>", "custom worker command, with {endpoint} and {index} placeholders")
    .option(
      "--gpus <list>",
      "GPUs for the workers: none (default), auto (from nvidia-smi) or ids such as 0,1; worker i sees one device",
    )
    .option(
      "--threshold <T>",
      "asymptotic-regime threshold of the tail fit (default: 0.11 for deberta-v3-base replay, else the median score)",
    )
    .option("--confidence <c>", "simultaneous confidence of the bands", "0.8")
    .option("--lower <A>", "lowest possible score (default: the study's label nadir.metric_lower, if any)")
    .option("--upper <B>", "highest possible score (default: the study's label nadir.metric_upper, if any)")
    .option(
      "--max-c <C>",
      "largest effective dimension c for the tail fit (1..10; default: the study's number of searched hyperparameters)",
    );
  addStopperOptions(run)
    .option("--no-report", "skip the HTML report")
    .option("--no-progress", "no progress display")
    .action(async (o: RunFlags, cmd: Command) => {
      let study: nadir.v1.StudySpec;
      let workerCommand: WorkerCommand;
      let workers: number;
      let defaultThreshold: number | undefined;
      let threshold: number | undefined;
      let lower: number | undefined;
      let upper: number | undefined;
      let maxC: number | undefined;
      let runDir: string;
      let devices: string[];
      // Every flag and the study are checked here, before a journal, socket or process exists.
      try {
        workers = intFlag("--workers", o.workers, 1) ?? Math.max(1, os.availableParallelism());
        devices = gpuIds(o.gpus);
        confidenceFlag("--confidence", o.confidence);
        threshold = finiteFlag("--threshold", o.threshold);
        maxC = o.maxC === undefined ? undefined : intFlag("--max-c", o.maxC, 1);
        if (maxC !== undefined && maxC > 10)
          throw usage(`--max-c must be an integer from 1 to 10, got ${JSON.stringify(o.maxC)}`, "--max-c");
        const workerFlags = [
          o.python !== undefined && "--python",
          o.worker !== undefined && "--worker",
          o.workerCmd !== undefined && "--worker-cmd",
        ].filter((x): x is string => typeof x === "string");
        if (o.workerCmd !== undefined && workerFlags.length > 1)
          throw usage(
            `--worker-cmd is the whole worker command: drop ${workerFlags.filter((f) => f !== "--worker-cmd").join(" and ")}`,
            "--worker-cmd",
          );
        if (o.replay !== undefined) {
          for (const [flag, v] of [
            ["--study", o.study],
            ["--trials", o.trials],
            ["--steps", o.steps],
            ...workerFlags.map((f) => [f, "x"]),
          ] as [string, string | undefined][])
            if (v !== undefined)
              throw usage(
                `--replay and ${flag} exclude each other (a replay serves recorded runs with its own worker; --limit sets how many)`,
                flag,
              );
          const limit = intFlag("--limit", o.limit, 1);
          const pace = intFlag("--replay-pace-ms", o.replayPaceMs, 0) ?? 0;
          const ds = loadReplayDataset(o.replay);
          study = replayStudySpec(ds, {
            parallelism: 64 * workers,
            ...(limit !== undefined ? { limit } : {}),
          });
          const name = ds.name;
          workerCommand = (endpoint, i) => ({
            command: process.execPath,
            args: [
              REPLAY_WORKER,
              "--endpoint",
              endpoint,
              "--dataset",
              name,
              "--capacity",
              "64",
              "--peer-id",
              `replay-${i}`,
              "--pace-ms",
              String(pace),
            ],
          });
          // The threshold the opda paper uses for DeBERTaV3 error rates (Lourie et al. 2024).
          if (name === "deberta-v3-base") defaultThreshold = 0.11;
        } else {
          if (o.limit !== undefined) throw usage("--limit applies to --replay only", "--limit");
          if (o.replayPaceMs !== undefined)
            throw usage("--replay-pace-ms applies to --replay only", "--replay-pace-ms");
          const trials = intFlag("--trials", o.trials, 1);
          const steps = intFlag("--steps", o.steps, 1);
          const file = o.study ?? DEFAULT_STUDY;
          if (!fs.existsSync(file))
            throw new CliError("invalid-input", `--study ${file}: no such file`, "--study");
          study = loadStudyFile(file);
          if (trials !== undefined)
            study.budget = nadir.v1.Budget.create({ ...study.budget, maxTrials: trials });
          if (steps !== undefined) study.stepBudget = steps;
          const check = checkStudy(study);
          if (check.errors.length > 0)
            throw new CliError(
              "invalid-input",
              `${file}: ${check.errors.map((e) => `${e.pointer || "(document)"}: ${e.message}`).join("; ")} (nadir validate ${file} checks a study without running it)`,
            );
          if (study.suggester?.kind === "external")
            throw new CliError(
              "invalid-input",
              `${file}: the study asks for an external suggester, which \`nadir run\` does not start; use \`nadir serve\` and connect the suggester`,
              "/suggester",
            );
          if (o.workerCmd) workerCommand = templateCommand(o.workerCmd);
          else {
            const { python, source } = resolvePython(o.python);
            const env = { ...process.env, PYTHONUNBUFFERED: "1" };
            if (o.worker !== undefined) {
              const script = path.resolve(o.worker);
              if (!fs.existsSync(script))
                throw new CliError("invalid-input", `--worker ${o.worker}: no such file`, "--worker");
              if (source !== "--python" && !fs.existsSync(python) && source !== "PATH")
                throw new CliError(
                  "environment",
                  `the worker Python ${python} (from ${source}) does not exist; give --python`,
                  "--python",
                );
              workerCommand = (endpoint, i) => ({
                command: python,
                args: [script, "--endpoint", endpoint, "--worker-id", `local-${i}`],
                env,
              });
            } else {
              try {
                checkPythonModule(python, source, DEFAULT_WORKER_MODULE, [], DEFAULT_WORKER_EXTRA);
              } catch (err) {
                if (err instanceof PythonWorkerError)
                  throw new CliError("environment", err.message, "--python");
                throw err;
              }
              workerCommand = (endpoint, i) => ({
                command: python,
                args: ["-m", DEFAULT_WORKER_MODULE, "--endpoint", endpoint, "--worker-id", `local-${i}`],
                env,
              });
            }
          }
        }
        const stopper = stopperFromFlags(o, {
          confidence: Number(o.confidence),
          threshold: threshold ?? defaultThreshold,
        });
        if (stopper) {
          checkStopperFits(study);
          study.studyStopper = stopper;
        }
        // Known bounds of the score (an error rate lies in [0, 1]) keep the bands and the interval for
        // the best reachable score inside what is possible.
        lower = finiteFlag("--lower", o.lower ?? study.labels?.["nadir.metric_lower"]);
        upper = finiteFlag("--upper", o.upper ?? study.labels?.["nadir.metric_upper"]);
        if (lower !== undefined && upper !== undefined && !(lower < upper))
          throw usage(`--lower (${lower}) must be below --upper (${upper})`, "--lower");
        runDir = path.resolve(o.runDir ?? path.join("runs", study.studyId));
        journalConflicts(path.join(runDir, "journal"), study, o);
      } catch (err) {
        process.stderr.write(`nadir run: ${(err as Error).message}\n`);
        return setExit(exitCodeFor(err));
      }
      const log: string[] = [];
      const abort = new AbortController();
      const force = new AbortController();
      const onSignal = (): void => {
        if (!abort.signal.aborted) {
          process.stderr.write(
            "\nnadir run: draining: running trials are preempted and journaled (press Ctrl-C again to force-quit) ...\n",
          );
          abort.abort();
        } else if (!force.signal.aborted) {
          process.stderr.write(
            "\nnadir run: force-quitting: workers killed; their trials are journaled as preempted once their leases lapse (5 s)\n",
          );
          force.abort();
        }
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      const display = progressDisplay(o.progress);
      process.stdout.write(
        `nadir run: study ${study.studyId} (${study.budget?.maxTrials ?? 0} trials), ${workers} worker(s), run directory ${runDir}\n`,
      );
      if (devices.length > 0) {
        const assigned = assignDevices(workers, devices);
        process.stdout.write(
          `devices: ${assigned.map((a, i) => `worker ${i} cuda:${a.device}`).join(", ")}${workers > devices.length ? " (GPUs shared: JAX preallocation off)" : ""}\n`,
        );
      }
      let result: Awaited<ReturnType<typeof runLocal>>;
      try {
        result = await runLocal({
          runDir,
          studies: [study],
          workers,
          workerCommand,
          devices,
          signal: abort.signal,
          forceSignal: force.signal,
          onProgress: (c, ms) => display.update(c, ms),
          log: (l) => {
            log.push(l);
            if (log.length > 500) log.shift();
          },
        });
      } catch (err) {
        display.stop();
        process.stderr.write(`nadir run: ${(err as Error).message}\n`);
        return setExit(exitCodeFor(err));
      } finally {
        display.stop();
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
      const c = result.counts.find((x) => x.studyId === study.studyId);
      const stopped = c && stoppedSentence(c);
      if (result.replayed > 0)
        process.stdout.write(
          `resumed: ${result.finishedAtStart} finished trial(s) restored from the journal\n`,
        );
      if (c) {
        process.stdout.write(
          `trials: ${c.completed} completed, ${c.pruned} pruned, ${c.failed} failed, ${c.diverged} diverged, ${c.infeasible} infeasible in ${(result.elapsedMs / 1000).toFixed(1)} s; best ${study.objective?.metric} ${fmt(c.best)}\n`,
        );
      }
      if (stopped) process.stdout.write(`${stopped}\n`);
      else if (c?.stopper)
        process.stdout.write(`stopper: did not stop; its last word: ${c.stopper.message}\n`);
      if (result.interrupted) {
        const again = givenFlags(cmd, new Set(["runDir"]));
        process.stdout.write(
          `interrupted: resume with  nadir run --run-dir ${shq(runDir)}${again.length ? ` ${again.join(" ")}` : ""}\n`,
        );
        return setExit(EXIT_CODES.interrupted);
      }

      // Results, analysis and report in one pass over the journal (replayed once): the same export
      // formats as `nadir export`, the same pipeline and JSON as `nadir analyze`, the report's own function.
      const metric = study.objective?.metric ?? "";
      const direction =
        study.objective?.direction === nadir.v1.Direction.DIRECTION_MAXIMIZE ? "maximize" : "minimize";
      const { book } = replayJournal(result.journalDir);
      const st = book.results().get(study.studyId);
      const bookStudy = book.studies.get(study.studyId);
      if (!st) {
        process.stderr.write(`nadir run: the journal in ${runDir} has no study ${study.studyId}\n`);
        return setExit(1);
      }
      const resultsFile = path.join(runDir, "results.jsonl");
      fs.writeFileSync(resultsFile, formatStudyExport(study.studyId, st, "jsonl"));
      const curvesText = formatStudyExport(study.studyId, st, "curves-jsonl");
      fs.writeFileSync(path.join(runDir, "curves.jsonl"), curvesText);
      // A replay's list points are recorded random-search draws, so they stay in the sample; a real
      // study's list points are not (studySelectOptions decides, as for the stopper and the report).
      const listMode = studySelectOptions(st.spec).lists;
      const table: TableInput = {
        file: resultsFile,
        format: "jsonl",
        table: tableFromStudy(st.spec, st.trials),
      };
      // The effective dimension is bounded by the searched hyperparameters.
      const space = studySpace(st.spec);
      const popts: PipelineOptions = {
        metric,
        direction,
        lists: listMode,
        confidence: Number(o.confidence),
        ...(lower !== undefined ? { lower } : {}),
        ...(upper !== undefined ? { upper } : {}),
        ...(maxC !== undefined ? { maxC } : {}),
        spec: space,
      };
      const sel = selectSample(table, popts);
      const selLines = selectionText(sel.summary);
      if (sel.scores.length < 2) {
        // The run itself succeeded; the analysis needs at least 2 trials in the i.i.d. sample.
        process.stdout.write(
          `no analysis: ${sel.scores.length} trial(s) of ${metric} in the i.i.d. sample, at least 2 needed; give more --trials. Results: ${resultsFile}\n${selLines.join("\n")}\n`,
        );
        for (const w of sel.summary.warnings) process.stdout.write(`warning: ${w.message}\n`);
        return setExit(st.trials.length > 0 ? 0 : 1);
      }
      threshold ??= defaultThreshold;
      threshold ??= lowerMedian(sel.scores);
      popts.threshold = threshold;
      const { json, analysis } = analyzeSelection(table, sel, popts);
      const bound = maxCBound(maxC, space);
      const analyzeArgs = [
        "--metric",
        metric,
        "--direction",
        direction,
        "--confidence",
        o.confidence,
        "--threshold",
        String(threshold),
        ...(listMode === "include" ? ["--list-trials", "include"] : []),
        ...(lower !== undefined ? ["--lower", String(lower)] : []),
        ...(upper !== undefined ? ["--upper", String(upper)] : []),
        ...(bound.maxC !== undefined ? ["--max-c", String(bound.maxC)] : []),
      ];
      fs.writeFileSync(path.join(runDir, "analysis.json"), `${JSON.stringify(json)}\n`);
      process.stdout.write(`${selLines.join("\n")}\n`);
      for (const w of sel.summary.warnings) process.stdout.write(`warning: ${w.message}\n`);
      const bs = analysis.best_score_interval;
      if (bs && !Number.isNaN(bs.lower) && !Number.isNaN(bs.upper)) {
        // An infinite end is said in words, and an interval no narrower than the scores' range is
        // called uninformative, as `nadir analyze` and the report do.
        const iv =
          Number.isFinite(bs.lower) && Number.isFinite(bs.upper)
            ? `[${fmt(bs.lower)}, ${fmt(bs.upper)}]`
            : Number.isFinite(bs.lower)
              ? `at least ${fmt(bs.lower)} (no upper end)`
              : Number.isFinite(bs.upper)
                ? `at most ${fmt(bs.upper)} (no lower end)`
                : "unbounded";
        const note = bs.informative === false ? " (uninformative: no narrower than the scores' range)" : "";
        process.stdout.write(
          `best reachable ${metric}: ${iv} at ${Number(o.confidence) * 100}% confidence${note}\n`,
        );
      }
      if (analysis.fit)
        process.stdout.write(
          `tail fit: c = ${analysis.fit.c}, objective ${fmt(analysis.fit.objective)}; effective dimensions accepted: {${analysis.effective_dimension.accepted.join(", ")}} (c searched in 1..${analysis.effective_dimension.max_c}: ${bound.from === "study" ? "the study's searched hyperparameters" : bound.from === "flag" ? "--max-c" : "the default bound"})\n`,
        );
      // As `nadir analyze` words it: no "NaN" when the fit failed or no tail was accepted.
      for (const g of analysis.gain) {
        const range = Number.isNaN(g.lower)
          ? "no accepted tails"
          : `range over the accepted tails: ${fmt(g.lower)} to ${fmt(g.upper)}`;
        const point = Number.isNaN(g.gain)
          ? `gain: no point estimate${analysis.fit ? "" : " (the tail fit failed; the report says why)"}`
          : `gain about ${fmt(g.gain)}`;
        process.stdout.write(`${g.more_trials} more trials ${point} (${range})\n`);
      }
      // The list against random search: the smallest k whose median best-of-k matches the list's best.
      const points = listMode === "separate" ? sel.listPoints : [];
      if (points.length) {
        const better = (x: number, y: number) => (direction === "minimize" ? x <= y : x >= y);
        const best = points.map((p) => p.score).reduce((x, y) => (better(x, y) ? x : y));
        const k = analysis.tuning_curve.find((r) => better(r.median, best))?.k;
        process.stdout.write(
          `list: best ${metric} ${fmt(best)} from its ${points.length} trial(s); ${
            k === undefined
              ? `better than the median best of every k <= ${analysis.tuning_curve.length} searched trials`
              : `random search needs k = ${k} trial(s) for a median best that good`
          } (${sel.scores.length} search trials analysed)\n`,
        );
      }
      // The export carries state, source and full_budget, so analyze of it selects what this run did.
      process.stdout.write(
        `results:  ${resultsFile}\nanalysis: ${path.join(runDir, "analysis.json")}  (= nadir analyze ${resultsFile} ${analyzeArgs.join(" ")} --json)\n`,
      );
      const story =
        bookStudy &&
        stoppingStory(
          st.spec,
          bookStudy.decisions,
          sel,
          { done: book.counts(bookStudy).done, created: bookStudy.trials.size },
          direction,
        );
      if (o.report) {
        const out = path.join(runDir, "report.html");
        let curves: Section<LearningCurves>;
        if (curvesText.trim() === "")
          curves = { unavailable: `study ${study.studyId} has no intermediate reports` };
        else {
          try {
            curves = curvesFromExport(curvesText, metric);
          } catch (err) {
            curves = { unavailable: (err as Error).message };
          }
        }
        try {
          const html = await renderReport({
            study: st.spec.name || st.spec.studyId,
            source: `${result.journalDir}#${study.studyId}.jsonl`,
            metric,
            analysis: json as unknown as ReportAnalysis,
            sample: reportSample(sel.summary, table.table),
            learning_curves: curves,
            list_vs_random: points.length ? { name: "the list's trials", points } : undefined,
            ...(story ? { stopping: story } : {}),
          });
          fs.writeFileSync(out, html);
          process.stdout.write(`report:   ${out} (${Math.round(html.length / 1024)} KiB)\n`);
        } catch (err) {
          process.stderr.write(`nadir run: report: ${(err as Error).message}\n`);
          return setExit(exitCodeFor(err));
        }
      }
      setExit(0);
    });
};
