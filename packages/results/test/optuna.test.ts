/**
 * Optuna studies written by the real Optuna inside this test (a TPE study, and a random-search study with
 * Optuna's MedianPruner and a failing trial), imported by @nadir/adapter-optuna and selected: the TPE
 * import warns that its trials are not i.i.d. draws; the random one keeps its pruned and failed trials
 * apart, trial for trial as Optuna's own live Study objects report them.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { nadirPython, readOptunaJournal, readOptunaStorage } from "@nadir/adapter-optuna";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectIid, tableFromOptuna } from "../src/index.js";

const SCRIPT = String.raw`
import json, sys
import optuna
from optuna.storages.journal import JournalFileBackend
optuna.logging.set_verbosity(optuna.logging.ERROR)
out = sys.argv[1]
storage = optuna.storages.JournalStorage(JournalFileBackend(out + "/study.log"))

tpe = optuna.create_study(study_name="tpe", storage=storage, sampler=optuna.samplers.TPESampler(seed=1))
tpe.optimize(lambda t: (t.suggest_float("x", -3, 3) - 1) ** 2 + 0.1, n_trials=20)

rnd = optuna.create_study(study_name="rnd", storage=storage, sampler=optuna.samplers.RandomSampler(seed=2),
                          pruner=optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=2))
def objective(t):
    x = t.suggest_float("x", -3, 3)
    if t.number == 5:
        raise ValueError("this point crashes")
    for step in range(10):
        t.report((x - 1) ** 2 + 1 / (step + 1), step)
        if t.should_prune():
            raise optuna.TrialPruned()
    return (x - 1) ** 2 + 0.1
rnd.optimize(objective, n_trials=25, catch=(ValueError,))

ref = {s.study_name: [{"number": t.number, "state": t.state.name, "value": t.value} for t in s.get_trials()]
       for s in (tpe, rnd)}
sq = optuna.copy_study(from_study_name="tpe", from_storage=storage, to_storage="sqlite:///" + out + "/tpe.db")
json.dump(ref, open(out + "/reference.json", "w"))
`;

interface Ref {
  number: number;
  state: string;
  value: number | null;
}
let dir: string;
let ref: Record<"tpe" | "rnd", Ref[]>;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "nadir-results-optuna-"));
  const py = nadirPython();
  const proc = spawnSync(py, ["-c", SCRIPT, dir], { encoding: "utf8" });
  if (proc.error || proc.status !== 0)
    throw new Error(
      `Optuna did not run with ${py} (set NADIR_PYTHON): ${proc.error?.message ?? proc.stderr}`,
    );
  ref = JSON.parse(readFileSync(path.join(dir, "reference.json"), "utf8"));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VAL = { metric: "value", direction: "minimize" } as const;
const numbers = (state: string, study: "tpe" | "rnd") =>
  ref[study].filter((t) => t.state === state).map((t) => t.number);

describe("imported Optuna studies", () => {
  it("a TPE study told its sampler: analysed, with a warning that TPE's trials are not i.i.d. draws", () => {
    const records = readOptunaJournal(
      { file: path.join(dir, "study.log") },
      { study: "tpe", sampler: "TPESampler" },
    );
    expect(new Set(records.map((r) => r.source))).toEqual(new Set(["imported:tpe"]));
    const sel = selectIid(tableFromOptuna(records), VAL);
    expect(sel.scores).toEqual(ref.tpe.map((t) => t.value));
    expect(sel.summary.warnings.map((w) => [w.code, w.count])).toEqual([["imported_not_random", 20]]);
    expect(sel.summary.warnings[0]?.message).toMatch(/non-random sampler: tpe \(20\)/);
    // The RDB path (Optuna itself reads the SQLite copy) gives the same selection.
    const viaSqlite = readOptunaStorage(`sqlite:///${path.join(dir, "tpe.db")}`, {
      study: "tpe",
      sampler: "tpe",
    });
    const sel2 = selectIid(tableFromOptuna(viaSqlite), VAL);
    expect(sel2.scores).toEqual(sel.scores);
    expect(sel2.summary.warnings).toEqual(sel.summary.warnings);
  });

  it("the same study without its sampler: a warning that the sampler is unknown (Optuna's default is TPE)", () => {
    const records = readOptunaJournal({ file: path.join(dir, "study.log") }, { study: "tpe" });
    const sel = selectIid(tableFromOptuna(records), VAL);
    expect(sel.scores.length).toBe(20);
    expect(sel.summary.warnings.map((w) => w.code)).toEqual(["imported_sampler_unknown"]);
  });

  it("a random search with MedianPruner: pruned trials censored and apart, the failed one left out, both warned", () => {
    const records = readOptunaJournal(
      { file: path.join(dir, "study.log") },
      { study: "rnd", sampler: "random" },
    );
    const sel = selectIid(tableFromOptuna(records), VAL);
    const pruned = numbers("PRUNED", "rnd");
    const failed = numbers("FAIL", "rnd");
    expect(pruned.length).toBeGreaterThan(0);
    expect(failed).toEqual([5]);
    expect(sel.sampleTrials.map((t) => t.trial)).toEqual(numbers("COMPLETE", "rnd"));
    expect(sel.scores).toEqual(ref.rnd.filter((t) => t.state === "COMPLETE").map((t) => t.value));
    const g = (name: string) => sel.summary.groups.find((x) => x.group === name);
    expect(g("pruned")?.trials).toEqual(pruned);
    expect(g("failed")).toMatchObject({ trials: [5], in_sample: false });
    expect(sel.summary.warnings.map((w) => [w.code, w.count])).toEqual([
      ["stopper_selected", pruned.length],
      ["failed_left_out", 1],
    ]);
    // Declaring the worst score (an upper bound, minimizing) counts the failed trial there.
    const bounded = selectIid(tableFromOptuna(records), { ...VAL, lower: 0, upper: 20 });
    expect(bounded.scores.filter((s) => s === 20).length).toBe(1);
    expect(bounded.summary.warnings.map((w) => w.code)).toEqual(["stopper_selected"]);
  });
});
