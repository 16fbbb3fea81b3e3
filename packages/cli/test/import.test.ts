/**
 * `nadir import optuna` (the command over @nadir/adapter-optuna): exit codes, messages and output files,
 * on studies written by the real Optuna inside this test (no hand-made fixtures). The import rules
 * themselves are tested against Optuna's live trials in packages/adapter-optuna/test; here the command's
 * output is checked against that package's API and against Optuna's reference values.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { readOptunaJournal, readOptunaStorage, toCsv, toJsonl } from "@nadir/adapter-optuna";
import { beforeAll, describe, expect, it } from "vitest";
import { type OptunaScenario, runOptunaScenario } from "../../adapter-optuna/test/optuna-scenario.js";
import { main } from "../src/main.js";

let sc: OptunaScenario;
let dir = "";
let ref: OptunaScenario["ref"];
const journalFile = () => sc.journalFile;
const sqliteUrl = () => sc.sqliteUrl;

async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const origOut = process.stdout.write.bind(process.stdout);
  const origErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => {
    err.push(String(s));
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(["node", "nadir", ...args]);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = origOut;
    process.stderr.write = origErr;
  }
}

beforeAll(() => {
  sc = runOptunaScenario();
  dir = sc.dir;
  ref = sc.ref;
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
      stdout: "",
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
      stdout: "",
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
      expect(noPy.code).toBe(1); // `environment`: exit 1, as every CLI command (src/errors.ts)
      expect(noPy.stderr).toContain("set NADIR_PYTHON");
    } finally {
      if (saved === undefined) delete process.env.NADIR_PYTHON;
      else process.env.NADIR_PYTHON = saved;
    }
  });

  it("prints exactly the package's JSON Lines and CSV on stdout", async () => {
    const j = await runCli(["import", "optuna", "--journal", journalFile(), "--study", "exp"]);
    expect(j).toEqual({
      code: 0,
      stdout: toJsonl(readOptunaJournal({ file: journalFile() }, { study: "exp" })),
      stderr: "",
    });
    expect(j.stdout.split("\n")).toHaveLength(9);
    const s = await runCli([
      "import",
      "optuna",
      "--storage",
      sqliteUrl(),
      "--study",
      "mo",
      "--format",
      "csv",
    ]);
    expect(s).toEqual({
      code: 0,
      stdout: toCsv(readOptunaStorage(sqliteUrl(), { study: "mo" })),
      stderr: "",
    });
    expect(s.stdout.split("\n")).toHaveLength(4);
  });

  it("--sampler names the study's sampler: every row's source is imported:<sampler>", async () => {
    const r = await runCli([
      "import",
      "optuna",
      "--journal",
      journalFile(),
      "--study",
      "exp",
      "--format",
      "csv",
      "--sampler",
      "optuna.samplers.TPESampler",
    ]);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split("\n").slice(1);
    expect(rows).toHaveLength(8);
    for (const row of rows) expect(row.startsWith("imported:tpe,exp,")).toBe(true);
    const empty = await runCli([
      "import",
      "optuna",
      "--journal",
      journalFile(),
      "--study",
      "exp",
      "--sampler",
      " ",
    ]);
    expect(empty).toEqual({
      code: 2,
      stdout: "",
      stderr: "nadir import optuna: --sampler needs a sampler name (tpe, random, cmaes, qmc, ...)\n",
    });
  });
});
