//! `devices` like lsblk: partitions under their disk, `-o` columns, `-b`
//! bytes, device arguments. The first tests hold on any machine (virtio
//! disks, loop devices, or none at all); the last one needs root, and lists a
//! read-only loop device of a GPT test image with its partitions.

use crate::common;

use common::cli::ie_preflight;
use common::images::image;
use common::loopdev::{self, Loop};
use serde_json::Value;
use std::process::Command;

#[test]
fn devices_help_lists_every_column() {
    let r = ie_preflight(["devices", "--help"]);
    assert_eq!(r.code, 0);
    for c in ie_preflight::cli::DEVICE_COLUMNS {
        assert!(r.stdout.contains(c), "{c} missing from --help");
    }
    assert!(r.stdout.contains("--bytes"), "{}", r.stdout);
}

#[test]
fn chosen_columns_in_bytes_match_the_json() {
    let all = ie_preflight(["devices", "--json"]);
    let listed = all.report()["devices"].as_array().unwrap().clone();
    common::schema::validate("devices", all.report()).unwrap();
    let r = ie_preflight(["devices", "-o", "size,NAME", "-b"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    if listed.is_empty() {
        return; // no /sys/block here: nothing to compare
    }
    let mut lines = r.stdout.lines();
    let head: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(head, ["SIZE", "NAME"]);
    let rows: Vec<(u64, String)> = lines
        .map(|l| {
            let mut w = l.split_whitespace();
            let size = w
                .next()
                .unwrap()
                .parse()
                .unwrap_or_else(|e| panic!("{l}: {e}"));
            (size, w.next().unwrap().to_string())
        })
        .collect();
    for d in &listed {
        let path = d["path"].as_str().unwrap();
        let row = rows.iter().find(|(_, n)| n == path);
        assert_eq!(row.map(|r| r.0), d["size"].as_u64(), "{path}: {rows:?}");
        // Each partition follows its disk, drawn as a branch of it.
        for p in d["partitions"].as_array().unwrap() {
            let name = p["path"].as_str().unwrap();
            assert!(
                rows.iter()
                    .any(|(_, n)| n.ends_with(name) && n.contains('─')),
                "{name}"
            );
            assert_eq!(p["partition_of"], d["name"]);
        }
    }
}

#[test]
fn bad_columns_and_non_devices_are_usage_errors() {
    let r = ie_preflight(["devices", "-o", "NAME,COLOUR"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("MOUNTPOINTS"), "{}", r.stderr);
    let file = common::testdata().join("sample-drive.img");
    let r = ie_preflight([std::ffi::OsStr::new("devices"), file.as_os_str()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a block device"), "{}", r.stderr);
}

#[test]
fn a_loop_device_is_listed_with_its_partitions() {
    if !loopdev::available() {
        return;
    }
    let img = image("gpt-msr-ntfs.img.xz");
    let dev = Loop::attach(&img, &["-r", "-P"]);
    let check = common::report::check_json::<&str>(&img, &["--no-hash"]);
    let want: Vec<Value> = check.report()["disk"]["partitions"]
        .as_array()
        .unwrap()
        .clone();
    // `-P` asks the kernel to scan the table; where it does not (some
    // sandboxes), `partx -a` adds the partitions. Their nodes may lag.
    let p = |n: usize| format!("{}p{n}", dev.name());
    let sys = format!("/sys/block/{}", dev.name().trim_start_matches("/dev/"));
    if !std::path::Path::new(&format!("{sys}/{}", p(1).trim_start_matches("/dev/"))).exists()
        && common::require_tool("partx", "util-linux")
    {
        let _ = Command::new("partx").arg("-a").arg(&dev.0).status();
    }
    for _ in 0..50 {
        if (1..=want.len()).all(|n| std::path::Path::new(&p(n)).exists()) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    let r = ie_preflight(["devices", "--json", dev.name()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    common::schema::validate("devices", r.report()).unwrap();
    let listed = r.report()["devices"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["path"], dev.name());
    assert_eq!(listed[0]["partition_table"], "gpt");
    let parts = listed[0]["partitions"].as_array().unwrap();
    assert_eq!(parts.len(), want.len(), "{parts:?}");
    for (n, (got, want)) in parts.iter().zip(&want).enumerate() {
        assert_eq!(got["path"], p(n + 1).as_str());
        assert_eq!(got["size"], want["size"], "{got}");
    }
    let ntfs = parts.iter().find(|x| {
        x["first_data_volume"]
            .as_str()
            .is_some_and(|v| v.contains("NTFS"))
    });
    assert!(ntfs.is_some(), "{parts:?}");

    let r = ie_preflight(["devices", "-o", "NAME,SIZE", "-b", dev.name()]);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2 + want.len(), "{}", r.stdout);
    assert!(lines[1].starts_with(dev.name()), "{}", r.stdout);
    assert!(lines[2].starts_with(&format!("├─{}", p(1))), "{}", r.stdout);
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with(&format!("└─{}", p(want.len()))),
        "{}",
        r.stdout
    );
    assert!(
        lines[2].ends_with(&want[0]["size"].to_string()),
        "{}",
        r.stdout
    );

    // A partition named alone is listed alone.
    let r = ie_preflight(["devices", "--json", p(2).as_str()]);
    let listed = r.report()["devices"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["path"], p(2).as_str());
    assert!(listed[0].get("partitions").is_none());
}
