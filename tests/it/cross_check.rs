//! Partition parsing agrees with independent tools: `sfdisk --json` (util-linux)
//! and `mmls` (The Sleuth Kit), on every test image.

use crate::common;

use common::cli::Cmd;
use common::images::{expected, image};
use serde_json::Value;
use std::collections::BTreeSet;
use std::process;

/// (start, sectors) of every partition we report; `with_containers` keeps MBR
/// extended partitions (sfdisk lists them, mmls does not).
fn ours(path: &std::path::Path, with_containers: bool) -> (BTreeSet<(u64, u64)>, u64) {
    let r = Cmd::new(["check", "--json"]).arg(path).run();
    let v = r.report();
    let parts = v["disk"]["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| with_containers || p["role"] != "extended")
        .map(|p| {
            (
                p["start_lba"].as_u64().unwrap(),
                p["sectors"].as_u64().unwrap(),
            )
        })
        .collect();
    (parts, v["disk"]["logical_sector_size"].as_u64().unwrap())
}

#[test]
fn partitions_agree_with_sfdisk() {
    if !common::require_tool("sfdisk", "fdisk") {
        return;
    }
    for (name, _) in expected() {
        let path = image(&name);
        let (mine, ss) = ours(&path, true);
        if ss != 512 {
            continue; // sfdisk reads image files with 512-byte sectors only; see the loop-device test
        }
        let out = process::Command::new("sfdisk")
            .arg("--json")
            .arg(&path)
            .output()
            .unwrap();
        let theirs: BTreeSet<(u64, u64)> = if out.status.success() {
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            v["partitiontable"]["partitions"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|p| (p["start"].as_u64().unwrap(), p["size"].as_u64().unwrap()))
                        .collect()
                })
                .unwrap_or_default()
        } else {
            BTreeSet::new() // "does not contain a recognized partition table"
        };
        assert_eq!(mine, theirs, "{name}: ours vs sfdisk --json");
    }
}

/// Partition rows of `mmls` output: slot like `000:` then a `NNN` or `NNN:NNN` id.
fn mmls_partitions(text: &str) -> BTreeSet<(u64, u64)> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let id = f.get(1)?;
            if !id.chars().all(|c| c.is_ascii_digit() || c == ':') {
                return None; // Meta and unallocated rows
            }
            Some((f.get(2)?.parse().ok()?, f.get(4)?.parse().ok()?))
        })
        .collect()
}

#[test]
fn partitions_agree_with_mmls() {
    if !common::require_tool("mmls", "sleuthkit") {
        return;
    }
    for (name, _) in expected() {
        let path = image(&name);
        let (mine, ss) = ours(&path, false);
        let out = process::Command::new("mmls")
            .args(["-b", &ss.to_string()])
            .arg(&path)
            .output()
            .unwrap();
        // mmls exits 1 when it finds no table (superfloppy, zeros).
        let theirs = mmls_partitions(&String::from_utf8_lossy(&out.stdout));
        assert_eq!(mine, theirs, "{name}: ours vs mmls -b {ss}");
    }
}

#[test]
fn mmls_parser_reads_dos_and_gpt_rows() {
    let text = "      Slot      Start        End          Length       Description\n\
000:  Meta      0000000000   0000000000   0000000001   Primary Table (#0)\n\
004:  001:000   0000004096   0000024575   0000020480   NTFS / exFAT (0x07)\n\
005:  001       0000010240   0000032734   0000022495   Basic data partition\n";
    let got = mmls_partitions(text);
    assert_eq!(got, BTreeSet::from([(4096, 20480), (10240, 22495)]));
}
