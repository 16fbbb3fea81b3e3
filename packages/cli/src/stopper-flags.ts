/**
 * The study stopper's flags, shared by `nadir run` and `nadir serve`:
 * `--gain G --in-trials K [--min-trials N] [--every M] [--max-width W]` → StudySpec.study_stopper
 * (the asymptotic stopper; see the coordinator README). The stopper ends a study once, at the command's
 * `--confidence` q, K more i.i.d. search trials would improve the best score by at most G: the bound
 * Ĝ = max(0, y* − min over the accepted tails F of F⁻¹(1 − q^{1/K})) of the noisy quadratic law
 * (Lourie, Cho & He 2024), or once the best-score interval is at most W wide.
 */
import { nadir } from "@nadir/protocol";
import type { Command } from "commander";
import { usage } from "./errors.js";
import { intFlag, positiveFlag } from "./flag-values.js";

/** The flags as commander hands them over (text, unparsed). */
export interface StopperFlags {
  gain?: string;
  inTrials?: string;
  minTrials?: string;
  every?: string;
  maxWidth?: string;
}

/** Defaults of the flags that may be left out. */
export const STOPPER_FLAG_DEFAULTS = Object.freeze({ minTrials: 16, every: 8 });

/** Registers the stopper's flags on a command, with one help text for both commands. */
export function addStopperOptions(cmd: Command): Command {
  return cmd
    .option(
      "--gain <G>",
      "study stopper: end the study once --in-trials more search trials would gain at most G (objective units) at --confidence",
    )
    .option("--in-trials <K>", "study stopper: the further search trials the promise is about")
    .option(
      "--min-trials <N>",
      `study stopper: fewest search trials before its first decision (default ${STOPPER_FLAG_DEFAULTS.minTrials})`,
    )
    .option(
      "--every <M>",
      `study stopper: decide again after every M more search trials (default ${STOPPER_FLAG_DEFAULTS.every})`,
    )
    .option("--max-width <W>", "study stopper: also stop once the best-score interval is at most W wide");
}

/**
 * The stopper the flags ask for, or undefined when `--gain` is not given (then no other stopper flag may
 * be). `confidence` is the command's `--confidence`; `threshold`, when known, is the tail fit's
 * asymptotic-regime threshold θ (else the coordinator uses the lower median of the sample).
 * Throws a usage error (exit 2) naming the flag.
 */
export function stopperFromFlags(
  o: StopperFlags,
  at: { confidence: number; threshold?: number | undefined },
): nadir.v1.StudyStopperSpec | undefined {
  const given = (
    [
      ["--in-trials", o.inTrials],
      ["--min-trials", o.minTrials],
      ["--every", o.every],
      ["--max-width", o.maxWidth],
    ] as const
  ).filter(([, v]) => v !== undefined);
  if (o.gain === undefined) {
    if (given.length > 0)
      throw usage(
        `${given.map(([f]) => f).join(", ")} go with --gain (the study stopper's threshold)`,
        given[0]?.[0],
      );
    return undefined;
  }
  const gain = positiveFlag("--gain", o.gain);
  const inTrials = intFlag("--in-trials", o.inTrials, 1);
  if (inTrials === undefined)
    throw usage(
      "--gain needs --in-trials K (stop when K more search trials would gain at most G)",
      "--in-trials",
    );
  const minTrials = intFlag("--min-trials", o.minTrials, 2) ?? STOPPER_FLAG_DEFAULTS.minTrials;
  const every = intFlag("--every", o.every, 1) ?? STOPPER_FLAG_DEFAULTS.every;
  const maxWidth = o.maxWidth === undefined ? 0 : positiveFlag("--max-width", o.maxWidth);
  return nadir.v1.StudyStopperSpec.create({
    asymptotic: nadir.v1.AsymptoticStopperSpec.create({
      gain,
      inTrials,
      minTrials,
      every,
      maxIntervalWidth: maxWidth,
      confidence: at.confidence,
      // The tail fit needs a few points above θ; with fewer trials than 8 before the first decision,
      // ask for what there can be.
      minTailPoints: Math.min(8, minTrials),
      ...(at.threshold !== undefined ? { threshold: at.threshold } : {}),
    }),
  });
}

/**
 * The usage error for a stopper on a study that prunes: ASHA's survivors are a selected subset, not the
 * i.i.d. sample the law is about (the coordinator refuses the combination too, with a study error).
 */
export function checkStopperFits(study: nadir.v1.StudySpec.$Properties): void {
  if (study.earlyStopping?.rule)
    throw usage(
      `--gain: the study prunes trials (earlyStopping ${study.earlyStopping.rule}), so its survivors are not the i.i.d. sample the stopper's law needs; drop earlyStopping from the study to use the stopper`,
      "--gain",
    );
}
