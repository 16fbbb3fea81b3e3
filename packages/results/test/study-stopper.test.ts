/**
 * evaluateStudyStopper on hand-made coordinator records with known answers: draws of a noiseless convex
 * quadratic Y = a + r·U^{2/c} (CDF ((y − a)/r)^{c/2} on [a, a + r], the noisy quadratic law with no noise),
 * whose true continuation gain has a closed form: k more draws reach below the (1 − q)-quantile of their
 * minimum, a + r·(1 − q^{1/k})^{2/c}, with probability exactly 1 − q.
 */
import { nadir } from "@nadir/protocol";
import { describe, expect, it } from "vitest";
import { evaluateStudyStopper, ResultsError, stopperSample, studyStopperRule } from "../src/index.js";

const S = nadir.v1.TrialState;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
}

/** n draws of Y = a + r·U^{2/c}. */
function quadratic(seed: number, n: number, a: number, r: number, c: number): number[] {
  const u = lcg(seed);
  return Array.from({ length: n }, () => a + r * u() ** (2 / c));
}

function spec(stopper: object, extra: object = {}): nadir.v1.StudySpec {
  return nadir.v1.StudySpec.fromObject({
    studyId: "q",
    stepBudget: 100,
    objective: { metric: "loss", direction: "DIRECTION_MINIMIZE" },
    searchSpace: {
      parameters: [
        { name: "x", floatDomain: { min: 0, max: 1 } },
        { name: "y", floatDomain: { min: 0, max: 1 } },
      ],
    },
    studyStopper: { asymptotic: stopper },
    ...extra,
  });
}

const rec = (id: number, state: number, suggester: string, score: number, extra: object = {}) => ({
  trial: { studyId: "q", trialId: id, attempt: 1 },
  state,
  suggester,
  final: { step: 100, metrics: { loss: score } },
  replicate: 0,
  ...extra,
});

/** Random-search records of the scores, after 5 list points and 3 pruned search trials. */
function records(scores: readonly number[]) {
  const out = [];
  for (let i = 0; i < 5; i++)
    out.push(rec(i + 1, S.TRIAL_STATE_COMPLETED, "list:medapati-nadamw-5", 0.5, { listIndex: i }));
  for (let i = 0; i < 3; i++)
    out.push(rec(6 + i, S.TRIAL_STATE_PRUNED, "list:medapati-nadamw-5>halton", 0.9, { final: { step: 10 } }));
  scores.forEach((y, i) => {
    out.push(rec(9 + i, S.TRIAL_STATE_COMPLETED, "list:medapati-nadamw-5>halton", y));
  });
  return out;
}

describe("study stopper", () => {
  it("fills the spec's zero fields with the documented defaults", () => {
    expect(studyStopperRule(spec({ gain: 0.01, inTrials: 64 }))).toEqual({
      gain: 0.01,
      inTrials: 64,
      minTrials: 16,
      every: 8,
      minTailPoints: 8,
      confidence: 0.8,
      threshold: undefined,
    });
    expect(studyStopperRule(nadir.v1.StudySpec.fromObject({ studyId: "none" }))).toBeUndefined();
    expect(() => studyStopperRule(spec({ gain: 0, inTrials: 64 }))).toThrow(ResultsError);
  });

  it("fits only the i.i.d. search trials: list points, pruned trials and replicates stay out", () => {
    const ys = quadratic(3, 40, 1, 2, 2);
    const trials = [
      ...records(ys),
      rec(100, S.TRIAL_STATE_COMPLETED, "list:medapati-nadamw-5>halton", 0.1, { replicate: 1 }),
    ];
    expect(stopperSample(spec({ gain: 0.01, inTrials: 64 }), trials)).toEqual(ys);
    const e = evaluateStudyStopper(spec({ gain: 0.01, inTrials: 64, minTrials: 41 }), trials, { now: 7 });
    expect(e.decision).toMatchObject({
      stop: false,
      reason: "too-few-trials",
      message: "continue: 40 of the 41 search trials needed before deciding",
      searchTrials: 40,
      studyTrials: 49,
      bestObserved: Math.min(...ys),
      atUnixMs: 7,
    });
    expect(e.analysis).toBeNull();
  });

  it("stops when the gain bound is below the threshold, and the bound covers the closed-form gain", () => {
    const [a, r, c, k, q] = [1, 2, 2, 64, 0.8];
    const ys = quadratic(11, 400, a, r, c);
    const best = Math.min(...ys);
    // The true tail's continuation gain at probability q (see the file comment).
    const trueGain = Math.max(0, best - (a + r * (1 - q ** (1 / k)) ** (2 / c)));
    const stop = evaluateStudyStopper(spec({ gain: 0.15, inTrials: k, confidence: q }), records(ys)).decision;
    expect(stop.stop).toBe(true);
    expect(stop.reason).toBe("gain-below-threshold");
    expect(stop.searchTrials).toBe(400);
    expect(stop.gainBound).toBeGreaterThanOrEqual(trueGain);
    expect(stop.gainBound).toBeLessThanOrEqual(0.15);
    expect(stop.message).toMatch(
      /^stop after 400 trials: 64 more would gain at most [0-9.]+ at 80% \(threshold 0.15\)$/,
    );
    // θ defaults to the lower median of the sample; the tail holds the scores at or below it.
    const sorted = [...ys].sort((x, y) => x - y);
    expect(stop.regimeThreshold).toBe(sorted[199]);
    expect(stop.tailPoints).toBe(200);
    expect(stop.acceptedC).toContain(c);
    expect(stop.bestLower).toBeLessThanOrEqual(a);
    expect(stop.bestUpper).toBeGreaterThanOrEqual(a);

    // The same evidence against a threshold below the bound: continue, saying by how much it could gain.
    const tight = evaluateStudyStopper(
      spec({ gain: 1e-9, inTrials: k, confidence: q }),
      records(ys),
    ).decision;
    expect(tight.stop).toBe(false);
    expect(tight.reason).toBe("gain-above-threshold");
    expect(tight.gainBound).toBe(stop.gainBound);
  });

  it("gives the same bound for a maximized score as for its mirror image", () => {
    // An odd n, so that the default θ (the lower median) is the same order statistic both ways.
    const ys = quadratic(11, 201, 1, 2, 2);
    const min = evaluateStudyStopper(spec({ gain: 0.3, inTrials: 32 }), records(ys)).decision;
    const maxSpec = spec(
      { gain: 0.3, inTrials: 32 },
      { objective: { metric: "loss", direction: "DIRECTION_MAXIMIZE" } },
    );
    const max = evaluateStudyStopper(maxSpec, records(ys.map((y) => -y))).decision;
    expect(max.searchTrials).toBe(201);
    expect(max.bestObserved).toBe(-min.bestObserved);
    expect(max.regimeThreshold).toBe(-(min.regimeThreshold as number));
    expect(max.gainBound).toBeCloseTo(min.gainBound as number, 9);
    expect([max.stop, max.reason, max.tailPoints, max.acceptedC]).toEqual([
      min.stop,
      min.reason,
      min.tailPoints,
      min.acceptedC,
    ]);
  });

  it("never stops on a fit it cannot rely on: too few scores in the asymptotic regime", () => {
    const ys = quadratic(5, 48, 1, 2, 2);
    // A gain threshold of 10 (five times the score range) stops on any fit that is relied on ...
    expect(evaluateStudyStopper(spec({ gain: 10, inTrials: 4 }), records(ys)).decision.stop).toBe(true);
    // ... but with θ = 1.1 the regime holds too few scores to fit a tail at all: continue.
    const inRegime = ys.filter((y) => y <= 1.1).length;
    expect(inRegime).toBeLessThan(8);
    const d = evaluateStudyStopper(spec({ gain: 10, inTrials: 4, threshold: 1.1 }), records(ys)).decision;
    expect(d).toMatchObject({ stop: false, reason: "no-fit", tailPoints: inRegime });
    expect(d.message).toBe("continue: the tail could not be fitted, so no gain can be promised");
    // With θ = 1.3 a tail is fitted on fewer scores than the rule's minTailPoints = 20: continue.
    const some = ys.filter((y) => y <= 1.3).length;
    expect(some).toBeLessThan(20);
    const few = evaluateStudyStopper(
      spec({ gain: 10, inTrials: 4, threshold: 1.3, minTailPoints: 20 }),
      records(ys),
    ).decision;
    expect(few).toMatchObject({ stop: false, reason: "too-few-tail-points", tailPoints: some });
    expect(few.message).toBe(
      `continue: only ${some} scores in the asymptotic regime (20 needed to rely on the fit)`,
    );
  });
});
