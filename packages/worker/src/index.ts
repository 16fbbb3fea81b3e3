/**
 * @nadir/worker: a minimal TypeScript Nadir worker. It speaks protocol v1 over a ZeroMQ DEALER: Hello,
 * heartbeats, trial assignments up to its capacity, intermediate reports, a terminal message per attempt,
 * StopTrial, Drain and Shutdown. Reports and terminal messages are kept until the coordinator acknowledges
 * them and are re-sent after a reconnect (a restarted coordinator answers NOT_WELCOMED; the worker says
 * Hello again listing its attempts, and the coordinator re-attaches them), so no result is lost and none is
 * counted twice (results are idempotent per (study, trial, attempt, sequence)).
 *
 * @module @nadir/worker
 */

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { helloKeyProof, nadir, PROTOCOL_MAJOR, PROTOCOL_MINOR, ProtocolError } from "@nadir/protocol";
import {
  type BodyInit,
  decodeFrames,
  type Envelope,
  encodeEnvelope,
  PROTOCOL_TAG_BYTES,
} from "@nadir/protocol/framing";
import * as zmq from "zeromq";
import { TrialFailure, WorkerError, WorkerRefusedError } from "./errors.js";

export {
  TrialFailure,
  WORKER_ERROR_CODES,
  WorkerError,
  type WorkerErrorCode,
  WorkerRefusedError,
} from "./errors.js";

const v1 = nadir.v1;

/** Software name sent in Hello.agent. */
export const WORKER_AGENT = "nadir-worker-ts/0.1.0";

/** A plain hyperparameter value. */
export type Value = number | string | boolean;

/** What a training function gets for one attempt. */
export interface TrialContext {
  assignment: nadir.v1.TrialAssignment;
  ref: nadir.v1.TrialRef.$Properties;
  /** Materialised hyperparameters as plain values. */
  params: Record<string, Value>;
  /**
   * Sends an intermediate measurement (not waiting for the acknowledgement; it is re-sent if the
   * connection is lost). Steps should not decrease.
   */
  report(step: number, metrics: Record<string, number>, elapsedSeconds?: number): void;
  /** The coordinator's StopTrial reason once it asked to stop (0 until then). Check it between steps. */
  readonly stopReason: number;
  /** Aborted when the attempt must end now (stop requested, attempt not re-attached, worker closing). */
  readonly signal: AbortSignal;
}

/** The final measurement a training function returns. */
export interface TrainResult {
  step: number;
  metrics: Record<string, number>;
  elapsedSeconds?: number;
}

/** Trains one attempt. Return the final measurement; throw to fail. */
export type TrainFn = (ctx: TrialContext) => Promise<TrainResult>;

/** Options of {@link NadirWorker}. */
export interface WorkerOptions {
  /** Coordinator endpoint, e.g. tcp://127.0.0.1:5555. */
  endpoint: string;
  /** Stable id: reuse it after a restart so the coordinator can re-attach attempts. Default host-pid. */
  peerId?: string;
  /** Attempts run at once (default 1). */
  capacity?: number;
  workloads?: string[];
  /** CURVE client settings: the coordinator's public key and this worker's key pair (Z85). */
  curve?: { serverPublicKey: string; publicKey: string; secretKey: string };
  /** Receives one line per connection event (Hello, Welcome, reconnects, refusals); default: silent. */
  log?: (line: string) => void;
}

interface Attempt {
  ref: nadir.v1.TrialRef.$Properties;
  key: string;
  controller: AbortController;
  stopReason: number;
  sequence: number;
  /** Unacknowledged messages about this attempt, by message id (re-sent after a reconnect). */
  unacked: Map<string, BodyInit>;
  finished: boolean;
  lastStep: number;
  started: number;
}

function keyOf(r: nadir.v1.TrialRef.$Properties | null | undefined): string {
  return `${r?.studyId ?? ""}/${r?.trialId ?? 0}/${r?.attempt ?? 0}`;
}

function plain(v: nadir.v1.ParameterValue.$Properties | undefined): Value | undefined {
  if (!v) return undefined;
  if (v.floatValue !== undefined && v.floatValue !== null) return v.floatValue;
  if (v.intValue !== undefined && v.intValue !== null) return Number(v.intValue);
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  return undefined;
}

/** A worker process's connection to a coordinator (see the module comment). */
export class NadirWorker {
  readonly peerId: string;
  readonly capacity: number;
  private readonly sock: zmq.Dealer;
  private readonly log: (line: string) => void;
  private readonly attempts = new Map<string, Attempt>();
  private sendQueue: Buffer[][] = [];
  private sending = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatMs = 1000;
  private welcomed = false;
  private helloPending = false;
  private closed = false;
  private sessionId = "";
  private doneResolve: (() => void) | undefined;
  private doneReject: ((e: Error) => void) | undefined;
  private readonly donePromise: Promise<void>;
  private welcomeWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private draining = false;
  /** Counters, for tests and logs. */
  readonly stats = {
    assignments: 0,
    completed: 0,
    acked: 0,
    duplicates: 0,
    stale: 0,
    errors: 0,
    welcomes: 0,
  };

  constructor(
    private readonly options: WorkerOptions,
    private readonly train: TrainFn,
  ) {
    if (!/^(tcp|ipc|inproc):\/\//.test(options.endpoint ?? ""))
      throw new WorkerError(
        "invalid_argument",
        "endpoint",
        `endpoint must be tcp://, ipc:// or inproc://, got ${JSON.stringify(options.endpoint)}`,
      );
    const cap = options.capacity ?? 1;
    if (!(Number.isInteger(cap) && cap >= 1 && cap <= 4096))
      throw new WorkerError(
        "invalid_argument",
        "capacity",
        `capacity must be an integer in 1..4096, got ${cap}`,
      );
    this.capacity = cap;
    this.peerId = options.peerId ?? `${hostname()}-${process.pid}`;
    this.log = options.log ?? (() => {});
    const c = options.curve;
    this.sock = new zmq.Dealer({
      linger: 0,
      sendHighWaterMark: 100_000,
      receiveHighWaterMark: 100_000,
      reconnectInterval: 100,
      reconnectMaxInterval: 1000,
      ...(c
        ? { curveServerKey: c.serverPublicKey, curvePublicKey: c.publicKey, curveSecretKey: c.secretKey }
        : {}),
    });
    this.donePromise = new Promise((resolve, reject) => {
      this.doneResolve = resolve;
      this.doneReject = reject;
    });
    this.donePromise.catch(() => {});
  }

  /** Connects and says Hello; resolves on Welcome, rejects on Refused. */
  async start(): Promise<void> {
    this.sock.connect(this.options.endpoint);
    void this.receiveLoop();
    const welcomed = new Promise<void>((resolve, reject) => this.welcomeWaiters.push({ resolve, reject }));
    this.hello();
    await welcomed;
  }

  /** Resolves when the coordinator tells the worker to shut down (or after close()). */
  done(): Promise<void> {
    return this.donePromise;
  }

  /** Stops every attempt and closes the socket (optionally saying Goodbye first). */
  async close(opts: { goodbye?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    if (opts.goodbye && this.welcomed) {
      this.send({
        goodbye: {
          reason: "closing",
          running: [...this.attempts.values()].filter((a) => !a.finished).map((a) => a.ref),
        },
      });
      await this.flushed(500);
    }
    this.closed = true;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    for (const a of this.attempts.values()) a.controller.abort();
    this.sock.close();
    this.doneResolve?.();
  }

  private async flushed(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((this.sending || this.sendQueue.length > 0) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 5));
  }

  private hello(): void {
    this.helloPending = true;
    const running = [...this.attempts.values()].map((a) => a.ref);
    const c = this.options.curve;
    // With CURVE, prove which key this worker holds: the coordinator binds the peer id to it, so no other
    // key can take the id over, and this key can re-attach its attempts from a new connection.
    const proof = c
      ? { publicKey: c.publicKey, keyProof: helloKeyProof(c.secretKey, c.serverPublicKey, this.peerId) }
      : {};
    this.send(
      {
        hello: {
          peerId: this.peerId,
          role: v1.PeerRole.PEER_ROLE_WORKER,
          worker: {
            host: hostname(),
            pid: process.pid,
            acceleratorKind: v1.AcceleratorKind.ACCELERATOR_KIND_CPU,
            capacity: this.capacity,
            workloads: this.options.workloads ?? [],
            running,
            frameworkVersions: { node: process.versions.node },
          },
          agent: WORKER_AGENT,
          ...proof,
        },
      },
      undefined,
      true,
    );
  }

  private send(body: BodyInit, messageId: string = randomUUID(), force = false): string {
    if (this.closed) return messageId;
    if (!this.welcomed && !force) return messageId;
    const payload = encodeEnvelope(
      {
        versionMajor: PROTOCOL_MAJOR,
        versionMinor: PROTOCOL_MINOR,
        messageId,
        sentUnixMs: Date.now(),
        senderId: this.peerId,
        ...body,
      },
      { verify: false },
    );
    this.sendQueue.push([
      Buffer.from(PROTOCOL_TAG_BYTES),
      Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
    ]);
    if (!this.sending) void this.pump();
    return messageId;
  }

  private async pump(): Promise<void> {
    this.sending = true;
    try {
      while (this.sendQueue.length > 0 && !this.closed) {
        const batch = this.sendQueue;
        this.sendQueue = [];
        for (const m of batch) {
          if (this.closed) break;
          await this.sock.send(m);
        }
      }
    } catch (err) {
      if (!this.closed) this.log(`worker: send failed: ${(err as Error).message}`);
    } finally {
      this.sending = false;
    }
  }

  /** Sends a message about an attempt and keeps it until acknowledged. */
  private sendTracked(a: Attempt, body: BodyInit): void {
    const id = randomUUID();
    a.unacked.set(id, body);
    this.send(body, id);
  }

  private async receiveLoop(): Promise<void> {
    try {
      for await (const frames of this.sock) {
        let env: Envelope;
        try {
          env = decodeFrames(frames, { identity: false }).envelope;
        } catch (err) {
          this.log(
            `worker: bad message from the coordinator: ${err instanceof ProtocolError ? err.message : String(err)}`,
          );
          continue;
        }
        this.handle(env);
      }
    } catch (err) {
      if (!this.closed) this.log(`worker: receive loop ended: ${(err as Error).message}`);
    }
  }

  private handle(env: Envelope): void {
    switch (env.body) {
      case "welcome":
        return this.onWelcome(env.welcome as nadir.v1.Welcome);
      case "refused": {
        const r = env.refused as nadir.v1.Refused;
        const err = new WorkerRefusedError(
          r.reason,
          `refused by the coordinator (${v1.RefusalReason[r.reason] ?? r.reason}): ${r.message}`,
        );
        for (const w of this.welcomeWaiters.splice(0)) w.reject(err);
        this.doneReject?.(err);
        return;
      }
      case "trialAssignment":
        return this.onAssignment(env.trialAssignment as nadir.v1.TrialAssignment);
      case "stopTrial": {
        const s = env.stopTrial as nadir.v1.StopTrial;
        const a = this.attempts.get(keyOf(s.trial));
        if (a && !a.finished) {
          a.stopReason = s.reason || v1.StopReason.STOP_REASON_CANCELLED;
          a.controller.abort();
        }
        return;
      }
      case "ack":
        return this.onAck(env);
      case "error": {
        const e = env.error as nadir.v1.ErrorReply;
        if (e.code === v1.ErrorCode.ERROR_CODE_NOT_WELCOMED) {
          // The coordinator restarted (or forgot us): say Hello again, listing our attempts.
          if (this.welcomed) this.log("worker: coordinator does not know this session; saying Hello again");
          this.welcomed = false;
          if (!this.helloPending) this.hello();
          return;
        }
        this.stats.errors += 1;
        this.log(`worker: coordinator error ${v1.ErrorCode[e.code] ?? e.code}: ${e.message}`);
        // A message about an attempt the coordinator does not know will never be acknowledged.
        for (const a of this.attempts.values()) a.unacked.delete(env.correlationId);
        this.gc();
        return;
      }
      case "drain":
        this.draining = true;
        return;
      case "shutdown":
        void this.close().then(() => this.doneResolve?.());
        return;
      default:
        return;
    }
  }

  private onWelcome(w: nadir.v1.Welcome): void {
    const reconnect = this.stats.welcomes > 0;
    this.stats.welcomes += 1;
    this.welcomed = true;
    this.helloPending = false;
    this.sessionId = w.sessionId;
    this.heartbeatMs = w.heartbeatIntervalMs || 1000;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.heartbeatMs);
    const kept = new Set(w.reattached.map(keyOf));
    for (const [k, a] of this.attempts) {
      if (!kept.has(k)) {
        // Not re-attached: the coordinator re-queues it as a new attempt; abandon ours.
        a.controller.abort();
        this.attempts.delete(k);
        continue;
      }
      if (reconnect) for (const [id, body] of a.unacked) this.send(body, id);
    }
    for (const r of this.welcomeWaiters.splice(0)) r.resolve();
    this.heartbeat();
  }

  private heartbeat(): void {
    if (!this.welcomed) {
      // Still unanswered: the coordinator may be down; repeat Hello (it is idempotent).
      this.hello();
      return;
    }
    const running = [...this.attempts.values()].filter((a) => !a.finished);
    this.send({
      heartbeat: {
        running: running.map((a) => ({
          trial: a.ref,
          step: a.lastStep,
          elapsedSeconds: (Date.now() - a.started) / 1000,
        })),
        freeSlots: this.draining ? 0 : Math.max(0, this.capacity - running.length),
      },
    });
  }

  private onAck(env: Envelope): void {
    const ack = env.ack as nadir.v1.Ack;
    if (ack.status === v1.AckStatus.ACK_STATUS_DUPLICATE) this.stats.duplicates += 1;
    if (ack.status === v1.AckStatus.ACK_STATUS_STALE) this.stats.stale += 1;
    this.stats.acked += 1;
    const a = this.attempts.get(keyOf(ack.trial));
    if (a) a.unacked.delete(env.correlationId);
    else for (const x of this.attempts.values()) x.unacked.delete(env.correlationId);
    this.gc();
  }

  /** Forgets finished attempts whose messages were all acknowledged. */
  private gc(): void {
    for (const [k, a] of this.attempts) if (a.finished && a.unacked.size === 0) this.attempts.delete(k);
  }

  private onAssignment(asg: nadir.v1.TrialAssignment): void {
    const key = keyOf(asg.trial);
    if (this.attempts.has(key)) return;
    const running = [...this.attempts.values()].filter((a) => !a.finished).length;
    if (this.draining || running >= this.capacity) {
      this.send({
        trialRejected: { trial: asg.trial, reason: this.draining ? "draining" : "over capacity" },
      });
      return;
    }
    this.stats.assignments += 1;
    const a: Attempt = {
      ref: asg.trial as nadir.v1.TrialRef.$Properties,
      key,
      controller: new AbortController(),
      stopReason: 0,
      sequence: 0,
      unacked: new Map(),
      finished: false,
      lastStep: 0,
      started: Date.now(),
    };
    this.attempts.set(key, a);
    const params: Record<string, Value> = {};
    for (const [k, v] of Object.entries(asg.parameters ?? {})) {
      const x = plain(v);
      if (x !== undefined) params[k] = x;
    }
    const worker = this;
    const ctx: TrialContext = {
      assignment: asg,
      ref: a.ref,
      params,
      signal: a.controller.signal,
      get stopReason() {
        return a.stopReason;
      },
      report(step: number, metrics: Record<string, number>, elapsedSeconds?: number) {
        if (a.finished || !worker.attempts.has(key)) return;
        a.sequence += 1;
        a.lastStep = step;
        worker.sendTracked(a, {
          trialReport: {
            trial: a.ref,
            sequence: a.sequence,
            measurement: { step, elapsedSeconds: elapsedSeconds ?? (Date.now() - a.started) / 1000, metrics },
          },
        });
      },
    };
    void this.runAttempt(a, ctx);
  }

  private async runAttempt(a: Attempt, ctx: TrialContext): Promise<void> {
    let body: BodyInit;
    try {
      const r = await this.train(ctx);
      const final = {
        step: r.step,
        elapsedSeconds: r.elapsedSeconds ?? (Date.now() - a.started) / 1000,
        metrics: r.metrics,
      };
      if (a.stopReason) body = { trialStopped: { trial: a.ref, reason: a.stopReason, last: final } };
      else body = { trialCompleted: { trial: a.ref, final } };
    } catch (err) {
      if (a.stopReason) {
        body = { trialStopped: { trial: a.ref, reason: a.stopReason } };
      } else {
        const kind = err instanceof TrialFailure ? err.kind : v1.FailureKind.FAILURE_KIND_ERROR;
        body = {
          trialFailed: {
            trial: a.ref,
            kind,
            message: (err as Error).message ?? String(err),
            errorType: (err as Error).name ?? "Error",
          },
        };
      }
    }
    if (!this.attempts.has(a.key) || this.closed) return;
    a.finished = true;
    this.stats.completed += 1;
    this.sendTracked(a, body);
    // A slot is free: ask for more work now rather than at the next heartbeat.
    this.heartbeat();
  }
}

/** Sleeps `ms`, resolving early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(t);
      resolve();
    };
    // The listener is removed when the timer fires, so a long attempt does not accumulate listeners.
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
