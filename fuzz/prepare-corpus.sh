#!/usr/bin/env bash
# Fill fuzz/corpus/TARGET (not committed) from the committed seeds and the
# regression inputs, and cut BitLocker seeds from the Windows-made images in
# ../shared/testdata/bitlk/ when they are there (they must not be committed).
set -euo pipefail
cd "$(dirname "$0")"
source ./targets.sh
for t in "${TARGETS[@]}"; do
    mkdir -p "corpus/$t"
    [ -d "seeds/$t" ] && cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
    [ -d "regressions/$t" ] && cp -n regressions/"$t"/* "corpus/$t/" 2>/dev/null || true
done
# The image targets share seeds: every image target's corpus gets every image.
for t in layout probe mft_inventory ntfs_integrity check; do
    for s in layout probe mft_inventory check; do
        for f in seeds/"$s"/*; do
            [ -f "$f" ] && [ "$(stat -c %s "$f")" -le "$(source ./targets.sh; max_len_for "$t")" ] &&
                cp -n "$f" "corpus/$t/$s-$(basename "$f")"
        done
    done
done
tarball=${IE_PREFLIGHT_BITLK_TAR:-../../shared/testdata/bitlk/bitlk-images.tar.xz}
if [ -f "$tarball" ] && [ -z "$(ls corpus/bitlocker_parse 2>/dev/null)" ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    tar -xJf "$tarball" -C "$tmp"
    python3 - "$tmp" corpus/bitlocker_parse <<'PY'
import glob, os, struct, sys
src, out = sys.argv[1], sys.argv[2]
for img in sorted(glob.glob(os.path.join(src, "*", "*.img"))):
    with open(img, "rb") as f:
        s0 = f.read(512)
        if s0[3:11] == b"-FVE-FS-":
            offs = struct.unpack_from("<3Q", s0, 0xB0)
        elif s0[3:11] == b"MSWIN4.1":
            offs = struct.unpack_from("<3Q", s0, 0x1B8)
        else:
            continue
        f.seek(offs[0])
        area = f.read(64 << 10).rstrip(b"\0")
        area += b"\0" * (-len(area) % 16)
    name = os.path.basename(img)[:-4]
    with open(os.path.join(out, name + ".bin"), "wb") as o:
        o.write(s0 + area)
    print(f"bitlocker_parse seed {name}: {512 + len(area)} bytes")
PY
fi
