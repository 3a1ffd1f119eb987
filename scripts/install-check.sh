#!/usr/bin/env bash
# Installs layoutbench as a user would, from the tarball `npm pack` makes, into a scratch
# project, and checks it works there: `npx layoutbench --version`, `validate`, and a tiny run
# whose results and reports land in the project (not in node_modules/layoutbench) and whose
# dataset cache lands in $XDG_CACHE_HOME/layoutbench. Dependencies come from the npm cache where
# it has them (--prefer-offline). Too slow for the test suite (minutes: npm resolves and builds
# the addon); .ci/run runs it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/layoutbench-install-XXXXXX")"
trap 'rm -rf "$work"' EXIT
fail() { echo "install-check: $*" >&2; exit 1; }

cd "$repo"
tarball="$(npm pack --silent --pack-destination "$work")"
listing="$(tar -tzf "$work/$tarball")"
for unwanted in package/test/ package/harness/bench/ package/build/ package/datasets/ package/reports/; do
  if grep -q "^$unwanted" <<<"$listing"; then fail "the tarball ships $unwanted"; fi
done
for wanted in package/harness/cli/bin.js package/harness/cli/help.txt package/binding.gyp package/harness/native/layoutbench.c package/scenarios/quickstart.yaml package/LICENSE package/README.md; do
  grep -qx "$wanted" <<<"$listing" || fail "the tarball lacks ${wanted#package/}"
done

project="$work/project"
mkdir -p "$project"
cd "$project"
echo '{"name": "scratch", "private": true, "type": "module"}' >package.json
npm install --prefer-offline --no-audit --no-fund "$work/$tarball" >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; fail "npm install failed"; }
installed="$project/node_modules/layoutbench"
[ -f "$installed/build/Release/layoutbench_native.node" ] || fail "the addon was not built on install"

export XDG_CACHE_HOME="$work/xdg-cache"
unset LAYOUTBENCH_CACHE LAYOUTBENCH_BASELINES
touch "$work/before"
version="$(npx --no-install layoutbench --version)"
[ "$version" = "layoutbench $(node -p "require('$repo/package.json').version")" ] || fail "--version printed \"$version\""

cat >tiny.yaml <<'YAML'
version: 1
name: tiny
datasets:
  - {name: a, shape: [4096], dtype: float32}
layouts:
  - {name: npy, backend: memmap}
  - {name: zarr-1k, backend: zarr, chunks: [1024], codec: zstd}
patterns:
  - {name: full, kind: full}
cache: [warm]
sampling: {samples: 3, minSamples: 2, rounds: 1}
YAML
npx --no-install layoutbench validate tiny.yaml
npx --no-install layoutbench run tiny.yaml --out reports/runs/tiny.json
[ -f reports/runs/tiny.json ] || fail "no results file under the project"
[ -f reports/runs/tiny/report.md ] || fail "no report under the project"
[ -d "$XDG_CACHE_HOME/layoutbench" ] || fail "the dataset cache is not in \$XDG_CACHE_HOME/layoutbench"
written="$(find "$installed" -newer "$work/before" -print)"
[ -z "$written" ] || fail "the run wrote into node_modules/layoutbench: $written"
grep -q '^\*\*Use ' reports/runs/tiny/report.md || fail "the report has no verdict"
echo "install-check: ok ($tarball installed into a scratch project; version, validate and a run work there)"
