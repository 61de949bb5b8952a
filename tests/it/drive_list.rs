//! `check --drive-list FILE`: the job's drive list computed from the drives —
//! driveId, manifestFile and manifestHash (the MD5 of the manifest on the
//! drive), keys only with `--include-keys` — accepted by `status` as a bare
//! driveList; drives without a manifest are named on stderr and left out.

use crate::common;

use common::cli::{ie_preflight, Cmd};
use common::manifest::*;
use serde_json::{json, Value};
use std::os::unix::fs::PermissionsExt;

fn read_json(p: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn drive_list_holds_the_manifest_as_read_on_the_drive() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let files = standard_files();
    let text = build_manifest(DRIVE_ID, &files);
    let img = build_drive(dir.path(), &files, Some(&text));
    // The manifest's MD5 as `md5sum` computes it from the bytes written.
    let manifest = dir.path().join("DriveManifest.xml");
    std::fs::write(&manifest, &text).unwrap();
    let md5sum = std::process::Command::new("md5sum")
        .arg(&manifest)
        .output()
        .unwrap();
    let want = String::from_utf8_lossy(&md5sum.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_uppercase();
    assert_eq!(want, md5_hex(text.as_bytes()));

    let list = dir.path().join("drives.json");
    let r = Cmd::new(["check"])
        .arg(&img)
        .args(["--drive-id", DRIVE_ID, "--no-hash", "--drive-list"])
        .arg(&list)
        .run();
    assert_eq!(r.code, 1, "plain NTFS would fail: {}", r.stderr);
    let got = read_json(&list);
    assert_eq!(
        got,
        json!([{"driveId": DRIVE_ID, "manifestFile": "\\DriveManifest.xml", "manifestHash": want}])
    );

    // `status` takes it as a bare driveList.
    let s = ie_preflight([std::ffi::OsStr::new("status"), list.as_os_str()]);
    assert_eq!(s.code, 0, "{}{}", s.stdout, s.stderr);
    assert!(s.stdout.contains(DRIVE_ID), "{}", s.stdout);

    // The Data Box shape: keyed by serial.
    let databox = dir.path().join("databox.json");
    let r = Cmd::new(["check"])
        .arg(&img)
        .args([
            "--drive-id",
            DRIVE_ID,
            "--no-hash",
            "--drive-list-format",
            "databox",
        ])
        .arg("--drive-list")
        .arg(&databox)
        .arg("--include-keys")
        .run();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let got = read_json(&databox);
    assert_eq!(
        got,
        json!({DRIVE_ID: {"manifestFile": "\\DriveManifest.xml", "manifestHash": md5_hex(text.as_bytes())}})
    );
    let mode = std::fs::metadata(&databox).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode & 0o077,
        0,
        "--include-keys: readable by the owner only"
    );
}

#[test]
fn drives_without_a_manifest_are_named_and_left_out() {
    let img = common::images::image("sample-drive.img");
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("drives.json");
    let r = Cmd::new(["check"])
        .arg(&img)
        .args(["--drive-id", "S1", "--drive-list"])
        .arg(&list)
        .run();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(read_json(&list), json!([]));
    assert!(
        r.stderr.contains(
            "is not in the drive list: its first volume holds no readable drive manifest"
        ),
        "{}",
        r.stderr
    );
    // Refused before reading: export drives have no drive list, the source is not an output.
    let export = Cmd::new(["check"])
        .arg(&img)
        .args(["--job-type", "export", "--drive-list"])
        .arg(dir.path().join("x.json"))
        .run();
    assert_eq!(export.code, 2, "{}", export.stderr);
    let onto = Cmd::new(["check"])
        .arg(&img)
        .arg("--drive-list")
        .arg(&img)
        .run();
    assert_eq!(onto.code, 2, "{}", onto.stderr);
}
