/**
 * `nadir serve` as a library call: loads study files, opens the journal, starts a {@link Coordinator}
 * and reports progress. The CLI only parses flags, calls {@link startServe}, prints and handles signals.
 */
import { nadir } from "@nadir/protocol";
import { Coordinator, type StudyCounts } from "./coordinator.js";
import { FileJournal, type FsyncPolicy, MemoryStore, type TrialStore } from "./journal.js";
import { serverCurveFromDir } from "./keys.js";
import { loadStudyFile, StudyValidationError } from "./study.js";

/** Options of {@link startServe}. */
export interface ServeOptions {
  studyFiles: string[];
  /**
   * A study stopper for every study served (`nadir serve --gain ... --in-trials ...`): replaces the one a
   * study file declares. A study that prunes (earlyStopping) cannot take it, and the error names the file.
   */
  studyStopper?: nadir.v1.StudyStopperSpec.$Properties;
  /** Default ["tcp://127.0.0.1:5555"]. Port 0 picks a free port. */
  bind?: string[];
  /** Journal directory; without it nothing is persisted. */
  journal?: string;
  fsync?: FsyncPolicy;
  curveKeysDir?: string;
  eventsBind?: string;
  heartbeatIntervalMs?: number;
  peerTimeoutMs?: number;
  reattachGraceMs?: number;
  maxFrameBytes?: number;
  rateLimitPerSecond?: number;
  compactEvery?: number;
  /**
   * Receives one human-readable line per event worth an operator's attention (the coordinator's log, see
   * CoordinatorOptions.log, plus torn journal tails found on open). Default: discard.
   */
  log?: (line: string) => void;
}

/** A running server. */
export interface ServeHandle {
  coordinator: Coordinator;
  endpoints: string[];
  eventsEndpoint: string | undefined;
  replayed: number;
  /** Resolves when every study is done. */
  done: Promise<void>;
  /** Stops serving (journal flushed); `shutdownWorkers` tells workers to exit first. */
  stop(opts?: { shutdownWorkers?: boolean }): Promise<void>;
}

/** Starts a coordinator from files and flags (see ServeOptions). */
export async function startServe(o: ServeOptions): Promise<ServeHandle> {
  if (o.studyFiles.length === 0) throw new RangeError("serve: at least one --study file is required");
  const studies = o.studyFiles.map((f) => {
    const spec = loadStudyFile(f);
    if (o.studyStopper) {
      if (spec.earlyStopping?.rule)
        throw new StudyValidationError(
          "studyStopper",
          `${f} prunes trials (earlyStopping ${spec.earlyStopping.rule}), so its survivors are not the i.i.d. sample the study stopper's law needs; serve it without the stopper flags, or drop earlyStopping`,
        );
      spec.studyStopper = nadir.v1.StudyStopperSpec.create(o.studyStopper);
    }
    return spec;
  });
  const log = o.log ?? (() => {});
  const store: TrialStore = o.journal
    ? new FileJournal(o.journal, { fsync: o.fsync ?? "always", onWarning: log })
    : new MemoryStore();
  const curve = o.curveKeysDir ? serverCurveFromDir(o.curveKeysDir) : undefined;
  const coordinator = new Coordinator({
    bind: o.bind ?? ["tcp://127.0.0.1:5555"],
    store,
    studies,
    log,
    ...(o.eventsBind ? { eventsBind: o.eventsBind } : {}),
    ...(curve ? { curve } : {}),
    ...(o.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: o.heartbeatIntervalMs } : {}),
    ...(o.peerTimeoutMs !== undefined ? { peerTimeoutMs: o.peerTimeoutMs } : {}),
    ...(o.reattachGraceMs !== undefined ? { reattachGraceMs: o.reattachGraceMs } : {}),
    ...(o.maxFrameBytes !== undefined ? { maxFrameBytes: o.maxFrameBytes } : {}),
    ...(o.rateLimitPerSecond !== undefined ? { rateLimitPerSecond: o.rateLimitPerSecond } : {}),
    ...(o.compactEvery !== undefined ? { compactEvery: o.compactEvery } : {}),
  });
  const started = await coordinator.start();
  return {
    coordinator,
    endpoints: started.endpoints,
    eventsEndpoint: started.eventsEndpoint,
    replayed: started.replayed,
    done: coordinator.whenDone(),
    stop: (opts) => coordinator.stop(opts),
  };
}

/**
 * The sentence for a study its stopper ended, e.g. "stopped after 64 search trials (80 trials of the 200
 * budgeted): 32 more would gain at most 0.0012 at 80% (threshold 0.002)"; undefined when the study's
 * stopper has not stopped it. `nadir run` and `nadir serve` print it when the study ends.
 */
export function stoppedSentence(c: StudyCounts): string | undefined {
  const d = c.stopper;
  if (!d?.stop) return undefined;
  return `stopped after ${d.searchTrials} search trials (${c.created} trials of the ${c.maxTrials} budgeted): ${d.message.replace(/^stop after \d+ trials: /, "")}`;
}

/**
 * A study stopper's decision in a few words, e.g. "stopper: continue at 48 search trials (gain <= 0.51,
 * threshold 0.5)" or "stopper: STOP at 64 search trials (gain <= 0.0012, threshold 0.002)"; the decision's
 * own `message` is the full sentence.
 */
export function stopperSummary(d: nadir.v1.StopperDecision.$Properties): string {
  const g = d.gainBound;
  const bound =
    g === null || g === undefined ? d.reason : `gain <= ${Number(Number(g).toPrecision(3)).toString()}`;
  const why = d.reason === "interval-narrow" ? "interval narrow enough" : bound;
  return `stopper: ${d.stop ? "STOP" : "continue"} at ${d.searchTrials ?? 0} search trials (${why}, threshold ${Number(d.gainThreshold ?? 0)})`;
}

/**
 * One-line progress summary, e.g. "s1: 12/40 done, 4 running, 2 queued, best 0.1234", with the study
 * stopper's latest decision when there is one.
 */
export function progressLine(counts: readonly StudyCounts[]): string {
  return counts
    .map((c) => {
      const done = c.completed + c.pruned + c.failed + c.diverged + c.infeasible + c.abandoned;
      const best = c.best === undefined ? "-" : Number(c.best.toPrecision(6)).toString();
      const stopper = c.stopper ? `, ${stopperSummary(c.stopper)}` : "";
      return `${c.studyId}: ${done}/${c.maxTrials} done, ${c.running} running, ${c.queued} queued, best ${best}${stopper}${c.done ? " (finished)" : ""}`;
    })
    .join(" | ");
}
