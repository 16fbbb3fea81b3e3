#!/usr/bin/env bash
# Idempotent set-up for a fresh clone: pnpm, node_modules, generated code, TypeScript build, and the
# Python virtual environment with the worker SDK. Safe to run again; it only redoes what changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PNPM_VERSION=12.21.0

log() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*" >&2; }

# --- pnpm: corepack's signature check can fail on fresh machines, so install from the npm registry.
if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version 2>/dev/null)" != 12.* ]]; then
  log "installing pnpm@$PNPM_VERSION"
  if ! npm i -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1; then
    # No write access to the global prefix: install under the repo instead.
    npm i --prefix "$root/.tools" "pnpm@$PNPM_VERSION" >/dev/null
    export PATH="$root/.tools/node_modules/.bin:$PATH"
  fi
fi

# --- node_modules
if [[ "${CI:-}" == "true" ]]; then
  pnpm install --frozen-lockfile --reporter=append-only 2>&1 | grep -v 'packageManager pin' >&2 || true
  [[ -d node_modules/.pnpm ]] || { log "pnpm install failed"; exit 1; }
else
  pnpm install --reporter=silent 2>&1 | grep -v 'packageManager pin' >&2 || true
fi

# --- TypeScript build (incremental)
log "building TypeScript packages"
pnpm -s build

# --- Python virtual environment
PY="${PYTHON:-python3}"
venv="$root/.venv"
stamp="$venv/.nadir-installed"
want="$(cat adapters/python/pyproject.toml | sha256sum | cut -c1-16)-${NADIR_PY_EXTRAS:-dev}"
if [[ ! -x "$venv/bin/python" ]]; then
  log "creating Python venv in .venv"
  "$PY" -m venv "$venv"
fi
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  log "installing nadir-worker[${NADIR_PY_EXTRAS:-dev}] into .venv"
  "$venv/bin/python" -m pip install -q --upgrade pip >&2
  "$venv/bin/python" -m pip install -q -e "adapters/python[${NADIR_PY_EXTRAS:-dev}]" >&2
  echo "$want" > "$stamp"
fi
# --- Debian's chromium for the report's browser test (no-op when present; needs root or sudo).
if [[ ! -x /usr/bin/chromium ]]; then
  log "installing Debian's chromium (browser test of the report)"
  bash scripts/install-chromium.sh >&2 || log "chromium could not be installed: the browser test will fail and say why"
fi
log "ready"
