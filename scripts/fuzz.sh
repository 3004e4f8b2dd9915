#!/usr/bin/env bash
# Runs every fuzz target (func FuzzXxx in a *_test.go file) for FUZZTIME
# each (default 20s), one after the other: `go test -fuzz` takes one target
# at a time. Inputs that fail are written to the package's
# testdata/fuzz/FuzzXxx/ (commit them with the fix: `go test` replays them).
# FUZZFLAGS adds go test flags, e.g. FUZZFLAGS=-parallel=1.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-20s}
dirs=$(grep -rl --include='*_test.go' --exclude-dir=.tools --exclude-dir=bin '^func Fuzz' . | xargs -n1 dirname | sort -u)
n=0
for d in $dirs; do
  for name in $(grep -h '^func Fuzz' "$d"/*_test.go | sed 's/^func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do
    echo "== $d $name ($fuzztime)"
    # shellcheck disable=SC2086
    go test -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" ${FUZZFLAGS:-} "$d"
    n=$((n + 1))
    # Fuzzing workers are killed at the end, before their cleanup runs:
    # FuzzRequest's storage directories stay behind.
    rm -rf "${TMPDIR:-/tmp}"/savepoint-fuzz-server-*
  done
done
echo "fuzzed $n targets for $fuzztime each"
