#!/usr/bin/env bash
# Sets up a Debian 12 machine for faceki-kiosk, then runs it.
#   packaging/dev.sh demo   build and run the kiosk in demo mode (no FACEKI account needed)
#   packaging/dev.sh test   run the whole test suite (fmt, clippy, unit, integration, UI tests,
#                           a CI-sized soak and fuzz run; with FACEKI_CI=1 as root, the .deb test)
# Installs the Debian packages it needs (with sudo when not root). Needs Rust >= 1.85 (rustup).
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
case "$mode" in demo|test) ;; *) echo "usage: $0 demo|test" >&2; exit 64 ;; esac

# Stage times, printed at the end of `test` (also when a stage fails).
t0=$(date +%s); stages=(); current=""; since=$t0
stage() {
  local now; now=$(date +%s)
  if [ -n "$current" ]; then stages+=("$(printf '%6d s  %s' $((now - since)) "$current")"); fi
  current="$1"; since=$now
  [ -n "$1" ] && printf '\n==> %s\n' "$1"
  return 0
}
report() {
  local rc=$?
  stage ""
  printf '\nStage times (%s):\n' "$([ "$rc" = 0 ] && echo passed || echo "FAILED, exit $rc")"
  printf '%s\n' "${stages[@]}"
  printf '%6d s  total\n' $(( $(date +%s) - t0 ))
}
if [ "$mode" = test ]; then trap report EXIT; fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

# Build: a C toolchain, libclang for nokhwa's V4L2 bindings (bindgen), ALSA headers for sound cues.
pkgs=(build-essential pkg-config libclang-dev libasound2-dev ca-certificates)
# Run: what eframe/wgpu and the webcam load at run time (dlopen, so cargo cannot see them).
pkgs+=(libgl1 libegl1 libgl1-mesa-dri mesa-vulkan-drivers libvulkan1 libxkbcommon0 libxkbcommon-x11-0
       libwayland-client0 libwayland-egl1 libx11-6 libxcursor1 libxrandr2 libxi6 libv4l-0 libasound2)
if [ "$mode" = test ]; then
  # A real X server for the window tests, and libjpeg-turbo's tools as the benchmark reference.
  pkgs+=(xvfb xauth libjpeg-turbo-progs)
  # The fleet tests: a throw-away PostgreSQL cluster (server binaries; the tests initdb their
  # own) and the dashboard driven in headless Chromium through chromedriver.
  pkgs+=(postgresql chromium chromium-driver)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  [ "$mode" = test ] && stage "install Debian packages"
  echo "Installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "Rust is not installed. Install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
rust_minor=$(rustc --version | sed -E 's/^rustc 1\.([0-9]+).*/\1/')
if [ "${rust_minor:-0}" -lt 85 ]; then
  echo "Rust 1.85 or newer is needed (found $(rustc --version)); run: rustup update stable" >&2
  exit 1
fi

# One build cache per user, outside the clone: a fresh clone on a machine that built the same
# tree before reuses it (CI's warm runs), a new machine still builds from scratch. An explicit
# CARGO_TARGET_DIR wins.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/faceki-kiosk/target}"

case "$mode" in
  demo)
    if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
      echo "No display: the kiosk needs a screen. (Headless: xvfb-run -a $0 demo)" >&2
      exit 1
    fi
    exec cargo run --release -- --demo --windowed
    ;;
  test)
    # wgpu and winit want a private runtime dir; the UI tests render on Mesa's CPU drivers.
    XDG_RUNTIME_DIR="$(mktemp -d)"
    export XDG_RUNTIME_DIR
    stage "cargo fmt --check"
    cargo fmt --all -- --check
    # Clippy runs as this crate's compiler inside the test build (what `cargo clippy` does with
    # a check build), so the dependencies are compiled once, for the tests, not twice.
    stage "build the tests, with clippy -D warnings (cargo test --no-run)"
    RUSTC_WORKSPACE_WRAPPER=clippy-driver CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" \
      cargo test --all-targets --locked --no-run
    stage "cargo test"
    RUSTC_WORKSPACE_WRAPPER=clippy-driver CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" \
      cargo test --all-targets --locked
    # Reliability at CI size: 2000 checks with 10% injected faults (0 panics, 0 false passes).
    # The test build's own binary: nothing is compiled again.
    stage "soak: 2000 checks with injected faults"
    "$CARGO_TARGET_DIR/debug/faceki-kiosk" soak --checks 2000
    # Fuzzing at CI size: 60 s per target.
    stage "fuzz: 60 s per target"
    SECS="${FUZZ_SECS:-60}" ./packaging/fuzz.sh
    # The Debian package: installs a package and creates a user, so only on a throw-away CI
    # machine (FACEKI_CI=1, root).
    stage "Debian package: build, install, use, remove, purge"
    if [ "${FACEKI_CI:-0}" = 1 ]; then
      DEB_PROFILE=dev ./packaging/deb-test.sh
    else
      echo "Skipping packaging/deb-test.sh (installs a system package; CI sets FACEKI_CI=1)."
    fi
    ;;
esac
