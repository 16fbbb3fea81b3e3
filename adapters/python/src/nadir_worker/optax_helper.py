"""optax materialisation of a trial's NAdamW configuration (extra ``nadir-worker[jax]``).

The chain is exactly the one ``optax.nadamw`` builds (Dozat 2016; Loshchilov & Hutter 2019) plus the AlgoPerf pieces:

    [clip_by_global_norm_algoperf]  ->  scale_by_(nadam|adam nesterov)  ->  add_decayed_weights(wd, mask)
    ->  scale_by_learning_rate(schedule)

so ``theta_t = theta_{t-1} - lr(t-1) * (m_hat_t / (sqrt(v_hat_t + eps_root) + eps) + wd * theta_{t-1})``.
For ``Variant.OPTAX`` ``m_hat`` is optax's ``b1*m_t/(1-b1^(t+1)) + (1-b1)*g_t/(1-b1^t)``; for
``Variant.ALGOPERF`` it is ``(b1*m_t + (1-b1)*g_t)/(1-b1^t)`` (init2winit ``scale_by_nadam``, §1.2).
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

try:
    import jax
    import jax.numpy as jnp
    import optax
except ImportError as err:  # pragma: no cover - exercised only without the extra
    raise ImportError("nadir_worker.optax_helper needs the jax extra: pip install 'nadir-worker[jax]'") from err

from .config import ConfigError, OptimizerSpec, ScheduleKind, Variant

GRAD_CLIP_EPS = 1e-6
"""AlgoPerf's clip denominator guard: factor = clip(c / (||g||_2 + 1e-6), 0, 1)."""


def make_schedule(spec: OptimizerSpec) -> optax.Schedule:
    """The optax schedule for ``spec`` (absolute learning rates): ``warmup_cosine_decay_schedule(init, peak,
    W, T, end)``, the linear-decay analogue, or a constant. Counter ``c`` is used by update ``c + 1``."""
    s, peak = spec.schedule, spec.nadamw.learning_rate
    if s.kind is ScheduleKind.CONSTANT:
        return optax.constant_schedule(peak)
    if s.kind is ScheduleKind.WARMUP_COSINE:
        return optax.warmup_cosine_decay_schedule(
            init_value=s.init_value, peak_value=peak, warmup_steps=s.warmup_steps, decay_steps=s.total_steps, end_value=s.end_value
        )
    return optax.join_schedules(
        [
            optax.linear_schedule(s.init_value, peak, s.warmup_steps),
            optax.linear_schedule(peak, s.end_value, s.total_steps - s.warmup_steps),
        ],
        [s.warmup_steps],
    )


class ClipState(NamedTuple):
    """Stateless transform state."""


def clip_by_global_norm_algoperf(max_norm: float) -> optax.GradientTransformation:
    """Scales every gradient leaf by ``min(1, max(0, max_norm / (||g||_2 + 1e-6)))`` with ``||g||_2`` the
    global L2 norm over all leaves (AlgoPerf ``grad_clip``, Dahl et al. 2023, arXiv:2306.07179)."""
    if not max_norm > 0:
        raise ConfigError(f"max_norm must be > 0, got {max_norm}")

    def init_fn(params: Any) -> ClipState:
        del params
        return ClipState()

    def update_fn(updates: Any, state: ClipState, params: Any = None) -> tuple[Any, ClipState]:
        del params
        norm = optax.tree.norm(updates)
        factor = jnp.clip(max_norm / (norm + GRAD_CLIP_EPS), 0.0, 1.0)
        return jax.tree.map(lambda g: (g * factor).astype(g.dtype), updates), state

    return optax.GradientTransformation(init_fn, update_fn)


def scale_by_nadam_algoperf(b1: float, b2: float, eps: float, eps_root: float = 0.0) -> optax.GradientTransformation:
    """AlgoPerf / init2winit ``scale_by_nadam`` (Dozat 2016 with the bias correction of AlgoPerf,
    arXiv:2306.07179): ``m_t = b1 m + (1-b1) g``,
    ``v_t = b2 v + (1-b2) g^2``, ``m_hat = (b1 m_t + (1-b1) g)/(1-b1^t)``, ``v_hat = v_t/(1-b2^t)``,
    update ``m_hat / (sqrt(v_hat + eps_root) + eps)``. State is optax's ``ScaleByAdamState``."""

    def init_fn(params: Any) -> optax.ScaleByAdamState:
        mu = jax.tree.map(jnp.zeros_like, params)
        nu = jax.tree.map(jnp.zeros_like, params)
        return optax.ScaleByAdamState(count=jnp.zeros([], jnp.int32), mu=mu, nu=nu)

    def update_fn(updates: Any, state: optax.ScaleByAdamState, params: Any = None) -> tuple[Any, optax.ScaleByAdamState]:
        del params
        mu = jax.tree.map(lambda g, m: b1 * m + (1 - b1) * g, updates, state.mu)
        nu = jax.tree.map(lambda g, v: b2 * v + (1 - b2) * (g * g), updates, state.nu)
        count = optax.safe_increment(state.count)
        c = count.astype(jnp.float32) if not jax.config.jax_enable_x64 else count.astype(jnp.float64)
        bc1 = 1 - b1**c
        bc2 = 1 - b2**c
        out = jax.tree.map(
            lambda g, m, v: (((b1 * m + (1 - b1) * g) / bc1.astype(m.dtype)) / (jnp.sqrt(v / bc2.astype(v.dtype) + eps_root) + eps)).astype(g.dtype),
            updates,
            mu,
            nu,
        )
        return out, optax.ScaleByAdamState(count=count, mu=mu, nu=nu)

    return optax.GradientTransformation(init_fn, update_fn)


def make_optimizer(spec: OptimizerSpec, *, mask: Any | Callable[[Any], Any] | None = None) -> optax.GradientTransformation:
    """The optax optimizer for ``spec``: optional AlgoPerf clipping, then NAdamW of ``spec.nadamw.variant``
    with decoupled weight decay times the full scheduled learning rate (module docstring).

    ``mask`` (a pytree of booleans or a callable, as in ``optax.add_decayed_weights``) selects the leaves
    that get weight decay; it is only allowed when ``decay_all_parameters`` is False, because the
    AlgoPerf lists were tuned with every parameter decayed."""
    n = spec.nadamw
    if n.decay_all_parameters and mask is not None:
        raise ConfigError("this trial's config says decay_all_parameters=True; a weight-decay mask would change the tuned optimizer")
    parts: list[optax.GradientTransformation] = []
    if spec.grad_clip_norm is not None:
        parts.append(clip_by_global_norm_algoperf(spec.grad_clip_norm))
    if n.variant is Variant.OPTAX:
        parts.append(optax.scale_by_adam(b1=n.beta1, b2=n.beta2, eps=n.epsilon, eps_root=n.epsilon_root, nesterov=True))
    else:
        parts.append(scale_by_nadam_algoperf(n.beta1, n.beta2, n.epsilon, n.epsilon_root))
    parts.append(optax.add_decayed_weights(n.weight_decay, mask))
    parts.append(optax.scale_by_learning_rate(make_schedule(spec)))
    return optax.chain(*parts)


def learning_rates(spec: OptimizerSpec, steps: int) -> list[float]:
    """``[lr(0), ..., lr(steps - 1)]`` from the optax schedule: the rates of updates 1..steps."""
    sched = make_schedule(spec)
    return [float(sched(c)) for c in range(steps)]
