#!/usr/bin/env bash
# Regenerates the demo camera clip, its labels and the demo photo from the fixture photos.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo test --release --test make_demo_clip -- --ignored --nocapture
