// The checked-in generated code and golden vectors must be what the scripts produce from the current
// .proto files. TypeScript bindings and golden vectors are always checked. The Python bindings are checked
// when a Python with grpcio-tools at the version pinned in adapters/python/pyproject.toml (extra `gen`)
// is found ($NADIR_PYTHON or <repo>/.venv/bin/python); otherwise that one comparison is reported as not run.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const pkgRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = path.resolve(pkgRoot, "../..");
const tmp = mkdtempSync(path.join(tmpdir(), "nadir-gen-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sameDir(a: string, b: string, filter: (f: string) => boolean): string[] {
  const fa = readdirSync(a).filter(filter).sort();
  const fb = readdirSync(b).filter(filter).sort();
  expect(fb).toEqual(fa);
  return fa.filter((f) => !readFileSync(path.join(a, f)).equals(readFileSync(path.join(b, f))));
}

function pythonWithPinnedGrpcTools(): string | undefined {
  const pin = /grpcio-tools==([0-9.]+)/.exec(
    readFileSync(path.join(repoRoot, "adapters/python/pyproject.toml"), "utf8"),
  )?.[1];
  const candidates = [process.env.NADIR_PYTHON, path.join(repoRoot, ".venv/bin/python")].filter(
    (c): c is string => !!c,
  );
  for (const py of candidates) {
    const r = spawnSync(py, ["-c", "import importlib.metadata as m; print(m.version('grpcio-tools'))"], {
      encoding: "utf8",
    });
    if (r.status === 0 && r.stdout.trim() === pin) return py;
  }
  return undefined;
}

describe("generated code is up to date", () => {
  it("TypeScript bindings regenerate byte for byte", () => {
    execFileSync(
      process.execPath,
      [path.join(pkgRoot, "scripts/gen.mjs"), "--only", "ts", "--ts-out", path.join(tmp, "ts")],
      { stdio: "pipe" },
    );
    const differ = sameDir(path.join(pkgRoot, "src/gen"), path.join(tmp, "ts"), (f) =>
      /\.(js|d\.ts)$/.test(f),
    );
    expect(differ, "run `pnpm --filter @nadir/protocol gen` and commit").toEqual([]);
  }, 120_000);

  it("golden vectors regenerate byte for byte", () => {
    const r = spawnSync(process.execPath, [path.join(pkgRoot, "scripts/golden.mjs"), "--check"], {
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  const py = pythonWithPinnedGrpcTools();
  // scripts/bootstrap.sh installs the pinned grpcio-tools, so in CI a missing one is a failure, not a skip.
  it.runIf(py !== undefined || process.env.CI === "true")(
    "Python bindings regenerate byte for byte",
    () => {
      if (py === undefined)
        throw new Error(
          "no Python with the pinned grpcio-tools (NADIR_PYTHON or .venv): run scripts/bootstrap.sh",
        );
      execFileSync(
        process.execPath,
        [
          path.join(pkgRoot, "scripts/gen.mjs"),
          "--only",
          "py",
          "--py-out",
          path.join(tmp, "py"),
          "--python",
          py as string,
        ],
        {
          stdio: "pipe",
        },
      );
      const differ = sameDir(
        path.join(repoRoot, "adapters/python/src/nadir_worker/gen"),
        path.join(tmp, "py"),
        (f) => /\.pyi?$/.test(f),
      );
      expect(differ, "run `pnpm --filter @nadir/protocol gen` and commit").toEqual([]);
    },
    120_000,
  );
  if (py === undefined) {
    console.warn(
      "gen-drift: Python bindings not compared (no Python with the pinned grpcio-tools; pip install 'nadir-worker[gen]')",
    );
  }
});
