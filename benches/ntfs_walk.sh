#!/usr/bin/env bash
# NTFS walk benchmark (issue 3): `ie-preflight ls` against `fls -r -p` (The Sleuth Kit)
# on the same NTFS images, wall time (hyperfine) and peak RSS (/usr/bin/time -v).
#
# Builds one image per size with mkntfs on a sparse file, mounts it with ntfs-3g and
# creates the files (nested directories, 1 in 10 files gets a few bytes of resident
# data), then measures. Images stay under bench-work/ (gitignored) and are reused
# when they exist with the same parameters.
#
# Usage (root, for the ntfs-3g mount):
#   benches/ntfs_walk.sh [FILES...]          default: 100000 200000
#   RUNS=5 benches/ntfs_walk.sh 200000 1000000
# Needs: cargo, mkntfs + ntfs-3g (ntfs-3g), fls (sleuthkit), hyperfine, /usr/bin/time (time), python3.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
work="$here/bench-work"
runs=${RUNS:-5}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 200000)
mkdir -p "$work"
mnt="$work/mnt"
mounted=""
cleanup() {
    # Only our own mount.
    if [ -n "$mounted" ]; then umount "$mnt" 2>/dev/null || fusermount -u "$mnt" 2>/dev/null || true; fi
}
trap cleanup EXIT INT TERM

for t in mkntfs ntfs-3g fls hyperfine python3 /usr/bin/time; do
    command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 2; }
done

# FILES per leaf directory and leaf directories per middle directory:
# l1-XXX/l2-YY/file-NNNNNNN.txt, three levels below the root.
PER_LEAF=500
LEAVES_PER_MID=20

build_image() { # files image
    local n=$1 img=$2
    local gib=$(((n / 250000 + 1) * 2)) # sparse; about 1 KiB of MFT + index per file
    rm -f "$img" "$img.done"
    truncate -s "${gib}G" "$img"
    mkntfs -q -F -f -s 512 -c 4096 -L "bench$n" "$img" >/dev/null 2>&1
    mkdir -p "$mnt"
    ntfs-3g -o big_writes,noatime "$img" "$mnt"
    mounted=1
    local t0=$SECONDS
    python3 - "$mnt" "$n" "$PER_LEAF" "$LEAVES_PER_MID" <<'PY'
import os, sys
root, n, per_leaf, per_mid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
made = 0
leaf = 0
flags = os.O_CREAT | os.O_WRONLY | os.O_EXCL
while made < n:
    mid, sub = divmod(leaf, per_mid)
    d = f"{root}/l1-{mid:03d}"
    if sub == 0:
        os.mkdir(d)
    d = f"{d}/l2-{sub:02d}"
    os.mkdir(d)
    for i in range(min(per_leaf, n - made)):
        fd = os.open(f"{d}/file-{made:07d}.txt", flags, 0o644)
        if made % 10 == 0:
            os.write(fd, b"%d\n" % made)
        os.close(fd)
        made += 1
    leaf += 1
PY
    sync
    umount "$mnt"
    mounted=""
    echo "built $img: $n files in $((SECONDS - t0)) s" >&2
    echo "$n $PER_LEAF $LEAVES_PER_MID" > "$img.done"
}

peak_kib() { # command... -> peak RSS in KiB
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
}

for n in "${sizes[@]}"; do
    img="$work/ntfs-$n.img"
    if [ ! -f "$img.done" ] || [ "$(cat "$img.done")" != "$n $PER_LEAF $LEAVES_PER_MID" ]; then
        build_image "$n" "$img"
    fi
done
[ -z "${BUILD_ONLY:-}" ] || exit 0
(cd "$here" && cargo build --release --quiet)
bin="$here/target/release/ie-preflight"

report="$work/ntfs_walk-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
    echo "# ntfs_walk $(date -u +%FT%TZ)"
    echo "# $(nproc) vCPU, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo)"
    echo "# $(fls -V 2>&1 | head -1), $(hyperfine --version), ie-preflight $(git -C "$here" rev-parse --short HEAD)"
    echo "# wall = hyperfine median wall time; cpu = mean user+system time (robust when other jobs share the cores)"
    echo "# files  lines_ls  lines_fls  ls_wall_s  fls_wall_s  wall_speedup  ls_cpu_s  fls_cpu_s  cpu_speedup  ls_rss_MiB  fls_rss_MiB  fls/ls_rss"
} | tee "$report"

for n in "${sizes[@]}"; do
    img="$work/ntfs-$n.img"
    # Both read the image through the page cache (warm-up runs first).
    ls_cmd="$bin ls --system $img" # fls lists the metadata files too
    fls_cmd="fls -r -p -f ntfs $img"
    json="$work/hyperfine-$n.json"
    hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$json" \
        -n ie-preflight-ls "$ls_cmd >/dev/null" -n fls "$fls_cmd >/dev/null" >&2
    read -r ls_s fls_s ls_c fls_c < <(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results']; print(r[0]['median'], r[1]['median'], r[0]['user']+r[0]['system'], r[1]['user']+r[1]['system'])" "$json")
    ls_kib=$(peak_kib $ls_cmd)
    fls_kib=$(peak_kib $fls_cmd)
    ls_lines=$($ls_cmd | wc -l)
    fls_lines=$($fls_cmd | wc -l)
    awk -v n="$n" -v le="$ls_lines" -v fe="$fls_lines" -v l="$ls_s" -v f="$fls_s" -v lc="$ls_c" -v fc="$fls_c" -v lk="$ls_kib" -v fk="$fls_kib" \
        'BEGIN { printf "%7d  %8d  %9d  %9.3f  %10.3f  %11.1fx  %8.3f  %9.3f  %10.1fx  %10.1f  %11.1f  %9.2fx\n", n, le, fe, l, f, f/l, lc, fc, fc/lc, lk/1024, fk/1024, fk/lk }' |
        tee -a "$report"
done

# Linear growth from the first two sizes, extrapolated to 1,000,000 files (compare with
# a measured 1000000 row when that size is given too).
awk '!/^#/ { k++; n[k]=$1; lw[k]=$4; fw[k]=$5; lc[k]=$7; fc[k]=$8; lr[k]=$10; fr[k]=$11 }
function per(v) { return (v[2]-v[1])/(n[2]-n[1]) }
function at(v, x) { return v[2] + per(v)*(x-n[2]) }
END {
    if (k < 2) exit
    printf "# growth (from %d and %d files): ls peak RSS %.1f MiB + %.0f bytes/file, fls %.1f MiB + %.0f bytes/file\n", n[1], n[2], at(lr, 0), per(lr)*1048576, at(fr, 0), per(fr)*1048576
    printf "# extrapolated to 1000000 files: ls %.2f s wall, %.2f s cpu, %.0f MiB peak; fls %.2f s wall, %.2f s cpu, %.0f MiB peak; speedup %.1fx wall, %.1fx cpu\n", at(lw, 1e6), at(lc, 1e6), at(lr, 1e6), at(fw, 1e6), at(fc, 1e6), at(fr, 1e6), at(fw, 1e6)/at(lw, 1e6), at(fc, 1e6)/at(lc, 1e6)
}' "$report" | tee -a "$report"
echo "report: $report" >&2
