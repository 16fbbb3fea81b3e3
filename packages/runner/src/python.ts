/**
 * Finding the Python that runs the training workers, and checking it before any process is spawned.
 * Nothing here looks at a source tree: the interpreter is the one the user points at.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { RunnerError, type RunnerErrorOptions } from "./errors.js";

/** Where {@link resolvePython} found the interpreter. */
export type PythonSource = "--python" | "NADIR_PYTHON" | "VIRTUAL_ENV" | "PATH";

/**
 * The Python for workers, in this order: the explicit `flag` (`--python`), `$NADIR_PYTHON`, the active
 * virtual environment (`$VIRTUAL_ENV/bin/python`, `Scripts\python.exe` on Windows), then `python3` on PATH.
 */
export function resolvePython(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { python: string; source: PythonSource } {
  if (flag) return { python: flag, source: "--python" };
  if (env.NADIR_PYTHON) return { python: env.NADIR_PYTHON, source: "NADIR_PYTHON" };
  if (env.VIRTUAL_ENV) {
    const exe =
      process.platform === "win32"
        ? path.join(env.VIRTUAL_ENV, "Scripts", "python.exe")
        : path.join(env.VIRTUAL_ENV, "bin", "python");
    return { python: exe, source: "VIRTUAL_ENV" };
  }
  return { python: process.platform === "win32" ? "python" : "python3", source: "PATH" };
}

/** Raised when the worker Python cannot run the worker module (missing interpreter, SDK or extra). */
export class PythonWorkerError extends RunnerError {
  /**
   * @param message what to install
   * @param options the file or argument (`path`) and the underlying exception, if any
   */
  constructor(message: string, options?: RunnerErrorOptions) {
    super("python_worker", message, options);
  }
}

/**
 * Runs `python -m <module> ...args --check` and throws {@link PythonWorkerError} with a message that says
 * what to install when it fails: the interpreter cannot start, `nadir_worker` is not installed, or the
 * module reports a missing extra on stderr (its own `pip install` line). `install` is the pip argument
 * that provides the module, e.g. `nadir-worker[jax,examples]`.
 */
export function checkPythonModule(
  python: string,
  source: PythonSource,
  module: string,
  args: string[],
  install: string,
): void {
  const r = spawnSync(python, ["-m", module, ...args, "--check"], {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
  });
  const how = `give --python, set NADIR_PYTHON, or activate a virtual environment with pip install '${install}'`;
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code ?? r.error.message;
    throw new PythonWorkerError(`cannot start the worker Python ${python} (from ${source}): ${code}; ${how}`);
  }
  if (r.status === 0) return;
  const err = (r.stderr ?? "").trim();
  const last = err.split("\n").slice(-1)[0] ?? "";
  if (/No module named '?nadir_worker/.test(err))
    throw new PythonWorkerError(
      `${python} (from ${source}) has no ${module} (${last.replace(/^.*Error: /, "")}): pip install '${install}' into it, or ${how}`,
    );
  throw new PythonWorkerError(
    `${python} -m ${module} cannot run (exit ${r.status ?? r.signal}): ${last || "no output"}`,
  );
}
