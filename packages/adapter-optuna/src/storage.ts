/**
 * Optuna RDB storages (sqlite:///path.db or any SQLAlchemy URL) through the Python SDK.
 *
 * Node 20 has no SQLite driver built in, and an RDB storage's schema is Optuna's private, versioned
 * business (alembic migrations, a different layout per Optuna release). Reading it with Optuna itself is
 * the only reader that stays right across releases, so this runs
 * `python -m nadir_worker.adapters.optuna export` and parses the JSON Lines it prints. Both paths of this
 * package produce the same records, which the tests check on studies written by real Optuna.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { OptunaImportError } from "./errors.js";
import { type TrialRecord, withSampler } from "./records.js";

/**
 * The Python interpreter used for RDB storages: $NADIR_PYTHON, else the active virtual environment's
 * (`$VIRTUAL_ENV/bin/python`), else `python3` on PATH. It needs `nadir-worker[optuna]`.
 */
export function nadirPython(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NADIR_PYTHON) return env.NADIR_PYTHON;
  if (env.VIRTUAL_ENV)
    return process.platform === "win32"
      ? path.join(env.VIRTUAL_ENV, "Scripts", "python.exe")
      : path.join(env.VIRTUAL_ENV, "bin", "python");
  return process.platform === "win32" ? "python" : "python3";
}

/** Options of {@link readOptunaStorage}. */
export interface ReadOptunaStorageOptions {
  /** The study to read. */
  study: string;
  /** The Python interpreter to run; default {@link nadirPython}(). */
  python?: string;
  /** The sampler the study used, when known: records then carry `source: imported:<sampler>`. */
  sampler?: string;
}

/**
 * Every trial of one study in an Optuna RDB storage, as Nadir records in trial-number order, read by
 * `python -m nadir_worker.adapters.optuna export --storage <url> --study <name>`.
 *
 * Throws OptunaImportError of kind "input" with the exporter's own message when it rejects the storage or
 * the study (its exit code 1: no such database, no such study, with the names there are), and of kind
 * "environment" when the interpreter cannot be started or fails otherwise (the message names it and ends
 * with the last 800 characters of its stderr).
 */
export function readOptunaStorage(storage: string, options: ReadOptunaStorageOptions): TrialRecord[] {
  const python = options.python ?? nadirPython();
  const argv = [
    "-m",
    "nadir_worker.adapters.optuna",
    "export",
    "--storage",
    storage,
    "--study",
    options.study,
  ];
  const proc = spawnSync(python, argv, { encoding: "utf8", maxBuffer: 1 << 30 });
  if (proc.error) {
    throw new OptunaImportError(
      "python_unavailable",
      `cannot run ${python} (set NADIR_PYTHON to a Python with nadir-worker[optuna] installed): ${proc.error.message}`,
    );
  }
  if (proc.status === 1)
    throw new OptunaImportError("storage_rejected", proc.stderr.trim().replace(/^error: /, ""));
  if (proc.status !== 0) {
    throw new OptunaImportError(
      "python_failed",
      `${python} -m nadir_worker.adapters.optuna export failed (exit ${proc.status}): ${proc.stderr.trim().slice(-800)}`,
    );
  }
  const records = proc.stdout
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => {
      const r = JSON.parse(l) as TrialRecord & Record<string, unknown>;
      // The flat param.* columns are derived from `params` when writing; keep the record canonical.
      for (const k of Object.keys(r)) if (k.startsWith("param.")) delete r[k];
      return r as TrialRecord;
    });
  return withSampler(records, options.sampler);
}
