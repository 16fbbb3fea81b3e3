/**
 * Proof of a CURVE key in Hello. zeromq.js does not expose the CURVE key a message arrived with (libzmq's
 * "User-Id" message property), so a peer proves which allowed key it holds inside its Hello: the
 * coordinator recomputes the proof from its own secret key and the claimed public key, and binds the
 * peer id to that key.
 */
import { createHmac, createPrivateKey, createPublicKey, diffieHellman } from "node:crypto";

/**
 * The proof that a Hello's sender holds the secret of CURVE public key `clientPublic`: HMAC-SHA256 keyed
 * with the X25519 shared secret of the client and coordinator keys (RFC 7748 §6.1) over
 * "nadir.v1/hello-key-proof\0" + peer_id. Either side computes it from its own secret and the other's
 * public key; nobody without one of the two secrets can.
 */
export function keyProof(
  ownSecretZ85: string,
  ownPublicZ85: string,
  otherPublicZ85: string,
  peerId: string,
): Buffer {
  const b64u = (z: string): string => z85Decode(z).toString("base64url");
  const privateKey = createPrivateKey({
    key: { kty: "OKP", crv: "X25519", d: b64u(ownSecretZ85), x: b64u(ownPublicZ85) },
    format: "jwk",
  });
  const publicKey = createPublicKey({
    key: { kty: "OKP", crv: "X25519", x: b64u(otherPublicZ85) },
    format: "jwk",
  });
  const shared = diffieHellman({ privateKey, publicKey });
  return createHmac("sha256", shared).update(`nadir.v1/hello-key-proof\0${peerId}`).digest();
}

/** Z85 decoding (ZeroMQ RFC 32). @throws RangeError for a malformed string */
export function z85Decode(s: string): Buffer {
  const chars = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
  if (s.length % 5 !== 0) throw new RangeError("z85Decode: length must be a multiple of 5");
  const out = Buffer.alloc((s.length / 5) * 4);
  for (let i = 0, o = 0; i < s.length; i += 5, o += 4) {
    let v = 0;
    for (let k = 0; k < 5; k++) {
      const d = chars.indexOf(s[i + k] as string);
      if (d < 0) throw new RangeError(`z85Decode: bad character ${JSON.stringify(s[i + k])}`);
      v = v * 85 + d;
    }
    if (v > 0xffffffff) throw new RangeError("z85Decode: block out of range");
    out.writeUInt32BE(v, o);
  }
  return out;
}
