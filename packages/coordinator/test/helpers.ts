/**
 * Test helpers: real processes (the `nadir` CLI, the synthetic TS worker) with bounded waits, and journal
 * summaries. Every spawned process is registered and SIGKILLed by `killAll()` (call it in afterEach), so
 * no test leaves a process behind.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { readJournal } from "../src/journal.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const cliBin = path.join(repoRoot, "packages/cli/dist/bin.js");
export const workerFixture = path.join(repoRoot, "packages/coordinator/test/fixtures/synthetic-worker.mjs");
/** The real `serve` command module under its own program (see fixtures/serve.mjs). */
export const serveFixture = path.join(repoRoot, "packages/coordinator/test/fixtures/serve.mjs");

/**
 * The search space the synthetic worker's loss depends on: learning_rate on a log scale (its loss is a
 * bowl around 1e-3 in log10 units) and a β1 it ignores, given as 1 − β1.
 */
export function syntheticSpace() {
  return {
    parameters: [
      { name: "learning_rate", floatDomain: { min: 1e-5, max: 1e-1, scale: "SCALE_LOG" } },
      {
        name: "one_minus_beta1",
        floatDomain: { min: 0.01, max: 0.1 },
        transform: "TRANSFORM_ONE_MINUS",
        as: "beta1",
      },
    ],
  };
}

export interface Proc {
  child: ChildProcess;
  out(): string;
  err(): string;
  exited: Promise<number | null>;
  /** Resolves with the first regex match in stdout, or rejects after timeoutMs. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

const children = new Set<ChildProcess>();

export function spawnProc(args: string[], opts: { cwd?: string } = {}): Proc {
  const child = spawn(process.execPath, args, {
    cwd: opts.cwd ?? repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  let err = "";
  const waiters: (() => void)[] = [];
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) w();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      children.delete(child);
      for (const w of waiters.splice(0)) w();
      resolve(code);
    }),
  );
  return {
    child,
    out: () => out,
    err: () => err,
    exited,
    waitFor(re: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`timed out waiting for ${re} in stdout:\n${out}\nstderr:\n${err.slice(-3000)}`)),
          timeoutMs,
        );
        const check = (): void => {
          const m = out.match(re);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            reject(
              new Error(
                `process exited (${child.exitCode ?? child.signalCode}) before ${re}; stdout:\n${out}\nstderr:\n${err.slice(-3000)}`,
              ),
            );
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

/** Starts `nadir serve` (the CLI's serve command module) and waits for its "nadir: serving" line. */
export async function startServe(args: string[]): Promise<Proc & { endpoint: string }> {
  const p = spawnProc([serveFixture, "serve", "--quiet", ...args]);
  const m = await p.waitFor(/nadir: serving (\S+)/);
  return Object.assign(p, { endpoint: m[1] as string });
}

/** Starts a synthetic worker process. */
export function startWorker(
  endpoint: string,
  id: string,
  opts: {
    capacity?: number;
    stepMs?: number;
    reportEvery?: number;
    curve?: { server: string; pub: string; sec: string };
  } = {},
): Proc {
  return spawnProc([
    workerFixture,
    "--endpoint",
    endpoint,
    "--id",
    id,
    "--capacity",
    String(opts.capacity ?? 1),
    "--step-ms",
    String(opts.stepMs ?? 2),
    "--report-every",
    String(opts.reportEvery ?? 5),
    ...(opts.curve
      ? // `--key=VALUE`: a Z85 key may start with "-", which parseArgs would take for an option (a 1-in-85
        // chance per key that crashed the worker and hung the CURVE test).
        [
          `--server-key=${opts.curve.server}`,
          `--public-key=${opts.curve.pub}`,
          `--secret-key=${opts.curve.sec}`,
        ]
      : []),
  ]);
}

/** SIGKILLs every process still running and waits for them. */
export async function killAll(): Promise<void> {
  const all = [...children];
  for (const c of all) c.kill("SIGKILL");
  await Promise.all(
    all.map((c) =>
      c.exitCode !== null || c.signalCode !== null
        ? Promise.resolve()
        : new Promise((r) => c.once("exit", r)),
    ),
  );
}

/** Resolves when an in-process coordinator's studies are all done, or rejects after timeoutMs. */
export function doneWithin(c: { whenDone(): Promise<unknown> }, timeoutMs: number): Promise<unknown> {
  return Promise.race([
    c.whenDone(),
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`study did not finish in ${timeoutMs / 1000} s`)), timeoutMs),
    ),
  ]);
}

/** Waits until `pred()` is true (polling), or throws after timeoutMs. */
export async function until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function tmpDir(prefix = "nadir-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes a small user-facing study file (packages/protocol/schemas/study.schema.json). */
export function writeStudy(
  dir: string,
  id: string,
  trials: number,
  stepBudget: number,
  extra: Record<string, unknown> = {},
): string {
  const file = path.join(dir, `${id}.study.json`);
  fs.writeFileSync(
    file,
    JSON.stringify({
      id,
      searchSpace: {
        parameters: [
          { name: "learning_rate", type: "float", min: 1e-4, max: 1e-2, scale: "log" },
          { name: "warmup_factor", type: "discrete", values: [0.02, 0.05, 0.1] },
        ],
      },
      objective: { metric: "loss", direction: "minimize" },
      budget: { trials, parallelism: 8 },
      stepBudget,
      reportEverySteps: 5,
      suggester: { kind: "halton", seed: 3 },
      ...extra,
    }),
  );
  return file;
}

/** What a journal says, in the terms the tests check. */
export interface JournalSummary {
  /** trialId -> number of terminal results (trialCompleted) recorded, by attempt. */
  completed: Map<number, number[]>;
  /** trialId -> final loss of its (first) trialCompleted record. */
  finalLoss: Map<number, number>;
  assigned: { trialId: number; attempt: number; workerId: string }[];
  preempted: { trialId: number; attempt: number }[];
  reports: number;
  /** (trial, attempt, sequence) keys of reports seen more than once. */
  duplicateReports: string[];
  problem: string;
}

export function summarize(dir: string, studyId?: string): JournalSummary {
  const { records, problem } = readJournal(dir);
  const s: JournalSummary = {
    completed: new Map(),
    finalLoss: new Map(),
    assigned: [],
    preempted: [],
    reports: 0,
    duplicateReports: [],
    problem,
  };
  const seen = new Set<string>();
  for (const r of records) {
    if (r.trialCompleted) {
      const t = r.trialCompleted.trial;
      if (studyId && t?.studyId !== studyId) continue;
      const id = t?.trialId ?? 0;
      s.completed.set(id, [...(s.completed.get(id) ?? []), t?.attempt ?? 0]);
      if (!s.finalLoss.has(id)) s.finalLoss.set(id, r.trialCompleted.final?.metrics?.loss ?? Number.NaN);
    } else if (r.attemptAssigned) {
      const t = r.attemptAssigned.assignment?.trial;
      if (studyId && t?.studyId !== studyId) continue;
      s.assigned.push({
        trialId: t?.trialId ?? 0,
        attempt: t?.attempt ?? 0,
        workerId: r.attemptAssigned.workerId,
      });
    } else if (r.trialEvent && r.trialEvent.state === 8) {
      s.preempted.push({
        trialId: r.trialEvent.trial?.trialId ?? 0,
        attempt: r.trialEvent.trial?.attempt ?? 0,
      });
    } else if (r.trialReport) {
      s.reports += 1;
      const t = r.trialReport.trial;
      const k = `${t?.studyId}/${t?.trialId}/${t?.attempt}/${r.trialReport.sequence}`;
      if (seen.has(k)) s.duplicateReports.push(k);
      seen.add(k);
    }
  }
  return s;
}

/** Number of completed results in a journal directory, tolerating a journal that does not exist yet. */
export function completedCount(dir: string): number {
  try {
    return [...summarize(dir).completed.values()].reduce((a, v) => a + v.length, 0);
  } catch {
    return 0;
  }
}
