//! A local staging folder with offending names, walked and judged end to end:
//! exactly the expected findings, per destination.

use ie_preflight::azure::local::walk_local;
use ie_preflight::azure::rules::codes;
use ie_preflight::azure::{judge_entries, BlobType, Destination, Target};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// The tree, and the path of the file whose blob name is 1,025 characters.
fn build(root: &Path) -> String {
    fs::create_dir(root.join("Bad Container")).unwrap();
    fs::write(root.join("Bad Container/ok.bin"), vec![0u8; 512]).unwrap();
    let data = root.join("data");
    fs::create_dir(&data).unwrap();
    fs::write(data.join("trailing."), b"").unwrap();
    fs::write(data.join("CON"), b"").unwrap();
    fs::write(data.join("odd.bin"), vec![7u8; 1000]).unwrap();
    std::os::unix::fs::symlink("odd.bin", data.join("link")).unwrap();
    // Blob name (after container `data/`): 4 × 200 + 4 '/' + 221 = 1,025.
    let dirs: Vec<String> = (1..=4).map(|i| i.to_string().repeat(200)).collect();
    let deep = data.join(dirs.join("/"));
    fs::create_dir_all(&deep).unwrap();
    fs::write(deep.join("f".repeat(221)), b"").unwrap();
    fs::create_dir(root.join("empty")).unwrap();
    let blob = format!("{}/{}", dirs.join("/"), "f".repeat(221));
    assert_eq!(blob.chars().count(), 1025);
    format!("data/{blob}")
}

fn long_paths(long_file: &str) -> Vec<(&'static str, String)> {
    // "data/1…" (205 + "X:\") is short; each deeper level is over 256.
    let segs: Vec<&str> = long_file.split('/').collect();
    (3..=segs.len())
        .map(|n| (codes::LONG_PATH, segs[..n].join("/")))
        .collect()
}

fn judged(root: &Path, dest: &Destination) -> BTreeSet<(&'static str, String)> {
    let tree = walk_local(root).unwrap();
    assert!(tree.findings.is_empty(), "{:?}", tree.findings);
    let r = judge_entries(tree.entries.iter().map(|e| e.as_ref()), dest);
    let from_findings: BTreeSet<_> = r
        .findings
        .iter()
        .map(|f| (f.code, f.subject.clone()))
        .collect();
    // The JSON view lists the same paths.
    let from_all: BTreeSet<_> = r
        .all_paths
        .iter()
        .flat_map(|(c, ps)| ps.iter().map(move |p| (*c, p.clone())))
        .collect();
    assert_eq!(from_findings, from_all);
    from_findings
}

#[test]
fn page_blobs_one_container_per_top_level_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let long = build(tmp.path());
    let dest = Destination::parse(Target::Blob(Some(BlobType::Page)), "").unwrap();
    let mut want: BTreeSet<(&str, String)> = [
        (codes::CONTAINER_NAME, "Bad Container".to_string()),
        (codes::BLOB_TRAILING, "data/trailing.".into()),
        (codes::PAGE_BLOB_ALIGNMENT, "data/odd.bin".into()),
        (codes::REPARSE_POINT, "data/link".into()),
        (codes::BLOB_NAME_LENGTH, long.clone()),
        (codes::EMPTY_DIRECTORY, "empty".into()),
    ]
    .into_iter()
    .collect();
    want.extend(long_paths(&long));
    assert_eq!(judged(tmp.path(), &dest), want);
}

#[test]
fn azure_files_share() {
    let tmp = tempfile::tempdir().unwrap();
    let long = build(tmp.path());
    let dest = Destination::parse(Target::Files, "share/").unwrap();
    let mut want: BTreeSet<(&str, String)> = [
        (codes::FILE_TRAILING, "data/trailing.".to_string()),
        (codes::FILE_NAME_RESERVED, "data/CON".into()),
        (codes::REPARSE_POINT, "data/link".into()),
        (codes::EMPTY_DIRECTORY, "empty".into()),
    ]
    .into_iter()
    .collect();
    want.extend(long_paths(&long));
    assert_eq!(judged(tmp.path(), &dest), want);
}

#[test]
fn block_blobs_under_a_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let long = build(tmp.path());
    let dest = Destination::parse(Target::Blob(Some(BlobType::Block)), "import/2024/").unwrap();
    let mut want: BTreeSet<(&str, String)> = [
        (codes::BLOB_TRAILING, "data/trailing.".to_string()),
        (codes::REPARSE_POINT, "data/link".into()),
        (codes::BLOB_NAME_LENGTH, long.clone()),
        (codes::EMPTY_DIRECTORY, "empty".into()),
    ]
    .into_iter()
    .collect();
    want.extend(long_paths(&long));
    assert_eq!(judged(tmp.path(), &dest), want);
}

#[test]
fn missing_folder_is_a_typed_error() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(walk_local(&tmp.path().join("nope")).is_err());
    let f = tmp.path().join("file");
    fs::write(&f, b"x").unwrap();
    assert!(walk_local(&f).is_err());
}
