#!/usr/bin/env bash
# Checks that two runs of .ci/keyring.sh on one machine keep out of each
# other's way: two shells source it at the same time, each stores a secret,
# one stops its keyring the way .ci/run does on exit, and the other's keyring
# must still answer (secret-tool lookup and a new store). Also checks that a
# shell started from one of them reuses that bus and that its
# rhodecode_keyring_stop leaves the bus running for its owner.
#
# Run by .ci/run; needs what keyring.sh installs. Touches no bus but the two
# it starts (the caller's RHODECODE_KR_DIR and DBUS_SESSION_BUS_ADDRESS are
# not passed on).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

sync=$(mktemp -d "${TMPDIR:-/tmp}/rhodecode-keyring-check.XXXXXXXX")
pids=()
cleanup() {
  touch "$sync/a.stop" "$sync/b.stop" 2>/dev/null || true
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$sync"
}
trap cleanup EXIT

fail() { echo "keyring-check: FAIL $*" >&2; for f in "$sync"/*.log; do echo "--- $f" >&2; cat "$f" >&2; done; exit 1; }

# await FILE: wait up to 20 s for FILE to appear.
await() {
  local n=0
  until [ -e "$1" ]; do
    n=$((n + 1))
    [ "$n" -le 200 ] || fail "timed out waiting for $(basename "$1")"
    sleep 0.1
  done
}

# gone PID: wait up to 5 s for PID to exit; fails if it does not.
gone() {
  local n=0
  while kill -0 "$1" 2>/dev/null; do
    n=$((n + 1))
    [ "$n" -le 100 ] || return 1
    sleep 0.05
  done
}

# session NAME: a shell that sources keyring.sh like .ci/run (stop on exit),
# stores secret NAME, reports its bus and pid, then serves lookups on request
# until told to stop.
session() {
  env -u RHODECODE_KR_DIR -u DBUS_SESSION_BUS_ADDRESS S="$sync" N="$1" ROOT="$root" \
    bash -c '
      set -euo pipefail
      . "$ROOT/.ci/keyring.sh"
      trap rhodecode_keyring_stop EXIT
      printf %s "secret-$N" | secret-tool store --label="check $N" rhodecode-check "$N"
      printf "%s\n%s\n%s\n" "$RHODECODE_KR_DIR" "$DBUS_SESSION_BUS_ADDRESS" "$(cat "$RHODECODE_KR_DIR/dbus.pid")" >"$S/$N.info"
      # A shell started from this one reuses the bus; its stop must not kill it.
      bash -c ". \"\$ROOT/.ci/keyring.sh\"; rhodecode_keyring_stop" 2>"$S/$N.child.log"
      touch "$S/$N.ready"
      while [ ! -e "$S/$N.stop" ]; do
        if [ -e "$S/$N.check" ]; then
          rm -f "$S/$N.check"
          { secret-tool lookup rhodecode-check "$N" && echo &&
            printf %s "again-$N" | secret-tool store --label="again $N" rhodecode-check "again-$N" &&
            secret-tool lookup rhodecode-check "again-$N" && echo; } >"$S/$N.result" 2>&1 || echo " (failed)" >>"$S/$N.result"
          touch "$S/$N.checked"
        fi
        sleep 0.05
      done
    ' >"$sync/$1.log" 2>&1 &
  pids+=($!)
}

echo "keyring-check: starting two keyrings at once"
session a
session b
await "$sync/a.ready"
await "$sync/b.ready"

{ read -r dir_a; read -r bus_a; read -r pid_a; } <"$sync/a.info"
{ read -r dir_b; read -r bus_b; read -r pid_b; } <"$sync/b.info"
[ "$dir_a" != "$dir_b" ] || fail "both runs use $dir_a"
[ "$bus_a" != "$bus_b" ] || fail "both runs use bus $bus_a"
grep -q reusing "$sync/a.child.log" || fail "a shell started from run a did not reuse its bus"

# Both answer before anything is stopped.
touch "$sync/b.check"
await "$sync/b.checked"
rm -f "$sync/b.checked"
want=$'secret-b\nagain-b'
[ "$(cat "$sync/b.result")" = "$want" ] || fail "run b's keyring did not answer at first: $(cat "$sync/b.result")"

echo "keyring-check: stopping run a"
touch "$sync/a.stop"
wait "${pids[0]}" || fail "run a exited with an error"
gone "$pid_a" || fail "run a's dbus-daemon (pid $pid_a) still runs after its stop"
[ ! -e "$dir_a" ] || fail "run a's private directory $dir_a is left behind"
kill -0 "$pid_b" 2>/dev/null || fail "run b's dbus-daemon (pid $pid_b) died with run a"

touch "$sync/b.check"
await "$sync/b.checked"
[ "$(cat "$sync/b.result")" = "$want" ] || fail "run b's keyring stopped answering after run a stopped: $(cat "$sync/b.result")"

touch "$sync/b.stop"
wait "${pids[1]}" || fail "run b exited with an error"
gone "$pid_b" || fail "run b's dbus-daemon (pid $pid_b) still runs after its stop"
echo "keyring-check: ok (run b's keyring kept working after run a stopped; $dir_a and $dir_b were separate)"
