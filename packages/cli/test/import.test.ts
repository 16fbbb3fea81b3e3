/**
 * `nadir import optuna` on studies written by the real Optuna inside this test (no hand-made fixtures).
 *
 * A Python script (run with $NADIR_PYTHON, default <repo>/.venv/bin/python, which needs
 * nadir-worker[optuna]) runs the same scenario into a journal file and a SQLite database, and dumps what
 * Optuna's own live Study objects say about every trial. The TypeScript journal replay, the Python
 * export (used for SQLite) and that reference must all agree.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import {
  exportViaPython,
  isoUtcMicros,
  journalRecords,
  journalStudyNames,
  nadirPython,
  parsePythonJson,
  recordsToCsv,
  replayOptunaJournal,
  type TrialRecord,
} from "../src/commands/import.js";
import { main } from "../src/main.js";

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

interface RefTrial {
  number: number;
  state: string;
  values: number[] | null;
  params: Record<string, unknown>;
  intermediate: [number, number][];
  list_index: number | null;
}
type Reference = Record<"journal" | "sqlite", Record<string, RefTrial[]>>;

let dir = "";
let ref: Reference;
const journalFile = () => path.join(dir, "study.log");
const sqliteUrl = () => `sqlite:///${path.join(dir, "study.db")}`;

const toNum = (v: number | string | null): number | null => (v === null ? null : Number(v));

function expectMatchesReference(records: TrialRecord[], reference: RefTrial[]): void {
  expect(records.map((r) => r.trial)).toEqual(reference.map((t) => t.number));
  for (const [i, t] of reference.entries()) {
    const r = records[i] as TrialRecord;
    expect(r.source_state).toBe(t.state);
    expect(r.params).toEqual(t.params);
    expect(r.list_index).toBe(t.list_index ?? null);
    expect(toNum(r.value)).toEqual(t.values === null ? null : t.values[0]);
    if (t.values !== null && t.values.length > 1) expect(r.values?.map((v) => Number(v))).toEqual(t.values);
    expect(r.intermediate.map(([s, v]) => [s, Number(v)])).toEqual(t.intermediate);
  }
}

async function runCli(args: string[]): Promise<{ code: number; stderr: string }> {
  const chunks: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string | Uint8Array) => {
    chunks.push(String(s));
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(["node", "nadir", ...args]);
    return { code, stderr: chunks.join("") };
  } finally {
    process.stderr.write = orig;
  }
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "nadir-import-"));
  const py = nadirPython();
  const proc = spawnSync(py, ["-c", SCENARIO, dir], { encoding: "utf8", cwd: repoRoot });
  if (proc.error || proc.status !== 0) {
    throw new Error(
      `the Optuna scenario did not run with ${py} (it needs nadir-worker[optuna]; set NADIR_PYTHON): ` +
        `${proc.error?.message ?? proc.stderr}`,
    );
  }
  ref = parsePythonJson(readFileSync(path.join(dir, "reference.json"), "utf8")) as Reference;
});

describe("journal replay in TypeScript", () => {
  it("sees the studies Optuna sees (deleted one gone)", () => {
    const j = replayOptunaJournal(readFileSync(journalFile(), "utf8"));
    expect(journalStudyNames(j)).toEqual(["exp", "other", "mo"]);
    expect(j.truncatedTail).toBe(false);
  });

  it("matches Optuna's live trials for every study", () => {
    const j = replayOptunaJournal(readFileSync(journalFile(), "utf8"));
    for (const name of ["exp", "other", "mo"]) {
      expectMatchesReference(journalRecords(j, name), ref.journal[name] as RefTrial[]);
    }
    const exp = journalRecords(j, "exp");
    expect(exp.map((r) => r.state)).toEqual([
      "COMPLETED",
      "COMPLETED",
      "COMPLETED",
      "PRUNED",
      "FAILED",
      "COMPLETED",
      "RUNNING",
      "QUEUED",
    ]);
    expect(exp[1]?.intermediate[1]).toEqual([20, "NaN"]);
    expect(exp[2]?.intermediate[2]).toEqual([30, "Infinity"]);
    expect(exp[7]?.started).toBeNull();
    expect(exp[0]?.started).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
  });

  it("is record-for-record what Optuna's own replay exports (python -m nadir_worker.adapters.optuna)", () => {
    const py = spawnSync(
      nadirPython(),
      ["-m", "nadir_worker.adapters.optuna", "export", "--journal", journalFile(), "--study", "exp"],
      { encoding: "utf8" },
    );
    expect(py.status, py.stderr).toBe(0);
    const fromPython = py.stdout
      .trim()
      .split("\n")
      .map((l) => {
        const r = JSON.parse(l) as Record<string, unknown>;
        for (const k of Object.keys(r)) if (k.startsWith("param.")) delete r[k];
        return r;
      });
    const j = replayOptunaJournal(readFileSync(journalFile(), "utf8"));
    expect(journalRecords(j, "exp")).toEqual(fromPython);
  });

  it("skips an unfinished last line and rejects a broken middle line", () => {
    const text = readFileSync(journalFile(), "utf8");
    const partial = `${text}{"op_code":4,"worker_id":"w","stu`;
    const j = replayOptunaJournal(partial);
    expect(j.truncatedTail).toBe(true);
    expect(journalRecords(j, "exp")).toHaveLength(8);
    const lines = text.split("\n");
    lines.splice(3, 0, "{not json");
    expect(() => replayOptunaJournal(lines.join("\n"))).toThrow(/journal line 4: not valid JSON/);
    expect(() => replayOptunaJournal('{"op_code":42}\n')).toThrow(/unknown op_code 42/);
    expect(() => journalRecords(j, "nope")).toThrow(
      /no study named "nope"; the journal has \["exp","other","mo"\]/,
    );
  });
});

describe("SQLite through the Python bridge", () => {
  it("matches Optuna's live trials", () => {
    for (const name of ["exp", "other", "mo"]) {
      expectMatchesReference(exportViaPython(sqliteUrl(), name), ref.sqlite[name] as RefTrial[]);
    }
  });
});

describe("nadir import optuna (CLI)", () => {
  it("writes JSON Lines from a journal and CSV from SQLite", async () => {
    const outJ = path.join(dir, "j.jsonl");
    const r1 = await runCli([
      "import",
      "optuna",
      "--journal",
      journalFile(),
      "--study",
      "exp",
      "--out",
      outJ,
    ]);
    expect(r1.code).toBe(0);
    expect(r1.stderr).toContain("imported 8 trials (4 completed, 1 pruned, 1 failed, 1 running, 1 queued)");
    const rows = readFileSync(outJ, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(8);
    expect(rows[0]?.["param.lr"]).toBe(0.001);
    expect(rows[0]?.list_index).toBe(0);

    const outC = path.join(dir, "s.csv");
    const r2 = await runCli(["import", "optuna", "--storage", sqliteUrl(), "--study", "exp", "--out", outC]);
    expect(r2.code).toBe(0);
    const csv = readFileSync(outC, "utf8").trim().split("\n");
    expect(csv[0]).toBe(
      "source,study,trial,state,source_state,value,list_index,started,completed,param.act,param.drop,param.layers,param.lr",
    );
    expect(csv).toHaveLength(9);
    const first = csv[1]?.split(",") ?? [];
    expect(first.slice(0, 7)).toEqual([
      "optuna",
      "exp",
      "0",
      "COMPLETED",
      "COMPLETE",
      String(ref.sqlite.exp?.[0]?.values?.[0]),
      "0",
    ]);
    expect(first.slice(9)).toEqual(["relu", "0.1", "2", "0.001"]);
  });

  it("exits 1 on invalid input and 2 on usage errors, with precise messages", async () => {
    const missing = await runCli(["import", "optuna", "--journal", journalFile(), "--study", "zzz"]);
    expect(missing).toEqual({
      code: 1,
      stderr: 'nadir import optuna: no study named "zzz"; the journal has ["exp","other","mo"]\n',
    });
    const noFile = await runCli([
      "import",
      "optuna",
      "--journal",
      path.join(dir, "absent.log"),
      "--study",
      "exp",
    ]);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain("absent.log does not exist");
    const noDb = await runCli([
      "import",
      "optuna",
      "--storage",
      `sqlite:///${dir}/absent.db`,
      "--study",
      "exp",
    ]);
    expect(noDb.code).toBe(1);
    expect(noDb.stderr).toContain("absent.db' does not exist");
    const sqlMissing = await runCli(["import", "optuna", "--storage", sqliteUrl(), "--study", "zzz"]);
    expect(sqlMissing.code).toBe(1);
    expect(sqlMissing.stderr).toContain("no study named 'zzz'; the storage has ['exp', 'other', 'mo']");
    const both = await runCli([
      "import",
      "optuna",
      "--journal",
      journalFile(),
      "--storage",
      sqliteUrl(),
      "--study",
      "exp",
    ]);
    expect(both).toEqual({
      code: 2,
      stderr: "nadir import optuna: give exactly one of --storage <url> or --journal <file>\n",
    });
    const fmt = await runCli([
      "import",
      "optuna",
      "--journal",
      journalFile(),
      "--study",
      "exp",
      "--format",
      "xml",
    ]);
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toContain('--format must be jsonl or csv, got "xml"');
    const saved = process.env.NADIR_PYTHON;
    process.env.NADIR_PYTHON = path.join(dir, "no-such-python");
    try {
      const noPy = await runCli(["import", "optuna", "--storage", sqliteUrl(), "--study", "exp"]);
      expect(noPy.code).toBe(2);
      expect(noPy.stderr).toContain("set NADIR_PYTHON");
    } finally {
      if (saved === undefined) delete process.env.NADIR_PYTHON;
      else process.env.NADIR_PYTHON = saved;
    }
  });
});

describe("helpers", () => {
  it("parsePythonJson reads Python's non-finite tokens but not inside strings", () => {
    expect(parsePythonJson('{"a":NaN,"b":[Infinity,-Infinity],"c":"NaN Infinity"}')).toEqual({
      a: Number.NaN,
      b: [Infinity, -Infinity],
      c: "NaN Infinity",
    });
  });

  it("isoUtcMicros converts offsets to UTC and keeps microseconds", () => {
    expect(isoUtcMicros("2026-01-01T01:30:00.123456+02:00", "t")).toBe("2025-12-31T23:30:00.123456+00:00");
    expect(isoUtcMicros("2026-03-04T05:06:07Z", "t")).toBe("2026-03-04T05:06:07.000000+00:00");
    expect(() => isoUtcMicros("yesterday", "t")).toThrow(/cannot read timestamp "yesterday"/);
  });

  it("recordsToCsv quotes cells that need it", () => {
    const rec: TrialRecord = {
      source: "optuna",
      study: "s,1",
      trial: 0,
      state: "COMPLETED",
      source_state: "COMPLETE",
      value: 1,
      list_index: null,
      started: null,
      completed: null,
      params: { q: 'say "hi"' },
      intermediate: [],
    };
    expect(recordsToCsv([rec]).split("\n")[1]).toBe('optuna,"s,1",0,COMPLETED,COMPLETE,1,,,,"say ""hi"""');
  });
});
