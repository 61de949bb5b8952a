//! `ie-preflight log`: both service log formats summarised; files not copied.

use crate::common::cli::Cmd;
use std::path::{Path, PathBuf};

fn logs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/logs")
}

/// `log LOG --json`.
fn log_json(log: &str) -> Cmd {
    Cmd::new(["log"]).arg(logs().join(log)).arg("--json")
}

#[test]
fn classic_drive_log() {
    let r = log_json("classic-verbose.xml").run();
    let v = r.report();
    assert_eq!(r.code, 1);
    assert_eq!(v["format"], "classic");
    assert_eq!(v["version"], "2014-11-01");
    assert_eq!(v["drive_id"], "WD-WMATV123456");
    assert_eq!(v["drive_status"], "CompletedWithErrors");
    assert_eq!(v["categories"]["Completed"]["count"], 2);
    assert_eq!(
        v["categories"]["FileNotFound"]["paths"][0],
        "animals/tom & jerry.jpg"
    );
    assert_eq!(v["categories"]["PageRange/Corrupted"]["count"], 1);
    assert_eq!(v["categories"]["Properties/FileNotFound"]["count"], 1);
    assert_eq!(v["renamed"][0]["to"], "pictures/bob/wild/desert (2).jpg");
    assert_eq!(v["copied"], 2);
}

#[test]
fn databox_copy_log() {
    let r = log_json("databox-copylog.xml").run();
    let v = r.report();
    assert_eq!(r.code, 1);
    assert_eq!(v["format"], "databox");
    assert_eq!(v["version"], "2021-08-01");
    assert_eq!(v["drive_status"], "Failed");
    assert_eq!(v["predicts"], "Failed");
    assert_eq!(v["categories"]["ContainerRenamed"]["paths"][0], "CV");
    assert_eq!(
        v["categories"]["UploadErrorWin32"]["paths"][0],
        "photos/bad:name.jpg"
    );
    assert_eq!(v["summary"]["TotalFiles_Blobs"], "60");
    assert_eq!(v["summary"]["CopyErrors/ShareRenamed"], "1");
    let renamed = v["renamed"].as_array().unwrap();
    assert_eq!(renamed.len(), 2);
    assert_eq!(renamed[0]["from"], "New Folder");
    assert_eq!(
        renamed[0]["to"],
        "DataBox-f55763d4-8ef7-458f-b029-f36b51ada34f"
    );
}

#[test]
fn verbose_log_against_hashes_lists_files_not_copied() {
    let dir = tempfile::tempdir().unwrap();
    let hashes = dir.path().join("hashes.sha256");
    let h = "0".repeat(64);
    std::fs::write(
        &hashes,
        format!("{h}  photos/2024/img001.jpg\n{h}  photos/2024/img002.jpg\n{h}  docs/readme.txt\n{h}  docs/report 2024.pdf\n{h}  a/b/c/deep.txt\n"),
    )
    .unwrap();
    let r = log_json("databox-verbose.xml")
        .arg("--hashes")
        .arg(&hashes)
        .run();
    let v = r.report();
    assert_eq!(r.code, 1);
    assert_eq!(v["copied"], 3);
    assert_eq!(
        v["not_copied"],
        serde_json::json!(["docs/report 2024.pdf", "a/b/c/deep.txt"])
    );
    let r = log_json("databox-verbose.xml").run();
    assert_eq!(r.code, 0);
    assert!(r.report().get("not_copied").is_none());
}

#[test]
fn hostile_logs_are_refused_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        (
            "doctype.xml",
            "<!DOCTYPE x [<!ENTITY a SYSTEM \"file:///etc/passwd\">]><DriveLog>&a;</DriveLog>",
        ),
        ("deep.xml", &"<a>".repeat(100)),
        ("broken.xml", "<DriveLog><Blob></DriveLog>"),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        let r = Cmd::new(["log"]).arg(&p).run();
        assert_eq!(r.code, 3, "{name}");
        assert!(!r.stderr.contains("panicked"));
    }
}
