/**
 * ZAP (ZeroMQ RFC 27) handler enforcing a CURVE allow-list.
 *
 * zeromq.js v6 has no ZAP API, so this does what libzmq expects of any ZAP handler: a socket bound on
 * `inproc://zeromq.zap.01` in the same context as the CURVE server socket. libzmq sends it one request per
 * CURVE handshake, [version "1.0", request id, domain, address, routing id, mechanism, client public key
 * (32 bytes)] (REQ framing: an empty delimiter first), and accepts the connection only on status "200".
 */
import { z85Encode } from "@nadir/protocol";
import * as zmq from "zeromq";

/** Z85 encoding (ZeroMQ RFC 32), as curveKeyPair() returns keys (one implementation, in @nadir/protocol). */
export { z85Encode };

/** A running ZAP handler. */
export class ZapAllowList {
  private sock: zmq.Router | undefined;
  private readonly allowed: Set<string>;
  /** Handshakes accepted / refused so far. */
  accepted = 0;
  refused = 0;

  constructor(
    allowedKeys: readonly string[],
    private readonly log: (line: string) => void = () => {},
  ) {
    this.allowed = new Set(allowedKeys);
  }

  /** Binds the handler; must run before the CURVE server socket accepts connections. */
  async start(): Promise<void> {
    this.sock = new zmq.Router({ linger: 0 });
    await this.sock.bind("inproc://zeromq.zap.01");
    void this.loop();
  }

  private async loop(): Promise<void> {
    const sock = this.sock as zmq.Router;
    try {
      for await (const frames of sock) {
        // [routing id, "", version, request id, domain, address, identity, mechanism, credentials...]
        const [id, delim, version, requestId, , address, , mechanism, key] = frames;
        let status = "400";
        let text = "not allowed";
        let userId = "";
        if (version?.toString() !== "1.0") {
          text = "unsupported ZAP version";
        } else if (mechanism?.toString() === "CURVE" && key && key.length === 32) {
          const z = z85Encode(key);
          if (this.allowed.has(z)) {
            status = "200";
            text = "OK";
            userId = z;
            this.accepted += 1;
          } else {
            this.refused += 1;
            this.log(`zap: refused CURVE key ${z} from ${address?.toString() ?? "?"}`);
          }
        } else {
          this.refused += 1;
          this.log(
            `zap: refused ${mechanism?.toString() ?? "?"} connection from ${address?.toString() ?? "?"}`,
          );
        }
        await sock.send([
          id as Buffer,
          delim ?? Buffer.alloc(0),
          "1.0",
          requestId ?? Buffer.alloc(0),
          status,
          text,
          userId,
          Buffer.alloc(0),
        ]);
      }
    } catch {
      /* closed */
    }
  }

  /**
   * Closes the handler's socket, which ends its request loop. Close it only after the CURVE server
   * sockets it guards (WireSockets.close does): with no handler bound, libzmq (ZMQ_ZAP_ENFORCE_DOMAIN off,
   * the default) admits every CURVE client instead of refusing it.
   */
  close(): void {
    this.sock?.close();
  }
}
