"""optax and PyTorch NAdamW helpers against the spec's test vectors (algorithms.md §1.5, §2.3), an
independent NumPy reference, and each other (50 steps on a fixed problem, 1e-5 relative)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nadamw_reference import fixed_problem, nadamw_reference
from nadir_worker.config import ConfigError, NadamwSpec, OptimizerSpec, ScheduleKind, ScheduleSpec, Variant, schedule_value

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402
import torch  # noqa: E402

from nadir_worker import optax_helper, torch_helper  # noqa: E402

# algorithms.md §1.5: theta0 = 1, grads [0.5, -0.3, 0.2], lr 0.1 constant, b1 .9, b2 .999, eps 1e-8, wd .01.
SPEC_GRADS = [0.5, -0.3, 0.2]
SPEC_VECTORS = {
    Variant.OPTAX: [0.8516315818947368, 0.8769961013630316, 0.8307369646763771],
    Variant.ALGOPERF: [0.8090000037999999, 0.8292557871602472, 0.7764160889024215],
}


def constant_spec(variant: Variant, lr: float = 0.1, wd: float = 0.01) -> OptimizerSpec:
    return OptimizerSpec(
        nadamw=NadamwSpec(learning_rate=lr, beta1=0.9, beta2=0.999, epsilon=1e-8, weight_decay=wd, variant=variant),
        schedule=ScheduleSpec(kind=ScheduleKind.CONSTANT),
    )


def cosine_spec(variant: Variant, clip: float | None = None, total: int = 50, warmup: int = 5) -> OptimizerSpec:
    return OptimizerSpec(
        nadamw=NadamwSpec(learning_rate=0.02, beta1=0.95, beta2=0.99, epsilon=1e-8, weight_decay=0.05, variant=variant),
        schedule=ScheduleSpec(kind=ScheduleKind.WARMUP_COSINE, warmup_steps=warmup, total_steps=total),
        grad_clip_norm=clip,
    )


@pytest.mark.parametrize("variant", [Variant.OPTAX, Variant.ALGOPERF])
def test_spec_vectors_reference_optax_torch(variant: Variant) -> None:
    expected = SPEC_VECTORS[variant]
    ref = nadamw_reference(np.array([1.0]), [np.array([g]) for g in SPEC_GRADS], [0.1] * 3, b1=0.9, b2=0.999, eps=1e-8, wd=0.01, variant=variant.value)
    np.testing.assert_allclose([r[0] for r in ref], expected, rtol=1e-14)

    spec = constant_spec(variant)
    with jax.enable_x64(True):
        tx = optax_helper.make_optimizer(spec)
        p = jnp.array([1.0], dtype=jnp.float64)
        state = tx.init(p)
        got = []
        for g in SPEC_GRADS:
            upd, state = tx.update(jnp.array([g], dtype=jnp.float64), state, p)
            p = optax.apply_updates(p, upd)
            got.append(float(p[0]))
    np.testing.assert_allclose(got, expected, rtol=1e-13)

    for force_custom in (False, True):
        w = torch.nn.Parameter(torch.tensor([1.0], dtype=torch.float64))
        opt = torch_helper.make_torch_nadamw(spec, [w], force_custom=force_custom)
        got_t = []
        for g in SPEC_GRADS:
            w.grad = torch.tensor([g], dtype=torch.float64)
            opt.step()
            got_t.append(float(w.detach()[0]))
        # torch.optim.NAdam keeps mu_product (b1^t) as a float32 scalar (torch's _get_scalar_dtype), so
        # the built-in path is float32-exact only; our NAdamW is float64 throughout.
        builtin = variant is Variant.OPTAX and not force_custom
        np.testing.assert_allclose(got_t, expected, rtol=1e-7 if builtin else 1e-13)


def test_optax_variant_equals_optax_nadamw() -> None:
    """Our chain for the optax variant is optax.nadamw itself (same updates, bit for bit in float64)."""
    spec = constant_spec(Variant.OPTAX)
    with jax.enable_x64(True):
        ours, theirs = optax_helper.make_optimizer(spec), optax.nadamw(0.1, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.01)
        p1 = p2 = jnp.array([1.0, -2.0], dtype=jnp.float64)
        s1, s2 = ours.init(p1), theirs.init(p2)
        for g in SPEC_GRADS:
            gv = jnp.array([g, -g], dtype=jnp.float64)
            u1, s1 = ours.update(gv, s1, p1)
            u2, s2 = theirs.update(gv, s2, p2)
            p1, p2 = optax.apply_updates(p1, u1), optax.apply_updates(p2, u2)
        assert np.array_equal(np.asarray(p1), np.asarray(p2))


def run_optax(spec: OptimizerSpec, prob: dict[str, np.ndarray], steps: int, dtype: object) -> tuple[dict[str, np.ndarray], list[dict[str, np.ndarray]]]:
    x, y = jnp.asarray(prob["x"], dtype), jnp.asarray(prob["y"], dtype)
    params = {"w": jnp.asarray(prob["w"], dtype), "b": jnp.asarray(prob["b"], dtype)}

    def loss(p: dict[str, jax.Array]) -> jax.Array:
        return jnp.mean((jnp.tanh(x @ p["w"] + p["b"]) - y) ** 2)

    tx = optax_helper.make_optimizer(spec)
    state = tx.init(params)
    grads_seen = []
    for _ in range(steps):
        g = jax.grad(loss)(params)
        grads_seen.append({k: np.asarray(v, np.float64) for k, v in g.items()})
        upd, state = tx.update(g, state, params)
        params = optax.apply_updates(params, upd)
    return {k: np.asarray(v, np.float64) for k, v in params.items()}, grads_seen


def run_torch(spec: OptimizerSpec, prob: dict[str, np.ndarray], steps: int, dtype: torch.dtype, force_custom: bool = False) -> tuple[dict[str, np.ndarray], list[float]]:
    x, y = torch.tensor(prob["x"], dtype=dtype), torch.tensor(prob["y"], dtype=dtype)
    w = torch.nn.Parameter(torch.tensor(prob["w"], dtype=dtype))
    b = torch.nn.Parameter(torch.tensor(prob["b"], dtype=dtype))
    opt = torch_helper.make_torch_nadamw(spec, [w, b], force_custom=force_custom)
    used = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.mean((torch.tanh(x @ w + b) - y) ** 2)
        loss.backward()
        used.append(opt.step())
    return {"w": w.detach().double().numpy(), "b": b.detach().double().numpy()}, used


def max_rel(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> float:
    """Largest elementwise relative difference |a - b| / |b|."""
    return max(float(np.max(np.abs(a[k] - b[k]) / np.maximum(np.abs(b[k]), 1e-12))) for k in a)


def max_scaled(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> float:
    """Largest |a - b| relative to the tensor's scale max|b| (float32 rounding noise is absolute, so an
    entry that happens to sit near 0 would make an elementwise ratio meaningless)."""
    return max(float(np.max(np.abs(a[k] - b[k])) / np.max(np.abs(b[k]))) for k in a)


@pytest.mark.parametrize("variant", [Variant.OPTAX, Variant.ALGOPERF])
@pytest.mark.parametrize("clip", [None, 0.05])
def test_optax_and_torch_agree_after_50_steps(variant: Variant, clip: float | None) -> None:
    """The acceptance check: same parameters after 50 steps to 1e-5 relative: in float32 relative to each
    tensor's scale (measured ~1e-6), in float64 elementwise; and the float64 optax run equals the
    NumPy reference fed with the same gradients (1e-5: optax computes its bias factors in float32)."""
    spec = cosine_spec(variant, clip)
    prob = fixed_problem()
    steps = 50
    p_jax32, _ = run_optax(spec, prob, steps, jnp.float32)
    for force_custom in ((False, True) if variant is Variant.OPTAX else (True,)):
        p_torch32, used = run_torch(spec, prob, steps, torch.float32, force_custom)
        rel = max_scaled(p_torch32, p_jax32)
        assert rel < 1e-5, f"optax vs torch (float32) after {steps} steps: max scaled difference {rel:.3e}"
        assert used == [schedule_value(spec.schedule, spec.nadamw.learning_rate, c) for c in range(steps)]
    # Parameters must have moved a lot, or the comparison above says nothing.
    assert max_rel(p_jax32, {k: prob[k] for k in ("w", "b")}) > 1e-2

    with jax.enable_x64(True):
        p_jax64, grads = run_optax(spec, prob, steps, jnp.float64)
    p_torch64, _ = run_torch(spec, prob, steps, torch.float64, force_custom=True)
    # optax computes the bias factors 1 - b^count from its int32 counter in float32 even under x64
    # (algorithms.md §1.1), so float64 runs agree to float32 precision, not 1e-10.
    assert max_rel(p_torch64, p_jax64) < 1e-5  # elementwise (measured up to 1.8e-6)
    # Reference: feed optax's own (pre-clip) gradients through the spec formulas.
    theta = np.concatenate([prob["w"].ravel(), prob["b"]])
    flat = []
    for g in grads:
        v = np.concatenate([g["w"].ravel(), g["b"]])
        if clip is not None:
            v = v * min(1.0, max(0.0, clip / (np.linalg.norm(v) + 1e-6)))
        flat.append(v)
    lrs = [schedule_value(spec.schedule, spec.nadamw.learning_rate, c) for c in range(steps)]
    ref = nadamw_reference(theta, flat, lrs, b1=0.95, b2=0.99, eps=1e-8, wd=0.05, variant=variant.value)[-1]
    got = np.concatenate([p_jax64["w"].ravel(), p_jax64["b"]])
    np.testing.assert_allclose(got, ref, rtol=1e-5)


def test_schedule_closed_form_values() -> None:
    """algorithms.md §2.3: eta 1e-3, f 0.05, S 1000 -> W 50; lr(0)=0, lr(25)=5e-4, lr(50)=1e-3,
    lr(525)=5e-4, lr(1000)=0; optax schedule and torch scheduler give the same rates at every step."""
    spec = OptimizerSpec(
        nadamw=NadamwSpec(learning_rate=1e-3, beta1=0.9, beta2=0.999),
        schedule=ScheduleSpec(kind=ScheduleKind.WARMUP_COSINE, warmup_steps=50, total_steps=1000, warmup_fraction=0.05),
    )
    expected = {0: 0.0, 25: 5e-4, 50: 1e-3, 525: 5e-4, 1000: 0.0}
    for c, v in expected.items():
        assert spec.learning_rate(c) == pytest.approx(v, abs=1e-18, rel=1e-12)
    with jax.enable_x64(True):
        sched = optax_helper.make_schedule(spec)
        ox = [float(sched(c)) for c in range(1001)]
    ref = [spec.learning_rate(c) for c in range(1001)]
    np.testing.assert_allclose(ox, ref, rtol=1e-12, atol=1e-18)
    w = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    t = torch_helper.make_torch_nadamw(spec, [w])
    used = []
    for _ in range(1001):
        w.grad = torch.zeros(1, dtype=torch.float64)
        used.append(t.step())
    assert used == ref


def test_linear_decay_and_constant_schedules() -> None:
    lin = ScheduleSpec(kind=ScheduleKind.WARMUP_LINEAR, warmup_steps=10, total_steps=110, init_value=1e-4, end_value=1e-5)
    assert schedule_value(lin, 1e-3, 0) == 1e-4
    assert schedule_value(lin, 1e-3, 5) == pytest.approx(1e-4 + 0.5 * 9e-4, rel=1e-14)
    assert schedule_value(lin, 1e-3, 60) == pytest.approx(1e-3 + 0.5 * (1e-5 - 1e-3), rel=1e-14)
    assert schedule_value(lin, 1e-3, 500) == pytest.approx(1e-5, rel=1e-14)
    spec = OptimizerSpec(nadamw=NadamwSpec(learning_rate=1e-3, beta1=0.9, beta2=0.999), schedule=lin)
    with jax.enable_x64(True):
        sched = optax_helper.make_schedule(spec)
        np.testing.assert_allclose([float(sched(c)) for c in range(200)], [spec.learning_rate(c) for c in range(200)], rtol=1e-12)
    const = ScheduleSpec(kind=ScheduleKind.CONSTANT)
    assert schedule_value(const, 3e-4, 12345) == 3e-4


def test_proto_roundtrip_and_validation() -> None:
    spec = cosine_spec(Variant.ALGOPERF, clip=1.0)
    assert OptimizerSpec.from_proto(spec.to_proto()) == spec
    with pytest.raises(ConfigError, match="beta1 must be in"):
        NadamwSpec(learning_rate=1e-3, beta1=1.0, beta2=0.9)
    with pytest.raises(ConfigError, match="must exceed warmup_steps"):
        ScheduleSpec(kind=ScheduleKind.WARMUP_COSINE, warmup_steps=10, total_steps=10)
    with pytest.raises(ConfigError, match="learning_rate must be a finite"):
        NadamwSpec(learning_rate=math.nan, beta1=0.9, beta2=0.9)
    from nadir_worker.gen import optimizer_pb2

    with pytest.raises(ConfigError, match="no nadamw member"):
        OptimizerSpec.from_proto(optimizer_pb2.OptimizerConfig())
    with pytest.raises(ConfigError, match="decay_all_parameters=True"):
        optax_helper.make_optimizer(spec, mask=lambda p: p)


def test_warmup_rounding() -> None:
    from nadir_worker.config import warmup_steps_for

    # 0.05 * 30 = 1.5000000000000002 in float64: floor -> 1, round -> 2 (AlgoPerf vs init2winit differ).
    assert warmup_steps_for(0.05, 30, "floor") == 1
    assert warmup_steps_for(0.05, 30, "round") == 2
    assert warmup_steps_for(0.1, 1000) == 100
