/**
 * The coordinator: a ZeroMQ ROUTER that turns studies into trials on remote workers, journals every
 * result before acknowledging it, and publishes trial events on a PUB socket.
 *
 * This file wires four parts together: the state book (`state/`, pure: journal record -> state), the
 * scheduler (assignment, refill, back-off, seeds), the external suggester link, and the wire shell
 * (`wire/`: sockets, message handlers, rate limits, peers and their principals). Every state change is a
 * JournalRecord appended to the store and applied to the book by the same `apply*` code live and during
 * replay, so a restarted coordinator rebuilds exactly the state its journal describes. Acknowledgements
 * and assignments are sent only once their record is durable (see journal.ts for the fsync policy), so
 * an acknowledged result is never lost and a duplicate or late one is recognised and ignored.
 */
import { randomUUID } from "node:crypto";
import {
  helloKeyProof,
  nadir,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
  ProtocolError,
  VersionMismatchError,
} from "@nadir/protocol";
import type { Envelope } from "@nadir/protocol/framing";
import { DEFAULT_MAX_FRAME_BYTES, decodeFrames, errorReplyFor } from "@nadir/protocol/framing";
import type { Measurement, SuggesterFactory, TrialResult } from "@nadir/sdk";
import type { SuggesterLink } from "./external-suggester.js";
import type { JournalEntry, JournalRecord, TrialStore } from "./journal.js";
import { Scheduler } from "./scheduler.js";
import {
  isTerminal,
  refOf,
  resultOf,
  type SchedulerView,
  StateBook,
  type StopDecision,
  type StudyCounts,
  type StudyState,
  type TrialState,
} from "./state/book.js";
import { specFingerprint, validateStudySpec } from "./study.js";
import { type StopperEvaluator, StudyStopper, ThreadEvaluator } from "./study-stopper.js";
import { COORDINATOR_AGENT, Handlers } from "./wire/handlers.js";
import { type Peer, PeerTable } from "./wire/peers.js";
import { RateLimiter } from "./wire/rate-limit.js";
import { type CurveOptions, WireSockets } from "./wire/sockets.js";

export { ExternalSuggester, type SuggesterLink } from "./external-suggester.js";
export { seedFor } from "./scheduler.js";
export {
  MAX_KEPT_MEASUREMENTS,
  MAX_PREEMPTED_ATTEMPTS,
  SequenceSet,
  type StudyCounts,
} from "./state/book.js";

import { CoordinatorError } from "./errors.js";

export { COORDINATOR_AGENT } from "./wire/handlers.js";
export type { CurveOptions } from "./wire/sockets.js";

const v1 = nadir.v1;
const S = v1.TrialState;
const E = v1.ErrorCode;
const ACTIVE = v1.StudyStateChanged.StudyState.STUDY_STATE_ACTIVE;

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
  /**
   * How a study stopper's evaluation runs (default: on a worker thread, off the event loop). Tests of a
   * single module may pass their own.
   * @internal
   */
  stopperEvaluator?: StopperEvaluator;
  /**
   * Receives one human-readable line, without a trailing newline, per event worth an operator's
   * attention: torn journal tails, dropped peers, preemptions, finished studies, suggester failures,
   * compactions, bad messages (the first 20, then every 1000th, so a misbehaving peer cannot flood it).
   * Called synchronously on the event loop, so it should not block. Default: discard.
   */
  log?: (line: string) => void;
}

/** Thrown by the constructor or start() for unusable options. */
export class CoordinatorConfigError extends CoordinatorError {
  constructor(message: string) {
    super("config_invalid", message);
  }
}

type ResolvedOptions = Required<
  Omit<CoordinatorOptions, "eventsBind" | "curve" | "suggesters" | "stopperEvaluator">
> &
  CoordinatorOptions;

/**
 * The trial coordinator (see the module comment).
 *
 * It is also the wire handlers' hub: `new Handlers(this)` checks that it fits the internal `Hub` interface
 * structurally. The class does not declare `implements Hub`, and the members typed with wire types
 * (`peers`, `sockets`, `status`) are marked internal, so that those types stay out of the public API.
 */
export class Coordinator implements SuggesterLink {
  readonly sessionId = randomUUID();
  private readonly opts: ResolvedOptions;
  readonly book: StateBook;
  /**
   * Connected peers and which connection holds which running attempt (wire shell state).
   * @internal
   */
  readonly peers = new PeerTable();
  /**
   * The ROUTER (+ PUB) sockets and their send queues (wire shell state).
   * @internal
   */
  readonly sockets: WireSockets;
  private readonly scheduler: Scheduler<Peer>;
  private readonly handlers: Handlers;
  private readonly limiter: RateLimiter;
  private readonly stopperThread = new ThreadEvaluator();
  private readonly studyStopper: StudyStopper;
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  stopping = false;
  private readonly startedAt = Date.now();
  private compacting = false;
  private readonly pendingSuggest = new Map<
    string,
    { resolve: (r: nadir.v1.SuggestResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private doneResolvers: (() => void)[] = [];
  /** The newest append: appends become durable in order, so awaiting it is a journal barrier. */
  private lastAppend: Promise<void> = Promise.resolve();
  private malformedCount = 0;
  private malformedLogged = 0;
  /** Trials whose PREEMPTED record is being written (so the timer does not preempt them twice). */
  private readonly preempting = new Set<TrialState>();
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
    this.book = new StateBook({ leaseMs: timeout, onRelease: (t) => this.peers.unbind(t) });
    this.sockets = new WireSockets({
      bind: this.opts.bind,
      ...(this.opts.eventsBind ? { eventsBind: this.opts.eventsBind } : {}),
      ...(this.opts.curve ? { curve: this.opts.curve } : {}),
      maxFrameBytes: maxFrame,
      log: this.opts.log,
    });
    this.limiter = new RateLimiter(this.opts.rateLimitPerSecond, this.opts.rateLimitBurst);
    this.handlers = new Handlers(this);
    this.scheduler = new Scheduler<Peer>(
      this.book,
      {
        commit: (e) => this.commit(e),
        bind: (t, w) => this.peers.bind(t, w),
        holder: (t) => this.peers.holder(t),
        deliver: (w, assignment, t, prev) => {
          this.sockets.send(w.routingId, { trialAssignment: assignment });
          this.changed(t, prev, `assigned to ${w.peerId}`);
        },
        changed: (t, prev, reason) => this.changed(t, prev, reason),
        wake: () => this.schedule(),
        holds: (st) => this.studyStopper.holds(st),
        settled: () => this.checkDone(),
        log: (l) => this.opts.log(l),
        now: () => Date.now(),
        heartbeatIntervalMs: hb,
        leaseMs: timeout,
      },
      this,
      this.opts.suggesters ?? [],
    );
    this.studyStopper = new StudyStopper(
      this.book,
      {
        commit: (e) => this.commit(e),
        decided: (st, d) => this.stopperDecided(st, d),
        settled: () => this.checkDone(),
        wake: () => this.schedule(),
        log: (l) => this.opts.log(l),
        now: () => Date.now(),
      },
      options.stopperEvaluator ?? this.stopperThread.evaluate,
    );
  }

  get heartbeatIntervalMs(): number {
    return this.opts.heartbeatIntervalMs;
  }
  get peerTimeoutMs(): number {
    return this.opts.peerTimeoutMs;
  }
  get maxFrameBytes(): number {
    return this.opts.maxFrameBytes;
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
    for (const r of records) this.book.applyRecord(r);
    if (report.truncatedBytes > 0)
      this.opts.log(
        `journal: torn tail truncated (${report.truncatedBytes} bytes): ${report.truncationReason}`,
      );
    // Replayed running attempts wait reattachGraceMs for their worker to say Hello again.
    for (const t of this.book.running) this.book.renewLease(t, this.opts.reattachGraceMs);
    const now = Date.now();
    for (const spec of this.opts.studies) {
      const existing = this.book.studies.get(spec.studyId);
      if (existing) {
        if (fingerprintIgnoringTime(existing.spec) !== fingerprintIgnoringTime(spec))
          this.opts.log(`study ${spec.studyId}: the journal holds a different spec; serving the journal's`);
        continue;
      }
      const full = v1.StudySpec.decode(v1.StudySpec.encode(spec).finish());
      full.createdUnixMs = spec.createdUnixMs || now;
      await this.commit({ studyCreated: full });
      await this.commit({ studyStateChanged: { studyId: spec.studyId, state: ACTIVE } });
    }
    // A stop decided before a crash: abandon what is still queued (the running trials finish).
    for (const st of this.book.studies.values())
      if (st.state === ACTIVE && st.stopDecision) this.abandonQueued(st, st.stopDecision);
    this.studyStopper.resume();
    await this.sockets.bind();
    this.endpoints = this.sockets.endpoints;
    this.eventsEndpoint = this.sockets.eventsEndpoint;
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
    if (this.allDone()) return this.lastAppend.then(() => {});
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
        this.sockets.send(p.routingId, {
          shutdown: { reason: "study finished", graceful: true, graceMs: 1000 },
        });
      // The Shutdowns must leave before the socket closes: a loaded process could close it while they were
      // still queued, and a worker that never hears Shutdown waits for the coordinator forever.
      if (!(await this.sockets.drain(5000)))
        this.opts.log("coordinator: stop: outgoing messages not drained within 5 s");
      this.sockets.lingerOnClose(1000);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const p of this.pendingSuggest.values()) {
      clearTimeout(p.timer);
      p.reject(new Error("coordinator stopping"));
    }
    this.studyStopper.close();
    await this.stopperThread.close();
    await this.scheduler.close();
    await this.opts.store.close();
    this.sockets.close();
  }

  // ---------------------------------------------------------------------------------- state changes

  /** Journals an entry and applies it to the book (the one path of every state change). */
  record(entry: JournalEntry): { durable: Promise<void>; stop: StopDecision | undefined } {
    const durable = this.opts.store.append(entry);
    this.lastAppend = durable.catch(() => {});
    const stop = this.book.apply(entry, false);
    return { durable, stop };
  }

  /** Journals an entry, applies it, and resolves once it is durable. */
  private commit(entry: JournalEntry): Promise<void> {
    return this.record(entry).durable;
  }

  /** Journals an entry that changes no state. */
  journal(entry: JournalEntry): Promise<void> {
    const durable = this.opts.store.append(entry);
    this.lastAppend = durable.catch(() => {});
    return durable;
  }

  /** Journals the loss of an attempt (PREEMPTED) and re-queues its trial as the next attempt. */
  preemptLive(t: TrialState, reason: string): void {
    if (this.preempting.has(t)) return;
    this.preempting.add(t);
    const prev = t.state;
    const ref = refOf(t);
    const holder = this.peers.holder(t);
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
          this.sockets.send(holder.routingId, {
            stopTrial: { trial: ref, reason: v1.StopReason.STOP_REASON_LEASE_REVOKED, message: reason },
          });
        }
        this.opts.log(`trial ${ref.studyId}/${ref.trialId} attempt ${ref.attempt} preempted: ${reason}`);
        this.changed(t, prev, reason);
        this.schedule();
        this.checkDone();
      },
      (err: Error) => {
        this.preempting.delete(t);
        this.opts.log(`coordinator: journal append failed: ${err.message}`);
      },
    );
  }

  /** Publishes a trial's state change (or report) and, on state changes, its study's progress. */
  changed(t: TrialState, previous: number, reason = "", measurement?: Measurement): void {
    if (!this.sockets.publishing) return;
    const ev: nadir.v1.TrialEvent.$Properties = {
      trial: refOf(t),
      previousState: previous,
      state: t.state,
      atUnixMs: Date.now(),
      workerId: t.workerId,
      reason,
    };
    if (measurement) ev.measurement = measurement;
    if (isTerminal(t.state)) ev.result = resultOf(t, false);
    this.sockets.publish(t.study.spec.studyId, { trialEvent: ev });
    if (measurement) return;
    this.sockets.publish(t.study.spec.studyId, {
      studyProgress: this.book.progressOf(t.study, this.view(t.study)),
    });
  }

  /**
   * Shows a trial that just finished to its study's suggester (e.g. a model-based one updating on the
   * result), in the background: a suggester that throws is logged, never propagated to the handler that
   * recorded the result.
   */
  observe(t: TrialState): void {
    this.studyStopper.finished(t);
    void this.scheduler.observe(t);
  }

  /** Compacts the journal to a snapshot once `compactEvery` records were appended since the last one. */
  maybeCompact(): void {
    if (this.compacting || this.opts.store.recordsSinceCompaction < this.opts.compactEvery) return;
    this.compacting = true;
    const { entries, finished } = this.book.snapshotEntries();
    this.opts.store
      .compact(entries)
      .then(
        () =>
          this.opts.log(
            `journal: compacted to ${entries.length} records (${finished} finished trials in the snapshot)`,
          ),
        (err: Error) => this.opts.log(`journal: compaction failed: ${err.message}`),
      )
      .finally(() => {
        this.compacting = false;
      });
  }

  // ------------------------------------------------------------------------------------------- network

  /**
   * The principal a Hello proves: `curve:<key>` when it carries a valid proof of holding the secret of an
   * allowed CURVE key (see helloKeyProof in @nadir/protocol), undefined otherwise (the connection itself is then the principal).
   */
  provenPrincipal(hello: nadir.v1.Hello): string | undefined {
    const curve = this.opts.curve;
    const pub = hello.publicKey;
    if (!curve || !pub || !hello.keyProof?.length || !curve.allowedClientKeys.includes(pub)) return undefined;
    try {
      const want = helloKeyProof(curve.secretKey, pub, hello.peerId);
      return Buffer.from(hello.keyProof).equals(want) ? `curve:${pub}` : undefined;
    } catch {
      return undefined;
    }
  }

  /** Counts one protocol error answered to a peer (reported by {@link Coordinator.errorsAnswered}). */
  countError(): void {
    this.malformedCount += 1;
  }

  /** Wall-clock time in Unix ms (Date.now()): the handlers' clock for lease and liveness checks. */
  now(): number {
    return Date.now();
  }

  /** Passes one line to {@link CoordinatorOptions.log}. */
  log(line: string): void {
    this.opts.log(line);
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
    const router = this.sockets.router;
    if (!router) return;
    try {
      for await (const frames of router) {
        if (this.stopping) break;
        const id = frames[0] as Buffer;
        const key = id.toString("latin1");
        const now = Date.now();
        const rl = this.limiter.take(key, now);
        if (rl.limited) {
          if (rl.reply)
            this.sockets.send(id, {
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
              this.sockets.send(id, {
                refused: {
                  reason: v1.RefusalReason.REFUSAL_REASON_VERSION_MISMATCH,
                  message: err.message,
                  supportedVersions: [{ major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR }],
                },
              });
            } else {
              this.sockets.send(id, errorReplyFor(err));
            }
          } else {
            this.opts.log(`coordinator: unexpected decode failure: ${String(err)}`);
          }
          continue;
        }
        try {
          this.handlers.handle(id, key, env, now);
        } catch (err) {
          this.opts.log(
            `coordinator: internal error handling ${env.body}: ${(err as Error).stack ?? String(err)}`,
          );
          this.sockets.send(
            id,
            { error: { code: E.ERROR_CODE_INTERNAL, message: `internal error: ${(err as Error).message}` } },
            env.messageId,
          );
        }
      }
    } catch (err) {
      if (!this.stopping) this.opts.log(`coordinator: receive loop ended: ${(err as Error).message}`);
    }
  }

  // ------------------------------------------------------------------------------------------ timers

  private tick(): void {
    const now = Date.now();
    for (const p of [...this.peers.values()]) {
      if (now - p.lastSeen > this.opts.peerTimeoutMs) {
        this.opts.log(`peer ${p.peerId} silent for ${now - p.lastSeen} ms: dropped`);
        for (const t of this.peers.drop(p))
          this.preemptLive(t, `lease expired: worker ${p.peerId} silent for ${now - p.lastSeen} ms`);
      }
    }
    // Walks running attempts only. Either no worker re-attached one after a restart, or its worker is
    // alive but stopped renewing it (no report or heartbeat listing it): a live peer cannot hold an attempt
    // forever.
    for (const t of this.book.expiredLeases(now)) {
      if (this.preempting.has(t)) continue;
      const holder = this.peers.holder(t);
      this.preemptLive(
        t,
        holder
          ? `lease expired: worker ${holder.peerId} stopped renewing it`
          : "lease expired: no worker reattached it",
      );
    }
    this.limiter.sweep(now, (k) => this.peers.has(k));
  }

  /**
   * Asks for one assignment pass over the connected workers on the next event-loop turn (setImmediate).
   * Calls made before it runs share that pass, so a burst of results or Hellos costs one pass, not one
   * each; does nothing once stopping.
   */
  schedule(): void {
    if (this.scheduled || this.stopping) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopping) return;
      const workers: Peer[] = [];
      for (const p of this.peers.values()) if (p.role === v1.PeerRole.PEER_ROLE_WORKER) workers.push(p);
      this.scheduler.assignAll(workers);
    });
  }

  // ------------------------------------------------------------------------------------ study stopper

  /** What the scheduler and the study stopper add to a study's done-ness. */
  private view(st: StudyState): SchedulerView {
    return { ...this.scheduler.view(st), evaluating: this.studyStopper.evaluating(st) };
  }

  /**
   * A study-stopper decision was journaled: a stop abandons the study's queued trials (its running
   * trials finish and are kept); either way the study's progress, with the decision, goes out on the
   * event stream.
   */
  private stopperDecided(st: StudyState, d: nadir.v1.StopperDecision): void {
    if (d.stop) this.abandonQueued(st, d);
    if (this.sockets.publishing)
      this.sockets.publish(st.spec.studyId, { studyProgress: this.book.progressOf(st, this.view(st)) });
    this.checkDone();
  }

  /** Journals every queued trial of a stopped study as ABANDONED, with the stop's reason. */
  private abandonQueued(st: StudyState, d: nadir.v1.StopperDecision): void {
    for (const t of [...st.queue]) {
      const previous = t.state;
      const reason = `study stopped: ${d.message}`;
      this.commit({
        trialEvent: {
          trial: refOf(t),
          previousState: previous,
          state: S.TRIAL_STATE_ABANDONED,
          reason,
          atUnixMs: Date.now(),
        },
      }).then(
        () => {
          this.changed(t, previous, reason);
          this.checkDone();
        },
        (err: Error) => this.opts.log(`coordinator: journal append failed: ${err.message}`),
      );
    }
  }

  // ------------------------------------------------------------------------------------ done / status

  private allDone(): boolean {
    for (const st of this.book.studies.values()) if (!this.book.studyDone(st, this.view(st))) return false;
    return true;
  }

  /**
   * Ends every study whose budget is spent (through a StudyStateChanged record, like any state change),
   * and once all are done, resolves whenDone() after the journal's newest append is durable.
   */
  checkDone(): void {
    for (const st of this.book.studies.values()) {
      if (st.state === ACTIVE && this.book.studyDone(st, this.view(st))) {
        const reason = this.scheduler.finishReason(st);
        const state = v1.StudyStateChanged.StudyState.STUDY_STATE_COMPLETED;
        const stopper = st.stopDecision ? { stopper: st.stopDecision } : {};
        this.commit({ studyStateChanged: { studyId: st.spec.studyId, state, reason, ...stopper } }).then(
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
      void this.lastAppend.then(() => {
        for (const r of rs) r();
      });
    }
  }

  /** Progress of every study. */
  progress(): StudyCounts[] {
    return this.book.progress((st) => this.view(st));
  }

  /**
   * Applies journal records without opening sockets (offline replay) and returns every trial of every
   * study as a TrialResult with its measurements, in trial-id order. Export and status tools use the state
   * book directly (see export.ts); this stays for callers of the Coordinator API.
   */
  replayOffline(
    records: readonly JournalRecord[],
  ): Map<string, { spec: nadir.v1.StudySpec; trials: (TrialResult & { replicate: number })[] }> {
    for (const r of records) this.book.applyRecord(r);
    return this.book.results();
  }

  /** Distinct points a study has created (replicates of one point count once): its suggester's position. */
  pointsCreated(studyId: string): number {
    return this.book.studies.get(studyId)?.points ?? 0;
  }

  /** Peers currently connected. */
  peerCount(): number {
    return this.peers.size;
  }

  /**
   * A StatusResponse for `asker`. Observers (the `nadir status` role) see every peer; workers and
   * suggesters see only their own entry, so peer ids do not leak to peers that have no use for them.
   * @internal
   */
  status(ids: string[], asker: Peer): nadir.v1.StatusResponse.$Properties {
    const studies = [...this.book.studies.values()].filter(
      (s) => ids.length === 0 || ids.includes(s.spec.studyId),
    );
    const seeAll = asker.role === v1.PeerRole.PEER_ROLE_OBSERVER;
    return {
      studies: studies.map((s) => this.book.progressOf(s, this.view(s))),
      peers: [...this.peers.values()]
        .filter((p) => seeAll || p === asker)
        .map((p) => ({
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
      this.sockets.send(
        peer.routingId,
        {
          suggestRequest: {
            studyId: spec.studyId,
            count,
            study: spec,
            specFingerprint: specFingerprint(spec),
            history,
            pending,
          },
        },
        undefined,
        messageId,
      );
    });
  }

  /** Sends ObserveTrials to the study's suggester peer(s) (fire and forget; they answer with an Ack). */
  observeExternal(spec: nadir.v1.StudySpec, results: readonly TrialResult[]): void {
    for (const p of this.peers.values()) {
      if (p.role === v1.PeerRole.PEER_ROLE_SUGGESTER)
        this.sockets.send(p.routingId, { observeTrials: { studyId: spec.studyId, trials: [...results] } });
    }
  }

  /**
   * Settles the pending {@link Coordinator.requestSuggestions} call whose message id `env` correlates:
   * resolves it with a SuggestResponse, rejects it for any other body (an error reply). Answers that match
   * no pending request (late, after the timeout, or unsolicited) are ignored.
   */
  onSuggesterAnswer(env: Envelope): void {
    const pending = this.pendingSuggest.get(env.correlationId);
    if (!pending) return;
    this.pendingSuggest.delete(env.correlationId);
    clearTimeout(pending.timer);
    if (env.body === "suggestResponse") pending.resolve(env.suggestResponse as nadir.v1.SuggestResponse);
    else pending.reject(new Error(`suggester answered with an error: ${env.error?.message ?? ""}`));
  }
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
