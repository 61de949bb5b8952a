//! `check` end to end on the Windows-made BitLocker images: the key is proven,
//! the volume decrypted, and the file system inside examined.

use crate::bitlk;
use crate::common;

use common::cli::{Cmd, Run};
use common::report::{codes, row};

/// `check IMAGE --json`, with the recovery password `key` (if any) in a key
/// file: it must never be printed.
fn check(img: &bitlk::Image, key: Option<&str>) -> Run {
    let mut cmd = Cmd::new(["check"]).arg(&img.path).arg("--json");
    if let Some(k) = key {
        cmd = cmd.key_file("--recovery-key-file", k);
    }
    let r = cmd.run();
    if let Some(k) = key {
        assert!(
            !r.stdout.contains(k),
            "the recovery password must never be printed"
        );
        assert!(!r.stderr.contains(k));
    }
    r.report();
    r
}

#[test]
fn right_key_unlocks_and_reports_the_ntfs_inside() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let r = check(&img, img.get("RP"));
    let v = r.report();
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
        assert_eq!(row(v, s), "pass", "{s}");
    }
}

#[test]
fn wrong_key_is_bitlocker_key_invalid() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let wrong = bitlk::wrong_recovery_password(img.get("RP").unwrap());
    let r = check(&img, Some(&wrong));
    let v = r.report();
    assert_eq!(r.code, 1);
    assert_eq!(row(v, "BitLocker key invalid"), "fail");
    assert!(codes(v).contains(&"bitlocker.key-mismatch".to_string()));
    assert_eq!(v["volume"]["inner_type"], "locked");
}

#[test]
fn no_key_is_incomplete() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let r = check(&img, None);
    let v = r.report();
    assert_eq!(r.code, 3);
    assert_eq!(v["verdict"], "incomplete");
    assert_eq!(row(v, "NTFS volume not found"), "not-checked");
    // The NTFS inside was not examined, so "Disk corrupted" is no pass.
    assert_eq!(row(v, "Disk corrupted"), "not-checked");
}

#[test]
fn to_go_with_fat_inside_is_ntfs_volume_not_found() {
    let Some(img) = bitlk::image("bitlk-togo-aes-xts-128") else {
        return;
    };
    let r = check(&img, img.get("RP"));
    let v = r.report();
    assert_eq!(r.code, 1);
    assert_eq!(row(v, "NTFS volume not found"), "fail");
    assert_eq!(v["volume"]["inner_type"], "fat16");
}
