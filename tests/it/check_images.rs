//! End-to-end: `ie-preflight check` on every test image gives the expected
//! layout, volume, findings and exit code, and never changes the image.

use crate::common;

use common::cli::Cmd;
use common::images::{expected, image};
use common::report::{check_json, codes, reason, row};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// (image, finding codes expected for an import drive, exit code)
const CASES: &[(&str, &[&str], i32)] = &[
    (
        "sample-drive.img",
        &["bitlocker.not-found", "manifest.not-found"],
        1,
    ),
    (
        "gpt-msr-ntfs.img.xz",
        &["bitlocker.not-found", "manifest.not-found"],
        1,
    ),
    (
        "gpt-esp-msr-ntfs.img.xz",
        &["bitlocker.not-found", "manifest.not-found"],
        1,
    ),
    (
        "mbr-ntfs.img.xz",
        &["bitlocker.not-found", "manifest.not-found"],
        1,
    ),
    (
        "mbr-logical-ntfs.img.xz",
        &["bitlocker.not-found", "manifest.not-found"],
        1,
    ),
    (
        "superfloppy-ntfs.img.xz",
        &["bitlocker.not-found", "manifest.not-found"],
        1,
    ),
    ("mbr-fat32-then-ntfs.img.xz", &["volume.not-ntfs"], 1),
    ("exfat-only.img.xz", &["volume.not-ntfs"], 1),
    ("zeros.img.xz", &["volume.not-ntfs"], 1),
    (
        "gpt-bad-primary-crc.img.xz",
        &[
            "bitlocker.not-found",
            "gpt.primary-invalid",
            "manifest.not-found",
        ],
        1,
    ),
    (
        "gpt-4k-ntfs.img.xz",
        &[
            "bitlocker.not-found",
            "disk.sector-size",
            "manifest.not-found",
        ],
        1,
    ),
    (
        "mbr-past-end.img.xz",
        &[
            "bitlocker.not-found",
            "layout.partition-past-end",
            "ntfs.boot-backup-missing",
            "ntfs.boot-size",
        ],
        1,
    ),
    (
        "ntfs-zeroed-boot.img.xz",
        &["ntfs.boot-sector-invalid", "volume.not-ntfs"],
        1,
    ),
];

#[test]
fn every_image_gives_its_findings_and_exit_code() {
    for (name, want, code) in CASES {
        let r = check_json::<&str>(&image(name), &[]);
        let v = r.report();
        assert_eq!(codes(v), *want, "{name}");
        assert_eq!(r.code, *code, "{name}");
        assert_eq!(v["exit_code"], *code, "{name}");
        assert_eq!(v["schema"], "ie-preflight/1");
        assert_eq!(v["verdict"], "would-fail", "{name}");
    }
}

#[test]
fn every_committed_image_has_a_case() {
    for name in expected().keys() {
        assert!(
            CASES.iter().any(|(n, _, _)| n == name),
            "no test case for {name}"
        );
    }
}

#[test]
fn layout_and_volume_match_expected_json() {
    for (name, e) in expected() {
        let r = check_json::<&str>(&image(&name), &[]);
        let v = r.report();
        let disk = &v["disk"];
        assert_eq!(disk["partition_table"], e["table"], "{name}");
        assert_eq!(disk["logical_sector_size"], e["sector_size"], "{name}");
        let ours: Vec<(u64, u64, u64)> = disk["partitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["number"].as_u64().unwrap(),
                    p["start_lba"].as_u64().unwrap(),
                    p["sectors"].as_u64().unwrap(),
                )
            })
            .collect();
        let want: Vec<(u64, u64, u64)> = e["partitions"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| {
                        (
                            p["number"].as_u64().unwrap(),
                            p["start"].as_u64().unwrap(),
                            p["sectors"].as_u64().unwrap(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(ours, want, "{name}");
        let vol = &v["volume"];
        assert_eq!(vol["partition"], e["first_data_partition"], "{name}");
        // No table: the volume is the whole disk from byte 0 (expected.json says null).
        let want_offset = if e["first_data_offset"].is_null() {
            Value::from(0)
        } else {
            e["first_data_offset"].clone()
        };
        assert_eq!(vol["offset"], want_offset, "{name}");
        let fs = e["fs"].as_str().unwrap();
        let t = vol["type"].as_str().unwrap();
        assert_eq!(t, fs, "{name}: volume type");
        if let Some(serial) = e["ntfs_serial"].as_str() {
            assert_eq!(vol["ntfs"]["serial"], serial, "{name}");
            assert_eq!(vol["ntfs"]["boot_sector"], "primary", "{name}");
        }
        if let Some(serial) = e.get("ntfs_backup_serial").and_then(|s| s.as_str()) {
            assert_eq!(
                vol["ntfs"]["serial"], serial,
                "{name}: serial from the backup boot sector"
            );
            assert_eq!(vol["ntfs"]["boot_sector"], "backup", "{name}");
        }
    }
}

#[test]
fn export_drives_get_only_disk_checks() {
    let r = check_json(&image("mbr-ntfs.img.xz"), &["--job-type", "export"]);
    let v = r.report();
    assert_eq!(r.code, 0);
    assert_eq!(v["verdict"], "ready");
    assert_eq!(row(v, "BitLocker volume not found"), "not-applicable");
    assert_eq!(row(v, "Disk corrupted"), "pass");
    let r = check_json(
        &image("gpt-bad-primary-crc.img.xz"),
        &["--job-type", "export"],
    );
    let v = r.report();
    assert_eq!(r.code, 1);
    assert_eq!(row(v, "Disk corrupted"), "fail");
}

#[test]
fn checklist_names_every_portal_state() {
    let r = check_json::<&str>(&image("sample-drive.img"), &[]);
    let v = r.report();
    let states: Vec<&str> = v["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    for s in [
        "Disk not received at datacenter",
        "Failed",
        "Manifest file error",
        "Export blob list format invalid",
        "Blob access forbidden",
        "Unsupported disk",
        "Disk corrupted",
        "BitLocker unlock volume failed",
        "BitLocker volume not found",
        "BitLocker key invalid",
        "Hardware error",
        "NTFS volume not found",
        "Storage account not accessible",
        "Unsupported data",
        "Data copy completed with warnings",
    ] {
        assert!(states.contains(&s), "missing state {s}");
    }
    assert_eq!(row(v, "BitLocker volume not found"), "fail");
    assert_eq!(row(v, "NTFS volume not found"), "pass");
    assert_eq!(row(v, "Unsupported disk"), "pass");
    // Every finding has the documented fields.
    for f in v["findings"].as_array().unwrap() {
        for k in ["code", "severity", "predicts", "subject", "message"] {
            assert!(f.get(k).is_some(), "finding lacks {k}: {f}");
        }
    }
}

#[test]
fn strict_turns_warnings_into_failure() {
    // A GPT disk grown by 1 MiB: its backup header is no longer in the last
    // sector, which is a warning only.
    let dir = tempfile::tempdir().unwrap();
    let grown = dir.path().join("grown.img");
    let mut bytes = std::fs::read(image("gpt-msr-ntfs.img.xz")).unwrap();
    bytes.resize(bytes.len() + (1 << 20), 0);
    std::fs::write(&grown, bytes).unwrap();
    let r = check_json(&grown, &["--job-type", "export"]);
    let v = r.report();
    assert_eq!(codes(v), ["gpt.backup-not-at-end"]);
    assert_eq!(r.code, 0);
    assert_eq!(row(v, "Disk corrupted"), "warn");
    let r = check_json(&grown, &["--job-type", "export", "--strict"]);
    let v = r.report();
    assert_eq!(r.code, 1);
    assert_eq!(v["verdict"], "would-fail");
}

#[test]
fn sector_size_option_overrides_inference() {
    let r = check_json(&image("gpt-4k-ntfs.img.xz"), &["--sector-size", "4096"]);
    let v = r.report();
    assert_eq!(v["disk"]["sector_size_source"], "option");
    let r = check_json::<&str>(&image("gpt-4k-ntfs.img.xz"), &[]);
    let v = r.report();
    assert_eq!(v["disk"]["sector_size_source"], "gpt-header");
    // Only logical partitions: the volume is found through the extended boot record.
    let r = check_json::<&str>(&image("mbr-logical-ntfs.img.xz"), &[]);
    let v = r.report();
    assert_eq!(v["disk"]["sector_size_source"], "boot-sector");
}

#[test]
fn image_is_unchanged_by_a_check() {
    for name in [
        "sample-drive.img",
        "mbr-past-end.img.xz",
        "ntfs-zeroed-boot.img.xz",
    ] {
        let p = image(name);
        let before = Sha256::digest(std::fs::read(&p).unwrap());
        let mtime = std::fs::metadata(&p).unwrap().modified().unwrap();
        check_json::<&str>(&p, &[]);
        Cmd::new(["check"]).arg(&p).run();
        let after = Sha256::digest(std::fs::read(&p).unwrap());
        assert_eq!(before, after, "{name} changed");
        assert_eq!(mtime, std::fs::metadata(&p).unwrap().modified().unwrap());
    }
}

#[test]
fn human_report_is_a_checklist() {
    let text = Cmd::new(["check"])
        .arg(image("sample-drive.img"))
        .run()
        .stdout;
    assert!(
        text.contains("FAIL         BitLocker volume not found"),
        "{text}"
    );
    assert!(
        text.contains("pass         NTFS volume not found"),
        "{text}"
    );
    // No \DriveManifest.xml on the sample: a warning (the name is the journal's).
    assert!(text.contains("warn         Manifest file error"), "{text}");
    assert!(text.contains("NTFS serial"), "{text}");
    assert!(text.contains("WOULD FAIL"), "{text}");
}

/// Every checklist row says why it was or was not checked: no state is left
/// with a generic reason, for either job type.
#[test]
fn every_row_not_checked_says_why() {
    for job in ["import", "export"] {
        let r = check_json(&image("sample-drive.img"), &["--job-type", job]);
        let v = r.report();
        for r in v["checklist"].as_array().unwrap() {
            if r["result"] == "not-checked" || r["result"] == "not-applicable" {
                let why = r["reason"].as_str().unwrap_or("");
                assert!(
                    !why.is_empty() && !why.contains("not implemented"),
                    "{job}: {r}"
                );
            }
        }
    }
    // A plain NTFS import drive: the key states are not checked, as there is
    // no BitLocker volume to try a key on.
    let r = check_json::<&str>(&image("sample-drive.img"), &[]);
    let v = r.report();
    for s in ["BitLocker key invalid", "BitLocker unlock volume failed"] {
        assert_eq!(row(v, s), "not-checked");
    }
    // No NTFS, so no manifest: said so, not left with a generic reason.
    let r = check_json::<&str>(&image("exfat-only.img.xz"), &[]);
    let v = r.report();
    assert_eq!(row(v, "Manifest file error"), "not-checked");
    assert!(reason(v, "Manifest file error").contains("manifest"), "{v}");
    // Nor a file system to look for damage in: only the partition table was.
    assert_eq!(row(v, "Disk corrupted"), "not-checked");
    assert!(
        reason(v, "Disk corrupted").contains("partition table"),
        "{v}"
    );
}

/// "Hardware error" and "Disk corrupted" pass only when the files' data was
/// read: `--no-hash` leaves them not checked, saying why.
#[test]
fn no_hash_leaves_data_rows_not_checked() {
    let img = image("sample-drive.img");
    let r = check_json::<&str>(&img, &[]);
    let v = r.report();
    assert_eq!(row(v, "Hardware error"), "pass");
    assert_eq!(row(v, "Disk corrupted"), "pass");
    assert_eq!(row(v, "Manifest file error"), "warn"); // no manifest on it

    let r = check_json(&img, &["--no-hash"]);
    let v = r.report();
    assert_eq!(row(v, "Hardware error"), "not-checked");
    assert_eq!(row(v, "Disk corrupted"), "not-checked");
    assert!(reason(v, "Disk corrupted").contains("--no-hash"), "{v}");
    assert_eq!(row(v, "Manifest file error"), "warn");

    // --surface with --no-hash is refused (output_safety.rs).
}
