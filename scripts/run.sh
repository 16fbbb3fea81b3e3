#!/usr/bin/env bash
# The main job: set up, then run a real tuning study with the embedded defaults. Extra arguments go to
# `nadir run`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/bootstrap.sh
export PATH="$root/.tools/node_modules/.bin:$root/.venv/bin:$PATH"
export NADIR_PYTHON="$root/.venv/bin/python"
exec node packages/cli/dist/bin.js run "$@"
