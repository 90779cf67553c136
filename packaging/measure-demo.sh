#!/usr/bin/env bash
# Measures the real demo under Xvfb: time to the first camera frame on screen, RSS and CPU
# with the preview at camera rate (the demo clip at 30 fps, checks running) and with nobody in
# front (an empty wall at 30 fps), and the slowest UI frame after start-up.
# Needs xvfb and imagemagick. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-target/release/faceki-kiosk}
if [ -z "${BIN:-}" ]; then cargo build --release --quiet; fi
secs=${SECS:-20}
export XDG_RUNTIME_DIR="$(mktemp -d)"
display=:96
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
export DISPLAY="$display"
sleep 1
cfg=$(mktemp --suffix=.toml)
printf '[camera]\nreplay_fps = 30.0\n' > "$cfg"
wall=$(mktemp -d)
convert -size 1280x720 gradient:'#a7a39d'-'#8c8882' "$wall/wall.jpg"

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

# run NAME REPLAY: one measured run.
run() {
  local name=$1 replay=$2 log
  log=$(mktemp)
  RUST_LOG=faceki_kiosk=debug "$bin" --demo --windowed --config "$cfg" --replay "$replay" 2>"$log" >/dev/null &
  local app=$!
  sleep 5
  local c0 t0 c1 t1
  c0=$(cpu_ticks $app); t0=$(date +%s.%N)
  sleep "$secs"
  c1=$(cpu_ticks $app); t1=$(date +%s.%N)
  local rss; rss=$(rss_mb $app)
  kill $app; wait $app 2>/dev/null || true
  local cpu; cpu=$(echo "scale=1; 100 * ($c1 - $c0) / $ticks / ($t1 - $t0)" | bc)
  # From process start (exec) to the first camera frame drawn.
  local first; first=$(grep -o 'since_process_start_ms=[0-9]*' "$log" | head -1 | cut -d= -f2 || true)
  local slow; slow=$(grep 'slowest UI frame' "$log" | grep -o ' ms=[0-9.]*' | tail -1 | cut -d= -f2 || true)
  if [ -n "$slow" ]; then slow=$(printf '%.2f' "$slow"); fi
  local checks; checks=$(grep -c 'face-check finished' "$log" || true)
  echo "| $name | ${first:-?} ms | $rss MB | $cpu % | ${slow:-<1} ms | $checks |"
}

echo "| run (${secs} s measured after 5 s) | process start to first frame on screen | RSS | CPU (one core = 100%) | slowest UI frame after start-up | checks in the run |"
echo "|---|---|---|---|---|---|"
run "demo clip at 30 fps, preview + gate + checks" assets/demo/clip.mjpeg
run "nobody in front (empty wall at 30 fps)" "$wall"
