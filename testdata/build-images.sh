#!/usr/bin/env bash
# build-images.sh - build the small disk images used by ie-preflight's tests.
#
# Usage: sudo bash testdata/build-images.sh [OUTPUT_DIR]   (default: this script's dir)
#
# Needs root (losetup, mkntfs on loop devices, ntfs-3g FUSE mounts) and:
#   sgdisk (gdisk), sfdisk (fdisk), mkntfs/ntfslabel/ntfs-3g (ntfs-3g),
#   mkfs.vfat (dosfstools), mkfs.exfat/tune.exfat (exfatprogs), xz, jq, openssl.
#
# Everything is built in a private temp dir and only moved into OUTPUT_DIR at the
# end, so a failed run never leaves half-written images behind. Every loop device
# and mount created here is torn down by the EXIT trap. Re-running is safe.
#
# Layout numbers (sectors, GUIDs, disk ids, NTFS serials, FAT/exFAT ids) are fixed,
# so a rebuild gives the same layout and the same expected.json; only NTFS/FAT
# timestamps (and so the exact compressed bytes) differ between runs.
# expected.json is generated at the end by inspecting the built images
# (sfdisk --json + the NTFS boot sector), see IMAGES.md for the human version.
set -euo pipefail

if [[ ${EUID:-$(id -u)} -ne 0 ]]; then
    echo "build-images.sh: must be run as root (needs losetup, mkntfs and ntfs-3g mounts)" >&2
    exit 1
fi

for tool in sgdisk sfdisk mkntfs ntfslabel ntfs-3g mkfs.vfat mkfs.exfat tune.exfat \
            losetup mountpoint xz jq openssl od; do
    command -v "$tool" >/dev/null || { echo "build-images.sh: missing tool: $tool" >&2; exit 1; }
done

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$(realpath -m "${1:-$SCRIPT_DIR}")
mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ie-preflight-images.XXXXXX")

MiB=$((1024 * 1024))
MNT_CUR=""   # current ntfs-3g mount point (at most one at a time)
FUSE_PID=""  # pid of the ntfs-3g we started (run with no_detach, so $! is it)

# ---------------------------------------------------------------- cleanup
cleanup() {
    local rc=$?
    set +e
    if [[ -n $MNT_CUR ]] && mountpoint -q "$MNT_CUR"; then
        sync
        umount "$MNT_CUR" || umount -l "$MNT_CUR"
    fi
    if [[ -n $FUSE_PID ]] && kill -0 "$FUSE_PID" 2>/dev/null; then
        # give our ntfs-3g a moment to exit after the unmount, then stop it
        for _ in $(seq 50); do kill -0 "$FUSE_PID" 2>/dev/null || break; sleep 0.1; done
        kill "$FUSE_PID" 2>/dev/null
    fi
    # detach exactly the loop devices whose backing file lives in our work dir
    losetup -n -l -O NAME,BACK-FILE 2>/dev/null | while read -r dev back; do
        [[ $back == "$WORK"/* ]] && losetup -d "$dev"
    done
    rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '==> %s\n' "$*" >&2; }

# ---------------------------------------------------------------- helpers
# loop_attach VAR FILE [losetup options...]  -> VAR=/dev/loopN
loop_attach() {
    local -n _dev=$1; shift
    local f=${*: -1}
    [[ $(realpath "$f") == "$WORK"/* ]] || { echo "refusing to attach $f (outside work dir)" >&2; exit 1; }
    _dev=$(losetup -f --show "$@")
}

loop_detach() { losetup -d "$1"; }

# part_loop VAR IMG START SECTORS [SECTOR_SIZE] -> loop device covering one partition
part_loop() {
    local -n _pdev=$1
    local img=$2 start=$3 count=$4 ss=${5:-512} d
    loop_attach d -b "$ss" -o $((start * ss)) --sizelimit $((count * ss)) "$img"
    _pdev=$d
}

# part_field IMG N start|size [SECTOR_SIZE] -> sector value from sfdisk --json
part_field() {
    local img=$1 n=$2 field=$3 ss=${4:-512} dev json
    if [[ $ss == 512 ]]; then
        json=$(sfdisk --json "$img" 2>/dev/null)
    else
        loop_attach dev -r -b "$ss" "$img"
        json=$(sfdisk --json "$dev" 2>/dev/null)
        loop_detach "$dev"
    fi
    local v
    v=$(jq -r --arg n "$n" --arg f "$field" \
        '.partitiontable.partitions[] | select(.node | test("[^0-9]" + $n + "$")) | .[$f]' <<<"$json")
    [[ $v =~ ^[0-9]+$ ]] || { echo "no partition $n in $img" >&2; return 1; }
    echo "$v"
}

# make_ntfs DEV LABEL HIDDEN_SECTORS SERIAL [SECTOR_SIZE]
make_ntfs() {
    local dev=$1 label=$2 hidden=$3 serial=$4 ss=${5:-512}
    # -Q quick, -F force (a loop device looks like a whole disk), -H/-S avoid
    # geometry probing on loop devices, -p = partition start (hidden sectors).
    mkntfs -q -Q -F -s "$ss" -p "$hidden" -H 255 -S 63 -L "$label" "$dev"
    ntfslabel -q --new-serial="$serial" "$dev" >/dev/null
}

# pseudo-random but reproducible bytes: prng SEED BYTES
prng() {
    # AES-CTR keystream over exactly N zero bytes (no SIGPIPE under pipefail)
    head -c "$2" /dev/zero | openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass "pass:$1" 2>/dev/null
}

ntfs_mount() { # ntfs_mount DEV MNT
    mkdir -p "$2"
    ntfs-3g "$1" "$2" -o no_detach >>"$WORK/ntfs-3g.log" 2>&1 &
    FUSE_PID=$!
    MNT_CUR=$2
    for _ in $(seq 100); do
        mountpoint -q "$2" && return 0
        kill -0 "$FUSE_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "ntfs-3g failed to mount $1 (see log below)" >&2
    cat "$WORK/ntfs-3g.log" >&2
    exit 1
}

ntfs_umount() { # unmount cleanly and wait for our ntfs-3g to exit
    sync
    umount "$MNT_CUR"
    wait "$FUSE_PID"
    FUSE_PID=""
    MNT_CUR=""
}

# ntfs_list OUTFILE - record "path<TAB>size<TAB>f|d" of everything on the mounted volume
ntfs_list() { (cd "$MNT_CUR" && find . -mindepth 1 -printf '%P\t%s\t%y\n' | sort) >"$1"; }

# ntfs_check DEV - fail if the volume is dirty / not mountable read-write
ntfs_check() { ntfs-3g.probe --readwrite "$1" >/dev/null; }

# put a small hello.txt on an NTFS volume, listing saved to WORK/IMAGE.pN.files
ntfs_hello() { # ntfs_hello DEV TEXT IMAGE PARTNO
    ntfs_mount "$1" "$WORK/mnt"
    printf '%s\n' "$2" >"$WORK/mnt/hello.txt"
    ntfs_list "$WORK/$3.p$4.files"
    ntfs_umount
    ntfs_check "$1"
}

# new_file NAME MiB -> creates a sparse zero file in WORK
new_file() { rm -f "$WORK/$1"; truncate -s "$(($2 * MiB))" "$WORK/$1"; }

# flip_byte FILE OFFSET  (xor 0xff)
flip_byte() {
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "\\$(printf '%03o' $((b ^ 0xff)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# mbr_ntfs IMG MiB LABEL SERIAL DISKID TEXT - MBR disk, one 0x07 partition at 1 MiB
mbr_ntfs() {
    local img=$WORK/$1 start size dev
    new_file "$1" "$2"
    printf 'label: dos\nlabel-id: %s\nunit: sectors\n\nstart=2048, type=7\n' "$5" | sfdisk -q "$img"
    start=$(part_field "$img" 1 start); size=$(part_field "$img" 1 size)
    part_loop dev "$img" "$start" "$size"
    make_ntfs "$dev" "$3" "$start" "$4"
    ntfs_hello "$dev" "$6" "$1" 1
    loop_detach "$dev"
}

# ---------------------------------------------------------------- images

# 1. gpt-msr-ntfs.img: GPT, p1 = MSR 4 MiB, p2 = basic data NTFS "IMPORT1"
log gpt-msr-ntfs.img
img=$WORK/gpt-msr-ntfs.img
new_file gpt-msr-ntfs.img 16
sgdisk -o -U 1E9F0001-0000-4000-8000-000000000000 \
    -n 1:2048:+4M -t 1:0c01 -c 1:"Microsoft reserved partition" -u 1:1E9F0001-0000-4000-8000-000000000001 \
    -n 2:0:0      -t 2:0700 -c 2:"Basic data partition"         -u 2:1E9F0001-0000-4000-8000-000000000002 \
    "$img" >/dev/null
s=$(part_field "$img" 2 start); n=$(part_field "$img" 2 size)
part_loop dev "$img" "$s" "$n"
make_ntfs "$dev" IMPORT1 "$s" 1E9F000000000001
ntfs_hello "$dev" "hello from gpt-msr-ntfs" gpt-msr-ntfs.img 2
loop_detach "$dev"

# 2. gpt-esp-msr-ntfs.img: GPT, p1 = EFI System (FAT16: too small for FAT32), p2 = MSR, p3 = NTFS
log gpt-esp-msr-ntfs.img
img=$WORK/gpt-esp-msr-ntfs.img
new_file gpt-esp-msr-ntfs.img 24
sgdisk -o -U 1E9F0002-0000-4000-8000-000000000000 \
    -n 1:2048:+8M -t 1:ef00 -c 1:"EFI system partition"         -u 1:1E9F0002-0000-4000-8000-000000000001 \
    -n 2:0:+4M    -t 2:0c01 -c 2:"Microsoft reserved partition" -u 2:1E9F0002-0000-4000-8000-000000000002 \
    -n 3:0:0      -t 3:0700 -c 3:"Basic data partition"         -u 3:1E9F0002-0000-4000-8000-000000000003 \
    "$img" >/dev/null
s=$(part_field "$img" 1 start); n=$(part_field "$img" 1 size)
part_loop dev "$img" "$s" "$n"
mkfs.vfat -F 16 -s 1 --mbr=n -h "$s" -i 1E9F0002 -n ESP "$dev" >/dev/null
loop_detach "$dev"
s=$(part_field "$img" 3 start); n=$(part_field "$img" 3 size)
part_loop dev "$img" "$s" "$n"
make_ntfs "$dev" IMPORT2 "$s" 1E9F000000000002
ntfs_hello "$dev" "hello from gpt-esp-msr-ntfs" gpt-esp-msr-ntfs.img 3
loop_detach "$dev"

# 3. mbr-ntfs.img: MBR, one type 0x07 partition at 1 MiB, NTFS
log mbr-ntfs.img
mbr_ntfs mbr-ntfs.img 16 IMPORT3 1E9F000000000003 0x1e9f0003 "hello from mbr-ntfs"

# 4. mbr-logical-ntfs.img: MBR, p1 = extended (0x05) holding logical p5 and p6, both NTFS
log mbr-logical-ntfs.img
img=$WORK/mbr-logical-ntfs.img
new_file mbr-logical-ntfs.img 24
sfdisk -q "$img" <<'EOF'
label: dos
label-id: 0x1e9f0004
unit: sectors

start=2048, type=5
start=4096, size=10MiB, type=7
type=7
EOF
for p in 5 6; do
    s=$(part_field "$img" $p start); n=$(part_field "$img" $p size)
    part_loop dev "$img" "$s" "$n"
    make_ntfs "$dev" "LOGICAL$p" "$s" "1E9F00000000004$p"
    ntfs_hello "$dev" "hello from mbr-logical-ntfs partition $p" mbr-logical-ntfs.img "$p"
    loop_detach "$dev"
done

# 5. superfloppy-ntfs.img: NTFS starting at sector 0, no partition table
log superfloppy-ntfs.img
img=$WORK/superfloppy-ntfs.img
new_file superfloppy-ntfs.img 8
loop_attach dev "$img"
make_ntfs "$dev" FLOPPY 0 1E9F000000000005
ntfs_hello "$dev" "hello from superfloppy-ntfs" superfloppy-ntfs.img 0
loop_detach "$dev"

# 6. mbr-fat32-then-ntfs.img: MBR, p1 = FAT32 (0x0c; FAT32 needs >= 65525 clusters,
#    so 40 MiB with 512-byte clusters), p2 = NTFS. Zeros compress well, so size is cheap.
log mbr-fat32-then-ntfs.img
img=$WORK/mbr-fat32-then-ntfs.img
new_file mbr-fat32-then-ntfs.img 56
printf 'label: dos\nlabel-id: 0x1e9f0006\nunit: sectors\n\nstart=2048, size=40MiB, type=c\ntype=7\n' | sfdisk -q "$img"
s=$(part_field "$img" 1 start); n=$(part_field "$img" 1 size)
part_loop dev "$img" "$s" "$n"
mkfs.vfat -F 32 -s 1 --mbr=n -h "$s" -i 1E9F0006 -n FATFIRST "$dev" >/dev/null
loop_detach "$dev"
s=$(part_field "$img" 2 start); n=$(part_field "$img" 2 size)
part_loop dev "$img" "$s" "$n"
make_ntfs "$dev" IMPORT6 "$s" 1E9F000000000006
ntfs_hello "$dev" "hello from mbr-fat32-then-ntfs" mbr-fat32-then-ntfs.img 2
loop_detach "$dev"

# 7. exfat-only.img: MBR, one type 0x07 partition formatted exFAT (no NTFS anywhere)
log exfat-only.img
img=$WORK/exfat-only.img
new_file exfat-only.img 8
printf 'label: dos\nlabel-id: 0x1e9f0007\nunit: sectors\n\nstart=2048, type=7\n' | sfdisk -q "$img"
s=$(part_field "$img" 1 start); n=$(part_field "$img" 1 size)
part_loop dev "$img" "$s" "$n"
mkfs.exfat -L EXFAT "$dev" >/dev/null
tune.exfat -I 0x1e9f0007 "$dev" >/dev/null
loop_detach "$dev"

# 8. zeros.img: 4 MiB of zeros
log zeros.img
new_file zeros.img 4

# 9. gpt-bad-primary-crc.img: copy of #1, one byte of the primary header's disk GUID
#    flipped (byte 512+60) so the primary header CRC fails; backup GPT untouched
log gpt-bad-primary-crc.img
cp --sparse=always "$WORK/gpt-msr-ntfs.img" "$WORK/gpt-bad-primary-crc.img"
flip_byte "$WORK/gpt-bad-primary-crc.img" $((512 + 60))
cp "$WORK/gpt-msr-ntfs.img.p2.files" "$WORK/gpt-bad-primary-crc.img.p2.files"

# 10. gpt-4k-ntfs.img: 4096-byte logical sectors (GPT header at byte 4096), MSR + NTFS
log gpt-4k-ntfs.img
img=$WORK/gpt-4k-ntfs.img
new_file gpt-4k-ntfs.img 16
loop_attach disk -b 4096 "$img"
# -a 256: align to 1 MiB (256 x 4 KiB), sgdisk's default 2048 would be 8 MiB here
sgdisk -a 256 -o -U 1E9F000A-0000-4000-8000-000000000000 \
    -n 1:256:+4M -t 1:0c01 -c 1:"Microsoft reserved partition" -u 1:1E9F000A-0000-4000-8000-000000000001 \
    -n 2:0:0     -t 2:0700 -c 2:"Basic data partition"         -u 2:1E9F000A-0000-4000-8000-000000000002 \
    "$disk" >/dev/null 2>&1 || true   # may only warn that the kernel can't re-read a loop device
loop_detach "$disk"
s=$(part_field "$img" 2 start 4096); n=$(part_field "$img" 2 size 4096)
[[ -n $s && -n $n ]] || { echo "sgdisk failed on the 4Kn loop device" >&2; exit 1; }
part_loop dev "$img" "$s" "$n" 4096
make_ntfs "$dev" IMPORT4K "$s" 1E9F00000000000A 4096
ntfs_hello "$dev" "hello from gpt-4k-ntfs" gpt-4k-ntfs.img 2
loop_detach "$dev"

# 11. mbr-past-end.img: an mbr-ntfs disk truncated by 4 MiB, so partition 1's entry
#     (and the NTFS volume) runs past the end of the image
log mbr-past-end.img
mbr_ntfs mbr-past-end.img 16 IMPORTB 1E9F00000000000B 0x1e9f000b "hello from mbr-past-end"
truncate -s $((12 * MiB)) "$WORK/mbr-past-end.img"

# 12. ntfs-zeroed-boot.img: copy of #3 with the NTFS boot sector (first 512 bytes of
#     partition 1) zeroed; the backup boot sector at the end of the volume stays
log ntfs-zeroed-boot.img
cp --sparse=always "$WORK/mbr-ntfs.img" "$WORK/ntfs-zeroed-boot.img"
s=$(part_field "$WORK/ntfs-zeroed-boot.img" 1 start)
dd if=/dev/zero of="$WORK/ntfs-zeroed-boot.img" bs=512 seek="$s" count=1 conv=notrunc status=none
cp "$WORK/mbr-ntfs.img.p1.files" "$WORK/ntfs-zeroed-boot.img.p1.files"

# 13. sample-drive.img: the README's sample drive - MBR, one NTFS "SAMPLE", a few files
log sample-drive.img
img=$WORK/sample-drive.img
new_file sample-drive.img 8
printf 'label: dos\nlabel-id: 0x1e9f000d\nunit: sectors\n\nstart=2048, type=7\n' | sfdisk -q "$img"
s=$(part_field "$img" 1 start); n=$(part_field "$img" 1 size)
part_loop dev "$img" "$s" "$n"
make_ntfs "$dev" SAMPLE "$s" 1E9F00000000000D
ntfs_mount "$dev" "$WORK/mnt"
m=$WORK/mnt
mkdir -p "$m/photos/2024" "$m/docs" "$m/a/b/c"
prng img001 $((50 * 1024))  >"$m/photos/2024/img001.jpg"
prng img002 $((80 * 1024))  >"$m/photos/2024/img002.jpg"
printf 'hello\n'            >"$m/docs/readme.txt"
prng report $((120 * 1024)) >"$m/docs/report 2024.pdf"
: >"$m/empty.dat"
printf 'deep\n'             >"$m/a/b/c/deep.txt"
ntfs_list "$WORK/sample-drive.img.p1.files"
ntfs_umount
ntfs_check "$dev"
loop_detach "$dev"

# ---------------------------------------------------------------- expected.json
# Per image: table, sector size, first data partition number, fs of that volume,
# and the expected tool verdict. Partition geometry and serials are read back
# from the built images below.
declare -A META=(
    [gpt-msr-ntfs.img]="gpt 512 2 ntfs ok"
    [gpt-esp-msr-ntfs.img]="gpt 512 3 ntfs ok"
    [mbr-ntfs.img]="mbr 512 1 ntfs ok"
    [mbr-logical-ntfs.img]="mbr 512 5 ntfs ok"
    [superfloppy-ntfs.img]="none 512 - ntfs ok"
    [mbr-fat32-then-ntfs.img]="mbr 512 1 fat32 ntfs-not-found"
    [exfat-only.img]="mbr 512 1 exfat ntfs-not-found"
    [zeros.img]="none 512 - zero ntfs-not-found"
    [gpt-bad-primary-crc.img]="gpt 512 2 ntfs corrupted"
    [gpt-4k-ntfs.img]="gpt 4096 2 ntfs unsupported"
    [mbr-past-end.img]="mbr 512 1 ntfs corrupted"
    [ntfs-zeroed-boot.img]="mbr 512 1 ntfs corrupted"
    [sample-drive.img]="mbr 512 1 ntfs ok"
)
declare -A EXPECT=(
    [gpt-msr-ntfs.img]="OK: NTFS volume IMPORT1 on partition 2 (after MSR)"
    [gpt-esp-msr-ntfs.img]="OK: NTFS volume IMPORT2 on partition 3 (after ESP and MSR)"
    [mbr-ntfs.img]="OK: NTFS volume IMPORT3 on partition 1"
    [mbr-logical-ntfs.img]="OK: NTFS volume LOGICAL5 on logical partition 5"
    [superfloppy-ntfs.img]="OK: NTFS volume FLOPPY at sector 0 (no partition table)"
    [mbr-fat32-then-ntfs.img]="NTFS volume not found: first data volume is FAT32"
    [exfat-only.img]="NTFS volume not found: exFAT"
    [zeros.img]="NTFS volume not found: no partition table and no file system (all zeros)"
    [gpt-bad-primary-crc.img]="Disk corrupted: primary GPT header CRC mismatch (backup GPT valid)"
    [gpt-4k-ntfs.img]="Unsupported disk: 4096-byte sectors"
    [mbr-past-end.img]="Disk corrupted: partition 1 runs past the end of the disk"
    [ntfs-zeroed-boot.img]="Disk corrupted/NTFS volume not found: boot sector zeroed, backup valid"
    [sample-drive.img]="OK: NTFS volume SAMPLE on partition 1"
)

# ntfs_serial_at FILE BYTE_OFFSET -> 16 uppercase hex digits, or empty if not NTFS there
ntfs_serial_at() {
    local oem
    oem=$(dd if="$1" bs=1 skip=$(($2 + 3)) count=8 status=none 2>/dev/null | tr -d '\0')
    [[ $oem == "NTFS    " ]] || return 0
    od -An -tx8 -j $(($2 + 0x48)) -N8 "$1" | tr -d ' ' | tr a-f A-F
}

log expected.json
json='{}'
for name in $(printf '%s\n' "${!META[@]}" | sort); do
    f=$WORK/$name
    read -r table ss first fs verdict <<<"${META[$name]}"
    if [[ $table == none ]]; then
        parts='[]'
    else
        if [[ $ss == 512 ]]; then
            pj=$(sfdisk --json "$f" 2>/dev/null)
        else
            loop_attach dev -r -b "$ss" "$f"
            pj=$(sfdisk --json "$dev" 2>/dev/null)
            loop_detach "$dev"
        fi
        parts=$(jq -c '[.partitiontable.partitions[] |
            {number: (.node | capture("(?<n>[0-9]+)$").n | tonumber), start, sectors: .size, type}]' <<<"$pj")
    fi
    if [[ $first == - ]]; then
        firstn=null
        if [[ $fs == zero ]]; then off=null; else off=0; fi
    else
        firstn=$first
        off=$(jq --argjson n "$first" --argjson ss "$ss" '.[] | select(.number == $n) | .start * $ss' <<<"$parts")
    fi
    serial=""; backup=""; vsize=null
    if [[ $firstn != null ]]; then
        vsize=$(jq --argjson n "$first" --argjson ss "$ss" '.[] | select(.number == $n) | .sectors * $ss' <<<"$parts")
    elif [[ $off != null ]]; then
        vsize=$(stat -c %s "$f")   # superfloppy: the volume is the whole image
    fi
    files=null
    lst=$WORK/$name.p${firstn/null/0}.files
    if [[ -f $lst ]]; then
        files=$(jq -R -s -c 'split("\n") | map(select(length > 0) | split("\t") |
            if .[2] == "d" then {path: .[0], type: "dir"} else {path: .[0], type: "file", size: (.[1] | tonumber)} end)' <"$lst")
    fi
    if [[ $fs == ntfs && $off != null ]]; then
        serial=$(ntfs_serial_at "$f" "$off")
        if [[ -z $serial && $name == ntfs-zeroed-boot.img ]]; then
            # backup boot sector = last sector of the partition
            backup=$(ntfs_serial_at "$f" $((off + vsize - ss)))
        fi
    fi
    json=$(jq --arg name "$name" --arg table "$table" --argjson ss "$ss" --argjson parts "$parts" \
        --argjson first "$firstn" --argjson off "$off" --argjson vsize "$vsize" --arg fs "$fs" \
        --arg serial "$serial" --arg backup "$backup" --arg verdict "$verdict" \
        --arg expect "${EXPECT[$name]}" --argjson size "$(stat -c %s "$f")" --argjson files "$files" \
        '.[$name + (if $name == "sample-drive.img" then "" else ".xz" end)] = ({
            table: $table, sector_size: $ss, image_size: $size, partitions: $parts,
            first_data_partition: $first, first_data_offset: $off, first_data_size: $vsize,
            fs: $fs, ntfs_serial: (if $serial == "" then null else $serial end),
            verdict: $verdict, expect: $expect, files: $files}
          + (if $backup == "" then {} else {ntfs_backup_serial: $backup} end))' <<<"$json")
done
jq -S . <<<"$json" >"$WORK/expected.json"

# ---------------------------------------------------------------- compress + publish
for name in "${!META[@]}"; do
    [[ $name == sample-drive.img ]] && continue
    log "xz $name"
    xz -9e -T1 -k -f "$WORK/$name"
    rm -f "$WORK/$name"
done

for name in "${!META[@]}"; do
    rm -f "$OUT/$name" "$OUT/$name.xz"
done
rm -f "$OUT/mbr-fat-then-ntfs.img" "$OUT/mbr-fat-then-ntfs.img.xz"
for name in "${!META[@]}"; do
    if [[ $name == sample-drive.img ]]; then
        cp --sparse=always "$WORK/$name" "$OUT/$name"
    else
        cp "$WORK/$name.xz" "$OUT/$name.xz"
    fi
done
cp "$WORK/expected.json" "$OUT/expected.json"
log "done: images and expected.json written to $OUT"
