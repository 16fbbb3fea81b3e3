"""Framing, decoding and version helpers for Nadir protocol v1 (mirrors ``@nadir/protocol``'s framing layer).

Frames of one ZeroMQ multipart message (protocols/README.md, "Framing")::

    DEALER -> ROUTER: [tag, envelope]             (ROUTER receives [identity, tag, envelope])
    ROUTER -> DEALER: [identity, tag, envelope]   (DEALER receives [tag, envelope])
    PUB -> SUB:       [tag "/" study_id, envelope]

``tag`` is the ASCII string ``nadir.v1``. Decoding never raises anything but :class:`ProtocolError`
subclasses: exceptions of the protobuf runtime are caught and mapped, sizes are checked before parsing.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import EncodeError

from .gen import envelope_pb2

Envelope = envelope_pb2.Envelope

PROTOCOL_MAJOR = 1
"""Major version (``package nadir.v1``); a different major is never compatible."""
PROTOCOL_MINOR = 0
"""Minor version of the .proto files; grows with additive changes."""
PROTOCOL_TAG = f"nadir.v{PROTOCOL_MAJOR}"
"""First frame of every multipart message."""
PROTOCOL_TAG_BYTES = PROTOCOL_TAG.encode("ascii")
DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024
"""Default upper bound on any frame, checked before decoding: 4 MiB."""
MAX_TAG_BYTES = 256
"""Longest accepted tag frame ("nadir.v1/" + a study id)."""

BODY_KINDS: tuple[str, ...] = tuple(f.name for f in Envelope.DESCRIPTOR.oneofs_by_name["body"].fields)
"""Every envelope body member (snake_case field names), in .proto order."""


class ProtocolError(Exception):
    """Base class of every protocol error; ``code`` is the same string as in the TypeScript layer."""

    code = "protocol"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TruncatedError(ProtocolError):
    """The bytes end in the middle of a field."""

    code = "truncated"


class MalformedError(ProtocolError):
    """The bytes are not a valid encoding, or not a Nadir envelope."""

    code = "malformed"


class VersionMismatchError(ProtocolError):
    """The tag frame or envelope version is not one this side speaks."""

    code = "version_mismatch"

    def __init__(self, received: str, supported: str, message: str | None = None) -> None:
        super().__init__(message or f"protocol version mismatch: received {received}, this side speaks {supported}")
        self.received = received
        self.supported = supported


class OversizeError(ProtocolError):
    """A frame is larger than the configured limit."""

    code = "oversize"

    def __init__(self, size: int, limit: int, what: str = "frame") -> None:
        super().__init__(f"{what} of {size} bytes exceeds the limit of {limit} bytes")
        self.size = size
        self.limit = limit


class UnknownBodyError(ProtocolError):
    """The envelope has no body, or one this side does not know (a newer minor)."""

    code = "unknown_body"


class FrameCountError(ProtocolError):
    """Wrong number of frames for the socket pattern."""

    code = "frame_count"

    def __init__(self, count: int, expected: int) -> None:
        super().__init__(f"expected {expected} frames, got {count}")
        self.count = count


class InvalidArgumentError(ProtocolError):
    """A caller passed something that can never be encoded."""

    code = "invalid_argument"


def _limit(max_frame_bytes: int | None) -> int:
    m = DEFAULT_MAX_FRAME_BYTES if max_frame_bytes is None else max_frame_bytes
    if not isinstance(m, int) or isinstance(m, bool) or m <= 0:
        raise InvalidArgumentError(f"max_frame_bytes must be a positive integer, got {m!r}")
    return m


def make_envelope(
    body: str,
    message: Any,
    *,
    message_id: str | None = None,
    correlation_id: str = "",
    sender_id: str = "",
    sent_unix_ms: int | None = None,
) -> Envelope:
    """Wraps ``message`` as the envelope body member ``body`` (e.g. ``"trial_report"``), filling version,
    message id (a random UUID unless given) and send time (now unless given)."""
    if body not in BODY_KINDS:
        raise InvalidArgumentError(f"unknown body member {body!r}; expected one of {', '.join(BODY_KINDS)}")
    env = Envelope(
        version_major=PROTOCOL_MAJOR,
        version_minor=PROTOCOL_MINOR,
        message_id=message_id if message_id is not None else str(uuid.uuid4()),
        correlation_id=correlation_id,
        sent_unix_ms=int(time.time() * 1000) if sent_unix_ms is None else sent_unix_ms,
        sender_id=sender_id,
    )
    field = getattr(env, body)
    expected = type(field)
    if not isinstance(message, expected):
        raise InvalidArgumentError(f"body {body!r} needs a {expected.__name__}, got {type(message).__name__}")
    field.CopyFrom(message)
    return env


def encode_envelope(env: Envelope, *, max_frame_bytes: int | None = None) -> bytes:
    """Serialises an envelope deterministically (map entries sorted by key, as the TS side writes them when
    keys are inserted in sorted order) after checking it has a body and fits the limit. A missing
    version_major is filled with this side's version."""
    limit = _limit(max_frame_bytes)
    if not isinstance(env, Envelope):
        raise InvalidArgumentError(f"encode_envelope needs a nadir.v1.Envelope, got {type(env).__name__}")
    if env.WhichOneof("body") is None:
        raise InvalidArgumentError("encode_envelope: the envelope has no body member set")
    if env.version_major == 0:
        env = Envelope.FromString(env.SerializeToString())
        env.version_major = PROTOCOL_MAJOR
        env.version_minor = PROTOCOL_MINOR
    try:
        data = env.SerializeToString(deterministic=True)
    except EncodeError as err:  # pragma: no cover - proto3 has no required fields
        raise InvalidArgumentError(f"encode_envelope: {err}") from err
    if len(data) > limit:
        raise OversizeError(len(data), limit, "encoded envelope")
    return data


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """Reads a base-128 varint; raises TruncatedError past the end, MalformedError beyond 10 bytes."""
    result = 0
    shift = 0
    while True:
        if pos >= len(data):
            raise TruncatedError(f"envelope is truncated: varint runs past the end at byte {pos}")
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise MalformedError(f"envelope is malformed: varint longer than 10 bytes at byte {pos}")


def _classify_parse_failure(data: bytes, err: Exception) -> ProtocolError:
    """The Python runtime reports every parse failure as one DecodeError. Walk the top-level fields to tell
    truncation (the last field runs past the end; truncation always cuts the last top-level field) from
    other malformations."""
    pos = 0
    n = len(data)
    try:
        while pos < n:
            key, pos = _read_varint(data, pos)
            wire = key & 7
            if key >> 3 == 0:
                return MalformedError(f"envelope is malformed: field number 0 at byte {pos} ({err})")
            if wire == 0:
                _, pos = _read_varint(data, pos)
            elif wire == 1:
                pos += 8
            elif wire == 5:
                pos += 4
            elif wire == 2:
                length, pos = _read_varint(data, pos)
                pos += length
            else:
                # Groups (3, 4) and 6, 7 are not used by proto3 messages: malformed either way.
                return MalformedError(f"envelope is malformed: wire type {wire} at byte {pos} ({err})")
            if pos > n:
                return TruncatedError(f"envelope is truncated: a field runs {pos - n} bytes past the end ({err})")
    except ProtocolError as classified:
        return classified
    return MalformedError(f"envelope is malformed: {err}")


def decode_envelope(data: bytes, *, max_frame_bytes: int | None = None) -> Envelope:
    """Decodes and checks one envelope: size limit, protobuf parse (errors mapped to TruncatedError or
    MalformedError), version (major must be 1, any minor), body (a known member must be set)."""
    limit = _limit(max_frame_bytes)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidArgumentError(f"decode_envelope needs bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > limit:
        raise OversizeError(len(data), limit, "envelope frame")
    if not data:
        raise TruncatedError("envelope frame is empty")
    env = Envelope()
    try:
        env.ParseFromString(data)
    except Exception as err:  # noqa: BLE001 - any runtime failure on hostile bytes becomes a typed error
        raise _classify_parse_failure(data, err) from err
    if env.version_major == 0:
        raise MalformedError("envelope has no version_major (field 1); not a Nadir envelope")
    if env.version_major != PROTOCOL_MAJOR:
        raise VersionMismatchError(f"{env.version_major}.{env.version_minor}", f"{PROTOCOL_MAJOR}.{PROTOCOL_MINOR}")
    if env.WhichOneof("body") is None:
        raise UnknownBodyError(f"envelope {env.message_id!r} has no body member this side knows")
    return env


def body_of(env: Envelope) -> tuple[str, Any]:
    """Returns ``(kind, message)`` for the envelope's body, e.g. ``("trial_report", TrialReport(...))``."""
    kind = env.WhichOneof("body")
    if kind is None:
        raise UnknownBodyError("envelope has no body")
    return kind, getattr(env, kind)


def parse_protocol_tag(tag: str) -> int | None:
    """Major version of a tag such as ``nadir.v1``; None when the text is not a Nadir tag."""
    if not tag.startswith("nadir.v"):
        return None
    digits = tag[len("nadir.v") :]
    if not digits.isascii() or not digits.isdigit() or digits.startswith("0") or len(digits) > 9:
        return None
    return int(digits)


def _check_tag(frame: bytes) -> str | None:
    if len(frame) > MAX_TAG_BYTES:
        raise OversizeError(len(frame), MAX_TAG_BYTES, "protocol tag frame")
    text = bytes(frame).decode("latin-1")
    tag, sep, topic = text.partition("/")
    major = parse_protocol_tag(tag)
    if major is None:
        raise MalformedError(f"first frame is not a Nadir protocol tag: {text[:40]!r}")
    if major != PROTOCOL_MAJOR:
        raise VersionMismatchError(tag, PROTOCOL_TAG)
    return topic if sep else None


def encode_frames(env: Envelope, *, topic: str | None = None, max_frame_bytes: int | None = None) -> list[bytes]:
    """Frames a DEALER (or PUB, with ``topic``) sends: ``[tag, envelope]``."""
    payload = encode_envelope(env, max_frame_bytes=max_frame_bytes)
    if topic is None:
        return [PROTOCOL_TAG_BYTES, payload]
    tag = f"{PROTOCOL_TAG}/{topic}".encode()
    if len(tag) > MAX_TAG_BYTES:
        raise InvalidArgumentError(f"topic makes the tag frame {len(tag)} bytes (max {MAX_TAG_BYTES})")
    return [tag, payload]


@dataclass
class DecodedMessage:
    """A decoded multipart message."""

    envelope: Envelope
    identity: bytes | None = None
    topic: str | None = None


def decode_frames(
    frames: Sequence[bytes], *, identity: bool = False, max_frame_bytes: int | None = None
) -> DecodedMessage:
    """Decodes a received multipart message (``identity=True`` on a ROUTER: 3 frames, else 2)."""
    expected = 3 if identity else 2
    if len(frames) != expected:
        raise FrameCountError(len(frames), expected)
    for f in frames:
        if not isinstance(f, (bytes, bytearray, memoryview)):
            raise InvalidArgumentError(f"every frame must be bytes, got {type(f).__name__}")
    topic = _check_tag(bytes(frames[expected - 2]))
    env = decode_envelope(bytes(frames[expected - 1]), max_frame_bytes=max_frame_bytes)
    return DecodedMessage(envelope=env, identity=bytes(frames[0]) if identity else None, topic=topic)


_WIRE_CODES = {
    "oversize": envelope_pb2.ERROR_CODE_OVERSIZE,
    "version_mismatch": envelope_pb2.ERROR_CODE_VERSION_MISMATCH,
    "unknown_body": envelope_pb2.ERROR_CODE_UNKNOWN_BODY,
    "invalid_argument": envelope_pb2.ERROR_CODE_INVALID_ARGUMENT,
}


def error_reply_for(err: ProtocolError) -> envelope_pb2.ErrorReply:
    """The ``ErrorReply`` body to send back for a frame that failed to decode (same mapping as TS
    ``errorReplyFor``: truncated, malformed and frame_count are ERROR_CODE_MALFORMED)."""
    return envelope_pb2.ErrorReply(code=_WIRE_CODES.get(err.code, envelope_pb2.ERROR_CODE_MALFORMED), message=err.message)


@dataclass(frozen=True)
class Negotiation:
    """Result of :func:`negotiate_version`."""

    ok: bool
    major: int
    minor: int
    message: str = ""


def negotiate_version(
    peer_major: int, peer_minor: int, *, own_major: int = PROTOCOL_MAJOR, own_minor: int = PROTOCOL_MINOR, min_peer_minor: int = 0
) -> Negotiation:
    """Same rule as the TypeScript ``negotiateVersion``: compatible when the majors are equal and the peer's
    minor is at least ``min_peer_minor``; the agreed minor is ``min(own_minor, peer_minor)``."""
    for name, v in (("peer_major", peer_major), ("peer_minor", peer_minor), ("own_major", own_major), ("own_minor", own_minor)):
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise ValueError(f"negotiate_version: {name} must be a non-negative integer, got {v!r}")
    if peer_major != own_major:
        return Negotiation(False, own_major, own_minor, f"peer speaks protocol {peer_major}.{peer_minor}, this side speaks major {own_major} ({own_major}.{own_minor})")
    if peer_minor < min_peer_minor:
        return Negotiation(False, own_major, own_minor, f"peer speaks protocol {peer_major}.{peer_minor}, this side needs at least {own_major}.{min_peer_minor}")
    return Negotiation(True, own_major, min(own_minor, peer_minor))


def envelope_to_json(env: Envelope) -> dict[str, Any]:
    """Canonical proto3 JSON (lowerCamelCase names, int64 as strings, enum names), as the TS layer writes."""
    return json_format.MessageToDict(env)


def envelope_from_json(obj: dict[str, Any]) -> Envelope:
    """Parses canonical proto3 JSON into an envelope; raises InvalidArgumentError on bad fields."""
    try:
        return json_format.ParseDict(obj, Envelope())
    except json_format.ParseError as err:
        raise InvalidArgumentError(f"envelope_from_json: {err}") from err
