#!/usr/bin/env bash
# Rebuild the small image seeds in fuzz/seeds/ (committed; run by hand, as root:
# needs mkntfs and ntfs-3g from ntfs-3g, sfdisk from fdisk, sgdisk from gdisk).
# NTFS needs at least 1 MiB, so each volume is built at 1.1 MiB and cut: the
# boot sector, $MFT (from 16 KiB), the root index and $Bitmap lie in the
# first ~200 KiB with 512-byte clusters; the cut-off tail ($UpCase, $MFTMirr,
# $LogFile, backup boot sector) is what the damaged-volume paths read.
set -euo pipefail
cd "$(dirname "$0")"
out=seeds
tmp=$(mktemp -d)
trap 'umount "$tmp/mnt" 2>/dev/null || true; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/mnt" "$out"/{layout,probe,mft_inventory,ntfs_integrity,check}

# A populated volume: files, a directory big enough for an index allocation,
# a non-resident file, an alternate data stream, a hard link.
ntfs_volume() { # FILE OFFSET_SECTORS
    mkntfs -F -Q -q -c 512 -s 512 -p "$2" -H 0 -S 0 -L FUZZ "$1" >/dev/null 2>&1
    mount -t ntfs-3g -o loop "$1" "$tmp/mnt"
    # Fill the free space past $LogFile first, so that what follows is
    # allocated low, inside the part of the volume the seeds keep; the
    # directory's first index block then straddles two runs.
    head -c 290K /dev/zero >"$tmp/mnt/filler.bin"
    sync
    echo hello >"$tmp/mnt/hello.txt"
    mkdir "$tmp/mnt/dir"
    for i in $(seq 1 40); do echo "$i" >"$tmp/mnt/dir/file-with-a-longer-name-$i.txt"; done
    head -c 3000 /dev/zero | tr '\0' 'x' >"$tmp/mnt/dir/nonresident.bin"
    echo stream >"$tmp/mnt/hello.txt:ads" 2>/dev/null || true
    ln "$tmp/mnt/hello.txt" "$tmp/mnt/dir/link.txt"
    umount "$tmp/mnt"
}

# Superfloppy NTFS (volume at byte 0).
truncate -s 1100K "$tmp/sf.img"
ntfs_volume "$tmp/sf.img" 0
head -c 256K "$tmp/sf.img" >"$out/mft_inventory/superfloppy-256k.img"
head -c 256K "$tmp/sf.img" >"$out/ntfs_integrity/superfloppy-256k.img"
head -c 192K "$tmp/sf.img" >"$out/check/superfloppy-192k.img"
mkdir -p regressions/ls
head -c 256K "$tmp/sf.img" >regressions/ls/fragmented-index-block.img
head -c 4096 "$tmp/sf.img" >"$out/probe/ntfs-boot-4k.img"

# MBR disk: one NTFS partition at LBA 8, cut to 256 KiB (runs past the end).
truncate -s 1200K "$tmp/mbr.img"
printf 'label: dos\nlabel-id: 0x1e9f00f1\nstart=8, size=2200, type=7\n' | sfdisk -q "$tmp/mbr.img"
truncate -s 1100K "$tmp/p.img"
ntfs_volume "$tmp/p.img" 8
dd if="$tmp/p.img" of="$tmp/mbr.img" bs=512 seek=8 conv=notrunc status=none
head -c 256K "$tmp/mbr.img" >"$out/check/mbr-ntfs-256k.img"

# GPT disk (both tables intact) of 256 KiB, its one partition at LBA 40 too
# small for the volume it holds (NTFS's 1 MiB minimum), cut to fit.
truncate -s 256K "$tmp/gpt.img"
sgdisk -a 8 -n 1:40:471 -t 1:0700 -U 1E9F00F2-0000-4000-8000-000000000000 \
    -u 1:1E9F00F2-0000-4000-8000-000000000001 "$tmp/gpt.img" >/dev/null
truncate -s 1100K "$tmp/p2.img"
ntfs_volume "$tmp/p2.img" 40
dd if="$tmp/p2.img" of="$tmp/gpt.img" bs=512 seek=40 count=432 conv=notrunc status=none
cp "$tmp/gpt.img" "$out/check/gpt-ntfs-256k.img"

# Partition tables alone (small whole disks, so the GPT backup is present).
truncate -s 64K "$tmp/l-mbr.img"
printf 'label: dos\nstart=8, size=40, type=7\nstart=48, size=40, type=c\n' | sfdisk -q "$tmp/l-mbr.img"
cp "$tmp/l-mbr.img" "$out/layout/mbr.img"
truncate -s 64K "$tmp/l-ebr.img"
printf 'label: dos\nstart=8, size=100, type=5\nstart=16, size=20, type=7\nstart=48, size=20, type=7\n' |
    sfdisk -q "$tmp/l-ebr.img"
cp "$tmp/l-ebr.img" "$out/layout/mbr-ebr.img"
truncate -s 64K "$tmp/l-gpt.img"
sgdisk -a 1 -n 1:34:40 -t 1:0C01 -n 2:41:60 -t 2:0700 "$tmp/l-gpt.img" >/dev/null
cp "$tmp/l-gpt.img" "$out/layout/gpt.img"
cp "$out/layout/"*.img "$out/probe/" 2>/dev/null || true
ls -la "$out"/*/
