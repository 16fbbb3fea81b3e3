/**
 * A local run: an embedded coordinator with a file journal, N worker processes spawned on this machine,
 * progress callbacks, and a clean drain on abort. Resuming is opening the same run directory again: the
 * journal is replayed, finished trials stay finished, and attempts that were running when the run stopped
 * are re-queued as new attempts (preempted, not failed).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { Coordinator, FileJournal, type StudyCounts } from "@nadir/coordinator";
import type { nadir } from "@nadir/protocol";
import type { SuggesterFactory } from "@nadir/sdk";
import { assignDevices } from "./devices.js";
import { RunnerError, type RunnerErrorOptions } from "./errors.js";

/** How to start worker process `index` (0-based) against `endpoint`. */
export type WorkerCommand = (
  endpoint: string,
  index: number,
) => { command: string; args: string[]; env?: NodeJS.ProcessEnv; cwd?: string };

/** Options of {@link runLocal}. */
export interface LocalRunOptions {
  /** Run directory; the journal lives in `<runDir>/journal`. Reusing it resumes the run. */
  runDir: string;
  studies: nadir.v1.StudySpec[];
  /** Worker processes to spawn (>= 1). */
  workers: number;
  workerCommand: WorkerCommand;
  /** Extra suggester plugins, tried before the built-ins. */
  suggesters?: SuggesterFactory[];
  /** Called about every `progressIntervalMs` (default 250 ms) and once at the end. */
  onProgress?: (counts: StudyCounts[], elapsedMs: number) => void;
  progressIntervalMs?: number;
  /**
   * Aborting drains: every worker gets SIGTERM (a Python SDK worker then reports its running attempts as
   * PREEMPTED, so the journal says what happened), the run waits up to `drainMs` for them to exit and for
   * no attempt to be left running, then stops the coordinator (journal flushed).
   */
  signal?: AbortSignal;
  /**
   * Aborting this during a drain gives up waiting for the workers: they are killed (SIGKILL), and the run
   * stops once the coordinator has preempted their attempts (their 5 s leases lapse).
   */
  forceSignal?: AbortSignal;
  /** Longest wait of a drain for workers to report and exit (default 20 000 ms). */
  drainMs?: number;
  /** Where worker stderr lines and coordinator logs go (default: dropped). */
  log?: (line: string) => void;
  /**
   * GPU ids to spread the workers over (see {@link assignDevices}): worker i gets
   * `CUDA_VISIBLE_DEVICES=devices[i % devices.length]`, plus `XLA_PYTHON_CLIENT_PREALLOCATE=false` when
   * workers share a device. Empty or absent: the environment is left as it is.
   */
  devices?: readonly string[];
  /** Journal fsync policy (default "interval": a crash loses at most the last interval, never a torn record). */
  fsync?: "always" | "interval" | "never";
}

/** Outcome of {@link runLocal}. */
export interface LocalRunResult {
  journalDir: string;
  counts: StudyCounts[];
  /** True when the run stopped because of the abort signal (resume by running again on `runDir`). */
  interrupted: boolean;
  /** Journal records replayed at start (> 0 means this was a resume). */
  replayed: number;
  /** Trials already finished (any terminal state) when the run started: a resume's head start. */
  finishedAtStart: number;
  elapsedMs: number;
}

/** Raised when the run cannot go on (every worker process died, or the coordinator failed to start). */
export class LocalRunError extends RunnerError {
  /**
   * @param message why the run cannot go on
   * @param options the file or argument (`path`) and the underlying exception, if any
   */
  constructor(message: string, options?: RunnerErrorOptions) {
    super("local_run", message, options);
  }
}

function tail(lines: string[], max = 20): string {
  return lines.slice(-max).join("\n");
}

/** Silence after which the embedded coordinator drops a local worker and preempts its attempts. */
const PEER_TIMEOUT_MS = 5000;

/** Runs the studies to completion (or until aborted) with locally spawned workers. */
export async function runLocal(o: LocalRunOptions): Promise<LocalRunResult> {
  if (!Number.isInteger(o.workers) || o.workers < 1)
    throw new RangeError(`workers must be an integer >= 1, got ${o.workers}`);
  if (o.studies.length === 0) throw new RangeError("runLocal: at least one study is required");
  const log = o.log ?? (() => {});
  const journalDir = path.join(o.runDir, "journal");
  mkdirSync(journalDir, { recursive: true });
  const store = new FileJournal(journalDir, { fsync: o.fsync ?? "interval", onWarning: log });
  const coordinator = new Coordinator({
    bind: ["tcp://127.0.0.1:0"],
    store,
    studies: o.studies,
    log,
    // Local workers that vanish are re-queued quickly; replayed attempts get a short grace to re-attach.
    heartbeatIntervalMs: 500,
    peerTimeoutMs: PEER_TIMEOUT_MS,
    reattachGraceMs: 2000,
    ...(o.suggesters ? { suggesters: o.suggesters } : {}),
  });
  const started = await coordinator.start();
  const endpoint = started.endpoints[0];
  if (!endpoint) throw new LocalRunError("coordinator started without an endpoint");
  const t0 = Date.now();
  const finishedAtStart = coordinator
    .progress()
    .reduce((n, c) => n + c.completed + c.pruned + c.failed + c.diverged + c.infeasible + c.abandoned, 0);

  const children: { proc: ChildProcess; stderr: string[]; exited: boolean; code: number | null }[] = [];
  let allDead!: (err: LocalRunError) => void;
  const allDeadPromise = new Promise<never>((_, reject) => {
    allDead = reject;
  });
  allDeadPromise.catch(() => {});
  let stopping = false;
  const assigned = assignDevices(o.workers, o.devices ?? []);
  for (let i = 0; i < o.workers; i++) {
    const spec = o.workerCommand(endpoint, i);
    const base = spec.env ?? process.env;
    const device = assigned[i];
    const proc = spawn(spec.command, spec.args, {
      env: device ? { ...base, ...device.env } : base,
      cwd: spec.cwd,
      stdio: ["ignore", "ignore", "pipe"],
    });
    const entry = { proc, stderr: [] as string[], exited: false, code: null as number | null };
    children.push(entry);
    let partial = "";
    proc.stderr?.setEncoding("utf8");
    proc.stderr?.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const l of lines) {
        entry.stderr.push(l);
        if (entry.stderr.length > 200) entry.stderr.shift();
        log(`worker ${i}: ${l}`);
      }
    });
    const gone = (why: string): void => {
      if (entry.exited) return;
      entry.exited = true;
      if (!stopping) log(`worker ${i} ${why}`);
      if (!stopping && children.every((c) => c.exited)) {
        allDead(
          new LocalRunError(
            `every worker process exited before the study finished; last output of worker ${i}:\n${tail(entry.stderr)}`,
          ),
        );
      }
    };
    // A process that cannot be spawned (no such file, not executable) emits "error" and never "exit": it
    // counts as exited at once, so a run whose workers all fail to start ends with the spawn error.
    proc.on("error", (err) => {
      entry.stderr.push(`cannot start ${spec.command}: ${err.message}`);
      gone(`could not start: ${err.message}`);
    });
    proc.on("exit", (code, sig) => {
      entry.code = code;
      gone(`exited (${sig ?? code})`);
    });
  }

  const progress = (): void => o.onProgress?.(coordinator.progress(), Date.now() - t0);
  const timer = setInterval(progress, o.progressIntervalMs ?? 250);
  let interrupted = false;
  const aborted = new Promise<void>((resolve) => {
    if (o.signal?.aborted) resolve();
    o.signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  try {
    await Promise.race([
      coordinator.whenDone(),
      allDeadPromise,
      aborted.then(() => {
        interrupted = true;
      }),
    ]);
  } finally {
    stopping = true;
    if (interrupted)
      await drain(coordinator, children, o.drainMs ?? 20_000, o.forceSignal, log, PEER_TIMEOUT_MS);
    clearInterval(timer);
    progress();
    await coordinator.stop({ shutdownWorkers: true });
    await reap(
      children.map((c) => c.proc),
      o.forceSignal?.aborted ? 0 : 5000,
    );
  }
  return {
    journalDir,
    counts: coordinator.progress(),
    interrupted,
    replayed: started.replayed,
    finishedAtStart,
    elapsedMs: Date.now() - t0,
  };
}

const running = (c: Coordinator): number => c.progress().reduce((n, s) => n + s.running, 0);
const gone = (c: { proc: ChildProcess; exited: boolean }): boolean =>
  c.exited || c.proc.exitCode !== null || c.proc.signalCode !== null;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The drain of an interrupted run, while the coordinator still serves: SIGTERM to every worker (the SDK
 * answers PREEMPTED for its running attempts, then Goodbye), wait for the workers to exit, then for the
 * coordinator to hold no running attempt. Bounded by `ms`; `force` cuts it short. Workers still alive then
 * are killed, and the run waits once more, at most one lease (`leaseMs`) and a tick, for the coordinator
 * to preempt the attempts of the killed workers (their leases lapse): even a forced stop leaves no attempt
 * "running" in the journal.
 */
async function drain(
  coordinator: Coordinator,
  children: { proc: ChildProcess; exited: boolean }[],
  ms: number,
  force: AbortSignal | undefined,
  log: (line: string) => void,
  leaseMs: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (const c of children) if (!c.exited) c.proc.kill("SIGTERM");
  while (Date.now() < deadline && !force?.aborted) {
    if (children.every(gone) && running(coordinator) === 0) return;
    await sleep(50);
  }
  const stuck = children.filter((c) => !gone(c));
  for (const c of stuck) c.proc.kill("SIGKILL");
  log(
    force?.aborted
      ? `runner: drain forced: ${stuck.length} worker(s) killed`
      : `runner: drain gave up after ${ms} ms: ${stuck.length} worker(s) killed`,
  );
  const leaseDeadline = Date.now() + leaseMs + 1000;
  while (Date.now() < leaseDeadline && running(coordinator) > 0) await sleep(50);
  if (running(coordinator) > 0)
    log(`runner: ${running(coordinator)} attempt(s) still running when the coordinator stopped`);
}

/** Waits for children to exit after Shutdown, then SIGTERM, then SIGKILL: no stray processes. */
async function reap(procs: ChildProcess[], graceMs: number): Promise<void> {
  // A process that failed to spawn has no pid and never exits: nothing to wait for.
  const alive = (p: ChildProcess): boolean =>
    p.pid !== undefined && p.exitCode === null && p.signalCode === null;
  // The timer is cleared once every process is gone: a pending timeout would keep Node alive for `ms`.
  const waitAll = async (ms: number): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(procs.filter(alive).map((p) => new Promise<void>((r) => p.once("exit", () => r())))),
      new Promise<void>((r) => {
        timer = setTimeout(r, ms);
      }),
    ]);
    clearTimeout(timer);
  };
  await waitAll(graceMs);
  for (const p of procs.filter(alive)) p.kill("SIGTERM");
  await waitAll(2000);
  for (const p of procs.filter(alive)) p.kill("SIGKILL");
}
