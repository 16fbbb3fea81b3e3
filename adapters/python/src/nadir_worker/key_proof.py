"""Proof of a CURVE key in Hello (``Hello.public_key``, ``Hello.key_proof``).

ZeroMQ authenticates a CURVE client's key during the handshake, but the coordinator cannot see which key a
message arrived with, so a worker also proves inside its Hello which key it holds::

    proof = HMAC-SHA256(key=X25519(own secret, coordinator public),
                        msg=b"nadir.v1/hello-key-proof\\0" + peer_id)

X25519 is RFC 7748 (section 5, the Montgomery ladder, written out here because pyzmq exposes only the
base-point multiplication); HMAC is RFC 2104. The coordinator computes the same value from its secret key
and the worker's public key (``helloKeyProof`` in ``@nadir/protocol``); nobody holding neither secret can.
"""

from __future__ import annotations

import hashlib
import hmac

from zmq.utils import z85

_P = 2**255 - 19
_A24 = 121665


def _decode_scalar(k: bytes) -> int:
    b = bytearray(k)
    b[0] &= 248
    b[31] &= 127
    b[31] |= 64
    return int.from_bytes(b, "little")


def x25519(k: bytes, u: bytes) -> bytes:
    """X25519(k, u) of RFC 7748 section 5: scalar ``k`` times the Montgomery u-coordinate ``u`` (32 bytes each)."""
    if len(k) != 32 or len(u) != 32:
        raise ValueError("x25519: scalar and point must be 32 bytes each")
    scalar = _decode_scalar(k)
    x1 = int.from_bytes(u[:31] + bytes([u[31] & 127]), "little") % _P
    x2, z2, x3, z3 = 1, 0, x1, 1
    swap = 0
    for t in reversed(range(255)):
        bit = (scalar >> t) & 1
        swap ^= bit
        if swap:
            x2, x3 = x3, x2
            z2, z3 = z3, z2
        swap = bit
        a = (x2 + z2) % _P
        aa = a * a % _P
        b = (x2 - z2) % _P
        bb = b * b % _P
        e = (aa - bb) % _P
        c = (x3 + z3) % _P
        d = (x3 - z3) % _P
        da = d * a % _P
        cb = c * b % _P
        x3 = (da + cb) ** 2 % _P
        z3 = x1 * (da - cb) ** 2 % _P
        x2 = aa * bb % _P
        z2 = e * (aa + _A24 * e) % _P
    if swap:
        x2, x3 = x3, x2
        z2, z3 = z3, z2
    return (x2 * pow(z2, _P - 2, _P) % _P).to_bytes(32, "little")


def _key(z: str | bytes) -> bytes:
    raw = z85.decode(z if isinstance(z, bytes) else z.encode())
    if len(raw) != 32:
        raise ValueError(f"a CURVE key is 32 bytes (40 Z85 characters), got {len(raw)}")
    return raw


def hello_key_proof(own_secret_z85: str | bytes, other_public_z85: str | bytes, peer_id: str) -> bytes:
    """The Hello key proof of ``peer_id`` from one side's secret key and the other side's public key (Z85)."""
    shared = x25519(_key(own_secret_z85), _key(other_public_z85))
    return hmac.new(shared, b"nadir.v1/hello-key-proof\0" + peer_id.encode(), hashlib.sha256).digest()
