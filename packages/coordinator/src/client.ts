/**
 * A small observer client: says Hello as PEER_ROLE_OBSERVER and asks a running coordinator for its status
 * (used by `nadir status`). Sockets live in this package, not in the CLI.
 */
import { randomUUID } from "node:crypto";
import { nadir, PROTOCOL_MAJOR, PROTOCOL_MINOR } from "@nadir/protocol";
import type { BodyInit } from "@nadir/protocol/framing";
import { decodeFrames, encodeEnvelope, PROTOCOL_TAG_BYTES } from "@nadir/protocol/framing";
import * as zmq from "zeromq";
import { CoordinatorError } from "./errors.js";

/** Raised when the coordinator does not answer in time or refuses the observer. */
export class StatusQueryError extends CoordinatorError {
  constructor(message: string) {
    super("status_query_failed", message);
  }
}

/** Asks the coordinator at `endpoint` for the status of its studies (all when `studyIds` is empty). */
export async function queryStatus(
  endpoint: string,
  opts: {
    studyIds?: string[];
    timeoutMs?: number;
    curve?: { serverPublicKey: string; publicKey: string; secretKey: string };
  } = {},
): Promise<nadir.v1.StatusResponse> {
  const c = opts.curve;
  const sock = new zmq.Dealer({
    linger: 0,
    ...(c
      ? { curveServerKey: c.serverPublicKey, curvePublicKey: c.publicKey, curveSecretKey: c.secretKey }
      : {}),
  });
  sock.receiveTimeout = opts.timeoutMs ?? 3000;
  sock.sendTimeout = opts.timeoutMs ?? 3000;
  const peerId = `status-${randomUUID().slice(0, 8)}`;
  const send = (body: BodyInit): Promise<void> =>
    sock.send([
      PROTOCOL_TAG_BYTES,
      encodeEnvelope({
        versionMajor: PROTOCOL_MAJOR,
        versionMinor: PROTOCOL_MINOR,
        messageId: randomUUID(),
        sentUnixMs: Date.now(),
        senderId: peerId,
        ...body,
      }),
    ]);
  try {
    sock.connect(endpoint);
    await send({
      hello: {
        peerId,
        role: nadir.v1.PeerRole.PEER_ROLE_OBSERVER,
        observer: { studyIds: opts.studyIds ?? [] },
        agent: "nadir-status/0.1.0",
      },
    });
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await sock.receive();
      } catch {
        throw new StatusQueryError(`no answer from ${endpoint} within ${opts.timeoutMs ?? 3000} ms`);
      }
      const env = decodeFrames(frames).envelope;
      if (env.body === "refused") throw new StatusQueryError(`refused: ${env.refused?.message ?? ""}`);
      if (env.body === "welcome") await send({ statusRequest: { studyIds: opts.studyIds ?? [] } });
      if (env.body === "statusResponse") {
        await send({ goodbye: { reason: "status done" } }).catch(() => {});
        return env.statusResponse as nadir.v1.StatusResponse;
      }
    }
  } finally {
    sock.close();
  }
}
