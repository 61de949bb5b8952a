//! The full `check` pipeline inside BitLocker: an NTFS drive with a correct
//! drive manifest (`common::manifest`, built through an ntfs-3g mount as
//! root) is encrypted into the layout of a Windows-made XTS-AES-128 volume
//! (`bitlk::encrypt`). With the right key, `check` reports the NTFS
//! inside, finds the manifest correct, runs the Azure rules and writes hashes
//! that `sha256sum -c` verifies on an ntfs-3g mount of the plain twin; with a
//! wrong key it reports "BitLocker key invalid" and checks nothing inside.

use crate::bitlk;
use crate::common;

use common::cli::{Cmd, Run};
use common::manifest::*;
use common::report::{codes, manifest_codes, reason, row};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const TEMPLATE: &str = "bitlk-aes-xts-128";
/// The plain NTFS volume ends before the template's first FVE metadata area
/// (33.6 MiB), so the BitLocker layout hides none of its bytes.
const DRIVE_BYTES: u64 = 32 << 20;

struct Pipeline {
    plain: PathBuf,
    locked: PathBuf,
    rp: String,
    manifest_md5: String,
    files: usize,
    serial: String,
}

/// The plain drive and its BitLocker twin, built once per test run.
fn pipeline() -> Option<&'static Pipeline> {
    static P: OnceLock<Option<Pipeline>> = OnceLock::new();
    P.get_or_init(|| {
        if !(prerequisites() && common::require_tool("sha256sum", "coreutils")) {
            return None;
        }
        let img = bitlk::image(TEMPLATE)?;
        let rp = img.get("RP").expect("RP in images.conf").to_string();
        // Overwritten on every run, so nothing piles up.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bitlk-pipeline");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let files = standard_files();
        let text = build_manifest(DRIVE_ID, &files);
        let plain = build_drive_sized(&dir, &files, Some(&text), DRIVE_BYTES);
        let inner = std::fs::read(&plain).unwrap();
        let serial = format!(
            "{:016X}",
            u64::from_le_bytes(inner[72..80].try_into().unwrap())
        );
        let template = std::fs::read(&img.path).unwrap();
        let fixture = bitlk::encrypt::build(&template, &rp, &inner, 0)
            .unwrap_or_else(|e| panic!("encrypting the drive: {e}"));
        let locked = dir.join("bitlocker.img");
        std::fs::write(&locked, &fixture.bytes).unwrap();
        Some(Pipeline {
            plain,
            locked,
            rp,
            manifest_md5: md5_hex(text.as_bytes()),
            files: files.len(),
            serial,
        })
    })
    .as_ref()
}

/// `check SOURCE --json` with the manifest, rules and hash options; the key
/// (if any) goes through a file and must never be printed.
fn check(p: &Pipeline, source: &Path, key: Option<&str>, hashes: &Path) -> Run {
    let mut cmd = Cmd::new(["check"])
        .arg(source)
        .args(["--json", "--threads", "2", "--manifest-hash"])
        .arg(&p.manifest_md5)
        .args(["--drive-id", DRIVE_ID, "--dest", "container/", "--hashes"])
        .arg(hashes);
    if let Some(k) = key {
        cmd = cmd.key_file("--recovery-key-file", k);
    }
    let r = cmd.run().assert_no_panic();
    if let Some(k) = key {
        assert!(
            !r.stdout.contains(k) && !r.stderr.contains(k),
            "key printed"
        );
    }
    r.report();
    r
}

/// The finding codes that do not predict a BitLocker state, sorted.
fn not_bitlocker(v: &Value) -> Vec<String> {
    let mut c: Vec<String> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            !f["predicts"]
                .as_str()
                .unwrap_or("")
                .starts_with("BitLocker")
        })
        .map(|f| f["code"].as_str().unwrap_or("").to_string())
        .collect();
    c.sort();
    c
}

#[test]
fn right_key_runs_ntfs_manifest_rules_and_hashes_inside_bitlocker() {
    let Some(p) = pipeline() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bitlocker.sha256");
    let r = check(p, &p.locked, Some(&p.rp), &out);
    let v = r.report();
    let plain_out = dir.path().join("plain.sha256");
    let twin_run = check(p, &p.plain, None, &plain_out);
    let twin = twin_run.report();

    // The NTFS inside, exactly as on the plain twin.
    let vol = &v["volume"];
    assert_eq!(vol["type"], "bitlocker");
    assert_eq!(vol["inner_type"], "ntfs");
    assert_eq!(vol["bitlocker"]["opened_by"]["kind"], "recovery-password");
    assert_eq!(vol["ntfs"]["serial"], p.serial.as_str());
    assert_eq!(twin["volume"]["ntfs"]["serial"], p.serial.as_str());
    for k in ["files", "directories", "bytes_per_cluster"] {
        assert_eq!(vol["ntfs"][k], twin["volume"]["ntfs"][k], "{k}");
    }
    assert!(vol["ntfs"]["files"].as_u64().unwrap() >= p.files as u64 + 2);
    for s in [
        "BitLocker volume not found",
        "BitLocker key invalid",
        "BitLocker unlock volume failed",
        "NTFS volume not found",
    ] {
        assert_eq!(row(v, s), "pass", "{s}: {:#?}", v["findings"]);
    }

    // The manifest is read from the drive and everything in it holds.
    assert!(manifest_codes(v).is_empty(), "{:#?}", v["findings"]);
    let content = &vol["ntfs"]["content"];
    assert_eq!(content["manifest"]["found"], true);
    assert_eq!(content["manifest"]["blobs"], p.files as u64);
    // 4 + 3 blocks, 1 page range, 1 + 1 small files, 1 empty (as in manifest_drive.rs).
    assert_eq!(content["scan"]["ranges_checked"], 10);
    assert_eq!(row(v, "Manifest file error"), "pass");
    assert_eq!(row(v, "Hardware error"), "pass");
    assert!(!v.to_string().contains(&base64(&[7u8; 64])), "account key");

    // The Azure rules ran over the inventory read through the decrypting view.
    for s in ["Unsupported data", "Data copy completed with warnings"] {
        assert_ne!(row(v, s), "not-checked", "{s}");
        assert_eq!(row(v, s), row(twin, s), "{s}");
    }
    let runs = v["rules"].as_array().expect("rules");
    assert_eq!(runs.len(), 1, "{:#?}", v["rules"]);
    assert_eq!(runs[0]["destination"], "container/");
    assert!(runs[0]["files"].as_u64().unwrap() >= p.files as u64);
    assert_eq!(v["rules"], twin["rules"]);
    // Apart from BitLocker itself, the same findings as on the plain twin.
    assert_eq!(
        not_bitlocker(v),
        not_bitlocker(twin),
        "{:#?}",
        v["findings"]
    );

    // The hashes: the same lines as on the plain twin, and they verify on an
    // ntfs-3g mount of the plain twin.
    let listed = std::fs::read_to_string(&out).expect("hashes written");
    assert_eq!(listed.lines().count(), p.files + 2, "{listed}"); // + metadata + manifest
    assert_eq!(listed, std::fs::read_to_string(&plain_out).unwrap());
    let m = Mount::new(&p.plain, true);
    let o = std::process::Command::new("sha256sum")
        .args(["-c", "--strict"])
        .arg(&out)
        .current_dir(m.path())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn wrong_key_checks_nothing_inside() {
    let Some(p) = pipeline() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hashes.sha256");
    let wrong = bitlk::wrong_recovery_password(&p.rp);
    let r = check(p, &p.locked, Some(&wrong), &out);
    let v = r.report();
    assert_eq!(r.code, 1, "{:#?}", v["findings"]);
    assert_eq!(row(v, "BitLocker key invalid"), "fail");
    assert!(codes(v).contains(&"bitlocker.key-mismatch".to_string()));
    assert_eq!(v["volume"]["inner_type"], "locked");
    assert!(v["volume"].get("ntfs").is_none_or(Value::is_null));
    for s in [
        "NTFS volume not found",
        "Manifest file error",
        "Hardware error",
        "Unsupported data",
    ] {
        assert_eq!(row(v, s), "not-checked", "{s}");
    }
    let why = reason(v, "Manifest file error");
    assert!(why.contains("not unlocked"), "{why}");
    assert!(manifest_codes(v).is_empty(), "{:#?}", v["findings"]);
    assert_eq!(v["rules"], serde_json::json!([]));
    let listed = std::fs::read_to_string(&out).unwrap_or_default();
    assert_eq!(listed.lines().count(), 0, "{listed}");
}
