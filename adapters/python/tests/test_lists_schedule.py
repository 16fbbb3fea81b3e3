"""The helpers' learning rates against `nadir lists show <list> --steps S --json` (@nadir/core's
materialisation, run through the built CLI): warmup steps, and lr at every step the CLI prints, for both
built-in lists and several budgets; the optax schedule and the torch scheduler agree at every step."""

from __future__ import annotations

import json
import subprocess

import jax
import numpy as np
import pytest
import torch

from fixtures_coordinator import CLI, node_executable, require_cli
from nadir_worker import optax_helper, torch_helper
from nadir_worker.config import NadamwSpec, OptimizerSpec, ScheduleKind, ScheduleSpec, Variant, warmup_steps_for

LISTS = ["medapati2025-nadamw@1", "algoperf-v0.5-nadamw-baseline@1"]


def lists_show(name: str, steps: int) -> dict:
    require_cli()
    out = subprocess.run([node_executable(), str(CLI), "lists", "show", name, "--steps", str(steps), "--json"], capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, f"nadir lists show failed: {out.stderr}"
    return json.loads(out.stdout)


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("steps", [1000, 137, 50, 9])
def test_learning_rate_matches_nadir_lists_show(name: str, steps: int) -> None:
    doc = lists_show(name, steps)
    assert doc["steps"] == steps and len(doc["configs"]) == len(doc["points"]) >= 5
    variant = Variant(doc["variant"])
    checked = 0
    for cfg in doc["configs"]:
        hp = cfg["hyperparameters"]
        w = cfg["warmup_steps"]
        assert w == warmup_steps_for(hp["warmup_fraction"], steps, "floor")  # AlgoPerf int(f * S)
        spec = OptimizerSpec(
            nadamw=NadamwSpec(learning_rate=hp["learning_rate"], beta1=hp["beta1"], beta2=hp["beta2"], epsilon=hp["epsilon"],
                              epsilon_root=hp["epsilon_root"], weight_decay=hp["weight_decay"], variant=variant),
            schedule=ScheduleSpec(kind=ScheduleKind.WARMUP_COSINE, warmup_steps=w, total_steps=steps, warmup_fraction=hp["warmup_fraction"]),
            dropout_rate=hp["dropout_rate"], label_smoothing=hp["label_smoothing"],
        )
        ref = [spec.learning_rate(c) for c in range(steps)]
        with jax.enable_x64(True):
            sched = optax_helper.make_schedule(spec)
            ox = [float(sched(c)) for c in range(steps)]
        p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
        t = torch_helper.make_torch_nadamw(spec, [p])
        used = []
        for _ in range(steps):
            p.grad = torch.zeros(1, dtype=torch.float64)
            used.append(t.step())
        # Every step: the torch scheduler uses the float64 reference exactly, optax to rounding.
        assert used == ref
        np.testing.assert_allclose(ox, ref, rtol=1e-12, atol=1e-20)
        for point in cfg["lr"]:
            c, lr = point["step"], point["lr"]
            assert ref[c] == pytest.approx(lr, rel=1e-12, abs=1e-20), f"{name} S={steps} point {cfg['point']} step {c}"
            checked += 1
    assert checked >= 5 * 4  # at least steps 0, 1, W, S/2, S-1 (some coincide for tiny S)
