"""Cross-language round trip over real sockets: a TypeScript zeromq ROUTER (tests/ts_router.mjs, using
@nadir/protocol's framing) and a Python pyzmq DEALER (using nadir_worker.protocol) exchange every envelope
body kind over tcp://127.0.0.1, plus a version handshake, a refused major version and hostile frames that
come back as typed errors."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest
import zmq
from google.protobuf import json_format

from nadir_worker import protocol as P
from nadir_worker.gen import envelope_pb2, worker_pb2

REPO = Path(__file__).resolve().parents[3]
TESTDATA = REPO / "protocols" / "testdata"
KINDS = sorted(p.stem for p in TESTDATA.glob("*.bin") if not p.stem.startswith("journal_record"))


@pytest.fixture()
def ts_router(node_bin: str):
    dist = REPO / "packages" / "protocol" / "dist" / "index.js"
    assert dist.exists(), f"{dist} missing: build @nadir/protocol first (pnpm exec tsc -b packages/protocol)"
    proc = subprocess.Popen(
        [node_bin, str(Path(__file__).with_name("ts_router.mjs"))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("READY tcp://127.0.0.1:"), f"router did not start: {line!r} {proc.stderr.read() if proc.poll() is not None else ''}"
        yield proc, line.split(" ", 1)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


def _recv(sock: zmq.Socket) -> envelope_pb2.Envelope:
    frames = sock.recv_multipart()
    return P.decode_frames(frames).envelope


def test_every_message_kind_crosses_both_ways(ts_router) -> None:
    proc, endpoint = ts_router
    assert len(KINDS) == 27
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVTIMEO, 15_000)
    sock.connect(endpoint)
    try:
        # 1. Handshake: Hello at 1.0 -> Welcome with the negotiated minor.
        hello = worker_pb2.Hello(peer_id="py-dealer", role=worker_pb2.PEER_ROLE_WORKER)
        hello.worker.capacity = 1
        sock.send_multipart(P.encode_frames(P.make_envelope("hello", hello, message_id="handshake-1", sender_id="py-dealer")))
        welcome = _recv(sock)
        assert welcome.WhichOneof("body") == "welcome", welcome
        assert welcome.correlation_id == "handshake-1"
        assert welcome.welcome.negotiated_minor == 0 and welcome.welcome.max_frame_bytes == 64 * 1024

        # 2. A peer speaking major 2: refused with a typed reason (the tag frame says v1, the envelope 2).
        env2 = P.make_envelope("hello", hello, message_id="handshake-2")
        env2.version_major = 2
        sock.send_multipart([P.PROTOCOL_TAG_BYTES, env2.SerializeToString()])
        refused = _recv(sock)
        assert refused.WhichOneof("body") == "refused"
        assert refused.refused.reason == worker_pb2.REFUSAL_REASON_VERSION_MISMATCH
        assert list(refused.refused.supported_versions) == [worker_pb2.ProtocolVersion(major=1, minor=0)]

        # 3. Every body kind, Python -> TypeScript (checked there against the golden vector) and back.
        for kind in KINDS:
            golden_json = json.loads((TESTDATA / f"{kind}.json").read_text())
            env = json_format.ParseDict(golden_json, envelope_pb2.Envelope())
            env.message_id = f"py-{kind}"
            sock.send_multipart(P.encode_frames(env))
            reply = _recv(sock)
            assert reply.WhichOneof("body") == kind
            assert reply.correlation_id == f"py-{kind}"
            assert P.envelope_to_json(reply) == {**golden_json, "correlationId": f"py-{kind}"}

        # 4. Hostile frames: each comes back as a typed error with the expected code.
        wire = {
            "truncated": envelope_pb2.ERROR_CODE_MALFORMED,
            "malformed": envelope_pb2.ERROR_CODE_MALFORMED,
            "unknown_body": envelope_pb2.ERROR_CODE_UNKNOWN_BODY,
            "frame_count": envelope_pb2.ERROR_CODE_MALFORMED,
        }
        invalid = sorted((TESTDATA / "invalid").glob("*.json"))
        for path in invalid:
            vec = json.loads(path.read_text())
            sock.send_multipart([base64.b64decode(f) for f in vec["frames"]])
            reply = _recv(sock)
            assert reply.correlation_id == f"error:{vec['error']}", (path.stem, reply)
            if vec["error"] == "version_mismatch":
                assert reply.WhichOneof("body") == "refused"
            else:
                assert reply.WhichOneof("body") == "error"
                assert reply.error.code == wire[vec["error"]], path.stem
        oversize = P.make_envelope("trial_failed", envelope_pb2.Envelope().trial_failed)
        oversize.trial_failed.details = "x" * (70 * 1024)
        sock.send_multipart(P.encode_frames(oversize))
        reply = _recv(sock)
        assert reply.error.code == envelope_pb2.ERROR_CODE_OVERSIZE

        # 5. Done: the router reports what it checked and exits 0.
        done = envelope_pb2.Envelope().shutdown
        done.reason = "test-done"
        sock.send_multipart(P.encode_frames(P.make_envelope("shutdown", done, message_id="done")))
        assert _recv(sock).ack.status == envelope_pb2.ACK_STATUS_ACCEPTED
    finally:
        sock.close()
        ctx.term()
    assert proc.wait(timeout=15) == 0, proc.stderr.read()
    out = proc.stdout.read()
    summary = json.loads(out.split("DONE ", 1)[1])
    # 27 golden kinds + the shutdown that ended it is not counted; 10 invalid vectors + 1 oversize + the
    # major-2 hello are errors; of those, 2 version mismatches (tag and envelope) + the hello are refusals.
    assert summary == {"checked": 27, "errors": len(invalid) + 2, "welcomes": 1, "refusals": 3}, out
