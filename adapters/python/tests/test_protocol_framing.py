"""Unit tests of nadir_worker.protocol (framing, size limits, version checks), mirroring the TS tests."""

from __future__ import annotations

import pytest

from nadir_worker import protocol as P
from nadir_worker.gen import common_pb2, envelope_pb2, trial_pb2


def _report() -> envelope_pb2.Envelope:
    rep = trial_pb2.TrialReport(
        trial=common_pb2.TrialRef(study_id="s1", trial_id=3, attempt=2),
        measurement=common_pb2.Measurement(step=120, elapsed_seconds=2.5, metrics={"loss": 0.5}),
        sequence=4,
    )
    return P.make_envelope("trial_report", rep, message_id="m-1", sender_id="w-1", sent_unix_ms=1_700_000_000_000)


def test_round_trip() -> None:
    frames = P.encode_frames(_report())
    assert frames[0] == b"nadir.v1"
    msg = P.decode_frames(frames)
    kind, body = P.body_of(msg.envelope)
    assert kind == "trial_report"
    assert body.measurement.step == 120
    assert msg.envelope.version_major == 1 and msg.envelope.version_minor == 0
    assert msg.identity is None


def test_same_bytes_as_typescript_for_the_same_message() -> None:
    # The same report built in packages/protocol/test/framing.test.ts; its bytes are pinned here so the two
    # encoders are compared directly, not only through the golden files.
    # Output of encodeEnvelope(makeEnvelope(...)) in Node for the same fields.
    expected = bytes.fromhex(
        "08011a036d2d312880d095ffbc313203772d31b2012a0a080a02733110031802121c0878110000000000000440"
        "1a0f0a046c6f737311000000000000e03f1804"
    )
    assert P.encode_envelope(_report()) == expected


def test_router_identity_and_topic() -> None:
    frames = [b"\x00id", *P.encode_frames(_report())]
    msg = P.decode_frames(frames, identity=True)
    assert msg.identity == b"\x00id"
    with pytest.raises(P.FrameCountError):
        P.decode_frames(frames)
    pub = P.encode_frames(_report(), topic="study-7")
    assert pub[0] == b"nadir.v1/study-7"
    assert P.decode_frames(pub).topic == "study-7"


def test_make_envelope_checks_its_arguments() -> None:
    with pytest.raises(P.InvalidArgumentError, match="unknown body member 'report'"):
        P.make_envelope("report", trial_pb2.TrialReport())
    with pytest.raises(P.InvalidArgumentError, match="needs a TrialReport, got Drain"):
        P.make_envelope("trial_report", envelope_pb2.Envelope().drain)
    with pytest.raises(P.InvalidArgumentError, match="no body member set"):
        P.encode_envelope(envelope_pb2.Envelope(message_id="x"))


def test_size_limits() -> None:
    big = P.make_envelope("trial_failed", trial_pb2.TrialFailed(details="x" * 2000))
    with pytest.raises(P.OversizeError) as info:
        P.encode_envelope(big, max_frame_bytes=1000)
    data = P.encode_envelope(big)
    with pytest.raises(P.OversizeError) as info:
        P.decode_envelope(data, max_frame_bytes=1000)
    assert info.value.size == len(data) and info.value.limit == 1000
    with pytest.raises(P.OversizeError):
        P.decode_frames([b"n" * 300, data])
    with pytest.raises(P.InvalidArgumentError):
        P.decode_envelope(data, max_frame_bytes=0)
    assert P.DEFAULT_MAX_FRAME_BYTES == 4 * 1024 * 1024


def test_every_prefix_is_a_typed_error() -> None:
    data = P.encode_envelope(_report())
    for n in range(len(data)):
        with pytest.raises(P.ProtocolError) as info:
            P.decode_envelope(data[:n])
        assert info.value.code in {"truncated", "malformed", "unknown_body"}, n
    with pytest.raises(P.TruncatedError):
        P.decode_envelope(data[:-1])


def test_versions() -> None:
    v2 = envelope_pb2.Envelope(version_major=2, message_id="a")
    v2.drain.SetInParent()
    with pytest.raises(P.VersionMismatchError):
        P.decode_envelope(v2.SerializeToString())
    newer = envelope_pb2.Envelope(version_major=1, version_minor=9, message_id="a")
    newer.drain.reason = "r"
    assert P.decode_envelope(newer.SerializeToString()).version_minor == 9
    with pytest.raises(P.VersionMismatchError):
        P.decode_frames([b"nadir.v2", newer.SerializeToString()])
    with pytest.raises(P.MalformedError):
        P.decode_frames([b"nadir.v01", newer.SerializeToString()])


def test_unknown_fields_are_kept() -> None:
    base = envelope_pb2.Envelope(version_major=1, version_minor=3, message_id="a")
    base.drain.reason = "r"
    data = base.SerializeToString() + bytes([0xA0, 0x1F, 0x07])
    env = P.decode_envelope(data)
    assert env.SerializeToString() == data
    future = envelope_pb2.Envelope(version_major=1, version_minor=4, message_id="f").SerializeToString()
    with pytest.raises(P.UnknownBodyError):
        P.decode_envelope(future + bytes([0x9A, 0x06, 0x00]))


def test_negotiation() -> None:
    assert P.negotiate_version(1, 5, own_minor=2) == P.Negotiation(True, 1, 2)
    r = P.negotiate_version(2, 0)
    assert not r.ok and r.message == "peer speaks protocol 2.0, this side speaks major 1 (1.0)"
    assert not P.negotiate_version(1, 0, own_minor=3, min_peer_minor=2).ok
    with pytest.raises(ValueError):
        P.negotiate_version(-1, 0)
    assert P.parse_protocol_tag("nadir.v1") == 1
    assert P.parse_protocol_tag("nadir.v0") is None
    assert P.parse_protocol_tag("nadir.v1x") is None


def test_json_helpers() -> None:
    env = _report()
    js = P.envelope_to_json(env)
    assert js["sentUnixMs"] == "1700000000000"
    assert P.envelope_from_json(js) == env
    with pytest.raises(P.InvalidArgumentError):
        P.envelope_from_json({"versionMajor": "x"})


def test_error_reply_mapping() -> None:
    assert P.error_reply_for(P.OversizeError(10, 5)).code == envelope_pb2.ERROR_CODE_OVERSIZE
    assert P.error_reply_for(P.TruncatedError("t")).code == envelope_pb2.ERROR_CODE_MALFORMED
    assert P.error_reply_for(P.FrameCountError(1, 2)).code == envelope_pb2.ERROR_CODE_MALFORMED
    reply = P.error_reply_for(P.VersionMismatchError("nadir.v2", "nadir.v1"))
    assert reply.code == envelope_pb2.ERROR_CODE_VERSION_MISMATCH
    assert reply.message == "protocol version mismatch: received nadir.v2, this side speaks nadir.v1"
    env = P.make_envelope("error", reply)
    assert P.decode_envelope(P.encode_envelope(env)).error.code == envelope_pb2.ERROR_CODE_VERSION_MISMATCH
