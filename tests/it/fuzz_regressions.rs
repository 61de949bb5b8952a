//! Inputs the fuzzers (fuzz/, see FUZZING.md) found, replayed through the
//! binary: none may panic (exit 101), and the known defects get the answer
//! they should have had.
//!
//! Every file under `fuzz/regressions/<target>/` is replayed by
//! `every_regression_input_replays_without_a_panic` with the command that
//! reads that kind of input; add a minimized crash there and it is tested.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn regressions() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions")
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&std::ffi::OsStr]) -> Out {
    let out = Command::cargo_bin("ie-preflight")
        .unwrap()
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn assert_no_panic(what: &str, o: &Out) {
    assert!(
        o.code != 101 && !o.stderr.contains("panicked"),
        "{what}: exit {}, stderr:\n{}",
        o.code,
        o.stderr
    );
    assert!(o.code >= 0, "{what}: killed (timeout?)");
}

/// The command lines that read a regression input of each fuzz target's kind.
fn commands_for(target: &str, file: &Path) -> Vec<Vec<std::ffi::OsString>> {
    let f = file.as_os_str().to_owned();
    let v = |args: &[&str]| {
        let mut a: Vec<std::ffi::OsString> = args.iter().map(|s| s.into()).collect();
        a.push(f.clone());
        a
    };
    match target {
        // Images: the whole check and the listing.
        "ls" | "check" | "layout" | "probe" | "mft_inventory" | "ntfs_integrity"
        | "bitlocker_parse" | "bitlocker_decrypt" => vec![
            v(&["ls"]),
            v(&["check", "--json", "--no-hash"]),
            v(&["check", "--json", "--job-type", "export"]),
        ],
        "copy_log" => vec![v(&["log"]), v(&["log", "--json"])],
        "manifest" => vec![v(&["manifest"]), v(&["manifest", "--json"])],
        "bloblist" => vec![v(&["blob-list"]), v(&["blob-list", "--json"])],
        "dataset" => vec![v(&["dataset"]), v(&["dataset", "--json"])],
        "job_json" => vec![v(&["status"]), v(&["status", "--json"])],
        "journal" | "driveinfo" => vec![{
            let mut a: Vec<std::ffi::OsString> = vec!["check".into(), "--json".into()];
            a.push("--job".into());
            a.push(f.clone());
            a
        }],
        // Parsers reached only inside `check`'s pipeline on a drive; the
        // library-level regressions are in the unit tests.
        _ => vec![],
    }
}

#[test]
fn every_regression_input_replays_without_a_panic() {
    let mut n = 0;
    for dir in std::fs::read_dir(regressions()).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let target = dir.file_name().unwrap().to_string_lossy().into_owned();
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            for args in commands_for(&target, &file) {
                let a: Vec<&std::ffi::OsStr> = args.iter().map(|s| s.as_os_str()).collect();
                let o = run(&a);
                assert_no_panic(&format!("{args:?}"), &o);
                n += 1;
            }
        }
    }
    assert!(n > 0, "no regression inputs found");
}

/// Issue 17: an 11-byte file with the NTFS OEM id made `ls` panic inside the
/// `ntfs` crate (`unreachable!()` on the short boot-sector read).
#[test]
fn ls_on_a_volume_shorter_than_a_boot_sector_is_an_error() {
    let img = regressions().join("ls/short-ntfs-oem-11-bytes.img");
    let o = run(&["ls".as_ref(), img.as_os_str()]);
    assert_no_panic("ls", &o);
    assert_eq!(o.code, 3, "stderr: {}", o.stderr);
    assert!(
        o.stderr.contains("shorter than a 512-byte boot sector"),
        "{}",
        o.stderr
    );
    let o = run(&["ls".as_ref(), "--json".as_ref(), img.as_os_str()]);
    assert_eq!(o.code, 3, "stderr: {}", o.stderr);
    let o = run(&["check".as_ref(), "--json".as_ref(), img.as_os_str()]);
    assert_no_panic("check", &o);
}

fn log_json(file: &str) -> Value {
    let f = regressions().join("copy_log").join(file);
    let o = run(&["log".as_ref(), "--json".as_ref(), f.as_os_str()]);
    assert_no_panic("log --json", &o);
    serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", o.stdout))
}

/// Issue 17: `<File Size=…>` sums overflowed (a panic with overflow checks,
/// a wrapped `copied_bytes` without).
#[test]
fn databox_copy_log_size_sum_saturates_and_says_so() {
    let v = log_json("databox-file-size-overflow.xml");
    assert_eq!(v["format"], "databox");
    assert_eq!(v["copied"], 2);
    assert_eq!(v["copied_bytes"], u64::MAX);
    assert_eq!(v["copied_bytes_saturated"], true);
    let f = regressions().join("copy_log/databox-file-size-overflow.xml");
    let o = run(&["log".as_ref(), f.as_os_str()]);
    assert_no_panic("log", &o);
    assert!(
        o.stdout.contains("overflow a 64-bit sum"),
        "text output does not say the sum saturated:\n{}",
        o.stdout
    );
}

/// Issue 17: classic `<Length>` sums overflowed the same way.
#[test]
fn classic_drive_log_length_sum_saturates_and_says_so() {
    let v = log_json("classic-length-overflow.xml");
    assert_eq!(v["format"], "classic");
    assert_eq!(v["copied"], 2);
    assert_eq!(v["copied_bytes"], u64::MAX);
    assert_eq!(v["copied_bytes_saturated"], true);
}

/// A sum that does not overflow carries no saturation flag.
#[test]
fn ordinary_copy_log_has_no_saturation_flag() {
    let f = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/logs/databox-verbose.xml");
    let o = run(&["log".as_ref(), "--json".as_ref(), f.as_os_str()]);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    assert!(v.get("copied_bytes_saturated").is_none(), "{v}");
}

/// Found while building the fuzz seeds: a directory whose index block
/// straddles two runs of its `$INDEX_ALLOCATION` (ntfs-3g made it so on a
/// nearly full volume) lost every name in that block; fls lists them all.
#[test]
fn ls_reads_an_index_block_that_straddles_runs() {
    let img = regressions().join("ls/fragmented-index-block.img");
    let o = run(&["ls".as_ref(), img.as_os_str()]);
    assert_no_panic("ls", &o);
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let in_dir = o
        .stdout
        .lines()
        .filter(|l| l.contains("\tdir/file-with-a-longer-name-"))
        .count();
    assert_eq!(in_dir, 40, "{}", o.stdout);
}
