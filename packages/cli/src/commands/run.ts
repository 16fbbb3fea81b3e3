import * as fs from "node:fs";
import os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { analyzeScores, toJsonSafe } from "@nadir/analysis";
import { exportStudy, loadStudyFile, type StudyCounts } from "@nadir/coordinator";
import { nadir } from "@nadir/protocol";
import {
  LocalRunError,
  loadReplayDataset,
  REPLAY_DATASETS,
  REPLAY_WORKER,
  ReplayDataError,
  replayStudySpec,
  runLocal,
  type WorkerCommand,
} from "@nadir/runner";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { inputInfo, listPoints, readTrialsColumn } from "../read-trials.js";
import type { RegisterCommand } from "./index.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
/** The embedded default study: the JAX MLP on scikit-learn's digits, NAdamW list first, then Halton, no pruning. */
export const DEFAULT_STUDY = path.join(repoRoot, "examples/studies/quickstart.study.json");
/** The training worker of the default study (from the Python SDK's JAX example). */
export const DEFAULT_WORKER_SCRIPT = path.join(repoRoot, "examples/jax-mlp/worker.py");

interface RunFlags {
  study?: string;
  replay?: string;
  limit?: string;
  replayPaceMs?: string;
  workers?: string;
  runDir?: string;
  trials?: string;
  steps?: string;
  python?: string;
  workerCmd?: string;
  threshold?: string;
  lower?: string;
  upper?: string;
  confidence: string;
  report: boolean;
  progress: boolean;
}

class UsageError extends Error {}

function int(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!(Number.isInteger(x) && x >= min))
    throw new UsageError(`${flag} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return x;
}

function defaultPython(): string {
  if (process.env.NADIR_PYTHON) return process.env.NADIR_PYTHON;
  const venv = path.join(repoRoot, ".venv/bin/python");
  return fs.existsSync(venv) ? venv : "python3";
}

/** `--worker-cmd "python my_worker.py --endpoint {endpoint} --index {index}"` → a WorkerCommand. */
function templateCommand(template: string): WorkerCommand {
  const words = template.split(/\s+/).filter(Boolean);
  if (!words.some((w) => w.includes("{endpoint}")))
    throw new UsageError("--worker-cmd must contain {endpoint}");
  return (endpoint, index) => {
    const args = words.map((w) => w.replaceAll("{endpoint}", endpoint).replaceAll("{index}", String(index)));
    return { command: args[0]!, args: args.slice(1) };
  };
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
      "{study} [{bar}] {value}/{total} done | {running} running | {queued} queued | best {best} | {elapsed}s",
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
  program
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
    .option("--python <path>", "Python for the training workers (default $NADIR_PYTHON or .venv/bin/python)")
    .option("--worker-cmd <template>", "custom worker command, with {endpoint} and {index} placeholders")
    .option(
      "--threshold <T>",
      "asymptotic-regime threshold of the tail fit (default: 0.11 for deberta-v3-base replay, else the median score)",
    )
    .option("--confidence <c>", "simultaneous confidence of the bands", "0.8")
    .option("--lower <A>", "lowest possible score (default: the study's label nadir.metric_lower, if any)")
    .option("--upper <B>", "highest possible score (default: the study's label nadir.metric_upper, if any)")
    .option("--no-report", "skip the HTML report")
    .option("--no-progress", "no progress display")
    .action(async (o: RunFlags) => {
      let study: nadir.v1.StudySpec;
      let workerCommand: WorkerCommand;
      let workers: number;
      let defaultThreshold: number | undefined;
      try {
        workers = int("--workers", o.workers, 1) ?? Math.max(1, os.availableParallelism());
        const confidence = Number(o.confidence);
        if (!(confidence > 0 && confidence < 1))
          throw new UsageError(`--confidence must be in (0, 1), got ${o.confidence}`);
        if (o.replay !== undefined) {
          if (o.study) throw new UsageError("--replay and --study exclude each other");
          const ds = loadReplayDataset(o.replay);
          const limit = int("--limit", o.limit, 1);
          const pace = int("--replay-pace-ms", o.replayPaceMs, 0) ?? 0;
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
          // The threshold the opda paper uses for DeBERTaV3 error rates (specs/opda.md).
          if (name === "deberta-v3-base") defaultThreshold = 0.11;
        } else {
          if (o.limit !== undefined) throw new UsageError("--limit applies to --replay only");
          if (o.replayPaceMs !== undefined) throw new UsageError("--replay-pace-ms applies to --replay only");
          const file = o.study ?? DEFAULT_STUDY;
          study = loadStudyFile(file);
          const trials = int("--trials", o.trials, 1);
          if (trials !== undefined)
            study.budget = nadir.v1.Budget.create({ ...study.budget, maxTrials: trials });
          const steps = int("--steps", o.steps, 1);
          if (steps !== undefined) study.stepBudget = steps;
          if (o.workerCmd) workerCommand = templateCommand(o.workerCmd);
          else {
            const python = o.python ?? defaultPython();
            if (!fs.existsSync(DEFAULT_WORKER_SCRIPT))
              throw new UsageError(
                `the default worker ${DEFAULT_WORKER_SCRIPT} is missing; give --worker-cmd`,
              );
            workerCommand = (endpoint, i) => ({
              command: python,
              args: [DEFAULT_WORKER_SCRIPT, "--endpoint", endpoint, "--worker-id", `local-${i}`],
              env: { ...process.env, PYTHONUNBUFFERED: "1" },
            });
          }
        }
      } catch (err) {
        process.stderr.write(`nadir run: ${(err as Error).message}\n`);
        return setExit(err instanceof UsageError ? 2 : 1);
      }
      // Known bounds of the score (an error rate lies in [0, 1]) keep the bands and the interval for
      // the best reachable score inside what is possible.
      const bound = (flag: string, v: string | undefined, label: string): number | undefined => {
        const raw = v ?? study.labels?.[label];
        if (raw === undefined) return undefined;
        const x = Number(raw);
        if (raw.trim() === "" || !Number.isFinite(x))
          throw new UsageError(`${flag} must be a finite number, got ${JSON.stringify(raw)}`);
        return x;
      };
      let lower: number | undefined;
      let upper: number | undefined;
      try {
        lower = bound("--lower", o.lower, "nadir.metric_lower");
        upper = bound("--upper", o.upper, "nadir.metric_upper");
      } catch (err) {
        process.stderr.write(`nadir run: ${(err as Error).message}\n`);
        return setExit(2);
      }
      const runDir = path.resolve(o.runDir ?? path.join("runs", study.studyId));
      const log: string[] = [];
      const abort = new AbortController();
      const onSignal = (): void => {
        if (abort.signal.aborted) return;
        process.stderr.write("\nnadir run: draining (the run can be resumed with the same --run-dir) ...\n");
        abort.abort();
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      const display = progressDisplay(o.progress);
      process.stdout.write(
        `nadir run: study ${study.studyId} (${study.budget?.maxTrials ?? 0} trials), ${workers} worker(s), run directory ${runDir}\n`,
      );
      let result: Awaited<ReturnType<typeof runLocal>>;
      try {
        result = await runLocal({
          runDir,
          studies: [study],
          workers,
          workerCommand,
          signal: abort.signal,
          onProgress: (c, ms) => display.update(c, ms),
          log: (l) => {
            log.push(l);
            if (log.length > 500) log.shift();
          },
        });
      } catch (err) {
        display.stop();
        process.stderr.write(`nadir run: ${(err as Error).message}\n`);
        return setExit(err instanceof LocalRunError || err instanceof ReplayDataError ? 1 : 2);
      } finally {
        display.stop();
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
      const c = result.counts.find((x) => x.studyId === study.studyId);
      if (result.replayed > 0)
        process.stdout.write(
          `resumed: ${result.finishedAtStart} finished trial(s) restored from the journal\n`,
        );
      if (c) {
        process.stdout.write(
          `trials: ${c.completed} completed, ${c.pruned} pruned, ${c.failed} failed, ${c.diverged} diverged, ${c.infeasible} infeasible in ${(result.elapsedMs / 1000).toFixed(1)} s; best ${study.objective?.metric} ${fmt(c.best)}\n`,
        );
      }
      if (result.interrupted) {
        process.stdout.write(
          `interrupted: resume with  nadir run --run-dir ${runDir}${o.replay ? ` --replay ${o.replay}` : o.study ? ` --study ${o.study}` : ""}\n`,
        );
        return setExit(130);
      }

      // Results, analysis and report: the same exports and functions as `nadir export`, `nadir analyze`, `nadir report`.
      const metric = study.objective?.metric ?? "";
      const direction =
        study.objective?.direction === nadir.v1.Direction.DIRECTION_MAXIMIZE ? "maximize" : "minimize";
      const resultsFile = path.join(runDir, "results.jsonl");
      fs.writeFileSync(resultsFile, exportStudy(result.journalDir, study.studyId, "jsonl"));
      fs.writeFileSync(
        path.join(runDir, "curves.jsonl"),
        exportStudy(result.journalDir, study.studyId, "curves-jsonl"),
      );
      // A replay serves recorded random-search runs as an inline list (to keep their order): those
      // points are random draws, so they stay in the sample. A real study's list points are not.
      const listMode = o.replay ? "include" : "separate";
      const col = readTrialsColumn(fs.readFileSync(resultsFile, "utf8"), resultsFile, metric, listMode);
      if (col.scores.length < 2) {
        // The run itself succeeded; the analysis needs at least 2 search (non-list) trials.
        const held = col.listRows.length
          ? ` (${col.listRows.length} list trial(s) are held out of the sample)`
          : "";
        process.stdout.write(
          `no analysis: ${col.scores.length} usable search-trial value(s) of ${metric}${held}, at least 2 needed; give more --trials. Results: ${resultsFile}\n`,
        );
        return setExit(col.rows > 0 ? 0 : 1);
      }
      let threshold = o.threshold !== undefined ? Number(o.threshold) : defaultThreshold;
      if (threshold === undefined) {
        const sorted = [...col.scores].sort((a, b) => a - b);
        threshold = sorted[Math.floor((sorted.length - 1) / 2)];
      }
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
      ];
      const analysis = analyzeScores(col.scores, {
        metric,
        direction,
        confidence: Number(o.confidence),
        threshold,
        lower,
        upper,
      });
      const input = inputInfo(resultsFile, col, listMode);
      fs.writeFileSync(
        path.join(runDir, "analysis.json"),
        `${JSON.stringify(toJsonSafe({ ...analysis, input }))}\n`,
      );
      if (analysis.best_score_interval) {
        process.stdout.write(
          `best reachable ${metric}: [${fmt(analysis.best_score_interval.lower)}, ${fmt(analysis.best_score_interval.upper)}] at ${Number(o.confidence) * 100}% confidence\n`,
        );
      }
      if (analysis.fit)
        process.stdout.write(
          `tail fit: c = ${analysis.fit.c}, objective ${fmt(analysis.fit.objective)}; effective dimensions accepted: {${analysis.effective_dimension.accepted.join(", ")}}\n`,
        );
      for (const g of analysis.gain)
        process.stdout.write(
          `${g.more_trials} more trials gain about ${fmt(g.gain)} (range over the accepted tails: ${fmt(g.lower)} to ${fmt(g.upper)})\n`,
        );
      // The list against random search: the smallest k whose median best-of-k matches the list's best.
      const points = listPoints(col);
      if (points.length) {
        const better = (x: number, y: number) => (direction === "minimize" ? x <= y : x >= y);
        const best = points.map((p) => p.score).reduce((x, y) => (better(x, y) ? x : y));
        const k = analysis.tuning_curve.find((r) => better(r.median, best))?.k;
        process.stdout.write(
          `list: best ${metric} ${fmt(best)} from its ${points.length} trial(s); ${
            k === undefined
              ? `better than the median best of every k <= ${analysis.tuning_curve.length} searched trials`
              : `random search needs k = ${k} trial(s) for a median best that good`
          } (${col.scores.length} search trials analysed)\n`,
        );
      }
      process.stdout.write(
        `results:  ${resultsFile}\nanalysis: ${path.join(runDir, "analysis.json")}  (= nadir analyze ${resultsFile} ${analyzeArgs.join(" ")} --json)\n`,
      );
      if (o.report) {
        const out = path.join(runDir, "report.html");
        const { main } = await import("../main.js");
        const code = await main([
          process.argv[0] ?? "node",
          "nadir",
          "report",
          result.journalDir,
          ...analyzeArgs,
          "--study",
          study.studyId,
          "--out",
          out,
        ]);
        if (code !== 0) return setExit(code);
      }
      setExit(0);
    });
};
