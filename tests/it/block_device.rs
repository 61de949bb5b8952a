//! The block-device path for real: images attached as read-only loop devices
//! (`losetup -r`), with 512- and 4096-byte logical sectors. Needs root.

use crate::common;

use common::cli::ie_preflight;
use common::images::image;
use common::loopdev::{self, Loop};
use common::report::check_json;
use serde_json::Value;
use std::process;

fn can_loop() -> bool {
    loopdev::available()
}

#[test]
fn read_only_loop_device_512() {
    if !can_loop() {
        return;
    }
    let img = image("gpt-msr-ntfs.img.xz");
    let dev = Loop::attach(&img, &["-r", "-b", "512"]);
    let r = check_json::<&str>(&dev.0, &[]);
    let v = r.report();
    assert_eq!(r.code, 1);
    let d = &v["disk"];
    assert_eq!(d["kind"], "block-device");
    assert_eq!(d["logical_sector_size"], 512);
    assert_eq!(d["sector_size_source"], "device");
    assert_eq!(d["physical_sector_size"], 512);
    assert_eq!(d["device"]["read_only"], true);
    assert_eq!(d["device"]["transport"], "loop");
    assert_eq!(
        d["device"]["backing_file"],
        img.canonicalize().unwrap().to_str().unwrap()
    );
    assert_eq!(d["size"], std::fs::metadata(&img).unwrap().len());
    assert_eq!(d["partition_table"], "gpt");
    assert_eq!(v["volume"]["partition"], 2);
    assert_eq!(v["volume"]["type"], "ntfs");
    // Same answer as the image file itself.
    let r = check_json::<&str>(&img, &[]);
    let vi = r.report();
    assert_eq!(vi["disk"]["partitions"], d["partitions"]);
    // The hash scan's timing and thread count (one reader on a rotational
    // device) differ between the two runs; what it found must not.
    let (mut ni, mut nd) = (vi["volume"]["ntfs"].clone(), v["volume"]["ntfs"].clone());
    for n in [&mut ni, &mut nd] {
        for k in ["seconds", "mb_per_s", "threads"] {
            n["content"]["scan"][k] = serde_json::Value::Null;
        }
    }
    assert_eq!(ni, nd);
}

#[test]
fn read_only_loop_device_4096_is_unsupported() {
    if !can_loop() {
        return;
    }
    let img = image("gpt-4k-ntfs.img.xz");
    let dev = Loop::attach(&img, &["-r", "-b", "4096"]);
    let r = check_json::<&str>(&dev.0, &[]);
    let v = r.report();
    assert_eq!(v["disk"]["logical_sector_size"], 4096);
    assert_eq!(v["disk"]["physical_sector_size"], 4096);
    assert_eq!(v["disk"]["partition_table"], "gpt");
    let codes = common::report::codes(v);
    assert!(codes.iter().any(|c| c == "disk.sector-size"), "{codes:?}");
    assert_eq!(v["volume"]["type"], "ntfs");
    // On the device, sfdisk sees the 4096-byte sectors too: same partitions.
    if common::require_tool("sfdisk", "fdisk") {
        let out = process::Command::new("sfdisk")
            .arg("--json")
            .arg(&dev.0)
            .output()
            .unwrap();
        let s: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(s["partitiontable"]["sectorsize"], 4096);
        let theirs: Vec<(u64, u64)> = s["partitiontable"]["partitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["start"].as_u64().unwrap(), p["size"].as_u64().unwrap()))
            .collect();
        let ours: Vec<(u64, u64)> = v["disk"]["partitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["start_lba"].as_u64().unwrap(),
                    p["sectors"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(ours, theirs);
    }
}

#[test]
fn devices_lists_the_loop_device() {
    if !can_loop() {
        return;
    }
    let img = image("mbr-ntfs.img.xz");
    let dev = Loop::attach(&img, &["-r", "-b", "512"]);
    let r = ie_preflight(["devices", "--json"]);
    assert_eq!(r.code, 0);
    let v = r.report();
    let path = dev.0.to_str().unwrap();
    let row = v["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == path)
        .unwrap_or_else(|| panic!("{path} not listed: {v}"));
    assert_eq!(row["logical_sector_size"], 512);
    assert_eq!(row["partition_table"], "mbr");
    assert_eq!(row["first_data_volume"], "NTFS (partition 1)");
    assert!(ie_preflight(["devices"]).stdout.contains(path));
}

#[test]
fn mounted_partition_is_warned_about() {
    if !can_loop() || !common::require_tool("ntfs-3g", "ntfs-3g") {
        return;
    }
    let img = image("superfloppy-ntfs.img.xz");
    let dev = Loop::attach(&img, &["-r", "-b", "512"]);
    let mnt = tempfile::tempdir().unwrap();
    let ok = process::Command::new("ntfs-3g")
        .args(["-o", "ro"])
        .arg(&dev.0)
        .arg(mnt.path())
        .status()
        .unwrap();
    assert!(ok.success());
    let r = check_json::<&str>(&dev.0, &[]);
    let v = r.report();
    let _ = process::Command::new("umount").arg(mnt.path()).status();
    let codes = common::report::codes(v);
    assert!(codes.iter().any(|c| c == "disk.mounted"), "{codes:?}");
}
