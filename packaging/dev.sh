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
    cargo fmt --all -- --check
    cargo clippy --all-targets --locked -- -D warnings
    cargo test --all-targets --locked
    # Reliability at CI size: 2000 checks with 10% injected faults (0 panics, 0 false passes).
    cargo run --locked --quiet -- soak --checks 2000
    # Fuzzing at CI size: 60 s per target.
    SECS="${FUZZ_SECS:-60}" ./packaging/fuzz.sh
    # The Debian package: installs a package and creates a user, so only on a throw-away CI
    # machine (FACEKI_CI=1, root).
    if [ "${FACEKI_CI:-0}" = 1 ]; then
      ./packaging/deb-test.sh
    else
      echo "Skipping packaging/deb-test.sh (installs a system package; CI sets FACEKI_CI=1)."
    fi
    ;;
esac
