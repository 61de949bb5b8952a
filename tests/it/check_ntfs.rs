//! `check --json` end to end on the NTFS fixtures: `volume.ntfs` carries the volume
//! facts, and every damaged copy fails "Disk corrupted" with its named finding.

use crate::common;

use common::images::image;
use common::ntfs::DAMAGED;
use common::report::{check_json, codes, row};

#[test]
fn check_json_carries_volume_ntfs_facts() {
    let r = check_json(&image("ntfs/full.img.xz"), &[] as &[&str]);
    let v = r.report();
    assert_eq!(
        r.code, 1,
        "plain NTFS on an import drive: BitLocker volume not found"
    );
    // No manifest on the fixture: a warning (the default path is not proven to be the one used).
    assert_eq!(codes(v), ["bitlocker.not-found", "manifest.not-found"]);
    assert_eq!(row(v, "Disk corrupted"), "pass");
    let n = &v["volume"]["ntfs"];
    assert_eq!(n["label"], "IEFULL");
    assert_eq!(n["version"], "3.1");
    assert_eq!(n["cluster_size"], 4096);
    assert_eq!(n["dirty"], false);
    let serial = n["serial"].as_str().unwrap();
    assert!(serial.len() == 16 && serial.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(n["mft_size"].as_u64().unwrap() >= 3000 * 1024, "{n}");
    assert!(n["files"].as_u64().unwrap() > 3000, "{n}");
    assert_eq!(n["directories"], 13);
    assert!(n["bytes_in_use"].as_u64().unwrap() > 4 << 20, "{n}");
}

#[test]
fn check_names_the_damage_of_every_damaged_copy() {
    for (name, finding) in DAMAGED {
        // `check` sees the cut first in the boot sector (the volume is larger than
        // what holds it) and does not walk a volume it cannot hold whole.
        let finding = if name == "dmg-truncated" {
            "ntfs.boot-size"
        } else {
            finding
        };
        let r = check_json(
            &image(&format!("ntfs/{name}.img.xz")),
            &["--job-type", "import"],
        );
        let v = r.report();
        assert_eq!(r.code, 1, "{name}");
        assert!(
            codes(v).iter().any(|c| c == finding),
            "{name}: {:?}",
            codes(v)
        );
        assert_eq!(row(v, "Disk corrupted"), "fail", "{name}");
    }
}
