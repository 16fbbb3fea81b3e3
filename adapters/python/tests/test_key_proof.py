"""The Hello key proof: X25519 against RFC 7748's test vector and libsodium (pyzmq's curve_public), and the
proof against the value @nadir/protocol's helloKeyProof computes for the same keys (either side's pair)."""

from __future__ import annotations

import zmq

from nadir_worker.key_proof import hello_key_proof, x25519
from zmq.utils import z85

# Keys of 32 bytes 0x07 (client) and 0x09 (coordinator), and the proof for peer id "gpu-worker-0", as
# computed by packages/protocol/src/key-proof.ts (Node's X25519 and HMAC).
CLIENT_SECRET = "2l$Fs2l$Fs2l$Fs2l$Fs2l$Fs2l$Fs2l$Fs2l$Fs"
CLIENT_PUBLIC = "6tvoc(HC7#@wdNNOb^NDFZFM!FHzZ>-=Q*4F9zq%"
SERVER_SECRET = "2)*[A2)*[A2)*[A2)*[A2)*[A2)*[A2)*[A2)*[A"
SERVER_PUBLIC = "skcw9PcHHB6McU(5^q[JAWp]DJ1(:nBV*d%jP%mT"
PROOF_HEX = "f125b8c966e12a6db4805d988cbe84007e9f4ea05975407491a202a1e66350ee"


def test_x25519_rfc7748_vector() -> None:
    # RFC 7748 section 5.2, first test vector.
    k = bytes.fromhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4")
    u = bytes.fromhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")
    assert x25519(k, u).hex() == "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"


def test_x25519_base_point_matches_libsodium() -> None:
    base = (9).to_bytes(32, "little")
    for _ in range(5):
        public, secret = zmq.curve_keypair()
        assert z85.encode(x25519(z85.decode(secret), base)) == public


def test_proof_matches_typescript_and_both_sides_agree() -> None:
    assert z85.encode(x25519(z85.decode(CLIENT_SECRET), (9).to_bytes(32, "little"))).decode() == CLIENT_PUBLIC
    assert hello_key_proof(CLIENT_SECRET, SERVER_PUBLIC, "gpu-worker-0").hex() == PROOF_HEX
    assert hello_key_proof(SERVER_SECRET, CLIENT_PUBLIC, "gpu-worker-0").hex() == PROOF_HEX
    assert hello_key_proof(CLIENT_SECRET, SERVER_PUBLIC, "gpu-worker-1").hex() != PROOF_HEX
