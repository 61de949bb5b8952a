//! Hostile and broken inputs give a clean error or a report, never a panic.

use crate::common;

use common::cli::{ie_preflight, Cmd};
use common::images::image;
use proptest::prelude::*;
use std::io::Write;

#[test]
fn not_a_file_or_device_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    for p in [
        dir.path().to_path_buf(),
        "/dev/null".into(),
        dir.path().join("missing.img"),
    ] {
        let r = Cmd::new(["check"]).arg(&p).run();
        assert_eq!(r.code, 3, "{p:?}: {}", r.stderr);
        assert!(
            r.stderr.contains(p.to_str().unwrap()),
            "error names the path: {}",
            r.stderr
        );
    }
    let r = ie_preflight(["check", "/dev/null", "--json"]);
    assert_eq!(r.code, 3);
    assert_eq!(r.report()["verdict"], "incomplete");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(ie_preflight(["check"]).code, 2);
    assert_eq!(ie_preflight(["check", "x", "--sector-size", "777"]).code, 2);
    assert_eq!(ie_preflight(["frobnicate"]).code, 2);
}

#[test]
fn help_teaches() {
    let r = ie_preflight(["check", "--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Exit codes"));
    assert!(r.stdout.contains("--job-type"));
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
        let r = Cmd::new(["check"]).arg(&p).arg("--json").run();
        assert!(!r.stderr.contains("panicked"), "len {len}: {}", r.stderr);
        assert!([1, 3].contains(&r.code), "len {len}: exit {}", r.code);
        assert!(r.json.is_some(), "len {len}: not JSON: {}", r.stdout);
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
    let r = Cmd::new(["check"]).arg(f.path()).run();
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("NTFS volume not found"));
}
