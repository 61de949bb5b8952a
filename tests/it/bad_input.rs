//! Hostile and broken inputs give a clean error or a report, never a panic.

use crate::common;

use assert_cmd::Command;
use common::images::image;
use proptest::prelude::*;
use std::io::Write;

fn run(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let out = Command::cargo_bin("ie-preflight")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn not_a_file_or_device_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    for p in [
        dir.path().to_path_buf(),
        "/dev/null".into(),
        dir.path().join("missing.img"),
    ] {
        let (code, _, err) = run(&["check".as_ref(), p.as_os_str()]);
        assert_eq!(code, 3, "{p:?}: {err}");
        assert!(
            err.contains(p.to_str().unwrap()),
            "error names the path: {err}"
        );
    }
    let (code, out, _) = run(&["check".as_ref(), "/dev/null".as_ref(), "--json".as_ref()]);
    assert_eq!(code, 3);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verdict"], "incomplete");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["check".as_ref()]).0, 2);
    assert_eq!(
        run(&[
            "check".as_ref(),
            "x".as_ref(),
            "--sector-size".as_ref(),
            "777".as_ref()
        ])
        .0,
        2
    );
    assert_eq!(run(&["frobnicate".as_ref()]).0, 2);
}

#[test]
fn help_teaches() {
    let (code, out, _) = run(&["check".as_ref(), "--help".as_ref()]);
    assert_eq!(code, 0);
    assert!(out.contains("Exit codes"));
    assert!(out.contains("--job-type"));
}

#[test]
fn truncated_images_never_panic() {
    let full = std::fs::read(image("gpt-esp-msr-ntfs.img.xz")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for len in [
        0usize,
        1,
        511,
        512,
        1023,
        4096,
        17 * 512,
        1 << 20,
        14 << 20,
        full.len() - 512,
    ] {
        let p = dir.path().join(format!("t{len}.img"));
        std::fs::write(&p, &full[..len]).unwrap();
        let (code, out, err) = run(&["check".as_ref(), p.as_os_str(), "--json".as_ref()]);
        assert!(!err.contains("panicked"), "len {len}: {err}");
        assert!([1, 3].contains(&code), "len {len}: exit {code}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap();
    }
}

/// Library-level: random bytes where the tables and boot sectors live.
fn check_bytes(bytes: Vec<u8>) {
    let r = common::check_import("random.img", std::sync::Arc::new(bytes), None);
    serde_json::to_string(&r).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_disks_never_panic(head in proptest::collection::vec(any::<u8>(), 0..3000), len in 0usize..200_000) {
        let mut disk = head;
        disk.resize(len.max(disk.len()), 0);
        check_bytes(disk);
    }

    #[test]
    fn flipped_tables_never_panic(flips in proptest::collection::vec((0usize..(40 * 512), any::<u8>()), 1..20), which in 0usize..3) {
        let names = ["gpt-msr-ntfs.img.xz", "mbr-logical-ntfs.img.xz", "superfloppy-ntfs.img.xz"];
        let mut disk = std::fs::read(image(names[which])).unwrap();
        for (off, v) in flips {
            disk[off] ^= v;
        }
        check_bytes(disk);
    }
}

#[test]
fn random_file_gives_a_report() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    let mut x: u32 = 12345;
    let bytes: Vec<u8> = (0..300_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    f.write_all(&bytes).unwrap();
    let (code, out, _) = run(&["check".as_ref(), f.path().as_os_str()]);
    assert_eq!(code, 1);
    assert!(out.contains("NTFS volume not found"));
}
