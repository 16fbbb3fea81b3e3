/**
 * Built-in early-stopping rules, acting on intermediate reports.
 * Successive halving: Jamieson & Talwalkar 2016, "Non-stochastic Best Arm Identification and
 * Hyperparameter Optimization"; Li et al. 2018, "Hyperband" (JMLR 18(185)); asynchronous variant ASHA:
 * Li et al. 2020, "A System for Massively Parallel Hyperparameter Tuning" (arXiv:1810.05934).
 *
 * - {@link AshaStopper}: asynchronous successive halving as a "stop or continue" rule, following Optuna's
 *   SuccessiveHalvingPruner (ASHA, Li et al. 2020, Algorithm 2). Rung k completes at r·η^(s+k). When an attempt first
 *   reports a step ≥ the next rung's resource, its value at that report is recorded for the rung; its
 *   competitors are all recorded values at that rung (itself included). With idx = max(0, floor(n/η) − 1)
 *   over the n competitors sorted best-first, the attempt survives iff its value is at least as good as
 *   sorted[idx]; NaN is pruned.
 * - {@link MedianStopper}: the median stopping rule (Golovin et al. 2017, Google Vizier): stop an attempt
 *   whose best value so far is worse than the median, over other trials that reported at or beyond the
 *   step, of their running average of values up to that step.
 *
 * Values are oriented so that smaller is better (see orientedValue in @nadir/sdk).
 */
import type { nadir } from "@nadir/protocol";
import type { Measurement, StopDecision, Stopper, TrialResult, TrialView } from "@nadir/sdk";
import { orientedValue } from "@nadir/sdk";

const CONTINUE: StopDecision = Object.freeze({ stop: false, reason: "" });

function key(v: TrialView): string {
  return `${v.ref.trialId}`;
}

/** ASHA / successive halving (see the module comment). */
export class AshaStopper implements Stopper {
  readonly name = "asha";
  /** rung -> trial -> oriented value. */
  private readonly rungs = new Map<number, Map<string, number>>();
  /** trial -> highest rung recorded. */
  private readonly reached = new Map<string, number>();
  constructor(
    private readonly metric: string,
    private readonly direction: number,
    private readonly minSteps: number,
    private readonly eta: number,
    private readonly minEarlyStoppingRate: number,
  ) {
    if (!(minSteps >= 1)) throw new RangeError(`AshaStopper: minSteps must be >= 1, got ${minSteps}`);
    if (!(eta >= 2)) throw new RangeError(`AshaStopper: reduction factor must be >= 2, got ${eta}`);
    if (!(Number.isInteger(minEarlyStoppingRate) && minEarlyStoppingRate >= 0))
      throw new RangeError("AshaStopper: minEarlyStoppingRate must be an integer >= 0");
  }

  /** Resource (steps) at which rung k completes: r·η^(s+k). */
  rungStep(k: number): number {
    return this.minSteps * this.eta ** (this.minEarlyStoppingRate + k);
  }

  onReport(trial: TrialView, m: Measurement): StopDecision {
    const id = key(trial);
    const step = Number(m.step ?? 0);
    let next = (this.reached.get(id) ?? -1) + 1;
    let decision = CONTINUE;
    // A report may jump several rungs; each one passed is recorded and judged.
    while (step >= this.rungStep(next)) {
      const value = orientedValue(m, this.metric, this.direction);
      let rung = this.rungs.get(next);
      if (!rung) {
        rung = new Map();
        this.rungs.set(next, rung);
      }
      rung.set(id, value);
      this.reached.set(id, next);
      if (Number.isNaN(value))
        return { stop: true, reason: `asha rung ${next}: ${this.metric} is NaN or missing` };
      const sorted = [...rung.values()].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
      const idx = Math.max(0, Math.floor(sorted.length / this.eta) - 1);
      const cutoff = sorted[idx] as number;
      if (value > cutoff) {
        decision = {
          stop: true,
          reason: `asha rung ${next} (step ${this.rungStep(next)}): not in the top 1/${this.eta} of ${sorted.length}`,
        };
        return decision;
      }
      next += 1;
    }
    return decision;
  }
}

/** Median stopping rule (see the module comment). */
export class MedianStopper implements Stopper {
  readonly name = "median";
  /** trial -> [step, oriented value] in report order. */
  private readonly curves = new Map<string, [number, number][]>();
  private readonly lastChecked = new Map<string, number>();
  constructor(
    private readonly metric: string,
    private readonly direction: number,
    private readonly warmupSteps: number,
    private readonly minTrials: number,
    private readonly intervalSteps: number,
  ) {}

  onReport(trial: TrialView, m: Measurement): StopDecision {
    const id = key(trial);
    const step = Number(m.step ?? 0);
    const value = orientedValue(m, this.metric, this.direction);
    let curve = this.curves.get(id);
    if (!curve) {
      curve = [];
      this.curves.set(id, curve);
    }
    curve.push([step, value]);
    if (step < this.warmupSteps) return CONTINUE;
    const last = this.lastChecked.get(id);
    if (this.intervalSteps > 0 && last !== undefined && step - last < this.intervalSteps) return CONTINUE;
    this.lastChecked.set(id, step);
    const averages: number[] = [];
    for (const [other, c] of this.curves) {
      if (other === id) continue;
      const upTo = c.filter(([s, v]) => s <= step && !Number.isNaN(v));
      if (upTo.length === 0 || (c[c.length - 1] as [number, number])[0] < step) continue;
      averages.push(upTo.reduce((a, [, v]) => a + v, 0) / upTo.length);
    }
    if (averages.length < Math.max(1, this.minTrials)) return CONTINUE;
    averages.sort((a, b) => a - b);
    const mid = averages.length >> 1;
    const median =
      averages.length % 2
        ? (averages[mid] as number)
        : ((averages[mid - 1] as number) + (averages[mid] as number)) / 2;
    const best = Math.min(...curve.map(([, v]) => (Number.isNaN(v) ? Number.POSITIVE_INFINITY : v)));
    if (best > median)
      return {
        stop: true,
        reason: `median rule at step ${step}: best ${best} worse than median ${median} of ${averages.length} trials`,
      };
    return CONTINUE;
  }

  onTerminal(_result: TrialResult): void {}
}

/** Builds the study's early-stopping rule, or undefined when it has none. */
export function stopperFor(study: nadir.v1.StudySpec): Stopper | undefined {
  const es = study.earlyStopping;
  if (!es?.rule) return undefined;
  const metric = es.metric || (study.objective?.metric as string);
  const direction = study.objective?.direction as number;
  if (es.rule === "asha") {
    const a = es.asha as nadir.v1.AshaSpec;
    return new AshaStopper(metric, direction, Number(a.minSteps), a.reductionFactor, a.minEarlyStoppingRate);
  }
  const md = es.median as nadir.v1.MedianStoppingSpec;
  return new MedianStopper(metric, direction, Number(md.warmupSteps), md.minTrials, Number(md.intervalSteps));
}
