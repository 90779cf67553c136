#!/usr/bin/env bash
# Builds the Debian package and tests it end to end on this (Debian 12) machine:
# install with its dependencies, the kiosk user and config, a face-check against the installed
# simulator, remove (data kept), purge (data gone).
#
#   sudo packaging/deb-test.sh                  build with `cargo deb` (release), then test
#   sudo DEB_PROFILE=dev packaging/deb-test.sh  package the dev-profile build instead (CI: the
#                                               test build already compiled every dependency,
#                                               so this skips a 25-minute cold release build)
#   sudo DEB=path/to/faceki-kiosk_x_amd64.deb packaging/deb-test.sh   test a package as it is
#
# Run as root on a disposable machine or container (CI): it installs and purges the package
# and creates and deletes the faceki-kiosk user. Needs network for apt (and for cargo-deb).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "deb-test.sh installs packages and creates users: run it as root (in CI or a container)." >&2
  exit 1
fi

PKG=faceki-kiosk
BIN=/usr/bin/faceki-kiosk
KIOSK_USER=faceki-kiosk
KIOSK_HOME=/var/lib/faceki-kiosk
CONFIG="$KIOSK_HOME/.config/faceki-kiosk/config.toml"
# The simulator's built-in credentials (src/sim/mod.rs: DEMO_CLIENT_ID / DEMO_CLIENT_SECRET).
DEMO_ID=demo-client
DEMO_SECRET=demo-secret

step() { printf '\n==> %s\n' "$*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

work="$(mktemp -d)"
chmod 0755 "$work"
sim_pid=""
cleanup() {
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive

# --- build -------------------------------------------------------------------------------
deb="${DEB:-}"
if [ -z "$deb" ]; then
  # Pinned: later cargo-deb versions announce refusing the dev profile that CI packages.
  if [ "$(cargo deb --version 2>/dev/null)" != "cargo-deb 3.8.0" ]; then
    cargo install cargo-deb --version 3.8.0 --locked
  fi
  if [ "${DEB_PROFILE:-release}" = dev ]; then
    step "cargo deb from the dev-profile build (the shipped code, unoptimised)"
    # The plain binary, without the test-hooks feature that the test build turns on.
    cargo build --locked --bin faceki-kiosk
    cargo deb --profile dev --no-build
  else
    step "cargo deb (release build)"
    cargo deb
  fi
  # cargo-deb names it faceki-kiosk_<version>-<revision>_<arch>.deb; take the newest.
  deb="$(find "${CARGO_TARGET_DIR:-target}/debian" -maxdepth 1 -name "${PKG}_*.deb" -printf '%T@ %p\n' | sort -nr | head -n 1 | cut -d' ' -f2-)"
fi
[ -f "$deb" ] || fail "no package at $deb"
case "$deb" in /*) ;; *) deb="./$deb" ;; esac
echo "package: $deb"

step "package metadata and contents"
dpkg-deb --field "$deb" Package Version Depends Recommends
depends="$(dpkg-deb --field "$deb" Depends)"
for d in libc6 ca-certificates libegl1 libwayland-client0 libxkbcommon0; do
  grep -q "$d" <<<"$depends" || fail "Depends lacks $d: $depends"
done
# The binary's packed relocations (src/build.rs) need glibc 2.36; dpkg-shlibdeps says 2.35.
grep -qF 'libc6 (>= 2.36)' <<<"$depends" || fail "Depends lacks libc6 (>= 2.36): $depends"
pass "Depends names the run-time libraries"
contents="$(dpkg-deb --contents "$deb")"
for f in ./usr/bin/faceki-kiosk ./lib/systemd/system/faceki-kiosk.service \
         ./lib/systemd/system/faceki-fleet-dashboard.service \
         ./usr/share/applications/faceki-kiosk.desktop \
         ./usr/share/icons/hicolor/scalable/apps/faceki-kiosk.svg \
         ./usr/share/icons/hicolor/256x256/apps/faceki-kiosk.png \
         ./usr/share/faceki-kiosk/config.example.toml \
         ./usr/share/faceki-kiosk/demo/clip.mjpeg \
         ./usr/share/doc/faceki-kiosk/config.example.toml; do
  grep -q " $f\$" <<<"$contents" || fail "package lacks $f"
done
pass "package holds binary, unit, desktop file, icons, example config and demo clip"
dpkg-deb --ctrl-tarfile "$deb" | tar -t | grep -q 'postinst' || fail "no postinst in the package"

# --- install -----------------------------------------------------------------------------
step "install with dependencies (Recommends left out: they must not be needed)"
if getent passwd "$KIOSK_USER" >/dev/null; then
  fail "user $KIOSK_USER exists before installation: this test wants a clean machine"
fi
apt-get update -qq
if ! apt-get install -y -qq --no-install-recommends "$deb"; then
  echo "apt-get could not install the file; falling back to dpkg -i + apt-get -f install" >&2
  dpkg -i "$deb" || true
  apt-get install -y -qq -f --no-install-recommends
fi
[ "$(dpkg-query -W -f='${db:Status-Status}' "$PKG")" = installed ] || fail "$PKG not installed"

step "the installed program"
"$BIN" --version
"$BIN" --version | grep -q "^faceki-kiosk " || fail "--version does not name the program"
pass "$BIN --version"

step "the kiosk user, its home and its config"
getent passwd "$KIOSK_USER" >/dev/null || fail "user $KIOSK_USER missing"
[ "$(getent passwd "$KIOSK_USER" | cut -d: -f6)" = "$KIOSK_HOME" ] || fail "home is not $KIOSK_HOME"
for g in video render input; do
  if getent group "$g" >/dev/null; then
    id -nG "$KIOSK_USER" | tr ' ' '\n' | grep -qx "$g" || fail "$KIOSK_USER not in group $g"
  fi
done
[ -f "$CONFIG" ] || fail "no config at $CONFIG"
[ "$(stat -c '%a %U' "$CONFIG")" = "600 $KIOSK_USER" ] || fail "config is $(stat -c '%a %U' "$CONFIG"), want 600 $KIOSK_USER"
[ "$(stat -c '%a' "$KIOSK_HOME")" = "700" ] || fail "home is mode $(stat -c '%a' "$KIOSK_HOME"), want 700"
cmp -s "$CONFIG" /usr/share/faceki-kiosk/config.example.toml || fail "config is not the example"
pass "user, groups, home 700, config 600 from the example"

step "the unit is installed but not enabled (enabling is the administrator's call)"
if ls /etc/systemd/system/*.wants/faceki-kiosk.service >/dev/null 2>&1; then
  fail "faceki-kiosk.service was enabled by the package"
fi
pass "not enabled"
if command -v systemd-analyze >/dev/null 2>&1; then
  # Non-fatal: offline verification can warn about things only a booted system has.
  if ! systemd-analyze verify /lib/systemd/system/faceki-kiosk.service; then
    echo "warning: systemd-analyze verify complained (see above); not failing the test" >&2
  fi
fi
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate /usr/share/applications/faceki-kiosk.desktop \
    || echo "warning: desktop-file-validate complained" >&2
fi

# Everything below runs as the kiosk user, with its own home and groups: what the service sees
# (HOME from the passwd entry; no XDG_* overrides leaking in from this shell).
as_kiosk() {
  setpriv --reuid="$KIOSK_USER" --regid="$KIOSK_USER" --init-groups \
    env -u XDG_CONFIG_HOME -u XDG_DATA_HOME -u XDG_STATE_HOME -u XDG_RUNTIME_DIR \
    HOME="$KIOSK_HOME" USER="$KIOSK_USER" LOGNAME="$KIOSK_USER" "$@"
}

step "the example config is accepted by the installed program"
cp assets/demo/visitor.jpg "$work/visitor.jpg"
chmod 0644 "$work/visitor.jpg"
# `gate` reads the config (an unknown key or a bad value is an error) and spends no paid call.
as_kiosk "$BIN" gate --json --image "$work/visitor.jpg" >"$work/gate.json" \
  || fail "gate refused the installed config or the photo: $(cat "$work/gate.json")"
grep -q '"verdict":"ok"' "$work/gate.json" || fail "the fixture photo does not pass the gate: $(cat "$work/gate.json")"
pass "config parses; the fixture photo passes the local gate"

step "a face-check against the installed simulator"
# --port 0 picks a free port; the first stdout line says where: "FACEKI simulator on http://…".
# Started directly (not through the as_kiosk function, whose subshell would be $!), so that
# $! is the simulator itself and the kill below reaches it.
setpriv --reuid="$KIOSK_USER" --regid="$KIOSK_USER" --init-groups \
  env HOME="$KIOSK_HOME" "$BIN" sim --port 0 --scenario match >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
base=""
for _ in $(seq 1 100); do
  base="$(sed -n 's/^FACEKI simulator on \(http:[^ ]*\).*/\1/p' "$work/sim.out" | head -n 1)"
  [ -n "$base" ] && break
  kill -0 "$sim_pid" 2>/dev/null || fail "the simulator exited: $(cat "$work/sim.err")"
  sleep 0.1
done
[ -n "$base" ] || fail "the simulator did not say where it listens: $(cat "$work/sim.out" "$work/sim.err")"
echo "simulator: $base"
set +e
as_kiosk FACEKI_API_BASE="$base" FACEKI_CLIENT_ID="$DEMO_ID" FACEKI_CLIENT_SECRET="$DEMO_SECRET" \
  "$BIN" check --json --image "$work/visitor.jpg" >"$work/check.json" 2>"$work/check.err"
rc=$?
set -e
cat "$work/check.json"
[ "$rc" -eq 0 ] || fail "check exited $rc (0 = every photo passed): $(cat "$work/check.err")"
grep -q '"outcome":"pass"' "$work/check.json" || fail "check did not report a pass"
grep -q '"full_name":"' "$work/check.json" || fail "a pass without the person's name"
if grep -q "$DEMO_SECRET" "$work/check.json" "$work/check.err"; then
  fail "the client secret appeared in the output"
fi
pass "check --json: outcome pass, exit 0, no secret in the output"
kill "$sim_pid" 2>/dev/null || true
wait "$sim_pid" 2>/dev/null || true
sim_pid=""

step "doctor (informational: a CI machine has no camera or screen)"
timeout 120 setpriv --reuid="$KIOSK_USER" --regid="$KIOSK_USER" --init-groups \
  env HOME="$KIOSK_HOME" "$BIN" doctor </dev/null || echo "(doctor reported problems; expected without camera/screen)"

# --- remove and purge --------------------------------------------------------------------
step "dpkg -r: the program goes, the kiosk's data stays"
dpkg -r "$PKG"
[ ! -e "$BIN" ] || fail "$BIN still there after remove"
[ ! -e /lib/systemd/system/faceki-kiosk.service ] || fail "unit still there after remove"
[ -d "$KIOSK_HOME" ] || fail "$KIOSK_HOME deleted by remove (only purge may)"
[ -f "$CONFIG" ] || fail "config deleted by remove"
getent passwd "$KIOSK_USER" >/dev/null || fail "user deleted by remove"
pass "removed; $KIOSK_HOME and the user kept"

step "dpkg -P: the kiosk's data and user go too"
dpkg -P "$PKG"
[ ! -e "$KIOSK_HOME" ] || fail "$KIOSK_HOME still there after purge"
if getent passwd "$KIOSK_USER" >/dev/null; then fail "user $KIOSK_USER still there after purge"; fi
if getent group "$KIOSK_USER" >/dev/null; then fail "group $KIOSK_USER still there after purge"; fi
status="$(dpkg-query -W -f='${db:Status-Status}' "$PKG" 2>/dev/null || true)"
[ -z "$status" ] || [ "$status" = not-installed ] || fail "$PKG is still '$status' in dpkg"
pass "purged"

printf '\nAll package tests passed.\n'
