/**
 * Replay of recorded random searches (the opda papers' DeBERTa, DeBERTaV3, AlexNet and ConvNeXt runs,
 * CC BY-SA 4.0, shipped gzipped in `data/opda/`). A replay study is an ordinary study whose suggester is an
 * inline list holding the recorded configurations in file order, so the coordinator, the journal and the
 * workers run exactly as for training; a replay worker answers each assignment with the recorded learning
 * curve of the run named by the `iteration` parameter instead of training.
 *
 * Scores follow opda's notebooks (see `data/opda/README.md` beside the shared data): DeBERTa error rate =
 * min over the matched-accuracy curve of (1 − accuracy); accuracy = max matched accuracy; AlexNet/ConvNeXt
 * top-1 = max over epochs of `top_1`, 0 when the run produced no epoch (its loss was NaN at once).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { nadir } from "@nadir/protocol";
import { RunnerError, type RunnerErrorOptions } from "./errors.js";

/** One recorded run. */
export interface ReplayRun {
  /** 1-based position in the recorded search (the file's `iteration`). */
  iteration: number;
  /** Hyperparameters as recorded. */
  params: Record<string, number>;
  /** Intermediate measurements in step order. */
  curve: { step: number; metrics: Record<string, number> }[];
  /** The final measurement (the score opda's notebooks extract, plus companions). */
  final: { step: number; metrics: Record<string, number> };
}

/** A recorded random search ready to replay. */
export interface ReplayDataset {
  name: string;
  description: string;
  objective: { metric: string; direction: "minimize" | "maximize" };
  runs: ReplayRun[];
  /** Largest recorded step over all runs (the study's step budget). */
  maxStep: number;
  /** The recorded search space (bounds from the papers), in the order the parameters are listed. */
  space: { name: string; kind: "float" | "int"; min: number; max: number; log: boolean }[];
}

/** Thrown for an unknown dataset name or an unreadable/malformed data file. */
export class ReplayDataError extends RunnerError {
  /**
   * @param message which dataset or line is wrong
   * @param options the file or argument (`path`) and the underlying exception, if any
   */
  constructor(message: string, options?: RunnerErrorOptions) {
    super("replay_data", message, options);
  }
}

/** A recorded dataset `nadir run --replay` can serve: its file, objective, search space and row parser. */
export interface DatasetDef {
  /** File name of the recorded runs (JSON Lines). */
  file: string;
  /** One line for people. */
  description: string;
  /** The metric a replayed run reports and its direction. */
  objective: { metric: string; direction: "minimize" | "maximize" };
  /** The search space the recorded search drew from. */
  space: ReplayDataset["space"];
  /** One recorded row to a run (`line` is 1-based, for error messages). */
  parse(row: Record<string, unknown>, line: number): ReplayRun;
}

function num(row: Record<string, unknown>, key: string, line: number): number {
  const v = row[key];
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new ReplayDataError(
      `line ${line}: field ${JSON.stringify(key)} must be a finite number, got ${JSON.stringify(v)}`,
    );
  return v;
}

function parseDeberta(row: Record<string, unknown>, line: number): ReplayRun {
  const curves = row.learning_curves as { matched?: unknown; mismatched?: unknown } | undefined;
  const matched = curves?.matched;
  const mismatched = curves?.mismatched;
  if (!Array.isArray(matched) || matched.length === 0)
    throw new ReplayDataError(`line ${line}: learning_curves.matched must be a non-empty list`);
  const mm = new Map<number, number>();
  if (Array.isArray(mismatched)) for (const p of mismatched as [number, number][]) mm.set(p[0], p[1]);
  const curve: ReplayRun["curve"] = [];
  let bestErr = Number.POSITIVE_INFINITY;
  let bestAcc = Number.NEGATIVE_INFINITY;
  let bestMm = Number.NEGATIVE_INFINITY;
  let lastStep = 0;
  for (const p of matched as unknown[]) {
    if (!Array.isArray(p) || typeof p[0] !== "number" || typeof p[1] !== "number")
      throw new ReplayDataError(`line ${line}: matched curve points must be [step, accuracy]`);
    const [step, acc] = p as [number, number];
    const err = 1 - acc;
    if (err < bestErr) bestErr = err;
    if (acc > bestAcc) bestAcc = acc;
    const metrics: Record<string, number> = { accuracy: acc, error_rate: err };
    const m = mm.get(step);
    if (m !== undefined) {
      metrics.mismatched_accuracy = m;
      if (m > bestMm) bestMm = m;
    }
    curve.push({ step, metrics });
    lastStep = step;
  }
  const final: Record<string, number> = { error_rate: bestErr, accuracy: bestAcc };
  if (Number.isFinite(bestMm)) final.mismatched_accuracy = bestMm;
  return {
    iteration: num(row, "iteration", line),
    params: {
      learning_rate: num(row, "learning_rate", line),
      num_train_epochs: num(row, "num_train_epochs", line),
      train_batch_size: num(row, "train_batch_size", line),
      warmup_steps: num(row, "warmup_steps", line),
      cls_drop_out: num(row, "cls_drop_out", line),
    },
    curve,
    final: { step: lastStep, metrics: final },
  };
}

function parseImagenet(row: Record<string, unknown>, line: number): ReplayRun {
  const lc = row.learning_curve;
  if (!Array.isArray(lc)) throw new ReplayDataError(`line ${line}: learning_curve must be a list`);
  const curve: ReplayRun["curve"] = [];
  let best = 0; // opda's notebooks score a run with no epoch (NaN loss at once) as 0.
  let lastStep = 0;
  for (const e of lc as Record<string, unknown>[]) {
    const step = num(e, "epoch", line);
    const metrics: Record<string, number> = {
      top1_accuracy: num(e, "top_1", line),
      top5_accuracy: num(e, "top_5", line),
    };
    if (typeof e.train_loss === "number" && Number.isFinite(e.train_loss)) metrics.train_loss = e.train_loss;
    if (metrics.top1_accuracy! > best) best = metrics.top1_accuracy!;
    curve.push({ step, metrics });
    lastStep = step;
  }
  return {
    iteration: num(row, "iteration", line),
    params: {
      lr: num(row, "lr", line),
      epochs: num(row, "epochs", line),
      batch_size: num(row, "batch_size", line),
      lr_peak_epoch: num(row, "lr_peak_epoch", line),
      momentum: num(row, "momentum", line),
      weight_decay: num(row, "weight_decay", line),
      label_smoothing: num(row, "label_smoothing", line),
    },
    curve,
    final: { step: lastStep, metrics: { top1_accuracy: best, nan_train_loss: row.nan_train_loss ? 1 : 0 } },
  };
}

const DEBERTA_SPACE: ReplayDataset["space"] = [
  { name: "learning_rate", kind: "float", min: 1e-6, max: 1e-3, log: true },
  { name: "num_train_epochs", kind: "int", min: 1, max: 4, log: false },
  { name: "train_batch_size", kind: "int", min: 16, max: 64, log: false },
  { name: "warmup_steps", kind: "int", min: 0, max: 1_000_000, log: false },
  { name: "cls_drop_out", kind: "float", min: 0, max: 0.3, log: false },
];
const IMAGENET_SPACE: ReplayDataset["space"] = [
  { name: "lr", kind: "float", min: 5e-3, max: 50, log: true },
  { name: "epochs", kind: "int", min: 20, max: 100, log: false },
  { name: "batch_size", kind: "int", min: 128, max: 1024, log: false },
  { name: "lr_peak_epoch", kind: "float", min: 0, max: 100, log: false },
  { name: "momentum", kind: "float", min: 0.7, max: 1.0, log: false },
  { name: "weight_decay", kind: "float", min: 1e-6, max: 1e-3, log: true },
  { name: "label_smoothing", kind: "float", min: 0, max: 0.5, log: false },
];

/** The datasets `nadir run --replay` knows, by name. */
export const REPLAY_DATASETS: Readonly<Record<string, DatasetDef>> = Object.freeze({
  "deberta-v3-base": {
    file: "deberta-v3-base_tuning.results.jsonl.gz",
    description: "DeBERTaV3-base fine-tuned on MultiNLI: 1,024 random-search runs (Lourie et al. 2024)",
    objective: { metric: "error_rate", direction: "minimize" },
    space: DEBERTA_SPACE,
    parse: parseDeberta,
  },
  "deberta-base": {
    file: "deberta-base_tuning.results.jsonl.gz",
    description: "DeBERTa-base fine-tuned on MultiNLI: 1,024 random-search runs (Lourie et al. 2024)",
    objective: { metric: "accuracy", direction: "maximize" },
    space: DEBERTA_SPACE,
    parse: parseDeberta,
  },
  alexnet: {
    file: "alexnet_tuning.results.jsonl.gz",
    description: "AlexNet on ImageNet: 512 random-search runs (Lourie et al. 2025)",
    objective: { metric: "top1_accuracy", direction: "maximize" },
    space: IMAGENET_SPACE,
    parse: parseImagenet,
  },
  "convnext-tiny": {
    file: "convnext-tiny_tuning.results.jsonl.gz",
    description: "ConvNeXt-tiny on ImageNet: 512 random-search runs (Lourie et al. 2025)",
    objective: { metric: "top1_accuracy", direction: "maximize" },
    space: IMAGENET_SPACE,
    parse: parseImagenet,
  },
});

/** The folder holding the shipped replay data. */
export const REPLAY_DATA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../data/opda");

/** Loads a shipped dataset by name (see {@link REPLAY_DATASETS}). @throws ReplayDataError */
export function loadReplayDataset(name: string, dataDir: string = REPLAY_DATA_DIR): ReplayDataset {
  const def = REPLAY_DATASETS[name];
  if (!def)
    throw new ReplayDataError(
      `unknown replay dataset ${JSON.stringify(name)}; known: ${Object.keys(REPLAY_DATASETS).join(", ")}`,
      { path: "name" },
    );
  const file = path.join(dataDir, def.file);
  let text: string;
  try {
    text = gunzipSync(readFileSync(file)).toString("utf8");
  } catch (err) {
    throw new ReplayDataError(`cannot read ${file}: ${(err as Error).message}`, { path: file, cause: err });
  }
  const runs: ReplayRun[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === "") continue;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(l) as Record<string, unknown>;
    } catch (err) {
      throw new ReplayDataError(`${def.file} line ${i + 1}: ${(err as Error).message}`, {
        path: `${def.file}:${i + 1}`,
        cause: err,
      });
    }
    runs.push(def.parse(row, i + 1));
  }
  runs.forEach((r, i) => {
    if (r.iteration !== i + 1)
      throw new ReplayDataError(
        `${def.file}: iteration ${r.iteration} at position ${i + 1}; expected consecutive iterations from 1`,
      );
  });
  const maxStep = runs.reduce((m, r) => Math.max(m, r.final.step), 0);
  return { name, description: def.description, objective: def.objective, runs, maxStep, space: def.space };
}

const D = nadir.v1.Direction;
const Sc = nadir.v1.Scale;

/**
 * The study that replays `ds`: parameter `iteration` (which recorded run) plus the recorded hyperparameters,
 * an inline list suggester holding every run in file order and no fallback, so the study has exactly
 * `ds.runs.length` trials and restarts resume where the journal left off.
 */
export function replayStudySpec(
  ds: ReplayDataset,
  opts: { parallelism?: number; limit?: number } = {},
): nadir.v1.StudySpec {
  const runs = opts.limit !== undefined ? ds.runs.slice(0, opts.limit) : ds.runs;
  const params: nadir.v1.ParameterSpec.$Properties[] = [
    {
      name: "iteration",
      intDomain: { min: 1, max: ds.runs.length, scale: Sc.SCALE_LINEAR },
      description: "recorded run",
    },
    ...ds.space.map((p): nadir.v1.ParameterSpec.$Properties => {
      const scale = p.log ? Sc.SCALE_LOG : Sc.SCALE_LINEAR;
      return p.kind === "int"
        ? { name: p.name, intDomain: { min: p.min, max: p.max, scale } }
        : { name: p.name, floatDomain: { min: p.min, max: p.max, scale } };
    }),
  ];
  const kinds = new Map(ds.space.map((p) => [p.name, p.kind]));
  const points = runs.map((r) => {
    const values: Record<string, nadir.v1.ParameterValue.$Properties> = {
      iteration: { intValue: r.iteration },
    };
    for (const [k, v] of Object.entries(r.params))
      values[k] = kinds.get(k) === "int" ? { intValue: Math.round(v) } : { floatValue: v };
    return { values };
  });
  const props: nadir.v1.StudySpec.$Properties = {
    studyId: `replay-${ds.name}`,
    name: `Replay: ${ds.description}`,
    workload: `replay:${ds.name}`,
    searchSpace: { parameters: params },
    objective: {
      metric: ds.objective.metric,
      direction: ds.objective.direction === "minimize" ? D.DIRECTION_MINIMIZE : D.DIRECTION_MAXIMIZE,
    },
    budget: { maxTrials: runs.length, parallelism: opts.parallelism ?? 64 },
    stepBudget: Math.max(1, ds.maxStep),
    suggester: { list: { points } },
    labels: { "nadir.replay": ds.name },
    replicates: 1,
  };
  return nadir.v1.StudySpec.decode(nadir.v1.StudySpec.encode(props).finish());
}

/** Finds the recorded run for an assignment's `iteration` parameter. @throws ReplayDataError */
export function runForIteration(ds: ReplayDataset, iteration: unknown): ReplayRun {
  const i = typeof iteration === "number" ? iteration : Number.NaN;
  const run = Number.isInteger(i) ? ds.runs[i - 1] : undefined;
  if (!run)
    throw new ReplayDataError(
      `assignment names iteration ${JSON.stringify(iteration)}, but ${ds.name} has runs 1..${ds.runs.length}`,
    );
  return run;
}
