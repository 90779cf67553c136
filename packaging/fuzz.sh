#!/usr/bin/env bash
# Builds the cargo-fuzz targets in fuzz/ (libFuzzer + AddressSanitizer) and runs each one for a
# while on a temporary copy of its seed corpus. Exits non-zero when a target crashes, runs out
# of memory, hangs, or a saved regression input in fuzz/regressions/<target>/ still fails.
#
#   packaging/fuzz.sh                       60 s per target
#   SECS=600 packaging/fuzz.sh              longer runs
#   TARGETS="mjpeg_frames" packaging/fuzz.sh   one target
#   KEEP_CORPUS=1 packaging/fuzz.sh         keep the grown corpora (paths printed) for a look
#   NICE=0 packaging/fuzz.sh                full CPU priority (default 19: share the machine)
#
# Targets (fuzz/fuzz_targets/):
#   face_check_decision  faceki::decide(status, body) is total and fails closed: a pass needs a
#                        2xx, a JSON body and an independent oracle that finds a usable record
#   token_reply          the token reply's pieces (wire::TokenEnvelope, envelope::message, the
#                        expires_in clamp) never panic; Debug never shows the token
#   mjpeg_frames         camera::mjpeg::split_frames + decode_jpeg never panic
#
# The targets build the library without its `kiosk` feature (no window, camera, ML or HTTP), so
# the first ASan build compiles only a few crates. The build goes to the user's cache
# (FUZZ_TARGET_DIR, default ~/.cache/faceki-kiosk/fuzz-target), like the kiosk's own build.
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${SECS:-60}
NICE=${NICE:-19}
TARGETS=${TARGETS:-"face_check_decision token_reply mjpeg_frames"}
KEEP_CORPUS=${KEEP_CORPUS:-0}

# Largest input libFuzzer generates, per target. Replies in the samples are ~5 kB; the MJPEG
# target also skips anything over 1 MiB itself.
max_len() {
  case "$1" in
    face_check_decision) echo 16384 ;;
    token_reply) echo 4096 ;;
    mjpeg_frames) echo 65536 ;;
    *) echo 4096 ;;
  esac
}

step() { printf '\n==> %s\n' "$*"; }
run() { nice -n "$NICE" "$@"; }

if ! cargo fuzz --version >/dev/null 2>&1; then
  step "installing cargo-fuzz"
  run cargo install cargo-fuzz --locked
fi

# cargo-fuzz passes -Zsanitizer=address and other unstable flags, so it needs a nightly
# compiler. CI machines may have only stable installed: RUSTC_BOOTSTRAP=1 lets a stable rustc
# accept nightly-only flags. That is fine for a test build like this one, never for a release.
if command -v rustup >/dev/null 2>&1 && rustup toolchain list | grep -q nightly; then
  CARGO=(cargo +nightly)
  echo "toolchain: nightly ($(rustc +nightly --version))"
else
  CARGO=(cargo)
  export RUSTC_BOOTSTRAP=1
  echo "toolchain: no nightly installed; stable with RUSTC_BOOTSTRAP=1 ($(rustc --version))"
fi
HOST=$(rustc -vV | sed -n 's/^host: //p')

export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/faceki-kiosk/fuzz-target}"
step "building fuzz targets (cargo fuzz build -O, AddressSanitizer) into $CARGO_TARGET_DIR"
build_start=$(date +%s)
(cd fuzz && run "${CARGO[@]}" fuzz build -O)
echo "build: $(( $(date +%s) - build_start )) s"
BIN_DIR=$CARGO_TARGET_DIR/$HOST/release

WORK=$(mktemp -d "${TMPDIR:-/tmp}/faceki-fuzz.XXXXXX")
if [ "$KEEP_CORPUS" != 1 ]; then
  trap 'rm -rf "$WORK"' EXIT
fi

stat_of() { sed -n "s/^stat::$2: *//p" "$1" | tail -n 1; }

failed=()
summary=()
for t in $TARGETS; do
  bin=$BIN_DIR/$t
  [ -x "$bin" ] || { echo "no fuzz binary $bin" >&2; exit 1; }
  artifacts=fuzz/artifacts/$t
  mkdir -p "$artifacts"
  stamp=$WORK/$t.stamp
  touch "$stamp"

  # Inputs that crashed before must keep passing (libFuzzer runs file arguments once each).
  shopt -s nullglob
  regressions=(fuzz/regressions/"$t"/*)
  shopt -u nullglob
  if [ ${#regressions[@]} -gt 0 ]; then
    step "$t: replaying ${#regressions[@]} regression input(s)"
    if ! run "$bin" -rss_limit_mb=2048 -timeout=30 "${regressions[@]}" >"$WORK/$t.regress.log" 2>&1; then
      tail -n 30 "$WORK/$t.regress.log"
      failed+=("$t (regression input fails: see fuzz/regressions/$t)")
    fi
  fi

  step "$t: fuzzing for ${SECS}s"
  corpus=$WORK/corpus-$t
  mkdir -p "$corpus"
  cp -R "fuzz/corpus/$t/." "$corpus/" 2>/dev/null || true
  seeds=$(find "$corpus" -type f | wc -l)
  log=$WORK/$t.log
  status=0
  run "$bin" "$corpus" \
    -max_total_time="$SECS" -rss_limit_mb=2048 -max_len="$(max_len "$t")" -timeout=30 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?
  execs=$(stat_of "$log" number_of_executed_units)
  rate=$(stat_of "$log" average_exec_per_sec)
  rss=$(stat_of "$log" peak_rss_mb)
  grown=$(( $(find "$corpus" -type f | wc -l) - seeds ))
  line="$t: ${execs:-?} execs, ${rate:-?} exec/s, peak RSS ${rss:-?} MB, corpus +$grown"
  if [ "$status" -ne 0 ]; then
    grep -E '^==[0-9]+==|panicked at|^SUMMARY|Test unit written|ERROR: libFuzzer' "$log" | head -n 20 || true
    tail -n 40 "$log" | sed 's/^/  | /'
    line="$line, FAILED (exit $status; log kept at $log)"
    failed+=("$t")
    trap - EXIT # keep the logs
  fi
  summary+=("$line")
  [ "$KEEP_CORPUS" = 1 ] && echo "grown corpus kept in $corpus"

  new=$(find "$artifacts" -type f -newer "$stamp" \
    \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' \) | sort)
  for a in $new; do
    mkdir -p "fuzz/regressions/$t"
    cp "$a" "fuzz/regressions/$t/"
    cat <<EOF

  New failing input: $a (copied to fuzz/regressions/$t/$(basename "$a")).
  Reproduce:   (cd fuzz && ${CARGO[*]} fuzz run -O $t ../$a)
  Minimise:    (cd fuzz && ${CARGO[*]} fuzz tmin -O $t ../$a)
  Then turn it into an ordinary test before fixing (tests/decision_props.rs for
  face_check_decision, tests/camera.rs for mjpeg_frames, src/faceki/wire.rs tests for
  token_reply), e.g. with include_bytes!("../fuzz/regressions/$t/$(basename "$a")");
  for face_check_decision strip the first 2 bytes (the status, see the target's header).
EOF
  done
done

step "summary (${SECS}s per target)"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "no crashes"
