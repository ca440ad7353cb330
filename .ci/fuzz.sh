#!/usr/bin/env bash
# Runs every native Go fuzz target (func FuzzX in a *_test.go) for a bounded
# time, one at a time, and prints executions and new interesting inputs per
# target. A crash fails the run; Go writes the failing input to the
# package's testdata/fuzz/FuzzX/, where it stays so that plain `go test`
# replays it (commit it with the fix). New interesting inputs go to Go's
# cache (go env GOCACHE), never into the repository.
#   FUZZTIME  time per target (go's -fuzztime: 10s, 30s, 5000x); default 8s
#   FUZZ      regexp of target names to run (default: all)
#   FUZZMINIMIZETIME  go's -fuzzminimizetime; default 200x (calls): with
#             go's 60s a short run spends its time minimising new inputs
#             of ~20 KB token pages instead of fuzzing (a crasher is kept
#             either way)
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

fuzztime=${FUZZTIME:-8s}
only=${FUZZ:-.}
minimize=${FUZZMINIMIZETIME:-200x}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# "pkgdir FuzzName" for every target, in a stable order.
mapfile -t targets < <(
  grep -rH --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(' . |
    sed -E 's#^\./(.*)/[^/]*:func (Fuzz[A-Za-z0-9_]*)\(.*#\1 \2#' |
    awk -v re="$only" '$2 ~ re' | sort
)
if [ ${#targets[@]} -eq 0 ]; then echo "fuzz: no targets match '$only'"; exit 1; fi

before=$(git status --porcelain --untracked-files=all 2>/dev/null)
rows=()
failed=0
start=$SECONDS
for t in "${targets[@]}"; do
  dir=${t% *} name=${t#* }
  for attempt in 1 2; do
    go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" "./$dir" >"$log" 2>&1
    rc=$?
    # Under load, go can hit -fuzztime before the workers have even read
    # the seed corpus and reports "context deadline exceeded" without an
    # input; that is not a crash, so try once more.
    if [ $rc -ne 0 ] && [ $attempt = 1 ] && grep -q 'context deadline exceeded' "$log" &&
      ! grep -q 'Failing input written' "$log"; then
      echo "fuzz: $name: go ran out of time before fuzzing; again"
      continue
    fi
    break
  done
  # The last "fuzz: elapsed: 10s, execs: 81234 (8123/sec), new interesting: 3 (total: 12)".
  last=$(grep -E '^fuzz: elapsed: .*execs: ' "$log" | tail -n 1)
  execs=$(sed -nE 's/.*execs: ([0-9]+).*/\1/p' <<<"$last")
  newi=$(sed -nE 's/.*new interesting: ([0-9]+).*/\1/p' <<<"$last")
  status=ok
  if [ $rc -ne 0 ]; then
    status=FAIL failed=1
    echo "--- fuzz: $name (./$dir) failed:"
    grep -vE '^fuzz: elapsed: ' "$log" | tail -n 40
  fi
  rows+=("$(printf '%-28s %-18s %12s %8s  %s' "$name" "$dir" "${execs:--}" "${newi:--}" "$status")")
done

printf '\n%-28s %-18s %12s %8s  %s\n' target package executions "new int." result
printf '%s\n' "${rows[@]}"
echo "fuzz: ${#targets[@]} targets, -fuzztime $fuzztime each, $((SECONDS - start))s"

# Only a crasher may be left behind, and it stays: plain `go test` replays it.
after=$(git status --porcelain --untracked-files=all 2>/dev/null)
if [ "$after" != "$before" ]; then
  if [ $failed = 1 ]; then
    echo "fuzz: failing inputs, kept for go test to replay (commit them with the fix):"
  else
    echo "fuzz: files changed in the repository by a run without a failure:"
    failed=1
  fi
  diff <(echo "$before") <(echo "$after") | sed -n 's/^> //p'
fi
exit $failed
