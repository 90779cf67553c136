#!/usr/bin/env bash
# Runs the real binary in demo mode under Xvfb and saves screenshots of the main screens to
# docs/screenshots/. Needs xvfb and imagemagick (import). Timings follow the demo clip: an
# empty wall (0-0.8 s), someone walking in (0.8-2.8 s), holding still (auto-capture ~3.7 s).
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/screenshots
mkdir -p "$out"
bin=${BIN:-target/release/faceki-kiosk}
if [ -z "${BIN:-}" ]; then cargo build --release --quiet; fi
export XDG_RUNTIME_DIR="$(mktemp -d)"
display=:97
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
export DISPLAY="$display"
sleep 1

# shot SCENARIO "name@seconds" ...: one demo run, screenshots at the given times.
# EXTRA holds more arguments for the run (e.g. --replay DIR).
shot() {
  local scenario=$1; shift
  # shellcheck disable=SC2086
  "$bin" --demo --windowed --scenario "$scenario" ${EXTRA:-} >/dev/null 2>&1 &
  local app=$! t=0
  for spec in "$@"; do
    local name=${spec%@*} at=${spec#*@}
    sleep "$(echo "$at - $t" | bc)"
    t=$at
    import -window root "$out/$name.png"
    echo "saved $out/$name.png"
  done
  kill "$app" 2>/dev/null || true
  wait "$app" 2>/dev/null || true
}

# Nobody there: a replay of an empty wall.
wall=$(mktemp -d)
convert -size 1280x720 gradient:'#a7a39d'-'#8c8882' "$wall/wall.jpg"
EXTRA="--replay $wall" shot match attract@3.0
shot match positioning@2.0 pass@7.0
shot no-match no-match@7.0
shot code-8006 retake@7.0
shot ambiguous ambiguous@7.0
