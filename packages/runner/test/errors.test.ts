/** The runner's typed errors share one root, RunnerError, keep their names (the CLI maps them by name) and carry a code. */
import { describe, expect, it } from "vitest";
import {
  LocalRunError,
  loadReplayDataset,
  PythonWorkerError,
  ReplayDataError,
  RUNNER_ERROR_CODES,
  RunnerError,
} from "../src/index.js";

describe("RunnerError", () => {
  it("subclasses keep their names and codes", () => {
    for (const [e, name, code] of [
      [new LocalRunError("x"), "LocalRunError", "local_run"],
      [new ReplayDataError("x"), "ReplayDataError", "replay_data"],
      [new PythonWorkerError("x"), "PythonWorkerError", "python_worker"],
    ] as const) {
      expect(e).toBeInstanceOf(RunnerError);
      expect(e.name).toBe(name);
      expect(e.code).toBe(code);
      expect(RUNNER_ERROR_CODES).toContain(code);
    }
  });

  it("an unknown replay dataset throws ReplayDataError with path name", () => {
    try {
      loadReplayDataset("no-such-dataset");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ReplayDataError);
      expect((err as RunnerError).code).toBe("replay_data");
      expect((err as RunnerError).path).toBe("name");
    }
  });
});
