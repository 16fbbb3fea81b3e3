// `nadir run --gpus` through the real binary, real coordinator and real worker processes, on the CPU: a
// fake `nvidia-smi` first on PATH lists two GPUs, each worker is wrapped by a script that records its
// environment before exec'ing the coordinator's synthetic worker, and the recorded environments say
// which device each worker was given.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const bin = path.join(repoRoot, "packages/cli/dist/bin.js");
const workerFixture = path.join(repoRoot, "packages/coordinator/test/fixtures/synthetic-worker.mjs");
const dir = mkdtempSync(path.join(tmpdir(), "nadir-gpus-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const study = path.join(dir, "gpus.study.json");
writeFileSync(
  study,
  JSON.stringify({
    id: "gpus-run",
    searchSpace: {
      parameters: [{ name: "learning_rate", type: "float", min: 1e-5, max: 1e-1, scale: "log" }],
    },
    objective: { metric: "loss", direction: "minimize" },
    budget: { trials: 6, parallelism: 3 },
    stepBudget: 3,
    reportEverySteps: 1,
    suggester: { kind: "halton", seed: 1 },
  }),
);
// Records the environment as env-<index> in the folder given, then becomes the worker.
const wrapper = path.join(dir, "record-env.sh");
writeFileSync(wrapper, '#!/bin/sh\nout=$1; idx=$2; shift 2\n/usr/bin/env > "$out/env-$idx"\nexec "$@"\n');
chmodSync(wrapper, 0o755);

function fakeSmi(name: string, script: string): string {
  const d = path.join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(path.join(d, "nvidia-smi"), `#!/bin/sh\n${script}\n`);
  chmodSync(path.join(d, "nvidia-smi"), 0o755);
  return d;
}

function run(name: string, gpus: string, workers: number, PATH: string) {
  const out = path.join(dir, name);
  mkdirSync(out, { recursive: true });
  const r = spawnSync(
    process.execPath,
    [
      bin,
      "run",
      "--study",
      study,
      "--run-dir",
      path.join(out, "run"),
      "--workers",
      String(workers),
      "--gpus",
      gpus,
      "--no-progress",
      "--no-report",
      "--worker-cmd",
      `/bin/sh ${wrapper} ${out} {index} ${process.execPath} ${workerFixture} --endpoint {endpoint} --id w{index} --step-ms 1`,
    ],
    { encoding: "utf8", timeout: 60_000, env: { ...process.env, PATH } },
  );
  const env = (i: number): Record<string, string> => {
    const f = path.join(out, `env-${i}`);
    if (!existsSync(f)) return {};
    return Object.fromEntries(
      readFileSync(f, "utf8")
        .split("\n")
        .filter((l) => l.includes("="))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
  };
  return { ...r, env, out };
}

describe("nadir run --gpus", () => {
  it("auto: three workers on the two GPUs nvidia-smi lists get 0, 1, 0, with JAX preallocation off", () => {
    const smi = fakeSmi("smi-two", 'printf "0\\n1\\n"');
    const r = run("auto", "auto", 3, `${smi}:${process.env.PATH}`);
    expect(r.status, r.stderr).toBe(0);
    expect([0, 1, 2].map((i) => r.env(i).CUDA_VISIBLE_DEVICES)).toEqual(["0", "1", "0"]);
    for (const i of [0, 1, 2]) expect(r.env(i).XLA_PYTHON_CLIENT_PREALLOCATE).toBe("false");
    expect(r.stdout).toContain("devices: worker 0 cuda:0, worker 1 cuda:1, worker 2 cuda:0 (GPUs shared");
  }, 70_000);

  it("an explicit list with a GPU per worker leaves JAX preallocation alone", () => {
    const r = run("list", "3,1", 2, process.env.PATH ?? "");
    expect(r.status, r.stderr).toBe(0);
    expect([0, 1].map((i) => r.env(i).CUDA_VISIBLE_DEVICES)).toEqual(["3", "1"]);
    expect(r.env(0).XLA_PYTHON_CLIENT_PREALLOCATE).toBe(process.env.XLA_PYTHON_CLIENT_PREALLOCATE);
  }, 70_000);

  it("auto without nvidia-smi, or with one that fails, runs on the CPU and says so once", () => {
    const empty = path.join(dir, "empty-bin");
    mkdirSync(empty, { recursive: true });
    const none = run("none-found", "auto", 2, empty);
    expect(none.status, none.stderr).toBe(0);
    expect(none.stderr.match(/--gpus auto: no GPU found/g)).toHaveLength(1);
    expect(none.stderr).toContain("the workers run on the CPU");
    expect(none.env(0).CUDA_VISIBLE_DEVICES).toBe(process.env.CUDA_VISIBLE_DEVICES);
    const broken = fakeSmi("smi-broken", 'echo "NVIDIA-SMI has failed" >&2; exit 9');
    const failed = run("smi-fails", "auto", 1, `${broken}:${process.env.PATH}`);
    expect(failed.status, failed.stderr).toBe(0);
    expect(failed.stderr).toContain("nvidia-smi exited 9: NVIDIA-SMI has failed");
  }, 70_000);

  it("a malformed list is a usage error (exit 2) before anything starts", () => {
    for (const [gpus, why] of [
      ["0,0", "device 0 is listed twice"],
      ["x", '"x" is not a device id'],
      ["-1", '"-1" is not a device id'],
    ]) {
      const r = run(`bad-${gpus}`, gpus as string, 2, process.env.PATH ?? "");
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(
        `--gpus must be auto, none or a list of distinct device ids such as 0,1: ${why}`,
      );
      expect(existsSync(path.join(r.out, "run"))).toBe(false);
      expect(existsSync(path.join(r.out, "env-0"))).toBe(false);
    }
  });
});
