#!/usr/bin/env bash
# CI smoke run: build every fuzz target with nightly and run each for
# SMOKE_SECONDS (default 20) on its corpus (seeds + regression inputs, which
# libFuzzer replays first). Any crash, hang or OOM fails (exit non-zero).
# Needs: rustup nightly and cargo-fuzz (installed here if missing).
set -euo pipefail
cd "$(dirname "$0")"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
exec ./run.sh "${SMOKE_SECONDS:-20}"
