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

fn fixture(rel: &str) -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/jobs")
        .join(rel)
}

fn finding_codes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// A Data Box customer-disk job and its listCredentials response, two images
/// named by serial: each drive gets its serial, manifest and key from them.
#[test]
fn data_box_job_with_key_response() {
    let img = common::images::image("mbr-ntfs.img.xz");
    let job = fixture("databox/import-awaiting-shipment.json");
    let keys = fixture("databox/list-credentials.json");
    let sources = [
        format!("LAB-SERIAL-A={}", img.display()),
        format!("lab-serial-b={}", img.display()),
    ];
    // (key response given, job findings expected)
    let table: &[(bool, &[&str])] = &[(true, &[]), (false, &["job.no-key", "job.no-key"])];
    for (with_keys, want) in table {
        let mut cmd = Cmd::new(["check", "--json", "--job"]).arg(&job);
        if *with_keys {
            cmd = cmd.arg("--job-keys").arg(&keys);
        }
        let r = cmd.args(&sources).run();
        let v = r.report();
        assert_eq!(finding_codes(v), *want, "keys given: {with_keys}");
        let drives = v["drives"].as_array().unwrap();
        let ids: Vec<&str> = drives
            .iter()
            .map(|d| d["drive_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["LAB-SERIAL-A", "LAB-SERIAL-B"]);
        for d in drives {
            let rep = &d["report"];
            assert_eq!(rep["job_type"], "import");
            assert_eq!(
                row(rep, "BitLocker volume not found"),
                "fail",
                "plain NTFS image"
            );
            assert!(
                codes(rep).contains(&"manifest.not-found".to_string()),
                "the job's manifestFile is looked for"
            );
        }
        assert!(!r.stdout.contains("301301-016797") && !r.stdout.contains("529551-345609"));
    }
}

#[test]
fn key_response_for_another_job_is_named() {
    let img = common::images::image("mbr-ntfs.img.xz");
    let r = Cmd::new(["check", "--json", "--job"])
        .arg(fixture("classic/tracking-given.json"))
        .arg("--job-keys")
        .arg(fixture("classic/list-bitlocker-keys.json"))
        .arg(format!("WDTRACK0001={}", img.display()))
        .run();
    let v = r.report();
    assert_eq!(finding_codes(v), ["job.key-for-unknown-drive"]);
    assert!(v["findings"][0]["subject"]
        .as_str()
        .unwrap()
        .contains("WDOTHER9999"));
    assert!(!r.stdout.contains("606221-333608") && !r.stdout.contains("379643-496463"));
    // A file with no key in it is refused as a key source.
    let r = Cmd::new(["check", "--json", "--job"])
        .arg(fixture("classic/tracking-given.json"))
        .arg("--job-keys")
        .arg(fixture("classic/tracking-given.json"))
        .arg(format!("WDTRACK0001={}", img.display()))
        .run();
    assert_eq!(r.code, 3);
    assert!(r.report()["error"]
        .as_str()
        .unwrap()
        .contains("no BitLocker key"));
}

/// The job type comes from the record: a Data Box export job checks its disk as an export drive.
#[test]
fn job_type_comes_from_the_record() {
    let img = common::images::image("mbr-ntfs.img.xz");
    let export = fixture("databox/export-shipped-back.json");
    let r = Cmd::new(["check", "--json", "--job"])
        .arg(&export)
        .arg(format!("EXP-DISK-01={}", img.display()))
        .run();
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.report()["drives"][0]["report"]["job_type"], "export");
    let r = Cmd::new(["check", "--json", "--job-type", "export", "--job"])
        .arg(fixture("databox/import-awaiting-shipment.json"))
        .arg(format!("LAB-SERIAL-A={}", img.display()))
        .run();
    assert_eq!(r.code, 2);
    assert!(r.report()["error"]
        .as_str()
        .unwrap()
        .contains("contradicts"));
}

/// Windows-made BitLocker images against a Data Box job whose keys come from
/// listCredentials: the service's key opens each drive.
#[test]
fn data_box_keys_open_the_drives() {
    let (Some(a), Some(b)) = (
        bitlk::image("bitlk-aes-xts-128"),
        bitlk::image("bitlk-aes-cbc-128"),
    ) else {
        return;
    };
    let job = json!({"name": "db-lab", "type": "Microsoft.DataBox/jobs", "sku": {"name": "DataBoxCustomerDisk"},
        "properties": {"transferType": "ImportToAzure", "status": "AwaitingShipmentDetails", "details": {
            "jobDetailsType": "DataBoxCustomerDisk",
            "importDiskDetailsCollection": {
                "DBA1": {"manifestFile": "\\DriveManifest.xml", "manifestHash": "00000000000000000000000000000000"},
                "DBB2": {"manifestFile": "\\DriveManifest.xml", "manifestHash": "00000000000000000000000000000000"}}}}});
    let creds = json!({"value": [{"jobName": "db-lab", "jobSecrets": {"jobSecretsType": "DataBoxCustomerDisk",
        "diskSecrets": [{"diskSerialNumber": "DBA1", "bitLockerKey": a.get("RP").unwrap()},
                        {"diskSerialNumber": "DBB2", "bitLockerKey": b.get("RP").unwrap()}]}}]});
    let (_d1, job_path) = job_file(&job.to_string());
    let (_d2, key_path) = job_file(&creds.to_string());
    let r = Cmd::new(["check", "--json", "--job"])
        .arg(&job_path)
        .arg("--job-keys")
        .arg(&key_path)
        .arg(format!("DBA1={}", a.path.display()))
        .arg(format!("DBB2={}", b.path.display()))
        .run();
    let v = r.report();
    assert!(finding_codes(v).is_empty(), "{:?}", finding_codes(v));
    for d in v["drives"].as_array().unwrap() {
        assert_eq!(
            row(&d["report"], "BitLocker key invalid"),
            "pass",
            "{}",
            d["drive_id"]
        );
    }
    assert!(!r.stdout.contains(a.get("RP").unwrap()) && !r.stdout.contains(b.get("RP").unwrap()));
}
