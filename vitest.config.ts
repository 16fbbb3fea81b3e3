import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The packages find the worker Python the way an installed CLI does ($NADIR_PYTHON, an active venv,
// python3); the repository's tests default it to the development venv that scripts/bootstrap.sh creates.
const devPython = path.join(path.dirname(fileURLToPath(import.meta.url)), ".venv", "bin", "python");

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "adapters/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts"],
    // Integration tests start real processes and sockets; the CI machine has 2 cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    env: { NADIR_PYTHON: process.env.NADIR_PYTHON ?? devPython },
  },
});
