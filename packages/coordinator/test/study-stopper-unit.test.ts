/**
 * The study stopper's module alone (src/study-stopper.ts) over a real state book, with its evaluator and
 * host injected (no sockets, no thread): when it evaluates (min_trials, then every `every` search trials;
 * list points and replicates do not count), that an evaluation in flight holds the study open, that an
 * evaluation that fails becomes a journaled "analysis-failed" continue (never a stop), and that the
 * book's decisions survive a compaction snapshot and re-applied records.
 */
import { nadir } from "@nadir/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JournalEntry, JournalRecord } from "../src/journal.js";
import { StateBook, type StudyState } from "../src/state/book.js";
import { studyFromJson } from "../src/study.js";
import { countsAsSearch, finishedAt, gridPoint, StudyStopper } from "../src/study-stopper.js";

const v1 = nadir.v1;
const S = v1.TrialState;

function spec(): nadir.v1.StudySpec {
  return studyFromJson({
    studyId: "s",
    objective: { metric: "loss", direction: "DIRECTION_MINIMIZE" },
    budget: { maxTrials: 100, parallelism: 8 },
    stepBudget: 10,
    searchSpace: { parameters: [{ name: "x", floatDomain: { min: 0, max: 1 } }] },
    studyStopper: { asymptotic: { gain: 0.1, inTrials: 8, minTrials: 4, every: 2 } },
  });
}

/** A book, a stopper whose evaluator the test settles by hand, and the records it committed. */
function rig(book = new StateBook({ leaseMs: 1000, clock: () => 0 }), fresh = true) {
  const committed: JournalEntry[] = [];
  const decided: nadir.v1.StopperDecision[] = [];
  const calls: { snapshot: nadir.v1.Snapshot; settle: (d: nadir.v1.StopperDecision | Error) => void }[] = [];
  let seq = 1000;
  const woken = { count: 0 };
  /** Applies an entry at time `at` (default: one millisecond after the last). */
  const apply = (e: JournalEntry, at = ++seq) => {
    committed.push(e);
    book.apply({ ...e, recordedUnixMs: at }, false);
  };
  const stopper = new StudyStopper(
    book,
    {
      commit: async (e) => apply(e),
      decided: (_st, d) => decided.push(d),
      settled: () => {},
      wake: () => {
        woken.count++;
      },
      log: () => {},
      now: () => 42,
    },
    (bytes) =>
      new Promise((resolve, reject) => {
        calls.push({
          snapshot: v1.Snapshot.decode(bytes),
          settle: (d) => (d instanceof Error ? reject(d) : resolve(d)),
        });
      }),
  );
  if (fresh) {
    apply({ studyCreated: spec() });
    apply({ studyStateChanged: { studyId: "s", state: v1.StudyStateChanged.StudyState.STUDY_STATE_ACTIVE } });
  }
  const st = book.studies.get("s") as StudyState;
  /** Creates, assigns and completes trial `id` from `suggester` with score `loss` (at time `at`). */
  const finish = (id: number, suggester: string, loss: number, replicate = 0, at?: number) => {
    apply({
      trialCreated: {
        trial: { studyId: "s", trialId: id, attempt: 0 },
        suggester,
        replicate,
        parameters: {},
      },
    });
    apply({
      attemptAssigned: { assignment: { trial: { studyId: "s", trialId: id, attempt: 1 } }, workerId: "w" },
    });
    apply(
      {
        trialCompleted: {
          trial: { studyId: "s", trialId: id, attempt: 1 },
          final: { step: 10, metrics: { loss } },
        },
      },
      at,
    );
    const t = st.trials.get(id);
    if (!t) throw new Error("no trial");
    stopper.finished(t);
    return t;
  };
  return { book, st, stopper, committed, decided, calls, finish, apply, woken };
}

const decision = (stop: boolean, searchTrials: number, extra: object = {}) =>
  v1.StopperDecision.fromObject({
    studyId: "s",
    stop,
    reason: stop ? "gain-below-threshold" : "gain-above-threshold",
    message: stop ? "stop after n trials" : "continue: more",
    searchTrials,
    gainBound: stop ? 0.01 : 1,
    atUnixMs: 42 + searchTrials,
    ...extra,
  });

const tick = () => new Promise((r) => setImmediate(r));

describe("the study stopper module", () => {
  it("evaluates after min_trials search trials and then every `every`; list points and replicates do not count", async () => {
    const r = rig();
    r.finish(1, "list:medapati-nadamw-5", 0.5);
    r.finish(2, "list:medapati-nadamw-5>halton", 0.4, 1);
    for (let i = 3; i <= 5; i++) r.finish(i, "list:medapati-nadamw-5>halton", 1 / i);
    expect(r.calls).toHaveLength(0); // 3 search trials < min_trials 4
    r.finish(6, "list:medapati-nadamw-5>halton", 0.3);
    expect(r.calls).toHaveLength(1);
    // The evaluator sees every trial of the study, as TrialResults with their replicate.
    expect(r.calls[0]?.snapshot.trials.map((t) => [t.trial?.trialId, t.replicate])).toEqual([
      [1, 0],
      [2, 1],
      [3, 0],
      [4, 0],
      [5, 0],
      [6, 0],
    ]);
    // In flight: the study cannot end, and no second evaluation starts.
    expect(r.stopper.evaluating(r.st)).toBe(true);
    expect(
      r.book.studyDone(r.st, { suggesting: false, noSuggester: false, exhausted: true, evaluating: true }),
    ).toBe(false);
    r.finish(7, "random", 0.2);
    r.finish(8, "random", 0.25);
    expect(r.calls).toHaveLength(1);
    r.calls[0]?.settle(decision(false, 4));
    await tick();
    await tick();
    // The continue was journaled, and since 2 more search trials finished meanwhile, the next one runs.
    expect(r.committed.filter((e) => e.stopperDecision).map((e) => e.stopperDecision?.searchTrials)).toEqual([
      4,
    ]);
    expect(r.decided.map((d) => d.stop)).toEqual([false]);
    expect(r.calls).toHaveLength(2);
    expect(r.st.decisions).toHaveLength(1);
  });

  it("turns an evaluation that fails into a journaled continue, never a stop", async () => {
    const r = rig();
    for (let i = 1; i <= 4; i++) r.finish(i, "halton", i / 10);
    r.calls[0]?.settle(new Error("worker thread died"));
    await tick();
    await tick();
    const d = r.committed.find((e) => e.stopperDecision)?.stopperDecision;
    expect(d).toMatchObject({
      stop: false,
      reason: "analysis-failed",
      message: "continue: the stopper's evaluation failed (worker thread died)",
      studyTrials: 4,
      inTrials: 8,
      gainThreshold: 0.1,
    });
    expect(r.st.stopDecision).toBeUndefined();
  });

  it("a stop stops the study growing; the decisions survive a snapshot and re-applied records", async () => {
    const r = rig();
    for (let i = 1; i <= 4; i++) r.finish(i, "halton", i / 10);
    r.apply({
      trialCreated: { trial: { studyId: "s", trialId: 5, attempt: 0 }, suggester: "halton", parameters: {} },
    });
    r.calls[0]?.settle(decision(true, 4));
    await tick();
    await tick();
    expect(r.st.stopDecision?.stop).toBe(true);
    // A queued trial keeps the study open until the host abandons it.
    expect(r.book.studyDone(r.st)).toBe(false);
    r.apply({
      trialEvent: {
        trial: { studyId: "s", trialId: 5, attempt: 0 },
        state: S.TRIAL_STATE_ABANDONED,
        reason: "study stopped: stop after n trials",
      },
    });
    expect(r.book.studyDone(r.st)).toBe(true);
    // No further evaluation after a stop, whatever finishes.
    r.finish(6, "halton", 0.01);
    r.finish(7, "halton", 0.01);
    expect(r.calls).toHaveLength(1);

    // Compaction: a fresh book from the snapshot entries has the same decisions and the same stop.
    const { entries } = r.book.snapshotEntries();
    const again = new StateBook({ leaseMs: 1000, clock: () => 0 });
    for (const [i, e] of entries.entries())
      again.applyRecord(
        v1.JournalRecord.decode(v1.JournalRecord.encode({ ...e, sequence: i + 1 }).finish()) as JournalRecord,
      );
    const st2 = again.studies.get("s") as StudyState;
    expect(st2.decisions.map((d) => [d.stop, d.searchTrials])).toEqual([[true, 4]]);
    expect(st2.stopDecision?.searchTrials).toBe(4);
    // Re-applying a decision record changes nothing.
    again.applyStopperDecision(decision(true, 4));
    expect(st2.decisions).toHaveLength(1);
  });

  it("decides on the grid min_trials + j*every: grid points passed during an evaluation are coalesced, and the sample is the records when the grid point was reached", async () => {
    const r = rig();
    for (let i = 1; i <= 4; i++) r.finish(i, "halton", i / 10);
    expect(r.calls).toHaveLength(1);
    // Five more search trials finish while the first evaluation is in flight (grid points 6 and 8 pass),
    // and a list point finishes after the 8th search trial.
    for (let i = 5; i <= 8; i++) r.finish(i, "halton", i / 10);
    r.finish(9, "list:medapati-nadamw-5", 0.5);
    r.finish(10, "halton", 0.05);
    r.calls[0]?.settle(decision(false, 4));
    await tick();
    await tick();
    expect(r.calls).toHaveLength(2);
    // The next evaluation is at grid point 8, not 9: trials 9 and 10 ended after the 8th search trial.
    expect(r.calls[1]?.snapshot.trials.map((t) => t.trial?.trialId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    r.calls[1]?.settle(decision(false, 8));
    await tick();
    await tick();
    // 9 search trials < the next grid point 10: nothing in flight.
    expect(r.calls).toHaveLength(2);
    r.finish(11, "halton", 0.06);
    expect(r.calls).toHaveLength(3);
    expect(r.calls[2]?.snapshot.trials).toHaveLength(11);
  });

  it("holds the study's queued trials once the next grid point is reached while an evaluation is in flight, and wakes the scheduler when it lands", async () => {
    const r = rig();
    for (let i = 1; i <= 3; i++) r.finish(i, "halton", i / 10);
    expect(r.stopper.holds(r.st)).toBe(false); // before min_trials: nothing to wait for
    r.finish(4, "halton", 0.4); // grid point 4: evaluation in flight
    expect(r.calls).toHaveLength(1);
    expect(r.stopper.holds(r.st)).toBe(false); // trials up to the next grid point (6) may still start
    r.finish(5, "halton", 0.5);
    r.finish(6, "list:medapati-nadamw-5", 0.5); // not a search trial: does not bring the grid point closer
    expect(r.stopper.holds(r.st)).toBe(false);
    r.finish(7, "halton", 0.6); // 6 search trials = the next grid point, the fit at 4 still running
    expect(r.stopper.holds(r.st)).toBe(true);
    r.calls[0]?.settle(decision(false, 4));
    await tick();
    await tick();
    // The decision landed: the next evaluation (grid point 6) is in flight, 6 < 6 + 2, so nothing waits.
    expect(r.woken.count).toBe(1);
    expect(r.calls).toHaveLength(2);
    expect(r.stopper.holds(r.st)).toBe(false);
  });

  it("takes the finished trials in the order they finished (the journal's), also after a compaction", () => {
    const r = rig();
    // Trials 3, 2 and 1 finish in that order, 2 and 1 in the same millisecond; 4 is still queued.
    r.finish(3, "random", 0.3, 0, 5000);
    r.finish(2, "random", 0.2, 0, 6000);
    r.finish(1, "random", 0.1, 0, 6000);
    r.apply({
      trialCreated: { trial: { studyId: "s", trialId: 4, attempt: 0 }, suggester: "random", parameters: {} },
    });
    const ids = (st: StudyState, g: number) => finishedAt(st, g).map((t) => t.id);
    expect([1, 2, 3].map((g) => ids(r.st, g))).toEqual([[3], [2, 3], [1, 2, 3]]);
    // A fresh book from the compaction snapshot keeps the finishing order.
    const again = new StateBook({ leaseMs: 1000, clock: () => 0 });
    for (const [i, e] of r.book.snapshotEntries().entries.entries())
      again.applyRecord(
        v1.JournalRecord.decode(v1.JournalRecord.encode({ ...e, sequence: i + 1 }).finish()) as JournalRecord,
      );
    const st2 = again.studies.get("s") as StudyState;
    expect([1, 2, 3].map((g) => ids(st2, g))).toEqual([1, 2, 3].map((g) => ids(r.st, g)));
  });

  it("gridPoint is the latest min_trials + j*every at or below the count", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 100 }),
        fc.nat(5000),
        (m, e, n) => {
          const g = gridPoint(
            {
              gain: 1,
              inTrials: 1,
              minTrials: m,
              every: e,
              minTailPoints: 1,
              confidence: 0.8,
              threshold: undefined,
            },
            n,
          );
          if (n < m) return g === undefined;
          return g !== undefined && g <= n && g >= m && (g - m) % e === 0 && g + e > n;
        },
      ),
    );
  });

  it("after a restart, evaluates again only at the next grid point after the last decision", async () => {
    const r = rig();
    for (let i = 1; i <= 4; i++) r.finish(i, "halton", i / 10);
    r.finish(5, "halton", 0.5); // while in flight: 5 search trials, grid point 4 only
    r.calls[0]?.settle(decision(false, 4, { atUnixMs: 100_000 }));
    await tick();
    await tick();
    expect(r.calls).toHaveLength(1);
    // A restarted coordinator rebuilds the count from the book: the last decision was at grid point 4
    // (only search trials that ended before it was asked count), so 5 trials are not due; 6 are.
    const again = rig(r.book, false);
    again.stopper.resume();
    expect(again.calls).toHaveLength(0);
    again.finish(6, "halton", 0.6);
    expect(again.calls).toHaveLength(1);
    expect(again.calls[0]?.snapshot.trials).toHaveLength(6);
  });

  it("counts as search only first-seed random or Halton trials that can be in the sample", () => {
    const r = rig();
    const ok = r.finish(1, "halton", 0.1);
    const list = r.finish(2, "list:algoperf-nadamw-5", 0.1);
    const rep = r.finish(3, "random", 0.1, 1);
    const ext = r.finish(4, "external:tpe", 0.1);
    expect([ok, list, rep, ext].map(countsAsSearch)).toEqual([true, false, false, false]);
  });
});
