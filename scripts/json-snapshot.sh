#!/usr/bin/env bash
# Every subcommand's --json output on every input in testdata/ (and the shared
# BitLocker images when present), with the run-dependent fields (timings,
# thread counts, temporary paths) blanked, one file per run in OUT_DIR.
# A restructuring must leave `diff -r BEFORE AFTER` empty:
#   scripts/json-snapshot.sh /tmp/before   # on the old commit
#   scripts/json-snapshot.sh /tmp/after    # on the new one
#   diff -r /tmp/before /tmp/after
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/json-snapshot.sh OUT_DIR}
mkdir -p "$out"
cargo build --quiet
bin=target/debug/ie-preflight
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
blank() { sed -E 's/"(seconds|mb_per_s|threads|tool_version)": [^,}]*/"\1": null/g'; }
run() { # name, args...
    local name=$1; shift
    local top=$PWD rc
    rc=$(cd "$work" && { "$top/$bin" "$@" 2>/dev/null > "$work/stdout"; echo $?; })
    blank < "$work/stdout" > "$out/$name.json"
    echo "exit $rc" >> "$out/$name.json"
}
for x in testdata/*.img.xz testdata/ntfs/*.img.xz; do
    n=$(basename "$x" .img.xz); xz -dc "$x" > "$work/$n.img"
done
cp testdata/sample-drive.img "$work/sample-drive.img"
for img in "$work"/*.img; do
    n=$(basename "$img" .img)
    run "check-$n" check "$n.img" --json
    run "check-export-$n" check "$n.img" --json --job-type export
    run "check-nohash-$n" check "$n.img" --json --no-hash
    run "check-hashes-$n" check "$n.img" --json --hashes-in-json --hashes-md5 "$n.md5"
    run "check-dest-$n" check "$n.img" --json --dest c/
    run "ls-$n" ls "$n.img" --json
    run "manifest-src-$n" manifest "$PWD/testdata/bloblist/valid.xml" --source "$n.img" --json
done
for f in testdata/bloblist/*.xml; do run "blob-list-$(basename "$f" .xml)" blob-list "$PWD/$f" --json; done
for f in testdata/jobs/*.json testdata/jobs/*.jrn testdata/jobs/*.xml; do
    run "status-$(basename "$f")" status "$PWD/$f" --json
done
for f in testdata/logs/*.xml; do run "log-$(basename "$f" .xml)" log "$PWD/$f" --json; done
run devices devices --json
bitlk=target/bitlk-images
if [ -f "$bitlk/images.conf" ]; then
    for img in "$bitlk"/*.img; do
        n=$(basename "$img" .img)
        rp=$(awk -v s="[$n]" '$0==s{f=1;next} /^\[/{f=0} f&&/^RP *=/{sub(/^RP *= */,"");print}' "$bitlk/images.conf")
        if [ -n "$rp" ]; then
            printf '%s\n' "$rp" > "$work/$n.key"
            run "check-bitlk-$n" check "$PWD/$img" --json --recovery-key-file "$n.key"
        else
            run "check-bitlk-$n" check "$PWD/$img" --json
        fi
    done
fi
echo "wrote $(ls "$out" | wc -l) snapshots to $out"
