/**
 * Reference NAdamW update rules on a scalar parameter, written from Dozat 2016 (NAdam) and Loshchilov & Hutter 2019 (AdamW) as the
 * libraries implement them (optax
 * `_src/transform.py::scale_by_adam(nesterov=True)` + `add_decayed_weights` + `scale_by_learning_rate`;
 * AlgoPerf/init2winit `scale_by_nadam`; PyTorch `torch.optim.NAdam` with decoupled weight decay). They exist
 * to pin down, with test vectors, how the optax and PyTorch configurations that `materialize` (`@nadir/core`) emits
 * relate, and where the AlgoPerf variant differs.
 *
 * @module @nadir/core/nadamw
 */
import { InvalidArgumentError, requireFinite } from "./errors.js";

/** Which update rule. */
export type NadamwRule = "optax" | "algoperf" | "adamw" | "torch_nadam";

/** Hyperparameters of one simulated run. */
export interface NadamwSimulation {
  theta0: number;
  grads: readonly number[];
  /** Learning rate of update k (1-based) is lr(k − 1) (optax schedule counter). */
  lr: (c: number) => number;
  b1: number;
  b2: number;
  eps: number;
  /** Inside the sqrt (optax eps_root), default 0. */
  epsRoot?: number;
  weightDecay: number;
  /** torch_nadam only: momentum_decay ψ (torch default 4e-3; 1e9 reproduces optax). */
  momentumDecay?: number;
}

/**
 * Runs the rule on θ and returns θ_1 … θ_T. Per step t (1-based), m_t = β1 m + (1−β1) g, v_t = β2 v + (1−β2) g², and
 * - optax:    m̂ = β1 m_t/(1 − β1^(t+1)) + (1−β1) g/(1 − β1^t); θ ← θ − α(m̂/(√(v_t/(1−β2^t) + ε_r) + ε) + λθ)
 * - algoperf: m̂ = (β1 m_t + (1−β1) g)/(1 − β1^t), otherwise as optax (AlgoPerf/init2winit scale_by_nadam)
 * - adamw:    m̂ = m_t/(1 − β1^t) (optax adamw, nesterov=False)
 * - torch_nadam (decoupled): θ ← θ(1 − αλ); μ_t = β1(1 − ½·0.96^(tψ)), P_t = Π μ_i;
 *   θ ← θ − α(1−μ_t)/(1−P_t)·g/d − α μ_{t+1}/(1 − P_t μ_{t+1})·m_t/d with d = √(v_t/(1−β2^t)) + ε.
 */
export function simulateNadamw(rule: NadamwRule, p: NadamwSimulation): number[] {
  requireFinite("theta0", p.theta0);
  for (const [k, v] of [
    ["b1", p.b1],
    ["b2", p.b2],
  ] as const) {
    requireFinite(k, v);
    if (!(v >= 0 && v < 1)) throw new InvalidArgumentError(k, `expected a value in [0, 1), got ${v}`);
  }
  requireFinite("eps", p.eps);
  requireFinite("weightDecay", p.weightDecay);
  const epsRoot = p.epsRoot ?? 0;
  const psi = p.momentumDecay ?? 4e-3;
  let theta = p.theta0;
  let m = 0;
  let v = 0;
  let muProduct = 1;
  const out: number[] = [];
  p.grads.forEach((g, i) => {
    requireFinite(`grads[${i}]`, g);
    const t = i + 1;
    const alpha = p.lr(i);
    if (rule === "torch_nadam") {
      theta *= 1 - alpha * p.weightDecay;
      const mu = p.b1 * (1 - 0.5 * 0.96 ** (t * psi));
      const muNext = p.b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi));
      muProduct *= mu;
      m = p.b1 * m + (1 - p.b1) * g;
      v = p.b2 * v + (1 - p.b2) * g * g;
      const denom = Math.sqrt(v / (1 - p.b2 ** t)) + p.eps;
      theta -= ((alpha * (1 - mu)) / (1 - muProduct)) * (g / denom);
      theta -= ((alpha * muNext) / (1 - muProduct * muNext)) * (m / denom);
      out.push(theta);
      return;
    }
    m = p.b1 * m + (1 - p.b1) * g;
    v = p.b2 * v + (1 - p.b2) * g * g;
    let mHat: number;
    if (rule === "optax") mHat = (p.b1 * m) / (1 - p.b1 ** (t + 1)) + ((1 - p.b1) * g) / (1 - p.b1 ** t);
    else if (rule === "algoperf") mHat = (p.b1 * m + (1 - p.b1) * g) / (1 - p.b1 ** t);
    else if (rule === "adamw") mHat = m / (1 - p.b1 ** t);
    else throw new InvalidArgumentError("rule", `unknown rule ${String(rule)}`);
    const vHat = v / (1 - p.b2 ** t);
    const u = mHat / (Math.sqrt(vHat + epsRoot) + p.eps) + p.weightDecay * theta;
    theta = theta + -alpha * u;
    out.push(theta);
  });
  return out;
}
