/**
 * The benchmark client: real ZeroMQ DEALER sockets speaking real @nadir/protocol envelopes. Both benches
 * (reports.bench.mjs and flat-cost.bench.mjs) drive every server through this one file, so the raw echo
 * and the coordinator see the same client work and the same message sizes.
 *
 * Every request is a fresh envelope (new UUID message id, current time) encoded with the protocol's one
 * envelope builder; every reply is decoded in full.
 */
import { randomUUID } from "node:crypto";
import { nadir, PROTOCOL_MAJOR, PROTOCOL_MINOR } from "@nadir/protocol";
import { decodeFrames, encodeEnvelope, PROTOCOL_TAG_BYTES } from "@nadir/protocol/framing";
import * as zmq from "zeromq";

export const v1 = nadir.v1;
const TAG = Buffer.from(PROTOCOL_TAG_BYTES);

/** The two frames (protocol tag, envelope) of one message from `senderId`. */
export function frames(senderId, body) {
  const bytes = encodeEnvelope(
    {
      versionMajor: PROTOCOL_MAJOR,
      versionMinor: PROTOCOL_MINOR,
      messageId: randomUUID(),
      sentUnixMs: Date.now(),
      senderId,
      ...body,
    },
    { verify: false },
  );
  return [TAG, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)];
}

/** Decodes a reply received on a DEALER (no identity frame). */
export function decodeReply(parts) {
  return decodeFrames(parts, { identity: false }).envelope;
}

/** A DEALER with the high-water marks the coordinator uses (no message is dropped under load). */
export function dealer(endpoint) {
  const sock = new zmq.Dealer({ linger: 0, sendHighWaterMark: 100_000, receiveHighWaterMark: 100_000 });
  sock.connect(endpoint);
  return sock;
}

/** Hello body of a worker (or observer) peer. */
export function helloBody(peerId, { role = "worker", capacity = 1, running = [] } = {}) {
  if (role === "observer")
    return {
      hello: { peerId, role: v1.PeerRole.PEER_ROLE_OBSERVER, observer: {}, agent: "nadir-bench/0.2.0" },
    };
  return {
    hello: {
      peerId,
      role: v1.PeerRole.PEER_ROLE_WORKER,
      worker: { host: "bench", pid: process.pid, capacity, workloads: [], running },
      agent: "nadir-bench/0.2.0",
    },
  };
}

/** An intermediate TrialReport (the throughput bench's message). */
export function reportBody(ref, seq) {
  return {
    trialReport: {
      trial: ref,
      sequence: seq,
      measurement: { step: seq, elapsedSeconds: seq * 1e-3, metrics: { loss: 1 / seq, accuracy: 0.5 } },
    },
  };
}

/** The one final report of a trial (the flat-cost bench's message). */
export function completedBody(ref, step) {
  return {
    trialCompleted: {
      trial: ref,
      final: { step, elapsedSeconds: 1, metrics: { loss: 1 / (1 + ref.trialId), accuracy: 0.5 } },
    },
  };
}

export function heartbeatBody(refs) {
  return { heartbeat: { running: refs.map((trial) => ({ trial })), freeSlots: 0 } };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
