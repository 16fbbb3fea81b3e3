/**
 * Step Law (Li et al. 2025, "Predictable Scale: Part I — Optimal Hyperparameter Scaling Law in Large
 * Language Model Pretraining", arXiv:2503.04715; github.com/step-law/steplaw @ 32a8f4cc, algorithms.md §5):
 *   η*(N, D) = exp(a) · N^b · D^c,  B*(D) = exp(d) · D^e  (B* in tokens)
 * with the mean of 1000 bootstrap fits (`data/1004_fitted_lr_bs_scaling_model_parameters.csv`):
 * a = 0.586308 (e^a ≈ 1.7973), b = −0.712922, c = 0.307491, d = −0.543542 (e^d ≈ 0.5807), e = 0.570944.
 * N = non-embedding parameters, D = training tokens. Fitted on N ∈ [2e8, 1.1e9], D ∈ [4e9, 1e11];
 * outside that box the law is extrapolated and a warning is returned.
 */
import { InvalidArgumentError, requireFinite } from "./errors.js";

/** Mean bootstrap coefficients (see module doc). */
export const STEP_LAW_COEFFICIENTS = {
  lrIntercept: 0.586308,
  lrCoefN: -0.712922,
  lrCoefD: 0.307491,
  bsIntercept: -0.543542,
  bsCoefD: 0.570944,
} as const;

/**
 * The rounded constants as the paper states them: η* = 1.79·N^−0.713·D^0.307, B* = 0.58·D^0.571.
 * They differ from the bootstrap means by up to ≈ 2 % in η* (algorithms.md's §5.2 table uses these).
 */
export const STEP_LAW_PAPER_COEFFICIENTS = {
  lrIntercept: Math.log(1.79),
  lrCoefN: -0.713,
  lrCoefD: 0.307,
  bsIntercept: Math.log(0.58),
  bsCoefD: 0.571,
} as const;

/** Which constants: the bootstrap means (default, what the step-law tool uses) or the paper's rounded ones. */
export type StepLawCoefficients = "bootstrap-mean" | "paper-rounded";

/** The (N, D) box the law was fitted on (dense grid, §5.2). */
export const STEP_LAW_RANGE = { N: [2e8, 1.1e9], D: [4e9, 1e11] } as const;

/** A Step Law recommendation. */
export interface StepLawRecommendation {
  learningRate: number;
  batchTokens: number;
  /** batchTokens / seqLen (not rounded). */
  batchSequences: number;
  seqLen: number;
  inRange: boolean;
  warnings: string[];
  provenance: string;
}

/**
 * Peak learning rate η* = e^a·N^b·D^c and batch size B* = e^d·D^e tokens (÷ seqLen, default 2048, for
 * sequences). N, D must be positive and finite.
 */
export function stepLaw(
  nonEmbeddingParams: number,
  tokens: number,
  seqLen = 2048,
  coefficients: StepLawCoefficients = "bootstrap-mean",
): StepLawRecommendation {
  const N = requireFinite("N", nonEmbeddingParams);
  const D = requireFinite("D", tokens);
  requireFinite("seqLen", seqLen);
  if (!(N > 0)) throw new InvalidArgumentError("N", `expected a positive parameter count, got ${N}`);
  if (!(D > 0)) throw new InvalidArgumentError("D", `expected a positive token count, got ${D}`);
  if (!(seqLen > 0))
    throw new InvalidArgumentError("seqLen", `expected a positive sequence length, got ${seqLen}`);
  if (coefficients !== "bootstrap-mean" && coefficients !== "paper-rounded") {
    throw new InvalidArgumentError(
      "coefficients",
      `expected bootstrap-mean or paper-rounded, got ${String(coefficients)}`,
    );
  }
  const k = coefficients === "bootstrap-mean" ? STEP_LAW_COEFFICIENTS : STEP_LAW_PAPER_COEFFICIENTS;
  const learningRate = Math.exp(k.lrIntercept + k.lrCoefN * Math.log(N) + k.lrCoefD * Math.log(D));
  const batchTokens = Math.exp(k.bsIntercept + k.bsCoefD * Math.log(D));
  const warnings: string[] = [];
  const [n0, n1] = STEP_LAW_RANGE.N;
  const [d0, d1] = STEP_LAW_RANGE.D;
  if (N < n0 || N > n1)
    warnings.push(
      `N = ${N.toExponential(3)} is outside the fitted range [${n0.toExponential(1)}, ${n1.toExponential(1)}]: extrapolation`,
    );
  if (D < d0 || D > d1)
    warnings.push(
      `D = ${D.toExponential(3)} is outside the fitted range [${d0.toExponential(1)}, ${d1.toExponential(1)}]: extrapolation`,
    );
  return {
    learningRate,
    batchTokens,
    batchSequences: batchTokens / seqLen,
    seqLen,
    inRange: warnings.length === 0,
    warnings,
    provenance:
      coefficients === "paper-rounded"
        ? "Step Law, arXiv:2503.04715, rounded constants 1.79, −0.713, 0.307; 0.58, 0.571"
        : "Step Law, arXiv:2503.04715; mean of 1000 bootstrap fits in step-law/steplaw@32a8f4cc data/1004_fitted_lr_bs_scaling_model_parameters.csv",
  };
}
