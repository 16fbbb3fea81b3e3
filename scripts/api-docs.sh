#!/usr/bin/env bash
# API documentation generated from the TypeScript types with TypeDoc (settings in typedoc.json), one site
# per public package under docs/api/<package>/ (git-ignored), and a check that every export is documented.
#
#   scripts/api-docs.sh [package ...]        # HTML into docs/api/ (warnings printed, not fatal)
#   scripts/api-docs.sh check                # CI: fail when any export of any package is undocumented
#   scripts/api-docs.sh check core report    # only these packages (names under packages/)
#
# Entry points come from each package's package.json `exports` (the root and every documented sub-entry
# point, e.g. `@nadir/core/tabular`), mapped from dist/*.d.ts back to src/*.ts. typedoc.json turns on
# `validation.notDocumented` for exported functions, classes, interfaces, type aliases, variables and enums,
# plus broken {@link} targets and referenced-but-unexported types, with `treatWarningsAsErrors`. Each
# package is checked on its own and the summary lists which pass; the exit status is 1 if any fails.
set -uo pipefail
cd "$(dirname "$0")/.."

mode=html
if [[ ${1:-} == check ]]; then
  mode=check
  shift
fi
if (($# > 0)); then
  pkgs=("$@")
else
  pkgs=()
  for f in packages/*/package.json; do
    d=${f%/package.json}
    node -e 'process.exit(require("./" + process.argv[1]).private ? 1 : 0)' "$f" && pkgs+=("${d#packages/}")
  done
fi

# Cross-package types resolve through the built declarations.
if ! pnpm -s build >/dev/null 2>&1; then
  echo "api-docs: pnpm build failed" >&2
  exit 2
fi

out=docs/api
[[ $mode == html ]] && mkdir -p "$out"
passed=()
failed=()
for p in "${pkgs[@]}"; do
  dir=packages/$p
  if [[ ! -f $dir/package.json ]]; then
    echo "api-docs: no package $dir" >&2
    failed+=("$p (no such package)")
    continue
  fi
  mapfile -t entries < <(node -e '
    const path = require("node:path");
    const dir = process.argv[1];
    const pkg = require(path.resolve(dir, "package.json"));
    for (const [sub, target] of Object.entries(pkg.exports ?? { ".": pkg.types })) {
      const types = typeof target === "string" ? target : target.types;
      if (!types || !types.endsWith(".d.ts")) continue;
      console.log(path.join(dir, types.replace(/^\.\/dist\//, "src/").replace(/\.d\.ts$/, ".ts")));
    }' "$dir")
  name=$(node -p 'require("./" + process.argv[1]).name' "$dir/package.json")
  args=(--options typedoc.json --tsconfig "$dir/tsconfig.json" --name "$name" --readme none)
  for e in "${entries[@]}"; do args+=(--entryPoints "$e"); done
  if [[ $mode == check ]]; then
    args+=(--emit none)
  else
    # HTML for every package even while some exports lack comments; `check` is the gate.
    args+=(--out "$out/$p" --treatWarningsAsErrors false)
  fi
  log=$(pnpm -s exec typedoc "${args[@]}" 2>&1)
  status=$?
  undocumented=$(grep -c "does not have any documentation" <<<"$log")
  if ((status == 0)); then
    passed+=("$name")
  else
    grep -E "warning|error" <<<"$log" | grep -v "Found [0-9]* errors" | sed "s/^/  [$p] /"
    failed+=("$name ($undocumented undocumented, $(grep -E '\[(warning|error)\]' <<<"$log" | grep -vc 'Found [0-9]* errors') warnings and errors in all)")
  fi
done

if [[ $mode == html ]]; then
  {
    echo '<!doctype html><meta charset="utf-8"><title>Nadir API</title><h1>Nadir API</h1><ul>'
    for p in "${pkgs[@]}"; do
      [[ -f $out/$p/index.html ]] && echo "<li><a href=\"$p/index.html\">@nadir/$p</a></li>"
    done
    echo '</ul>'
  } >"$out/index.html"
  echo "api-docs: HTML in $out/index.html"
fi
label=passed
[[ $mode == html ]] && label=generated
echo "api-docs: ${#passed[@]} $label: ${passed[*]:-none}"
if ((${#failed[@]} > 0)); then
  printf 'api-docs: %d failed:\n' "${#failed[@]}"
  printf '  %s\n' "${failed[@]}"
  exit 1
fi
