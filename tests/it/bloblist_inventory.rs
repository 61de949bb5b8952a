//! `blob-list --inventory`: what a list selects from `az storage blob list -o json`.

use crate::common;

use common::cli::{ie_preflight, Cmd};
use serde_json::Value;
use std::ffi::OsString;

fn dir() -> std::path::PathBuf {
    common::testdata().join("bloblist").join("inventory")
}

/// `blob-list list.xml --json ARGS...` (`args` split at spaces), each `*.json`
/// argument a file of [`dir`].
fn blob_list(args: &str) -> Vec<OsString> {
    let d = dir();
    let mut line: Vec<OsString> = vec![
        "blob-list".into(),
        d.join("list.xml").into(),
        "--json".into(),
    ];
    line.extend(args.split(' ').map(|a| {
        if a.ends_with(".json") {
            d.join(a).into_os_string()
        } else {
            a.into()
        }
    }));
    line
}

fn findings(v: &Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = f["subject"].as_str().unwrap();
            let s = s.rsplit_once(": ").map_or(s, |(_, r)| r);
            (f["code"].as_str().unwrap().to_string(), s.to_string())
        })
        .collect()
}

#[test]
fn selection_counts_bytes_ntfs_names_archive_and_drives() {
    let r = ie_preflight(blob_list("--inventory az-blob-list.json --drive-size 1TB"));
    let v = r.report();
    assert_eq!(r.code, 1);
    let s = &v["selection"];
    assert_eq!(s["inventory_blobs"], 5);
    assert_eq!(s["blobs"], 4);
    assert_eq!(s["bytes"], 1_800_000_000_000u64);
    assert_eq!(s["ntfs_unwritable"], 2);
    assert_eq!(s["archive_tier"], 1);
    assert_eq!(s["drive_size"], 1_000_000_000_000u64);
    // 700 + 600 + 500 GB on 1 TB drives, whole blobs per drive.
    assert_eq!(s["drives_needed"], 3);
    let want = [
        ("bloblist.selects-nothing", "line 5, column 3"),
        ("bloblist.ntfs-name", "music/b:c.mp3"),
        ("bloblist.ntfs-name", "music/old/"),
        ("bloblist.archive-tier", "music/old/"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(findings(v), want);
    // 8 TB drives: one is enough.
    let r = ie_preflight(blob_list("--inventory az-blob-list.json --drive-size 8TB"));
    assert_eq!(r.report()["selection"]["drives_needed"], 1);
    // A blob larger than a drive.
    let r = ie_preflight(blob_list(
        "--inventory az-blob-list.json --drive-size 650GB",
    ));
    assert!(findings(r.report())
        .contains(&("bloblist.blob-too-large".into(), "videos/story.mp4".into())));
}

#[test]
fn several_files_and_the_container_option() {
    // Objects without `container` need --container.
    let r = ie_preflight(blob_list("--inventory no-container.json"));
    let v = r.report();
    assert_eq!(r.code, 3, "{v}");
    let r = ie_preflight(blob_list(
        "--inventory az-blob-list.json no-container.json --container music",
    ));
    let v = r.report();
    assert_eq!(r.code, 1);
    assert_eq!(v["selection"]["inventory_blobs"], 7);
    assert_eq!(v["selection"]["blobs"], 6);
    assert!(findings(v).contains(&("bloblist.ntfs-name".into(), "music/bad?.mp3".into())));
    assert!(v["selection"].get("drives_needed").is_none());
}

#[test]
fn drive_size_is_checked_and_needs_an_inventory() {
    let d = dir();
    let bad = Cmd::new(["blob-list"])
        .arg(d.join("list.xml"))
        .args(["--drive-size", "8TiB", "--inventory"])
        .arg(d.join("az-blob-list.json"))
        .run();
    assert_eq!(bad.code, 2);
    let alone = Cmd::new(["blob-list"])
        .arg(d.join("list.xml"))
        .args(["--drive-size", "8TB"])
        .run();
    assert_eq!(alone.code, 2);
}
