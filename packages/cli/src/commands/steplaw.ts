import {
  parseStrictNumber,
  STEP_LAW_MOE_RANGE,
  STEP_LAW_RANGE,
  type StepLawCoefficients,
  stepLaw,
} from "@nadir/core";
import type { Command } from "commander";
import { exitCodeFor, usage } from "../errors.js";
import type { RegisterCommand } from "./index.js";

/** A positive number flag: a decimal literal such as 7e9 or 1400000000000 (core's strict number rule). */
function positive(flag: string, v: string): number {
  const x = parseStrictNumber(v);
  if (x === null) throw usage(`${flag} must be a number such as 7e9, got ${JSON.stringify(v)}`);
  if (!(x > 0)) throw usage(`${flag} must be positive, got ${v}`);
  return x;
}

/**
 * `nadir steplaw`: the Step Law recommendation (Li et al. 2025, arXiv:2503.04715) of peak learning rate
 * η* = e^a·N^b·D^c and batch size B* = e^d·D^e tokens, with warnings outside the fitted range.
 */
export const register: RegisterCommand = (program: Command, setExit) => {
  program
    .command("steplaw")
    .description(
      "Step Law (Li et al. 2025, arXiv:2503.04715): recommended peak learning rate and batch size for a dense (or MoE) LLM pretraining run",
    )
    .requiredOption("--params <N>", "non-embedding parameters (for an MoE model: the active ones)")
    .requiredOption("--tokens <D>", "training tokens")
    .option("--seq-len <L>", "sequence length, to express the batch in sequences", "2048")
    .option("--moe-total-params <T>", "mixture of experts: total parameters (checks the MoE runs' range)")
    .option("--coefficients <c>", "bootstrap-mean (the step-law tool's) | paper-rounded", "bootstrap-mean")
    .option("--json", "machine-readable output")
    .action(
      (flags: {
        params: string;
        tokens: string;
        seqLen: string;
        moeTotalParams?: string;
        coefficients: string;
        json?: boolean;
      }) => {
        try {
          const N = positive("--params", flags.params);
          const D = positive("--tokens", flags.tokens);
          const L = positive("--seq-len", flags.seqLen);
          if (!Number.isInteger(L)) throw usage(`--seq-len must be an integer, got ${flags.seqLen}`);
          if (flags.coefficients !== "bootstrap-mean" && flags.coefficients !== "paper-rounded")
            throw usage(
              `--coefficients must be one of bootstrap-mean, paper-rounded, got ${JSON.stringify(flags.coefficients)}`,
            );
          const opts: { moeTotalParams?: number } = {};
          if (flags.moeTotalParams !== undefined)
            opts.moeTotalParams = positive("--moe-total-params", flags.moeTotalParams);
          const r = stepLaw(N, D, L, flags.coefficients as StepLawCoefficients, opts);
          if (flags.json) {
            const doc = {
              params: N,
              tokens: D,
              seq_len: L,
              moe_total_params: r.moeTotalParams,
              coefficients: flags.coefficients,
              learning_rate: r.learningRate,
              batch_tokens: r.batchTokens,
              batch_sequences: r.batchSequences,
              tokens_per_param: r.tokensPerParam,
              in_range: r.inRange,
              warnings: r.warnings,
              fitted_range:
                r.moeTotalParams === null
                  ? {
                      params: STEP_LAW_RANGE.N,
                      tokens: STEP_LAW_RANGE.D,
                      tokens_per_param: STEP_LAW_RANGE.DPerN,
                    }
                  : {
                      total_params: STEP_LAW_MOE_RANGE.totalN,
                      active_params: STEP_LAW_MOE_RANGE.activeN,
                      tokens: STEP_LAW_MOE_RANGE.D,
                    },
              provenance: r.provenance,
            };
            process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
          } else {
            const out = [
              `Step Law for N = ${N.toExponential(3)} ${r.moeTotalParams === null ? "non-embedding" : `active (MoE, ${r.moeTotalParams.toExponential(3)} total)`} parameters, D = ${D.toExponential(3)} tokens (D/N = ${r.tokensPerParam.toPrecision(4)}):`,
              `  peak learning rate  ${r.learningRate.toPrecision(4)}`,
              `  batch size          ${Math.round(r.batchTokens)} tokens = ${r.batchSequences.toFixed(1)} sequences of ${L}`,
              `  ${r.provenance}`,
            ];
            process.stdout.write(`${out.join("\n")}\n`);
          }
          for (const w of r.warnings) process.stderr.write(`nadir steplaw: warning: ${w}\n`);
        } catch (err) {
          process.stderr.write(`nadir steplaw: ${err instanceof Error ? err.message : String(err)}\n`);
          setExit(exitCodeFor(err));
        }
      },
    );
};
