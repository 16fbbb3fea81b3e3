#!/usr/bin/env bash
# The consumer test: Nadir as users get it from npm and PyPI, with this clone out of reach.
#  1. packs every public @nadir/* package (`pnpm pack`: workspace:* becomes the real versions), builds the
#     nadir-worker sdist and wheel (`python -m build`), `twine check`s them, and checks that the wheel holds
#     the generated protobuf code, py.typed and the digits worker of `nadir run`;
#  2. in a blank temporary project (cwd outside the clone, no workspace links) installs the tarballs with
#     npm and the wheel with its [jax,examples] extras into a fresh venv (no system site-packages), then
#     runs `nadir --version`, `nadir init` (plain; NADIR_CONSUMER_FRAMEWORK=jax|torch for another),
#     `nadir validate`, `nadir run` on the scaffolded study and on the
#     default study (found through the active venv), `nadir analyze`, `nadir report`, and `tsc --noEmit`
#     of a TypeScript file that imports every library;
#  3. the release flow on a throwaway copy: a changeset, `changeset version`, `pnpm publish -r --dry-run`.
# Set NADIR_CONSUMER_KEEP=1 to keep the temporary folder. Needs the TypeScript build (scripts/bootstrap.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
work="$(mktemp -d "${TMPDIR:-/tmp}/nadir-consumer-XXXXXX")"
[[ "${NADIR_CONSUMER_KEEP:-}" == 1 ]] || trap 'rm -rf "$work"' EXIT
t0=$SECONDS
# Wheels of third-party Python packages, kept between runs (see the venv step below).
wheels="${NADIR_WHEEL_CACHE:-$HOME/.cache/nadir/wheels}"
mkdir -p "$wheels"
log() { printf '\033[1m[consumer %3ss]\033[0m %s\n' "$((SECONDS - t0))" "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

# --- 1. packs, wheel, sdist ----------------------------------------------------------------------------
log "packing the public npm packages"
mkdir -p "$work/tgz" "$work/dist"
names=()
for dir in "$root"/packages/*/; do
  [[ "$(node -p "require('$dir/package.json').private === true")" == true ]] && continue
  (cd "$dir" && pnpm pack --pack-destination "$work/tgz" >/dev/null)
  names+=("$(node -p "require('$dir/package.json').name")")
done
log "packed ${#names[@]}: ${names[*]}"

# build and twine: the dev venv has them (nadir-worker[dev]); otherwise a small tool venv.
# The build backend comes from the same venv (--no-isolation): no download of setuptools per run.
tools="$root/.venv/bin/python"
if ! "$tools" -c "import build, twine, setuptools, wheel" 2>/dev/null; then
  log "build/twine not in .venv (nadir-worker[release]): a tool venv"
  "$PY" -m venv "$work/tools"
  tpip() { "$work/tools/bin/python" -m pip --disable-pip-version-check "$@"; }
  tpip install -q --no-index --find-links "$wheels" build twine "setuptools>=77" wheel 2>/dev/null || {
    tpip download -q -d "$wheels" build twine "setuptools>=77" wheel
    tpip install -q --no-index --find-links "$wheels" build twine "setuptools>=77" wheel
  }
  tools="$work/tools/bin/python"
fi
log "building the nadir-worker sdist and wheel"
"$tools" -m build --no-isolation --outdir "$work/dist" "$root/adapters/python" >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; fail "python -m build"; }
"$tools" -m twine check --strict "$work/dist"/* >&2
wheel="$(ls "$work/dist"/nadir_worker-*.whl)"
listing="$("$tools" -m zipfile -l "$wheel")"
for member in nadir_worker/py.typed nadir_worker/gen/trial_pb2.py nadir_worker/gen/trial_pb2.pyi nadir_worker/examples/digits.py; do
  grep -q "$member" <<<"$listing" || fail "the wheel lacks $member"
done
grep -q "_pb2.py" <<<"$listing" || fail "the wheel has no generated protobuf code"

# --- 2. a blank project ----------------------------------------------------------------------------------
proj="$work/project"
mkdir -p "$proj"
cd "$proj"
log "npm install of the tarballs into $proj"
# Every @nadir/* dependency, direct or between the packages, resolves to its tarball (overrides), never to
# the registry or the workspace.
node - "$work/tgz" <<'EOF' >package.json
const fs = require("node:fs");
const path = require("node:path");
const dir = process.argv[2];
const deps = {};
for (const f of fs.readdirSync(dir)) {
  const m = /^nadir-(.+)-\d+\.\d+\.\d+.*\.tgz$/.exec(f);
  if (m) deps[`@nadir/${m[1]}`] = `file:${path.join(dir, f)}`;
}
const pkg = {
  name: "nadir-consumer",
  private: true,
  type: "module",
  dependencies: deps,
  overrides: deps,
  devDependencies: { typescript: "~5.9.3", "@types/node": "^20.19.0" },
};
process.stdout.write(`${JSON.stringify(pkg, null, 2)}\n`);
EOF
npm install --no-audit --no-fund --loglevel=error >&2
[[ -L node_modules/@nadir/cli ]] && fail "node_modules/@nadir/cli is a link, not an install"
nadir="$proj/node_modules/.bin/nadir"

log "fresh venv with ${wheel##*/}[jax,examples]"
"$PY" -m venv "$work/venv"
# The package index here answers with no-store, so pip's own HTTP cache stays empty: the dependencies'
# wheels are kept in a wheelhouse of their own (pip download), and installed from it without the index
# whenever it already holds them. The first run downloads them (minutes: jaxlib, scipy); later ones take
# seconds. The nadir-worker wheel itself always comes from this build.
vpip() { "$work/venv/bin/python" -m pip --disable-pip-version-check "$@"; }
if ! vpip install -q --no-index --find-links "$wheels" --find-links "$work/dist" "${wheel}[jax,examples]" >&2 2>/dev/null; then
  log "filling the wheelhouse $wheels (once)"
  vpip download -q -d "$wheels" "${wheel}[jax,examples]" >&2
  rm -f "$wheels"/nadir_worker-*.whl
  vpip install -q --no-index --find-links "$wheels" --find-links "$work/dist" "${wheel}[jax,examples]" >&2
fi
# The worker Python is found as a user's would be: the active venv (VIRTUAL_ENV), no NADIR_PYTHON.
export VIRTUAL_ENV="$work/venv" PATH="$work/venv/bin:$PATH"
unset NADIR_PYTHON PYTHONPATH
"$work/venv/bin/python" - "$root" <<'EOF' || fail "the venv imports nadir_worker from the clone"
import sys, nadir_worker
assert not nadir_worker.__file__.startswith(sys.argv[1]), nadir_worker.__file__
EOF

log "nadir --version, help"
want="$(node -p "require('$root/packages/cli/package.json').version")"
[[ "$("$nadir" --version)" == "$want" ]] || fail "nadir --version is not $want"
"$nadir" help run >/dev/null

# The scaffold in plain Python (its JAX and torch variants are the same wrapper around another loop); the
# default study below trains with JAX from the [jax] extra.
framework="${NADIR_CONSUMER_FRAMEWORK:-plain}"
log "nadir init --framework $framework, validate, run"
"$nadir" init --framework "$framework" --dir study
"$nadir" validate study/nadir.study.json
"$nadir" run --study study/nadir.study.json --worker study/worker.py --trials 7 --steps 50 --workers 2 \
  --run-dir runs/init --no-progress
[[ -s runs/init/report.html ]] || fail "no report of the scaffolded study"

log "nadir run with the default study (the packaged quickstart and python -m nadir_worker.examples.digits)"
"$nadir" run --trials 7 --steps 50 --workers 2 --run-dir runs/quickstart --no-report --no-progress

log "nadir analyze, nadir report"
metric="$(node -p 'require("./study/nadir.study.json").objective.metric')"
"$nadir" analyze runs/init/results.jsonl --metric "$metric" --direction minimize --json >analysis.json
node -e 'const a = JSON.parse(require("fs").readFileSync("analysis.json", "utf8")); if (!a.tuning_curve?.length) process.exit(1)' ||
  fail "nadir analyze --json has no tuning curve"
"$nadir" report runs/quickstart/journal --metric validation/error_rate --direction minimize --lower 0 --upper 1 \
  --out quickstart.html
[[ -s quickstart.html ]] || fail "nadir report wrote nothing"

log "tsc --noEmit of a file importing every library"
{
  i=0
  for n in "${names[@]}"; do
    [[ "$n" == "@nadir/cli" ]] && continue
    echo "import * as m$i from \"$n\";"
    echo "console.log(\"$n\", Object.keys(m$i).length);"
    i=$((i + 1))
  done
  echo 'import { main } from "@nadir/cli";'
  echo 'const code: Promise<number> = main(["node", "nadir", "--version"]);'
  echo 'void code;'
} >consumer.ts
cat >tsconfig.json <<'EOF'
{ "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext",
  "strict": true, "noEmit": true, "skipLibCheck": false, "types": ["node"] }, "files": ["consumer.ts"] }
EOF
npx --no-install tsc -p tsconfig.json
node --input-type=module -e "$(sed 's/^const code.*$//; s/^void code;$//' consumer.ts)" >/dev/null

# --- 3. the release flow on a throwaway copy -------------------------------------------------------------
log "changeset version and pnpm publish -r --dry-run on a copy"
copy="$work/release"
mkdir -p "$copy"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$copy" 2>/dev/null || true)
# node_modules stay where they are: links to them, never copies that the version step could write through.
ln -s "$root/node_modules" "$copy/node_modules"
for dir in "$root"/packages/*/; do
  name="$(basename "$dir")"
  [[ -d "$dir/node_modules" ]] && ln -s "$dir/node_modules" "$copy/packages/$name/node_modules"
  [[ -d "$dir/dist" ]] && cp -r "$dir/dist" "$copy/packages/$name/dist"
done
cd "$copy"
git init -q && git add -A && git -c user.email=ci@nadir -c user.name=ci commit -qm copy
{
  echo "---"
  for n in "${names[@]}"; do echo "\"$n\": patch"; done
  echo "---"
  echo
  echo "Consumer test release."
} >.changeset/consumer-test.md
pnpm -s exec changeset version >&2
after="$(node -p "require('./packages/cli/package.json').version")"
[[ "$after" != "$want" ]] || fail "changeset version did not bump @nadir/cli ($want)"
pnpm publish -r --dry-run --no-git-checks --report-summary >/dev/null 2>&1 || pnpm publish -r --dry-run --no-git-checks
log "consumer test passed in $((SECONDS - t0)) s (@nadir/cli $want, released as $after in the dry run)"
