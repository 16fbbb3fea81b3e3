/**
 * Load generator for reports.bench.mjs, run in a worker_thread so the client side has its own event loop.
 * It opens `sockets` real ZeroMQ DEALER sockets per server (the raw echo ROUTER and the coordinator, both
 * running at once) and drives one server at a time: the parent switches the active server every phase, so
 * the two are measured in alternating slices of the same seconds and background load hits both alike.
 * While a server is active each of its sockets keeps `window` TrialReport messages in flight (every reply
 * releases the next report); the idle server's sockets only collect their last replies.
 *
 * The client does the same work for both servers (encode a TrialReport envelope with a fresh message id,
 * decode the reply envelope), so they differ only in the server:
 * - coordinator: each socket says Hello (capacity 1), waits for its TrialAssignment, then reports on that
 *   attempt with sequence 1, 2, 3, ...; only ACK_STATUS_ACCEPTED replies count (anything else is an error);
 * - echo: no handshake; the echo ROUTER answers each report with an Ack-sized frame.
 *
 * Messages to the parent: {type: "socket-ready"} per socket after its handshake, {type: "progress",
 * replies} every `progressMs` (accepted coordinator replies, for the memory phase), {type: "phase-end",
 * counted} when a phase is closed, {type: "done", ...} at the end. From the parent: {type: "phase", mode,
 * measure} starts a phase, {type: "end-phase"} closes it, {type: "stop"} finishes.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import {
  decodeFrames,
  encodeEnvelope,
  nadir,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
  PROTOCOL_TAG_BYTES,
} from "@nadir/protocol";
import * as zmq from "zeromq";

const v1 = nadir.v1;
const { endpoints, sockets, window, firstIndex, studyId, progressMs } = workerData;
const TAG = Buffer.from(PROTOCOL_TAG_BYTES);

let active = ""; // mode being driven
let measuring = false;
let counted = 0;
let stopped = false;
/** Accepted coordinator replies since start. */
let coordinatorReplies = 0;
const errors = [];
/** Payload-frame sizes actually sent and received, per mode (first message of each kind). */
const sizes = {};

function envelope(peerId, body) {
  const bytes = encodeEnvelope(
    {
      versionMajor: PROTOCOL_MAJOR,
      versionMinor: PROTOCOL_MINOR,
      messageId: randomUUID(),
      sentUnixMs: Date.now(),
      senderId: peerId,
      ...body,
    },
    { verify: false },
  );
  return [TAG, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)];
}

/** One DEALER of one mode. */
class Client {
  constructor(mode, index) {
    this.mode = mode;
    // Same length for both modes, so the two servers get requests of the same size.
    this.peerId = `bench-${mode === "echo" ? "e" : "c"}-${index}`;
    this.sock = new zmq.Dealer({ linger: 0, sendHighWaterMark: 100_000, receiveHighWaterMark: 100_000 });
    this.sock.connect(endpoints[mode]);
    this.ref = { studyId, trialId: 1, attempt: 1 };
    this.seq = 0;
    this.inFlight = 0;
    this.sending = false;
    sizes[mode] ??= { requestBytes: 0, replyBytes: 0 };
  }

  async handshake() {
    if (this.mode !== "coordinator") return;
    await this.sock.send(
      envelope(this.peerId, {
        hello: {
          peerId: this.peerId,
          role: v1.PeerRole.PEER_ROLE_WORKER,
          worker: { host: "bench", pid: process.pid, capacity: 1, workloads: [] },
          agent: "nadir-bench/0.1.0",
        },
      }),
    );
    // Welcome, then the assignment. No heartbeats: reports keep the peer alive and renew the lease.
    for (;;) {
      const env = decodeFrames(await this.sock.receive(), { identity: false }).envelope;
      if (env.body === "refused") throw new Error(`refused: ${env.refused.message}`);
      if (env.body === "trialAssignment") {
        this.ref = env.trialAssignment.trial;
        return;
      }
    }
  }

  report() {
    this.seq += 1;
    const m = envelope(this.peerId, {
      trialReport: {
        trial: this.ref,
        sequence: this.seq,
        measurement: {
          step: this.seq,
          elapsedSeconds: this.seq * 1e-3,
          metrics: { loss: 1 / this.seq, accuracy: 0.5 },
        },
      },
    });
    sizes[this.mode].requestBytes ||= m[1].length;
    return m;
  }

  /** Tops the window up while this client's mode is active (one send in flight per socket). */
  async fill() {
    if (this.sending) return;
    this.sending = true;
    try {
      while (active === this.mode && !stopped && this.inFlight < window) {
        this.inFlight += 1;
        await this.sock.send(this.report());
      }
    } finally {
      this.sending = false;
    }
  }

  async receiveLoop() {
    for await (const frames of this.sock) {
      this.inFlight -= 1;
      const env = decodeFrames(frames, { identity: false }).envelope;
      sizes[this.mode].replyBytes ||= frames[1].length;
      const ok =
        this.mode !== "coordinator" ||
        (env.body === "ack" && env.ack.status === v1.AckStatus.ACK_STATUS_ACCEPTED);
      if (!ok) {
        if (errors.length < 10) errors.push(`${env.body}: ${JSON.stringify(env[env.body])}`);
      } else {
        if (this.mode === "coordinator") coordinatorReplies += 1;
        if (measuring && active === this.mode) counted += 1;
      }
      if (stopped && this.inFlight === 0) break;
      void this.fill();
    }
    if (!this.sock.closed) this.sock.close();
  }
}

const clients = [];
for (const mode of Object.keys(endpoints))
  for (let i = 0; i < sockets; i++) clients.push(new Client(mode, firstIndex + i));

let elu0;
const loops = [];
parentPort.on("message", (m) => {
  if (m.type === "phase") {
    active = m.mode;
    counted = 0;
    measuring = m.measure;
    elu0 = performance.eventLoopUtilization();
    for (const c of clients) if (c.mode === active) void c.fill();
  } else if (m.type === "end-phase") {
    const elu = performance.eventLoopUtilization(elu0).utilization;
    parentPort.postMessage({ type: "phase-end", counted, elu });
    measuring = false;
    active = "";
  } else if (m.type === "stop") {
    stopped = true;
    active = "";
    for (const c of clients) if (c.inFlight === 0) c.sock.close();
    void Promise.all(loops).then(() => {
      clearInterval(timer);
      parentPort.postMessage({ type: "done", errors, sizes, coordinatorReplies });
    });
  }
});
const timer = setInterval(
  () => parentPort.postMessage({ type: "progress", replies: coordinatorReplies }),
  progressMs,
);
try {
  await Promise.all(clients.map((c) => c.handshake()));
  for (const c of clients)
    loops.push(
      c.receiveLoop().catch((err) => {
        if (!stopped) errors.push(String(err?.stack ?? err));
      }),
    );
  for (let i = 0; i < clients.length; i++) parentPort.postMessage({ type: "socket-ready" });
} catch (err) {
  errors.push(String(err?.stack ?? err));
  parentPort.postMessage({ type: "done", errors, sizes });
}
