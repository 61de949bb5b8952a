#!/usr/bin/env bash
# Run every fuzz target for TIME seconds each, one after the other, on one
# core (the machine is shared): fuzz/run.sh TIME [TARGET...]
# Each target fuzzes fuzz/corpus/TARGET (grown in place, not committed) with
# the committed seeds and regression inputs; libFuzzer's output goes to
# fuzz/logs/TARGET.log, crashes to fuzz/artifacts/TARGET/. A summary line
# per target (executions, exec/s, cov, ft, corpus) is printed at the end.
# Exit status: 1 if any target crashed, hung (-timeout) or ran out of memory.
set -uo pipefail
cd "$(dirname "$0")"
source ./targets.sh
time_s=${1:?usage: fuzz/run.sh TIME_SECONDS [TARGET...]}
shift
[ $# -gt 0 ] && TARGETS=("$@")
extra=${FUZZ_EXTRA_ARGS:-}
# Safe Rust has no stack-use-after-return; the fake stacks cost 5-10 %.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_stack_use_after_return=0}

cargo +nightly fuzz build || exit 2
./prepare-corpus.sh
mkdir -p logs
failed=()
summary=()
for t in "${TARGETS[@]}"; do
    args=(-max_total_time="$time_s" -rss_limit_mb=2048 -timeout=10 -max_len="$(max_len_for "$t")"
        -print_final_stats=1)
    d=$(dict_for "$t")
    [ -n "$d" ] && args+=(-dict="$d")
    dirs=("corpus/$t")
    [ -d "regressions/$t" ] && dirs+=("regressions/$t")
    echo "== $t (${time_s}s)"
    # shellcheck disable=SC2086
    cargo +nightly fuzz run "$t" "${dirs[@]}" -- "${args[@]}" $extra >"logs/$t.log" 2>&1
    rc=$?
    last=$(grep -E '^#[0-9]+' "logs/$t.log" | tail -1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "logs/$t.log")
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "logs/$t.log")
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "logs/$t.log")
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
    line=$(printf '%-18s rc=%-3s execs=%-10s exec/s=%-7s cov=%-6s ft=%-7s corp=%-12s rss=%sMB' \
        "$t" "$rc" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${rss:-?}")
    echo "$line"
    summary+=("$line")
    if [ "$rc" -ne 0 ]; then
        failed+=("$t")
        grep -E 'ERROR: libFuzzer|panicked|SUMMARY|Test unit written' "logs/$t.log" | head -5
    fi
done
echo
echo "== summary ($(date -u +%FT%TZ), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'))"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]}" >&2
    exit 1
fi
