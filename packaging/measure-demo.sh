#!/usr/bin/env bash
# Measures the real kiosk under Xvfb, and (when Debian's chromium is installed) a browser kiosk
# page doing what a web face SDK does, in the same run, fed the same clip:
#   - time from process start to the first camera frame on screen,
#   - CPU of the whole process tree (one core = 100%), RSS and PSS, over SECS seconds after a
#     WARM-second warm-up,
#   - the kiosk's UI repaint rate and slowest UI frame.
# Rows: the demo clip at 30 fps (someone walks up: preview + gate + checks), nobody in front (an
# empty wall at 30 fps), and the browser page (getUserMedia preview of the clip, mirrored, CSS
# oval, a PNG snapshot posted every 5 s, --disable-gpu).
#   packaging/measure-demo.sh                 release build, 20 s after 8 s
#   BIN=path/to/faceki-kiosk SECS=30 packaging/measure-demo.sh
#   EXTRA="--some-flag" / ENV="FACEKI_RENDERER=glow" packaging/measure-demo.sh
# Needs xvfb, imagemagick, bc; chromium for the browser row. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/faceki-kiosk/target}"
bin=${BIN:-$CARGO_TARGET_DIR/release/faceki-kiosk}
if [ -z "${BIN:-}" ]; then cargo build --release --locked --quiet; fi
secs=${SECS:-20}
warm=${WARM:-8}
clip=assets/demo/clip.mjpeg
export XDG_RUNTIME_DIR="$(mktemp -d)"
display=:96
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
work=$(mktemp -d)
trap 'kill $xvfb 2>/dev/null || true; pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
export DISPLAY="$display"
sleep 1
cfg=$work/config.toml
# The clip cannot answer a head-turn challenge: these rows are the preview, gate and checks.
printf '[camera]\nreplay_fps = 30.0\n[liveness]\nmode = "off"\n' > "$cfg"
mkdir -p "$work/wall"
convert -size 1280x720 gradient:'#a7a39d'-'#8c8882' "$work/wall/wall.jpg"

ticks=$(getconf CLK_TCK)
# The process and all its descendants (a browser is a dozen processes).
tree() {
  local p=$1
  echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do tree "$c"; done
}
cpu_ticks() {
  local sum=0 t
  for p in $(tree "$1"); do
    t=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)
    sum=$((sum + t))
  done
  echo $sum
}
mem_mb() { # $1 pid, $2 Rss|Pss
  local sum=0 k
  for p in $(tree "$1"); do
    k=$(awk -v f="$2:" '$1 == f {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
    sum=$((sum + ${k:-0}))
  done
  echo $((sum / 1024))
}

# measure NAME PID LOG: one measured window of a running process tree.
measure() {
  local name=$1 pid=$2 log=$3
  sleep "$warm"
  local c0 t0 c1 t1
  c0=$(cpu_ticks "$pid"); t0=$(date +%s.%N)
  sleep "$secs"
  c1=$(cpu_ticks "$pid"); t1=$(date +%s.%N)
  local rss pss; rss=$(mem_mb "$pid" Rss); pss=$(mem_mb "$pid" Pss)
  local cpu; cpu=$(echo "scale=1; 100 * ($c1 - $c0) / $ticks / ($t1 - $t0)" | bc)
  local first='-' rate='-' slow='-'
  if [ -n "$log" ]; then
    first=$(grep -o 'since_process_start_ms=[0-9]*' "$log" | head -1 | cut -d= -f2 || true)
    first="${first:-?} ms"
    rate=$(grep 'UI repaint rate' "$log" | tail -n 3 | grep -o 'passes_per_s=[0-9.]*' | cut -d= -f2 | awk '{s+=$1; n++} END {if (n) printf "%.1f", s/n; else print "?"}')
    slow=$(grep 'slowest UI frame' "$log" | grep -o ' ms=[0-9.]*' | tail -1 | cut -d= -f2 || true)
    slow=$([ -n "$slow" ] && printf '%.1f ms' "$slow" || echo '<1 ms')
  fi
  echo "| $name | $first | $cpu % | $rss MB | $pss MB | $rate | $slow |"
}

kiosk() { # NAME REPLAY
  local log=$work/$RANDOM.log
  # shellcheck disable=SC2086
  env RUST_LOG=faceki_kiosk=debug ${ENV:-} "$bin" --demo --windowed --config "$cfg" --replay "$2" ${EXTRA:-} 2>"$log" >/dev/null &
  local app=$!
  measure "$1" $app "$log"
  kill $app; wait $app 2>/dev/null || true
}

browser() {
  local chromium
  chromium=$(command -v chromium || true)
  if [ -z "$chromium" ]; then
    echo "| browser kiosk page | (chromium not installed: apt-get install chromium) | | | | | |"
    return
  fi
  # A server for the page and its snapshots (POST /upload is read and dropped).
  cp packaging/measure/browser-kiosk.html "$work/index.html"
  python3 - "$work" >/dev/null 2>&1 <<'PY' &
import http.server, sys, os
os.chdir(sys.argv[1])
class H(http.server.SimpleHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get('content-length', 0)))
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(('127.0.0.1', 8797), H).serve_forever()
PY
  local server=$!
  sleep 1
  "$chromium" --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$work/profile" \
    --use-fake-ui-for-media-stream --use-fake-device-for-media-stream \
    --use-file-for-fake-video-capture="$PWD/$clip" \
    --kiosk --window-size=1280,800 --window-position=0,0 http://127.0.0.1:8797/ >/dev/null 2>&1 &
  local br=$!
  measure "browser kiosk page (Chromium $("$chromium" --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -1), --disable-gpu)" $br ""
  kill $br $server 2>/dev/null || true
  wait $br 2>/dev/null || true
}

echo "| run (${secs} s after ${warm} s) | process start to first frame | CPU (1 core = 100%) | RSS | PSS | UI passes/s | slowest UI frame |"
echo "|---|---|---|---|---|---|---|"
kiosk "faceki-kiosk: demo clip at 30 fps (preview, gate, checks)" "$clip"
kiosk "faceki-kiosk: nobody in front (empty wall at 30 fps)" "$work/wall"
browser
