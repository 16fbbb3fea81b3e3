/**
 * The state book: the coordinator's business state, rebuilt from journal records and nothing else.
 *
 * Every change is a JournalRecord applied by one `apply*` method per record kind, the same way live and
 * during replay (an event-sourced log, as in Optuna's JournalStorage replay), so a restarted coordinator
 * rebuilds exactly the state its journal describes. The book owns no socket and no timer; time comes
 * from the injected clock (leases) or from the record itself (recorded_unix_ms). It knows workers by
 * their ids only: which connection holds an attempt is the wire shell's business (see `onRelease`).
 *
 * Cost is flat in the study size: per-state counters, the set of running attempts (per study, per worker
 * id and overall), the set of unfinished trials and the suggesters' history are kept incrementally, so no
 * message handler walks all trials.
 */
import { nadir } from "@nadir/protocol";
import type { Measurement, ParameterValue, Stopper, TrialResult } from "@nadir/sdk";
import { orientedValue } from "@nadir/sdk";
import type { JournalEntry, JournalRecord } from "../journal.js";
import { stopperFor } from "../stoppers.js";
import { specFingerprint } from "../study.js";

const v1 = nadir.v1;
const S = v1.TrialState;
const ACTIVE = v1.StudyStateChanged.StudyState.STUDY_STATE_ACTIVE;

/** In-memory measurements kept per attempt before thinning (the journal keeps every report). */
export const MAX_KEPT_MEASUREMENTS = 1000;
/** Attempts of one trial lost to preemption before it is marked FAILED (guards against crash loops). */
export const MAX_PREEMPTED_ATTEMPTS = 20;

/**
 * The report sequence numbers seen for one attempt, in O(1) memory for in-order delivery: everything up to
 * `contiguous` was seen, plus a small set of numbers above it (reports that arrived out of order).
 */
export class SequenceSet {
  private contiguous = 0;
  /** Created on the first out-of-order number only: most attempts never need it (memory per trial). */
  private above: Set<number> | undefined;
  /**
   * Whether report number `seq` was seen (added) before: the duplicate check that makes a report resent
   * after a lost acknowledgement, or a record re-applied during replay, change nothing. Also true for
   * numbers inside a gap given up on (see {@link SequenceSet.add}).
   */
  has(seq: number): boolean {
    return seq <= this.contiguous || (this.above?.has(seq) ?? false);
  }
  /**
   * Records report number `seq` as seen (numbering starts at 1; adding a number already seen changes
   * nothing). In-order numbers only advance a counter, so memory stays O(1); an out-of-order number is
   * kept in a set until the gap below it fills. Memory is bounded: past 4,096 pending out-of-order numbers
   * the gap below the smallest one is treated as seen, so a late report from inside it is then taken for
   * a duplicate.
   */
  add(seq: number): void {
    if (seq <= this.contiguous) return;
    if (seq === this.contiguous + 1 && !this.above) {
      this.contiguous = seq;
      return;
    }
    this.above ??= new Set();
    const above = this.above;
    above.add(seq);
    while (above.delete(this.contiguous + 1)) this.contiguous += 1;
    // A peer that skips numbers must not grow this without bound: past 4096 gaps, the gap below the
    // smallest number seen is treated as seen (a late report from inside it is then called a duplicate).
    if (above.size > 4096) {
      this.contiguous = Math.min(...above);
      above.delete(this.contiguous);
      while (above.delete(this.contiguous + 1)) this.contiguous += 1;
    }
    if (above.size === 0) this.above = undefined;
  }
}

/** One study as the journal describes it. */
export interface StudyState {
  spec: nadir.v1.StudySpec;
  fingerprint: string;
  trials: Map<number, TrialState>;
  /** Trials waiting for a worker, re-queued attempts first. */
  queue: TrialState[];
  nextTrialId: number;
  /** Distinct points created (a point with k replicates counts once): the suggester's position. */
  points: number;
  /** A created trial said its suggester has nothing more (TrialCreated.metadata.exhausted). */
  exhausted: boolean;
  stopper: Stopper | undefined;
  state: number;
  best: { value: number; raw: number; ref: nadir.v1.TrialRef.$Properties } | undefined;
  /** Trials by state (index = TrialState value). */
  byState: number[];
  /** Attempts RUNNING or STOPPING. */
  running: Set<TrialState>;
  /** Trials not in a terminal state. */
  live: Set<TrialState>;
  /** Every trial's TrialResult view (no measurements), in trial-id order: what suggesters are shown. */
  history: TrialResult[];
  /** Every study-stopper decision journaled, in order (StopperDecision records). */
  decisions: nadir.v1.StopperDecision[];
  /**
   * The study stopper decided to stop: no trial is created or assigned any more; the study completes
   * once its running trials have finished (queued ones are abandoned by the coordinator).
   */
  stopDecision: nadir.v1.StopperDecision | undefined;
}

/** One trial (its current attempt). */
export interface TrialState {
  study: StudyState;
  id: number;
  parameters: Record<string, ParameterValue>;
  seed: number;
  suggester: string;
  listIndex: number | undefined;
  replicate: number;
  state: number;
  attempt: number;
  /** Next assignment reuses `attempt` (after a TrialRejected) instead of attempt + 1. */
  reuseAttempt: boolean;
  failures: number;
  workerId: string;
  /** The CURVE key the worker proved when the attempt was assigned ("" without a proof). */
  workerKey: string;
  /** When the current attempt's lease runs out (clock time; renewed by reports and heartbeats). */
  leaseExpires: number;
  measurements: Measurement[];
  seqs: SequenceSet;
  final: Measurement | undefined;
  target: nadir.v1.TargetOutcome.$Properties | undefined;
  failureKind: number;
  message: string;
  started: number;
  ended: number;
  /**
   * Rank among the book's finished trials, in the order they finished (the journal's order; a compacted
   * journal's snapshot lists finished trials in this order, so it survives compaction). 0 while unfinished.
   */
  endOrder: number;
  stopReason: number;
  stopMessage: string;
  /** Position in `study.history`. */
  historyIndex: number;
}

/** Counts of a study's trials by state, plus the best objective so far. */
export interface StudyCounts {
  studyId: string;
  queued: number;
  running: number;
  completed: number;
  pruned: number;
  failed: number;
  diverged: number;
  infeasible: number;
  abandoned: number;
  created: number;
  maxTrials: number;
  best: number | undefined;
  done: boolean;
  /** The study stopper's latest decision (undefined without a stopper or before its first evaluation). */
  stopper: nadir.v1.StopperDecision | undefined;
}

/** What the live scheduler adds to a study's done-ness (the book alone knows only the journal). */
export interface SchedulerView {
  /** A suggestion request is in flight. */
  suggesting: boolean;
  /** The study has no usable suggester (it could not be built). */
  noSuggester: boolean;
  /** The suggester said it is exhausted without creating a trial that records it. */
  exhausted: boolean;
  /** A study-stopper evaluation is in flight (its decision must land before the study can end). */
  evaluating?: boolean;
}

/** A stop decision taken while applying a live report (target reached or pruned by the stopper). */
export interface StopDecision {
  stop: number;
  message: string;
}

/** Options of {@link StateBook}. */
export interface StateBookOptions {
  /** Lease length given to a new or renewed attempt, in ms. */
  leaseMs: number;
  /** Time source for leases and progress stamps (default Date.now). */
  clock?: () => number;
  /** Called when an attempt leaves RUNNING/STOPPING (so the shell can unbind it from its connection). */
  onRelease?: (t: TrialState) => void;
}

const TERMINAL = new Set<number>([
  S.TRIAL_STATE_COMPLETED,
  S.TRIAL_STATE_PRUNED,
  S.TRIAL_STATE_FAILED,
  S.TRIAL_STATE_DIVERGED,
  S.TRIAL_STATE_INFEASIBLE,
  S.TRIAL_STATE_ABANDONED,
]);

/** Whether a trial state is final. */
export function isTerminal(state: number): boolean {
  return TERMINAL.has(state);
}

/** Whether a trial state holds a worker (RUNNING or STOPPING). */
export function isRunning(state: number): boolean {
  return state === S.TRIAL_STATE_RUNNING || state === S.TRIAL_STATE_STOPPING;
}

/** The TrialRef of a trial's attempt (default: its current one). */
export function refOf(t: TrialState, attempt = t.attempt): nadir.v1.TrialRef.$Properties {
  return { studyId: t.study.spec.studyId, trialId: t.id, attempt };
}

/** A TrialResult view of a trial (what suggesters observe, snapshots keep and exports contain). */
export function resultOf(t: TrialState, withMeasurements: boolean): TrialResult {
  return {
    trial: refOf(t),
    state: t.state,
    parameters: t.parameters,
    ...(t.final ? { final: t.final } : {}),
    measurements: withMeasurements ? t.measurements : [],
    ...(t.target ? { target: t.target } : {}),
    seed: t.seed,
    ...(t.listIndex !== undefined ? { listIndex: t.listIndex } : {}),
    suggester: t.suggester,
    workerId: t.workerId,
    failureKind: t.failureKind,
    message: t.message,
    startedUnixMs: t.started,
    endedUnixMs: t.ended,
    replicate: t.replicate,
  };
}

/** The state book (see the module comment). */
export class StateBook {
  readonly studies = new Map<string, StudyState>();
  /** Running attempts of all studies (lease checks walk only these). */
  readonly running = new Set<TrialState>();
  private readonly byWorker = new Map<string, Set<TrialState>>();
  private readonly clock: () => number;
  private readonly leaseMs: number;
  private readonly onRelease: (t: TrialState) => void;
  private finishedCount = 0;

  constructor(opts: StateBookOptions) {
    if (!(Number.isFinite(opts.leaseMs) && opts.leaseMs > 0))
      throw new RangeError(`StateBook: leaseMs must be a positive number, got ${opts.leaseMs}`);
    this.leaseMs = opts.leaseMs;
    this.clock = opts.clock ?? Date.now;
    this.onRelease = opts.onRelease ?? (() => {});
  }

  // ------------------------------------------------------------------------------------------ apply

  /** Applies a journal record read back from storage (replay). */
  applyRecord(r: JournalRecord): void {
    const kind = r.entry;
    if (!kind) return;
    this.apply({ [kind]: r[kind], recordedUnixMs: r.recordedUnixMs } as JournalEntry, true);
  }

  /**
   * Applies one entry; returns the stop decision a live report calls for (never during replay, where the
   * decision's effect, STOPPING, is rebuilt without acting on it again).
   */
  apply(e: JournalEntry, replay: boolean): StopDecision | undefined {
    const at = Number(e.recordedUnixMs ?? 0);
    if (e.snapshot) this.applySnapshot(e.snapshot as nadir.v1.Snapshot);
    else if (e.studyCreated) this.applyStudyCreated(v1.StudySpec.fromObject(e.studyCreated));
    else if (e.studyStateChanged) this.applyStudyState(e.studyStateChanged);
    else if (e.trialCreated) this.applyTrialCreated(e.trialCreated);
    else if (e.attemptAssigned) this.applyAssigned(e.attemptAssigned, at);
    else if (e.trialReport) return this.applyReport(e.trialReport, replay);
    else if (e.trialCompleted) this.applyCompleted(e.trialCompleted, at);
    else if (e.trialFailed) this.applyFailed(e.trialFailed, at);
    else if (e.trialStopped) this.applyStopped(e.trialStopped, at);
    else if (e.trialEvent) this.applyEvent(e.trialEvent, at);
    else if (e.stopperDecision) this.applyStopperDecision(e.stopperDecision);
    return undefined;
  }

  /**
   * StudyCreated: adds the study, ACTIVE, with no trials, its spec fingerprint and the stopper its spec
   * names. A study id already present is left as it is (the first spec journaled wins, and re-applying the
   * record is idempotent).
   */
  applyStudyCreated(spec: nadir.v1.StudySpec): void {
    if (this.studies.has(spec.studyId)) return;
    this.studies.set(spec.studyId, {
      spec,
      fingerprint: specFingerprint(spec),
      trials: new Map(),
      queue: [],
      nextTrialId: 1,
      points: 0,
      exhausted: false,
      stopper: stopperFor(spec),
      state: ACTIVE,
      best: undefined,
      byState: [],
      running: new Set(),
      live: new Set(),
      history: [],
      decisions: [],
      stopDecision: undefined,
    });
  }

  /** StudyStateChanged: sets the study's state (e.g. COMPLETED once its budget is spent); unknown ids are ignored. */
  applyStudyState(c: nadir.v1.StudyStateChanged.$Properties): void {
    const st = this.studies.get(c.studyId ?? "");
    if (!st) return;
    st.state = c.state ?? st.state;
    if (c.stopper?.stop && !st.stopDecision) st.stopDecision = v1.StopperDecision.fromObject(c.stopper);
  }

  /**
   * StopperDecision: appends the study stopper's decision to its study's list; a decision to stop also
   * stops the study from growing ({@link StudyState.stopDecision}). Unknown study ids are ignored; a
   * decision already applied (same time stamp and search-trial count) is not appended twice.
   */
  applyStopperDecision(d: nadir.v1.StopperDecision.$Properties): void {
    const st = this.studies.get(d.studyId ?? "");
    if (!st) return;
    const decision = v1.StopperDecision.fromObject(d);
    const last = st.decisions[st.decisions.length - 1];
    if (
      last &&
      Number(last.atUnixMs) === Number(decision.atUnixMs) &&
      last.searchTrials === decision.searchTrials &&
      last.stop === decision.stop
    )
      return;
    st.decisions.push(decision);
    if (decision.stop && !st.stopDecision) st.stopDecision = decision;
  }

  /**
   * TrialCreated: adds the trial QUEUED at the back of its study's queue with its parameters, seed,
   * suggester, list index and replicate, and advances the study's next trial id past it. Replicate 0
   * counts a new point (the suggester's position); `metadata.exhausted = "true"` marks the suggester
   * exhausted. Ignored for an unknown study or a trial id already present (idempotent).
   */
  applyTrialCreated(tc: nadir.v1.TrialCreated.$Properties): void {
    const st = this.studies.get(tc.trial?.studyId ?? "");
    if (!st) return;
    const id = tc.trial?.trialId ?? 0;
    if (st.trials.has(id)) return; // re-applied record: idempotent
    const t: TrialState = {
      study: st,
      id,
      parameters: (tc.parameters ?? {}) as Record<string, ParameterValue>,
      seed: Number(tc.seed ?? 0),
      suggester: tc.suggester ?? "",
      listIndex: tc.listIndex ?? undefined,
      replicate: tc.replicate ?? 0,
      state: S.TRIAL_STATE_UNSPECIFIED,
      attempt: tc.trial?.attempt ?? 0,
      reuseAttempt: false,
      failures: 0,
      workerId: "",
      workerKey: "",
      leaseExpires: 0,
      measurements: [],
      seqs: new SequenceSet(),
      final: undefined,
      target: undefined,
      failureKind: 0,
      message: "",
      started: 0,
      ended: 0,
      endOrder: 0,
      stopReason: 0,
      stopMessage: "",
      historyIndex: -1,
    };
    st.trials.set(id, t);
    this.insertHistory(t);
    this.setState(t, S.TRIAL_STATE_QUEUED);
    st.queue.push(t);
    st.nextTrialId = Math.max(st.nextTrialId, id + 1);
    if (t.replicate === 0) st.points += 1;
    if (tc.metadata?.exhausted === "true") st.exhausted = true;
  }

  /**
   * AttemptAssigned: the trial leaves the queue and its attempt (the record's, else the next one) becomes
   * RUNNING on the named worker, with fresh measurements and report numbers, `started = at` (the record's
   * time, Unix ms) and a lease of `leaseMs` from the clock's now. A newer attempt supersedes one still
   * marked running. Ignored for an unknown or finished trial, or when the same attempt already runs
   * (idempotent).
   */
  applyAssigned(a: nadir.v1.AttemptAssigned.$Properties, at: number): void {
    const t = this.trial(a.assignment?.trial);
    if (!t || isTerminal(t.state)) return;
    const attempt = a.assignment?.trial?.attempt ?? t.attempt + 1;
    if (isRunning(t.state) && attempt === t.attempt) return; // re-applied record
    this.unqueue(t);
    // A newer attempt of a trial still marked running supersedes it (leave the running indexes first).
    if (isRunning(t.state)) this.setState(t, S.TRIAL_STATE_QUEUED);
    t.attempt = attempt;
    t.reuseAttempt = false;
    t.workerId = a.workerId ?? "";
    t.workerKey = a.workerKey ?? "";
    t.measurements = [];
    t.seqs = new SequenceSet();
    t.target = undefined;
    t.stopReason = 0;
    t.started = at;
    t.leaseExpires = this.clock() + this.leaseMs;
    this.setState(t, S.TRIAL_STATE_RUNNING);
  }

  /** Applies a report; returns the stop decision to act on (live only). */
  applyReport(r: nadir.v1.TrialReport.$Properties, replay: boolean): StopDecision | undefined {
    const t = this.trial(r.trial);
    if (!t || !r.measurement) return undefined;
    const seq = Number(r.sequence ?? 0);
    if (seq >= 1 && t.seqs.has(seq)) return undefined; // re-applied record
    t.seqs.add(seq);
    const m = r.measurement as Measurement;
    t.measurements.push(m);
    // Memory stays bounded however many reports an attempt sends: past 2 x MAX_KEPT_MEASUREMENTS, every
    // other older measurement is dropped (the first and the newest are always kept). The journal keeps all.
    if (t.measurements.length >= 2 * MAX_KEPT_MEASUREMENTS)
      t.measurements = t.measurements.filter((_, i, a) => i % 2 === 0 || i === a.length - 1);
    const spec = t.study.spec;
    let decision: StopDecision | undefined;
    if (spec.target && !t.target?.reached) {
      const v = m.metrics?.[spec.target.metric ?? ""];
      const thr = Number(spec.target.threshold);
      if (v !== undefined && v !== null) {
        const reached = spec.target.direction === v1.Direction.DIRECTION_MINIMIZE ? v <= thr : v >= thr;
        if (reached) {
          t.target = {
            reached: true,
            step: Number(m.step ?? 0),
            elapsedSeconds: m.elapsedSeconds ?? 0,
            value: v,
          };
          if (spec.target.stopWhenReached && t.state === S.TRIAL_STATE_RUNNING) {
            decision = {
              stop: v1.StopReason.STOP_REASON_TARGET_REACHED,
              message: `target ${spec.target.metric} ${v} reached at step ${m.step}`,
            };
          }
        }
      }
    }
    if (t.study.stopper) {
      const d = t.study.stopper.onReport({ ref: refOf(t), measurements: t.measurements }, m);
      if (d.stop && !decision && t.state === S.TRIAL_STATE_RUNNING)
        decision = { stop: v1.StopReason.STOP_REASON_PRUNED, message: d.reason };
    }
    if (decision) {
      this.setState(t, S.TRIAL_STATE_STOPPING);
      t.stopReason = decision.stop;
      t.stopMessage = decision.message;
    }
    return replay ? undefined : decision;
  }

  /**
   * TrialCompleted: the running attempt ends COMPLETED at `at` (Unix ms) with the record's final
   * measurement (else its last report), its target outcome (not reached when the study has a target and
   * the record says none), and the study's best value updated. Ignored unless the record names the
   * current running attempt, so a duplicate or a late result of a lost attempt changes nothing.
   */
  applyCompleted(c: nadir.v1.TrialCompleted.$Properties, at: number): void {
    const t = this.current(c.trial);
    if (!t) return;
    if (c.target?.reached) t.target = c.target;
    else if (!t.target && t.study.spec.target) t.target = { reached: false };
    this.finish(t, S.TRIAL_STATE_COMPLETED, at, c.final as Measurement | undefined);
  }

  /**
   * TrialFailed, by failure kind: DIVERGED and INFEASIBLE end the trial in that state (INFEASIBLE may name
   * a trial that never ran); PREEMPTED re-queues it as a new attempt (FAILED after
   * {@link MAX_PREEMPTED_ATTEMPTS}); any other kind counts a failure and re-queues it until
   * `budget.maxAttemptsPerTrial` (default 1) failures, then ends it FAILED. `at` is the record's time (Unix
   * ms). Ignored for a finished trial or, except INFEASIBLE, an attempt that is not the running one.
   */
  applyFailed(f: nadir.v1.TrialFailed.$Properties, at: number): void {
    const K = v1.FailureKind;
    // An infeasible point ends before any attempt ran; every other failure ends the running attempt.
    const t = f.kind === K.FAILURE_KIND_INFEASIBLE ? this.trial(f.trial) : this.current(f.trial);
    if (!t || isTerminal(t.state)) return;
    t.failureKind = f.kind ?? 0;
    const last = f.last as Measurement | undefined;
    switch (f.kind) {
      case K.FAILURE_KIND_DIVERGED:
        return this.finish(t, S.TRIAL_STATE_DIVERGED, at, last, f.message ?? "");
      case K.FAILURE_KIND_INFEASIBLE:
        return this.finish(t, S.TRIAL_STATE_INFEASIBLE, at, last, f.message ?? "");
      case K.FAILURE_KIND_PREEMPTED:
        return this.preemptOrFail(t, at, f.message ?? "preempted");
      default: {
        t.failures += 1;
        const maxAttempts = t.study.spec.budget?.maxAttemptsPerTrial || 1;
        if (t.failures >= maxAttempts) this.finish(t, S.TRIAL_STATE_FAILED, at, last, f.message ?? "");
        else this.requeue(t, false);
      }
    }
  }

  /**
   * TrialStopped (the worker's answer to a StopTrial), by stop reason: PRUNED ends the trial PRUNED;
   * TARGET_REACHED ends it COMPLETED; LEASE_REVOKED and PAUSED re-queue it as a new attempt (as a
   * preemption, FAILED after {@link MAX_PREEMPTED_ATTEMPTS}); any other reason ends it ABANDONED. The
   * record's last measurement becomes the final one; `at` is the record's time (Unix ms). Ignored unless
   * the record names the current running attempt.
   */
  applyStopped(s: nadir.v1.TrialStopped.$Properties, at: number): void {
    const t = this.current(s.trial);
    if (!t) return;
    const R = v1.StopReason;
    if (s.target?.reached) t.target = s.target;
    const last = s.last as Measurement | undefined;
    switch (s.reason) {
      case R.STOP_REASON_PRUNED:
        return this.finish(t, S.TRIAL_STATE_PRUNED, at, last, t.stopMessage || "pruned by the worker");
      case R.STOP_REASON_TARGET_REACHED:
        return this.finish(t, S.TRIAL_STATE_COMPLETED, at, last, t.stopMessage);
      case R.STOP_REASON_LEASE_REVOKED:
      case R.STOP_REASON_PAUSED:
        return this.preemptOrFail(t, at, "stopped by the worker");
      default:
        return this.finish(t, S.TRIAL_STATE_ABANDONED, at, last, "stopped");
    }
  }

  /** Coordinator-originated transitions (preemption, rejection, abandonment) are journaled as TrialEvents. */
  applyEvent(ev: nadir.v1.TrialEvent.$Properties, at: number): void {
    const t = this.trial(ev.trial);
    if (!t || isTerminal(t.state)) return;
    if (ev.state === S.TRIAL_STATE_PREEMPTED) {
      const attempt = ev.trial?.attempt ?? 0;
      // A re-applied PREEMPTED of an attempt already re-queued (or superseded) changes nothing.
      if (attempt < t.attempt || (!isRunning(t.state) && attempt === t.attempt && attempt > 0)) return;
      t.attempt = Math.max(t.attempt, attempt);
      this.preemptOrFail(t, at, ev.reason ?? "");
    } else if (ev.state === S.TRIAL_STATE_QUEUED) {
      if (isRunning(t.state)) this.requeue(t, true);
    } else if (ev.state === S.TRIAL_STATE_ABANDONED) {
      this.finish(t, S.TRIAL_STATE_ABANDONED, at, undefined, ev.reason ?? "");
    }
  }

  /** A compaction snapshot: studies, their states, and every finished trial as a TrialResult. */
  applySnapshot(snap: nadir.v1.Snapshot): void {
    for (const spec of snap.studies) this.applyStudyCreated(v1.StudySpec.fromObject(spec));
    for (const ss of snap.studyStates) this.applyStudyState(ss);
    for (const r of snap.trials) {
      const st = this.studies.get(r.trial?.studyId ?? "");
      if (!st || st.trials.has(r.trial?.trialId ?? 0)) continue;
      this.applyTrialCreated({
        trial: r.trial,
        parameters: r.parameters,
        seed: r.seed,
        suggester: r.suggester,
        ...(r.listIndex !== null && r.listIndex !== undefined ? { listIndex: r.listIndex } : {}),
        replicate: r.replicate ?? 0,
      });
      const t = st.trials.get(r.trial?.trialId ?? 0) as TrialState;
      t.attempt = r.trial?.attempt ?? 0;
      t.measurements = (r.measurements ?? []) as Measurement[];
      t.workerId = r.workerId ?? "";
      t.failureKind = r.failureKind ?? 0;
      t.started = Number(r.startedUnixMs ?? 0);
      if (r.target) t.target = r.target;
      this.finish(
        t,
        r.state ?? 0,
        Number(r.endedUnixMs ?? 0),
        r.final as Measurement | undefined,
        r.message ?? "",
      );
    }
  }

  // ----------------------------------------------------------------------------------- transitions

  /** Every state change goes through here, so the counters and indexes never drift. */
  private setState(t: TrialState, state: number): void {
    const st = t.study;
    const before = t.state;
    if (before === state) return;
    if (before !== S.TRIAL_STATE_UNSPECIFIED) st.byState[before] = (st.byState[before] ?? 0) - 1;
    st.byState[state] = (st.byState[state] ?? 0) + 1;
    t.state = state;
    const wasRunning = isRunning(before);
    const nowRunning = isRunning(state);
    if (wasRunning && !nowRunning) this.release(t);
    else if (nowRunning && !wasRunning) {
      st.running.add(t);
      this.running.add(t);
      if (t.workerId) {
        let set = this.byWorker.get(t.workerId);
        if (!set) {
          set = new Set();
          this.byWorker.set(t.workerId, set);
        }
        set.add(t);
      }
    }
    if (isTerminal(state)) st.live.delete(t);
    else st.live.add(t);
    this.refreshHistory(t);
  }

  /** Drops a running attempt from the running indexes and tells the shell. */
  private release(t: TrialState): void {
    if (!this.running.delete(t)) return;
    t.study.running.delete(t);
    const set = this.byWorker.get(t.workerId);
    if (set) {
      set.delete(t);
      if (set.size === 0) this.byWorker.delete(t.workerId);
    }
    this.onRelease(t);
  }

  private unqueue(t: TrialState): void {
    const q = t.study.queue.indexOf(t);
    if (q >= 0) t.study.queue.splice(q, 1);
  }

  private finish(
    t: TrialState,
    state: number,
    at: number,
    last: Measurement | null | undefined,
    message = "",
  ): void {
    t.ended = at;
    t.endOrder = ++this.finishedCount;
    if (last) t.final = last;
    else if (!t.final) t.final = t.measurements[t.measurements.length - 1];
    t.message = message;
    this.unqueue(t);
    this.setState(t, state);
    const st = t.study;
    if (state === S.TRIAL_STATE_COMPLETED) {
      const spec = st.spec;
      const raw = t.final?.metrics?.[spec.objective?.metric ?? ""];
      const value = orientedValue(t.final, spec.objective?.metric ?? "", spec.objective?.direction ?? 1);
      if (raw !== undefined && raw !== null && !Number.isNaN(value) && (!st.best || value < st.best.value))
        st.best = { value, raw, ref: refOf(t) };
    }
    st.stopper?.onTerminal?.(resultOf(t, false));
  }

  /** Puts a trial back in the queue: a new attempt unless `reuse` (the attempt never ran). */
  private requeue(t: TrialState, reuse: boolean): void {
    t.reuseAttempt = reuse;
    this.setState(t, S.TRIAL_STATE_QUEUED);
    // Re-queued attempts go first: finishing started trials beats starting new ones.
    if (!t.study.queue.includes(t)) t.study.queue.unshift(t);
  }

  private preemptOrFail(t: TrialState, at: number, reason: string): void {
    const R = v1.StopReason;
    if (t.state === S.TRIAL_STATE_STOPPING && t.stopReason === R.STOP_REASON_PRUNED) {
      this.finish(t, S.TRIAL_STATE_PRUNED, at, undefined, `${t.stopMessage} (worker lost before it stopped)`);
    } else if (t.state === S.TRIAL_STATE_STOPPING && t.stopReason === R.STOP_REASON_TARGET_REACHED) {
      this.finish(
        t,
        S.TRIAL_STATE_COMPLETED,
        at,
        undefined,
        `${t.stopMessage} (worker lost before it stopped)`,
      );
    } else if (t.attempt >= MAX_PREEMPTED_ATTEMPTS) {
      this.finish(
        t,
        S.TRIAL_STATE_FAILED,
        at,
        undefined,
        `${t.attempt} attempts lost to preemption; last: ${reason}`,
      );
    } else {
      this.requeue(t, false);
    }
  }

  // --------------------------------------------------------------------------------------- history

  /** Keeps `history` in trial-id order; ids grow, so this is a push except after a compacted replay. */
  private insertHistory(t: TrialState): void {
    const h = t.study.history;
    const lastId = h.length > 0 ? (h[h.length - 1]?.trial?.trialId ?? 0) : 0;
    if (t.id > lastId) {
      t.historyIndex = h.length;
      h.push(resultOf(t, false));
      return;
    }
    let lo = 0;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((h[mid]?.trial?.trialId ?? 0) < t.id) lo = mid + 1;
      else hi = mid;
    }
    h.splice(lo, 0, resultOf(t, false));
    t.historyIndex = lo;
    for (let i = lo + 1; i < h.length; i++) {
      const other = t.study.trials.get(h[i]?.trial?.trialId ?? 0);
      if (other) other.historyIndex = i;
    }
  }

  private refreshHistory(t: TrialState): void {
    if (t.historyIndex >= 0) t.study.history[t.historyIndex] = resultOf(t, false);
  }

  // ---------------------------------------------------------------------------------------- queries

  /** The trial a TrialRef names (any attempt), if any. */
  trial(ref: nadir.v1.TrialRef.$Properties | null | undefined): TrialState | undefined {
    return this.studies.get(ref?.studyId ?? "")?.trials.get(ref?.trialId ?? 0);
  }

  /**
   * The trial whose running attempt a terminal record names; undefined for any other attempt, so a record
   * applied twice (or about an attempt already lost) changes nothing.
   */
  private current(ref: nadir.v1.TrialRef.$Properties | null | undefined): TrialState | undefined {
    const t = this.trial(ref);
    return t && isRunning(t.state) && (ref?.attempt ?? 0) === t.attempt ? t : undefined;
  }

  /** Running attempts journaled as assigned to this worker id. */
  runningOf(workerId: string): ReadonlySet<TrialState> {
    return this.byWorker.get(workerId) ?? EMPTY;
  }

  /** Renews the lease of a running attempt. */
  renewLease(t: TrialState, ms = this.leaseMs): void {
    t.leaseExpires = this.clock() + ms;
  }

  /** Running attempts whose lease ran out at `now` (walks running attempts only). */
  expiredLeases(now = this.clock()): TrialState[] {
    const out: TrialState[] = [];
    for (const t of this.running) if (t.leaseExpires < now) out.push(t);
    return out;
  }

  /** Trials queued or running, as refs (what batch-aware suggesters treat as pending). */
  pending(st: StudyState): nadir.v1.TrialRef.$Properties[] {
    const out: nadir.v1.TrialRef.$Properties[] = [];
    for (const t of st.live) out.push(refOf(t));
    return out.sort((a, b) => (a.trialId ?? 0) - (b.trialId ?? 0));
  }

  /** Trials that reached `maxFailedTrials`' kind of failure (FAILED). */
  failedCount(st: StudyState): number {
    return st.byState[S.TRIAL_STATE_FAILED] ?? 0;
  }

  /** Whether the study's budget (or its suggester) is spent and nothing is left unfinished. */
  studyDone(st: StudyState, sched?: SchedulerView): boolean {
    if (st.state !== ACTIVE) return true;
    if (st.live.size > 0 || sched?.suggesting || sched?.evaluating) return false;
    if (st.stopDecision) return true;
    const maxFailed = st.spec.budget?.maxFailedTrials ?? 0;
    return (
      st.trials.size >= (st.spec.budget?.maxTrials ?? 0) ||
      st.exhausted ||
      !!sched?.exhausted ||
      !!sched?.noSuggester ||
      (maxFailed > 0 && this.failedCount(st) >= maxFailed)
    );
  }

  /** Counts of one study's trials (O(1): kept incrementally). */
  counts(st: StudyState, sched?: SchedulerView): StudyCounts {
    const n = (s: number): number => st.byState[s] ?? 0;
    return {
      studyId: st.spec.studyId,
      queued: n(S.TRIAL_STATE_QUEUED),
      running: n(S.TRIAL_STATE_RUNNING) + n(S.TRIAL_STATE_STOPPING),
      completed: n(S.TRIAL_STATE_COMPLETED),
      pruned: n(S.TRIAL_STATE_PRUNED),
      failed: n(S.TRIAL_STATE_FAILED),
      diverged: n(S.TRIAL_STATE_DIVERGED),
      infeasible: n(S.TRIAL_STATE_INFEASIBLE),
      abandoned: n(S.TRIAL_STATE_ABANDONED),
      created: st.trials.size,
      maxTrials: st.spec.budget?.maxTrials ?? 0,
      best: st.best?.raw,
      done: this.studyDone(st, sched),
      stopper: st.decisions[st.decisions.length - 1],
    };
  }

  /** Counts of every study, in creation order. */
  progress(sched?: (st: StudyState) => SchedulerView): StudyCounts[] {
    return [...this.studies.values()].map((s) => this.counts(s, sched?.(s)));
  }

  /** The StudyProgress message of a study. */
  progressOf(st: StudyState, sched?: SchedulerView): nadir.v1.StudyProgress.$Properties {
    const c = this.counts(st, sched);
    return {
      studyId: c.studyId,
      queued: c.queued,
      running: c.running,
      completed: c.completed,
      pruned: c.pruned,
      failed: c.failed,
      diverged: c.diverged,
      infeasible: c.infeasible,
      abandoned: c.abandoned,
      ...(st.best ? { bestValue: st.best.raw, bestTrial: st.best.ref } : {}),
      atUnixMs: this.clock(),
      ...(st.decisions.length ? { stopper: st.decisions[st.decisions.length - 1] } : {}),
    };
  }

  /** Every trial of every study as a TrialResult with its measurements, in trial-id order. */
  results(): Map<string, { spec: nadir.v1.StudySpec; trials: (TrialResult & { replicate: number })[] }> {
    const out = new Map<
      string,
      { spec: nadir.v1.StudySpec; trials: (TrialResult & { replicate: number })[] }
    >();
    for (const st of this.studies.values()) {
      const trials = [...st.trials.values()]
        .sort((a, b) => a.id - b.id)
        .map((t) => ({ ...resultOf(t, true), replicate: t.replicate }));
      out.set(st.spec.studyId, { spec: st.spec, trials });
    }
    return out;
  }

  /**
   * The records a compacted journal starts with: one Snapshot (studies, their states, every finished
   * trial) followed by the records that re-create each unfinished trial, so replay treats those as usual.
   */
  snapshotEntries(): { entries: JournalEntry[]; finished: number } {
    const terminal: TrialState[] = [];
    const live: JournalEntry[] = [];
    for (const st of this.studies.values()) {
      for (const t of st.trials.values()) {
        if (isTerminal(t.state)) {
          terminal.push(t);
          continue;
        }
        live.push({
          trialCreated: {
            trial: refOf(t, 0),
            parameters: t.parameters,
            seed: t.seed,
            suggester: t.suggester,
            ...(t.listIndex !== undefined ? { listIndex: t.listIndex } : {}),
            replicate: t.replicate,
          },
        });
        // Attempts already used up: all of them for a queued trial, all but the current one for a running
        // trial or one whose rejected attempt will be re-used. Failures before them keep counting toward
        // maxAttemptsPerTrial.
        const used = isRunning(t.state) || t.reuseAttempt ? t.attempt - 1 : t.attempt;
        for (let a = 1; a <= Math.min(t.failures, used); a++) {
          live.push({ attemptAssigned: { assignment: { trial: refOf(t, a) }, workerId: "" } });
          live.push({
            trialFailed: {
              trial: refOf(t, a),
              kind: v1.FailureKind.FAILURE_KIND_ERROR,
              message: "compaction: an earlier attempt failed",
            },
          });
        }
        if (used > t.failures)
          live.push({
            trialEvent: {
              trial: refOf(t, used),
              state: S.TRIAL_STATE_PREEMPTED,
              reason: "compaction: attempt already lost",
            },
          });
        if (isRunning(t.state)) {
          live.push({
            attemptAssigned: {
              assignment: { trial: refOf(t) },
              workerId: t.workerId,
              workerKey: t.workerKey,
            },
          });
          // Sequences restart from 1 in the compacted journal; the live seqs set keeps deduplicating.
          for (const [i, m] of t.measurements.entries())
            live.push({ trialReport: { trial: refOf(t), measurement: m, sequence: i + 1 } });
        }
      }
    }
    const studies = [...this.studies.values()];
    return {
      entries: [
        {
          snapshot: {
            studies: studies.map((s) => s.spec),
            studyStates: studies.map((s) => ({
              studyId: s.spec.studyId,
              state: s.state,
              ...(s.stopDecision && s.state !== ACTIVE ? { stopper: s.stopDecision } : {}),
            })),
            // In the order they finished, so a replay of the compacted journal keeps each endOrder.
            trials: terminal.sort((a, b) => a.endOrder - b.endOrder).map((t) => resultOf(t, true)),
          },
        },
        // Every stopper decision survives compaction (the report shows their history).
        ...studies.flatMap((s) => s.decisions.map((d): JournalEntry => ({ stopperDecision: d }))),
        ...live,
      ],
      finished: terminal.length,
    };
  }
}

const EMPTY: ReadonlySet<TrialState> = new Set();
