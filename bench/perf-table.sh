#!/usr/bin/env bash
# The README's performance table, in one run:
#
#   bench/perf-table.sh [ROUNDS]        (ROUNDS default 300, warm-up 20)
#
# Builds the release binaries (CGO_ENABLED=0 -trimpath -ldflags "-s -w"),
# starts fake RhodeCode servers (bench/perfserver), and times, alternating
# one call of each per round (bench/alternate: a load that comes and goes
# hits every row alike; medians):
#   - one git credential `get` answered by git credential-store (the
#     reference), git-credential-libsecret (built from git's contrib source
#     when libsecret's headers can be had), gh auth git-credential (when gh
#     is installed), git-credential-rhodecode with file, keyring and CI-env
#     storage, `rhodecode credential-helper` (what older git configs run),
#     the helper from a plain `go build` (cgo on), and a minimal Go program
#     (the floor for any Go helper);
#   - rhodecode auth status over 1 and 10 instances, online;
#   - rhodecode token list of 1,000 tokens (web session, token page).
# Every answer is checked before it is timed. Prints the machine, the load
# before and after, and a markdown table; writes nothing into the
# repository.
#
# Needs: go, git, a C compiler for the libsecret row; as root it installs
# libsecret-1-dev (apt-get) if missing, and the keyring tools via
# .ci/keyring.sh. Rows whose tool cannot be had are left out with a note.
set -euo pipefail

rounds=${1:-300}
case $rounds in '' | *[!0-9]*) echo "usage: $0 [ROUNDS]" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
root=$PWD
tmp=$(mktemp -d)
[[ $tmp != *[[:space:]]* ]] || { echo "perf-table.sh: temp dir has whitespace: $tmp" >&2; exit 1; }
keyring_started= server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then exec 7>&- || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$keyring_started" ]; then rhodecode_keyring_stop >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
die() { echo "perf-table.sh: $*" >&2; exit 1; }
notes=()
note() { notes+=("$*"); echo "note: $*" >&2; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- builds --------------------------------------------------------------------
echo "building..." >&2
bin=$tmp/bin
mkdir -p "$bin/plain"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$bin/" . ./git-credential-rhodecode
go build -o "$bin/plain/" ./git-credential-rhodecode # what a plain go build gives
go build -o "$bin/" ./bench/alternate ./bench/perfserver
mkdir -p "$tmp/floor"
cat >"$tmp/floor/main.go" <<'GO'
// The floor: read the request and a small file, print an answer.
package main

import (
	"io"
	"os"
)

func main() {
	_, _ = io.ReadAll(os.Stdin)
	b, _ := os.ReadFile(os.Getenv("RHODERC"))
	os.Stdout.WriteString("username=alice\npassword=" + string(b[len(b)-42:len(b)-2]) + "\n")
}
GO
printf 'module floor\ngo 1.21\n' >"$tmp/floor/go.mod"
(cd "$tmp/floor" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$bin/go-floor" .)

# --- credential fixtures -------------------------------------------------------
host=code.example.com
user=alice
vcs_token=0123456789abcdef0123456789abcdef01234567
kr_token=fedcba9876543210fedcba9876543210fedcba98 # differs, so no row can read another's
req=$tmp/request
printf 'protocol=https\nhost=%s\n\n' "$host" >"$req"
home=$tmp/home
khome=$tmp/khome
mkdir -p "$home" "$khome" "$tmp/xdg" "$tmp/gh"
cat >"$tmp/rc-file" <<TOML
default = "bench"

[instances.bench]
url = "https://$host"
username = "$user"
storage = "file"
token = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
vcs_token_id = "7"
vcs_token_expires = "-1"
vcs_token = "$vcs_token"
TOML
cat >"$tmp/rc-keyring" <<TOML
default = "bench"

[instances.bench]
url = "https://$host"
username = "$user"
storage = "keyring"
vcs_token_id = "7"
vcs_token_expires = "-1"
TOML
printf 'https://%s:%s@%s\n' "$user" "$vcs_token" "$host" >"$tmp/git-credentials"
chmod 600 "$tmp/rc-file" "$tmp/rc-keyring" "$tmp/git-credentials"

# Keyring: a private gnome-keyring on a private D-Bus.
export RHODECODE_KR_DIR=$tmp/kr
keyring_ok=
# shellcheck source=SCRIPTDIR/../.ci/keyring.sh
if . "$root/.ci/keyring.sh" >"$tmp/keyring.log" 2>&1; then
  keyring_started=1
  if printf %s "$kr_token" | secret-tool store --label=rhodecode-bench \
      service "rhodecode:https://$host" username vcs-token:bench 2>>"$tmp/keyring.log"; then
    keyring_ok=1
  else
    note "secret-tool store failed; keyring rows left out ($(tail -n1 "$tmp/keyring.log"))"
  fi
else
  keyring_started=1
  note "no Secret Service could be started; keyring rows left out ($(tail -n1 "$tmp/keyring.log"))"
fi

# git-credential-libsecret from git's contrib source (Debian ships it in
# /usr/share/doc/git/contrib) against libsecret's headers.
libsecret=
src=/usr/share/doc/git/contrib/credential/libsecret/git-credential-libsecret.c
if [ -n "$keyring_ok" ]; then
  if ! pkg-config --exists libsecret-1 2>/dev/null && [ "$(id -u)" -eq 0 ]; then
    echo "installing libsecret-1-dev..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 \
      libsecret-1-dev pkg-config >"$tmp/apt.log" 2>&1 || true
  fi
  if [ ! -f "$src" ]; then
    note "git's contrib source ($src) is missing; git-credential-libsecret row left out"
  elif ! pkg-config --exists libsecret-1 2>/dev/null; then
    note "libsecret-1-dev is not installed (and could not be); git-credential-libsecret row left out"
  elif cc -O2 -o "$bin/git-credential-libsecret" "$src" \
      $(pkg-config --cflags --libs libsecret-1 glib-2.0) 2>"$tmp/cc.log"; then
    libsecret=$bin/git-credential-libsecret
    printf 'protocol=https\nhost=%s\nusername=%s\npassword=%s\n\n' "$host" "$user" "$kr_token" |
      env HOME="$khome" "$libsecret" store >/dev/null
  else
    note "git-credential-libsecret did not compile ($(tail -n1 "$tmp/cc.log")); row left out"
  fi
fi

gh_bin=$(command -v gh || true)
if [ -n "$gh_bin" ]; then
  printf '%s:\n    oauth_token: %s\n    user: %s\n    git_protocol: https\n' "$host" "$vcs_token" "$user" >"$tmp/gh/hosts.yml"
  chmod 600 "$tmp/gh/hosts.yml"
else
  note "gh is not installed; its row is left out"
fi

# --- fake servers, logins ------------------------------------------------------
echo "starting fake servers, logging in..." >&2
exec 7> >(exec "$bin/perfserver" -n 11 -tokens 998 >"$tmp/servers")
server_pid=$!
for _ in $(seq 600); do grep -q '^READY' "$tmp/servers" 2>/dev/null && break; sleep 0.1; done
grep -q '^READY' "$tmp/servers" || die "the fake servers did not start: $(cat "$tmp/servers")"
password=$(sed -n 's/^PASSWORD //p' "$tmp/servers")
mapfile -t urls < <(sed -n 's/^URL //p' "$tmp/servers")
login() { # login CONFIG NAME URL
  printf '%s\n' "$password" | env -i PATH="$PATH" HOME="$home" RHODERC="$1" \
    "$bin/rhodecode" auth login --url "$3" --name "$2" --username alice --password-stdin --storage file >/dev/null 2>"$tmp/login.err" ||
    die "auth login to $3 failed: $(cat "$tmp/login.err")"
}
# One server for rc-1 (and token list), ten others for rc-10: a second
# login as the same user would revoke the first one's token.
login "$tmp/rc-1" s1 "${urls[0]}"
for i in $(seq 1 10); do login "$tmp/rc-10" "s$i" "${urls[$i]}"; done
n=$(env -i PATH="$PATH" HOME="$home" RHODERC="$tmp/rc-1" "$bin/rhodecode" token list | wc -l)
[ "$n" -eq 1000 ] || die "token list printed $n tokens, want 1000"

# --- the rows ------------------------------------------------------------------
# name, ref, stdin, expected line, env, argv (tab-separated; see bench/alternate)
spec=$tmp/spec
ok="password=$vcs_token" kok="password=$kr_token" ref="git credential-store"
row() { local IFS=$'\t'; echo "$*" >>"$spec"; }
row "$ref" "$ref" "$req" "$ok" - "$(command -v git)" credential-store "--file=$tmp/git-credentials" get
kref=$ref
if [ -n "$libsecret" ]; then
  kref="git-credential-libsecret"
  row "$kref" "$ref" "$req" "$kok" "HOME=$khome" "$libsecret" get
fi
if [ -n "$gh_bin" ]; then
  row "gh auth git-credential" "$ref" "$req" "$ok" "GH_CONFIG_DIR=$tmp/gh" "$gh_bin" auth git-credential get
fi
row "git-credential-rhodecode, file" "$ref" "$req" "$ok" "RHODERC=$tmp/rc-file" "$bin/git-credential-rhodecode" --storage file get
if [ -n "$keyring_ok" ]; then
  row "git-credential-rhodecode, keyring" "$kref" "$req" "$kok" "RHODERC=$tmp/rc-keyring" "$bin/git-credential-rhodecode" get
fi
row "git-credential-rhodecode, CI env" "$ref" "$req" "$ok" \
  "RHODECODE_HOST=https://$host RHODECODE_USERNAME=$user RHODECODE_VCS_TOKEN=$vcs_token" "$bin/git-credential-rhodecode" get
row "rhodecode credential-helper, file" "$ref" "$req" "$ok" "RHODERC=$tmp/rc-file" "$bin/rhodecode" credential-helper --storage file get
row "git-credential-rhodecode, file, plain go build" "$ref" "$req" "$ok" "RHODERC=$tmp/rc-file" "$bin/plain/git-credential-rhodecode" --storage file get
row "minimal Go program (floor)" "$ref" "$req" "$ok" "RHODERC=$tmp/rc-file" "$bin/go-floor"
row "auth status, 1 instance" "auth status, 1 instance" - - "RHODERC=$tmp/rc-1" "$bin/rhodecode" auth status
row "auth status, 10 instances" "auth status, 1 instance" - - "RHODERC=$tmp/rc-10" "$bin/rhodecode" auth status
row "token list, 1,000 tokens" - - - "RHODERC=$tmp/rc-1" "$bin/rhodecode" token list

base_env=("PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$home" "LANG=C" "XDG_CONFIG_HOME=$tmp/xdg"
  "GIT_CONFIG_NOSYSTEM=1" "GH_NO_UPDATE_NOTIFIER=1" "GH_PROMPT_DISABLED=1")
if [ -n "$keyring_ok" ]; then base_env+=("DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS"); fi
echo "timing: $rounds rounds..." >&2
table=$(cd "$tmp" && env -i "${base_env[@]}" "$bin/alternate" -rounds "$rounds" -warmup 20 "$spec")

# --- report --------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
echo "date:     $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine:  $(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -sr)"
echo "load:     $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after (1/5/15-minute averages)"
echo "versions: $(go env GOVERSION), git $(git --version | cut -d' ' -f3)${gh_bin:+, gh $("$gh_bin" --version | head -n1 | cut -d' ' -f3)}"
echo "binaries: rhodecode $(stat -c %s "$bin/rhodecode") bytes, git-credential-rhodecode $(stat -c %s "$bin/git-credential-rhodecode") bytes (release build)"
echo "method:   $rounds rounds after 20 warm-up, each round one call of every row, rotating order; wall time fork to exit; medians"
echo
echo "$table"
for n in "${notes[@]}"; do echo "note: $n"; done
