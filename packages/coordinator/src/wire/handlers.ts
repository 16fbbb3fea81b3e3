/**
 * What the coordinator does with each message a peer sends: check it, journal what must be kept, and
 * answer only once the record is durable. Handlers change state only through the hub's `commit` (journal
 * then the state book's apply path); they hold no state of their own.
 */

import { nadir, negotiateVersion } from "@nadir/protocol";
import type { Envelope } from "@nadir/protocol/framing";
import type { Measurement } from "@nadir/sdk";
import type { JournalEntry } from "../journal.js";
import {
  isRunning,
  isTerminal,
  refOf,
  type StateBook,
  type StopDecision,
  type TrialState,
} from "../state/book.js";
import { connectionPrincipal, keyOfPrincipal, type Peer, type PeerTable } from "./peers.js";
import type { WireSockets } from "./sockets.js";

const v1 = nadir.v1;
const S = v1.TrialState;
const E = v1.ErrorCode;
const AckS = v1.AckStatus;
const R = v1.PeerRole;

/** Software name sent in Welcome.agent and StatusResponse.agent. */
export const COORDINATOR_AGENT = "nadir-coordinator/0.1.0";

/** What the handlers need from the coordinator. */
export interface Hub {
  readonly book: StateBook;
  readonly peers: PeerTable;
  readonly sockets: WireSockets;
  readonly sessionId: string;
  readonly heartbeatIntervalMs: number;
  readonly peerTimeoutMs: number;
  readonly maxFrameBytes: number;
  readonly stopping: boolean;
  /** Journals an entry, applies it to the book, resolves once durable; `stop` is a live report's decision. */
  record(entry: JournalEntry): { durable: Promise<void>; stop: StopDecision | undefined };
  /** Journals an entry that changes no state (gradient histograms). */
  journal(entry: JournalEntry): Promise<void>;
  /** The principal a Hello proves (a CURVE key), or undefined without a valid proof. */
  provenPrincipal(hello: nadir.v1.Hello): string | undefined;
  preemptLive(t: TrialState, reason: string): void;
  schedule(): void;
  checkDone(): void;
  changed(t: TrialState, previous: number, reason: string, measurement?: Measurement): void;
  observe(t: TrialState): void;
  maybeCompact(): void;
  onSuggesterAnswer(env: Envelope): void;
  status(ids: string[], asker: Peer): nadir.v1.StatusResponse.$Properties;
  countError(): void;
  now(): number;
  log(line: string): void;
}

/** The message handlers (see the module comment). */
export class Handlers {
  constructor(private readonly hub: Hub) {}

  private send(p: Peer | Buffer, body: Parameters<WireSockets["send"]>[1], correlationId?: string): void {
    this.hub.sockets.send(Buffer.isBuffer(p) ? p : p.routingId, body, correlationId);
  }

  private error(
    to: Peer | Buffer,
    code: number,
    message: string,
    env: Envelope,
    trial?: nadir.v1.TrialRef.$Properties | null,
  ): void {
    this.hub.countError();
    this.send(to, { error: { code, message, ...(trial ? { trial } : {}) } }, env.messageId);
  }

  /** Dispatches one decoded message from connection `key`. */
  handle(id: Buffer, key: string, env: Envelope, now: number): void {
    const body = env.body;
    if (body === "hello") return this.onHello(id, key, env, env.hello as nadir.v1.Hello, now);
    const peer = this.hub.peers.get(key);
    if (!peer)
      return this.error(
        id,
        E.ERROR_CODE_NOT_WELCOMED,
        `say Hello first (session ${this.hub.sessionId})`,
        env,
      );
    peer.lastSeen = now;
    switch (body) {
      case "heartbeat":
        return this.onHeartbeat(peer, env.heartbeat as nadir.v1.Heartbeat);
      case "workRequest":
        return this.hub.schedule();
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
        return this.hub.onSuggesterAnswer(env);
      case "ack":
        return;
      case "statusRequest":
        return this.send(
          peer,
          { statusResponse: this.hub.status((env.statusRequest as nadir.v1.StatusRequest).studyIds, peer) },
          env.messageId,
        );
      default:
        return this.error(
          peer,
          E.ERROR_CODE_UNEXPECTED_MESSAGE,
          `${String(body)} is not a message a peer sends to the coordinator`,
          env,
        );
    }
  }

  // ------------------------------------------------------------------------------------------ hello

  private onHello(id: Buffer, key: string, env: Envelope, hello: nadir.v1.Hello, now: number): void {
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
    if (this.hub.stopping)
      return refuse(v1.RefusalReason.REFUSAL_REASON_DRAINING, "coordinator is shutting down");
    if (!hello.peerId || hello.peerId.length > 200)
      return refuse(v1.RefusalReason.REFUSAL_REASON_INVALID_HELLO, "peer_id must be 1..200 characters");
    if (![R.PEER_ROLE_WORKER, R.PEER_ROLE_SUGGESTER, R.PEER_ROLE_OBSERVER].includes(hello.role))
      return refuse(
        v1.RefusalReason.REFUSAL_REASON_INVALID_HELLO,
        "role must be WORKER, SUGGESTER or OBSERVER",
      );
    let capacity = 0;
    if (hello.role === R.PEER_ROLE_WORKER) {
      capacity = hello.worker?.capacity ?? 0;
      if (!(capacity >= 1 && capacity <= 4096))
        return refuse(
          v1.RefusalReason.REFUSAL_REASON_INVALID_HELLO,
          `worker capacity must be 1..4096, got ${capacity}`,
        );
    }
    const peers = this.hub.peers;
    const existing = peers.get(key);
    const principal = this.hub.provenPrincipal(hello) ?? existing?.principal ?? connectionPrincipal(id);
    // An id is owned by the principal (proven CURVE key, else the connection) that first said Hello with
    // it. Another principal may take it only once the holder's connection is gone (silent past two
    // heartbeats, when the holder proved no key), never while it is alive.
    const book = this.hub.book;
    const curveKey = keyOfPrincipal(principal);
    // The journal says which key holds the id's running attempts: that key alone may claim the id while
    // they run, also after a coordinator restart (when nobody is connected yet).
    for (const t of book.runningOf(hello.peerId)) {
      if (t.workerKey && t.workerKey !== curveKey) {
        this.hub.log(`peer id ${hello.peerId}: refused a key that does not hold its attempts (${principal})`);
        return refuse(
          v1.RefusalReason.REFUSAL_REASON_DUPLICATE_PEER_ID,
          `peer id ${JSON.stringify(hello.peerId)} is held by another key`,
        );
      }
    }
    const held = peers.withId(hello.peerId);
    const listed = new Set(
      (hello.worker?.running ?? []).map((r) => `${r.studyId}/${r.trialId}/${r.attempt}`),
    );
    if (held && held.key !== key) {
      if (held.principal !== principal) {
        const alive = now - held.lastSeen <= 2 * this.hub.heartbeatIntervalMs;
        if (held.principal.startsWith("curve:") || alive) {
          this.hub.log(`peer id ${hello.peerId}: refused a second connection (${principal})`);
          return refuse(
            v1.RefusalReason.REFUSAL_REASON_DUPLICATE_PEER_ID,
            `peer id ${JSON.stringify(hello.peerId)} is held by another connection`,
          );
        }
      }
      // The same principal on a new connection takes over (a worker that reconnected, e.g. after a network
      // blip or its own restart); the old connection is forgotten, its unlisted attempts preempted.
      for (const t of peers.drop(held)) {
        if (!listed.has(`${t.study.spec.studyId}/${t.id}/${t.attempt}`))
          this.hub.preemptLive(t, `worker ${held.peerId} reconnected without it`);
      }
    }
    const peer: Peer = existing ?? {
      key,
      routingId: id,
      peerId: hello.peerId,
      role: hello.role,
      capacity,
      workloads: hello.worker?.workloads ?? [],
      running: new Set(),
      lastSeen: now,
      algorithms: hello.suggester?.algorithms ?? [],
      draining: false,
      principal,
      curveKey,
    };
    if (existing && existing.peerId !== hello.peerId) {
      // The connection changed its id: what it held under the old one is lost, and the old id is freed
      // (a Hello flood on one connection cannot grow the id table).
      for (const t of [...existing.running])
        this.hub.preemptLive(t, `worker ${existing.peerId} renamed itself`);
    }
    peer.capacity = capacity;
    peer.lastSeen = now;
    peer.principal = principal;
    peer.curveKey = curveKey;
    peers.register(peer, hello.peerId);
    const reattached: nadir.v1.TrialRef.$Properties[] = [];
    const stops: TrialState[] = [];
    for (const ref of hello.worker?.running ?? []) {
      const t = book.trial(ref);
      if (!t || t.attempt !== ref.attempt || !isRunning(t.state)) continue;
      if (t.workerId && t.workerId !== hello.peerId) continue;
      // A live connection of another principal keeps its attempt; a dropped one's goes to its id's owner.
      const holder = peers.holder(t);
      if (holder && holder !== peer && peers.get(holder.key) === holder && holder.principal !== principal)
        continue;
      peers.bind(t, peer);
      book.renewLease(t);
      reattached.push(refOf(t));
      if (t.state === S.TRIAL_STATE_STOPPING) stops.push(t);
    }
    // Attempts journaled as this worker's that it did not list are lost (an index, not a walk of all trials).
    for (const t of [...book.runningOf(hello.peerId)]) {
      if (peers.holder(t) !== peer) this.hub.preemptLive(t, `worker ${hello.peerId} said Hello without it`);
    }
    this.send(
      id,
      {
        welcome: {
          peerId: hello.peerId,
          sessionId: this.hub.sessionId,
          negotiatedMinor: nego.minor,
          heartbeatIntervalMs: this.hub.heartbeatIntervalMs,
          peerTimeoutMs: this.hub.peerTimeoutMs,
          maxFrameBytes: this.hub.maxFrameBytes,
          reattached,
          agent: COORDINATOR_AGENT,
          features: [],
        },
      },
      env.messageId,
    );
    for (const t of stops) this.sendStop(t);
    this.hub.schedule();
  }

  private onHeartbeat(peer: Peer, hb: nadir.v1.Heartbeat): void {
    for (const p of hb.running) {
      const t = this.hub.book.trial(p.trial);
      if (t && this.hub.peers.holder(t) === peer && t.attempt === p.trial?.attempt)
        this.hub.book.renewLease(t);
    }
    if (hb.freeSlots > 0) this.hub.schedule();
  }

  // ------------------------------------------------------------------------------------- attempts

  /**
   * Checks a message about an attempt: a known study and trial (typed error otherwise), the current
   * attempt (STALE ack otherwise), and sent by the connection that holds it (UNAUTHORIZED otherwise).
   * Returns the trial when the message may change state; answers and returns undefined when not.
   */
  private held(
    peer: Peer,
    env: Envelope,
    ref: nadir.v1.TrialRef.$Properties | null | undefined,
    duplicate: (t: TrialState) => boolean,
  ): TrialState | undefined {
    const st = this.hub.book.studies.get(ref?.studyId ?? "");
    if (!st) {
      this.error(
        peer,
        E.ERROR_CODE_UNKNOWN_STUDY,
        `no study ${JSON.stringify(ref?.studyId ?? "")}`,
        env,
        ref,
      );
      return undefined;
    }
    const t = st.trials.get(ref?.trialId ?? 0);
    const attempt = ref?.attempt ?? 0;
    if (!t || attempt < 1 || attempt > Math.max(t.attempt, 1)) {
      this.error(
        peer,
        E.ERROR_CODE_UNKNOWN_TRIAL,
        `no attempt ${attempt} of trial ${ref?.trialId ?? 0} in study ${st.spec.studyId}`,
        env,
        ref,
      );
      return undefined;
    }
    const holder = this.hub.peers.holder(t);
    if (
      attempt === t.attempt &&
      duplicate(t) &&
      (holder === peer || (!holder && t.workerId === peer.peerId))
    ) {
      this.ack(peer, env, AckS.ACK_STATUS_DUPLICATE, t, ref);
      return undefined;
    }
    if (attempt !== t.attempt || !isRunning(t.state)) {
      this.ack(peer, env, AckS.ACK_STATUS_STALE, t, ref);
      return undefined;
    }
    if (holder !== peer) {
      this.error(
        peer,
        E.ERROR_CODE_UNAUTHORIZED,
        `attempt ${attempt} of trial ${t.id} in study ${st.spec.studyId} is not held by this connection`,
        env,
        ref,
      );
      return undefined;
    }
    return t;
  }

  private ack(
    peer: Peer,
    env: Envelope,
    status: number,
    t: TrialState | undefined,
    ref: nadir.v1.TrialRef.$Properties | null | undefined,
  ): void {
    const lease = t && isRunning(t.state) ? t.leaseExpires : 0;
    this.send(
      peer,
      { ack: { status, ...(ref ? { trial: ref } : {}), leaseExpiresUnixMs: lease } },
      env.messageId,
    );
  }

  private journalFailed(peer: Peer, env: Envelope, err: Error): void {
    this.hub.log(`coordinator: journal append failed: ${err.message}`);
    this.send(
      peer,
      { error: { code: E.ERROR_CODE_INTERNAL, message: "journal unavailable; result not recorded" } },
      env.messageId,
    );
  }

  private onReport(peer: Peer, env: Envelope, r: nadir.v1.TrialReport): void {
    if (!r.measurement || !(r.sequence >= 1)) {
      return this.error(
        peer,
        E.ERROR_CODE_INVALID_ARGUMENT,
        "a report needs a measurement and a sequence >= 1",
        env,
        r.trial,
      );
    }
    const t = this.held(peer, env, r.trial, (x) => x.seqs.has(r.sequence));
    if (!t) return;
    this.hub.book.renewLease(t);
    const { durable, stop } = this.hub.record({ trialReport: r });
    durable.then(
      () => {
        this.ack(peer, env, AckS.ACK_STATUS_ACCEPTED, t, r.trial);
        this.hub.changed(t, S.TRIAL_STATE_RUNNING, "report", r.measurement as Measurement);
        if (stop) this.sendStop(t);
        this.hub.maybeCompact();
      },
      (err: Error) => this.journalFailed(peer, env, err),
    );
  }

  /** Tells the holder of a STOPPING attempt to stop it. */
  sendStop(t: TrialState): void {
    const holder = this.hub.peers.holder(t);
    if (!holder) return;
    this.send(holder, { stopTrial: { trial: refOf(t), reason: t.stopReason, message: t.stopMessage } });
  }

  private onTerminal(
    peer: Peer,
    env: Envelope,
    body: "trialCompleted" | "trialFailed" | "trialStopped",
  ): void {
    const msg = env[body] as nadir.v1.TrialCompleted | nadir.v1.TrialFailed | nadir.v1.TrialStopped;
    const t = this.held(peer, env, msg.trial, (x) => isTerminal(x.state));
    if (!t) return;
    const previous = t.state;
    this.hub.record({ [body]: msg } as JournalEntry).durable.then(
      () => {
        this.ack(peer, env, AckS.ACK_STATUS_ACCEPTED, t, msg.trial);
        this.hub.changed(t, previous, body);
        if (isTerminal(t.state)) this.hub.observe(t);
        this.hub.schedule();
        this.hub.checkDone();
        this.hub.maybeCompact();
      },
      (err: Error) => this.journalFailed(peer, env, err),
    );
  }

  private onRejected(peer: Peer, env: Envelope, r: nadir.v1.TrialRejected): void {
    const t = this.held(peer, env, r.trial, () => false);
    if (!t) return;
    if (t.state !== S.TRIAL_STATE_RUNNING) return this.ack(peer, env, AckS.ACK_STATUS_STALE, t, r.trial);
    const prev = t.state;
    // A worker that rejects work is treated as full until it asks again.
    peer.capacity = Math.max(0, peer.running.size - 1);
    this.hub
      .record({
        trialEvent: {
          trial: refOf(t),
          previousState: prev,
          state: S.TRIAL_STATE_QUEUED,
          atUnixMs: this.hub.now(),
          workerId: peer.peerId,
          reason: `rejected: ${r.reason}`,
        },
      })
      .durable.then(
        () => {
          this.ack(peer, env, AckS.ACK_STATUS_ACCEPTED, t, r.trial);
          this.hub.changed(t, prev, `rejected: ${r.reason}`);
          this.hub.schedule();
        },
        (err: Error) => this.journalFailed(peer, env, err),
      );
  }

  private onGoodbye(peer: Peer, env: Envelope): void {
    for (const t of this.hub.peers.drop(peer)) this.hub.preemptLive(t, `worker ${peer.peerId} said goodbye`);
    this.ack(peer, env, AckS.ACK_STATUS_ACCEPTED, undefined, undefined);
    this.hub.schedule();
  }

  private onHistogram(peer: Peer, env: Envelope, h: nadir.v1.GradientHistogram): void {
    const t = this.held(peer, env, h.trial, () => false);
    if (!t) return;
    this.hub.journal({ gradientHistogram: h }).then(
      () => this.ack(peer, env, AckS.ACK_STATUS_ACCEPTED, t, h.trial),
      (err: Error) => this.journalFailed(peer, env, err),
    );
  }
}
