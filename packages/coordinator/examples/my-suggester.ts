/**
 * A complete custom suggester for the Nadir coordinator (the README's "How to write a suggester" example;
 * test/example-suggester.test.ts type-checks it and runs it through a real coordinator and real workers).
 *
 * "Perturb the best": the first `explore` points spread the learning rate over its log range with the
 * golden-ratio sequence; after that, each new point is the best completed trial's learning rate times
 * 2^(±1/2), alternating. Every other parameter keeps the best trial's value (or its range's midpoint).
 *
 * It keeps no state of its own: everything comes from `ctx.created` (how many points it made before) and
 * `ctx.history` (the study's trials), both rebuilt from the journal after a restart, so a restarted
 * coordinator continues exactly where it stopped.
 */
import { nadir } from "@nadir/protocol";
import type {
  ParameterValue,
  StudySpec,
  SuggestBatch,
  SuggestContext,
  Suggester,
  SuggesterFactory,
  Suggestion,
  TrialResult,
} from "@nadir/sdk";

/** The algorithm name a study asks for: `"suggester": {"kind": "external", "algorithm": ...}`. */
export const PERTURB_BEST = "example.perturb-best";

/** The learning rate of the k-th exploratory point: golden-ratio sequence, log-uniform in [min, max]. */
export function exploreRate(k: number, min: number, max: number): number {
  const u = ((k + 1) * 0.6180339887498949) % 1;
  return min * (max / min) ** u;
}

/** Builds the suggester for one study. @throws Error when the study has no float learning_rate. */
export function perturbBest(study: StudySpec, explore = 2): Suggester {
  const params = study.searchSpace?.parameters ?? [];
  const lr = params.find((p) => p.name === "learning_rate")?.floatDomain;
  if (!lr) throw new Error(`${PERTURB_BEST} needs a float learning_rate parameter`);
  const min = Number(lr.min);
  const max = Number(lr.max);
  const metric = study.objective?.metric ?? "";
  const sign = study.objective?.direction === nadir.v1.Direction.DIRECTION_MAXIMIZE ? -1 : 1;

  /** The best completed trial so far (lowest oriented objective), or undefined. */
  const bestOf = (history: readonly TrialResult[]): TrialResult | undefined => {
    let best: TrialResult | undefined;
    for (const t of history) {
      const v = t.final?.metrics?.[metric];
      if (t.state !== nadir.v1.TrialState.TRIAL_STATE_COMPLETED || typeof v !== "number") continue;
      const b = best?.final?.metrics?.[metric] as number | undefined;
      if (b === undefined || sign * v < sign * b) best = t;
    }
    return best;
  };

  /** The other parameters: the best trial's values, else each range's midpoint. */
  const others = (best: TrialResult | undefined): Record<string, ParameterValue> => {
    const out: Record<string, ParameterValue> = {};
    for (const p of params) {
      if (p.name === "learning_rate" || !p.name) continue;
      const v = best?.parameters?.[p.name];
      if (v) out[p.name] = v;
      else if (p.floatDomain)
        out[p.name] = { floatValue: (Number(p.floatDomain.min) + Number(p.floatDomain.max)) / 2 };
      else if (p.discreteDomain?.values?.length) out[p.name] = { floatValue: p.discreteDomain.values[0] };
      else if (p.fixedDomain?.value) out[p.name] = p.fixedDomain.value;
    }
    return out;
  };

  return {
    name: `example:perturb-best`,
    suggest(count: number, ctx: SuggestContext): SuggestBatch {
      const best = bestOf(ctx.history);
      const suggestions: Suggestion[] = [];
      for (let i = 0; i < count; i++) {
        const k = ctx.created + i;
        const bestRate = best?.parameters?.learning_rate?.floatValue;
        // Explore until `explore` points exist and one of them has completed.
        const rate =
          k < explore || bestRate == null
            ? exploreRate(k, min, max)
            : Math.min(max, Math.max(min, bestRate * 2 ** (k % 2 === 0 ? 0.5 : -0.5)));
        suggestions.push({
          parameters: { learning_rate: { floatValue: rate }, ...others(best) },
          metadata: { from: k < explore || bestRate == null ? "explore" : "perturb" },
        });
      }
      return { suggestions, exhausted: false };
    },
  };
}

/**
 * The factory a coordinator is given (`new Coordinator({suggesters: [perturbBestFactory], ...})`): it
 * answers only for studies that ask for {@link PERTURB_BEST}, so every other study keeps the built-ins.
 */
export const perturbBestFactory: SuggesterFactory = (study) =>
  study.suggester?.external?.algorithm === PERTURB_BEST ? perturbBest(study) : undefined;
