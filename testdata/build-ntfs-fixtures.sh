#!/usr/bin/env bash
# Builds the NTFS fixtures under testdata/ntfs/ (superfloppy images: NTFS at byte 0).
# Needs root, mkntfs + ntfs-3g (ntfs-3g package), setfattr (attr), python3, xz.
# Usage: sudo testdata/build-ntfs-fixtures.sh   (writes testdata/ntfs/*.img.xz)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out="$here/ntfs"
work=$(mktemp -d /tmp/ntfs-fixtures.XXXXXX)
mnt="$work/mnt"
mkdir -p "$mnt" "$out"
mounted=""

cleanup() {
    # Only undo what this script did: its own mount and its own temp dir.
    if [ -n "$mounted" ]; then umount "$mnt" 2>/dev/null || fusermount -u "$mnt" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

mount_rw() { ntfs-3g -o "streams_interface=windows,compression,$2" "$1" "$mnt"; mounted=1; }
umount_img() { sync; umount "$mnt"; mounted=""; }

# Deterministic volume: fixed serial, no randomness from mkntfs beyond what -q allows.
mkimg() { # path size_mib label cluster
    truncate -s "${2}M" "$1"
    mkntfs -q -F -f -s 512 -c "$4" -L "$3" -T "$1" >/dev/null 2>&1
}

# Reparse data buffers for junctions and symlinks (set via ntfs-3g's xattr).
reparse_hex() { # kind target
    python3 - "$1" "$2" <<'PY'
import struct, sys
kind, target = sys.argv[1], sys.argv[2]
sub = ("\\??\\" + target).encode("utf-16-le")
prn = target.encode("utf-16-le")
if kind == "junction":
    tag, head = 0xA0000003, struct.pack("<HHHH", 0, len(sub), len(sub) + 2, len(prn))
    body = head + sub + b"\0\0" + prn + b"\0\0"
else:
    tag, head = 0xA000000C, struct.pack("<HHHHI", 0, len(sub), len(sub), len(prn), 0)
    body = head + sub + prn
print("0x" + (struct.pack("<IHH", tag, len(body), 0) + body).hex())
PY
}

text() { # bytes seed: compressible but not trivial content
    python3 -c "import sys; n,s=int(sys.argv[1]),int(sys.argv[2]); sys.stdout.buffer.write(b''.join(b'%08d line of seed %d\n' % (i, s) for i in range(n//26+1))[:n])" "$1" "$2"
}

# ---------------------------------------------------------------- full.img
full="$work/full.img"
mkimg "$full" 32 "IEFULL" 4096
mount_rw "$full" rw
cd "$mnt"
mkdir -p a/b/c/d/e "Ünïcødé ✓ 日本語" "$(printf 'L%.0s' {1..200})"
text 5000 1 > a/b/c/d/e/deep.txt
text 123 2 > "Ünïcødé ✓ 日本語/файл.txt"
text 777 3 > "$(printf 'L%.0s' {1..200})/$(printf 'n%.0s' {1..250}).txt"
: > empty.txt
mkdir emptydir
text 300 4 > small-resident.txt
text 70000 5 > medium.txt
# Sparse: data, a hole, data at the end.
text 4096 6 > sparse.bin
dd if=/dev/zero of=sparse.bin bs=1 count=0 seek=3145728 status=none
text 4096 7 | dd of=sparse.bin bs=4096 seek=768 conv=notrunc status=none
truncate -s 2000000 sparse-hole-only.bin
# Alternate data streams.
text 1000 8 > ads.txt
text 50 9 > "ads.txt:Zone.Identifier"
text 9000 10 > "ads.txt:big stream"
# Hard links.
text 2000 11 > hardlink-1.txt
ln hardlink-1.txt hardlink-2.txt
mkdir links && ln hardlink-1.txt links/hardlink-3.txt
# Reparse points: a junction and a symlink made from raw reparse data.
mkdir junction && setfattr -n system.ntfs_reparse_data -v "$(reparse_hex junction 'C:\\Windows')" junction
: > symlink.txt && setfattr -n system.ntfs_reparse_data -v "$(reparse_hex symlink 'C:\\target.txt')" symlink.txt
# Compressed: a directory flagged compressed, files created in it inherit it.
mkdir compressed
setfattr -n system.ntfs_attrib_be -v 0x00000810 compressed
text 200000 12 > compressed/text.txt
head -c 65536 /dev/zero > compressed/zeros.bin
python3 -c "import random,sys; r=random.Random(13); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(50000)))" > compressed/random.bin
text 5 14 > compressed/tiny.txt
# A large fragmented file: grow it in steps interleaved with fillers, then drop the fillers.
mkdir frag
for i in $(seq 1 300); do
    text 4096 $((100 + i)) >> frag/big.bin
    text 4096 $((1000 + i)) > "frag/filler-$i"
done
rm -f frag/filler-*
# A directory with thousands of entries (B+ tree index with several levels of INDX blocks).
mkdir many
for i in $(seq 1 3000); do : > "many/file-$i.txt"; done
text 100 15 > many/has-data.txt
cd /
umount_img

# ---------------------------------------------------------------- small.img (base of the damaged copies)
small="$work/small.img"
mkimg "$small" 8 "IESMALL" 4096
mount_rw "$small" rw
cd "$mnt"
mkdir docs
text 12288 21 > docs/one.txt
text 12288 22 > docs/two.txt
text 100 23 > hello.txt
cd /
umount_img

# ---------------------------------------------------------------- damaged copies
python3 - "$small" "$work" <<'PY'
import struct, sys, shutil
src, work = sys.argv[1], sys.argv[2]
img = bytearray(open(src, "rb").read())
bps = struct.unpack_from("<H", img, 0x0b)[0]
spc = img[0x0d]
cl = bps * spc
mft = struct.unpack_from("<Q", img, 0x30)[0] * cl
mirr = struct.unpack_from("<Q", img, 0x38)[0] * cl
crs = struct.unpack_from("<b", img, 0x40)[0]
rs = crs * cl if crs > 0 else 1 << -crs

def rec(n):
    return mft + n * rs

def fixed(n):
    # The record with its update sequence applied (for reading attributes).
    b = bytearray(img[rec(n):rec(n) + rs])
    off, cnt = struct.unpack_from("<HH", b, 4)
    for i in range(1, cnt):
        b[i * 512 - 2:i * 512] = b[off + 2 * i:off + 2 * i + 2]
    return b

def attrs(n):
    b = fixed(n)
    p = struct.unpack_from("<H", b, 0x14)[0]
    while p + 8 <= rs:
        t, ln = struct.unpack_from("<II", b, p)
        if t == 0xFFFFFFFF or ln == 0:
            break
        yield t, p, b
        p += ln

def name_of(n):
    for t, p, b in attrs(n):
        if t == 0x30:
            vo = struct.unpack_from("<H", b, p + 0x14)[0]
            v = p + vo
            return b[v + 0x42:v + 0x42 + 2 * b[v + 0x40]].decode("utf-16-le")

def find(name):
    for n in range(16, 1024):
        if rec(n) + rs > len(img):
            break
        if img[rec(n):rec(n) + 4] == b"FILE" and name_of(n) == name:
            return n
    raise SystemExit("not found: " + name)

def save(name, data):
    open(f"{work}/{name}", "wb").write(data)

# Zeroed $MFTMirr.
d = bytearray(img); d[mirr:mirr + 4 * rs] = bytes(4 * rs); save("dmg-mftmirr.img", d)

# Broken fixup: a sector tail of hello.txt's record no longer holds the update sequence number.
n = find("hello.txt")
d = bytearray(img); o = rec(n) + 510; d[o] ^= 0xFF; save("dmg-fixup.img", d)

# Dirty flag in $Volume's $VOLUME_INFORMATION (attribute 0x70, flags at value+10).
d = bytearray(img)
for t, p, b in attrs(3):
    if t == 0x70:
        vo = struct.unpack_from("<H", b, p + 0x14)[0]
        o = rec(3) + p + vo + 10
        assert (o - rec(3)) % 512 < 510, "flags on a fixup position"
        d[o] |= 0x01
        d[mirr + 3 * rs + (o - rec(3))] |= 0x01  # Windows updates $MFTMirr's copy too
save("dmg-dirty.img", d)

# Cross-link: point two.txt's first data run at one.txt's first cluster.
def first_run(n):
    for t, p, b in attrs(n):
        if t == 0x80 and b[p + 8] == 1:
            rp = p + struct.unpack_from("<H", b, p + 0x20)[0]
            h = b[rp]; lb, ob = h & 15, h >> 4
            lcn = int.from_bytes(b[rp + 1 + lb:rp + 1 + lb + ob], "little", signed=True)
            return rp, lb, ob, lcn
n1, n2 = find("one.txt"), find("two.txt")
_, _, _, lcn1 = first_run(n1)
rp, lb, ob, _ = first_run(n2)
d = bytearray(img)
o = rec(n2) + rp + 1 + lb
assert all((x - rec(n2)) % 512 < 510 for x in range(o, o + ob)), "run on a fixup position"
d[o:o + ob] = lcn1.to_bytes(ob, "little", signed=True)
save("dmg-crosslink.img", d)

# Truncated volume: the image ends at half of what the boot sector says.
save("dmg-truncated.img", img[:len(img) // 2])
PY

rm -f "$out"/*.img.xz
for f in "$full" "$small" "$work"/dmg-*.img; do
    xz -9e -T1 -c "$f" > "$out/$(basename "$f").xz"
done
ls -l "$out"
