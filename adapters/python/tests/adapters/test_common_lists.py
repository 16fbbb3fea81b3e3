"""load_list / list_from_cli on what the real `nadir lists show --json` prints, with and without --steps."""

from __future__ import annotations

import json
import math
import subprocess

import pytest

from _e2e import CLI
from nadir_worker.adapters import (
    LIST_ATTRS_KEY,
    ListFormatError,
    list_digest,
    list_from_cli,
    load_list,
    optimizer_spec_from_point,
    split_point,
)

NODE_CLI = ["node", str(CLI)]


@pytest.mark.parametrize("name", ["algoperf-v0.5-nadamw-baseline@1", "medapati2025-nadamw@1"])
@pytest.mark.parametrize("steps", [100, 1000])
def test_materialised_list_from_the_real_cli(name: str, steps: int) -> None:
    raw = json.loads(subprocess.run([*NODE_CLI, "lists", "show", name, "--steps", str(steps), "--json"],
                                    capture_output=True, text=True, check=True).stdout)
    points = list_from_cli(name, steps, NODE_CLI)
    assert [p.index for p in points] == [c["point"] - 1 for c in raw["configs"]] == list(range(len(raw["points"])))
    for p, cfg, src in zip(points, raw["configs"], raw["points"]):
        assert dict(p.params) == {**cfg["hyperparameters"], "warmup_steps": cfg["warmup_steps"],
                                  "cosine_steps": cfg["cosine_steps"]}
        # AlgoPerf materialisation: W = floor(warmup_fraction * S) (independent of the CLI's own numbers).
        assert p.params["warmup_steps"] == math.floor(src["warmup_fraction"] * steps)
        assert p.params["warmup_steps"] + p.params["cosine_steps"] == steps
        spec = optimizer_spec_from_point(p.params, steps)
        assert (spec.schedule.warmup_steps, spec.schedule.total_steps) == (p.params["warmup_steps"], steps)
        assert spec.nadamw.beta1 == src["beta1"] and spec.nadamw.learning_rate == src["learning_rate"]


def test_unmaterialised_cli_points_drop_id_and_note() -> None:
    raw = json.loads(subprocess.run([*NODE_CLI, "lists", "show", "algoperf-v0.5-nadamw-baseline@1", "--json"],
                                    capture_output=True, text=True, check=True).stdout)
    points = load_list(raw)
    assert [p.index for p in points] == [0, 1, 2, 3, 4]
    assert all("id" not in p.params and "note" not in p.params for p in points)
    assert points[0].params["learning_rate"] == raw["points"][0]["learning_rate"]


@pytest.mark.parametrize(("bad", "message"), [
    ({"configs": []}, "non-empty array"),
    ({"configs": [{"point": 1}]}, "'hyperparameters' object"),
    ({"configs": [{"point": 0, "hyperparameters": {"lr": 1.0}}]}, "positive integer"),
    ({"points": [{"id": 0, "lr": 1.0}]}, "'id' must be a positive integer"),
])
def test_bad_cli_shapes(bad: object, message: str) -> None:
    with pytest.raises(ListFormatError, match=message):
        load_list(bad)


def test_optimizer_spec_needs_the_materialised_names() -> None:
    with pytest.raises(KeyError, match="warmup_steps"):
        optimizer_spec_from_point({"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999}, 100)


@pytest.mark.parametrize("name", ["algoperf-v0.5-nadamw-baseline@1", "medapati2025-nadamw@1"])
def test_the_list_variant_reaches_the_optimizer_spec(name: str) -> None:
    raw = json.loads(subprocess.run([*NODE_CLI, "lists", "show", name, "--steps", "100", "--json"],
                                    capture_output=True, text=True, check=True).stdout)
    points = list_from_cli(name, 100, NODE_CLI)
    assert {p.variant for p in points} == {raw["variant"]}
    searched = ("learning_rate", "beta1", "beta2", "weight_decay", "warmup_steps")
    for p in points:
        params, attrs = split_point(p, searched)
        assert set(params) == set(searched)
        assert attrs["variant"] == raw["variant"] and attrs["index"] == p.index
        assert {**params, **attrs["extras"]} == dict(p.params)
        # Three equivalent ways a trainer gets the list's rule and its epsilon back.
        for spec in (optimizer_spec_from_point(params, 100, list_attrs=attrs),
                     optimizer_spec_from_point({**params, LIST_ATTRS_KEY: attrs}, 100),
                     optimizer_spec_from_point(dict(p.params), 100, variant=p.variant)):
            assert spec.nadamw.variant.value == raw["variant"]
            assert spec.nadamw.epsilon == raw["configs"][p.index]["hyperparameters"]["epsilon"]
    # Without a list the protocol default applies; an explicit variant wins over the list's.
    assert optimizer_spec_from_point(dict(points[0].params), 100).nadamw.variant.value == "algoperf"
    other = "optax" if raw["variant"] == "algoperf" else "algoperf"
    assert optimizer_spec_from_point(dict(points[0].params), 100, variant=other).nadamw.variant.value == other


def test_variant_is_validated_and_part_of_the_digest() -> None:
    with pytest.raises(ListFormatError, match="'variant' must be one of"):
        load_list({"variant": "adam", "points": [{"lr": 1.0}]})
    with pytest.raises(ValueError, match="variant must be one of"):
        optimizer_spec_from_point({"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.99, "warmup_steps": 1}, 10,
                                  variant="adamw")
    plain = load_list({"points": [{"lr": 1.0}]})
    assert plain[0].variant is None
    assert list_digest(plain) != list_digest(load_list({"variant": "optax", "points": [{"lr": 1.0}]}))
