/**
 * `nadir init --framework torch|jax|plain [--dir D]`: a study file and a worker script to start from, the
 * way `optuna create-study` or a W&B sweep config starts a project. The study asks for the published
 * NAdamW list first (Medapati et al. 2025) and then Halton search over the same space (the random sample
 * the analysis needs); the worker wraps a `train(params, step_budget, seed, on_eval, eval_every,
 * optimizer)` function with the Python SDK. `nadir run --study <D>/nadir.study.json --worker
 * <D>/worker.py` runs them as written.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CliError, exitCodeFor, usage } from "../errors.js";
import type { RegisterCommand } from "./index.js";

/** The frameworks `nadir init` writes a worker for. */
export const INIT_FRAMEWORKS = ["jax", "torch", "plain"] as const;
export type InitFramework = (typeof INIT_FRAMEWORKS)[number];

/** The file names `nadir init` writes in `--dir`. */
export const INIT_STUDY_FILE = "nadir.study.json";
export const INIT_WORKER_FILE = "worker.py";

/** The scaffolded study: the NAdamW list, then Halton; metric and budget fit the framework's worker. */
export function initStudy(framework: InitFramework, id: string): Record<string, unknown> {
  const plain = framework === "plain";
  const metric = plain ? "validation/loss" : "validation/error_rate";
  const parameters: Record<string, unknown>[] = [
    { name: "learning_rate", type: "float", min: 1e-4, max: 1e-2, scale: "log" },
    {
      name: "one_minus_beta1",
      type: "float",
      min: 0.004,
      max: 0.1,
      scale: "log",
      transform: "one_minus",
      as: "beta1",
    },
    {
      name: "one_minus_beta2",
      type: "float",
      min: 1e-3,
      max: 0.2,
      scale: "log",
      transform: "one_minus",
      as: "beta2",
    },
    { name: "weight_decay", type: "float", min: 0.005, max: 1.0, scale: "log" },
    { name: "warmup_factor", type: "discrete", values: [0.02, 0.05, 0.1] },
    // Dropout and label smoothing reach the worker in trial.optimizer (dropout_rate, label_smoothing).
    { name: "dropout_rate", type: "discrete", values: [0.0, 0.1] },
    { name: "label_smoothing", type: "discrete", values: [0.0, 0.1, 0.2] },
  ];
  if (!plain) parameters.push({ name: "hidden_units", type: "int", min: 32, max: 256, scale: "log" });
  return {
    id,
    name: `${id}: the published NAdamW list, then Halton search`,
    description:
      "Written by `nadir init`. The first trials are the published 5-point NAdamW list (Medapati et al. 2025), then quasi-random (Halton) search over the same space: the random sample `nadir analyze` needs. Edit the space, the metric and the budget to fit your task.",
    searchSpace: { parameters },
    objective: { metric, direction: "minimize" },
    budget: { trials: 12, parallelism: 4, maxFailedTrials: 3, maxAttemptsPerTrial: 3 },
    stepBudget: plain ? 200 : 300,
    suggester: { kind: "list", list: "medapati-nadamw-5", fallback: { kind: "halton", seed: 42 } },
    optimizer: {
      name: "nadamw",
      variant: "optax",
      epsilon: 1e-8,
      schedule: "linear_warmup_cosine_decay",
      warmupRounding: "floor",
    },
    reportEverySteps: 50,
    seed: 0,
    labels: plain ? { "nadir.metric_lower": "0" } : { "nadir.metric_lower": "0", "nadir.metric_upper": "1" },
  };
}

/** The worker template of a framework, shipped in this package's templates/. */
export function initWorkerTemplate(framework: InitFramework): string {
  return fileURLToPath(new URL(`../../templates/worker-${framework}.py`, import.meta.url));
}

const EXTRA: Readonly<Record<InitFramework, string>> = { jax: "jax", torch: "torch", plain: "" };

export const register: RegisterCommand = (program, setExit) => {
  program
    .command("init")
    .description("Write a study file and a worker script to start a project from (then: nadir run)")
    .option("--framework <name>", `the worker's framework: ${INIT_FRAMEWORKS.join(" | ")}`, "jax")
    .option("--dir <dir>", "where to write nadir.study.json and worker.py", ".")
    .option("--id <id>", "the study id (default: the directory's name)")
    .option("--force", "overwrite existing files")
    .action((o: { framework: string; dir: string; id?: string; force?: boolean }) => {
      try {
        if (!(INIT_FRAMEWORKS as readonly string[]).includes(o.framework))
          throw usage(
            `--framework must be one of ${INIT_FRAMEWORKS.join(", ")}, got ${JSON.stringify(o.framework)}`,
            "--framework",
          );
        const framework = o.framework as InitFramework;
        const dir = path.resolve(o.dir);
        const id =
          o.id ??
          (path
            .basename(dir)
            .replace(/[^A-Za-z0-9._-]/g, "-")
            .replace(/^[^A-Za-z0-9]+/, "") ||
            "my-study");
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id))
          throw usage(`--id must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}, got ${JSON.stringify(id)}`, "--id");
        const studyFile = path.join(dir, INIT_STUDY_FILE);
        const workerFile = path.join(dir, INIT_WORKER_FILE);
        for (const f of [studyFile, workerFile])
          if (existsSync(f) && !o.force)
            throw new CliError(
              "conflict",
              `${f} exists; give --force to overwrite it, or another --dir`,
              "--dir",
            );
        mkdirSync(dir, { recursive: true });
        writeFileSync(studyFile, `${JSON.stringify(initStudy(framework, id), null, 2)}\n`);
        copyFileSync(initWorkerTemplate(framework), workerFile);
        const rel = (f: string): string => path.relative(process.cwd(), f) || f;
        const extra = EXTRA[framework] ? `[${EXTRA[framework]}]` : "";
        process.stdout.write(
          [
            `wrote ${rel(studyFile)} (study "${id}": the NAdamW list, then Halton) and ${rel(workerFile)} (${framework} worker)`,
            "next:",
            `  pip install 'nadir-worker${extra}'        # into the Python the workers use`,
            `  nadir validate ${rel(studyFile)}`,
            `  nadir run --study ${rel(studyFile)} --worker ${rel(workerFile)}`,
            "",
          ].join("\n"),
        );
        setExit(0);
      } catch (err) {
        process.stderr.write(`nadir init: ${(err as Error).message}\n`);
        setExit(exitCodeFor(err));
      }
    });
};
