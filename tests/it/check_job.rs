//! `check --job`: several images against one job — one drive missing, one with
//! a wrong key, one extra device — with a verdict per drive and for the job.

use crate::bitlk;
use crate::common;

use assert_cmd::Command;
use common::report::{codes, row};
use serde_json::{json, Value};

fn run(job: &serde_json::Value, sources: &[String]) -> (Value, i32) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("job.json");
    std::fs::write(&p, job.to_string()).unwrap();
    let out = Command::cargo_bin("ie-preflight")
        .unwrap()
        .arg("check")
        .args(sources)
        .arg("--job")
        .arg(&p)
        .arg("--json")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    (
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
        out.status.code().unwrap(),
    )
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
    let (v, code) = run(
        &job,
        &[
            format!("GOOD1={}", good.path.display()),
            format!("wrong2={}", other.path.display()),
            format!("EXTRA9={}", extra.display()),
        ],
    );
    assert_eq!(code, 1);
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
    let (v, code) = run(&job, &sources);
    assert_eq!(code, 1);
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
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("job.json");
    std::fs::write(&p, r#"[{"driveId":"S1"}]"#).unwrap();
    let out = Command::cargo_bin("ie-preflight")
        .unwrap()
        .arg("check")
        .arg(&img)
        .args(["--drive-id", "S1", "--job"])
        .arg(&p)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("=== drive S1"), "{text}");
    assert!(text.contains("=== job"), "{text}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "plain NTFS: BitLocker volume not found"
    );
}
