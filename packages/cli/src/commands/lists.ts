import { readFileSync } from "node:fs";
import {
  buildList,
  buildResultToJson,
  type Direction,
  type DuplicatePolicy,
  getList,
  LIST_ALIASES,
  listNames,
  looTable,
  lrCheckpoints,
  materialize,
  type NadamwVariant,
  readTrialsTable,
  type TieBreak,
  type TrialsMode,
} from "@nadir/core";
import type { Command } from "commander";
import { exitCodeFor, usage } from "../errors.js";
import type { RegisterCommand } from "./index.js";

/** Parses a flag as a number within [min, max] (integers only when `int`). */
function num(flag: string, v: string, opts: { int?: boolean; min?: number; max?: number } = {}): number {
  const x = Number(v);
  if (v.trim() === "" || !Number.isFinite(x))
    throw usage(`${flag} must be a number, got ${JSON.stringify(v)}`);
  if (opts.int && !Number.isInteger(x)) throw usage(`${flag} must be an integer, got ${v}`);
  if (opts.min !== undefined && x < opts.min) throw usage(`${flag} must be ≥ ${opts.min}, got ${v}`);
  if (opts.max !== undefined && x > opts.max) throw usage(`${flag} must be ≤ ${opts.max}, got ${v}`);
  return x;
}

function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v))
    throw usage(`${flag} must be one of ${allowed.join(", ")}, got ${JSON.stringify(v)}`);
  return v as T;
}

/** Reports an error; the exit code comes from the CLI's one map (usage 2, invalid input 1). */
function fail(err: unknown, setExit: (c: number) => void): void {
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`nadir lists: ${msg}\n`);
  setExit(exitCodeFor(err));
}

const g = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(6)).toString() : x > 0 ? "inf" : "-inf");

/** `nadir lists show|build`: the published NAdamW lists, their materialised configs, and list construction. */
export const register: RegisterCommand = (program: Command, setExit) => {
  const lists = program
    .command("lists")
    .description("Pre-computed hyperparameter lists: show the built-ins, build new ones from trial data");

  lists
    .command("show")
    .description(
      `Show a built-in list (${listNames().join(", ")}; aliases ${Object.keys(LIST_ALIASES).join(", ")}) and, with --steps, its exact optimizer configs`,
    )
    .argument("<name>", "list name, optionally name@version")
    .option("--steps <S>", "total step budget S: print warmup steps and lr at steps 0, 1, W, S/2, S-1")
    .option("--variant <v>", "optax | algoperf (default: the variant the list was tuned with)")
    .option("--json", "machine-readable output")
    .action((name: string, flags: { steps?: string; variant?: string; json?: boolean }) => {
      try {
        const list = getList(name);
        const steps =
          flags.steps === undefined ? undefined : num("--steps", flags.steps, { int: true, min: 1 });
        const variant =
          flags.variant === undefined
            ? list.variant
            : oneOf<NadamwVariant>("--variant", flags.variant, ["optax", "algoperf"]);
        const configs =
          steps === undefined ? null : list.points.map((p) => materialize(p, steps, { variant }));
        if (flags.json) {
          const doc = {
            name: list.name,
            version: list.version,
            title: list.title,
            variant,
            provenance: list.provenance,
            points: list.points,
            ...(configs
              ? {
                  steps,
                  configs: configs.map((c) => ({
                    point: c.pointId,
                    warmup_steps: c.schedule.warmupSteps,
                    cosine_steps: c.schedule.cosineSteps,
                    lr: lrCheckpoints(c),
                    hyperparameters: c.hyperparameters,
                    optax: c.optax,
                    pytorch: c.pytorch,
                    notes: c.notes,
                  })),
                }
              : {}),
          };
          process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
          return;
        }
        const out: string[] = [
          `${list.name}@${list.version}: ${list.title}`,
          `variant: ${variant}`,
          `provenance: ${list.provenance}`,
          "",
        ];
        out.push(
          "id  learning_rate          beta1               beta2               weight_decay          warmup  dropout  label_smoothing",
        );
        for (const p of list.points) {
          out.push(
            `${String(p.id).padEnd(3)} ${String(p.learning_rate).padEnd(22)} ${String(p.beta1).padEnd(19)} ${String(p.beta2).padEnd(19)} ${String(p.weight_decay).padEnd(21)} ${String(p.warmup_fraction).padEnd(7)} ${String(p.dropout_rate).padEnd(8)} ${p.label_smoothing}`,
          );
        }
        if (configs) {
          out.push("", `materialised for S = ${steps} steps (lr(c) is used by update c+1):`);
          for (const c of configs) {
            out.push(
              `point ${c.pointId}: warmup ${c.schedule.warmupSteps} steps, cosine ${c.schedule.cosineSteps} steps; ` +
                lrCheckpoints(c)
                  .map((x) => `lr(${x.step}) = ${x.lr}`)
                  .join(", "),
            );
            out.push(`  optax:   ${c.optax.code}`);
            out.push(`  pytorch: ${c.pytorch.code}`);
            out.push(`           ${c.pytorch.scheduler}`);
            out.push(
              `  dropout_rate = ${c.hyperparameters.dropout_rate}, label_smoothing = ${c.hyperparameters.label_smoothing}`,
            );
          }
          out.push("", ...(configs[0]?.notes.map((n) => `note: ${n}`) ?? []));
        }
        process.stdout.write(`${out.join("\n")}\n`);
      } catch (err) {
        fail(err, setExit);
      }
    });

  lists
    .command("build")
    .description(
      "Build an ordered list from a long-format trials table, CSV or JSON Lines, optionally gzipped (Medapati et al. 2025, Section 2)",
    )
    .requiredOption(
      "--trials <file>",
      "CSV or JSON Lines (.gz detected): point,workload,metric[,seed] or point,workload,steps_to_target,step_budget[,seed]",
    )
    .requiredOption("--size <K>", "number of points in the list")
    .option("--tau <tau>", "time-to-target: cap on step fractions in the cost", "2")
    .option("--mode <mode>", "time-to-target | final-metric (default: read from the CSV header)")
    .option("--direction <dir>", "final-metric: minimize | maximize", "minimize")
    .option(
      "--targets <file>",
      "final-metric: JSON object {workload: target}; cost = fraction of targets missed",
    )
    .option("--method <m>", "greedy | exhaustive", "greedy")
    .option(
      "--duplicates <policy>",
      "repeated (point, workload, seed) rows: error (refuse, naming the lines) | mean (average each group)",
      "error",
    )
    .option(
      "--tie-break <rule>",
      "when the greedy cost ties: standalone (the candidate's own cost on the training workloads) | table-order",
      "standalone",
    )
    .option("--leave-one-out", "leave-one-workload-out cross validation")
    .option("--json", "machine-readable output")
    .action(
      (flags: {
        trials: string;
        size: string;
        tau: string;
        mode?: string;
        direction: string;
        targets?: string;
        method: string;
        duplicates: string;
        tieBreak: string;
        leaveOneOut?: boolean;
        json?: boolean;
      }) => {
        try {
          const size = num("--size", flags.size, { int: true, min: 1 });
          const tau = num("--tau", flags.tau, { min: Number.MIN_VALUE });
          const mode =
            flags.mode === undefined
              ? undefined
              : oneOf<TrialsMode>("--mode", flags.mode, ["time-to-target", "final-metric"]);
          const direction = oneOf<Direction>("--direction", flags.direction, ["minimize", "maximize"]);
          const method = oneOf("--method", flags.method, ["greedy", "exhaustive"] as const);
          const tieBreak = oneOf<TieBreak>("--tie-break", flags.tieBreak, ["standalone", "table-order"]);
          const duplicates = oneOf<DuplicatePolicy>("--duplicates", flags.duplicates, ["error", "mean"]);
          // Only "maximize" is passed on: time-to-target tables reject it (lower step fractions are always
          // better), and minimize is the parser's default.
          const parseOpts: Parameters<typeof readTrialsTable>[1] = { source: flags.trials, duplicates };
          if (direction === "maximize") parseOpts.direction = direction;
          if (mode) parseOpts.mode = mode;
          const read = readTrialsTable(readFileSync(flags.trials), parseOpts);
          const table = read.table;
          for (const w of read.warnings) process.stderr.write(`nadir lists: warning: ${w}\n`);
          let targets: Record<string, number> | undefined;
          if (flags.targets !== undefined)
            targets = JSON.parse(readFileSync(flags.targets, "utf8")) as Record<string, number>;
          const opts: Parameters<typeof buildList>[1] = {
            size,
            tau,
            method,
            tieBreak,
            leaveOneOut: flags.leaveOneOut === true,
          };
          if (targets) opts.targets = targets;
          const r = buildList(table, opts);
          if (flags.json) {
            process.stdout.write(
              `${JSON.stringify(buildResultToJson(table, r, { size, tau, method, tie_break: tieBreak, warnings: read.warnings }), null, 2)}\n`,
            );
            return;
          }
          const ttt = table.mode === "time-to-target";
          const out: string[] = [
            `${table.mode} (${table.direction}), ${table.points.length} points × ${table.workloads.length} workloads, K = ${size}, ${method}${ttt ? `, tau = ${tau}` : ""}`,
            `list: ${r.ids.join(", ")}`,
            `cost: ${g(r.cost)}${ttt ? " (C_tau: geometric mean of min(t/T, tau))" : targets ? " (fraction of targets missed)" : " (mean normalised regret)"}`,
            "",
            "per workload (list built on all workloads):",
          ];
          for (const e of r.perWorkload) {
            const b =
              "k" in e.equivalentRandomBudget
                ? e.equivalentRandomBudget.k
                : `>${e.equivalentRandomBudget.overflow}`;
            out.push(
              `  ${e.workload}: ${ttt ? `step fraction ${g(e.summary)}, E[min(t/T, tau)] ${g(e.expected)}` : `E[best] ${g(e.expected)}`}${e.reached === null ? "" : e.reached ? ", reached" : ", not reached"}; random search k=${size}: ${g(e.randomBestOfK)}; equivalent random budget ${b}`,
            );
          }
          if (r.leaveOneOut) out.push("", "leave-one-workload-out:", looTable(table, r));
          process.stdout.write(`${out.join("\n")}\n`);
        } catch (err) {
          if (err instanceof SyntaxError) {
            process.stderr.write(`nadir lists: --targets is not valid JSON: ${err.message}\n`);
            setExit(1);
            return;
          }
          fail(err, setExit);
        }
      },
    );
};
