/**
 * The study stopper in a real run: a real coordinator with a file journal and an event PUB socket, two
 * real worker processes (the synthetic worker: final loss = (log10 lr + 3)² + 1/(1 + 45/10) at the
 * 45-step budget), a list of two points and then Halton search with an asymptotic stopper. The study
 * must stop itself well before its 200-trial budget, and the raw journal, the event stream and a
 * restarted coordinator must all say why.
 *
 * The promise is checked against the closed form: with log10 lr uniform on [−5, −1], the score is
 * y = a + (log10 lr + 3)², a = 1/5.5, whose CDF near the optimum is F(y) = √(y − a)/2 (c = 1), so
 * Q(p) = a + 4p², and k more draws reach below a + 4(1 − q^{1/k})² with probability exactly 1 − q: the
 * stopper's bound Ĝ must be at least y* − that (its set holds the true tail when it covers).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { nadir } from "@nadir/protocol";
import { decodeFrames } from "@nadir/protocol/framing";
import { evaluateStudyStopper } from "@nadir/results";
import { afterEach, describe, expect, it } from "vitest";
import { Subscriber } from "zeromq";
import {
  Coordinator,
  FileJournal,
  queryStatus,
  readJournal,
  StateBook,
  studyFromJson,
} from "../src/index.js";
import { resultOf, type StudyState } from "../src/state/book.js";
import { finishedAt } from "../src/study-stopper.js";
import { killAll, startWorker, syntheticSpace } from "./helpers.js";

afterEach(killAll);

const S = nadir.v1.TrialState;
const A = 1 / (1 + 45 / 10);
const [GAIN, K, Q] = [0.6, 32, 0.8];

function study() {
  const point = (lr: number) => ({
    values: { learning_rate: { floatValue: lr }, one_minus_beta1: { floatValue: 0.05 } },
  });
  return studyFromJson({
    studyId: "stops",
    objective: { metric: "loss", direction: "DIRECTION_MINIMIZE" },
    budget: { maxTrials: 200, parallelism: 4 },
    stepBudget: 45,
    reportEverySteps: 15,
    searchSpace: syntheticSpace(),
    suggester: {
      kind: "list",
      list: { points: [point(3e-3), point(3e-4)], fallback: { kind: "SAMPLER_KIND_HALTON", seed: 11 } },
    },
    studyStopper: { asymptotic: { gain: GAIN, inTrials: K, minTrials: 16, every: 8, confidence: Q } },
  });
}

function startWorkers(endpoint: string, n: number): void {
  for (let i = 0; i < n; i++) startWorker(endpoint, `w${i}`, { capacity: 2, stepMs: 1 });
}

describe("the study stopper in a real run", () => {
  it("stops the study itself, with the decision and its numbers in the journal, the event stream and a restarted coordinator", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nadir-stopper-"));
    const journal = path.join(dir, "journal");
    const logs: string[] = [];
    const c = new Coordinator({
      bind: ["tcp://127.0.0.1:0"],
      eventsBind: "tcp://127.0.0.1:0",
      store: new FileJournal(journal),
      studies: [study()],
      heartbeatIntervalMs: 100,
      log: (l) => logs.push(l),
    });
    const { endpoints, eventsEndpoint } = await c.start();
    const sub = new Subscriber();
    sub.connect(eventsEndpoint as string);
    sub.subscribe("nadir.v1/stops");
    const progressWithStopper: nadir.v1.StopperDecision[] = [];
    const reading = (async () => {
      for await (const frames of sub) {
        const env = decodeFrames(frames as Buffer[]).envelope;
        if (env.studyProgress?.stopper)
          progressWithStopper.push(env.studyProgress.stopper as nadir.v1.StopperDecision);
      }
    })().catch(() => {});
    startWorkers(endpoints[0] as string, 2);
    await Promise.race([
      c.whenDone(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error("study did not finish in 150 s")), 150_000),
      ),
    ]);
    // `nadir status --connect` asks over the wire: the study's progress carries the stopping decision.
    const status = await queryStatus(endpoints[0] as string, { timeoutMs: 5000 });
    const statusStopper = status.studies[0]?.stopper;
    await c.stop({ shutdownWorkers: true });
    sub.close();
    await reading;

    // The raw journal, read independently of the coordinator's replay.
    const { records, problem } = readJournal(journal);
    expect(problem).toBe("");
    const decisions = records
      .filter((r) => r.stopperDecision)
      .map((r) => r.stopperDecision as nadir.v1.StopperDecision);
    const stopAt = records.findIndex((r) => r.stopperDecision?.stop);
    expect(stopAt).toBeGreaterThan(0);
    const stop = records[stopAt]?.stopperDecision as nadir.v1.StopperDecision;
    // Every decision before the stop continued, each with its reason; the first came at min_trials.
    expect(decisions.slice(0, -1).every((d) => !d.stop && d.message.startsWith("continue: "))).toBe(true);
    expect(decisions[decisions.length - 1]).toEqual(stop);
    expect(decisions[0]?.searchTrials).toBeGreaterThanOrEqual(16);
    expect(stop.reason).toBe("gain-below-threshold");
    expect(stop.gainBound).toBeLessThanOrEqual(GAIN);
    expect(stop.message).toBe(
      `stop after ${stop.searchTrials} trials: ${K} more would gain at most ${Number((stop.gainBound as number).toPrecision(4))} at 80% (threshold ${GAIN})`,
    );

    // The search scores the decision rested on: the first searchTrials finished Halton trials in journal
    // order (the trials finished at its grid point; more may have finished while it was evaluated).
    const finishedBefore = records
      .slice(0, stopAt)
      .filter((r) => r.trialCompleted)
      .map((r) => r.trialCompleted as nadir.v1.TrialCompleted);
    const created = new Map(
      records.filter((r) => r.trialCreated).map((r) => [r.trialCreated?.trial?.trialId, r.trialCreated]),
    );
    const allSearch = finishedBefore.filter((t) =>
      created.get(t.trial?.trialId)?.suggester.endsWith(">halton"),
    );
    expect(allSearch.length).toBeGreaterThanOrEqual(stop.searchTrials);
    const search = allSearch.slice(0, stop.searchTrials);
    const best = Math.min(...search.map((t) => t.final?.metrics?.loss as number));
    expect(stop.bestObserved).toBe(best);
    // Closed form (file comment): the bound covers the true tail's gain.
    expect(stop.gainBound).toBeGreaterThanOrEqual(Math.max(0, best - (A + 4 * (1 - Q ** (1 / K)) ** 2)));

    // The study stopped growing: nothing created after the stop, far fewer than the budget, queued
    // trials abandoned with the reason, running ones finished and kept.
    expect(records.slice(stopAt).some((r) => r.trialCreated)).toBe(false);
    expect(created.size).toBeLessThan(200);
    const abandoned = records.slice(stopAt).filter((r) => r.trialEvent?.state === S.TRIAL_STATE_ABANDONED);
    for (const r of abandoned) expect(r.trialEvent?.reason).toBe(`study stopped: ${stop.message}`);
    const ended = records.filter(
      (r) =>
        r.trialCompleted ||
        r.trialFailed ||
        r.trialStopped ||
        r.trialEvent?.state === S.TRIAL_STATE_ABANDONED,
    );
    expect(
      new Set(
        ended.map(
          (r) => (r.trialCompleted ?? r.trialFailed ?? r.trialStopped ?? r.trialEvent)?.trial?.trialId,
        ),
      ).size,
    ).toBe(created.size);
    const end = records.filter(
      (r) => r.studyStateChanged?.state === nadir.v1.StudyStateChanged.StudyState.STUDY_STATE_COMPLETED,
    );
    expect(end).toHaveLength(1);
    expect(end[0]?.studyStateChanged?.reason).toBe(stop.message);
    expect(end[0]?.studyStateChanged?.stopper).toEqual(stop);
    expect(logs).toContain(`study stops: stopper: ${stop.message}`);
    expect(statusStopper?.stop).toBe(true);
    expect(statusStopper?.message).toBe(stop.message);

    // The event stream carried the study's progress with the stopper's latest decision.
    expect(progressWithStopper.some((d) => d.stop && d.message === stop.message)).toBe(true);

    // A restarted coordinator on the journal: the study is done, the decisions are all there.
    const book = new StateBook({ leaseMs: 1000 });
    for (const r of records) book.applyRecord(r);
    const st = book.studies.get("stops");
    expect(st?.decisions).toEqual(decisions);
    expect(book.progressOf(st as never).stopper).toEqual(stop);
    // Every decision sits on the grid 16 + 8j (every trial here completes at full budget, so the sample
    // is the count) and is recomputed exactly from the journal alone: the trials finished at its grid
    // point, evaluated again at its time stamp.
    for (const d of decisions) {
      expect((d.searchTrials - 16) % 8).toBe(0);
      const trials = finishedAt(st as StudyState, d.searchTrials).map((t) => resultOf(t, false));
      const snap = nadir.v1.Snapshot.decode(
        nadir.v1.Snapshot.encode({ studies: [study()], trials }).finish(),
      );
      const again = evaluateStudyStopper(snap.studies[0] as nadir.v1.StudySpec, snap.trials, {
        now: Number(d.atUnixMs),
      }).decision;
      expect(nadir.v1.StopperDecision.fromObject(again).toJSON()).toEqual(d.toJSON());
    }
    const again = new Coordinator({
      bind: ["tcp://127.0.0.1:0"],
      store: new FileJournal(journal),
      studies: [study()],
      log: () => {},
    });
    await again.start();
    await again.whenDone();
    expect(again.progress()[0]?.done).toBe(true);
    await again.stop();
    expect(readJournal(journal).records.filter((r) => r.trialCreated)).toHaveLength(created.size);
  }, 180_000);
});
