/**
 * A real Optuna scenario, written by Optuna itself inside the test run (no hand-made fixtures pretending to
 * be Optuna output). Shared by this package's tests and by the `nadir import optuna` CLI test.
 *
 * The script runs with $NADIR_PYTHON (the test config defaults it to <repo>/.venv/bin/python, which needs nadir-worker[optuna]),
 * writes the same scenario into a journal file and a SQLite database, and dumps what Optuna's own live
 * Study objects say about every trial: the reference the importers are checked against.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { nadirPython } from "../src/index.js";
import { parsePythonJson } from "../src/journal.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

// The scenario: list injection (user attr nadir_list_index), float/log/int/categorical parameters,
// intermediate values including NaN and Infinity, a pruned, a failed, a waiting and a running trial,
// a second study, a deleted study and a multi-objective study.
const SCENARIO = String.raw`
import json, math, sys
import optuna
from optuna.storages.journal import JournalFileBackend
from nadir_worker.adapters import load_list
from nadir_worker.adapters.optuna import enqueue_list
optuna.logging.set_verbosity(optuna.logging.ERROR)
out_dir = sys.argv[1]

def scenario(storage):
    ref = {}
    gone = optuna.create_study(study_name="gone", storage=storage)
    gone.optimize(lambda t: t.suggest_float("z", 0, 1), n_trials=1)
    optuna.delete_study(study_name="gone", storage=storage)
    exp = optuna.create_study(study_name="exp", storage=storage, direction="maximize",
                              sampler=optuna.samplers.RandomSampler(seed=3))
    enqueue_list(exp, load_list([
        {"lr": 0.001, "layers": 2, "act": "relu", "drop": 0.1},
        {"lr": 0.02, "layers": 3, "act": "tanh", "drop": 0.0},
    ]))
    def obj(trial):
        lr = trial.suggest_float("lr", 1e-4, 1.0, log=True)
        layers = trial.suggest_int("layers", 1, 4)
        act = trial.suggest_categorical("act", ["relu", "tanh", "gelu"])
        drop = trial.suggest_categorical("drop", [0.0, 0.1])
        trial.report(lr, 10)
        trial.report(float("nan") if trial.number == 1 else lr * 2, 20)
        trial.report(float("inf") if trial.number == 2 else lr * 3, 30)
        if trial.number == 3:
            raise optuna.TrialPruned()
        if trial.number == 4:
            raise RuntimeError("boom")
        return -abs(math.log10(lr) + 2.5) + layers * 0.01 + drop
    exp.optimize(obj, n_trials=6, catch=(RuntimeError,))
    running = exp.ask()                     # stays RUNNING
    running.suggest_float("lr", 1e-4, 1.0, log=True)
    exp.enqueue_trial({"lr": 0.5})          # stays WAITING
    other = optuna.create_study(study_name="other", storage=storage)
    other.optimize(lambda t: t.suggest_int("k", 0, 9) ** 2, n_trials=2)
    mo = optuna.create_study(study_name="mo", storage=storage, directions=["minimize", "maximize"])
    mo.optimize(lambda t: (t.suggest_float("a", 0, 1), float("inf")), n_trials=2)
    for s in (exp, other, mo):
        ref[s.study_name] = [
            {"number": t.number, "state": t.state.name, "values": t.values, "params": t.params,
             "intermediate": sorted([int(k), v] for k, v in t.intermediate_values.items()),
             "list_index": t.user_attrs.get("nadir_list_index")}
            for t in s.get_trials(deepcopy=False)
        ]
    return ref

journal = optuna.storages.JournalStorage(JournalFileBackend(out_dir + "/study.log"))
ref = {"journal": scenario(journal), "sqlite": scenario("sqlite:///" + out_dir + "/study.db")}
with open(out_dir + "/reference.json", "w") as f:
    json.dump(ref, f, allow_nan=True)
`;

/** One trial as Optuna's live Study reports it. */
export interface RefTrial {
  number: number;
  state: string;
  values: number[] | null;
  params: Record<string, unknown>;
  intermediate: [number, number][];
  list_index: number | null;
}
/** The reference for both storages, by study name. */
export type Reference = Record<"journal" | "sqlite", Record<string, RefTrial[]>>;

/** The files the scenario wrote and Optuna's own view of them. */
export interface OptunaScenario {
  dir: string;
  journalFile: string;
  sqliteUrl: string;
  ref: Reference;
}

/** Run the scenario into a fresh temporary directory; throws with the interpreter's stderr if it fails. */
export function runOptunaScenario(): OptunaScenario {
  const dir = mkdtempSync(path.join(tmpdir(), "nadir-optuna-"));
  const py = nadirPython();
  const proc = spawnSync(py, ["-c", SCENARIO, dir], { encoding: "utf8", cwd: repoRoot });
  if (proc.error || proc.status !== 0) {
    throw new Error(
      `the Optuna scenario did not run with ${py} (it needs nadir-worker[optuna]; set NADIR_PYTHON): ` +
        `${proc.error?.message ?? proc.stderr}`,
    );
  }
  return {
    dir,
    journalFile: path.join(dir, "study.log"),
    sqliteUrl: `sqlite:///${path.join(dir, "study.db")}`,
    ref: parsePythonJson(readFileSync(path.join(dir, "reference.json"), "utf8")) as Reference,
  };
}
