#!/usr/bin/env bash
# Runs every test: lint, the API-doc check, TypeScript (vitest), Python (pytest) and the consumer test
# (scripts/consumer-test.sh).
# Does its own set-up first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/bootstrap.sh
export PATH="$root/.tools/node_modules/.bin:$root/.venv/bin:$PATH"
export NADIR_PYTHON="$root/.venv/bin/python"
status=0
echo "== Lint and format (biome)"
pnpm -s lint || status=1
echo "== API docs (TypeDoc: every export of every package documented, links valid)"
bash scripts/api-docs.sh check || status=1
echo "== TypeScript tests (vitest)"
pnpm -s exec vitest run || status=1
echo "== Python tests (pytest)"
"$root/.venv/bin/python" -m pytest -q adapters/python/tests || status=1
echo "== Consumer test (npm packs and the wheel in a blank project, the clone out of reach; release dry run)"
bash scripts/consumer-test.sh || status=1
exit $status
