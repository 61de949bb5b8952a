#!/usr/bin/env bash
# Hash-engine benchmark (issue 14, points 2 and B2's measuring part): MB/s of
# each SHA-256 / MD5 candidate and of src/hash/'s lane sets, for one 16 MiB
# message fed in 1 MiB pieces and for N = 1, 2, 4, 8, 16 independent 4 MiB
# messages, on one core and on every core. Cache-resident (pseudo-random data
# in memory), so it measures the hashing, not the drive.
#
# The bench is its own crate (benches/hash/, own workspace: ring and
# tape-sha256 never enter the main build). sha2 is built in the variants asked
# for (Cargo unifies features, so one build each):
#   default  sha2 picks SHA-NI at run time, else its portable Rust code
#   asm      sha2 picks SHA-NI, else the assembly compression (`asm` feature)
#   soft     sha2's portable Rust code always (what a CPU without SHA-NI runs)
#
#   benches/hash.sh [ROUNDS] [VARIANTS...]      e.g. benches/hash.sh 7 default soft
#
# ROUNDS (default 5): each implementation runs ROUNDS times, interleaved with
# the others, and the fastest run counts, so load from other processes hits
# all of them alike. The report (CPU model, flags, load, tables) goes to
# stdout and to bench-work/hash-<time>.txt. Set AWS_LC=1 to add aws-lc-rs
# (builds aws-lc-sys's C code with gcc: several minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${1:-5}
shift || true
VARIANTS=("$@")
[ ${#VARIANTS[@]} -gt 0 ] || VARIANTS=(default soft)
mkdir -p bench-work
OUT=bench-work/hash-$(date +%Y%m%d-%H%M%S).txt
flags() { grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -xE 'sha_ni|avx2|avx512f|avx512bw|avx512vl|bmi2|ssse3|sse4_1' | tr '\n' ' '; }
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
    echo "flags: $(flags)"
    echo "rustc: $(rustc --version)"
} | tee "$OUT"
FEAT=""
[ "${AWS_LC:-0}" = 1 ] && FEAT="aws-lc"
for v in "${VARIANTS[@]}"; do
    case $v in
        default) f=$FEAT ;;
        asm) f="sha2-asm${FEAT:+,$FEAT}" ;;
        soft) f="sha2-soft${FEAT:+,$FEAT}" ;;
        *) echo "unknown variant $v (default, asm, soft)" >&2; exit 2 ;;
    esac
    target=$ROOT/target/hash-bench-$v
    (cd benches/hash && CARGO_TARGET_DIR=$target cargo build --release --quiet ${f:+--features $f})
    {
        echo
        echo "### sha2 variant: $v"
        echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
        "$target/release/ie-preflight-hash-bench" "$ROUNDS"
        echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
    } | tee -a "$OUT"
done
echo "report: $OUT"
