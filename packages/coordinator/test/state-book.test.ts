/**
 * The state book alone: journal records in, state out, with no ZeroMQ, no sockets and an injected clock.
 * Replay equals live application, re-applied records change nothing, preemption re-queues (and fails
 * after MAX_PREEMPTED_ATTEMPTS), a compaction snapshot rebuilds the same state, and the incremental
 * counters and indexes always agree with a walk over every trial.
 */

import { nadir } from "@nadir/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JournalEntry, JournalRecord } from "../src/journal.js";
import {
  isRunning,
  isTerminal,
  MAX_PREEMPTED_ATTEMPTS,
  SequenceSet,
  StateBook,
  type TrialState,
} from "../src/state/book.js";
import { studyFromJson } from "../src/study.js";

const v1 = nadir.v1;
const S = v1.TrialState;

function spec(extra: Record<string, unknown> = {}): nadir.v1.StudySpec {
  return studyFromJson({
    studyId: "s",
    objective: { metric: "loss", direction: "DIRECTION_MINIMIZE" },
    budget: { maxTrials: 1000, parallelism: 8, maxAttemptsPerTrial: 2 },
    stepBudget: 100,
    searchSpace: {
      parameters: [{ name: "learning_rate", floatDomain: { min: 1e-4, max: 1e-2, scale: "SCALE_LOG" } }],
    },
    suggester: { kind: "sampler", sampler: { algorithm: "SAMPLER_ALGORITHM_HALTON", seed: 1 } },
    ...extra,
  });
}

const ref = (trialId: number, attempt: number) => ({ studyId: "s", trialId, attempt });
const m = (step: number, loss: number) => ({ step, elapsedSeconds: step / 10, metrics: { loss } });

/** Records as a file journal would give them back (sequence, time, decoded). */
function asRecords(entries: JournalEntry[]): JournalRecord[] {
  return entries.map((e, i) =>
    v1.JournalRecord.decode(
      v1.JournalRecord.encode({
        ...e,
        sequence: i + 1,
        recordedUnixMs: e.recordedUnixMs ?? 1000 + i,
      }).finish(),
    ),
  );
}

function book(clock = () => 0): StateBook {
  return new StateBook({ leaseMs: 1000, clock });
}

/** A comparable picture of a book: every trial's result, counts, points, queue order and indexes. */
function picture(b: StateBook): unknown {
  return [...b.studies.values()].map((st) => ({
    counts: b.counts(st),
    points: st.points,
    queue: st.queue.map((t) => t.id),
    results: [...st.trials.values()]
      .sort((a, c) => a.id - c.id)
      .map((t) => ({
        id: t.id,
        state: t.state,
        // For a queued trial, the attempt number its next assignment will carry.
        attempt:
          t.state === S.TRIAL_STATE_QUEUED
            ? t.reuseAttempt
              ? Math.max(1, t.attempt)
              : t.attempt + 1
            : t.attempt,
        replicate: t.replicate,
        listIndex: t.listIndex,
        workerId: t.workerId,
        failures: t.failures,
        final: t.final?.metrics?.loss,
        measurements: t.measurements.length,
      })),
    best: st.best?.raw,
  }));
}

/** The incremental counters and indexes agree with a walk over every trial. */
function checkIndexes(b: StateBook): void {
  const running = new Set<TrialState>();
  for (const st of b.studies.values()) {
    const byState = new Map<number, number>();
    const live = new Set<TrialState>();
    const stRunning = new Set<TrialState>();
    for (const t of st.trials.values()) {
      byState.set(t.state, (byState.get(t.state) ?? 0) + 1);
      if (!isTerminal(t.state)) live.add(t);
      if (isRunning(t.state)) {
        stRunning.add(t);
        running.add(t);
        expect(b.runningOf(t.workerId).has(t), `trial ${t.id} in its worker's index`).toBe(true);
      }
    }
    const c = b.counts(st);
    expect(c.queued).toBe(byState.get(S.TRIAL_STATE_QUEUED) ?? 0);
    expect(c.running).toBe(
      (byState.get(S.TRIAL_STATE_RUNNING) ?? 0) + (byState.get(S.TRIAL_STATE_STOPPING) ?? 0),
    );
    expect(c.completed).toBe(byState.get(S.TRIAL_STATE_COMPLETED) ?? 0);
    expect(c.failed).toBe(byState.get(S.TRIAL_STATE_FAILED) ?? 0);
    expect(c.pruned).toBe(byState.get(S.TRIAL_STATE_PRUNED) ?? 0);
    expect(c.abandoned).toBe(byState.get(S.TRIAL_STATE_ABANDONED) ?? 0);
    expect(st.live).toEqual(live);
    expect(st.running).toEqual(stRunning);
    // History: every trial once, in id order, with its current state.
    expect(st.history.map((h) => [h.trial?.trialId, h.state])).toEqual(
      [...st.trials.values()].sort((a, c2) => a.id - c2.id).map((t) => [t.id, t.state]),
    );
  }
  expect(b.running).toEqual(running);
}

/**
 * A random but protocol-shaped run: trials are created, assigned to workers w0..w3, report, complete,
 * fail, get preempted, rejected or stopped. Returns the entries in journal order.
 */
function simulate(ops: number[]): JournalEntry[] {
  const b = book();
  const out: JournalEntry[] = [];
  const apply = (e: JournalEntry): void => {
    out.push(e);
    b.apply(e, false);
  };
  apply({ studyCreated: spec({ replicates: 2 }) });
  let next = 1;
  let seq = 0;
  for (const op of ops) {
    const st = b.studies.get("s");
    if (!st) break;
    const running = [...st.running];
    const r = running[op % Math.max(1, running.length)];
    switch (op % 9) {
      case 0:
      case 1:
        apply({
          trialCreated: {
            trial: ref(next, 0),
            parameters: { learning_rate: { floatValue: 1e-3 } },
            seed: next,
            replicate: (next - 1) % 2,
            listIndex: Math.floor((next - 1) / 2),
          },
        });
        next += 1;
        break;
      case 2: {
        const t = st.queue[0];
        if (t)
          apply({
            attemptAssigned: {
              assignment: { trial: ref(t.id, t.reuseAttempt ? Math.max(1, t.attempt) : t.attempt + 1) },
              workerId: `w${op % 4}`,
            },
          });
        break;
      }
      case 3:
        if (r)
          apply({
            trialReport: { trial: ref(r.id, r.attempt), measurement: m(++seq, op / 7), sequence: seq },
          });
        break;
      case 4:
        if (r) apply({ trialCompleted: { trial: ref(r.id, r.attempt), final: m(100, op / 13) } });
        break;
      case 5:
        if (r)
          apply({
            trialFailed: {
              trial: ref(r.id, r.attempt),
              kind: v1.FailureKind.FAILURE_KIND_ERROR,
              message: "x",
            },
          });
        break;
      case 6:
        if (r)
          apply({
            trialEvent: { trial: ref(r.id, r.attempt), state: S.TRIAL_STATE_PREEMPTED, reason: "lost" },
          });
        break;
      case 7:
        if (r)
          apply({
            trialEvent: { trial: ref(r.id, r.attempt), state: S.TRIAL_STATE_QUEUED, reason: "rejected" },
          });
        break;
      case 8:
        if (r)
          apply({
            trialStopped: { trial: ref(r.id, r.attempt), reason: v1.StopReason.STOP_REASON_CANCELLED },
          });
        break;
    }
  }
  return out;
}

describe("state book", () => {
  it("replay of the records gives the state live application gave, and the indexes agree with a walk", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { maxLength: 300 }), (ops) => {
        const entries = simulate(ops);
        const live = book();
        for (const e of entries) live.apply(e, false);
        checkIndexes(live);
        const replayed = book();
        for (const r of asRecords(entries)) replayed.applyRecord(r);
        checkIndexes(replayed);
        expect(picture(replayed)).toEqual(picture(live));
      }),
      { numRuns: 60 },
    );
  });

  it("re-applying every record (a duplicate delivery or a replay over live state) changes nothing", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { maxLength: 200 }), (ops) => {
        const records = asRecords(simulate(ops));
        const once = book();
        const twice = book();
        for (const r of records) once.applyRecord(r);
        for (const r of records) {
          twice.applyRecord(r);
          twice.applyRecord(r);
        }
        checkIndexes(twice);
        expect(picture(twice)).toEqual(picture(once));
      }),
      { numRuns: 60 },
    );
  });

  it("a compaction snapshot rebuilds the same trials, counts, list position and replicates", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { maxLength: 300 }), (ops) => {
        const live = book();
        for (const r of asRecords(simulate(ops))) live.applyRecord(r);
        const { entries } = live.snapshotEntries();
        const rebuilt = book();
        for (const r of asRecords(entries)) rebuilt.applyRecord(r);
        checkIndexes(rebuilt);
        const strip = (p: unknown) =>
          (p as { results: { state: number; workerId: string; measurements: number }[] }[]).map((s) => ({
            ...s,
            // Queue order of re-queued trials is not kept by a snapshot (they are re-created in id order),
            // nor the last worker and reports of a lost attempt (its next assignment resets both).
            queue: undefined,
            // A finished trial's failure count no longer matters (it only limits further attempts).
            results: s.results.map((r) =>
              r.state === S.TRIAL_STATE_QUEUED
                ? { ...r, workerId: "", measurements: 0 }
                : isTerminal(r.state)
                  ? { ...r, failures: 0 }
                  : r,
            ),
          }));
        expect(strip(picture(rebuilt))).toEqual(strip(picture(live)));
      }),
      { numRuns: 60 },
    );
  });

  it("keeps replicate and list position through a snapshot (3 points x 2 replicates = 3 points, not 6)", () => {
    const b = book();
    b.apply({ studyCreated: spec({ replicates: 2 }) }, false);
    for (let id = 1; id <= 6; id++) {
      b.apply(
        {
          trialCreated: {
            trial: ref(id, 0),
            parameters: {},
            seed: id,
            replicate: (id - 1) % 2,
            listIndex: Math.floor((id - 1) / 2),
          },
        },
        false,
      );
      b.apply({ attemptAssigned: { assignment: { trial: ref(id, 1) }, workerId: "w" } }, false);
      b.apply({ trialCompleted: { trial: ref(id, 1), final: m(100, id) } }, false);
    }
    const rebuilt = book();
    for (const r of asRecords(b.snapshotEntries().entries)) rebuilt.applyRecord(r);
    const st = rebuilt.studies.get("s");
    expect(st?.points).toBe(3);
    expect([...(st?.trials.values() ?? [])].map((t) => [t.replicate, t.listIndex])).toEqual([
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
      [0, 2],
      [1, 2],
    ]);
    expect(rebuilt.counts(st as never).best).toBe(1);
  });

  it("re-queues a preempted attempt first, fails the trial after MAX_PREEMPTED_ATTEMPTS, and tells the shell", () => {
    const released: number[] = [];
    const b = new StateBook({ leaseMs: 1000, clock: () => 0, onRelease: (t) => released.push(t.attempt) });
    b.apply({ studyCreated: spec() }, false);
    b.apply({ trialCreated: { trial: ref(1, 0), parameters: {} } }, false);
    b.apply({ trialCreated: { trial: ref(2, 0), parameters: {} } }, false);
    const st = b.studies.get("s");
    if (!st) throw new Error("no study");
    for (let a = 1; a <= MAX_PREEMPTED_ATTEMPTS; a++) {
      b.apply({ attemptAssigned: { assignment: { trial: ref(1, a) }, workerId: "w" } }, false);
      expect(b.runningOf("w").size).toBe(1);
      b.apply({ trialEvent: { trial: ref(1, a), state: S.TRIAL_STATE_PREEMPTED, reason: "lost" } }, false);
      expect(b.runningOf("w").size).toBe(0);
      if (a < MAX_PREEMPTED_ATTEMPTS) expect(st.queue.map((t) => t.id)).toEqual([1, 2]);
    }
    const t1 = st.trials.get(1);
    expect(t1?.state).toBe(S.TRIAL_STATE_FAILED);
    expect(t1?.message).toMatch(/20 attempts lost to preemption/);
    expect(released).toEqual(Array.from({ length: MAX_PREEMPTED_ATTEMPTS }, (_, i) => i + 1));
    expect(st.queue.map((t) => t.id)).toEqual([2]);
  });

  it("a preempted attempt that was stopping for pruning ends PRUNED, not re-run", () => {
    const b = book();
    b.apply(
      {
        studyCreated: spec({
          earlyStopping: { median: { warmupSteps: 1, minTrials: 1 } },
        }),
      },
      false,
    );
    // Trial 1 completes with a low loss; trial 2 reports a worse one and is stopped by the median rule.
    b.apply({ trialCreated: { trial: ref(1, 0), parameters: {} } }, false);
    b.apply({ attemptAssigned: { assignment: { trial: ref(1, 1) }, workerId: "a" } }, false);
    b.apply({ trialReport: { trial: ref(1, 1), measurement: m(10, 0.1), sequence: 1 } }, false);
    b.apply({ trialCompleted: { trial: ref(1, 1), final: m(100, 0.05) } }, false);
    b.apply({ trialCreated: { trial: ref(2, 0), parameters: {} } }, false);
    b.apply({ attemptAssigned: { assignment: { trial: ref(2, 1) }, workerId: "b" } }, false);
    const stop = b.apply({ trialReport: { trial: ref(2, 1), measurement: m(10, 5), sequence: 1 } }, false);
    const t2 = b.studies.get("s")?.trials.get(2);
    if (stop) {
      expect(stop.stop).toBe(v1.StopReason.STOP_REASON_PRUNED);
      expect(t2?.state).toBe(S.TRIAL_STATE_STOPPING);
      b.apply({ trialEvent: { trial: ref(2, 1), state: S.TRIAL_STATE_PREEMPTED, reason: "lost" } }, false);
      expect(t2?.state).toBe(S.TRIAL_STATE_PRUNED);
      expect(t2?.message).toMatch(/worker lost before it stopped/);
    } else {
      // The study's stopper did not fire on this spec: the test must not pass vacuously.
      throw new Error("expected the median stopper to stop trial 2");
    }
  });

  it("leases come from the injected clock and only running attempts are checked", () => {
    let now = 5000;
    const b = book(() => now);
    b.apply({ studyCreated: spec() }, false);
    for (let id = 1; id <= 3; id++) b.apply({ trialCreated: { trial: ref(id, 0), parameters: {} } }, false);
    b.apply({ attemptAssigned: { assignment: { trial: ref(1, 1) }, workerId: "w" } }, false);
    b.apply({ attemptAssigned: { assignment: { trial: ref(2, 1) }, workerId: "w" } }, false);
    const [t1, t2] = [1, 2].map((id) => b.studies.get("s")?.trials.get(id) as TrialState);
    expect(t1?.leaseExpires).toBe(6000);
    now = 5800;
    b.renewLease(t2 as TrialState);
    now = 6500;
    expect(b.expiredLeases().map((t) => t.id)).toEqual([1]);
    expect(b.running.size).toBe(2);
  });

  it("counts and progress of a 20,000-trial study come from counters, not walks", () => {
    const b = book();
    b.apply({ studyCreated: spec({ budget: { maxTrials: 20_000 } }) }, false);
    for (let id = 1; id <= 20_000; id++) {
      b.apply({ trialCreated: { trial: ref(id, 0), parameters: {} } }, false);
      b.apply({ attemptAssigned: { assignment: { trial: ref(id, 1) }, workerId: `w${id % 64}` } }, false);
      if (id <= 19_936) b.apply({ trialCompleted: { trial: ref(id, 1), final: m(100, id) } }, false);
    }
    const st = b.studies.get("s");
    if (!st) throw new Error("no study");
    // 64 left running, one per worker id; the indexes hold exactly those.
    expect(b.running.size).toBe(64);
    expect(st.live.size).toBe(64);
    expect(b.runningOf("w5").size).toBe(1);
    expect(b.counts(st)).toMatchObject({ completed: 19_936, running: 64, created: 20_000, best: 1 });
    checkIndexes(b);
  });

  it("SequenceSet answers exactly as a plain set of the numbers seen (any order, duplicates, gaps)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 400 }), (seqs) => {
        const set = new SequenceSet();
        const ref = new Set<number>();
        for (const q of seqs) {
          expect(set.has(q)).toBe(ref.has(q));
          set.add(q);
          ref.add(q);
        }
        for (let q = 1; q <= 301; q++) expect(set.has(q)).toBe(ref.has(q));
      }),
      { numRuns: 300 },
    );
  });
});
