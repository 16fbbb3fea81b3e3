// One error root: @nadir/worker rejects bad options with a WorkerError (closed code, path naming the
// option) before it opens any socket; TrialFailure and WorkerRefusedError are codes of the same root.
import { describe, expect, it } from "vitest";
import {
  NadirWorker,
  TrialFailure,
  WORKER_ERROR_CODES,
  WorkerError,
  type WorkerErrorCode,
  WorkerRefusedError,
} from "../src/index.js";

const train = async () => ({ step: 1, metrics: { loss: 0 } });

function expectCode(f: () => unknown, code: WorkerErrorCode, path: string): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(WorkerError);
  expect(WORKER_ERROR_CODES).toContain((err as WorkerError).code);
  expect((err as WorkerError).code).toBe(code);
  expect((err as WorkerError).path).toBe(path);
}

describe("WorkerError is the one root, with closed codes and paths", () => {
  it("NadirWorker: invalid_argument for the endpoint and the capacity", () => {
    expectCode(() => new NadirWorker({ endpoint: "http://x" }, train), "invalid_argument", "endpoint");
    for (const capacity of [0, 4097, 1.5])
      expectCode(
        () => new NadirWorker({ endpoint: "tcp://127.0.0.1:1", capacity }, train),
        "invalid_argument",
        "capacity",
      );
  });

  it("TrialFailure and WorkerRefusedError are WorkerErrors with their own codes", () => {
    const f = new TrialFailure(3, "out of memory");
    expect(f).toBeInstanceOf(WorkerError);
    expect([f.code, f.kind, f.message, f.name]).toEqual(["trial_failed", 3, "out of memory", "TrialFailure"]);
    const r = new WorkerRefusedError(2, "version");
    expect(r).toBeInstanceOf(WorkerError);
    expect([r.code, r.reason, r.name]).toEqual(["refused", 2, "WorkerRefusedError"]);
  });
});
