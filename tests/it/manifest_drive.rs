//! The manifest against a real NTFS drive built by the test helper (mkntfs +
//! an ntfs-3g mount, as root): the correct drive passes; each damage yields its
//! own finding; `--hashes` verifies with `sha256sum -c` on a mount; SHA-256 and
//! MD5 of every file equal `sha256sum`/`md5sum`; injected read errors name the
//! file and offset while the rest is still hashed.

use crate::common;
use common::failing::Failing;

use common::cli::Cmd;
use common::manifest::*;
use common::report::{check_json, manifest_codes};
use ie_preflight::ntfs_volume::{DataRef, NtfsVolume};
use ie_preflight::scan::{self, Job, ScanOptions};
use ie_preflight::source::ReadAt;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// `manifest MANIFEST --source SOURCE --json`.
fn manifest_cmd(manifest: &Path, source: &Path) -> Cmd {
    Cmd::new(["manifest"])
        .arg(manifest)
        .arg("--source")
        .arg(source)
        .arg("--json")
}

/// Volume byte offset of byte `off` of the file at `path`.
fn volume_offset(img: &[u8], path: &str, off: u64) -> u64 {
    let src: Arc<dyn ReadAt> = Arc::new(img.to_vec());
    let vol = NtfsVolume::open(src).expect("ntfs");
    let inv = vol.inventory().expect("inventory");
    let cluster = vol.geometry().cluster_size;
    let i = (0..inv.len())
        .find(|&i| inv.path(i) == path)
        .expect("file in inventory");
    let DataRef::Extents { extents } = inv.data(i) else {
        panic!("{path} not in extents")
    };
    let vcn = off / cluster;
    let e = extents
        .iter()
        .find(|e| e.vcn <= vcn && vcn < e.vcn + e.clusters)
        .expect("mapped");
    (e.lcn + (vcn - e.vcn)) * cluster + off % cluster
}

#[test]
fn correct_drive_passes_and_hashes_verify() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let files = standard_files();
    let text = build_manifest(DRIVE_ID, &files);
    let img = build_drive(dir.path(), &files, Some(&text));
    let hashes = dir.path().join("hashes.sha256");
    let hashes_md5 = dir.path().join("hashes.md5");
    let md5 = md5_hex(text.as_bytes()).to_lowercase();
    let r = check_json(
        &img,
        &[
            "--manifest-hash",
            &md5,
            "--drive-id",
            DRIVE_ID,
            "--hashes",
            hashes.to_str().unwrap(),
            "--hashes-md5",
            hashes_md5.to_str().unwrap(),
            "--threads",
            "2",
        ],
    );
    let v = r.report();
    assert!(manifest_codes(v).is_empty(), "{:#?}", v["findings"]);
    let content = &v["volume"]["ntfs"]["content"];
    assert_eq!(content["manifest"]["found"], true);
    assert_eq!(content["manifest"]["blobs"], files.len() as u64);
    assert_eq!(content["manifest"]["credential"], "StorageAccountKey");
    // 4 + 3 blocks, 1 page range, 1 + 1 small files, 1 empty (one empty block list).
    assert_eq!(content["scan"]["ranges_checked"], 10);
    assert!(
        !v.to_string().contains(&base64(&[7u8; 64])),
        "account key in JSON"
    );
    let row = common::report::row(v, "Manifest file error");
    assert_eq!(row, "pass", "{row}");

    // Per-file hashes in JSON on request only; --no-hash reads no data.
    assert!(content.get("hashes").is_none());
    let r = check_json(&img, &["--hashes-in-json"]);
    let v = r.report();
    let listed = v["volume"]["ntfs"]["content"]["hashes"]
        .as_array()
        .expect("hashes")
        .clone();
    assert_eq!(listed.len(), files.len() + 2);
    let big = listed
        .iter()
        .find(|h| h["path"] == "data/big.bin")
        .expect("big.bin");
    use sha2::Digest;
    let want: String = sha2::Sha256::digest(&files[0].data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(big["sha256"], want.as_str());
    let r = check_json(&img, &["--no-hash"]);
    let v = r.report();
    assert!(v["volume"]["ntfs"]["content"].get("scan").is_none());
    assert_eq!(v["volume"]["ntfs"]["content"]["manifest"]["found"], true);

    // The hashes file verifies on a mounted copy.
    let m = Mount::new(&img, true);
    // `sha256sum -c` / `md5sum -c` of a hashes file, run on the mount.
    let verify = |tool: &str, file: &Path| {
        let out = std::process::Command::new(tool)
            .arg("-c")
            .arg("--strict")
            .arg(file)
            .current_dir(m.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{tool}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    verify("sha256sum", &hashes);
    let listed = std::fs::read_to_string(&hashes).unwrap();
    // + metadata + manifest
    assert_eq!(listed.lines().count(), files.len() + 2, "{listed}");
    // So does the --hashes-md5 file, with md5sum, and it lists the same files.
    verify("md5sum", &hashes_md5);
    let listed_md5 = std::fs::read_to_string(&hashes_md5).unwrap();
    let names = |t: &str| {
        t.lines()
            .map(|l| l[l.find("  ").unwrap_or(0)..].to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&listed_md5), names(&listed));
    assert!(
        listed_md5.lines().all(|l| l.find("  ") == Some(32)),
        "{listed_md5}"
    );
}

/// A damage done to the correct manifest, and the finding it must give.
#[derive(Default)]
struct Damage {
    name: &'static str,
    /// The damaged manifest; `None`: the correct one (the damage is in `args`).
    manifest: Option<String>,
    /// Options after `manifest MANIFEST --source DRIVE --json`.
    args: Vec<String>,
    /// The finding it must give: the only one, apart from those `allowed`.
    want: &'static str,
    allowed: &'static [&'static str],
    /// The drive state `want` must predict, where it matters.
    predicts: Option<&'static str>,
}

/// Every damage of [`each_damage_has_its_own_finding`], done to `good`: the
/// correct manifest of `files`, whose MD5 is `md5`.
fn damages(good: &str, files: &[FileSpec], md5: &str) -> Vec<Damage> {
    let big = &files[0].data;
    let vhd = &files[2].data;
    // The Blob of empty.dat: the last one in the list.
    let empty_blob = &good[good
        .find("      <Blob>\n        <BlobPath>backup/empty.dat")
        .unwrap()..good.rfind("    </BlobList>").unwrap()];
    vec![
        Damage {
            name: "missing-file",
            manifest: Some(good.replace("\\docs\\readme.txt", "\\docs\\gone.txt")),
            want: "manifest.file-missing",
            // A FilePath that names another file leaves the real one uncovered.
            allowed: &["manifest.file-not-covered"],
            ..Damage::default()
        },
        Damage {
            name: "wrong-length",
            manifest: Some(
                good.replace("<Length>15</Length>", "<Length>16</Length>")
                    .replace("Offset=\"0\" Length=\"15\"", "Offset=\"0\" Length=\"16\""),
            ),
            want: "manifest.length-mismatch",
            ..Damage::default()
        },
        Damage {
            name: "gap",
            manifest: Some(good.replacen(
                &format!(
                    "Offset=\"0\" Length=\"4194304\" Id=\"AAAAAA==\" Hash=\"{}\"",
                    md5_hex(&big[..BLOCK])
                ),
                &format!(
                    "Offset=\"0\" Length=\"4194303\" Id=\"AAAAAA==\" Hash=\"{}\"",
                    md5_hex(&big[..BLOCK - 1])
                ),
                1,
            )),
            want: "manifest.block-gap",
            ..Damage::default()
        },
        Damage {
            name: "page-overlap",
            manifest: Some(good.replace(
                &format!("<PageRange Offset=\"0\" Length=\"1048576\" Hash=\"{}\"/>", md5_hex(vhd)),
                &format!(
                    "<PageRange Offset=\"0\" Length=\"524800\" Hash=\"{}\"/><PageRange Offset=\"524288\" Length=\"524288\" Hash=\"{}\"/>",
                    md5_hex(&vhd[..524800]),
                    md5_hex(&vhd[524288..])
                ),
            )),
            want: "manifest.page-range-overlap",
            ..Damage::default()
        },
        Damage {
            name: "manifest-md5",
            manifest: Some(good.replace("ie-preflight tests", "ie-preflight tests (edited)")),
            args: vec!["--manifest-hash".into(), md5.into()],
            want: "manifest.manifest-hash-mismatch",
            ..Damage::default()
        },
        Damage {
            name: "drive-id",
            manifest: None,
            args: vec!["--drive-id".into(), "OTHERSERIAL".into()],
            want: "manifest.drive-id-mismatch",
            ..Damage::default()
        },
        Damage {
            name: "not-covered",
            manifest: Some(good.replace(empty_blob, "")),
            want: "manifest.file-not-covered",
            ..Damage::default()
        },
        // Data that no longer matches its MD5 is "Disk corrupted", side files too.
        Damage {
            name: "metadata-hash",
            manifest: Some(good.replace(&md5_hex(METADATA.as_bytes()), &"0".repeat(32))),
            want: "manifest.side-file-hash-mismatch",
            predicts: Some("Disk corrupted"),
            ..Damage::default()
        },
        Damage {
            name: "block-hash",
            manifest: Some(good.replace(&md5_hex(&files[1].data[..BLOCK]), &"A".repeat(32))),
            want: "manifest.block-hash-mismatch",
            predicts: Some("Disk corrupted"),
            ..Damage::default()
        },
    ]
}

#[test]
fn each_damage_has_its_own_finding() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let files = standard_files();
    let good = build_manifest(DRIVE_ID, &files);
    let img = build_drive(dir.path(), &files, None);
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let md5 = md5_hex(good.as_bytes());

    // The correct manifest, given from outside.
    let r = manifest_cmd(&write("good.xml", &good), &img)
        .args(["--manifest-hash", &md5, "--drive-id", DRIVE_ID])
        .run()
        .assert_no_panic();
    let v = r.report();
    assert!(manifest_codes(v).is_empty(), "{:#?}", v["findings"]);

    for d in damages(&good, &files, &md5) {
        let name = d.name;
        let text = d.manifest.as_deref().unwrap_or(&good);
        if d.manifest.is_some() {
            assert!(text != good, "{name}: the damage did not apply");
        }
        let r = manifest_cmd(&write(&format!("{name}.xml"), text), &img)
            .args(&d.args)
            .run()
            .assert_no_panic();
        let v = r.report();
        let got = manifest_codes(v);
        let want = d.want;
        assert!(
            got.iter().any(|c| c == want),
            "{name}: {want} expected, got {got:?}"
        );
        let others: Vec<_> = got
            .iter()
            .filter(|c| *c != want && !d.allowed.contains(&c.as_str()))
            .collect();
        assert!(
            others.is_empty(),
            "{name}: only {want} expected, also got {others:?}"
        );
        if let Some(predicts) = d.predicts {
            let f = v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["code"] == want);
            assert_eq!(f.unwrap()["predicts"], predicts, "{name}");
        }
    }

    // Data changed on the drive after the manifest was written: flip one byte
    // of mid.bin (hashed inline) and one of big.bin (its blocks hashed in pairs).
    let mut bytes = std::fs::read(&img).unwrap();
    for (path, off) in [("data/mid.bin", 5 << 20), ("data/big.bin", 9 << 20)] {
        let at = volume_offset(&bytes, path, off);
        bytes[at as usize] ^= 0x55;
    }
    let bad_img = dir.path().join("flipped.img");
    std::fs::write(&bad_img, &bytes).unwrap();
    let r = manifest_cmd(&write("good2.xml", &good), &bad_img)
        .run()
        .assert_no_panic();
    let v = r.report();
    let got = manifest_codes(v);
    assert_eq!(
        got,
        vec!["manifest.block-hash-mismatch".to_string(); 2],
        "{:#?}",
        v["findings"]
    );
    let subjects: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "manifest.block-hash-mismatch")
        .inspect(|f| assert_eq!(f["predicts"], "Disk corrupted"))
        .map(|f| f["subject"].as_str().unwrap())
        .collect();
    for want in [
        "data/mid.bin bytes 4194304..8388608",
        "data/big.bin bytes 8388608..12582912",
    ] {
        assert!(subjects.iter().any(|s| s.contains(want)), "{subjects:?}");
    }

    // No manifest on the drive: a warning at the default place, an error at an explicit one.
    let r = check_json(&img, &["--no-hash"]);
    let v = r.report();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "manifest.not-found")
        .expect("not-found");
    assert_eq!(f["severity"], "warning");
    let r = check_json(&img, &["--no-hash", "--manifest-file", "\\Other.xml"]);
    let v = r.report();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "manifest.not-found")
        .expect("not-found");
    assert_eq!(f["severity"], "error");
}

#[test]
fn sha256_and_md5_equal_coreutils_on_a_mount() {
    if !prerequisites() || !common::require_tool("md5sum", "coreutils") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let files = standard_files();
    let img = build_drive(dir.path(), &files, None);
    let src = ie_preflight::source::open(&img).unwrap().reader;
    let vol = NtfsVolume::open(src).unwrap();
    let inv = vol.inventory().unwrap();
    let jobs = jobs_for(&inv, |_| Vec::new());
    for threads in [1, 2, 3] {
        let out = scan::scan(
            &vol,
            &inv,
            jobs.clone(),
            ScanOptions {
                threads,
                sha256: true,
                file_md5: true,
            },
            &AtomicU64::new(0),
        );
        assert!(out.findings.is_empty(), "{:#?}", out.findings);
        let m = Mount::new(&img, true);
        for f in &out.files {
            let path = inv.path(f.entry);
            let sum = |tool: &str| {
                let o = std::process::Command::new(tool)
                    .arg(&path)
                    .current_dir(m.path())
                    .output()
                    .unwrap();
                String::from_utf8_lossy(&o.stdout)
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_string()
            };
            let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
            assert_eq!(
                hex(&f.sha256.expect("sha")),
                sum("sha256sum"),
                "{path} sha256"
            );
            assert_eq!(hex(&f.md5.expect("md5")), sum("md5sum"), "{path} md5");
        }
    }
}

/// A scan job per regular file, with the ranges `ranges` gives its path.
fn jobs_for(
    inv: &ie_preflight::ntfs_volume::Inventory,
    ranges: impl Fn(&str) -> Vec<ie_preflight::manifest::Range>,
) -> Vec<Job> {
    scan::regular_files(inv)
        .into_iter()
        .map(|entry| Job {
            entry,
            ranges: ranges(&inv.path(entry)),
            origin: String::new(),
        })
        .collect()
}

#[test]
fn read_errors_name_the_file_and_offset_and_the_rest_is_hashed() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let files = standard_files();
    let img = build_drive(dir.path(), &files, None);
    let bytes = std::fs::read(&img).unwrap();
    // 4 KiB bad at byte 6 MiB + 8 KiB of big.bin (pipelined) and 512 bytes at 100 KiB of mid.bin.
    let big_off = (6 << 20) + 8192;
    let bad_big = volume_offset(&bytes, "data/big.bin", big_off);
    let bad_mid = volume_offset(&bytes, "data/mid.bin", 100 << 10);
    let bad = vec![(bad_big, bad_big + 4096), (bad_mid, bad_mid + 512)];
    let src = Failing::source(bytes, bad, false);
    let vol = NtfsVolume::open(src).unwrap();
    let inv = vol.inventory().unwrap();
    // The manifest's 4 MiB blocks of every file, with their right MD5s.
    let blocks = |path: &str| -> Vec<ie_preflight::manifest::Range> {
        let data = files.iter().find(|f| f.path == path).map(|f| &f.data[..]);
        data.unwrap_or(&[])
            .chunks(BLOCK)
            .enumerate()
            .map(|(k, b)| ie_preflight::manifest::Range {
                offset: (k * BLOCK) as u64,
                len: b.len() as u64,
                md5: Some(<md5::Md5 as md5::Digest>::digest(b).into()),
            })
            .collect()
    };
    let jobs = jobs_for(&inv, blocks);
    let all_blocks: usize = jobs.iter().map(|j| j.ranges.len()).sum();
    let out = scan::scan(
        &vol,
        &inv,
        jobs,
        ScanOptions {
            threads: 2,
            sha256: true,
            file_md5: false,
        },
        &AtomicU64::new(0),
    );
    // The two blocks holding unreadable bytes are hardware errors, not
    // changed data, and not counted as verified; every other block is.
    assert!(
        !out.findings
            .iter()
            .any(|f| f.code == "manifest.block-hash-mismatch"),
        "{:#?}",
        out.findings
    );
    assert_eq!(out.ranges_checked, all_blocks as u64 - 2);
    let errs: Vec<_> = out
        .findings
        .iter()
        .filter(|f| f.code == scan::codes::READ_ERROR)
        .collect();
    assert_eq!(errs.len(), 2, "{:#?}", out.findings);
    let big = errs
        .iter()
        .find(|f| f.subject.starts_with("data/big.bin"))
        .expect("big.bin error");
    // Narrowed to the 4 KiB holding the bad bytes, with the volume offset.
    assert_eq!(
        big.subject,
        format!("data/big.bin at file offset {big_off}")
    );
    assert!(big.message.starts_with("4096 bytes"), "{}", big.message);
    assert!(
        big.message
            .contains(&format!("volume byte offset {bad_big}")),
        "{}",
        big.message
    );
    assert!(big.message.contains("errno 5"), "{}", big.message);
    assert_eq!(
        big.predicts,
        ie_preflight::report::DriveStatus::HardwareError
    );
    assert!(
        errs.iter()
            .any(|f| f.subject == "data/mid.bin at file offset 102400"),
        "{errs:#?}"
    );
    // Everything else is hashed, and correctly.
    for f in &out.files {
        let path = inv.path(f.entry);
        if path == "data/big.bin" || path == "data/mid.bin" {
            assert!(f.sha256.is_none() && !f.complete);
            continue;
        }
        let want = files
            .iter()
            .find(|s| s.path == path)
            .map(|s| s.data.clone())
            .unwrap_or_else(|| METADATA.as_bytes().to_vec());
        use sha2::Digest;
        assert_eq!(
            f.sha256.expect("hashed")[..],
            sha2::Sha256::digest(&want)[..],
            "{path}"
        );
    }
}

/// `--surface` reads the free clusters (from `$Bitmap`) and the space outside
/// partitions, not the whole disk: bad sectors there are "Hardware error"
/// findings naming the owner; a bad sector in a used cluster no check reads
/// (inside `$LogFile`) is not touched.
#[test]
fn surface_reads_free_space_and_outside_partitions() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = build_drive(dir.path(), &standard_files(), None);
    let vol_bytes = std::fs::read(&img).unwrap();
    let (free_off, log_off) = {
        let src: Arc<dyn ReadAt> = Arc::new(vol_bytes.clone());
        let vol = NtfsVolume::open(src).expect("ntfs");
        let inv = vol.inventory().expect("inventory");
        let cluster = vol.geometry().cluster_size;
        let runs = vol.free_runs(&inv).expect("$Bitmap");
        let &(first, _) = runs.iter().max_by_key(|r| r.1).expect("free space");
        let log = (0..inv.len())
            .find(|&i| inv.path(i) == "$LogFile")
            .expect("$LogFile");
        let DataRef::Extents { extents } = inv.data(log) else {
            panic!("$LogFile not in extents")
        };
        let lcn = extents.iter().find(|e| !e.is_sparse()).expect("lcn").lcn;
        ((first + 1) * cluster + 512, lcn * cluster + 8192)
    };
    // An MBR disk: 1 MiB, the volume as partition 1, 1 MiB after it.
    let mib = 1u64 << 20;
    let mut disk = vec![0u8; mib as usize];
    let sectors = (vol_bytes.len() / 512) as u32;
    disk[446 + 4] = 0x07;
    disk[446 + 8..446 + 12].copy_from_slice(&2048u32.to_le_bytes());
    disk[446 + 12..446 + 16].copy_from_slice(&sectors.to_le_bytes());
    disk[510] = 0x55;
    disk[511] = 0xAA;
    disk.extend_from_slice(&vol_bytes);
    disk.resize(disk.len() + mib as usize, 0);
    let bad_free = mib + free_off;
    let bad_out = disk.len() as u64 - mib + 8192;
    let bad_log = mib + log_off;
    let reader = Failing::source(
        disk,
        vec![
            (bad_free, bad_free + 1),
            (bad_out, bad_out + 1),
            (bad_log, bad_log + 1),
        ],
        false,
    );
    let content = ie_preflight::pipeline::ContentOptions {
        surface: true,
        ..Default::default()
    };
    let r = common::check_import("surface.img", reader, Some(content));
    let errs: Vec<_> = r
        .outcome
        .findings
        .iter()
        .filter(|f| f.code == scan::codes::SURFACE_READ_ERROR)
        .collect();
    assert_eq!(errs.len(), 2, "{:#?}", r.outcome.findings);
    let free_at = bad_free / 4096 * 4096;
    let free = errs
        .iter()
        .find(|f| f.subject == format!("surface.img free space at byte {free_at}"))
        .unwrap_or_else(|| panic!("free space error: {errs:#?}"));
    assert!(
        free.message.starts_with(&format!(
            "4096 bytes at disk byte offset {free_at} (free space)"
        )),
        "{}",
        free.message
    );
    assert!(free.message.contains("errno 5"), "{}", free.message);
    assert_eq!(
        free.predicts,
        ie_preflight::report::DriveStatus::HardwareError
    );
    let out_at = bad_out / 4096 * 4096;
    let out = errs
        .iter()
        .find(|f| f.subject == format!("surface.img outside partitions at byte {out_at}"))
        .unwrap_or_else(|| panic!("outside partitions error: {errs:#?}"));
    assert!(out.message.contains("errno 5"), "{}", out.message);
    let facts = r.surface.expect("surface facts");
    assert_eq!(facts.outside_partitions_bytes, 2 * mib);
    assert!(facts.free_space_bytes > 0);
    assert!(facts.bytes < r.disk.size, "not the whole disk");
    assert_eq!(facts.unreadable_ranges, 2);
    // The files were hashed (the scan reads their data, --surface does not).
    assert!(!r
        .outcome
        .findings
        .iter()
        .any(|f| f.code == scan::codes::READ_ERROR));
}

#[test]
fn a_read_that_works_when_retried_keeps_the_hash_and_warns() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let files = standard_files();
    let img = build_drive(dir.path(), &files, None);
    let bytes = std::fs::read(&img).unwrap();
    let at = volume_offset(&bytes, "data/mid.bin", (3 << 20) + 100);
    let src = Failing::source(bytes, vec![(at, at + 1)], true);
    let vol = NtfsVolume::open(src).unwrap();
    let inv = vol.inventory().unwrap();
    let jobs = jobs_for(&inv, |_| Vec::new());
    let opts = ScanOptions {
        threads: 2,
        sha256: true,
        file_md5: false,
    };
    let out = scan::scan(&vol, &inv, jobs, opts, &AtomicU64::new(0));
    assert_eq!(out.findings.len(), 1, "{:#?}", out.findings);
    let w = &out.findings[0];
    assert_eq!(w.code, scan::codes::READ_RETRIED);
    assert_eq!(w.severity, ie_preflight::report::Severity::Warning);
    // The 1 MiB read holding the byte failed once.
    assert_eq!(
        w.subject,
        format!("data/mid.bin at file offset {}", 3 << 20)
    );
    assert!(w.message.starts_with("1 read(s)"), "{}", w.message);
    let mid = out
        .files
        .iter()
        .find(|f| inv.path(f.entry) == "data/mid.bin")
        .expect("mid.bin scanned");
    let want = &files
        .iter()
        .find(|s| s.path == "data/mid.bin")
        .unwrap()
        .data;
    use sha2::Digest;
    assert!(mid.complete);
    assert_eq!(
        mid.sha256.expect("hashed")[..],
        sha2::Sha256::digest(want)[..]
    );
}

/// The manifest is read before the scan, with the same retry: a read of it
/// that fails once is a warning, and the manifest is still checked.
#[test]
fn a_manifest_read_that_works_when_retried_is_a_warning() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let files = standard_files();
    let text = build_manifest(DRIVE_ID, &files);
    let img = build_drive(dir.path(), &files, Some(&text));
    let bytes = std::fs::read(&img).unwrap();
    let at = volume_offset(&bytes, "DriveManifest.xml", 100);
    let reader = Failing::source(bytes, vec![(at, at + 1)], true);
    let content = ie_preflight::pipeline::ContentOptions {
        manifest: true,
        ..Default::default()
    };
    let r = common::check_import("flaky.img", reader, Some(content));
    let codes: Vec<&str> = r
        .outcome
        .findings
        .iter()
        .filter(|f| f.code.starts_with("manifest.") || f.code.starts_with("scan."))
        .map(|f| f.code)
        .collect();
    assert_eq!(
        codes,
        vec![scan::codes::READ_RETRIED],
        "{:#?}",
        r.outcome.findings
    );
    let w = r
        .outcome
        .findings
        .iter()
        .find(|f| f.code == scan::codes::READ_RETRIED)
        .unwrap();
    assert_eq!(w.subject, "DriveManifest.xml");
    assert!(w.message.contains("errno 5"), "{}", w.message);
}
