#!/usr/bin/env bash
# Makes packaging/link-order.txt: the functions the kiosk runs, which the release link lays out
# side by side (src/build.rs, lld's --symbol-ordering-file), so the kernel's 64 KB fault-around
# maps code the kiosk uses instead of its neighbours (BENCHMARKS.md, "Paint cost", fifth round).
#
# Builds the release binary with symbols, then runs it under Xvfb twice: the demo clip with
# liveness off (preview, gate, checks) and the default demo (the rendered visitor, the liveness
# challenge, the result screen with the ID image). Each run starts with the binary out of the
# page cache and the disk's readahead off, so the pages it has mapped after SECS seconds are the
# 4 KB pages it touched; the list is every function on one of those pages, in address order.
#
# Run it again after a Rust upgrade (build.rs ignores a list made by another rustc and says so)
# or when the kiosk's code paths change a lot. Needs root (it sets the disk's read_ahead_kb for
# the runs and puts it back), xvfb, python3 and binutils.
#   sudo packaging/link-order.sh            SECS=50 per run
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "link-order.sh needs root (read_ahead_kb)" >&2; exit 1; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/faceki-kiosk/target}"
secs=${SECS:-50}
out=packaging/link-order.txt

# The symbols' names (and their hashes) are those of the stripped release build: same profile,
# only the final link keeps the symbol table.
cargo rustc --release --locked --quiet --bin faceki-kiosk -- -C strip=none
work=$(mktemp -d "$CARGO_TARGET_DIR/link-order.XXXXXX")
bin=$work/faceki-kiosk
cp "$CARGO_TARGET_DIR/release/faceki-kiosk" "$bin"
sync

# The disk the binary lives on, and its readahead.
dev=$(basename "$(readlink -f "$(df --output=source "$bin" | tail -n 1)")")
[ -e "/sys/class/block/$dev/partition" ] && dev=$(basename "$(dirname "$(readlink -f "/sys/class/block/$dev")")")
ra=/sys/block/$dev/queue/read_ahead_kb
[ -w "$ra" ] || { echo "no readahead setting for $dev (the target dir must be on a disk, not tmpfs)" >&2; exit 1; }
old_ra=$(cat "$ra")

export XDG_RUNTIME_DIR="$work/xdg"
mkdir -m 700 "$XDG_RUNTIME_DIR"
display=:97
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'echo "$old_ra" > "$ra"; kill $xvfb 2>/dev/null || true; pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
export DISPLAY="$display"
sleep 1
printf '[camera]\nreplay_fps = 30.0\n[liveness]\nmode = "off"\n' > "$work/clip.toml"

touched() { # $1 output file, then the kiosk's arguments
  local pages=$1
  shift
  echo 0 > "$ra"
  python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$bin"
  "$bin" "$@" > "$work/run.log" 2>&1 &
  local pid=$!
  sleep "$secs"
  python3 - "$pid" "$bin" > "$pages" <<'PY'
import struct, sys
pid, path = int(sys.argv[1]), sys.argv[2]
with open(f"/proc/{pid}/pagemap", "rb") as pm:
    for line in open(f"/proc/{pid}/maps"):
        f = line.split()
        if len(f) > 5 and f[5] == path:
            a, b = (int(x, 16) for x in f[0].split("-"))
            pm.seek(a // 4096 * 8)
            data = pm.read((b - a) // 4096 * 8)
            for i in range((b - a) // 4096):
                if struct.unpack_from("<Q", data, i * 8)[0] >> 63:
                    print(int(f[2], 16) + i * 4096)
PY
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  echo "$old_ra" > "$ra"
  echo "$* : $(wc -l < "$pages") pages touched" >&2
}
touched "$work/clip.pages" --demo --windowed --config "$work/clip.toml" --replay assets/demo/clip.mjpeg
touched "$work/demo.pages" --demo --windowed

{
  echo "# Functions the kiosk runs, laid out first by the release link (src/build.rs)."
  echo "# Made by packaging/link-order.sh; do not edit."
  echo "# rustc $(rustc -V | sed 's/^rustc //')"
  python3 - "$bin" "$work/clip.pages" "$work/demo.pages" <<'PY'
import re, subprocess, sys
binary = sys.argv[1]
pages = set()
for f in sys.argv[2:]:
    pages |= {int(x) for x in open(f)}
# The executable LOAD segment: virtual address to file offset.
for line in subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True, check=True).stdout.splitlines():
    f = line.split()
    if f and f[0] == "LOAD" and "E" in f[-2]:
        off, vaddr, size = int(f[1], 16), int(f[2], 16), int(f[4], 16)
        break
syms = {}
nm = subprocess.run(["nm", "--defined-only", "-S", binary], capture_output=True, text=True, check=True).stdout
for line in nm.splitlines():
    f = line.split()
    if len(f) == 4 and f[2] in "tTwW":
        a, s = int(f[0], 16), int(f[1], 16)
        if s and vaddr <= a < vaddr + size:
            syms.setdefault(a, (s, f[3]))
picked = total = 0
for a in sorted(syms):
    s, name = syms[a]
    o = a - vaddr + off
    if any(p in pages for p in range(o // 4096 * 4096, o + s, 4096)):
        print(name)
        picked += s
    total += s
print(f"{picked / 2**20:.1f} of {total / 2**20:.1f} MB of functions listed", file=sys.stderr)
PY
} > "$work/order.txt"
mv "$work/order.txt" "$out"
echo "wrote $out ($(grep -vc '^#' "$out") functions); cargo build --release relinks with it" >&2
