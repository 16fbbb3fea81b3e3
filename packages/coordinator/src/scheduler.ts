/**
 * The scheduler: hands queued trials to workers with free slots, refills each study's queue from its
 * suggester (with exponential back-off when it has nothing), derives every trial's seed, and ends points
 * no optimizer can train (INFEASIBLE) without sending them to a worker.
 *
 * It changes state only by committing journal records (through its host, which appends them and applies
 * them to the state book); it owns the suggesters, which are live objects, not journal state.
 */
import { randomUUID } from "node:crypto";
import { nadir } from "@nadir/protocol";
import type { Suggester, SuggesterFactory } from "@nadir/sdk";
import { ExternalSuggester, type SuggesterLink } from "./external-suggester.js";
import type { JournalEntry } from "./journal.js";
import { MaterializeError, materialize } from "./materialize.js";
import {
  refOf,
  resultOf,
  type SchedulerView,
  type StateBook,
  type StudyState,
  type TrialState,
} from "./state/book.js";
import { builtinSuggester } from "./suggesters.js";

const v1 = nadir.v1;
const ACTIVE = v1.StudyStateChanged.StudyState.STUDY_STATE_ACTIVE;

/** A connected worker as the scheduler sees it. */
export interface WorkerSlot {
  readonly peerId: string;
  capacity: number;
  readonly workloads: readonly string[];
  readonly running: { readonly size: number };
  readonly draining: boolean;
  /** The CURVE key the worker proved in its Hello ("" without a proof); journaled with its attempts. */
  readonly curveKey: string;
}

/** What the scheduler needs from the coordinator around it. */
export interface SchedulerHost<W extends WorkerSlot> {
  /** Journals an entry, applies it to the book, and resolves once it is durable. */
  commit(entry: JournalEntry): Promise<void>;
  /** Ties a just-assigned attempt to its worker's connection. */
  bind(t: TrialState, w: W): void;
  /** The connection now holding an attempt. */
  holder(t: TrialState): W | undefined;
  /** Sends a durable assignment to its worker (and publishes the change). */
  deliver(w: W, assignment: nadir.v1.TrialAssignment.$Properties, t: TrialState, previous: number): void;
  /** Publishes a state change. */
  changed(t: TrialState, previous: number, reason: string): void;
  /** Asks for another scheduling pass soon. */
  wake(): void;
  /** Something that may end a study happened. */
  settled(): void;
  /**
   * Whether the study's queued trials must wait before they start (its study stopper is deciding whether
   * they should run at all; see StudyStopper.holds). Default: never.
   */
  holds?(st: StudyState): boolean;
  /** One human-readable line (suggester failures and retries, journal append failures); never throws. */
  log(line: string): void;
  /** Clock (ms). */
  now(): number;
  heartbeatIntervalMs: number;
  leaseMs: number;
}

/** A study's live suggester and its request state. */
interface SuggesterRt {
  suggester: Suggester | undefined;
  error: string;
  suggesting: boolean;
  /** The suggester said it is exhausted (also when no created trial could record it). */
  exhausted: boolean;
  /** After a failed or empty suggestion, no new request before this time (exponential backoff). */
  retryAt?: number;
  backoffMs?: number;
}

/** Seed of a trial: the study's sampler/list seed mixed with the point index and replicate, so that replicates differ and attempts agree. */
export function seedFor(spec: nadir.v1.StudySpec, trialId: number, point: number, replicate: number): number {
  const base = Number(
    spec.suggester?.sampler?.seed ??
      spec.suggester?.list?.fallback?.seed ??
      spec.suggester?.external?.seed ??
      0,
  );
  // Keep within 2^31 so every language's RNG accepts it.
  return (base * 1_000_003 + point * 7919 + replicate * 104_729 + trialId) % 2_147_483_647;
}

/** The scheduler (see the module comment). */
export class Scheduler<W extends WorkerSlot> {
  private readonly rts = new Map<string, SuggesterRt>();

  constructor(
    private readonly book: StateBook,
    private readonly host: SchedulerHost<W>,
    private readonly link: SuggesterLink,
    private readonly factories: readonly SuggesterFactory[] = [],
  ) {}

  /** The study's suggester runtime, built on first use (offline replay never builds one). */
  private rt(st: StudyState): SuggesterRt {
    let rt = this.rts.get(st.spec.studyId);
    if (rt) return rt;
    let suggester: Suggester | undefined;
    let error = "";
    try {
      for (const f of this.factories) {
        suggester = f(st.spec);
        if (suggester) break;
      }
      suggester ??= builtinSuggester(st.spec) ?? new ExternalSuggester(this.link, st.spec);
    } catch (err) {
      error = (err as Error).message;
      this.host.log(`study ${st.spec.studyId}: cannot build its suggester: ${error}`);
    }
    rt = { suggester, error, suggesting: false, exhausted: false };
    this.rts.set(st.spec.studyId, rt);
    return rt;
  }

  /** What the scheduler adds to the book's view of a study's done-ness. */
  view(st: StudyState): SchedulerView {
    const rt = this.rt(st);
    return { suggesting: rt.suggesting, noSuggester: !rt.suggester, exhausted: rt.exhausted };
  }

  /** Why a finished study finished (for its StudyStateChanged record). */
  finishReason(st: StudyState): string {
    if (st.stopDecision) return st.stopDecision.message;
    const rt = this.rt(st);
    if (rt.error) return `suggester unavailable: ${rt.error}`;
    return rt.exhausted || st.exhausted ? "suggester exhausted" : "budget spent";
  }

  /** Tells the study's suggester about a finished trial. */
  async observe(t: TrialState): Promise<void> {
    try {
      await this.rt(t.study).suggester?.observe?.([resultOf(t, true)]);
    } catch (err) {
      this.host.log(`study ${t.study.spec.studyId}: suggester observe failed: ${(err as Error).message}`);
    }
  }

  /** Closes every suggester. */
  async close(): Promise<void> {
    for (const rt of this.rts.values()) await rt.suggester?.close?.();
  }

  /** One scheduling pass: fill free worker slots from the queues, then refill the queues. */
  assignAll(peers: Iterable<W>): void {
    const workers: W[] = [];
    let freeSlots = 0;
    for (const p of peers) {
      if (p.draining) continue;
      workers.push(p);
      freeSlots += Math.max(0, p.capacity - p.running.size);
    }
    // A study its stopper stopped takes no new attempts: its queued trials are being abandoned.
    const studies = [...this.book.studies.values()].filter((s) => s.state === ACTIVE && !s.stopDecision);
    if (freeSlots === 0 || studies.length === 0) return;
    let progress = true;
    while (progress) {
      progress = false;
      for (const st of studies) {
        const par = st.spec.budget?.parallelism || Number.POSITIVE_INFINITY;
        if (st.running.size >= par) continue;
        if (this.host.holds?.(st)) continue;
        const t = st.queue[0];
        if (!t) continue;
        const w = workers.find(
          (p) =>
            p.running.size < p.capacity &&
            (p.workloads.length === 0 || !st.spec.workload || p.workloads.includes(st.spec.workload)),
        );
        if (!w) continue;
        this.assign(t, w);
        progress = true;
      }
    }
    for (const st of studies) this.refill(st, workers);
  }

  private assign(t: TrialState, w: W): void {
    const attempt = t.reuseAttempt ? Math.max(1, t.attempt) : t.attempt + 1;
    const spec = t.study.spec;
    let materialized: ReturnType<typeof materialize>;
    try {
      materialized = materialize(spec, t.parameters);
    } catch (err) {
      if (!(err instanceof MaterializeError)) throw err;
      this.infeasible(t, err);
      return;
    }
    const { parameters, optimizer } = materialized;
    const assignment: nadir.v1.TrialAssignment.$Properties = {
      trial: { studyId: spec.studyId, trialId: t.id, attempt },
      parameters,
      stepBudget: spec.stepBudget,
      seed: t.seed,
      ...(optimizer ? { optimizer } : {}),
      lease: {
        leaseId: randomUUID(),
        expiresUnixMs: this.host.now() + this.host.leaseMs,
        heartbeatIntervalMs: this.host.heartbeatIntervalMs,
        timeoutMs: this.host.leaseMs,
      },
      ...(spec.target ? { target: spec.target } : {}),
      ...(spec.objective ? { objective: spec.objective } : {}),
      workload: spec.workload,
      reportEverySteps: spec.reportEverySteps,
      suggester: t.suggester,
      ...(t.listIndex !== undefined ? { listIndex: t.listIndex } : {}),
      replicate: t.replicate,
    };
    const prev = t.state;
    // The journal keeps the assignment without the materialised parts (they are a function of the spec).
    const p = this.host.commit({
      attemptAssigned: {
        assignment: { trial: assignment.trial, lease: assignment.lease },
        workerId: w.peerId,
        ...(w.curveKey ? { workerKey: w.curveKey } : {}),
      },
    });
    this.host.bind(t, w);
    p.then(
      () => {
        if (this.host.holder(t) !== w || t.attempt !== attempt) return;
        this.host.deliver(w, assignment, t, prev);
      },
      (err: Error) => this.host.log(`coordinator: journal append failed: ${err.message}`),
    );
  }

  /**
   * A point no optimizer can train (e.g. β1 = 1 from a space whose range reaches 1) ends INFEASIBLE
   * without reaching a worker: it is a property of the point, so retrying it elsewhere cannot help.
   */
  private infeasible(t: TrialState, err: MaterializeError): void {
    this.host.log(`study ${t.study.spec.studyId} trial ${t.id}: cannot materialise: ${err.message}`);
    const previous = t.state;
    this.host
      .commit({
        trialFailed: {
          trial: refOf(t),
          kind: v1.FailureKind.FAILURE_KIND_INFEASIBLE,
          message: `cannot materialise the optimizer: ${err.message}`,
          errorType: err.name,
        },
      })
      .then(
        () => {
          this.host.changed(t, previous, "infeasible");
          void this.observe(t);
          this.host.wake();
          this.host.settled();
        },
        (e: Error) => this.host.log(`coordinator: journal append failed: ${e.message}`),
      );
  }

  private refill(st: StudyState, workers: readonly W[]): void {
    const rt = this.rt(st);
    if (rt.suggesting || rt.exhausted || st.exhausted || !rt.suggester || st.stopDecision) return;
    if (rt.retryAt !== undefined && this.host.now() < rt.retryAt) return;
    const maxTrials = st.spec.budget?.maxTrials ?? 0;
    const created = st.trials.size;
    if (created >= maxTrials) return;
    const maxFailed = st.spec.budget?.maxFailedTrials ?? 0;
    if (maxFailed > 0 && this.book.failedCount(st) >= maxFailed) return;
    let free = 0;
    for (const w of workers) free += Math.max(0, w.capacity - w.running.size);
    const par = st.spec.budget?.parallelism || Number.POSITIVE_INFINITY;
    const want = Math.min(free, par - st.running.size) - st.queue.length;
    if (want <= 0) return;
    const replicates = Math.max(1, st.spec.replicates || 1);
    const points = Math.max(
      1,
      Math.min(Math.ceil(want / replicates), Math.ceil((maxTrials - created) / replicates)),
    );
    rt.suggesting = true;
    const suggester = rt.suggester;
    // The history is kept incrementally by the book and handed over as is (no copy per request: copying
    // would make every refill cost O(trials)); the SDK documents it as a read-only view.
    const history = st.history;
    const pending = this.book.pending(st);
    Promise.resolve()
      .then(() => suggester.suggest(points, { study: st.spec, history, pending, created: st.points }))
      .then(
        async (batch) => {
          if (batch.suggestions.length === 0 && !batch.exhausted) this.backOff(st, rt, "no suggestion");
          else {
            rt.retryAt = undefined;
            rt.backoffMs = undefined;
          }
          const commits: Promise<void>[] = [];
          const last = batch.suggestions[Math.min(points, batch.suggestions.length) - 1];
          for (const s of batch.suggestions.slice(0, points)) {
            // Suggestions that arrive after the stopper stopped the study are not created.
            for (let r = 0; r < replicates && st.trials.size < maxTrials && !st.stopDecision; r++) {
              const id = st.nextTrialId;
              const seed = seedFor(st.spec, id, st.points, r);
              const exhaustedHere = batch.exhausted && s === last && r === replicates - 1;
              commits.push(
                this.host.commit({
                  trialCreated: {
                    trial: { studyId: st.spec.studyId, trialId: id, attempt: 0 },
                    parameters: s.parameters,
                    seed,
                    suggester: s.source ?? suggester.name,
                    ...(s.listIndex !== undefined ? { listIndex: s.listIndex } : {}),
                    replicate: r,
                    metadata: { ...(s.metadata ?? {}), ...(exhaustedHere ? { exhausted: "true" } : {}) },
                  },
                }),
              );
            }
          }
          if (batch.exhausted) rt.exhausted = true;
          await Promise.all(commits);
        },
        (err: Error) => {
          this.host.log(`study ${st.spec.studyId}: suggester failed: ${err.message}`);
          this.backOff(st, rt, err.message);
        },
      )
      .finally(() => {
        rt.suggesting = false;
        this.host.settled();
        this.host.wake();
      });
  }

  /**
   * A suggester that fails or has nothing to offer (e.g. no external suggester connected yet) is asked
   * again after 50 ms, doubling up to 5 s, instead of in a tight loop; a useful batch resets the delay.
   */
  private backOff(st: StudyState, rt: SuggesterRt, why: string): void {
    const delay = Math.min(5000, (rt.backoffMs ?? 25) * 2);
    rt.backoffMs = delay;
    rt.retryAt = this.host.now() + delay;
    if (delay >= 5000) this.host.log(`study ${st.spec.studyId}: suggester retry in ${delay} ms (${why})`);
    const timer = setTimeout(() => this.host.wake(), delay + 1);
    timer.unref?.();
  }
}
