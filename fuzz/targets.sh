# Sourced by run.sh and smoke.sh: every fuzz target and its dictionary.
# shellcheck shell=bash
TARGETS=(layout probe mft_inventory ntfs_integrity bitlocker_parse bitlocker_decrypt
    manifest sidecar bloblist dataset job_json journal driveinfo copy_log check)

dict_for() {
    case "$1" in
    manifest | sidecar | bloblist | copy_log | driveinfo) echo dict/xml.dict ;;
    dataset) echo dict/csv.dict ;;
    job_json) echo dict/json.dict ;;
    journal) echo dict/jrn.dict ;;
    *) ;;
    esac
}

# Largest input a target gets: image targets stay at the seeds' size.
max_len_for() {
    case "$1" in
    layout | probe) echo 131072 ;;
    mft_inventory | ntfs_integrity | check) echo 262144 ;;
    bitlocker_parse) echo 65536 ;;
    bitlocker_decrypt) echo 16384 ;;
    *) echo 65536 ;;
    esac
}
