/**
 * Step Law (Li et al. 2025, "Predictable Scale: Part I — Optimal Hyperparameter Scaling Law in Large
 * Language Model Pretraining", arXiv:2503.04715; github.com/step-law/steplaw @ 32a8f4cc):
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
 * They differ from the bootstrap means by up to ≈ 2 % in η* (the paper's closed-form law quotes these).
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

/**
 * The (N, D) box the law was fitted on (the dense grid: N from 2.147e8 to 1.074e9, D from 4e9 to 1e11), and the
 * tokens-per-parameter ratios D/N that box spans (4e9/1.1e9 ≈ 3.6 to 1e11/2e8 = 500).
 */
export const STEP_LAW_RANGE = { N: [2e8, 1.1e9], D: [4e9, 1e11], DPerN: [4e9 / 1.1e9, 1e11 / 2e8] } as const;

/**
 * The mixture-of-experts runs of the Step Law data: every model had about 2.15e9 total parameters (taken as
 * [2.0e9, 2.3e9]), active non-embedding parameters from 1.88e8 to 1.24e9, and D from 2e9 to 2e10 tokens.
 * The paper claims the dense law transfers across sparsity; only this slice of it was measured.
 */
export const STEP_LAW_MOE_RANGE = {
  totalN: [2.0e9, 2.3e9],
  activeN: [1.88e8, 1.24e9],
  D: [2e9, 2e10],
} as const;

/** A Step Law recommendation. */
export interface StepLawRecommendation {
  learningRate: number;
  batchTokens: number;
  /** batchTokens / seqLen (not rounded). */
  batchSequences: number;
  seqLen: number;
  /** D/N, tokens per (active) parameter. */
  tokensPerParam: number;
  /** Mixture of experts: the total parameter count given, else null. */
  moeTotalParams: number | null;
  inRange: boolean;
  warnings: string[];
  provenance: string;
}

/**
 * Peak learning rate η* = e^a·N^b·D^c and batch size B* = e^d·D^e tokens (÷ seqLen, default 2048, for
 * sequences). N, D must be positive and finite.
 *
 * Warnings (the recommendation is still returned; `inRange` is false): N or D outside the dense box
 * ({@link STEP_LAW_RANGE}), and D/N outside the ratios that box spans. For a mixture-of-experts model pass
 * `moeTotalParams` (total parameters) and N = the active non-embedding parameters; the model is then checked
 * against the MoE runs instead ({@link STEP_LAW_MOE_RANGE}: total parameters, active N and D).
 */
export function stepLaw(
  nonEmbeddingParams: number,
  tokens: number,
  seqLen = 2048,
  coefficients: StepLawCoefficients = "bootstrap-mean",
  options: { moeTotalParams?: number } = {},
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
  const moe = options.moeTotalParams;
  if (moe !== undefined) {
    requireFinite("moeTotalParams", moe);
    if (!(moe >= N))
      throw new InvalidArgumentError(
        "moeTotalParams",
        `the total parameter count (${moe}) must be at least the active non-embedding count N (${N})`,
      );
  }
  const warnings: string[] = [];
  const e = (x: number) => x.toExponential(3);
  const outside = (what: string, x: number, [lo, hi]: readonly [number, number], of: string) => {
    if (x < lo || x > hi)
      warnings.push(
        `${what} = ${e(x)} is outside the ${of} [${lo.toExponential(2)}, ${hi.toExponential(2)}]: extrapolation`,
      );
  };
  if (moe === undefined) {
    outside("N", N, STEP_LAW_RANGE.N, "fitted range");
    outside("D", D, STEP_LAW_RANGE.D, "fitted range");
    const r = STEP_LAW_RANGE.DPerN;
    if (D / N < r[0] || D / N > r[1])
      warnings.push(
        `D/N = ${(D / N).toPrecision(4)} tokens per parameter is outside the ratios of the fitted grid [${r[0].toPrecision(3)}, ${r[1].toPrecision(3)}]: ${D / N > r[1] ? "more over-trained" : "fewer tokens per parameter"} than any fitted run`,
      );
  } else {
    outside("total parameters", moe, STEP_LAW_MOE_RANGE.totalN, "MoE runs' range (all about 2.15e9)");
    outside("active N", N, STEP_LAW_MOE_RANGE.activeN, "MoE runs' range");
    outside("D", D, STEP_LAW_MOE_RANGE.D, "MoE runs' range");
  }
  return {
    learningRate,
    batchTokens,
    batchSequences: batchTokens / seqLen,
    seqLen,
    tokensPerParam: D / N,
    moeTotalParams: moe ?? null,
    inRange: warnings.length === 0,
    warnings,
    provenance:
      coefficients === "paper-rounded"
        ? "Step Law, arXiv:2503.04715, rounded constants 1.79, −0.713, 0.307; 0.58, 0.571"
        : "Step Law, arXiv:2503.04715; mean of 1000 bootstrap fits in step-law/steplaw@32a8f4cc data/1004_fitted_lr_bs_scaling_model_parameters.csv",
  };
}
