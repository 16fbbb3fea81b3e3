// Every bad input of the CLI README's table, through the real `nadir` binary: its message and its exit
// code, and that nothing starts (no run directory) when a flag or the study is wrong. The runs use real
// coordinators, journals and Python workers (the SDK's plain worker from `nadir init`, and a slow test
// worker for the interrupt cases).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../..");
const bin = path.join(repoRoot, "packages/cli/dist/bin.js");
const python = process.env.NADIR_PYTHON ?? path.join(repoRoot, ".venv/bin/python");
const slowWorker = path.join(here, "fixtures/slow_worker.py");
const quickstart = path.join(repoRoot, "packages/cli/studies/quickstart.study.json");
const dir = mkdtempSync(path.join(tmpdir(), "nadir-hygiene-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function nadir(args: string[], timeout = 120_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout, cwd: dir });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A study file derived from the quickstart one. */
function studyWith(name: string, edit: (s: Record<string, any>) => void): string {
  const s = JSON.parse(readFileSync(quickstart, "utf8")) as Record<string, any>;
  delete s.$schema;
  edit(s);
  const f = path.join(dir, `${name}.study.json`);
  writeFileSync(f, JSON.stringify(s));
  return f;
}

describe("nadir: version and help", () => {
  it("--version prints the package version and exits 0", () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, "packages/cli/package.json"), "utf8"));
    const r = nadir(["--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
  it("help and help run exit 0 with the help text", () => {
    const top = nadir(["help"]);
    expect(top.status).toBe(0);
    expect(top.stdout).toContain("Usage: nadir");
    expect(top.stdout).toContain("init");
    const run = nadir(["help", "run"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Usage: nadir run");
    expect(run.stdout).toContain("--worker <script>");
  });
  it("an unknown command exits 2; no command shows the help and exits 2", () => {
    const r = nadir(["frobnicate"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("error: unknown command 'frobnicate'");
    const bare = nadir([]);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain("Usage: nadir");
  });
  it("report of a results file without --metric is a usage error naming the flag (a journal names it)", () => {
    const f = path.join(dir, "no-metric.csv");
    writeFileSync(f, "trial,loss\n0,0.5\n1,0.4\n");
    const r = nadir(["report", f, "--out", path.join(dir, "no-metric.html")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "--metric and --direction are required for a results file (a journal directory's study names its objective)",
    );
    const one = nadir(["report", f, "--direction", "minimize", "--out", path.join(dir, "no-metric.html")]);
    expect(one.status).toBe(2);
    expect(one.stderr).toContain("--metric is required for a results file");
    expect(existsSync(path.join(dir, "no-metric.html"))).toBe(false);
  });
});

describe("nadir run: every flag and the study are checked before anything starts", () => {
  const cases: [string, string[], number, string][] = [
    ["--threshold abc", ["--threshold", "abc"], 2, '--threshold must be a finite number, got "abc"'],
    ["--trials 0", ["--trials", "0"], 2, '--trials must be an integer >= 1, got "0"'],
    ["--workers two", ["--workers", "two"], 2, '--workers must be an integer >= 1, got "two"'],
    ["--confidence 1.5", ["--confidence", "1.5"], 2, '--confidence must be in (0, 1), got "1.5"'],
    ["--lower 1 --upper 0", ["--lower", "1", "--upper", "0"], 2, "--lower (1) must be below --upper (0)"],
    ["--lower abc", ["--lower", "abc"], 2, '--lower must be a finite number, got "abc"'],
    ["--limit without --replay", ["--limit", "5"], 2, "--limit applies to --replay only"],
    [
      "--replay with --study",
      ["--replay", "alexnet", "--study", quickstart],
      2,
      "--replay and --study exclude each other",
    ],
    [
      "--replay with --trials",
      ["--replay", "alexnet", "--trials", "5"],
      2,
      "--replay and --trials exclude each other",
    ],
    [
      "--worker-cmd with --python",
      ["--worker-cmd", "x {endpoint}", "--python", python],
      2,
      "--worker-cmd is the whole worker command: drop --python",
    ],
    [
      "--worker-cmd without {endpoint}",
      ["--worker-cmd", "python w.py"],
      2,
      "--worker-cmd must contain {endpoint}",
    ],
    ["--study missing file", ["--study", "no-such.json"], 1, "--study no-such.json: no such file"],
    ["--worker missing file", ["--worker", "no-such.py"], 1, "--worker no-such.py: no such file"],
    [
      "--python missing (default worker)",
      ["--python", "/no/such/python"],
      1,
      "cannot start the worker Python /no/such/python (from --python): ENOENT",
    ],
    ["--replay unknown dataset", ["--replay", "imagenet-22k"], 1, "imagenet-22k"],
  ];
  for (const [name, args, code, message] of cases) {
    it(`${name} → exit ${code}`, () => {
      const runDir = path.join(dir, `never-${name.replace(/\W+/g, "-")}`);
      const r = nadir(["run", ...args, "--run-dir", runDir, "--no-progress"]);
      expect(r.stderr).toContain(message);
      expect(r.status).toBe(code);
      expect(existsSync(runDir), "nothing may start before the flags are checked").toBe(false);
    });
  }

  it("a study whose list does not exist: validate says so, run refuses before starting (exit 1)", () => {
    const f = studyWith("badlist", (s) => {
      s.suggester.list = "no-such-list";
    });
    const v = nadir(["validate", f]);
    expect(v.status).toBe(1);
    expect(v.stderr).toContain('/suggester/list: unknown built-in list "no-such-list" (known: ');
    const runDir = path.join(dir, "never-badlist");
    const r = nadir(["run", "--study", f, "--run-dir", runDir, "--python", python]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('unknown built-in list "no-such-list"');
    expect(existsSync(runDir)).toBe(false);
  });

  it("a list field that lands on no search-space parameter is an error of validate and run (exit 1)", () => {
    const f = studyWith("badname", (s) => {
      s.searchSpace.parameters[0].name = "learning_rte";
    });
    const v = nadir(["validate", f]);
    expect(v.status).toBe(1);
    expect(v.stderr).toContain(
      '/searchSpace: the list "medapati-nadamw-5" sets learning_rate, which no parameter',
    );
    expect(nadir(["run", "--study", f, "--run-dir", path.join(dir, "never-badname")]).status).toBe(1);
  });

  it("an external suggester: validate notes it, run refuses (exit 1)", () => {
    const f = studyWith("external", (s) => {
      s.suggester = { kind: "external", algorithm: "optuna.TPESampler" };
    });
    const v = nadir(["validate", f]);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toContain("the suggester is external");
    const r = nadir(["run", "--study", f, "--run-dir", path.join(dir, "never-external")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("external suggester, which `nadir run` does not start");
  });
});

describe("nadir run: workers that cannot start, journals that disagree", () => {
  it("a --worker whose Python cannot be spawned fails the run within seconds with the spawn error (exit 1)", () => {
    writeFileSync(path.join(dir, "w.py"), "print('never runs')\n");
    const r = nadir(
      ["run", "--worker", "w.py", "--python", "/no/such/python", "--run-dir", "spawnfail", "--no-progress"],
      30_000,
    );
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain("every worker process exited before the study finished");
    expect(r.stderr).toContain("cannot start /no/such/python: spawn /no/such/python ENOENT");
  });

  it("nadir init's plain worker runs as written; --trials or --steps that differ from the journal stop with a message (exit 2)", () => {
    const init = nadir(["init", "--framework", "plain", "--dir", "proj"]);
    expect(init.status, init.stderr).toBe(0);
    const again = nadir(["init", "--framework", "plain", "--dir", "proj"]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("exists; give --force to overwrite it");
    expect(nadir(["init", "--framework", "keras"]).stderr).toContain(
      '--framework must be one of jax, torch, plain, got "keras"',
    );
    const args = [
      "run",
      "--study",
      "proj/nadir.study.json",
      "--worker",
      "proj/worker.py",
      "--python",
      python,
    ];
    const first = nadir(
      [...args, "--trials", "7", "--workers", "2", "--run-dir", "proj/run", "--no-progress"],
      240_000,
    );
    expect(first.status, `${first.stdout}\n${first.stderr}`).toBe(0);
    expect(first.stdout).toContain("trials: 7 completed, 0 pruned, 0 failed");
    // Two search trials after the five list points: too few for a point estimate, said in words.
    expect(first.stdout).not.toMatch(/\bnan\b|infinity/i);
    expect(first.stdout).toMatch(/more trials (gain about \d|gain: no point estimate)/);
    expect(existsSync(path.join(dir, "proj/run/report.html"))).toBe(true);

    const more = nadir([...args, "--trials", "9", "--run-dir", "proj/run"]);
    expect(more.status).toBe(2);
    expect(more.stderr).toContain("--trials 9: the run in");
    expect(more.stderr).toContain("was journaled with 7 trials");
    const steps = nadir([...args, "--trials", "7", "--steps", "50", "--run-dir", "proj/run"]);
    expect(steps.status).toBe(2);
    expect(steps.stderr).toContain("--steps 50: the run in");
    const other = nadir(["run", "--run-dir", "proj/run", "--python", python]);
    expect(other.status).toBe(2);
    expect(other.stderr).toContain('holds the study "proj", not "quickstart"');
  });
});

/** Starts `nadir run` and resolves once the journal shows a running trial. */
async function startAndWaitForRunning(args: string[], env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn(process.execPath, [bin, ...args], {
    cwd: dir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = { stdout: "", stderr: "" };
  child.stdout?.on("data", (d) => {
    out.stdout += String(d);
  });
  child.stderr?.on("data", (d) => {
    out.stderr += String(d);
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  const journal = path.join(dir, args[args.indexOf("--run-dir") + 1] as string, "journal");
  const deadline = Date.now() + 90_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    if (existsSync(journal)) {
      const st = nadir(["status", "--journal", journal, "--json"]);
      const running = st.status === 0 ? (JSON.parse(st.stdout).studies[0]?.running ?? 0) : 0;
      if (running > 0) break;
    }
    if (Date.now() > deadline) throw new Error(`no trial running within 90 s:\n${out.stdout}\n${out.stderr}`);
  }
  return { child, out, exited, journal };
}

describe("nadir run: interrupting a training run", () => {
  const slowStudy = (): string =>
    studyWith("slow", (s) => {
      s.id = "slow";
      s.stepBudget = 2000;
      s.objective.metric = "validation/loss";
      s.reportEverySteps = 10;
      s.searchSpace.parameters = s.searchSpace.parameters.filter(
        (p: { name: string }) => p.name !== "hidden_units",
      );
    });

  it("Ctrl-C drains: running trials are journaled as preempted, none is left running; the hint repeats the flags", async () => {
    const study = slowStudy();
    const args = [
      "run",
      "--study",
      study,
      "--worker",
      slowWorker,
      "--python",
      python,
      "--workers",
      "2",
      "--trials",
      "6",
    ];
    const { child, out, exited, journal } = await startAndWaitForRunning(
      [...args, "--run-dir", "slow-run", "--no-progress"],
      process.env,
    );
    child.kill("SIGINT");
    const code = await exited;
    expect(code, `${out.stdout}\n${out.stderr}`).toBe(130);
    expect(out.stderr).toContain("draining");
    const hint = out.stdout.split("\n").find((l) => l.startsWith("interrupted: resume with  nadir run "));
    expect(hint, out.stdout).toBeDefined();
    for (const part of [
      `--run-dir ${path.join(dir, "slow-run")}`,
      `--study ${study}`,
      `--worker ${slowWorker}`,
      `--python ${python}`,
      "--workers 2",
      "--trials 6",
      "--no-progress",
    ])
      expect(hint).toContain(part);
    const st = JSON.parse(nadir(["status", "--journal", journal, "--json"]).stdout).studies[0];
    expect(st.running).toBe(0);
    expect(st.queued).toBeGreaterThan(0);
    const rows = nadir(["export", journal, "--study", "slow", "--format", "jsonl"])
      .stdout.trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { state: string });
    expect(rows.some((r) => r.state === "RUNNING")).toBe(false);
  });

  it("a second Ctrl-C force-quits a drain that workers ignore (exit 130 long before the 20 s drain limit), and the journal still shows nothing running", async () => {
    const study = slowStudy();
    const { child, out, exited, journal } = await startAndWaitForRunning(
      [
        "run",
        "--study",
        study,
        "--worker",
        slowWorker,
        "--python",
        python,
        "--workers",
        "1",
        "--trials",
        "3",
        "--run-dir",
        "stuck-run",
        "--no-progress",
      ],
      { ...process.env, NADIR_TEST_IGNORE_TERM: "1" },
    );
    child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 1500));
    expect(child.exitCode, "the first Ctrl-C waits for the stuck worker").toBeNull();
    const t = Date.now();
    child.kill("SIGINT");
    const code = await exited;
    expect(code, `${out.stdout}\n${out.stderr}`).toBe(130);
    expect(out.stderr).toContain("force-quitting: workers killed");
    expect(Date.now() - t).toBeLessThan(15_000);
    // The killed worker's attempt is preempted when its lease lapses, before the coordinator stops.
    const st = JSON.parse(nadir(["status", "--journal", journal, "--json"]).stdout).studies[0];
    expect(st.running).toBe(0);
    expect(st.queued).toBeGreaterThan(0);
  });
});
