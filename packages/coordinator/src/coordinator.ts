/**
 * The coordinator: a ZeroMQ ROUTER that turns studies into trials on remote workers, journals every
 * result before acknowledging it, and publishes trial events on a PUB socket.
 *
 * State is event-sourced: every change is a JournalRecord, applied to the in-memory state by the same
 * `apply*` functions live and during replay, so a restarted coordinator rebuilds exactly the state its
 * journal describes. Acknowledgements (Ack) and assignments are sent only once their record is durable
 * (see journal.ts for the fsync policy), so an acknowledged result is never lost and a duplicate or late
 * one is recognised by its (study, trial, attempt[, sequence]) and ignored.
 */
import { randomUUID } from "node:crypto";
import type { BodyInit, Envelope } from "@nadir/protocol";
import {
  DEFAULT_MAX_FRAME_BYTES,
  decodeFrames,
  encodeEnvelope,
  errorReplyFor,
  nadir,
  negotiateVersion,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
  PROTOCOL_TAG_BYTES,
  ProtocolError,
  VersionMismatchError,
} from "@nadir/protocol";
import type {
  Measurement,
  ParameterValue,
  Stopper,
  Suggester,
  SuggesterFactory,
  TrialResult,
} from "@nadir/sdk";
import { orientedValue } from "@nadir/sdk";
import * as zmq from "zeromq";
import type { JournalEntry, JournalRecord, TrialStore } from "./journal.js";
import { MaterializeError, materialize } from "./materialize.js";
import { SendQueue } from "./send-queue.js";
import { stopperFor } from "./stoppers.js";
import { specFingerprint, validateStudySpec } from "./study.js";
import { builtinSuggester } from "./suggesters.js";
import { ZapAllowList } from "./zap.js";

const v1 = nadir.v1;
const S = v1.TrialState;
const E = v1.ErrorCode;
const AckS = v1.AckStatus;

/** Software name sent in Welcome.agent and StatusResponse.agent. */
export const COORDINATOR_AGENT = "nadir-coordinator/0.1.0";
/** In-memory measurements kept per attempt before thinning (the journal keeps every report). */
export const MAX_KEPT_MEASUREMENTS = 1000;

/**
 * The report sequence numbers seen for one attempt, in O(1) memory for in-order delivery: everything up to
 * `contiguous` was seen, plus a small set of numbers above it (reports that arrived out of order).
 */
export class SequenceSet {
  private contiguous = 0;
  private readonly above = new Set<number>();
  has(seq: number): boolean {
    return seq <= this.contiguous || this.above.has(seq);
  }
  add(seq: number): void {
    if (seq <= this.contiguous) return;
    this.above.add(seq);
    while (this.above.delete(this.contiguous + 1)) this.contiguous += 1;
    // A peer that skips numbers must not grow this without bound: past 4096 gaps, the gap below the
    // smallest number seen is treated as seen (a late report from inside it is then called a duplicate).
    if (this.above.size > 4096) {
      this.contiguous = Math.min(...this.above);
      this.above.delete(this.contiguous);
      while (this.above.delete(this.contiguous + 1)) this.contiguous += 1;
    }
  }
}

/** Attempts of one trial lost to preemption before it is marked FAILED (guards against crash loops). */
export const MAX_PREEMPTED_ATTEMPTS = 20;

/** CURVE settings: the server's key pair and the allowed client public keys (Z85, 40 chars). */
export interface CurveOptions {
  publicKey: string;
  secretKey: string;
  allowedClientKeys: readonly string[];
}

/** Options of {@link Coordinator}. */
export interface CoordinatorOptions {
  /** Endpoints to bind (tcp:// or ipc://). Default tcp://127.0.0.1:5555 (loopback only). */
  bind?: string[];
  /** PUB endpoint for trial events (optional). */
  eventsBind?: string;
  store: TrialStore;
  /** Studies to serve. Studies already in the journal are taken from the journal. */
  studies: nadir.v1.StudySpec[];
  heartbeatIntervalMs?: number;
  /** Silence longer than this drops a peer and preempts its attempts (default 10 x heartbeat). */
  peerTimeoutMs?: number;
  /** After a restart, how long replayed running attempts wait for their worker (default peerTimeoutMs). */
  reattachGraceMs?: number;
  maxFrameBytes?: number;
  /** Per-peer token bucket: messages per second (0 = unlimited) and burst. Default 50,000/s, burst 100,000. */
  rateLimitPerSecond?: number;
  rateLimitBurst?: number;
  curve?: CurveOptions;
  /** Compact the journal when this many records were appended since the last compaction (default 200,000). */
  compactEvery?: number;
  /** Extra suggester plugins, tried before the built-ins. */
  suggesters?: SuggesterFactory[];
  log?: (line: string) => void;
}

interface Peer {
  key: string;
  routingId: Buffer;
  peerId: string;
  role: number;
  capacity: number;
  workloads: string[];
  running: Set<Trial>;
  lastSeen: number;
  algorithms: string[];
  draining: boolean;
}

interface StudyRt {
  spec: nadir.v1.StudySpec;
  fingerprint: string;
  trials: Map<number, Trial>;
  queue: Trial[];
  nextTrialId: number;
  /** Distinct points created (a point with k replicates counts once): the suggester's position. */
  points: number;
  suggester: Suggester | undefined;
  suggesterError: string;
  stopper: Stopper | undefined;
  exhausted: boolean;
  suggesting: boolean;
  /** After a failed or empty suggestion, no new request before this time (exponential backoff). */
  suggestRetryAt?: number;
  suggestBackoffMs?: number;
  state: number;
  failed: number;
  best: { value: number; raw: number; ref: nadir.v1.TrialRef.$Properties } | undefined;
}

interface Trial {
  study: StudyRt;
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
  peer: Peer | undefined;
  leaseExpires: number;
  measurements: Measurement[];
  seqs: SequenceSet;
  final: Measurement | undefined;
  target: nadir.v1.TargetOutcome.$Properties | undefined;
  failureKind: number;
  message: string;
  started: number;
  ended: number;
  stopReason: number;
  stopMessage: string;
}

const TERMINAL = new Set([
  S.TRIAL_STATE_COMPLETED,
  S.TRIAL_STATE_PRUNED,
  S.TRIAL_STATE_FAILED,
  S.TRIAL_STATE_DIVERGED,
  S.TRIAL_STATE_INFEASIBLE,
  S.TRIAL_STATE_ABANDONED,
]);

function isTerminal(state: number): boolean {
  return TERMINAL.has(state);
}

function refOf(t: Trial, attempt = t.attempt): nadir.v1.TrialRef.$Properties {
  return { studyId: t.study.spec.studyId, trialId: t.id, attempt };
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
}

/** Thrown by the constructor or start() for unusable options. */
export class CoordinatorConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CoordinatorConfigError";
  }
}

/** The trial coordinator (see the module comment). */
export class Coordinator {
  readonly sessionId = randomUUID();
  private readonly opts: Required<Omit<CoordinatorOptions, "eventsBind" | "curve" | "suggesters">> &
    CoordinatorOptions;
  private router: zmq.Router | undefined;
  private pub: zmq.Publisher | undefined;
  private zap: ZapAllowList | undefined;
  private readonly studies = new Map<string, StudyRt>();
  private readonly peers = new Map<string, Peer>();
  private readonly peersById = new Map<string, Peer>();
  private readonly buckets = new Map<string, { tokens: number; at: number; lastReply: number }>();
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private stopping = false;
  private readonly startedAt = Date.now();
  private compacting = false;
  private readonly pendingSuggest = new Map<
    string,
    { resolve: (r: nadir.v1.SuggestResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private doneResolvers: (() => void)[] = [];
  private malformedCount = 0;
  private routerOut: SendQueue | undefined;
  private pubOut: SendQueue | undefined;
  /** Trials whose PREEMPTED record is being written (so the timer does not preempt them twice). */
  private readonly preempting = new Set<Trial>();
  private malformedLogged = 0;
  /** Endpoints actually bound (ports resolved). */
  endpoints: string[] = [];
  eventsEndpoint: string | undefined;
  /** Number of protocol errors answered (malformed, oversize, unknown ids, ...). */
  get errorsAnswered(): number {
    return this.malformedCount;
  }

  constructor(options: CoordinatorOptions) {
    const hb = options.heartbeatIntervalMs ?? 1000;
    if (!(Number.isInteger(hb) && hb >= 10))
      throw new CoordinatorConfigError(`heartbeatIntervalMs must be an integer >= 10, got ${hb}`);
    const timeout = options.peerTimeoutMs ?? hb * 10;
    if (!(Number.isInteger(timeout) && timeout > hb))
      throw new CoordinatorConfigError(
        `peerTimeoutMs must be an integer > heartbeatIntervalMs, got ${timeout}`,
      );
    const maxFrame = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!(Number.isSafeInteger(maxFrame) && maxFrame >= 1024))
      throw new CoordinatorConfigError(`maxFrameBytes must be an integer >= 1024, got ${maxFrame}`);
    for (const ep of options.bind ?? []) {
      if (!/^(tcp|ipc):\/\//.test(ep))
        throw new CoordinatorConfigError(
          `bind endpoint must start with tcp:// or ipc://, got ${JSON.stringify(ep)}`,
        );
    }
    if (options.curve) {
      for (const k of [
        options.curve.publicKey,
        options.curve.secretKey,
        ...options.curve.allowedClientKeys,
      ]) {
        if (typeof k !== "string" || k.length !== 40)
          throw new CoordinatorConfigError("CURVE keys must be 40-character Z85 strings");
      }
    }
    this.opts = {
      bind: options.bind && options.bind.length > 0 ? options.bind : ["tcp://127.0.0.1:5555"],
      heartbeatIntervalMs: hb,
      peerTimeoutMs: timeout,
      reattachGraceMs: options.reattachGraceMs ?? timeout,
      maxFrameBytes: maxFrame,
      rateLimitPerSecond: options.rateLimitPerSecond ?? 50_000,
      rateLimitBurst: options.rateLimitBurst ?? Math.max(1, (options.rateLimitPerSecond ?? 50_000) * 2),
      compactEvery: options.compactEvery ?? 200_000,
      log: options.log ?? (() => {}),
      store: options.store,
      studies: options.studies,
      ...(options.eventsBind ? { eventsBind: options.eventsBind } : {}),
      ...(options.curve ? { curve: options.curve } : {}),
      ...(options.suggesters ? { suggesters: options.suggesters } : {}),
    };
    const ids = new Set<string>();
    for (const s of options.studies) {
      validateStudySpec(s);
      if (ids.has(s.studyId)) throw new CoordinatorConfigError(`study id ${s.studyId} given twice`);
      ids.add(s.studyId);
    }
  }

  // ------------------------------------------------------------------------------------------------ start

  /** Replays the journal, creates new studies, binds the sockets and starts serving. */
  async start(): Promise<{
    endpoints: string[];
    eventsEndpoint: string | undefined;
    replayed: number;
    truncatedBytes: number;
  }> {
    const { records, report } = this.opts.store.open();
    for (const r of records) this.applyRecord(r, true);
    if (report.truncatedBytes > 0)
      this.opts.log(
        `journal: torn tail truncated (${report.truncatedBytes} bytes): ${report.truncationReason}`,
      );
    const now = Date.now();
    for (const st of this.studies.values()) {
      for (const t of st.trials.values()) {
        // Replayed running attempts wait reattachGraceMs for their worker to say Hello again.
        if (t.state === S.TRIAL_STATE_RUNNING || t.state === S.TRIAL_STATE_STOPPING)
          t.leaseExpires = now + this.opts.reattachGraceMs;
      }
    }
    for (const spec of this.opts.studies) {
      const existing = this.studies.get(spec.studyId);
      if (existing) {
        if (fingerprintIgnoringTime(existing.spec) !== fingerprintIgnoringTime(spec)) {
          this.opts.log(`study ${spec.studyId}: the journal holds a different spec; serving the journal's`);
        }
        continue;
      }
      const full = v1.StudySpec.decode(v1.StudySpec.encode(spec).finish());
      full.createdUnixMs = spec.createdUnixMs || now;
      await this.commit({ studyCreated: full });
      await this.commit({
        studyStateChanged: {
          studyId: spec.studyId,
          state: v1.StudyStateChanged.StudyState.STUDY_STATE_ACTIVE,
        },
      });
    }

    const curve = this.opts.curve;
    if (curve) {
      this.zap = new ZapAllowList(curve.allowedClientKeys, this.opts.log);
      await this.zap.start();
    }
    // Both server sockets (ROUTER and the event PUB) authenticate the same way.
    const curveOpts = curve
      ? {
          curveServer: true,
          curveSecretKey: curve.secretKey,
          curvePublicKey: curve.publicKey,
          zapDomain: "nadir",
        }
      : {};
    const sockOpts = {
      maxMessageSize: this.opts.maxFrameBytes + 1024,
      linger: 0,
      receiveHighWaterMark: 100_000,
      sendHighWaterMark: 100_000,
      ...curveOpts,
    };
    this.router = new zmq.Router(sockOpts);
    for (const ep of this.opts.bind as string[]) {
      await this.router.bind(ep.replace(/^(tcp:\/\/[^:]+):0$/, "$1:*"));
      this.endpoints.push(this.router.lastEndpoint as string);
    }
    if (this.opts.eventsBind) {
      this.pub = new zmq.Publisher({ linger: 0, sendHighWaterMark: 100_000, ...curveOpts });
      await this.pub.bind(this.opts.eventsBind.replace(/^(tcp:\/\/[^:]+):0$/, "$1:*"));
      this.eventsEndpoint = this.pub.lastEndpoint as string;
    }
    void this.receiveLoop();
    this.timer = setInterval(
      () => this.tick(),
      Math.max(20, Math.min(250, this.opts.heartbeatIntervalMs >> 1)),
    );
    this.schedule();
    this.checkDone();
    return {
      endpoints: this.endpoints,
      eventsEndpoint: this.eventsEndpoint,
      replayed: records.length,
      truncatedBytes: report.truncatedBytes,
    };
  }

  /** Resolves when every study is done (budget spent and no trial left running or queued). */
  whenDone(): Promise<void> {
    if (this.allDone()) return Promise.resolve();
    return new Promise((r) => this.doneResolvers.push(r));
  }

  /**
   * Stops serving: no new assignments, flushes the journal, closes the sockets. With `shutdownWorkers`,
   * connected workers are first told to exit (Shutdown, graceful).
   */
  async stop(opts: { shutdownWorkers?: boolean } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    if (opts.shutdownWorkers) {
      for (const p of this.peers.values())
        this.send(p.routingId, { shutdown: { reason: "study finished", graceful: true, graceMs: 1000 } });
      // The Shutdowns must leave before the socket closes: a loaded process could close it while they were
      // still queued, and a worker that never hears Shutdown waits for the coordinator forever.
      const drained = (await this.routerOut?.idle(5000)) ?? true;
      if (!drained) this.opts.log("coordinator: stop: outgoing messages not drained within 5 s");
      if (this.router && !this.router.closed) this.router.linger = 1000;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const p of this.pendingSuggest.values()) {
      clearTimeout(p.timer);
      p.reject(new Error("coordinator stopping"));
    }
    for (const st of this.studies.values()) await st.suggester?.close?.();
    await this.opts.store.close();
    this.router?.close();
    this.pub?.close();
    this.zap?.close();
  }

  // ------------------------------------------------------------------------------------- state (apply)

  /** Journals an entry, applies it, and resolves once it is durable. */
  private commit(entry: JournalEntry): Promise<void> {
    const p = this.opts.store.append(entry);
    this.applyEntry(entry, false);
    return p;
  }

  private applyRecord(r: JournalRecord, replay: boolean): void {
    const kind = r.entry;
    if (!kind) return;
    this.applyEntry({ [kind]: r[kind], recordedUnixMs: r.recordedUnixMs } as JournalEntry, replay);
  }

  private applyEntry(e: JournalEntry, replay: boolean): void {
    if (e.snapshot) this.applySnapshot(e.snapshot as nadir.v1.Snapshot);
    else if (e.studyCreated) this.applyStudyCreated(v1.StudySpec.fromObject(e.studyCreated));
    else if (e.studyStateChanged) {
      const st = this.studies.get(e.studyStateChanged.studyId ?? "");
      if (st) st.state = e.studyStateChanged.state ?? st.state;
    } else if (e.trialCreated) this.applyTrialCreated(e.trialCreated);
    else if (e.attemptAssigned) this.applyAssigned(e.attemptAssigned, Number(e.recordedUnixMs ?? 0));
    else if (e.trialReport) this.applyReport(e.trialReport, replay);
    else if (e.trialCompleted) this.applyCompleted(e.trialCompleted, Number(e.recordedUnixMs ?? 0));
    else if (e.trialFailed) this.applyFailed(e.trialFailed, Number(e.recordedUnixMs ?? 0));
    else if (e.trialStopped) this.applyStopped(e.trialStopped, Number(e.recordedUnixMs ?? 0));
    else if (e.trialEvent) this.applyEvent(e.trialEvent, Number(e.recordedUnixMs ?? 0));
  }

  private applyStudyCreated(spec: nadir.v1.StudySpec): void {
    if (this.studies.has(spec.studyId)) return;
    let suggester: Suggester | undefined;
    let suggesterError = "";
    try {
      for (const f of this.opts.suggesters ?? []) {
        suggester = f(spec);
        if (suggester) break;
      }
      suggester ??= builtinSuggester(spec) ?? new ExternalSuggester(this, spec);
    } catch (err) {
      suggesterError = (err as Error).message;
      this.opts.log(`study ${spec.studyId}: cannot build its suggester: ${suggesterError}`);
    }
    this.studies.set(spec.studyId, {
      spec,
      fingerprint: specFingerprint(spec),
      trials: new Map(),
      queue: [],
      nextTrialId: 1,
      points: 0,
      suggester,
      suggesterError,
      stopper: stopperFor(spec),
      exhausted: false,
      suggesting: false,
      state: v1.StudyStateChanged.StudyState.STUDY_STATE_ACTIVE,
      failed: 0,
      best: undefined,
    });
  }

  private applyTrialCreated(tc: nadir.v1.TrialCreated.$Properties): void {
    const st = this.studies.get(tc.trial?.studyId ?? "");
    if (!st) return;
    const id = tc.trial?.trialId ?? 0;
    const t: Trial = {
      study: st,
      id,
      parameters: (tc.parameters ?? {}) as Record<string, ParameterValue>,
      seed: Number(tc.seed ?? 0),
      suggester: tc.suggester ?? "",
      listIndex: tc.listIndex ?? undefined,
      replicate: tc.replicate ?? 0,
      state: S.TRIAL_STATE_QUEUED,
      attempt: tc.trial?.attempt ?? 0,
      reuseAttempt: false,
      failures: 0,
      workerId: "",
      peer: undefined,
      leaseExpires: 0,
      measurements: [],
      seqs: new SequenceSet(),
      final: undefined,
      target: undefined,
      failureKind: 0,
      message: "",
      started: 0,
      ended: 0,
      stopReason: 0,
      stopMessage: "",
    };
    st.trials.set(id, t);
    st.queue.push(t);
    st.nextTrialId = Math.max(st.nextTrialId, id + 1);
    if ((tc.replicate ?? 0) === 0) st.points += 1;
    if (tc.metadata?.exhausted === "true") st.exhausted = true;
  }

  private trialOf(ref: nadir.v1.TrialRef.$Properties | null | undefined): Trial | undefined {
    return this.studies.get(ref?.studyId ?? "")?.trials.get(ref?.trialId ?? 0);
  }

  private applyAssigned(a: nadir.v1.AttemptAssigned.$Properties, at: number): void {
    const t = this.trialOf(a.assignment?.trial);
    if (!t) return;
    const q = t.study.queue.indexOf(t);
    if (q >= 0) t.study.queue.splice(q, 1);
    t.state = S.TRIAL_STATE_RUNNING;
    t.attempt = a.assignment?.trial?.attempt ?? t.attempt + 1;
    t.reuseAttempt = false;
    t.workerId = a.workerId ?? "";
    t.measurements = [];
    t.seqs = new SequenceSet();
    t.target = undefined;
    t.stopReason = 0;
    t.started = at;
    t.leaseExpires = Date.now() + this.opts.peerTimeoutMs;
  }

  /** Applies a report; returns the stop decision to act on (live only). */
  private applyReport(
    r: nadir.v1.TrialReport.$Properties,
    replay: boolean,
  ): { stop: number; message: string } | undefined {
    const t = this.trialOf(r.trial);
    if (!t || !r.measurement) return undefined;
    t.seqs.add(Number(r.sequence ?? 0));
    const m = r.measurement as Measurement;
    t.measurements.push(m);
    // Memory stays bounded however many reports an attempt sends: past 2 x MAX_KEPT_MEASUREMENTS, every
    // other older measurement is dropped (the first and the newest are always kept). The journal keeps all.
    if (t.measurements.length >= 2 * MAX_KEPT_MEASUREMENTS)
      t.measurements = t.measurements.filter((_, i, a) => i % 2 === 0 || i === a.length - 1);
    const spec = t.study.spec;
    let decision: { stop: number; message: string } | undefined;
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
      t.state = S.TRIAL_STATE_STOPPING;
      t.stopReason = decision.stop;
      t.stopMessage = decision.message;
    }
    return replay ? undefined : decision;
  }

  private finish(
    t: Trial,
    state: number,
    at: number,
    last: Measurement | null | undefined,
    message = "",
  ): void {
    t.state = state;
    t.ended = at;
    if (last) t.final = last;
    else if (!t.final) t.final = t.measurements[t.measurements.length - 1];
    t.message = message;
    if (t.peer) t.peer.running.delete(t);
    t.peer = undefined;
    const q = t.study.queue.indexOf(t);
    if (q >= 0) t.study.queue.splice(q, 1);
    if (state === S.TRIAL_STATE_FAILED) t.study.failed += 1;
    if (state === S.TRIAL_STATE_COMPLETED || state === S.TRIAL_STATE_PRUNED) {
      const spec = t.study.spec;
      const raw = t.final?.metrics?.[spec.objective?.metric ?? ""];
      const value = orientedValue(t.final, spec.objective?.metric ?? "", spec.objective?.direction ?? 1);
      if (
        raw !== undefined &&
        raw !== null &&
        !Number.isNaN(value) &&
        state === S.TRIAL_STATE_COMPLETED &&
        (!t.study.best || value < t.study.best.value)
      ) {
        t.study.best = { value, raw, ref: refOf(t) };
      }
    }
    t.study.stopper?.onTerminal?.(this.resultOf(t, false));
  }

  /** Puts a trial back in the queue: a new attempt unless `reuse` (the attempt never ran). */
  private requeue(t: Trial, reuse: boolean): void {
    if (t.peer) t.peer.running.delete(t);
    t.peer = undefined;
    t.state = S.TRIAL_STATE_QUEUED;
    t.reuseAttempt = reuse;
    // Re-queued attempts go first: finishing started trials beats starting new ones.
    if (!t.study.queue.includes(t)) t.study.queue.unshift(t);
  }

  private applyCompleted(c: nadir.v1.TrialCompleted.$Properties, at: number): void {
    const t = this.trialOf(c.trial);
    if (!t) return;
    if (c.target?.reached) t.target = c.target;
    else if (!t.target && t.study.spec.target) t.target = { reached: false };
    this.finish(t, S.TRIAL_STATE_COMPLETED, at, c.final as Measurement | undefined);
  }

  private applyFailed(f: nadir.v1.TrialFailed.$Properties, at: number): void {
    const t = this.trialOf(f.trial);
    if (!t) return;
    const K = v1.FailureKind;
    t.failureKind = f.kind ?? 0;
    switch (f.kind) {
      case K.FAILURE_KIND_DIVERGED:
        this.finish(t, S.TRIAL_STATE_DIVERGED, at, f.last as Measurement | undefined, f.message ?? "");
        return;
      case K.FAILURE_KIND_INFEASIBLE:
        this.finish(t, S.TRIAL_STATE_INFEASIBLE, at, f.last as Measurement | undefined, f.message ?? "");
        return;
      case K.FAILURE_KIND_PREEMPTED:
        this.preemptOrFail(t, at, f.message ?? "preempted");
        return;
      default: {
        t.failures += 1;
        const maxAttempts = t.study.spec.budget?.maxAttemptsPerTrial || 1;
        if (t.failures >= maxAttempts)
          this.finish(t, S.TRIAL_STATE_FAILED, at, f.last as Measurement | undefined, f.message ?? "");
        else this.requeue(t, false);
      }
    }
  }

  private preemptOrFail(t: Trial, at: number, reason: string): void {
    if (t.state === S.TRIAL_STATE_STOPPING && t.stopReason === v1.StopReason.STOP_REASON_PRUNED) {
      this.finish(t, S.TRIAL_STATE_PRUNED, at, undefined, `${t.stopMessage} (worker lost before it stopped)`);
    } else if (
      t.state === S.TRIAL_STATE_STOPPING &&
      t.stopReason === v1.StopReason.STOP_REASON_TARGET_REACHED
    ) {
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

  private applyStopped(s: nadir.v1.TrialStopped.$Properties, at: number): void {
    const t = this.trialOf(s.trial);
    if (!t) return;
    const R = v1.StopReason;
    if (s.target?.reached) t.target = s.target;
    switch (s.reason) {
      case R.STOP_REASON_PRUNED:
        this.finish(
          t,
          S.TRIAL_STATE_PRUNED,
          at,
          s.last as Measurement | undefined,
          t.stopMessage || "pruned by the worker",
        );
        return;
      case R.STOP_REASON_TARGET_REACHED:
        this.finish(t, S.TRIAL_STATE_COMPLETED, at, s.last as Measurement | undefined, t.stopMessage);
        return;
      case R.STOP_REASON_LEASE_REVOKED:
      case R.STOP_REASON_PAUSED:
        this.preemptOrFail(t, at, "stopped by the worker");
        return;
      default:
        this.finish(t, S.TRIAL_STATE_ABANDONED, at, s.last as Measurement | undefined, "stopped");
    }
  }

  /** Coordinator-originated transitions (preemption by lease expiry, rejection) are journaled as TrialEvents. */
  private applyEvent(ev: nadir.v1.TrialEvent.$Properties, at: number): void {
    const t = this.trialOf(ev.trial);
    if (!t) return;
    if (ev.state === S.TRIAL_STATE_PREEMPTED) {
      t.attempt = Math.max(t.attempt, ev.trial?.attempt ?? 0);
      this.preemptOrFail(t, at, ev.reason ?? "");
    } else if (ev.state === S.TRIAL_STATE_QUEUED) {
      this.requeue(t, true);
    } else if (ev.state === S.TRIAL_STATE_ABANDONED) {
      this.finish(t, S.TRIAL_STATE_ABANDONED, at, undefined, ev.reason ?? "");
    }
  }

  private applySnapshot(snap: nadir.v1.Snapshot): void {
    for (const spec of snap.studies) this.applyStudyCreated(v1.StudySpec.fromObject(spec));
    for (const ss of snap.studyStates) {
      const st = this.studies.get(ss.studyId ?? "");
      if (st) st.state = ss.state ?? st.state;
    }
    for (const r of snap.trials) {
      const st = this.studies.get(r.trial?.studyId ?? "");
      if (!st) continue;
      this.applyTrialCreated({
        trial: r.trial,
        parameters: r.parameters,
        seed: r.seed,
        suggester: r.suggester,
        ...(r.listIndex !== null && r.listIndex !== undefined ? { listIndex: r.listIndex } : {}),
        replicate: r.replicate ?? 0,
      });
      const t = st.trials.get(r.trial?.trialId ?? 0) as Trial;
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

  /** A TrialResult view of a trial (what suggesters observe and exports contain). */
  private resultOf(t: Trial, withMeasurements: boolean): TrialResult {
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

  // ------------------------------------------------------------------------------------- compaction

  private async maybeCompact(): Promise<void> {
    if (this.compacting || this.opts.store.recordsSinceCompaction < this.opts.compactEvery) return;
    this.compacting = true;
    try {
      const entries: JournalEntry[] = [];
      const terminal: TrialResult[] = [];
      const live: JournalEntry[] = [];
      for (const st of this.studies.values()) {
        for (const t of st.trials.values()) {
          if (isTerminal(t.state)) {
            terminal.push(this.resultOf(t, true));
            continue;
          }
          // Live trials are re-journaled as the records that made them, so replay treats them as usual.
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
          if (t.attempt > 0 && t.state === S.TRIAL_STATE_QUEUED && !t.reuseAttempt) {
            live.push({
              trialEvent: {
                trial: refOf(t),
                state: S.TRIAL_STATE_PREEMPTED,
                reason: "compaction: attempt already lost",
              },
            });
          } else if (t.state === S.TRIAL_STATE_RUNNING || t.state === S.TRIAL_STATE_STOPPING) {
            live.push({ attemptAssigned: { assignment: { trial: refOf(t) }, workerId: t.workerId } });
            // Sequences restart from 1 in the compacted journal; the live seqs set keeps deduplicating.
            for (const [i, m] of t.measurements.entries())
              live.push({ trialReport: { trial: refOf(t), measurement: m, sequence: i + 1 } });
          }
        }
      }
      entries.push({
        snapshot: {
          studies: [...this.studies.values()].map((s) => s.spec),
          studyStates: [...this.studies.values()].map((s) => ({ studyId: s.spec.studyId, state: s.state })),
          trials: terminal,
        },
      });
      entries.push(...live);
      await this.opts.store.compact(entries);
      this.opts.log(
        `journal: compacted to ${entries.length} records (${terminal.length} finished trials in the snapshot)`,
      );
    } catch (err) {
      this.opts.log(`journal: compaction failed: ${(err as Error).message}`);
    } finally {
      this.compacting = false;
    }
  }

  // ------------------------------------------------------------------------------------------- network

  private send(routingId: Buffer, body: BodyInit, correlationId?: string): void {
    if (!this.router || this.router.closed) return;
    let payload: Uint8Array;
    try {
      payload = encodeEnvelope(
        {
          versionMajor: PROTOCOL_MAJOR,
          versionMinor: PROTOCOL_MINOR,
          messageId: randomUUID(),
          ...(correlationId ? { correlationId } : {}),
          sentUnixMs: Date.now(),
          senderId: "coordinator",
          ...body,
        },
        { maxFrameBytes: this.opts.maxFrameBytes, verify: false },
      );
    } catch (err) {
      this.opts.log(`coordinator: cannot encode a reply: ${(err as Error).message}`);
      return;
    }
    this.sendPayload(routingId, payload);
  }

  /** Every outgoing ROUTER message goes through this one queue. */
  private sendPayload(routingId: Buffer, payload: Uint8Array): void {
    if (!this.router || this.router.closed) return;
    // zeromq.js allows one send in flight per socket (a second throws EBUSY synchronously): queue them.
    this.routerOut ??= new SendQueue(this.router, (err) =>
      this.opts.log(`coordinator: send failed: ${err.message}`),
    );
    this.routerOut.send([routingId, PROTOCOL_TAG_BYTES, payload]);
  }

  private sendError(
    routingId: Buffer,
    code: number,
    message: string,
    correlationId?: string,
    trial?: nadir.v1.TrialRef.$Properties | null,
  ): void {
    this.send(routingId, { error: { code, message, ...(trial ? { trial } : {}) } }, correlationId);
  }

  private publish(studyId: string, body: BodyInit): void {
    if (!this.pub || this.pub.closed) return;
    try {
      const payload = encodeEnvelope(
        {
          versionMajor: PROTOCOL_MAJOR,
          versionMinor: PROTOCOL_MINOR,
          messageId: randomUUID(),
          sentUnixMs: Date.now(),
          senderId: "coordinator",
          ...body,
        },
        { verify: false },
      );
      this.pubOut ??= new SendQueue(this.pub, () => {}, 100_000);
      this.pubOut.send([Buffer.from(`nadir.v1/${studyId}`), payload]);
    } catch {
      /* publishing is best effort */
    }
  }

  private event(t: Trial, previous: number, reason = "", measurement?: Measurement): void {
    if (!this.pub) return;
    const ev: nadir.v1.TrialEvent.$Properties = {
      trial: refOf(t),
      previousState: previous,
      state: t.state,
      atUnixMs: Date.now(),
      workerId: t.workerId,
      reason,
    };
    if (measurement) ev.measurement = measurement;
    if (isTerminal(t.state)) ev.result = this.resultOf(t, false);
    this.publish(t.study.spec.studyId, { trialEvent: ev });
    // StudyProgress costs O(trials): published on state changes, not on every report.
    if (measurement) return;
    const c = this.counts(t.study);
    this.publish(t.study.spec.studyId, { studyProgress: this.progressOf(t.study, c) });
  }

  private rateLimited(key: string, now: number): { limited: boolean; reply: boolean } {
    const rate = this.opts.rateLimitPerSecond;
    if (!rate) return { limited: false, reply: false };
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.opts.rateLimitBurst, at: now, lastReply: 0 };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.opts.rateLimitBurst, b.tokens + ((now - b.at) * rate) / 1000);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { limited: false, reply: false };
    }
    // One RATE_LIMITED reply per 100 ms and peer, so a flood cannot make us amplify it.
    const reply = now - b.lastReply > 100;
    if (reply) b.lastReply = now;
    return { limited: true, reply };
  }

  private logMalformed(key: string, err: ProtocolError): void {
    this.malformedCount += 1;
    // Logged, but bounded: the first 20, then every 1000th.
    if (this.malformedLogged < 20 || this.malformedCount % 1000 === 0) {
      this.malformedLogged += 1;
      this.opts.log(
        `coordinator: bad message from peer ${Buffer.from(key, "latin1").toString("hex")}: ${err.code}: ${err.message.slice(0, 200)} (${this.malformedCount} so far)`,
      );
    }
  }

  private async receiveLoop(): Promise<void> {
    const router = this.router as zmq.Router;
    try {
      for await (const frames of router) {
        if (this.stopping) break;
        const id = frames[0] as Buffer;
        const key = id.toString("latin1");
        const now = Date.now();
        const rl = this.rateLimited(key, now);
        if (rl.limited) {
          if (rl.reply)
            this.send(id, {
              error: { code: E.ERROR_CODE_RATE_LIMITED, message: "rate limit exceeded", retryAfterMs: 100 },
            });
          continue;
        }
        let env: Envelope;
        try {
          env = decodeFrames(frames, { identity: true, maxFrameBytes: this.opts.maxFrameBytes }).envelope;
        } catch (err) {
          if (err instanceof ProtocolError) {
            this.logMalformed(key, err);
            if (err instanceof VersionMismatchError && looksLikeHello(frames)) {
              this.send(id, {
                refused: {
                  reason: v1.RefusalReason.REFUSAL_REASON_VERSION_MISMATCH,
                  message: err.message,
                  supportedVersions: [{ major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR }],
                },
              });
            } else {
              this.send(id, errorReplyFor(err));
            }
          } else {
            this.opts.log(`coordinator: unexpected decode failure: ${String(err)}`);
          }
          continue;
        }
        try {
          this.handle(id, key, env, now);
        } catch (err) {
          this.opts.log(
            `coordinator: internal error handling ${env.body}: ${(err as Error).stack ?? String(err)}`,
          );
          this.sendError(
            id,
            E.ERROR_CODE_INTERNAL,
            `internal error: ${(err as Error).message}`,
            env.messageId,
          );
        }
      }
    } catch (err) {
      if (!this.stopping) this.opts.log(`coordinator: receive loop ended: ${(err as Error).message}`);
    }
  }

  private handle(id: Buffer, key: string, env: Envelope, now: number): void {
    const body = env.body;
    if (body === "hello") return this.onHello(id, key, env, env.hello as nadir.v1.Hello);
    const peer = this.peers.get(key);
    if (!peer) {
      this.malformedCount += 1;
      return this.sendError(
        id,
        E.ERROR_CODE_NOT_WELCOMED,
        `say Hello first (session ${this.sessionId})`,
        env.messageId,
      );
    }
    peer.lastSeen = now;
    switch (body) {
      case "heartbeat":
        return this.onHeartbeat(peer, env.heartbeat as nadir.v1.Heartbeat, now);
      case "workRequest":
        this.schedule();
        return;
      case "trialReport":
        return this.onReport(peer, env, env.trialReport as nadir.v1.TrialReport);
      case "trialCompleted":
      case "trialFailed":
      case "trialStopped":
        return this.onTerminal(peer, env, body);
      case "trialRejected":
        return this.onRejected(peer, env, env.trialRejected as nadir.v1.TrialRejected);
      case "goodbye":
        return this.onGoodbye(peer, env);
      case "gradientHistogram":
        return this.onHistogram(peer, env, env.gradientHistogram as nadir.v1.GradientHistogram);
      case "suggestResponse":
      case "error":
        return this.onSuggesterAnswer(env);
      case "ack":
        return;
      case "statusRequest":
        return this.send(
          id,
          { statusResponse: this.status((env.statusRequest as nadir.v1.StatusRequest).studyIds) },
          env.messageId,
        );
      default:
        this.malformedCount += 1;
        return this.sendError(
          id,
          E.ERROR_CODE_UNEXPECTED_MESSAGE,
          `${String(body)} is not a message a peer sends to the coordinator`,
          env.messageId,
        );
    }
  }

  private onHello(id: Buffer, key: string, env: Envelope, hello: nadir.v1.Hello): void {
    const refuse = (reason: number, message: string): void =>
      this.send(id, { refused: { reason, message } }, env.messageId);
    const nego = negotiateVersion({ major: env.versionMajor, minor: env.versionMinor });
    if (!nego.ok) {
      return this.send(
        id,
        {
          refused: {
            reason: v1.RefusalReason.REFUSAL_REASON_VERSION_MISMATCH,
            message: nego.message,
            supportedVersions: nego.supported,
          },
        },
        env.messageId,
      );
    }
    if (this.stopping)
      return refuse(v1.RefusalReason.REFUSAL_REASON_DRAINING, "coordinator is shutting down");
    const R = v1.PeerRole;
    if (!hello.peerId || hello.peerId.length > 200)
      return refuse(v1.RefusalReason.REFUSAL_REASON_INVALID_HELLO, "peer_id must be 1..200 characters");
    if (![R.PEER_ROLE_WORKER, R.PEER_ROLE_SUGGESTER, R.PEER_ROLE_OBSERVER].includes(hello.role)) {
      return refuse(
        v1.RefusalReason.REFUSAL_REASON_INVALID_HELLO,
        "role must be WORKER, SUGGESTER or OBSERVER",
      );
    }
    let capacity = 0;
    if (hello.role === R.PEER_ROLE_WORKER) {
      capacity = hello.worker?.capacity ?? 0;
      if (!(capacity >= 1 && capacity <= 4096))
        return refuse(
          v1.RefusalReason.REFUSAL_REASON_INVALID_HELLO,
          `worker capacity must be 1..4096, got ${capacity}`,
        );
    }
    // The same peer id on a new connection takes over (a worker that reconnected, e.g. after a network
    // blip or a coordinator restart); the old connection is forgotten, its unlisted attempts preempted.
    const old = this.peersById.get(hello.peerId);
    const listed = new Set(
      (hello.worker?.running ?? []).map((r) => `${r.studyId}/${r.trialId}/${r.attempt}`),
    );
    if (old && old.key !== key) {
      for (const t of [...old.running]) {
        if (!listed.has(`${t.study.spec.studyId}/${t.id}/${t.attempt}`))
          this.preemptLive(t, `worker ${old.peerId} reconnected without it`);
      }
      this.peers.delete(old.key);
    }
    const existing = this.peers.get(key);
    const peer: Peer = existing ?? {
      key,
      routingId: id,
      peerId: hello.peerId,
      role: hello.role,
      capacity,
      workloads: hello.worker?.workloads ?? [],
      running: old && old.key !== key ? old.running : new Set(),
      lastSeen: Date.now(),
      algorithms: hello.suggester?.algorithms ?? [],
      draining: false,
    };
    peer.capacity = capacity;
    peer.lastSeen = Date.now();
    this.peers.set(key, peer);
    this.peersById.set(hello.peerId, peer);
    const reattached: nadir.v1.TrialRef.$Properties[] = [];
    const stops: Trial[] = [];
    for (const ref of hello.worker?.running ?? []) {
      const t = this.trialOf(ref);
      if (
        !t ||
        t.attempt !== ref.attempt ||
        (t.state !== S.TRIAL_STATE_RUNNING && t.state !== S.TRIAL_STATE_STOPPING)
      )
        continue;
      if (t.workerId && t.workerId !== hello.peerId) continue;
      if (t.peer && t.peer !== peer) t.peer.running.delete(t);
      t.peer = peer;
      peer.running.add(t);
      t.leaseExpires = Date.now() + this.opts.peerTimeoutMs;
      reattached.push(refOf(t));
      if (t.state === S.TRIAL_STATE_STOPPING) stops.push(t);
    }
    // Attempts this worker held (by id) but did not list are lost.
    for (const st of this.studies.values()) {
      for (const t of st.trials.values()) {
        if (
          (t.state === S.TRIAL_STATE_RUNNING || t.state === S.TRIAL_STATE_STOPPING) &&
          t.workerId === hello.peerId &&
          t.peer !== peer
        ) {
          this.preemptLive(t, `worker ${hello.peerId} said Hello without it`);
        }
      }
    }
    this.send(
      id,
      {
        welcome: {
          peerId: hello.peerId,
          sessionId: this.sessionId,
          negotiatedMinor: nego.minor,
          heartbeatIntervalMs: this.opts.heartbeatIntervalMs,
          peerTimeoutMs: this.opts.peerTimeoutMs,
          maxFrameBytes: this.opts.maxFrameBytes,
          reattached,
          agent: COORDINATOR_AGENT,
          features: [],
        },
      },
      env.messageId,
    );
    for (const t of stops) this.sendStop(t);
    this.schedule();
  }

  private onHeartbeat(peer: Peer, hb: nadir.v1.Heartbeat, now: number): void {
    for (const p of hb.running) {
      const t = this.trialOf(p.trial);
      if (t && t.peer === peer && t.attempt === p.trial?.attempt)
        t.leaseExpires = now + this.opts.peerTimeoutMs;
    }
    if (hb.freeSlots > 0) this.schedule();
  }

  /** Checks that a message about an attempt refers to a known, current attempt held by this peer. */
  private attemptFor(
    peer: Peer,
    env: Envelope,
    ref: nadir.v1.TrialRef.$Properties | null | undefined,
  ): { t?: Trial; stale?: boolean } {
    const st = this.studies.get(ref?.studyId ?? "");
    if (!st) {
      this.malformedCount += 1;
      this.sendError(
        peer.routingId,
        E.ERROR_CODE_UNKNOWN_STUDY,
        `no study ${JSON.stringify(ref?.studyId ?? "")}`,
        env.messageId,
        ref,
      );
      return {};
    }
    const t = st.trials.get(ref?.trialId ?? 0);
    const attempt = ref?.attempt ?? 0;
    if (!t || attempt < 1 || attempt > Math.max(t.attempt, 1)) {
      this.malformedCount += 1;
      this.sendError(
        peer.routingId,
        E.ERROR_CODE_UNKNOWN_TRIAL,
        `no attempt ${attempt} of trial ${ref?.trialId ?? 0} in study ${st.spec.studyId}`,
        env.messageId,
        ref,
      );
      return {};
    }
    return { t, stale: attempt !== t.attempt };
  }

  private ack(
    peer: Peer,
    env: Envelope,
    status: number,
    t: Trial | undefined,
    ref: nadir.v1.TrialRef.$Properties | null | undefined,
  ): void {
    const running = t && (t.state === S.TRIAL_STATE_RUNNING || t.state === S.TRIAL_STATE_STOPPING);
    this.send(
      peer.routingId,
      { ack: { status, ...(ref ? { trial: ref } : {}), leaseExpiresUnixMs: running ? t.leaseExpires : 0 } },
      env.messageId,
    );
  }

  private onReport(peer: Peer, env: Envelope, r: nadir.v1.TrialReport): void {
    const { t, stale } = this.attemptFor(peer, env, r.trial);
    if (!t) return;
    if (!r.measurement || !(r.sequence >= 1)) {
      this.malformedCount += 1;
      return this.sendError(
        peer.routingId,
        E.ERROR_CODE_INVALID_ARGUMENT,
        "a report needs a measurement and a sequence >= 1",
        env.messageId,
        r.trial,
      );
    }
    if (t.seqs.has(r.sequence) && !stale) return this.ack(peer, env, AckS.ACK_STATUS_DUPLICATE, t, r.trial);
    if (
      stale ||
      t.peer !== peer ||
      (t.state !== S.TRIAL_STATE_RUNNING && t.state !== S.TRIAL_STATE_STOPPING)
    ) {
      return this.ack(peer, env, AckS.ACK_STATUS_STALE, t, r.trial);
    }
    t.leaseExpires = Date.now() + this.opts.peerTimeoutMs;
    const entry: JournalEntry = { trialReport: r };
    const p = this.opts.store.append(entry);
    const decision = this.applyReport(r, false);
    p.then(
      () => {
        this.ack(peer, env, AckS.ACK_STATUS_ACCEPTED, t, r.trial);
        this.event(t, S.TRIAL_STATE_RUNNING, "report", r.measurement as Measurement);
        if (decision) this.sendStop(t);
        void this.maybeCompact();
      },
      (err: Error) => this.journalFailed(peer, env, err),
    );
  }

  private sendStop(t: Trial): void {
    if (!t.peer) return;
    this.send(t.peer.routingId, {
      stopTrial: { trial: refOf(t), reason: t.stopReason, message: t.stopMessage },
    });
  }

  private journalFailed(peer: Peer, env: Envelope, err: Error): void {
    this.opts.log(`coordinator: journal append failed: ${err.message}`);
    this.sendError(
      peer.routingId,
      E.ERROR_CODE_INTERNAL,
      "journal unavailable; result not recorded",
      env.messageId,
    );
  }

  private onTerminal(
    peer: Peer,
    env: Envelope,
    body: "trialCompleted" | "trialFailed" | "trialStopped",
  ): void {
    const msg = env[body] as nadir.v1.TrialCompleted | nadir.v1.TrialFailed | nadir.v1.TrialStopped;
    const { t, stale } = this.attemptFor(peer, env, msg.trial);
    if (!t) return;
    if (!stale && isTerminal(t.state)) return this.ack(peer, env, AckS.ACK_STATUS_DUPLICATE, t, msg.trial);
    if (
      stale ||
      t.peer !== peer ||
      (t.state !== S.TRIAL_STATE_RUNNING && t.state !== S.TRIAL_STATE_STOPPING)
    ) {
      return this.ack(peer, env, AckS.ACK_STATUS_STALE, t, msg.trial);
    }
    const previous = t.state;
    const p = this.commit({ [body]: msg } as JournalEntry);
    p.then(
      () => {
        this.ack(peer, env, AckS.ACK_STATUS_ACCEPTED, t, msg.trial);
        this.event(t, previous, body);
        if (isTerminal(t.state)) void this.observe(t);
        this.schedule();
        this.checkDone();
        void this.maybeCompact();
      },
      (err: Error) => this.journalFailed(peer, env, err),
    );
  }

  private async observe(t: Trial): Promise<void> {
    try {
      await t.study.suggester?.observe?.([this.resultOf(t, true)]);
    } catch (err) {
      this.opts.log(`study ${t.study.spec.studyId}: suggester observe failed: ${(err as Error).message}`);
    }
  }

  private onRejected(peer: Peer, env: Envelope, r: nadir.v1.TrialRejected): void {
    const { t, stale } = this.attemptFor(peer, env, r.trial);
    if (!t) return;
    if (stale || t.peer !== peer || t.state !== S.TRIAL_STATE_RUNNING)
      return this.ack(peer, env, AckS.ACK_STATUS_STALE, t, r.trial);
    const prev = t.state;
    // A worker that rejects work is treated as full until it asks again.
    peer.capacity = Math.max(0, peer.running.size - 1);
    this.commit({
      trialEvent: {
        trial: refOf(t),
        previousState: prev,
        state: S.TRIAL_STATE_QUEUED,
        atUnixMs: Date.now(),
        workerId: peer.peerId,
        reason: `rejected: ${r.reason}`,
      },
    }).then(
      () => {
        this.ack(peer, env, AckS.ACK_STATUS_ACCEPTED, t, r.trial);
        this.event(t, prev, `rejected: ${r.reason}`);
        this.schedule();
      },
      (err: Error) => this.journalFailed(peer, env, err),
    );
  }

  private onGoodbye(peer: Peer, env: Envelope): void {
    for (const t of [...peer.running]) this.preemptLive(t, `worker ${peer.peerId} said goodbye`);
    this.peers.delete(peer.key);
    if (this.peersById.get(peer.peerId) === peer) this.peersById.delete(peer.peerId);
    this.ack(peer, env, AckS.ACK_STATUS_ACCEPTED, undefined, undefined);
    this.schedule();
  }

  private onHistogram(peer: Peer, env: Envelope, h: nadir.v1.GradientHistogram): void {
    const { t, stale } = this.attemptFor(peer, env, h.trial);
    if (!t) return;
    if (stale) return this.ack(peer, env, AckS.ACK_STATUS_STALE, t, h.trial);
    this.opts.store.append({ gradientHistogram: h }).then(
      () => this.ack(peer, env, AckS.ACK_STATUS_ACCEPTED, t, h.trial),
      (err: Error) => this.journalFailed(peer, env, err),
    );
  }

  /** Journals the loss of an attempt (PREEMPTED) and re-queues its trial as the next attempt. */
  private preemptLive(t: Trial, reason: string): void {
    if (this.preempting.has(t)) return;
    this.preempting.add(t);
    const prev = t.state;
    const ref = refOf(t);
    const holder = t.peer;
    void this.commit({
      trialEvent: {
        trial: ref,
        previousState: prev,
        state: S.TRIAL_STATE_PREEMPTED,
        atUnixMs: Date.now(),
        workerId: t.workerId,
        reason,
      },
    }).then(
      () => {
        this.preempting.delete(t);
        // A holder that is still connected is told to stop the lost attempt (its results would be STALE).
        if (holder && this.peers.get(holder.key) === holder) {
          this.send(holder.routingId, {
            stopTrial: { trial: ref, reason: v1.StopReason.STOP_REASON_LEASE_REVOKED, message: reason },
          });
        }
        this.opts.log(`trial ${ref.studyId}/${ref.trialId} attempt ${ref.attempt} preempted: ${reason}`);
        this.event(t, prev, reason);
        this.schedule();
        this.checkDone();
      },
      (err: Error) => {
        this.preempting.delete(t);
        this.opts.log(`coordinator: journal append failed: ${err.message}`);
      },
    );
  }

  // ------------------------------------------------------------------------------------------ timers

  private tick(): void {
    const now = Date.now();
    for (const p of [...this.peers.values()]) {
      if (now - p.lastSeen > this.opts.peerTimeoutMs) {
        this.opts.log(`peer ${p.peerId} silent for ${now - p.lastSeen} ms: dropped`);
        this.peers.delete(p.key);
        if (this.peersById.get(p.peerId) === p) this.peersById.delete(p.peerId);
        for (const t of [...p.running])
          this.preemptLive(t, `lease expired: worker ${p.peerId} silent for ${now - p.lastSeen} ms`);
      }
    }
    for (const st of this.studies.values()) {
      for (const t of st.trials.values()) {
        if (
          (t.state === S.TRIAL_STATE_RUNNING || t.state === S.TRIAL_STATE_STOPPING) &&
          t.leaseExpires < now &&
          !this.preempting.has(t)
        ) {
          // Either no worker re-attached it after a restart, or its worker is alive but stopped renewing it
          // (no report or heartbeat listing it): a live peer cannot hold an attempt forever.
          this.preemptLive(
            t,
            t.peer
              ? `lease expired: worker ${t.peer.peerId} stopped renewing it`
              : "lease expired: no worker reattached it",
          );
        }
      }
    }
    // Forget idle rate-limit buckets of peers that never said Hello (bounded memory under floods).
    if (this.buckets.size > 1000) {
      for (const [k, b] of this.buckets)
        if (now - b.at > 10_000 && !this.peers.has(k)) this.buckets.delete(k);
    }
  }

  // ---------------------------------------------------------------------------------------- scheduling

  private schedule(): void {
    if (this.scheduled || this.stopping) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.assignAll();
    });
  }

  private runningCount(st: StudyRt): number {
    let n = 0;
    for (const t of st.trials.values())
      if (t.state === S.TRIAL_STATE_RUNNING || t.state === S.TRIAL_STATE_STOPPING) n++;
    return n;
  }

  private assignAll(): void {
    if (this.stopping) return;
    const workers = [...this.peers.values()].filter(
      (p) => p.role === v1.PeerRole.PEER_ROLE_WORKER && !p.draining,
    );
    const studies = [...this.studies.values()].filter(
      (s) => s.state === v1.StudyStateChanged.StudyState.STUDY_STATE_ACTIVE,
    );
    let freeSlots = 0;
    for (const w of workers) freeSlots += Math.max(0, w.capacity - w.running.size);
    if (freeSlots === 0 || studies.length === 0) return;
    let progress = true;
    while (progress) {
      progress = false;
      for (const st of studies) {
        const running = this.runningCount(st);
        const par = st.spec.budget?.parallelism || Number.POSITIVE_INFINITY;
        if (running >= par) continue;
        const t = st.queue[0];
        if (!t) continue;
        const w = workers.find(
          (p) =>
            p.running.size < p.capacity &&
            (p.workloads.length === 0 || !st.spec.workload || p.workloads.includes(st.spec.workload)),
        );
        if (!w) continue;
        st.queue.shift();
        this.assign(t, w);
        progress = true;
      }
    }
    for (const st of studies) this.refill(st, workers);
  }

  private assign(t: Trial, w: Peer): void {
    const attempt = t.reuseAttempt ? Math.max(1, t.attempt) : t.attempt + 1;
    const spec = t.study.spec;
    const leaseExpires = Date.now() + this.opts.peerTimeoutMs;
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
        expiresUnixMs: leaseExpires,
        heartbeatIntervalMs: this.opts.heartbeatIntervalMs,
        timeoutMs: this.opts.peerTimeoutMs,
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
    w.running.add(t);
    t.peer = w;
    // The journal keeps the assignment without the materialised parts (they are a function of the spec).
    const p = this.commit({
      attemptAssigned: {
        assignment: { trial: assignment.trial, lease: assignment.lease },
        workerId: w.peerId,
      },
    });
    t.peer = w;
    p.then(
      () => {
        if (t.peer !== w || t.attempt !== attempt) return;
        this.send(w.routingId, { trialAssignment: assignment });
        this.event(t, prev, `assigned to ${w.peerId}`);
      },
      (err: Error) => this.opts.log(`coordinator: journal append failed: ${err.message}`),
    );
  }

  /**
   * A point no optimizer can train (e.g. β1 = 1 from a space whose range reaches 1) ends INFEASIBLE
   * without reaching a worker: it is a property of the point, so retrying it elsewhere cannot help.
   */
  private infeasible(t: Trial, err: MaterializeError): void {
    this.opts.log(`study ${t.study.spec.studyId} trial ${t.id}: cannot materialise: ${err.message}`);
    const previous = t.state;
    this.commit({
      trialFailed: {
        trial: refOf(t),
        kind: v1.FailureKind.FAILURE_KIND_INFEASIBLE,
        message: `cannot materialise the optimizer: ${err.message}`,
        errorType: err.name,
      },
    }).then(
      () => {
        this.event(t, previous, "infeasible");
        void this.observe(t);
        this.schedule();
        this.checkDone();
      },
      (e: Error) => this.opts.log(`coordinator: journal append failed: ${e.message}`),
    );
  }

  private refill(st: StudyRt, workers: Peer[]): void {
    if (st.suggesting || st.exhausted || !st.suggester) return;
    if (st.suggestRetryAt !== undefined && Date.now() < st.suggestRetryAt) return;
    const maxTrials = st.spec.budget?.maxTrials ?? 0;
    const created = st.trials.size;
    if (created >= maxTrials) return;
    const maxFailed = st.spec.budget?.maxFailedTrials ?? 0;
    if (maxFailed > 0 && st.failed >= maxFailed) return;
    let free = 0;
    for (const w of workers) free += Math.max(0, w.capacity - w.running.size);
    const par = st.spec.budget?.parallelism || Number.POSITIVE_INFINITY;
    const want = Math.min(free, par - this.runningCount(st)) - st.queue.length;
    if (want <= 0) return;
    const replicates = Math.max(1, st.spec.replicates || 1);
    const points = Math.max(
      1,
      Math.min(Math.ceil(want / replicates), Math.ceil((maxTrials - created) / replicates)),
    );
    st.suggesting = true;
    const history = [...st.trials.values()].map((t) => this.resultOf(t, false));
    const pending = [...st.trials.values()].filter((t) => !isTerminal(t.state)).map((t) => refOf(t));
    Promise.resolve()
      .then(() =>
        (st.suggester as Suggester).suggest(points, { study: st.spec, history, pending, created: st.points }),
      )
      .then(
        async (batch) => {
          if (batch.suggestions.length === 0 && !batch.exhausted) this.backOff(st, "no suggestion");
          else {
            st.suggestRetryAt = undefined;
            st.suggestBackoffMs = undefined;
          }
          const commits: Promise<void>[] = [];
          for (const s of batch.suggestions.slice(0, points)) {
            for (let r = 0; r < replicates && st.trials.size < maxTrials; r++) {
              const id = st.nextTrialId;
              const seed = seedFor(st.spec, id, st.points, r);
              commits.push(
                this.commit({
                  trialCreated: {
                    trial: { studyId: st.spec.studyId, trialId: id, attempt: 0 },
                    parameters: s.parameters,
                    seed,
                    suggester: s.source ?? (st.suggester as Suggester).name,
                    ...(s.listIndex !== undefined ? { listIndex: s.listIndex } : {}),
                    replicate: r,
                    metadata: {
                      ...(s.metadata ?? {}),
                      ...(batch.exhausted &&
                      s === batch.suggestions[batch.suggestions.length - 1] &&
                      r === replicates - 1
                        ? { exhausted: "true" }
                        : {}),
                    },
                  },
                }),
              );
            }
          }
          if (batch.exhausted) st.exhausted = true;
          await Promise.all(commits);
        },
        (err: Error) => {
          this.opts.log(`study ${st.spec.studyId}: suggester failed: ${err.message}`);
          this.backOff(st, err.message);
        },
      )
      .finally(() => {
        st.suggesting = false;
        this.checkDone();
        this.schedule();
      });
  }

  /**
   * A suggester that fails or has nothing to offer (e.g. no external suggester connected yet) is asked
   * again after 50 ms, doubling up to 5 s, instead of in a tight loop; a useful batch resets the delay.
   */
  private backOff(st: StudyRt, why: string): void {
    const delay = Math.min(5000, (st.suggestBackoffMs ?? 25) * 2);
    st.suggestBackoffMs = delay;
    st.suggestRetryAt = Date.now() + delay;
    if (delay >= 5000) this.opts.log(`study ${st.spec.studyId}: suggester retry in ${delay} ms (${why})`);
    const timer = setTimeout(() => this.schedule(), delay + 1);
    timer.unref?.();
  }

  // ------------------------------------------------------------------------------------ done / status

  private studyDone(st: StudyRt): boolean {
    if (st.state !== v1.StudyStateChanged.StudyState.STUDY_STATE_ACTIVE) return true;
    for (const t of st.trials.values()) if (!isTerminal(t.state)) return false;
    if (st.suggesting) return false;
    const maxFailed = st.spec.budget?.maxFailedTrials ?? 0;
    return (
      st.trials.size >= (st.spec.budget?.maxTrials ?? 0) ||
      st.exhausted ||
      !st.suggester ||
      (maxFailed > 0 && st.failed >= maxFailed)
    );
  }

  private allDone(): boolean {
    for (const st of this.studies.values()) if (!this.studyDone(st)) return false;
    return true;
  }

  private checkDone(): void {
    for (const st of this.studies.values()) {
      if (st.state === v1.StudyStateChanged.StudyState.STUDY_STATE_ACTIVE && this.studyDone(st)) {
        st.state = v1.StudyStateChanged.StudyState.STUDY_STATE_COMPLETED;
        const reason = st.suggesterError
          ? `suggester unavailable: ${st.suggesterError}`
          : st.exhausted
            ? "suggester exhausted"
            : "budget spent";
        void this.opts.store
          .append({ studyStateChanged: { studyId: st.spec.studyId, state: st.state, reason } })
          .then(
            () => this.checkDone(),
            () => {},
          );
        this.opts.log(`study ${st.spec.studyId} finished (${reason})`);
        return;
      }
    }
    if (this.allDone() && this.doneResolvers.length > 0) {
      const rs = this.doneResolvers;
      this.doneResolvers = [];
      // Let the last journal append settle first.
      void this.flushed().then(() => rs.forEach((r) => void r()));
    }
  }

  private async flushed(): Promise<void> {
    await this.opts.store.append({
      envelope: {
        versionMajor: PROTOCOL_MAJOR,
        versionMinor: PROTOCOL_MINOR,
        messageId: randomUUID(),
        senderId: "coordinator",
        ack: { status: AckS.ACK_STATUS_ACCEPTED },
      },
    });
  }

  /** Counts of one study's trials. */
  counts(st: StudyRt): StudyCounts {
    const c: StudyCounts = {
      studyId: st.spec.studyId,
      queued: 0,
      running: 0,
      completed: 0,
      pruned: 0,
      failed: 0,
      diverged: 0,
      infeasible: 0,
      abandoned: 0,
      created: st.trials.size,
      maxTrials: st.spec.budget?.maxTrials ?? 0,
      best: st.best?.raw,
      done: this.studyDone(st),
    };
    for (const t of st.trials.values()) {
      switch (t.state) {
        case S.TRIAL_STATE_QUEUED:
          c.queued++;
          break;
        case S.TRIAL_STATE_RUNNING:
        case S.TRIAL_STATE_STOPPING:
          c.running++;
          break;
        case S.TRIAL_STATE_COMPLETED:
          c.completed++;
          break;
        case S.TRIAL_STATE_PRUNED:
          c.pruned++;
          break;
        case S.TRIAL_STATE_FAILED:
          c.failed++;
          break;
        case S.TRIAL_STATE_DIVERGED:
          c.diverged++;
          break;
        case S.TRIAL_STATE_INFEASIBLE:
          c.infeasible++;
          break;
        case S.TRIAL_STATE_ABANDONED:
          c.abandoned++;
          break;
      }
    }
    return c;
  }

  /** Progress of every study. */
  progress(): StudyCounts[] {
    return [...this.studies.values()].map((s) => this.counts(s));
  }

  /**
   * Applies journal records without opening sockets (offline replay for export/status tools) and returns
   * every trial of every study as a TrialResult with its measurements, in trial-id order.
   */
  replayOffline(
    records: readonly JournalRecord[],
  ): Map<string, { spec: nadir.v1.StudySpec; trials: (TrialResult & { replicate: number })[] }> {
    for (const r of records) this.applyRecord(r, true);
    const out = new Map<
      string,
      { spec: nadir.v1.StudySpec; trials: (TrialResult & { replicate: number })[] }
    >();
    for (const st of this.studies.values()) {
      const trials = [...st.trials.values()]
        .sort((a, b) => a.id - b.id)
        .map((t) => ({ ...this.resultOf(t, true), replicate: t.replicate }));
      out.set(st.spec.studyId, { spec: st.spec, trials });
    }
    return out;
  }

  /** Distinct points a study has created (replicates of one point count once): its suggester's position. */
  pointsCreated(studyId: string): number {
    return this.studies.get(studyId)?.points ?? 0;
  }

  /** Peers currently connected. */
  peerCount(): number {
    return this.peers.size;
  }

  private progressOf(st: StudyRt, c: StudyCounts): nadir.v1.StudyProgress.$Properties {
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
      atUnixMs: Date.now(),
    };
  }

  private status(ids: string[]): nadir.v1.StatusResponse.$Properties {
    const studies = [...this.studies.values()].filter(
      (s) => ids.length === 0 || ids.includes(s.spec.studyId),
    );
    return {
      studies: studies.map((s) => this.progressOf(s, this.counts(s))),
      peers: [...this.peers.values()].map((p) => ({
        peerId: p.peerId,
        role: v1.PeerRole[p.role] ?? String(p.role),
        running: p.running.size,
        capacity: p.capacity,
        lastSeenUnixMs: p.lastSeen,
      })),
      agent: COORDINATOR_AGENT,
      uptimeSeconds: (Date.now() - this.startedAt) / 1000,
    };
  }

  // ------------------------------------------------------------------------------ external suggesters

  /** Sends a SuggestRequest to a connected suggester peer and waits for its answer (used by ExternalSuggester). */
  requestSuggestions(
    spec: nadir.v1.StudySpec,
    count: number,
    history: TrialResult[],
    pending: nadir.v1.TrialRef.$Properties[],
    timeoutMs = 30_000,
  ): Promise<nadir.v1.SuggestResponse | undefined> {
    const ext = spec.suggester?.external;
    const peer = [...this.peers.values()].find(
      (p) =>
        p.role === v1.PeerRole.PEER_ROLE_SUGGESTER &&
        (ext?.suggesterId
          ? p.peerId === ext.suggesterId
          : !ext?.algorithm || p.algorithms.length === 0 || p.algorithms.includes(ext.algorithm)),
    );
    if (!peer) return Promise.resolve(undefined);
    const messageId = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingSuggest.delete(messageId);
        reject(new Error(`suggester ${peer.peerId} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pendingSuggest.set(messageId, { resolve, reject, timer });
      const payload = encodeEnvelope(
        {
          versionMajor: PROTOCOL_MAJOR,
          versionMinor: PROTOCOL_MINOR,
          messageId,
          sentUnixMs: Date.now(),
          senderId: "coordinator",
          suggestRequest: {
            studyId: spec.studyId,
            count,
            study: spec,
            specFingerprint: specFingerprint(spec),
            history,
            pending,
          },
        },
        { maxFrameBytes: this.opts.maxFrameBytes, verify: false },
      );
      this.sendPayload(peer.routingId, payload);
    });
  }

  /** Sends ObserveTrials to the study's suggester peer(s) (fire and forget; they answer with an Ack). */
  observeExternal(spec: nadir.v1.StudySpec, results: readonly TrialResult[]): void {
    for (const p of this.peers.values()) {
      if (p.role === v1.PeerRole.PEER_ROLE_SUGGESTER)
        this.send(p.routingId, { observeTrials: { studyId: spec.studyId, trials: [...results] } });
    }
  }

  private onSuggesterAnswer(env: Envelope): void {
    const pending = this.pendingSuggest.get(env.correlationId);
    if (!pending) return;
    this.pendingSuggest.delete(env.correlationId);
    clearTimeout(pending.timer);
    if (env.body === "suggestResponse") pending.resolve(env.suggestResponse as nadir.v1.SuggestResponse);
    else pending.reject(new Error(`suggester answered with an error: ${env.error?.message ?? ""}`));
  }
}

/** Drives an external suggester process (role SUGGESTER) through the same Suggester interface. */
export class ExternalSuggester implements Suggester {
  readonly name: string;
  constructor(
    private readonly coordinator: Coordinator,
    private readonly spec: nadir.v1.StudySpec,
  ) {
    this.name = `external:${spec.suggester?.external?.algorithm || spec.suggester?.external?.suggesterId || "any"}`;
  }
  async suggest(
    count: number,
    ctx: { history: readonly TrialResult[]; pending: readonly nadir.v1.TrialRef.$Properties[] },
  ): Promise<{
    suggestions: {
      parameters: Record<string, ParameterValue>;
      listIndex?: number;
      metadata?: Record<string, string>;
    }[];
    exhausted: boolean;
  }> {
    const r = await this.coordinator.requestSuggestions(this.spec, count, [...ctx.history], [...ctx.pending]);
    if (!r) return { suggestions: [], exhausted: false };
    return {
      suggestions: r.suggestions.map((s) => ({
        parameters: s.parameters as Record<string, ParameterValue>,
        ...(s.listIndex !== null && s.listIndex !== undefined ? { listIndex: s.listIndex } : {}),
        ...(s.metadata ? { metadata: s.metadata } : {}),
      })),
      exhausted: r.exhausted,
    };
  }
  observe(results: readonly TrialResult[]): void {
    this.coordinator.observeExternal(this.spec, results);
  }
}

/** Seed of a trial: the study's sampler/list seed mixed with the point index and replicate, so that replicates differ and attempts agree. */
function seedFor(spec: nadir.v1.StudySpec, trialId: number, point: number, replicate: number): number {
  const base = Number(
    spec.suggester?.sampler?.seed ??
      spec.suggester?.list?.fallback?.seed ??
      spec.suggester?.external?.seed ??
      0,
  );
  // Keep within 2^31 so every language's RNG accepts it.
  return (base * 1_000_003 + point * 7919 + replicate * 104_729 + trialId) % 2_147_483_647;
}

function fingerprintIgnoringTime(spec: nadir.v1.StudySpec): string {
  const clone = v1.StudySpec.decode(v1.StudySpec.encode(spec).finish());
  clone.createdUnixMs = 0;
  return specFingerprint(clone);
}

function looksLikeHello(frames: Buffer[]): boolean {
  try {
    const env = v1.Envelope.decode(frames[frames.length - 1] as Buffer);
    return env.body === "hello";
  } catch {
    return false;
  }
}
