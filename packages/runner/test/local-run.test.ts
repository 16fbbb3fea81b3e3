// runLocal with workers that cannot start (a real coordinator and journal, real spawn failures), and the
// order in which the worker Python is found.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { nadir } from "@nadir/protocol";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkPythonModule,
  LocalRunError,
  PythonWorkerError,
  resolvePython,
  runLocal,
} from "../src/index.js";

const dir = mkdtempSync(path.join(tmpdir(), "nadir-runner-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const study = nadir.v1.StudySpec.create({
  studyId: "spawn",
  objective: { metric: "loss", direction: nadir.v1.Direction.DIRECTION_MINIMIZE },
  budget: { maxTrials: 3, parallelism: 1 },
  stepBudget: 10,
});

describe("runLocal: workers that cannot start", () => {
  it("rejects with the spawn error instead of waiting forever", async () => {
    const err = await runLocal({
      runDir: path.join(dir, "run"),
      studies: [study],
      workers: 2,
      workerCommand: () => ({ command: path.join(dir, "no-such-python"), args: [] }),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LocalRunError);
    expect((err as Error).message).toContain("every worker process exited before the study finished");
    expect((err as Error).message).toContain(`cannot start ${path.join(dir, "no-such-python")}: spawn`);
    expect((err as Error).message).toContain("ENOENT");
  }, 20_000);

  it("one worker that starts and exits at once counts too (exit, not only spawn errors)", async () => {
    const err = await runLocal({
      runDir: path.join(dir, "run2"),
      studies: [study],
      workers: 1,
      workerCommand: () => ({
        command: process.execPath,
        args: ["-e", "console.error('boom'); process.exit(3)"],
      }),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LocalRunError);
    expect((err as Error).message).toContain("boom");
  }, 20_000);
});

describe("resolvePython", () => {
  it("takes --python, then $NADIR_PYTHON, then the active venv, then python3", () => {
    const env = { NADIR_PYTHON: "/opt/np", VIRTUAL_ENV: "/home/u/venv" };
    expect(resolvePython("/x/python", env)).toEqual({ python: "/x/python", source: "--python" });
    expect(resolvePython(undefined, env)).toEqual({ python: "/opt/np", source: "NADIR_PYTHON" });
    expect(resolvePython(undefined, { VIRTUAL_ENV: "/home/u/venv" })).toEqual({
      python: path.join("/home/u/venv", "bin", "python"),
      source: "VIRTUAL_ENV",
    });
    expect(resolvePython(undefined, {})).toEqual({ python: "python3", source: "PATH" });
  });

  it("checkPythonModule names the interpreter and what to install", () => {
    expect(() =>
      checkPythonModule(
        path.join(dir, "nope"),
        "--python",
        "nadir_worker.examples.digits",
        [],
        "nadir-worker[jax]",
      ),
    ).toThrow(PythonWorkerError);
    expect(() =>
      checkPythonModule(
        path.join(dir, "nope"),
        "--python",
        "nadir_worker.examples.digits",
        [],
        "nadir-worker[jax]",
      ),
    ).toThrow(
      /cannot start the worker Python .*nope \(from --python\): ENOENT; .*pip install 'nadir-worker\[jax\]'/,
    );
    // A real interpreter without the module: node stands in for a Python that has no nadir_worker.
    expect(() =>
      checkPythonModule(process.execPath, "PATH", "nadir_worker.no_such", [], "nadir-worker"),
    ).toThrow(PythonWorkerError);
  });
});
