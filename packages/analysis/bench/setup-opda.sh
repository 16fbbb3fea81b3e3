#!/usr/bin/env bash
# Benchmark-only Python environment with opda from PyPI, at <repo>/.bench-venv (git-ignored).
# Idempotent: re-running keeps an existing venv and only installs what is missing.
# opda 0.8.0 is the release the port follows (spec: shared/specs/opda.md); override with OPDA_VERSION.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
venv="${BENCH_VENV:-$repo/.bench-venv}"
version="${OPDA_VERSION:-0.8.0}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
if "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(0 if m.version('opda') == '$version' else 1)" 2>/dev/null; then
  echo "opda $version already installed in $venv"
else
  "$venv/bin/pip" install --quiet --disable-pip-version-check "opda==$version"
fi
"$venv/bin/python" -c "import importlib.metadata as m; print('opda', m.version('opda'), 'numpy', m.version('numpy'), 'scipy', m.version('scipy'))"
