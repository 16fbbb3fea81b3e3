"""Golden vectors from Python: each protocols/testdata/<kind>.bin decodes to exactly <kind>.json (canonical
proto3 JSON), the JSON encodes to exactly the same bytes, and the hostile vectors raise the same typed error
codes as in TypeScript (packages/protocol/test/golden.test.ts checks the same files)."""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path

import pytest
from google.protobuf import json_format

from nadir_worker import protocol as P
from nadir_worker.gen import envelope_pb2, journal_pb2

TESTDATA = Path(__file__).resolve().parents[3] / "protocols" / "testdata"
BINS = sorted(TESTDATA.glob("*.bin"))
INVALID = sorted((TESTDATA / "invalid").glob("*.json"))


def _type_for(kind: str):
    return journal_pb2.JournalRecord if kind.startswith("journal_record") else envelope_pb2.Envelope


def test_vectors_cover_every_body_kind() -> None:
    kinds = sorted(p.stem for p in BINS)
    assert kinds == sorted([*P.BODY_KINDS, "journal_record", "journal_record_snapshot", "journal_record_stopper"])
    assert len(P.BODY_KINDS) == 27


@pytest.mark.parametrize("path", BINS, ids=[p.stem for p in BINS])
def test_golden_vector(path: Path) -> None:
    kind = path.stem
    cls = _type_for(kind)
    data = path.read_bytes()
    expected_json = json.loads(path.with_suffix(".json").read_text())
    decoded = cls.FromString(data)
    assert json_format.MessageToDict(decoded) == expected_json
    assert decoded.SerializeToString(deterministic=True) == data
    from_json = json_format.ParseDict(expected_json, cls())
    assert from_json.SerializeToString(deterministic=True) == data
    if cls is envelope_pb2.Envelope:
        msg = P.decode_frames([P.PROTOCOL_TAG_BYTES, data])
        assert msg.envelope.WhichOneof("body") == kind


def test_non_finite_values_survive() -> None:
    env = envelope_pb2.Envelope.FromString((TESTDATA / "trial_failed.bin").read_bytes())
    assert math.isnan(env.trial_failed.divergence.value)
    assert env.trial_failed.last.metrics["train/loss"] == math.inf


def test_snapshot_keeps_replicate() -> None:
    rec = journal_pb2.JournalRecord.FromString((TESTDATA / "journal_record_snapshot.bin").read_bytes())
    assert [(t.trial.trial_id, t.replicate) for t in rec.snapshot.trials] == [(2, 1), (3, 2)]


def test_stopper_decision_rides_on_study_end() -> None:
    rec = journal_pb2.JournalRecord.FromString((TESTDATA / "journal_record_stopper.bin").read_bytes())
    d = rec.study_state_changed.stopper
    assert (d.stop, d.reason, d.search_trials, d.gain_bound, list(d.accepted_c)) == (
        True,
        "gain-below-threshold",
        48,
        0.0012,
        [1, 2, 3],
    )
    env = envelope_pb2.Envelope.FromString((TESTDATA / "study_progress.bin").read_bytes())
    assert env.study_progress.stopper.reason == "set-touches-edge"
    assert env.study_progress.stopper.HasField("gain_bound")


def test_assignment_materialises_one_minus_beta1() -> None:
    env = envelope_pb2.Envelope.FromString((TESTDATA / "trial_assignment.bin").read_bytes())
    a = env.trial_assignment
    assert a.optimizer.nadamw.beta1 == 1 - a.parameters["one_minus_beta1"].float_value
    assert a.optimizer.schedule.warmup_steps == math.floor(0.1 * 1000)
    assert a.HasField("list_index") and a.list_index == 0
    # A float parameter equal to 0.0 is still present (oneof members have explicit presence).
    assert a.parameters["dropout_rate"].WhichOneof("kind") == "float_value"


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_vector(path: Path) -> None:
    vec = json.loads(path.read_text())
    frames = [base64.b64decode(f) for f in vec["frames"]]
    with pytest.raises(P.ProtocolError) as info:
        P.decode_frames(frames)
    assert info.value.code == vec["error"], str(info.value)
