//! `blob-list` and `dataset` end to end: findings with positions, exit codes.

use assert_cmd::Command;
use std::path::Path;

fn run(args: &[&str]) -> (i32, serde_json::Value) {
    let out = Command::cargo_bin("ie-preflight")
        .unwrap()
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null),
    )
}

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn blob_list_errors_carry_line_and_column() {
    let (code, v) = run(&["blob-list", &data("bloblist/root-case.xml")]);
    assert_eq!(code, 1);
    let f = &v["findings"][0];
    assert_eq!(f["predicts"], "Export blob list format invalid");
    assert!(f["subject"].as_str().unwrap().contains("line "), "{f}");
    let (code, v) = run(&["blob-list", &data("bloblist/valid.xml")]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["verdict"], "ready");
}

#[test]
fn valid_dataset_and_bad_key_driveset() {
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("dataset.csv");
    std::fs::write(&ds, "BasePath,DstBlobPathOrPrefix,BlobType,Disposition,MetadataFile,PropertiesFile\n\"F:\\\\50M_original\\\\\",\"containername/\",BlockBlob,overwrite,\"None\",None\n").unwrap();
    let (code, v) = run(&["dataset", ds.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    let dr = dir.path().join("driveset.csv");
    std::fs::write(
        &dr,
        "DriveLetter,FormatOption,SilentOrPromptOnFormat,Encryption,ExistingBitLockerKey\nG,AlreadyFormatted,SilentMode,AlreadyEncrypted,439675-460165-128202-905124-487224-524332-851649-442187\n",
    )
    .unwrap();
    let (code, v) = run(&["dataset", ds.to_str().unwrap(), dr.to_str().unwrap()]);
    assert_eq!(code, 1, "{v}");
    let text = v.to_string();
    assert!(text.contains("driveset.key-invalid"), "{text}");
    assert!(!text.contains("439675"), "the key must never be printed");
}

#[test]
fn missing_file_exits_3() {
    let (code, _) = run(&["blob-list", "/nonexistent/list.xml"]);
    assert_eq!(code, 3);
}
