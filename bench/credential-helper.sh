#!/usr/bin/env bash
# Median wall time of one git credential `get` answered by:
#   - rhodecode credential-helper --storage file     (VCS token in ~/.rhoderc)
#   - rhodecode credential-helper --storage keyring  (VCS token in the Secret Service)
#   - git credential-store --file=...               (the reference)
#   - gh auth git-credential                         (Debian's gh, token in hosts.yml)
# plus a spawn floor (/bin/true started the same way): one hyperfine run per
# command, back to back on this machine. Each command's answer is checked
# before it is timed.
#
# Usage: bench/credential-helper.sh [RUNS]      (RUNS default 300)
# Env:   BENCH_OUT   directory for hyperfine's --export-json files, one per row
#                    (default ${TMPDIR:-/tmp}/rhodecode-bench-credential-helper)
# Needs: go, git, hyperfine (Debian package), jq or python3, and a C compiler
#        if hyperfine lacks --input (hyperfine < 1.16). Installs Debian's gh
#        (apt-get) if missing, and the keyring tools via .ci/keyring.sh;
#        rows whose tool cannot be had are skipped with a note.
set -euo pipefail

runs=${1:-300}
case $runs in '' | *[!0-9]*) echo "usage: $0 [RUNS]" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
root=$PWD
out_dir=${BENCH_OUT:-${TMPDIR:-/tmp}/rhodecode-bench-credential-helper}

tmp=$(mktemp -d)
keyring_started=
cleanup() {
  if [ -n "$keyring_started" ]; then rhodecode_keyring_stop || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

die() { echo "credential-helper.sh: $*" >&2; exit 1; }
note() { notes+=("$*"); echo "note: $*" >&2; }
notes=()

# --- fixtures ---------------------------------------------------------------
host=code.example.com
user=alice
api_token=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
# One token everywhere except the keyring, so that the keyring row cannot
# pass its check by reading the file-storage config instead.
vcs_token=0123456789abcdef0123456789abcdef01234567
kr_token=fedcba9876543210fedcba9876543210fedcba98
home=$tmp/home
mkdir -p "$home" "$tmp/xdg" "$tmp/gh"
req=$tmp/request
printf 'protocol=https\nhost=%s\n\n' "$host" >"$req"

echo "building release-style binary..." >&2
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/rhodecode" .
rc_bin=$tmp/rhodecode

# File storage: the VCS token sits in the config file.
cat >"$tmp/rc-file" <<TOML
default = "bench"
[instances.bench]
url = "https://$host"
username = "$user"
storage = "file"
token = "$api_token"
vcs_token = "$vcs_token"
vcs_token_id = "7"
vcs_token_expires = "-1"
TOML
# Keyring storage: only the non-secret fields in the file.
cat >"$tmp/rc-keyring" <<TOML
default = "bench"
[instances.bench]
url = "https://$host"
username = "$user"
storage = "keyring"
vcs_token_id = "7"
vcs_token_expires = "-1"
TOML
chmod 600 "$tmp/rc-file" "$tmp/rc-keyring"

# git credential-store's file.
printf 'https://%s:%s@%s\n' "$user" "$vcs_token" "$host" >"$tmp/git-credentials"
chmod 600 "$tmp/git-credentials"

# gh: plain-text token in an isolated hosts.yml (no keyring, no network).
gh_bin=$(command -v gh || true)
if [ -z "$gh_bin" ]; then
  echo "installing Debian's gh..." >&2
  sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  if "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      -o DPkg::Lock::Timeout=300 gh >"$tmp/apt.log" 2>&1; then
    gh_bin=$(command -v gh || true)
  fi
  [ -n "$gh_bin" ] || note "gh could not be installed (see apt-get install gh); gh row skipped"
fi
printf '%s:\n    oauth_token: %s\n    user: %s\n    git_protocol: https\n' \
  "$host" "$vcs_token" "$user" >"$tmp/gh/hosts.yml"
chmod 600 "$tmp/gh/hosts.yml"

# Keyring: a private gnome-keyring on a private D-Bus (own state dir, so it
# neither reuses nor kills anyone else's).
export RHODECODE_KR_DIR=$tmp/kr
keyring_ok=
# shellcheck source=SCRIPTDIR/../.ci/keyring.sh
if . "$root/.ci/keyring.sh" 2>"$tmp/keyring.log"; then
  keyring_started=1
  if printf %s "$kr_token" | secret-tool store --label=rhodecode-bench \
      service "rhodecode:https://$host" username vcs-token:bench 2>>"$tmp/keyring.log"; then
    keyring_ok=1
  else
    note "secret-tool store failed ($(tail -n1 "$tmp/keyring.log")); keyring row skipped"
  fi
else
  keyring_started=1 # it may have half-started; stop is harmless
  note "no Secret Service could be started ($(tail -n1 "$tmp/keyring.log")); keyring row skipped"
fi

# Every command runs with this environment only (hyperfine is started under
# env -i and passes it on), from a directory outside any git repository.
base_env=("PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$home" "LANG=C"
  "XDG_CONFIG_HOME=$tmp/xdg" "GIT_CONFIG_NOSYSTEM=1"
  "GH_CONFIG_DIR=$tmp/gh" "GH_NO_UPDATE_NOTIFIER=1" "GH_PROMPT_DISABLED=1")
if [ -n "$keyring_ok" ]; then base_env+=("DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS"); fi
cd "$tmp"

# --- how stdin reaches the command ------------------------------------------
# hyperfine >= 1.16 has --input; older ones give the command /dev/null. Then
# a tiny C program opens the request file as stdin and execs the command
# (no shell): one extra execve in every row, part of the floor that the
# /bin/true row shows.
hf_version=$(hyperfine --version | cut -d' ' -f2)
if hyperfine --help 2>/dev/null | grep -q -- '--input'; then
  stdin_mode="hyperfine --input"
  hf_input=(--input "$req")
  wrap=()
else
  command -v cc >/dev/null 2>&1 ||
    die "hyperfine $hf_version has no --input and there is no C compiler for the stdin driver"
  # On x86-64 the driver is libc-free (open, dup2, execve as raw syscalls):
  # a static glibc build of it added ~0.7 ms per call on a 2-vCPU VM, the
  # libc-free one ~0.05 ms. Elsewhere it is plain C with libc.
  if [ "$(uname -m)" = x86_64 ]; then
    cat >"$tmp/stdin-exec.c" <<'C'
/* stdin-exec FILE PROG [ARG...]: exec PROG (absolute path) with FILE as stdin. */
#include <asm/unistd.h>
static long sys3(long n, long a, long b, long c) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}
__attribute__((used)) void start_c(long *sp) {
  long argc = sp[0];
  char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
  if (argc >= 3) {
    long fd = sys3(__NR_open, (long)argv[1], 0, 0);
    if (fd >= 0 && sys3(__NR_dup2, fd, 0, 0) >= 0) {
      if (fd != 0) sys3(__NR_close, fd, 0, 0);
      sys3(__NR_execve, (long)argv[2], (long)(argv + 2), (long)envp);
    }
  }
  sys3(__NR_exit_group, 127, 0, 0);
}
__asm__(".globl _start\n_start:\n mov %rsp,%rdi\n and $-16,%rsp\n call start_c\n");
C
    cflags=(-O2 -static -nostdlib -fno-stack-protector)
    kind="libc-free static"
  else
    cat >"$tmp/stdin-exec.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
/* stdin-exec FILE PROG [ARG...]: exec PROG (absolute path) with FILE as stdin. */
int main(int argc, char **argv) {
  if (argc < 3) { fputs("usage: stdin-exec FILE PROG [ARG...]\n", stderr); return 2; }
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0 || dup2(fd, 0) < 0) { perror(argv[1]); return 127; }
  if (fd != 0) close(fd);
  execv(argv[2], argv + 2);
  perror(argv[2]);
  return 127;
}
C
    cflags=(-O2)
    kind="libc"
  fi
  cc "${cflags[@]}" -o "$tmp/stdin-exec" "$tmp/stdin-exec.c" ||
    die "could not compile the stdin driver"
  [ "$("$tmp/stdin-exec" "$req" /bin/cat)" = "$(cat "$req")" ] || die "the stdin driver does not work"
  stdin_mode="$kind C exec driver, +1 execve per call (hyperfine $hf_version has no --input)"
  hf_input=()
  wrap=("$tmp/stdin-exec" "$req")
fi

# --- the commands -------------------------------------------------------------
# Each row: NAME, extra env (one VAR=VAL or "-"), expected password ("" for
# none), argv. Paths are absolute and contain no spaces (mktemp's), so the
# argv joined with spaces is what hyperfine -N splits back.
[[ $tmp != *[[:space:]]* ]] || die "temp dir has whitespace: $tmp"
names=() envs=() expects=() cmds=()
add() {
  names+=("$1"); envs+=("$2"); expects+=("$3"); shift 3
  cmds+=("$*")
}
ln -s "$tmp/rc-file" "$home/.rhoderc"
add "git credential-store" - "$vcs_token" "$(command -v git)" credential-store "--file=$tmp/git-credentials" get
add "rhodecode (file)" - "$vcs_token" "$rc_bin" credential-helper --storage file get
if [ -n "$keyring_ok" ]; then
  mkdir -p "$tmp/khome"
  ln -s "$tmp/rc-keyring" "$tmp/khome/.rhoderc"
  add "rhodecode (keyring)" "HOME=$tmp/khome" "$kr_token" "$rc_bin" credential-helper --storage keyring get
fi
if [ -n "$gh_bin" ]; then
  add "gh auth git-credential" - "$vcs_token" "$gh_bin" auth git-credential get
fi
add "/bin/true (spawn floor)" - "" /bin/true

row_env() { # row_env I -> the env -i argv for row I
  local e=("${base_env[@]}")
  [ "${envs[$1]}" = - ] || e+=("${envs[$1]}")
  printf '%s\n' env -i "${e[@]}"
}

# Check every answer through exactly the path hyperfine will use.
for i in "${!names[@]}"; do
  mapfile -t envv < <(row_env "$i")
  read -r -a argv <<<"${cmds[$i]}"
  out=$("${envv[@]}" "${wrap[@]}" "${argv[@]}" <"$req" 2>"$tmp/err") ||
    die "${names[$i]} exited $?: $(cat "$tmp/err")"
  [ ! -s "$tmp/err" ] || die "${names[$i]} wrote to stderr: $(cat "$tmp/err")"
  if [ -n "${expects[$i]}" ]; then
    if ! grep -qx "password=${expects[$i]}" <<<"$out" || ! grep -qx "username=$user" <<<"$out"; then
      die "${names[$i]} did not answer username=$user password=${expects[$i]}; it printed: ${out:-<nothing>}"
    fi
  fi
done
echo "all answers verified" >&2

# --- run ---------------------------------------------------------------------
# One hyperfine per command, back to back; each exports its own JSON.
mkdir -p "$out_dir"
jsons=()
for i in "${!names[@]}"; do
  mapfile -t envv < <(row_env "$i")
  j=$out_dir/$i.json
  rm -f "$j"
  "${envv[@]}" hyperfine -N --warmup 20 --runs "$runs" "${hf_input[@]}" \
    --export-json "$j" -n "${names[$i]}" "${wrap[*]}${wrap[*]:+ }${cmds[$i]}" >&2
  jsons+=("$j")
done

# --- report ------------------------------------------------------------------
# One markdown table from the per-row JSON files; ratios are of medians.
rows() {
  if command -v jq >/dev/null 2>&1; then
    # shellcheck disable=SC2016 # jq variables, not shell ones
    jq -rs --arg ref "$ref" '
      map(.results[]) as $rs
      | ($rs | map(select(.command == $ref)) | .[0].median) as $r
      | $rs[]
      | [.command, .median*1000, .mean*1000, .stddev*1000, .median/$r]
      | @tsv' "$@"
  else
    python3 - "$ref" "$@" <<'PY2'
import json, sys
rs = [x for f in sys.argv[2:] for x in json.load(open(f))["results"]]
r = next(x["median"] for x in rs if x["command"] == sys.argv[1])
for x in rs:
    print("\t".join(map(str, (x["command"], x["median"]*1e3, x["mean"]*1e3, x["stddev"]*1e3, x["median"]/r))))
PY2
  fi
}
ref="git credential-store"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
echo
echo "date:     $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine:  $(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -sr)"
echo "versions: git $(git --version | cut -d' ' -f3)," \
  "${gh_bin:+gh $("$gh_bin" --version | head -n1 | cut -d' ' -f3), }$(go env GOVERSION), hyperfine $hf_version"
echo "binary:   rhodecode $(stat -c %s "$rc_bin") bytes (CGO_ENABLED=0, -trimpath, -s -w)"
echo "method:   hyperfine -N --warmup 20 --runs $runs, one run per command; stdin: $stdin_mode"
echo "json:     $out_dir/*.json"
echo
echo "| command | median ms | mean ± σ ms | median vs git credential-store |"
echo "|---|---:|---:|---:|"
rows "${jsons[@]}" | while IFS=$'\t' read -r name med mean sd ratio; do
  LC_ALL=C printf '| %s | %.2f | %.2f ± %.2f | %.2f× |\n' "$name" "$med" "$mean" "$sd" "$ratio"
done
for n in "${notes[@]}"; do echo "note: $n"; done
