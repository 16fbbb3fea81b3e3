/**
 * Proof of a CURVE key in Hello (Hello.public_key, Hello.key_proof).
 *
 * ZeroMQ authenticates a CURVE client's key during the handshake, but zeromq.js does not expose which key
 * a message arrived with (libzmq's "User-Id" message property), so a peer also proves inside its Hello
 * which key it holds: proof = HMAC-SHA256(key = X25519(own secret, other public), message =
 * "nadir.v1/hello-key-proof\0" + peer_id) (X25519: RFC 7748 §5/§6.1; HMAC: RFC 2104). The peer computes it
 * from its secret and the coordinator's public key, the coordinator from its secret and the peer's public
 * key; both get the same shared secret, and nobody holding neither secret can.
 */
import { createHmac, createPrivateKey, createPublicKey, diffieHellman } from "node:crypto";
import { InvalidArgumentError } from "./errors.js";

const Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/** Z85 decoding (ZeroMQ RFC 32). @throws InvalidArgumentError for a malformed string */
export function z85Decode(s: string): Buffer {
  if (s.length % 5 !== 0) throw new InvalidArgumentError(`z85: length ${s.length} is not a multiple of 5`);
  const out = Buffer.alloc((s.length / 5) * 4);
  for (let i = 0, o = 0; i < s.length; i += 5, o += 4) {
    let v = 0;
    for (let k = 0; k < 5; k++) {
      const d = Z85.indexOf(s[i + k] as string);
      if (d < 0) throw new InvalidArgumentError(`z85: bad character ${JSON.stringify(s[i + k])}`);
      v = v * 85 + d;
    }
    if (v > 0xffffffff) throw new InvalidArgumentError("z85: block out of range");
    out.writeUInt32BE(v, o);
  }
  return out;
}

// DER prefix of a PKCS #8 X25519 private key (RFC 8410 §7) followed by the 32 raw secret bytes.
const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");

function x25519Key(z85: string): Buffer {
  const raw = z85Decode(z85);
  if (raw.length !== 32)
    throw new InvalidArgumentError(`a CURVE key is 32 bytes (40 Z85 characters), got ${raw.length}`);
  return raw;
}

/** The X25519 public key (Z85) of a secret key (Z85): what libzmq's zmq_curve_public returns. */
export function curvePublicKey(secretZ85: string): string {
  const priv = createPrivateKey({
    key: Buffer.concat([PKCS8_X25519, x25519Key(secretZ85)]),
    format: "der",
    type: "pkcs8",
  });
  const x = createPublicKey(priv).export({ format: "jwk" }).x as string;
  return z85Encode(Buffer.from(x, "base64url"));
}

/** Z85 encoding (ZeroMQ RFC 32) of a byte string whose length is a multiple of 4. */
export function z85Encode(data: Uint8Array): string {
  if (data.length % 4 !== 0) throw new InvalidArgumentError("z85: length must be a multiple of 4");
  let out = "";
  for (let i = 0; i < data.length; i += 4) {
    let v =
      ((data[i] as number) * 2 ** 24 +
        ((data[i + 1] as number) << 16) +
        ((data[i + 2] as number) << 8) +
        (data[i + 3] as number)) >>>
      0;
    let block = "";
    for (let k = 0; k < 5; k++) {
      block = (Z85[v % 85] as string) + block;
      v = Math.floor(v / 85);
    }
    out += block;
  }
  return out;
}

/**
 * The Hello key proof (see the module comment) of a peer id, from one side's secret key and the other
 * side's public key (all Z85). @throws InvalidArgumentError for a malformed key
 */
export function helloKeyProof(ownSecretZ85: string, otherPublicZ85: string, peerId: string): Buffer {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_X25519, x25519Key(ownSecretZ85)]),
    format: "der",
    type: "pkcs8",
  });
  const publicKey = createPublicKey({
    key: { kty: "OKP", crv: "X25519", x: x25519Key(otherPublicZ85).toString("base64url") },
    format: "jwk",
  });
  const shared = diffieHellman({ privateKey, publicKey });
  return createHmac("sha256", shared).update(`nadir.v1/hello-key-proof\0${peerId}`).digest();
}
