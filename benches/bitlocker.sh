#!/usr/bin/env bash
# BitLocker benchmarks of issue 6 (results: BENCHMARKS.md, section "BitLocker").
#
#  (a) key check: one recovery-password attempt, `ie-preflight check` against
#      `cryptsetup bitlkOpen --test-passphrase --key-file` on the same
#      Windows-made image (bitlk-aes-xts-128). `check` without a key is also
#      timed, so the cost of the attempt itself can be read off.
#  (b) decrypt throughput: `ie-preflight unlock` against `dislocker-file` on a
#      populated XTS-AES-128 volume of MIB MiB built by the test fixture helper
#      (tests/it/bitlk/encrypt.rs); both outputs go to tmpfs and are verified.
#  (c) the same for XTS, CBC and CBC + Elephant on the Windows-made images.
#  (d) the hash scan inside BitLocker: a plain NTFS volume with MIB MiB of file
#      data (mkntfs + an ntfs-3g mount, as root) is encrypted into an
#      XTS-AES-128 volume by the fixture helper; `ie-preflight check --hashes`
#      is timed on the BitLocker volume (with the key) and on its plain twin,
#      and both hash files must be identical.
#
# Usage: benches/bitlocker.sh [MIB] [--append] [--scan-only]
#   MIB          size of the decrypt-benchmark volume and of the file data of
#                the scan benchmark (default 512, at least 128)
#   --append     also add the Markdown section to BENCHMARKS.md (end of "## BitLocker")
#   --scan-only  run (d) only
# Needs: hyperfine, cryptsetup, dislocker-file, python3, and the images of
# ../shared/testdata/bitlk (or IE_PREFLIGHT_BITLK_DIR); (d) also needs root,
# mkntfs and ntfs-3g. Release build, -j2.
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=512
APPEND=0
SCAN_ONLY=0
for a in "$@"; do
    case $a in
    --append) APPEND=1 ;;
    --scan-only) SCAN_ONLY=1 ;;
    *) MIB=$a ;;
    esac
done
for t in hyperfine cryptsetup dislocker-file python3 sha256sum; do
    command -v "$t" >/dev/null || { echo "benches/bitlocker.sh: $t is not installed" >&2; exit 2; }
done
WORK=${BENCH_DIR:-/dev/shm}/ie-preflight-bitlk-bench.$$
mkdir -p "$WORK"
trap 'umount "$WORK/mnt" 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release -j2 -q
BIN=$PWD/target/release/ie-preflight

# Add a Markdown section at the end of BENCHMARKS.md's "## BitLocker" section.
add_section() {
    python3 - "$1" <<'PY'
import sys
sec = sys.argv[1].rstrip("\n") + "\n"
text = open("BENCHMARKS.md").read() if __import__("os").path.exists("BENCHMARKS.md") else ""
if "\n## BitLocker\n" not in "\n" + text:
    text = text.rstrip("\n") + "\n\n## BitLocker\n\nScript: `benches/bitlocker.sh [MIB] --append` (see its header).\n"
start = ("\n" + text).index("\n## BitLocker\n")
nxt = text.find("\n## ", start + 1)
if nxt < 0:
    text = text.rstrip("\n") + "\n\n" + sec
else:
    text = text[:nxt].rstrip("\n") + "\n\n" + sec + text[nxt:]
open("BENCHMARKS.md", "w").write(text)
PY
}

DIR=${IE_PREFLIGHT_BITLK_DIR:-target/bitlk-images}

# (d) The hash scan inside BitLocker against the same scan on the plain twin.
scan_step() {
    for t in mkntfs ntfs-3g; do
        command -v "$t" >/dev/null || { echo "benches/bitlocker.sh: $t is not installed" >&2; exit 2; }
    done
    [ "$(id -u)" = 0 ] || { echo "benches/bitlocker.sh: (d) needs root (ntfs-3g mount)" >&2; exit 2; }
    local plain=$WORK/plain.img locked=$WORK/bitlocker.img n i
    rm -f "$plain"
    truncate -s $((MIB + MIB / 8 + 64))M "$plain"
    mkntfs -q -F -Q -L SCANBENCH "$plain" >/dev/null 2>&1
    mkdir -p "$WORK/mnt"
    ntfs-3g "$plain" "$WORK/mnt"
    # MIB MiB of file data: 64 MiB files, then 4 MiB and 64 KiB ones.
    n=$((MIB * 3 / 4 / 64))
    for i in $(seq 1 "$n"); do
        mkdir -p "$WORK/mnt/big/$((i % 4))"
        head -c 64M /dev/urandom >"$WORK/mnt/big/$((i % 4))/f$i.bin"
    done
    for i in $(seq 1 $(((MIB - n * 64) * 3 / 4 / 4))); do
        mkdir -p "$WORK/mnt/mid/$((i % 8))"
        head -c 4M /dev/urandom >"$WORK/mnt/mid/$((i % 8))/f$i.bin"
    done
    i=0
    while [ "$(du -sbm "$WORK/mnt" | cut -f1)" -lt "$MIB" ]; do
        i=$((i + 1))
        mkdir -p "$WORK/mnt/small/$((i % 32))"
        head -c 64K /dev/urandom >"$WORK/mnt/small/$((i % 32))/f$i.bin"
    done
    SCAN_FILES=$(find "$WORK/mnt" -type f | wc -l)
    SCAN_BYTES=$(du -sb "$WORK/mnt" --apparent-size | cut -f1)
    sync
    umount "$WORK/mnt"
    IE_PREFLIGHT_NO_SKIP=1 IE_PREFLIGHT_BENCH_OUT=$locked IE_PREFLIGHT_BENCH_MIB=0 \
        IE_PREFLIGHT_BENCH_INNER=$plain \
        cargo test --release -j2 -q --test it -- --ignored --exact bitlocker_fixtures::make_bench_image >/dev/null
    local rp
    rp=$(awk '$0=="[bitlk-aes-xts-128]"{f=1;next} /^\[/{f=0} f&&/^RP=/{sub(/^RP=/,"");print}' "$DIR/images.conf")
    printf '%s' "$rp" >"$WORK/scan-key"
    echo "== (d) check --hashes: BitLocker volume vs its plain twin ($SCAN_BYTES bytes in $SCAN_FILES files)" >&2
    hyperfine -N -i --warmup 2 --runs 10 --export-json "$WORK/d.json" \
        -n plain "$BIN check $plain --json --hashes $WORK/plain.sha256" \
        -n bitlocker "$BIN check $locked --json --recovery-key-file $WORK/scan-key --hashes $WORK/bitlocker.sha256" \
        -n "plain --no-hash" "$BIN check $plain --json --no-hash" \
        -n "bitlocker --no-hash" "$BIN check $locked --json --recovery-key-file $WORK/scan-key --no-hash" >&2
    cmp "$WORK/plain.sha256" "$WORK/bitlocker.sha256" || { echo "the two hash files differ" >&2; exit 1; }
    [ "$(wc -l <"$WORK/plain.sha256")" -ge "$SCAN_FILES" ] || { echo "too few hashes" >&2; exit 1; }
    SCAN_SECTION=$(python3 - "$WORK/d.json" "$SCAN_BYTES" "$SCAN_FILES" "$(stat -c %s "$locked")" <<'PY'
import json, sys, subprocess, datetime
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
size, files, vol = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
p, b, pn, bn = r["plain"], r["bitlocker"], r["plain --no-hash"], r["bitlocker --no-hash"]
def ms(x): return f'{x["mean"]*1000:.0f} ± {x["stddev"]*1000:.0f} ms'
def cpu(x): return f'{(x["user"]+x["system"])*1000:.0f} ms'
def cpus(x): return x["user"] + x["system"]
def mbs(t): return f'{size/1e6/t:.0f} MB/s'
cpu_model = next((l.split(":",1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
load = open("/proc/loadavg").read().split()[0]
nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
whole = p["mean"] / b["mean"]
sp, sb = p["mean"] - pn["mean"], b["mean"] - bn["mean"]
print(f"""#### (d) Hash scan inside BitLocker, run of {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}

Machine: {cpu_model}, {nproc} CPUs (shared, load average {load} at the end); hyperfine means of 10 runs after 2 warm-ups, page cache warm (tmpfs); release build.
Volume: {vol >> 20} MiB XTS-AES-128 (fixture helper over a plain NTFS made with mkntfs + ntfs-3g), {size} bytes of file data in {files} files; the plain twin is the same NTFS volume unencrypted. Both runs wrote identical `--hashes` files.

| command | wall time | file data / wall time | CPU time (user + sys) |
|---|---|---|---|
| `ie-preflight check PLAIN --json --hashes OUT` | {ms(p)} | {mbs(p["mean"])} | {cpu(p)} |
| `ie-preflight check BITLOCKER --json --recovery-key-file K --hashes OUT` | {ms(b)} | {mbs(b["mean"])} | {cpu(b)} |
| `ie-preflight check PLAIN --json --no-hash` | {ms(pn)} | | {cpu(pn)} |
| `ie-preflight check BITLOCKER --json --recovery-key-file K --no-hash` (key stretch, metadata, NTFS walk) | {ms(bn)} | | {cpu(bn)} |

BitLocker scan throughput / plain scan throughput: **{whole*100:.0f} %** in mean wall time for the whole `check` (goal ≥ 80 %), {p["min"]/b["min"]*100:.0f} % in best-run wall time; the hash scan alone (each `--hashes` mean minus its `--no-hash` mean, i.e. without the key stretch): {sp/sb*100:.0f} % ({mbs(sp)} plain, {mbs(sb)} BitLocker). Per CPU-second (less sensitive to the other jobs on this shared machine): {cpus(p)/cpus(b)*100:.0f} % for the whole `check`, {(cpus(p)-cpus(pn))/(cpus(b)-cpus(bn))*100:.0f} % for the scan alone ({size/1e6/(cpus(p)-cpus(pn)):.0f} vs {size/1e6/(cpus(b)-cpus(bn)):.0f} MB per CPU-second: decryption costs {(cpus(b)-cpus(bn)-cpus(p)+cpus(pn))*1000:.0f} ms of CPU, {size/1e9/max(cpus(b)-cpus(bn)-cpus(p)+cpus(pn),1e-9):.1f} GB/s on one core).
""")
PY
)
    echo "$SCAN_SECTION"
    if [ "$APPEND" = 1 ]; then
        add_section "$SCAN_SECTION"
    fi
}

if [ "$SCAN_ONLY" = 1 ]; then
    # Extract the shared images into target/ if needed.
    IE_PREFLIGHT_NO_SKIP=1 cargo test --release -j2 -q --test it -- --exact bitlocker_fixtures::cryptsetup_parses_every_fixture >/dev/null
    scan_step
    exit 0
fi
IMG=$WORK/xts-$MIB.img
# Builds the volume (and extracts the shared images into target/ if needed).
IE_PREFLIGHT_NO_SKIP=1 IE_PREFLIGHT_BENCH_OUT=$IMG IE_PREFLIGHT_BENCH_MIB=$MIB \
    cargo test --release -j2 -q --test it -- --ignored --exact bitlocker_fixtures::make_bench_image >/dev/null
SMALL=$DIR/bitlk-aes-xts-128.img
RP=$(awk '$0=="[bitlk-aes-xts-128]"{f=1;next} /^\[/{f=0} f&&/^RP=/{sub(/^RP=/,"");print}' "$DIR/images.conf")
# cryptsetup --key-file takes the whole file as the passphrase: no newline.
printf '%s' "$RP" >"$WORK/key"

echo "== (a) one recovery-password attempt" >&2
hyperfine -N -i --warmup 2 --runs 10 --export-json "$WORK/a.json" \
    -n cryptsetup "cryptsetup bitlkOpen --test-passphrase --key-file $WORK/key $SMALL" \
    -n "ie-preflight check" "$BIN check $SMALL --json --recovery-key-file $WORK/key" \
    -n "ie-preflight check (no key)" "$BIN check $SMALL --json" >&2

echo "== (b) decrypt $MIB MiB" >&2
hyperfine -i --warmup 1 --runs 5 --export-json "$WORK/b.json" \
    --prepare "rm -f $WORK/d.out $WORK/o.out" \
    -n dislocker-file "dislocker-file -V $IMG -p$RP $WORK/d.out" \
    -n "ie-preflight unlock" "$BIN unlock $IMG --recovery-key-file $WORK/key -o $WORK/o.out" >&2
echo "== (c) every method, on the Windows-made images" >&2
for n in bitlk-aes-xts-128 bitlk-aes-cbc-128 bitlk-aes-cbc-elephant-128; do
    rp=$(awk -v s="[$n]" '$0==s{f=1;next} /^\[/{f=0} f&&/^RP=/{sub(/^RP=/,"");print}' "$DIR/images.conf")
    printf '%s' "$rp" >"$WORK/key-$n"
    hyperfine -i --warmup 1 --runs 5 --export-json "$WORK/c-$n.json" \
        --prepare "rm -f $WORK/d.out $WORK/o.out" \
        -n dislocker-file "dislocker-file -V $DIR/$n.img -p$rp $WORK/d.out" \
        -n "ie-preflight unlock" "$BIN unlock $DIR/$n.img --recovery-key-file $WORK/key-$n -o $WORK/o.out" >&2
done
# Both readers must have produced the plain volume (checked after the last run).
dislocker-file -V "$IMG" "-p$RP" "$WORK/d.out" >/dev/null 2>&1 || true
rm -f "$WORK/o.out"
"$BIN" unlock "$IMG" --recovery-key-file "$WORK/key" -o "$WORK/o.out" 2>/dev/null
WANT=$(cat "$IMG.sha256")
GOT_O=$(sha256sum <"$WORK/o.out" | cut -d' ' -f1)
GOT_D=$(sha256sum <"$WORK/d.out" | cut -d' ' -f1)
[ "$GOT_O" = "$WANT" ] || { echo "ie-preflight unlock wrote other bytes" >&2; exit 1; }
[ "$GOT_D" = "$WANT" ] || echo "note: dislocker-file's output differs from the plain view (hash $GOT_D)" >&2

SECTION=$(python3 - "$WORK/a.json" "$WORK/b.json" "$MIB" "$WORK" "$DIR" <<'PY'
import json, sys, subprocess, platform, datetime, os
a = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
b = {r["command"]: r for r in json.load(open(sys.argv[2]))["results"]}
mib = int(sys.argv[3])
def ms(r): return f'{r["mean"]*1000:.0f} ± {r["stddev"]*1000:.0f} ms'
def cpu_s(r): return r["user"] + r["system"]
def cpu(r): return f'{cpu_s(r)*1000:.0f} ms'
cpu_model = next((l.split(":",1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
load = open("/proc/loadavg").read().split()[0]
def ver(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    except Exception:
        return "?"
cs, ck, cn = a["cryptsetup"], a["ie-preflight check"], a["ie-preflight check (no key)"]
d, u = b["dislocker-file"], b["ie-preflight unlock"]
print(f"""### Run of {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}

Machine: {cpu_model}, {subprocess.run(['nproc'],capture_output=True,text=True).stdout.strip()} CPUs (shared, load average {load} at the end); {ver(['cryptsetup','--version'])}; dislocker {ver(['dpkg-query','-W','-f=${Version}','dislocker'])}; hyperfine means of 10 (a) and 5 (b) runs; release build.

(a) One recovery-password attempt on `bitlk-aes-xts-128.img` (100 MiB):

| command | time |
|---|---|
| `cryptsetup bitlkOpen --test-passphrase --key-file K` | {ms(cs)} |
| `ie-preflight check --json --recovery-key-file K` (whole check) | {ms(ck)} |
| `ie-preflight check --json` (no key: the same check without the attempt) | {ms(cn)} |

Ratio (whole check with the key / cryptsetup): **{ck["mean"]/cs["mean"]:.2f}×** (goal ≤ 1.0×); the attempt alone (with − without key) is {(ck["mean"]-cn["mean"])*1000:.0f} ms = {(ck["mean"]-cn["mean"])/cs["mean"]:.2f}× cryptsetup.

(b) Decrypting a populated {mib} MiB XTS-AES-128 volume (fixture helper, output to tmpfs, both outputs verified by SHA-256):

| command | wall time | throughput | CPU time (user + sys) |
|---|---|---|---|
| `dislocker-file -V IMG -pRP OUT` | {ms(d)} | {mib/d["mean"]:.0f} MiB/s | {cpu(d)} |
| `ie-preflight unlock IMG --recovery-key-file K -o OUT` | {ms(u)} | {mib/u["mean"]:.0f} MiB/s | {cpu(u)} |

Speed-up: **{d["mean"]/u["mean"]:.1f}×** dislocker-file in wall time (goal ≥ 3×), {cpu_s(d)/cpu_s(u):.1f}× in CPU time (less sensitive to the other jobs on this shared machine). Both include one key stretch (≈ 0.1 s).
""")
work, imgs = sys.argv[4], sys.argv[5]
print("(c) Each method on the Windows-made images (mostly zero ciphertext; times include one key stretch):\n")
print("| image | size | dislocker-file | ie-preflight unlock | speed-up (wall) | speed-up (CPU) |")
print("|---|---|---|---|---|---|")
for n in ["bitlk-aes-xts-128", "bitlk-aes-cbc-128", "bitlk-aes-cbc-elephant-128"]:
    c = {r["command"]: r for r in json.load(open(f"{work}/c-{n}.json"))["results"]}
    size = os.path.getsize(f"{imgs}/{n}.img") >> 20
    d, u = c["dislocker-file"], c["ie-preflight unlock"]
    print(f"| {n} | {size} MiB | {ms(d)} | {ms(u)} | {d['mean']/u['mean']:.1f}× | {cpu_s(d)/cpu_s(u):.1f}× |")
print()
PY
)
echo "$SECTION"
if [ "$APPEND" = 1 ]; then
    add_section "$SECTION"
fi
scan_step
