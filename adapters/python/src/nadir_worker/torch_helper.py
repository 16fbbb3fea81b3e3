"""PyTorch materialisation of a trial's NAdamW configuration, set up to match optax (extra
``nadir-worker[torch]``; Dozat 2016 "Incorporating Nesterov Momentum into Adam" as in optax ``nadamw``,
with Loshchilov & Hutter 2019 "Decoupled Weight Decay Regularization"; AlgoPerf warmup, Dahl et al. 2023,
arXiv:2306.07179).

* ``Variant.OPTAX``, ``epsilon_root = 0``: ``torch.optim.NAdam(lr, (b1, b2), eps, weight_decay,
  momentum_decay=1e9, decoupled_weight_decay=True)``. A huge ``momentum_decay`` makes
  ``0.96^(t*psi)`` underflow to 0, so ``mu_t = b1`` and ``P_t = b1^t``: the update becomes optax's
  ``m_hat = b1 m_t/(1-b1^(t+1)) + (1-b1) g_t/(1-b1^t)``; the decoupled decay ``theta*(1 - lr*wd)`` is
  optax's ``-lr*wd*theta`` (only the rounding order differs).
* ``Variant.ALGOPERF`` (or ``epsilon_root > 0``): :class:`NAdamW`, written here from §1.2
  (``m_hat = (b1 m_t + (1-b1) g_t)/(1-b1^t)``), without the AlgoPerf PyTorch port's in-place
  "restore m" step, which drifts numerically from the JAX version.
* Schedule: :class:`NadirLR` sets each group's ``lr`` to the absolute ``lr(c)`` of
  :func:`nadir_worker.config.schedule_value`; call ``scheduler.step()`` after ``optimizer.step()`` so
  update ``k`` uses ``lr(k-1)`` (the optax convention).
* Clipping: :func:`clip_grad_norm_algoperf` (``min(1, max(0, c/(||g||+1e-6)))``); :class:`TorchNadamw`
  runs clip -> step -> schedule in the right order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

try:
    import torch
    from torch.optim.lr_scheduler import LRScheduler
except ImportError as err:  # pragma: no cover - exercised only without the extra
    raise ImportError("nadir_worker.torch_helper needs the torch extra: pip install 'nadir-worker[torch]'") from err

from .config import ConfigError, OptimizerSpec, Variant, schedule_value

HUGE_MOMENTUM_DECAY = 1e9
"""psi for torch NAdam that turns its momentum schedule ``mu_t = b1 (1 - 0.5 * 0.96^(t psi))`` into
optax's constant b1."""
GRAD_CLIP_EPS = 1e-6


class NAdamW(torch.optim.Optimizer):
    """NAdamW with decoupled weight decay times the full learning rate, both Nesterov variants and
    ``eps_root`` (optax ``nadamw`` / AlgoPerf ``scale_by_nadam``). Per step t (1-based), per parameter:
    ``m = b1 m + (1-b1) g``; ``v = b2 v + (1-b2) g^2``;
    ``m_hat = b1 m/(1-b1^(t+1)) + (1-b1) g/(1-b1^t)`` (optax) or ``(b1 m + (1-b1) g)/(1-b1^t)`` (algoperf);
    ``theta -= lr * (m_hat / (sqrt(v/(1-b2^t) + eps_root) + eps) + wd * theta)``."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float,
        betas: tuple[float, float],
        eps: float = 1e-8,
        eps_root: float = 0.0,
        weight_decay: float = 0.0,
        variant: Variant = Variant.ALGOPERF,
    ) -> None:
        if not lr >= 0:
            raise ConfigError(f"lr must be >= 0, got {lr}")
        if not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise ConfigError(f"betas must be in [0, 1), got {betas}")
        if not isinstance(variant, Variant):
            raise ConfigError(f"variant must be a Variant, got {variant!r}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, eps_root=eps_root, weight_decay=weight_decay, variant=variant))

    @torch.no_grad()
    def step(self, closure: Any = None) -> Any:  # noqa: D102 - documented on the class
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            b1, b2 = group["betas"]
            lr, eps, eps_root, wd = group["lr"], group["eps"], group["eps_root"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                state["step"] += 1
                t = state["step"]
                m, v = state["exp_avg"], state["exp_avg_sq"]
                m.mul_(b1).add_(g, alpha=1 - b1)
                v.mul_(b2).addcmul_(g, g, value=1 - b2)
                if group["variant"] is Variant.OPTAX:
                    m_hat = m * (b1 / (1 - b1 ** (t + 1))) + g * ((1 - b1) / (1 - b1**t))
                else:
                    m_hat = (m * b1 + g * (1 - b1)) / (1 - b1**t)
                denom = (v / (1 - b2**t) + eps_root).sqrt_().add_(eps)
                update = m_hat / denom
                if wd != 0:
                    update.add_(p, alpha=wd)
                p.add_(update, alpha=-lr)
        return loss


class NadirLR(LRScheduler):
    """Sets every group's learning rate to the absolute scheduled value ``lr(c)`` (``c`` =
    ``last_epoch``), computed in float64 by :func:`nadir_worker.config.schedule_value`. Construction sets
    ``lr(0)``; each ``step()`` after ``optimizer.step()`` advances ``c``."""

    def __init__(self, optimizer: torch.optim.Optimizer, spec: OptimizerSpec, last_epoch: int = -1) -> None:
        self.spec = spec
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:  # noqa: D102
        lr = schedule_value(self.spec.schedule, self.spec.nadamw.learning_rate, max(self.last_epoch, 0))
        return [lr for _ in self.optimizer.param_groups]


def clip_grad_norm_algoperf(params: Iterable[torch.nn.Parameter], max_norm: float) -> torch.Tensor:
    """Multiplies every gradient by ``min(1, max(0, max_norm/(||g||_2 + 1e-6)))`` with the global L2 norm
    over all gradients (AlgoPerf ``grad_clip``); returns the norm before clipping."""
    if not max_norm > 0:
        raise ConfigError(f"max_norm must be > 0, got {max_norm}")
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
    factor = torch.clamp(max_norm / (norm + GRAD_CLIP_EPS), 0.0, 1.0)
    for g in grads:
        g.mul_(factor.to(g.dtype))
    return norm


def make_optimizer(
    spec: OptimizerSpec, params: Iterable[Any], *, no_decay: Iterable[torch.nn.Parameter] = (), force_custom: bool = False
) -> torch.optim.Optimizer:
    """The torch optimizer for ``spec`` with ``lr = lr(0)`` (attach :class:`NadirLR` to follow the
    schedule). ``no_decay`` lists parameters excluded from weight decay, only allowed when
    ``decay_all_parameters`` is False. ``force_custom`` uses :class:`NAdamW` even for the optax variant."""
    n = spec.nadamw
    params = list(params)
    excluded = list(no_decay)
    if excluded and n.decay_all_parameters:
        raise ConfigError("this trial's config says decay_all_parameters=True; excluding parameters from decay would change the tuned optimizer")
    if excluded:
        ids = {id(p) for p in excluded}
        groups: list[dict[str, Any]] = [
            {"params": [p for p in params if id(p) not in ids]},
            {"params": [p for p in params if id(p) in ids], "weight_decay": 0.0},
        ]
    else:
        groups = [{"params": params}]
    lr0 = schedule_value(spec.schedule, n.learning_rate, 0)
    if n.variant is Variant.OPTAX and n.epsilon_root == 0 and not force_custom:
        return torch.optim.NAdam(
            groups,
            lr=lr0,
            betas=(n.beta1, n.beta2),
            eps=n.epsilon,
            weight_decay=n.weight_decay,
            momentum_decay=HUGE_MOMENTUM_DECAY,
            decoupled_weight_decay=True,
        )
    return NAdamW(groups, lr=lr0, betas=(n.beta1, n.beta2), eps=n.epsilon, eps_root=n.epsilon_root, weight_decay=n.weight_decay, variant=n.variant)


@dataclass
class TorchNadamw:
    """Optimizer, scheduler and clipping for one trial. Call :meth:`step` after ``loss.backward()``:
    it clips (when the config says so), steps the optimizer, advances the schedule and returns the
    learning rate the update used."""

    optimizer: torch.optim.Optimizer
    scheduler: NadirLR
    spec: OptimizerSpec
    params: list[torch.nn.Parameter]

    def step(self) -> float:
        """One update: clip -> optimizer.step() -> scheduler.step(); returns the rate used."""
        if self.spec.grad_clip_norm is not None:
            clip_grad_norm_algoperf(self.params, self.spec.grad_clip_norm)
        used = float(self.optimizer.param_groups[0]["lr"])
        self.optimizer.step()
        self.scheduler.step()
        return used

    def zero_grad(self) -> None:
        """``optimizer.zero_grad(set_to_none=True)``."""
        self.optimizer.zero_grad(set_to_none=True)


def make_torch_nadamw(spec: OptimizerSpec, params: Iterable[Any], **kwargs: Any) -> TorchNadamw:
    """Builds :class:`TorchNadamw` (optimizer from :func:`make_optimizer`, :class:`NadirLR` schedule)."""
    params = list(params)
    opt = make_optimizer(spec, params, **kwargs)
    return TorchNadamw(optimizer=opt, scheduler=NadirLR(opt, spec), spec=spec, params=params)
