//! Issue 4, destination mode "the drive manifest's BlobPath": an import drive
//! built by the manifest test helper (mkntfs + ntfs-3g, as root) whose manifest
//! sends some files to names Azure would rename is judged without any
//! destination option, with each Blob's FilePath as the subject.

use crate::common;

use common::manifest::*;
use common::report::{check_json, row, rule_paths};
use std::collections::BTreeMap;

#[test]
fn manifest_blob_paths_are_judged_without_a_destination_option() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let files = standard_files();
    let text = build_manifest(DRIVE_ID, &files)
        .replace(
            "<BlobPath>backup/docs/readme.txt</BlobPath>",
            "<BlobPath>backup/docs/readme.</BlobPath>",
        )
        .replace(
            "<BlobPath>backup/docs/deep/a b.txt</BlobPath>",
            "<BlobPath>backup/docs/deep./a b.txt</BlobPath>",
        );
    let img = build_drive(dir.path(), &files, Some(&text));

    let r = check_json(&img, &["--no-hash"]);
    let v = r.report();
    // Plain NTFS (no BitLocker) fails anyway; the rules run is what counts here.
    assert_eq!(r.code, 1, "{v}");
    let runs = v["rules"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{v}");
    let run = &runs[0];
    assert_eq!(run["source"], "drive");
    assert_eq!(
        run["destination"],
        "each Blob's BlobPath in the drive manifest"
    );
    assert_eq!(run["files"], files.len() as u64);
    assert_eq!(run["containers"], 1);
    let want: BTreeMap<String, Vec<String>> = [
        ("azure.blob-trailing", "\\docs\\readme.txt"),
        ("azure.blob-segment-dot", "\\docs\\deep\\a b.txt"),
    ]
    .into_iter()
    .map(|(c, p)| (c.to_string(), vec![p.to_string()]))
    .collect();
    assert_eq!(rule_paths(run), want, "{run}");
    assert_eq!(row(v, "Data copy completed with warnings"), "warn");
    assert_eq!(row(v, "Unsupported data"), "pass");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "azure.blob-trailing")
        .expect("blob-trailing finding");
    assert_eq!(f["subject"], "\\docs\\readme.txt");

    // The explicit flag gives the same run.
    let r = check_json(&img, &["--no-hash", "--dest-from-manifest"]);
    let v2 = r.report();
    assert_eq!(v2["rules"], v["rules"]);

    // A destination option wins over the manifest.
    let r = check_json(&img, &["--no-hash", "--dest", "other/"]);
    let v = r.report();
    let runs = v["rules"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["destination"], "other/");
    assert!(!rule_paths(&runs[0]).contains_key("azure.blob-trailing"));
}

#[test]
fn the_flag_without_a_manifest_is_incomplete() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let files = standard_files();
    let img = build_drive(dir.path(), &files, None);
    // Without the flag: not checked, the verdict not held back by it.
    let r = check_json(&img, &["--no-hash"]);
    let v = r.report();
    assert_eq!(row(v, "Unsupported data"), "not-checked");
    assert_eq!(v["rules"], serde_json::json!([]));
    // With it: not checked and the check incomplete.
    let r = check_json(&img, &["--no-hash", "--dest-from-manifest"]);
    let v = r.report();
    assert_eq!(row(v, "Unsupported data"), "not-checked");
    let incomplete = v["incomplete"].to_string();
    assert!(incomplete.contains("--dest-from-manifest"), "{incomplete}");
}
