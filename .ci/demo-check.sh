#!/usr/bin/env bash
# Runs the newcomer demo (the README's first command) and fails unless it
# exits 0 and its output shows every step succeeding. The demo isolates
# itself (throw-away HOME, fake server on 127.0.0.1); it needs go and git.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "--- go run ./internal/demo"
status=0
# timeout: a cold build cache takes a while; a hung step must not hang CI.
timeout 600 go run ./internal/demo -v >"$out" 2>&1 || status=$?
cat "$out"
if [ "$status" -ne 0 ]; then
  echo "demo-check: go run ./internal/demo exited with status $status" >&2
  exit 1
fi

# Markers of success, one per step that matters (in the demo's order).
fail=0
check() { # check DESCRIPTION EXTENDED-REGEX
  if grep -Eq -- "$2" "$out"; then
    echo "ok   $1"
  else
    echo "FAIL $1: no line matching /$2/" >&2
    fail=1
  fi
}
check "fake server started"      '^Fake RhodeCode [0-9.]+ listening at http://127\.0\.0\.1:[0-9]+$'
check "login"                    '^\$ echo wonderland \| rhodecode auth login --url http://127\.0\.0\.1:[0-9]+ --username alice --password-stdin --storage file$'
check "auth status ok"           $'^[^\t]+\thttp://127\\.0\\.0\\.1:[0-9]+\talice\tfile\t[^\t]+\tok\t'
check "token created"            '^. Created token [0-9]+ \(vcs\)'
check "token listed"             $'^[0-9]+\tdemo laptop\tvcs\t'
check "git set up"               '^. git is set up for .* as alice; check: ok'
check "clone happened"           "^Cloning into 'hello'\.\.\.$"
check "clone has the commit"     '^[0-9a-f]{7,} Initial commit$'
check "git used the helper"      'git-upload-pack +user="alice" authenticated=true +-> 200'
if command -v hg >/dev/null; then
  check "hg set up"              '^. hg is set up for .* as alice: .*check: ok'
  check "hg clone happened"      'GET +/demo/hello-hg +user="alice" authenticated=true +-> 200'
fi
if grep -q '^## 7c\. Subversion' "$out"; then
  check "svn set up"             '^. svn is set up for .* as alice: .*check: ok'
  check "svn checkout happened"  '^Checked out revision 1\.$'
fi
check "revoke reported"          '^. Revoked token [0-9]+ \(demo laptop\)$'
check "demo finished"            '^## Done$'
if grep -q 'demo FAILED' "$out"; then
  echo "FAIL the demo reported a failure" >&2
  fail=1
fi
if [ "$fail" -ne 0 ]; then
  echo "demo-check: the demo's output lacks the markers above" >&2
  exit 1
fi
echo "demo-check: ok"
