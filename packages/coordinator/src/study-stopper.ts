/**
 * The study stopper inside the coordinator (StudySpec.study_stopper): decides when a study's random
 * search has stopped paying, from the asymptotic law of random search (Lourie, Cho & He 2024; the noisy
 * quadratic tail of Lourie, He & Cho 2025).
 *
 * After `min_trials` finished i.i.d. search trials (random or Halton, first seed; list points and other
 * suggesters do not count) and then after every `every` further ones, the study's records go to a worker
 * thread that fits the law and decides (`evaluateStudyStopper` of @nadir/results).
 *
 * Decisions sit on the grid G = min_trials + j·every of finished search trials, and each one sees the
 * trials that had finished when the G-th search trial finished (in the journal's order). So a decision
 * depends only on the journal, not on how fast the law was fitted, and can be recomputed from it. When trials finish faster than the law is
 * fitted, the grid points passed during one evaluation are coalesced into the latest of them (the lag of a
 * decision stays at most one evaluation), and once the next grid point is reached while an evaluation is
 * in flight the study's queued trials wait for it (`holds`), so a stop is never overtaken by a run of fast
 * trials. Every decision is
 * journaled as a StopperDecision record, continue or stop, so the journal says why the study went on or
 * ended; a stop also stops the study from growing (the state book's `stopDecision`), after which the host
 * abandons the queued trials and lets the running ones finish, and the study completes with the decision
 * on its StudyStateChanged. An evaluation in flight holds the study open, so the last word always lands.
 *
 * The count that triggers an evaluation is kept incrementally (O(1) per finished trial); the evaluation
 * itself selects the exact sample. This module owns no socket: it commits records through its host.
 */
import { Worker } from "node:worker_threads";
import { nadir } from "@nadir/protocol";
import { isReplayStudy, parseSource, type StudyStopperRule, studyStopperRule } from "@nadir/results";
import type { JournalEntry } from "./journal.js";
import { isTerminal, resultOf, type StateBook, type StudyState, type TrialState } from "./state/book.js";
import type { StopperAnswer, StopperRequest } from "./study-stopper-thread.js";

const v1 = nadir.v1;
const S = v1.TrialState;
const ACTIVE = v1.StudyStateChanged.StudyState.STUDY_STATE_ACTIVE;

/** Evaluates a study's stopper on its records (an encoded Snapshot with one study) at time `now`. */
export type StopperEvaluator = (snapshot: Uint8Array, now: number) => Promise<nadir.v1.StopperDecision>;

/** What the study stopper needs from the coordinator around it. */
export interface StudyStopperHost {
  /** Journals an entry, applies it to the book, and resolves once it is durable. */
  commit(entry: JournalEntry): Promise<void>;
  /** A decision was journaled (and applied): act on a stop, publish the study's progress. */
  decided(st: StudyState, decision: nadir.v1.StopperDecision): void;
  /** Something that may end a study happened. */
  settled(): void;
  /** Asks for a scheduling pass (a study's held attempts may go on once its evaluation landed). */
  wake?(): void;
  log(line: string): void;
  now(): number;
}

interface Progress {
  /** The study's rule, read from its spec once. */
  rule: StudyStopperRule;
  /** Finished trials that can be in the i.i.d. search sample. */
  search: number;
  /** The grid point of the last evaluation asked for (undefined: never). */
  lastAt: number | undefined;
  inFlight: boolean;
}

/** Whether a finished trial can be in the stopper's i.i.d. search sample (random or Halton, first seed). */
export function countsAsSearch(t: TrialState): boolean {
  if (t.replicate !== 0) return false;
  const kind = parseSource(t.suggester).kind;
  // A replay study's list points are recorded random-search runs (see stopperSample).
  const replay = kind === "list" && isReplayStudy(t.study.spec);
  if (kind !== "random" && kind !== "halton" && !replay) return false;
  if (t.state === S.TRIAL_STATE_COMPLETED || t.state === S.TRIAL_STATE_DIVERGED) return true;
  return t.state === S.TRIAL_STATE_FAILED && t.failureKind !== v1.FailureKind.FAILURE_KIND_ENVIRONMENT;
}

/** See the module comment. */
export class StudyStopper {
  private readonly progress = new Map<StudyState, Progress>();
  private closed = false;

  constructor(
    private readonly book: StateBook,
    private readonly host: StudyStopperHost,
    private readonly evaluate: StopperEvaluator,
  ) {}

  /** Rebuilds the counts from the book (after replay) and evaluates studies that are due. */
  resume(): void {
    for (const st of this.book.studies.values()) {
      const rule = studyStopperRule(st.spec);
      if (!rule) continue;
      let search = 0;
      let before = 0;
      const last = st.decisions[st.decisions.length - 1];
      const at = Number(last?.atUnixMs ?? 0);
      for (const t of st.trials.values())
        if (countsAsSearch(t)) {
          search++;
          if (t.ended <= at) before++;
        }
      // The last decision's grid point: the latest one reached when it was asked for.
      const lastAt = last ? gridPoint(rule, before) : undefined;
      this.progress.set(st, { rule, search, lastAt, inFlight: false });
      this.maybeEvaluate(st);
    }
  }

  /** A trial of a live study reached a terminal state. */
  finished(t: TrialState): void {
    const p = this.progressOf(t.study);
    if (!p) return;
    if (countsAsSearch(t)) p.search++;
    this.maybeEvaluate(t.study);
  }

  /** Whether an evaluation of the study is in flight (the study must not end before it lands). */
  evaluating(st: StudyState): boolean {
    return this.progress.get(st)?.inFlight ?? false;
  }

  /**
   * Whether the study's queued trials must wait before they start: an evaluation is in flight and the
   * study has already reached the next grid point after it. Search trials that are fast next to a fit (a
   * replay; a toy model at a few milliseconds per trial; a fit takes about a second at a few hundred
   * trials) would otherwise run many decision intervals past the point where a stop was due; trials that
   * train for minutes never wait. So the overshoot of a stop is at most `every` finished search trials
   * plus those running when the grid point was reached.
   */
  holds(st: StudyState): boolean {
    const p = this.progress.get(st);
    return !!p && p.inFlight && p.lastAt !== undefined && p.search >= p.lastAt + p.rule.every;
  }

  /** No evaluation is started after this; answers still in flight are dropped. */
  close(): void {
    this.closed = true;
  }

  private progressOf(st: StudyState): Progress | undefined {
    let p = this.progress.get(st);
    if (!p) {
      const rule = studyStopperRule(st.spec);
      if (!rule) return undefined;
      p = { rule, search: 0, lastAt: undefined, inFlight: false };
      this.progress.set(st, p);
    }
    return p;
  }

  private maybeEvaluate(st: StudyState): void {
    const p = this.progress.get(st);
    if (!p || p.inFlight || this.closed) return;
    const { rule } = p;
    if (st.state !== ACTIVE || st.stopDecision) return;
    const g = gridPoint(rule, p.search);
    if (g === undefined || (p.lastAt !== undefined && g <= p.lastAt)) return;
    p.inFlight = true;
    p.lastAt = g;
    const trials = finishedAt(st, g).map((t) => resultOf(t, false));
    const snapshot = v1.Snapshot.encode({ studies: [st.spec], trials }).finish();
    const now = this.host.now();
    this.evaluate(snapshot, now)
      .catch(
        (err: Error): nadir.v1.StopperDecision =>
          // A stopper never ends a study on an error: it continues and says so.
          v1.StopperDecision.fromObject({
            studyId: st.spec.studyId,
            stop: false,
            reason: "analysis-failed",
            message: `continue: the stopper's evaluation failed (${err.message})`,
            studyTrials: trials.length,
            inTrials: rule.inTrials,
            gainThreshold: rule.gain,
            confidence: rule.confidence,
            atUnixMs: now,
          }),
      )
      .then(async (d) => {
        if (this.closed || st.state !== ACTIVE || st.stopDecision) return;
        await this.host.commit({ stopperDecision: d });
        this.host.log(`study ${st.spec.studyId}: stopper: ${d.message}`);
        this.host.decided(st, d);
      })
      .catch((err: Error) => this.host.log(`study ${st.spec.studyId}: stopper decision lost: ${err.message}`))
      .finally(() => {
        p.inFlight = false;
        this.maybeEvaluate(st);
        this.host.settled();
        this.host.wake?.();
      });
  }
}

/**
 * The latest decision point min_trials + j·every (j ≥ 0) at or below `search` finished search trials, or
 * undefined before min_trials.
 */
export function gridPoint(rule: StudyStopperRule, search: number): number | undefined {
  if (search < rule.minTrials) return undefined;
  return rule.minTrials + Math.floor((search - rule.minTrials) / rule.every) * rule.every;
}

/**
 * The study's trials that had finished when its `g`-th search trial finished (in the order they finished,
 * which a journal replay reproduces), in id order: what the decision at grid point `g` sees, so it can be
 * recomputed from the journal alone. O(n log n) per decision.
 */
export function finishedAt(st: StudyState, g: number): TrialState[] {
  const finished = [...st.trials.values()].filter((t) => isTerminal(t.state));
  finished.sort((a, b) => a.endOrder - b.endOrder);
  let seen = 0;
  let cut = finished.length;
  for (let i = 0; i < finished.length; i++) {
    if (!countsAsSearch(finished[i] as TrialState)) continue;
    if (++seen === g) {
      cut = i + 1;
      break;
    }
  }
  return finished.slice(0, cut).sort((a, b) => a.id - b.id);
}

/**
 * Runs evaluations on one worker thread (started on first use, unref'd so it never keeps the process
 * alive), one message per request, answers matched by id. A thread that dies fails its pending requests
 * (each then becomes an "analysis-failed" continue) and is restarted on the next request.
 */
export class ThreadEvaluator {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (d: nadir.v1.StopperDecision) => void; reject: (e: Error) => void }
  >();

  /** The evaluator function to hand to {@link StudyStopper}. */
  readonly evaluate: StopperEvaluator = (snapshot, now) =>
    new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      const req: StopperRequest = { id, snapshot, now };
      this.thread().postMessage(req);
    });

  /** Stops the thread; pending evaluations fail. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new Error("the coordinator is stopping"));
    if (w) await w.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(threadScript());
    w.unref();
    w.on("message", (a: StopperAnswer) => {
      const p = this.pending.get(a.id);
      if (!p) return;
      this.pending.delete(a.id);
      if ("error" in a) p.reject(new Error(a.error));
      else p.resolve(v1.StopperDecision.decode(a.decision));
    });
    w.on("error", (err) => {
      if (this.worker === w) this.worker = undefined;
      this.failAll(err);
    });
    w.on("exit", (code) => {
      if (this.worker === w) this.worker = undefined;
      this.failAll(new Error(`the stopper's thread exited with code ${code}`));
    });
    this.worker = w;
    return w;
  }

  private failAll(err: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(err);
  }
}

/** The thread's script: next to this module once built (tests run the sources against the built dist). */
function threadScript(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith(".ts")
    ? new URL("../dist/study-stopper-thread.js", here)
    : new URL("./study-stopper-thread.js", here);
}
