#!/usr/bin/env bash
# Wall time of `rhodecode auth status --offline` with two file-stored
# instances, and the size of a release-style binary. Needs hyperfine
# (Debian package). Usage: bench/status-offline.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/rhodecode" .
CGO_ENABLED=0 go build -o "$tmp/rhodecode-plain" .
printf 'release binary (-s -w): %s bytes\nplain go build: %s bytes\n' \
  "$(stat -c %s "$tmp/rhodecode")" "$(stat -c %s "$tmp/rhodecode-plain")"
cat >"$tmp/rc" <<TOML
default = "work"
[instances.work]
url = "https://code.example.com"
username = "alice"
storage = "file"
token = "$(printf 'a%.0s' $(seq 40))"
[instances.lab]
url = "http://10.0.0.5:8080"
username = "bob"
storage = "file"
token = "$(printf 'b%.0s' $(seq 40))"
TOML
chmod 600 "$tmp/rc"
RHODERC="$tmp/rc" hyperfine -N --warmup 20 --runs 300 "$tmp/rhodecode auth status --offline"
