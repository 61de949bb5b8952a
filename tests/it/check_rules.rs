//! End-to-end: the Azure rules inside `check`, on a fixture drive built at run
//! time (superfloppy NTFS image written through ntfs-3g) and on a local folder
//! holding the same names (issue 4, tests: "a fixture drive and a local folder
//! with offending names give exactly the expected findings").

use crate::common;

use common::cli::{ie_preflight, Cmd};
use common::report::{check_json, reason, row, rule_paths};
use serde_json::Value;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Component names for the deep path: `good/` + 4 × 200 + `/` separators + 221
/// makes a blob name (after the container `good`) of exactly 1,025 characters.
fn deep_parts() -> (Vec<String>, String) {
    let dirs: Vec<String> = ["a", "b", "c", "d"].iter().map(|c| c.repeat(200)).collect();
    (dirs, "f".repeat(221))
}

fn deep_file() -> String {
    let (dirs, file) = deep_parts();
    format!("good/{}/{file}", dirs.join("/"))
}

/// A symbolic-link reparse buffer (tag 0xA000000C), as Windows' `mklink` makes.
fn symlink_reparse_hex(target: &str) -> String {
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let sub = utf16(&format!("\\??\\{target}"));
    let prn = utf16(target);
    let mut body = Vec::new();
    for v in [0u16, sub.len() as u16, sub.len() as u16, prn.len() as u16] {
        body.extend(v.to_le_bytes());
    }
    body.extend(0u32.to_le_bytes());
    body.extend(&sub);
    body.extend(&prn);
    let mut buf = Vec::new();
    buf.extend(0xA000_000Cu32.to_le_bytes());
    buf.extend((body.len() as u16).to_le_bytes());
    buf.extend(0u16.to_le_bytes());
    buf.extend(body);
    let hex: String = buf.iter().map(|b| format!("{b:02x}")).collect();
    format!("0x{hex}")
}

/// The offending tree. `link` is made by the caller (it differs per medium).
fn populate(root: &Path) {
    let w = |p: &str, bytes: &[u8]| {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    w("hello.txt", b"top-level file: goes to $root");
    w("Bad Container/x.txt", b"x");
    w("good/trailing.", b"t");
    w("good/CON", b"c");
    w("good/disk.vhd", &[7u8; 1000]);
    w("good/ok.txt", b"fine");
    w(&deep_file(), b"deep");
}

/// Unmounts on drop, so a failing assertion leaves no mount behind.
struct Mount(PathBuf);
impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

fn run_tool(cmd: &str, args: &[&OsStr]) {
    let st = std::process::Command::new(cmd).args(args).status().unwrap();
    assert!(st.success(), "{cmd} {args:?} failed");
}

/// The fixture drive: a copy of the superfloppy NTFS image with the tree written by ntfs-3g.
fn build_drive(dir: &Path) -> PathBuf {
    let img = dir.join("drive.img");
    std::fs::copy(common::images::image("superfloppy-ntfs.img.xz"), &img).unwrap();
    let mnt = dir.join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    run_tool("ntfs-3g", &[img.as_os_str(), mnt.as_os_str()]);
    let guard = Mount(mnt.clone());
    populate(&mnt);
    // `ln -s` on ntfs-3g makes an Interix symlink (a plain system file); a
    // Windows symlink is a reparse point, written here as raw reparse data.
    let link = mnt.join("good/link");
    std::fs::write(&link, b"").unwrap();
    run_tool(
        "setfattr",
        &[
            OsStr::new("-n"),
            OsStr::new("system.ntfs_reparse_data"),
            OsStr::new("-v"),
            OsStr::new(&symlink_reparse_hex("C:\\target.txt")),
            link.as_os_str(),
        ],
    );
    drop(guard);
    img
}

fn build_local(dir: &Path) -> PathBuf {
    let root = dir.join("staging");
    populate(&root);
    std::os::unix::fs::symlink("CON", root.join("good/link")).unwrap();
    root
}

fn long_paths() -> Vec<String> {
    let (dirs, _) = deep_parts();
    let mut v: Vec<String> = (2..=4)
        .map(|n| format!("good/{}", dirs[..n].join("/")))
        .collect();
    v.push(deep_file());
    v
}

/// What `--dest /` (each top-level folder a container, v2 default blob types) finds.
fn expected_blob() -> BTreeMap<String, Vec<String>> {
    let mut m = BTreeMap::new();
    let mut put = |c: &str, p: Vec<String>| {
        m.insert(c.to_string(), p);
    };
    put("azure.container-name", vec!["Bad Container".into()]);
    put("azure.blob-trailing", vec!["good/trailing.".into()]);
    put("azure.page-blob-alignment", vec!["good/disk.vhd".into()]);
    put("azure.reparse-point", vec!["good/link".into()]);
    put("azure.blob-name-length", vec![deep_file()]);
    put("azure.long-path", long_paths());
    m
}

/// What `--files` (each top-level folder a share) finds.
fn expected_files() -> BTreeMap<String, Vec<String>> {
    let mut m = BTreeMap::new();
    let mut put = |c: &str, p: Vec<String>| {
        m.insert(c.to_string(), p);
    };
    put("azure.share-name", vec!["Bad Container".into()]);
    put("azure.file-trailing", vec!["good/trailing.".into()]);
    put("azure.file-name-reserved", vec!["good/CON".into()]);
    put("azure.file-outside-share", vec!["hello.txt".into()]);
    put("azure.reparse-point", vec!["good/link".into()]);
    put("azure.long-path", long_paths());
    m
}

fn assert_run(v: &Value, source_is_drive: bool, expected: &BTreeMap<String, Vec<String>>) {
    let runs = v["rules"].as_array().unwrap();
    let run = runs
        .iter()
        .find(|r| (r["source"] == "drive") == source_is_drive)
        .unwrap_or_else(|| panic!("no run for drive={source_is_drive}: {v}"));
    let got = rule_paths(run);
    assert_eq!(&got, expected, "drive={source_is_drive}");
    let counts: BTreeMap<String, u64> = serde_json::from_value(run["counts"].clone()).unwrap();
    let want: BTreeMap<String, u64> = expected
        .iter()
        .map(|(k, p)| (k.clone(), p.len() as u64))
        .collect();
    assert_eq!(counts, want);
    // hello.txt, x.txt, trailing., CON, disk.vhd, ok.txt, deep file, link.
    assert_eq!(run["files"], 8);
}

fn prerequisites() -> bool {
    common::require_root("mounts a fixture drive with ntfs-3g")
        && common::require_tool("ntfs-3g", "ntfs-3g")
        && common::require_tool("setfattr", "attr")
}

#[test]
fn drive_and_local_folder_give_the_expected_findings() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = build_drive(dir.path());
    let local = build_local(dir.path());

    let r = check_json(&img, &["--dest", "/"]);
    let v = r.report();
    assert_eq!(r.code, 1);
    assert_run(v, true, &expected_blob());
    assert_eq!(row(v, "Unsupported data"), "fail");
    assert_eq!(row(v, "Data copy completed with warnings"), "warn");

    let r = Cmd::new(["check", "--json", "--source-dir"])
        .arg(&local)
        .args(["--dest", "/"])
        .run()
        .assert_no_panic();
    let v = r.report();
    assert_eq!(r.code, 1);
    assert_run(v, false, &expected_blob());
    assert_eq!(v["rules"].as_array().unwrap().len(), 1);

    // Both at once: one run each, the same findings.
    let r = check_json(
        &img,
        &[
            OsStr::new("--source-dir"),
            local.as_os_str(),
            OsStr::new("--files"),
        ],
    );
    let v = r.report();
    assert_run(v, true, &expected_files());
    assert_run(v, false, &expected_files());

    // Human report: counts per code and the first offending paths.
    let text = Cmd::new(["check"])
        .arg(&img)
        .args(["--dest", "/"])
        .run()
        .stdout;
    assert!(text.contains("Azure rules"), "{text}");
    assert!(text.contains("azure.reparse-point: 1"), "{text}");
    assert!(text.contains("azure.long-path: 4"), "{text}");
    assert!(text.contains("        good/link\n"), "{text}");
}

#[test]
fn dataset_rows_map_base_paths_on_the_drive() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = build_drive(dir.path());
    let csv = dir.path().join("dataset.csv");
    std::fs::write(
        &csv,
        "BasePath,DstBlobPathOrPrefix,BlobType,Disposition,MetadataFile,PropertiesFile\n\
         \"F:\\good\\\",\"good-data/\",BlockBlob,rename,None,None\n\
         \"F:\\good\\disk.vhd\",\"vhds/disk.vhd\",PageBlob,rename,None,None\n\
         \"F:\\missing\\\",\"other/\",BlockBlob,rename,None,None\n",
    )
    .unwrap();
    let r = check_json(&img, &[OsStr::new("--dataset"), csv.as_os_str()]);
    let v = r.report();
    assert_eq!(r.code, 1);
    let runs = v["rules"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "{v}");
    let folder = rule_paths(&runs[0]);
    assert_eq!(runs[0]["base_path"], "good");
    assert_eq!(runs[0]["destination"], "good-data/");
    assert_eq!(folder["azure.blob-trailing"], ["trailing."]);
    assert_eq!(folder["azure.reparse-point"], ["link"]);
    assert!(!folder.contains_key("azure.page-blob-alignment"));
    let file = rule_paths(&runs[1]);
    assert_eq!(runs[1]["destination"], "vhds/disk.vhd");
    assert_eq!(file["azure.page-blob-alignment"], ["disk.vhd"]);
    let missing: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "azure.dataset-path-missing")
        .collect();
    assert_eq!(missing.len(), 1, "{v}");
}

#[test]
fn without_a_destination_the_rule_rows_are_not_checked() {
    let img = common::images::image("superfloppy-ntfs.img.xz");
    let r = check_json::<&str>(&img, &[]);
    let v = r.report();
    for s in ["Unsupported data", "Data copy completed with warnings"] {
        assert_eq!(row(v, s), "not-checked");
        assert_eq!(
            reason(v, s),
            ie_preflight::pipeline::rules::NO_DESTINATION_OR_MANIFEST
        );
    }
    assert_eq!(v["rules"], serde_json::json!([]));
}

#[test]
fn source_dir_alone_needs_no_drive() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fine.txt"), b"ok").unwrap();
    let r = Cmd::new(["check", "--json", "--source-dir"])
        .arg(dir.path())
        .args(["--dest", "mycontainer/"])
        .run()
        .assert_no_panic();
    let v = r.report();
    assert_eq!(r.code, 0, "{v}");
    assert_eq!(row(v, "Unsupported data"), "pass");
    assert_eq!(v["rules"][0]["files"], 1);
    // No destination: nothing was judged, so the verdict cannot be "ready".
    let r = Cmd::new(["check", "--json", "--source-dir"])
        .arg(dir.path())
        .run()
        .assert_no_panic();
    let v = r.report();
    assert_eq!(r.code, 3, "{v}");
    // Neither a drive nor a folder: a usage error.
    assert_eq!(ie_preflight(["check", "--dest", "c/"]).code, 2);
    // A bad destination is a usage error too.
    let r = Cmd::new(["check", "--dest", "/c/", "--source-dir"])
        .arg(dir.path())
        .run();
    assert_eq!(r.code, 2);
}

/// Set FILE_ATTRIBUTE_ENCRYPTED (0x4000) in the `$STANDARD_INFORMATION` of the
/// MFT record whose `$FILE_NAME` is `name` (ntfs-3g cannot make EFS files).
fn set_encrypted(img: &Path, name: &str) {
    let mut bytes = std::fs::read(img).unwrap();
    let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let u16_at = |b: &[u8], o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as usize;
    let u32_at = |b: &[u8], o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
    let mut patched = 0;
    for rec in (0..bytes.len().saturating_sub(1024)).step_by(1024) {
        if &bytes[rec..rec + 4] != b"FILE" {
            continue;
        }
        let mut at = rec + u16_at(&bytes, rec + 0x14);
        let (mut si, mut named) = (None, false);
        while at + 8 < rec + 1024 {
            let ty = u32_at(&bytes, at);
            let len = u32_at(&bytes, at + 4) as usize;
            if ty == 0xFFFF_FFFF || len == 0 {
                break;
            }
            let content = at + u16_at(&bytes, at + 0x14);
            if ty == 0x10 {
                si = Some(content);
            }
            if ty == 0x30 {
                let n = bytes[content + 0x40] as usize;
                named |= bytes[content + 0x42..content + 0x42 + 2 * n] == utf16[..];
            }
            at += len;
        }
        if let (Some(si), true) = (si, named) {
            let flags = u32_at(&bytes, si + 0x20) | 0x4000;
            bytes[si + 0x20..si + 0x24].copy_from_slice(&flags.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 1, "record of {name} not found");
    std::fs::write(img, bytes).unwrap();
}

#[test]
fn efs_flag_from_the_mft_is_unsupported_data() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = build_drive(dir.path());
    set_encrypted(&img, "ok.txt");
    let r = check_json(&img, &["--dest", "/"]);
    let v = r.report();
    assert_eq!(r.code, 1);
    let mut want = expected_blob();
    want.insert("azure.efs-encrypted".into(), vec!["good/ok.txt".into()]);
    assert_run(v, true, &want);
    let efs = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "azure.efs-encrypted")
        .unwrap();
    assert_eq!(efs["predicts"], "Unsupported data");
    assert_eq!(efs["severity"], "error");
}
