//! `check --job`: several images against one job — one drive missing, one with
//! a wrong key, one extra device — with a verdict per drive and for the job.

use crate::bitlk;
use crate::common;

use common::cli::Cmd;
use common::report::{codes, row};
use serde_json::{json, Value};
use std::path::PathBuf;

/// `job` written to `job.json` in a temp dir (which lives as long as the returned value).
fn job_file(job: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("job.json");
    std::fs::write(&p, job).unwrap();
    (dir, p)
}

#[test]
fn job_with_missing_wrong_key_and_extra_drive() {
    let (Some(good), Some(other)) = (
        bitlk::image("bitlk-aes-xts-128"),
        bitlk::image("bitlk-aes-cbc-128"),
    ) else {
        return;
    };
    let wrong = bitlk::wrong_recovery_password(other.get("RP").unwrap());
    let job = json!({"name": "lab-job", "properties": {"jobType": "Import", "state": "Creating", "driveList": [
        {"driveId": "GOOD1", "bitLockerKey": good.get("RP").unwrap(), "manifestFile": "\\DriveManifest.xml"},
        {"driveId": "WRONG2", "bitLockerKey": wrong, "manifestFile": "\\DriveManifest.xml"},
        {"driveId": "MISSING3", "bitLockerKey": good.get("RP").unwrap()}
    ]}});
    let extra = common::images::image("mbr-ntfs.img.xz");
    let (_dir, job_path) = job_file(&job.to_string());
    let r = Cmd::new(["check"])
        .args([
            format!("GOOD1={}", good.path.display()),
            format!("wrong2={}", other.path.display()),
            format!("EXTRA9={}", extra.display()),
        ])
        .arg("--job")
        .arg(&job_path)
        .arg("--json")
        .run();
    let v = r.report();
    assert_eq!(r.code, 1);
    assert_eq!(v["verdict"], "would-fail");
    let job_codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        job_codes.contains(&"job.drive-not-checked"),
        "{job_codes:?}"
    );
    assert!(job_codes.contains(&"job.extra-drive"), "{job_codes:?}");
    let missing = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "job.drive-not-checked")
        .unwrap();
    assert_eq!(missing["predicts"], "Disk not received at datacenter");
    assert!(missing["subject"].as_str().unwrap().contains("MISSING3"));
    let drives = v["drives"].as_array().unwrap();
    assert_eq!(drives.len(), 3);
    let good_r = &drives[0]["report"];
    assert_eq!(drives[0]["drive_id"], "GOOD1");
    assert_eq!(
        row(good_r, "BitLocker key invalid"),
        "pass",
        "the job's key opens drive GOOD1"
    );
    assert_eq!(
        good_r["volume"]["ntfs"]["serial"],
        good.get("UUID").unwrap()
    );
    let wrong_r = &drives[1]["report"];
    assert_eq!(
        drives[1]["drive_id"], "WRONG2",
        "serials match without case"
    );
    assert!(codes(wrong_r).contains(&"bitlocker.key-mismatch".to_string()));
    assert_eq!(drives[1]["verdict"], "would-fail");
    assert!(drives[2]["drive_id"].is_null());
    // No key ever appears in the output.
    let text = v.to_string();
    assert!(!text.contains(good.get("RP").unwrap()));
    assert!(!text.contains(&wrong));
}

#[test]
fn more_than_ten_drives_is_an_error() {
    let img = common::images::image("mbr-ntfs.img.xz");
    let drives: Vec<Value> = (0..11)
        .map(|i| json!({"driveId": format!("D{i}")}))
        .collect();
    let job = json!(drives);
    let sources: Vec<String> = (0..11).map(|i| format!("D{i}={}", img.display())).collect();
    let (_dir, job_path) = job_file(&job.to_string());
    let r = Cmd::new(["check"])
        .args(&sources)
        .arg("--job")
        .arg(&job_path)
        .arg("--json")
        .run();
    let v = r.report();
    assert_eq!(r.code, 1);
    let n = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "job.too-many-drives")
        .count();
    assert_eq!(n, 2, "both the job and the command line name 11 drives");
}

#[test]
fn human_report_has_a_line_per_drive() {
    let img = common::images::image("mbr-ntfs.img.xz");
    let (_dir, job_path) = job_file(r#"[{"driveId":"S1"}]"#);
    let r = Cmd::new(["check"])
        .arg(&img)
        .args(["--drive-id", "S1", "--job"])
        .arg(&job_path)
        .run();
    let text = &r.stdout;
    assert!(text.contains("=== drive S1"), "{text}");
    assert!(text.contains("=== job"), "{text}");
    assert_eq!(r.code, 1, "plain NTFS: BitLocker volume not found");
}
