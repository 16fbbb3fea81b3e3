/**
 * The coordinator's sockets: a ROUTER for peers and an optional PUB for trial events, both behind the same
 * CURVE settings and ZAP allow-list. Every outgoing message is built by @nadir/protocol's envelope builder
 * and leaves through one send queue per socket (zeromq.js allows one send in flight per socket).
 */
import type { BodyInit } from "@nadir/protocol/framing";
import { encodeEnvelope, makeEnvelope, PROTOCOL_TAG_BYTES } from "@nadir/protocol/framing";
import * as zmq from "zeromq";
import { SendQueue } from "../send-queue.js";
import { ZapAllowList } from "../zap.js";

/** CURVE settings: the server's key pair and the allowed client public keys (Z85, 40 chars). */
export interface CurveOptions {
  publicKey: string;
  secretKey: string;
  allowedClientKeys: readonly string[];
}

/** What the sockets are bound with. */
export interface SocketOptions {
  bind: readonly string[];
  eventsBind?: string;
  curve?: CurveOptions;
  maxFrameBytes: number;
  log: (line: string) => void;
}

/** Sender id of every coordinator message. */
const SENDER = "coordinator";

/** Bound ROUTER (+ PUB) sockets with their send queues. */
export class WireSockets {
  router: zmq.Router | undefined;
  private pub: zmq.Publisher | undefined;
  private zap: ZapAllowList | undefined;
  private routerOut: SendQueue | undefined;
  private pubOut: SendQueue | undefined;
  endpoints: string[] = [];
  eventsEndpoint: string | undefined;

  constructor(private readonly opts: SocketOptions) {}

  /** Starts the ZAP handler (with CURVE) and binds the sockets; `0` ports are resolved. */
  async bind(): Promise<void> {
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
    this.router = new zmq.Router({
      maxMessageSize: this.opts.maxFrameBytes + 1024,
      linger: 0,
      receiveHighWaterMark: 100_000,
      sendHighWaterMark: 100_000,
      ...curveOpts,
    });
    for (const ep of this.opts.bind) {
      await this.router.bind(ep.replace(/^(tcp:\/\/[^:]+):0$/, "$1:*"));
      this.endpoints.push(this.router.lastEndpoint as string);
    }
    this.routerOut = new SendQueue(this.router, (err) =>
      this.opts.log(`coordinator: send failed: ${err.message}`),
    );
    if (this.opts.eventsBind) {
      this.pub = new zmq.Publisher({ linger: 0, sendHighWaterMark: 100_000, ...curveOpts });
      await this.pub.bind(this.opts.eventsBind.replace(/^(tcp:\/\/[^:]+):0$/, "$1:*"));
      this.eventsEndpoint = this.pub.lastEndpoint as string;
      this.pubOut = new SendQueue(this.pub, () => {}, 100_000);
    }
  }

  /** Whether trial events have a socket to go to. */
  get publishing(): boolean {
    return this.pub !== undefined;
  }

  /** Sends one message to a peer (dropped, with a log line, if it cannot be encoded). */
  send(routingId: Buffer, body: BodyInit, correlationId?: string, messageId?: string): void {
    if (!this.router || this.router.closed) return;
    let payload: Uint8Array;
    try {
      payload = encodeEnvelope(
        makeEnvelope(body, {
          senderId: SENDER,
          ...(correlationId ? { correlationId } : {}),
          ...(messageId ? { messageId } : {}),
        }),
        { maxFrameBytes: this.opts.maxFrameBytes, verify: false },
      );
    } catch (err) {
      this.opts.log(`coordinator: cannot encode a reply: ${(err as Error).message}`);
      return;
    }
    this.routerOut?.send([routingId, PROTOCOL_TAG_BYTES, payload]);
  }

  /** Publishes a trial event or progress on topic `nadir.v1/<study>` (best effort). */
  publish(studyId: string, body: BodyInit): void {
    if (!this.pub || this.pub.closed) return;
    try {
      const payload = encodeEnvelope(makeEnvelope(body, { senderId: SENDER }), { verify: false });
      this.pubOut?.send([Buffer.from(`nadir.v1/${studyId}`), payload]);
    } catch {
      /* publishing is best effort */
    }
  }

  /** Waits (up to timeoutMs) for queued ROUTER messages to leave; false when they did not. */
  async drain(timeoutMs: number): Promise<boolean> {
    return (await this.routerOut?.idle(timeoutMs)) ?? true;
  }

  /** Keeps the ROUTER open up to `ms` after close so queued messages still leave. */
  lingerOnClose(ms: number): void {
    if (this.router && !this.router.closed) this.router.linger = ms;
  }

  close(): void {
    this.router?.close();
    this.pub?.close();
    this.zap?.close();
  }
}
