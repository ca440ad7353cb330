# .ci/keyring.sh -- source me:  . .ci/keyring.sh
#
# Gives the current shell a private D-Bus session bus with an unlocked
# gnome-keyring Secret Service on it, so the keyring package's real-keyring
# tests (RHODECODE_TEST_KEYRING=1) have something to talk to on a headless
# Debian machine. POSIX sh; safe to source from bash or dash under `set -eu`.
#
# Each run gets its own state directory (mktemp -d), so two runs on one
# machine (two CI jobs, CI next to a developer) never share or stop each
# other's bus. After sourcing, DBUS_SESSION_BUS_ADDRESS and RHODECODE_KR_DIR
# are exported: sourcing again, in this shell or in one started from it,
# reuses the bus while it is healthy. To use it from an unrelated shell,
# export the RHODECODE_KR_DIR printed on "ready" there before sourcing.
#
# Tear down with: rhodecode_keyring_stop. It stops only a bus this shell
# started; a reused one keeps running for the shell that owns it.
#
# Tunables: RHODECODE_KR_DIR (state dir; default: a new private directory
#           under ${TMPDIR:-/tmp}; a given one is wiped when it has no
#           healthy bus), RHODECODE_KR_PASS (login keyring password; throwaway).

RHODECODE_KR_PASS=${RHODECODE_KR_PASS:-rhodecode-ci-throwaway}
# rhodecode_kr_owned is the state dir whose bus this shell started (not
# exported: a child shell that reuses the bus does not own it).
rhodecode_kr_owned=${rhodecode_kr_owned:-}
# rhodecode_kr_made is the state dir this shell created with mktemp, removed
# again by rhodecode_keyring_stop.
rhodecode_kr_made=${rhodecode_kr_made:-}

# rhodecode_keyring_ready succeeds when our bus is up, something owns
# org.freedesktop.secrets and the default collection is unlocked.
rhodecode_keyring_ready() {
  [ -n "${RHODECODE_KR_DIR:-}" ] || return 1
  [ "${DBUS_SESSION_BUS_ADDRESS:-}" = "unix:path=$RHODECODE_KR_DIR/bus" ] || return 1
  # Ask the bus who owns the name before talking to the name itself: a call to
  # an unowned org.freedesktop.secrets would D-Bus-activate a second daemon.
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
    grep -q 'boolean true' || return 1
  dbus-send --session --print-reply --dest=org.freedesktop.secrets \
      /org/freedesktop/secrets/aliases/default org.freedesktop.DBus.Properties.Get \
      string:org.freedesktop.Secret.Collection string:Locked 2>/dev/null |
    grep -q 'boolean false'
}

# rhodecode_keyring_install installs the tools if any is missing. No
# recommends, and never dbus-x11: with dbus-launch on PATH, every bus-less
# process would autolaunch (and leak) its own dbus-daemon + keyring daemon.
rhodecode_keyring_install() {
  if command -v dbus-daemon >/dev/null 2>&1 && command -v dbus-send >/dev/null 2>&1 &&
     command -v gnome-keyring-daemon >/dev/null 2>&1 && command -v secret-tool >/dev/null 2>&1; then
    return 0
  fi
  rhodecode_kr_sudo=
  [ "$(id -u)" -eq 0 ] || rhodecode_kr_sudo=sudo
  echo "keyring.sh: installing dbus gnome-keyring libsecret-tools" >&2
  $rhodecode_kr_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
  $rhodecode_kr_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends dbus gnome-keyring libsecret-tools >/dev/null || return 1
}

# rhodecode_keyring_start makes sure a healthy private keyring is running.
rhodecode_keyring_start() {
  rhodecode_keyring_install || return 1
  # Some images ship without a machine id; dbus-daemon refuses to start then.
  dbus-uuidgen --ensure 2>/dev/null || true

  if [ -n "${RHODECODE_KR_DIR:-}" ] && [ -f "$RHODECODE_KR_DIR/env" ]; then
    . "$RHODECODE_KR_DIR/env"
  fi
  if rhodecode_keyring_ready; then
    export RHODECODE_KR_DIR
    echo "keyring.sh: reusing $DBUS_SESSION_BUS_ADDRESS" >&2
    return 0
  fi
  rhodecode_keyring_stop

  if [ -n "${RHODECODE_KR_DIR:-}" ]; then
    # A given dir: fresh state every time (an old login.keyring with another
    # password would stay locked while the daemon still exits 0).
    rm -rf "$RHODECODE_KR_DIR"
    mkdir -p "$RHODECODE_KR_DIR" || return 1
  else
    RHODECODE_KR_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rhodecode-keyring.XXXXXXXX") || return 1
    rhodecode_kr_made=$RHODECODE_KR_DIR
  fi
  export RHODECODE_KR_DIR
  mkdir -p "$RHODECODE_KR_DIR/home" || return 1
  chmod 700 "$RHODECODE_KR_DIR" "$RHODECODE_KR_DIR/home"

  # Both daemons get the throwaway HOME (it must exist, or gnome-keyring
  # silently never claims its bus name) and no XDG dirs, so keyring files land
  # under $RHODECODE_KR_DIR. D-Bus-activated helpers inherit the bus's env;
  # without DISPLAY a password prompt fails fast instead of waiting for a user.
  env -u XDG_DATA_HOME -u XDG_RUNTIME_DIR -u DISPLAY -u WAYLAND_DISPLAY \
      HOME="$RHODECODE_KR_DIR/home" \
    dbus-daemon --session --fork --nosyslog --address="unix:path=$RHODECODE_KR_DIR/bus" \
      --print-pid=1 >"$RHODECODE_KR_DIR/dbus.pid" 2>"$RHODECODE_KR_DIR/dbus.log" || return 1
  rhodecode_kr_owned=$RHODECODE_KR_DIR
  DBUS_SESSION_BUS_ADDRESS="unix:path=$RHODECODE_KR_DIR/bus"
  export DBUS_SESSION_BUS_ADDRESS

  # --unlock reads the password from stdin and, on an empty HOME, creates the
  # "login" collection, unlocks it and points the "default" alias at it.
  printf '%s' "$RHODECODE_KR_PASS" |
    env -u XDG_DATA_HOME -u XDG_RUNTIME_DIR -u DISPLAY -u WAYLAND_DISPLAY \
        HOME="$RHODECODE_KR_DIR/home" \
      gnome-keyring-daemon --unlock --components=secrets \
        >"$RHODECODE_KR_DIR/gkd.env" 2>"$RHODECODE_KR_DIR/gkd.log" || return 1

  # The daemon forks before it owns its bus name, so poll (up to ~5 s).
  rhodecode_kr_n=0
  until rhodecode_keyring_ready; do
    rhodecode_kr_n=$((rhodecode_kr_n + 1))
    if [ "$rhodecode_kr_n" -gt 100 ]; then
      echo "keyring.sh: Secret Service not ready on $DBUS_SESSION_BUS_ADDRESS" >&2
      cat "$RHODECODE_KR_DIR/dbus.log" "$RHODECODE_KR_DIR/gkd.log" >&2 || true
      return 1
    fi
    sleep 0.05
  done
  printf 'DBUS_SESSION_BUS_ADDRESS=%s; export DBUS_SESSION_BUS_ADDRESS\n' \
    "$DBUS_SESSION_BUS_ADDRESS" >"$RHODECODE_KR_DIR/env"
  echo "keyring.sh: ready ($DBUS_SESSION_BUS_ADDRESS; RHODECODE_KR_DIR=$RHODECODE_KR_DIR)" >&2
}

# rhodecode_keyring_stop kills the private bus this shell started;
# gnome-keyring-daemon quits by itself when its bus connection goes away.
# A bus reused from another shell is left running. Always succeeds.
rhodecode_keyring_stop() {
  if [ -n "${RHODECODE_KR_DIR:-}" ] && [ "$rhodecode_kr_owned" = "$RHODECODE_KR_DIR" ]; then
    if [ -s "$RHODECODE_KR_DIR/dbus.pid" ]; then
      kill "$(cat "$RHODECODE_KR_DIR/dbus.pid")" 2>/dev/null || true
    fi
    rm -f "$RHODECODE_KR_DIR/dbus.pid" "$RHODECODE_KR_DIR/env"
    rhodecode_kr_owned=
  fi
  if [ -n "${RHODECODE_KR_DIR:-}" ] &&
     [ "${DBUS_SESSION_BUS_ADDRESS:-}" = "unix:path=$RHODECODE_KR_DIR/bus" ]; then
    unset DBUS_SESSION_BUS_ADDRESS
  fi
  if [ -n "$rhodecode_kr_made" ] && [ "$rhodecode_kr_made" = "${RHODECODE_KR_DIR:-}" ]; then
    rm -rf "$rhodecode_kr_made"
    rhodecode_kr_made=
    unset RHODECODE_KR_DIR
  fi
  return 0
}

rhodecode_keyring_start
