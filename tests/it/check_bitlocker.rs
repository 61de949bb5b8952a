//! `check` end to end on the Windows-made BitLocker images: the key is proven,
//! the volume decrypted, and the file system inside examined.

use crate::bitlk;
use crate::common;

use assert_cmd::Command;
use common::report::{codes, row};
use serde_json::Value;
use std::io::Write;

fn check(img: &bitlk::Image, key: Option<&str>) -> (Value, i32) {
    let mut cmd = Command::cargo_bin("ie-preflight").unwrap();
    cmd.arg("check").arg(&img.path).arg("--json");
    let _keyfile;
    if let Some(k) = key {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "{k}").unwrap();
        cmd.arg("--recovery-key-file").arg(f.path());
        _keyfile = f;
    }
    let out = cmd.output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    if let Some(k) = key {
        assert!(
            !text.contains(k),
            "the recovery password must never be printed"
        );
        assert!(!String::from_utf8_lossy(&out.stderr).contains(k));
    }
    (
        serde_json::from_str(&text).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn right_key_unlocks_and_reports_the_ntfs_inside() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let (v, _) = check(&img, img.get("RP"));
    let vol = &v["volume"];
    assert_eq!(vol["type"], "bitlocker");
    assert_eq!(vol["inner_type"], "ntfs");
    assert_eq!(vol["ntfs"]["serial"], img.get("UUID").unwrap());
    assert_eq!(vol["bitlocker"]["opened_by"]["kind"], "recovery-password");
    for s in [
        "BitLocker volume not found",
        "BitLocker key invalid",
        "BitLocker unlock volume failed",
        "NTFS volume not found",
    ] {
        assert_eq!(row(&v, s), "pass", "{s}");
    }
}

#[test]
fn wrong_key_is_bitlocker_key_invalid() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let wrong = bitlk::wrong_recovery_password(img.get("RP").unwrap());
    let (v, exit) = check(&img, Some(&wrong));
    assert_eq!(exit, 1);
    assert_eq!(row(&v, "BitLocker key invalid"), "fail");
    assert!(codes(&v).contains(&"bitlocker.key-mismatch".to_string()));
    assert_eq!(v["volume"]["inner_type"], "locked");
}

#[test]
fn no_key_is_incomplete() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let (v, exit) = check(&img, None);
    assert_eq!(exit, 3);
    assert_eq!(v["verdict"], "incomplete");
    assert_eq!(row(&v, "NTFS volume not found"), "not-checked");
    // The NTFS inside was not examined, so "Disk corrupted" is no pass.
    assert_eq!(row(&v, "Disk corrupted"), "not-checked");
}

#[test]
fn to_go_with_fat_inside_is_ntfs_volume_not_found() {
    let Some(img) = bitlk::image("bitlk-togo-aes-xts-128") else {
        return;
    };
    let (v, exit) = check(&img, img.get("RP"));
    assert_eq!(exit, 1);
    assert_eq!(row(&v, "NTFS volume not found"), "fail");
    assert_eq!(v["volume"]["inner_type"], "fat16");
}
