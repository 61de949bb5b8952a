//! `blob-list` and `dataset` end to end: findings with positions, exit codes.

use crate::common::cli::ie_preflight;
use std::path::Path;

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn blob_list_errors_carry_line_and_column() {
    let r = ie_preflight(["blob-list", &data("bloblist/root-case.xml"), "--json"]);
    assert_eq!(r.code, 1);
    let f = &r.report()["findings"][0];
    assert_eq!(f["predicts"], "Export blob list format invalid");
    assert!(f["subject"].as_str().unwrap().contains("line "), "{f}");
    let r = ie_preflight(["blob-list", &data("bloblist/valid.xml"), "--json"]);
    let v = r.report();
    assert_eq!(r.code, 0, "{v}");
    assert_eq!(v["verdict"], "ready");
}

#[test]
fn valid_dataset_and_bad_key_driveset() {
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("dataset.csv");
    std::fs::write(&ds, "BasePath,DstBlobPathOrPrefix,BlobType,Disposition,MetadataFile,PropertiesFile\n\"F:\\\\50M_original\\\\\",\"containername/\",BlockBlob,overwrite,\"None\",None\n").unwrap();
    let r = ie_preflight(["dataset", ds.to_str().unwrap(), "--json"]);
    assert_eq!(r.code, 0, "{}", r.report());
    let dr = dir.path().join("driveset.csv");
    std::fs::write(
        &dr,
        "DriveLetter,FormatOption,SilentOrPromptOnFormat,Encryption,ExistingBitLockerKey\nG,AlreadyFormatted,SilentMode,AlreadyEncrypted,439675-460165-128202-905124-487224-524332-851649-442187\n",
    )
    .unwrap();
    let r = ie_preflight([
        "dataset",
        ds.to_str().unwrap(),
        dr.to_str().unwrap(),
        "--json",
    ]);
    let v = r.report();
    assert_eq!(r.code, 1, "{v}");
    let text = v.to_string();
    assert!(text.contains("driveset.key-invalid"), "{text}");
    assert!(!text.contains("439675"), "the key must never be printed");
}

#[test]
fn missing_file_exits_3() {
    let r = ie_preflight(["blob-list", "/nonexistent/list.xml", "--json"]);
    assert_eq!(r.code, 3);
}
