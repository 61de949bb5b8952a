//! Drive health (`disk.health`) on a real block device: a read-only loop
//! device of the sample image, checked with the real `smartctl` (a loop
//! device has no SMART: "not checked", and why), without `smartctl` on PATH,
//! and with a stand-in `smartctl` on PATH that prints a fixture of
//! testdata/smartctl (smartmontools' `--json -x` shape, see its README.md).
//! Needs root (loop devices) and smartmontools.

use crate::common;
use common::loopdev::{self, Loop};

use common::report::{codes, reason, row};
use serde_json::Value;
use std::path::PathBuf;

/// `check DEV --json` with `PATH` set to `path`.
fn check_with_path(dev: &str, path: &std::ffi::OsStr) -> (i32, Value) {
    let out = assert_cmd::Command::cargo_bin("ie-preflight")
        .unwrap()
        .args(["check", dev, "--json"])
        .env("PATH", path)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    common::schema::validate("check", &v).unwrap();
    (out.status.code().unwrap_or(-1), v)
}

fn sample_on_loop() -> Option<Loop> {
    loopdev::available()
        .then(|| Loop::attach(&common::testdata().join("sample-drive.img"), &["-r"]))
}

#[test]
fn real_smartctl_on_a_loop_device_is_not_checked() {
    if !common::require_tool("smartctl", "smartmontools") {
        return;
    }
    let Some(dev) = sample_on_loop() else { return };
    let path = std::env::var_os("PATH").unwrap_or_default();
    // The sample is plain NTFS: 1 for BitLocker, whatever the health says.
    let (code, v) = check_with_path(dev.name(), &path);
    assert_eq!(code, 1, "{:#?}", v["findings"]);
    let h = &v["disk"]["health"];
    assert_eq!(h["checked"], false, "{h}");
    let why = h["reason"].as_str().unwrap();
    assert!(why.contains("no SMART"), "{why}");
    assert!(
        h["smartctl"]["exit_status"].as_u64().unwrap() & 0b11 != 0,
        "{h}"
    );
    assert_eq!(row(&v, "Hardware error"), "not-checked");
    let r = reason(&v, "Hardware error");
    assert!(r.starts_with("drive health (SMART) not checked: "), "{r}");
}

#[test]
fn without_smartctl_the_row_says_so() {
    let Some(dev) = sample_on_loop() else { return };
    let empty = tempfile::tempdir().unwrap();
    let (code, v) = check_with_path(dev.name(), empty.path().as_os_str());
    assert_eq!(code, 1);
    assert_eq!(v["disk"]["health"]["checked"], false);
    assert!(v["disk"]["health"].get("smartctl").is_none());
    let r = reason(&v, "Hardware error");
    assert!(
        r.contains("smartctl (smartmontools) is not installed"),
        "{r}"
    );
}

/// A directory holding a `smartctl` that prints `fixture` and exits `status`.
fn stand_in(fixture: &str, status: u8) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let json: PathBuf = common::testdata().join("smartctl").join(fixture);
    let script = dir.path().join("smartctl");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nexec 2>/dev/null\n/bin/cat '{}'\nexit {status}\n",
            json.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

#[test]
fn a_failing_drive_is_a_hardware_error() {
    let Some(dev) = sample_on_loop() else { return };
    let bin = stand_in("ata-failing.json", 192);
    let (_, v) = check_with_path(dev.name(), bin.path().as_os_str());
    assert_eq!(row(&v, "Hardware error"), "fail");
    let c = codes(&v);
    for want in [
        "health.pending-sectors",
        "health.offline-uncorrectable",
        "health.reallocated-sectors",
        "health.self-test-failed",
    ] {
        assert!(c.iter().any(|x| x == want), "{want}: {c:?}");
    }
    let s = &v["disk"]["health"]["smart"];
    assert_eq!(s["pending_sectors"], 8);
    assert_eq!(s["self_test"]["failed"], true);

    let bin = stand_in("ata-healthy.json", 0);
    let (_, v) = check_with_path(dev.name(), bin.path().as_os_str());
    assert!(
        !codes(&v).iter().any(|c| c.starts_with("health.")),
        "{:#?}",
        v["findings"]
    );
    assert_eq!(v["disk"]["health"]["checked"], true);
    assert_eq!(row(&v, "Hardware error"), "pass");
}
