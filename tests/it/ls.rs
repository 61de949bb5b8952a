//! `ie-preflight ls` on partitioned images agrees with `fls -r -p` (The Sleuth Kit).

use crate::common;

use common::cli::Cmd;
use common::images::image;
use std::collections::BTreeSet;
use std::process;

/// (path, is_dir) of every non-metadata entry our `ls` prints.
fn ours(img: &std::path::Path) -> BTreeSet<(String, bool)> {
    let r = Cmd::new(["ls"]).arg(img).run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
        .lines()
        .map(|l| {
            let mut f = l.split('\t');
            let kind = f.next().unwrap();
            (f.next().unwrap().to_string(), kind.starts_with("d/d"))
        })
        .collect()
}

fn fls(img: &std::path::Path, offset_sectors: u64) -> BTreeSet<(String, bool)> {
    let out = process::Command::new("fls")
        .args(["-r", "-p", "-o", &offset_sectors.to_string()])
        .arg(img)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let (head, path) = l.split_once(":\t")?;
            // Metadata files and TSK's virtual folders are not listed without --system.
            if path.starts_with('$') || head.contains('*') {
                return None;
            }
            Some((path.to_string(), head.starts_with("d/d")))
        })
        .collect()
}

#[test]
fn ls_matches_fls_on_partitioned_images() {
    if !common::require_tool("fls", "sleuthkit") {
        return;
    }
    for (name, start) in [
        ("sample-drive.img", 2048),
        ("gpt-msr-ntfs.img.xz", 10240),
        ("mbr-logical-ntfs.img.xz", 4096),
        ("superfloppy-ntfs.img.xz", 0),
    ] {
        let img = image(name);
        assert_eq!(ours(&img), fls(&img, start), "{name}");
    }
}

#[test]
fn ls_json_and_sizes() {
    let r = Cmd::new(["ls", "--json"])
        .arg(image("sample-drive.img"))
        .run();
    let e = r.report()["entries"].as_array().unwrap();
    let pdf = e
        .iter()
        .find(|x| x["path"] == "docs/report 2024.pdf")
        .unwrap();
    assert_eq!(pdf["size"], 122880);
}

#[test]
fn ls_refuses_a_volume_that_is_not_ntfs() {
    let r = Cmd::new(["ls"]).arg(image("exfat-only.img.xz")).run();
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("exFAT"));
}
