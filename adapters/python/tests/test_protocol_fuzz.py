"""Hostile input never crashes the Python decoder: every outcome is a checked envelope or a ProtocolError
with a known code. 10,000 seeded random payloads + 10,000 mutated golden vectors, plus hypothesis-driven
frame lists (the TypeScript side has the fast-check equivalent in packages/protocol/test/fuzz.test.ts)."""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from nadir_worker import protocol as P
from nadir_worker.gen import envelope_pb2

TESTDATA = Path(__file__).resolve().parents[3] / "protocols" / "testdata"
GOLDENS = [p.read_bytes() for p in sorted(TESTDATA.glob("*.bin")) if not p.stem.startswith("journal_record")]
CODES = {"truncated", "malformed", "version_mismatch", "oversize", "unknown_body", "frame_count"}


def _outcome(frames, stats: Counter, **kw) -> str:
    try:
        msg = P.decode_frames(frames, **kw)
    except P.ProtocolError as err:
        assert err.code in CODES, err.code
        stats[err.code] += 1
        return err.code
    # Anything accepted re-encodes and decodes to the same message.
    again = P.decode_envelope(msg.envelope.SerializeToString())
    assert P.envelope_to_json(again) == P.envelope_to_json(msg.envelope)
    stats["ok"] += 1
    return "ok"


def _mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.choice(["flip", "set", "insert", "delete", "truncate"])
        at = rng.randint(0, len(b))
        if op == "flip" and at < len(b):
            b[at] ^= 1 << rng.randint(0, 7)
        elif op == "set" and at < len(b):
            b[at] = rng.randint(0, 255)
        elif op == "insert":
            b[at:at] = bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 12)))
        elif op == "delete":
            del b[at : at + rng.randint(1, 16)]
        elif op == "truncate":
            del b[at:]
    return bytes(b)


def test_random_payloads_and_mutations() -> None:
    rng = random.Random(20260101)
    stats: Counter = Counter()
    t0 = time.perf_counter()
    for _ in range(10_000):
        payload = bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 600)))
        _outcome([P.PROTOCOL_TAG_BYTES, payload], stats)
    for _ in range(10_000):
        _outcome([P.PROTOCOL_TAG_BYTES, _mutate(rng, rng.choice(GOLDENS))], stats)
    elapsed = time.perf_counter() - t0
    assert sum(stats.values()) == 20_000
    for code in ("ok", "truncated", "malformed", "unknown_body"):
        assert stats[code] > 0, (code, stats)
    assert elapsed < 60, elapsed


def test_oversize_exactly_above_limit() -> None:
    rng = random.Random(3)
    stats: Counter = Counter()
    for _ in range(2_000):
        data = rng.choice(GOLDENS)
        limit = rng.randint(1, 4096)
        code = _outcome([P.PROTOCOL_TAG_BYTES, data], stats, max_frame_bytes=limit)
        assert (code == "oversize") == (len(data) > limit)
        if len(data) <= limit:
            assert code == "ok"


def test_foreign_major_versions() -> None:
    rng = random.Random(9)
    for _ in range(2_000):
        env = envelope_pb2.Envelope.FromString(rng.choice(GOLDENS))
        env.version_major = rng.randint(2, 0xFFFFFFFF)
        try:
            P.decode_envelope(env.SerializeToString())
        except P.VersionMismatchError:
            continue
        raise AssertionError("foreign major accepted")


def test_huge_claimed_lengths_are_cheap() -> None:
    for exp in range(20, 63, 3):
        claimed = (1 << exp) + 5
        varint = bytearray()
        while claimed >= 0x80:
            varint.append((claimed & 0x7F) | 0x80)
            claimed >>= 7
        varint.append(claimed)
        data = bytes([0x08, 0x01, 0x52, *varint, 1, 2, 3])
        t0 = time.perf_counter()
        try:
            P.decode_envelope(data)
        except P.ProtocolError as err:
            assert err.code in {"truncated", "malformed"}
        else:
            raise AssertionError("accepted a field longer than the input")
        assert time.perf_counter() - t0 < 0.05


_frame = st.one_of(
    st.binary(max_size=64),
    st.just(P.PROTOCOL_TAG_BYTES),
    st.sampled_from([b"nadir.v2", b"nadir.v0", b"nadir.v1/x", b"NADIR.V1", b""]),
    st.sampled_from(GOLDENS),
)


@settings(max_examples=2_000, deadline=None, derandomize=True)
@given(frames=st.lists(_frame, max_size=5), identity=st.booleans())
def test_random_frame_lists(frames: list[bytes], identity: bool) -> None:
    _outcome(frames, Counter(), identity=identity)
