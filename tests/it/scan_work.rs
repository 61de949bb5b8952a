//! The scan computes only what someone asked for (issue 14): every file is
//! read and the manifest's MD5s verified, but per-file SHA-256 and MD5 only
//! for the outputs that hold them.

use crate::common::{cli::ie_preflight, images::image};
use serde_json::Value;

fn scan_of(report: &Value) -> &Value {
    &report["volume"]["ntfs"]["content"]["scan"]
}

#[test]
fn per_file_hashes_follow_the_outputs_asked_for() {
    let img = image("sample-drive.img");
    let img = img.to_str().unwrap();
    // (options, with --hashes-md5 FILE, the per-file hashes computed)
    let cases: [(&[&str], bool, &[&str]); 3] = [
        (&[], false, &[]),
        (&["--hashes-in-json"], false, &["sha256"]),
        (&["--hashes-in-json"], true, &["sha256", "md5"]),
    ];
    for (extra, md5_file, want) in cases {
        let dir = tempfile::tempdir().unwrap();
        let md5_out = dir.path().join("md5.txt").display().to_string();
        let mut args = vec!["check", img, "--json"];
        args.extend(extra);
        if md5_file {
            args.extend(["--hashes-md5", &md5_out]);
        }
        let run = ie_preflight(&args);
        let scan = scan_of(run.report());
        assert!(scan["files"].as_u64().unwrap() > 0, "{extra:?}: {scan}");
        assert_eq!(scan["file_hashes"], serde_json::json!(want), "{extra:?}");
        let hashes = &run.report()["volume"]["ntfs"]["content"]["hashes"];
        if extra.is_empty() {
            assert!(hashes.is_null(), "no hashes without --hashes-in-json");
        }
        for h in hashes.as_array().into_iter().flatten() {
            for name in want {
                let hex = h[name].as_str().unwrap_or_default();
                assert!(
                    hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
                    "{h}"
                );
            }
            assert_eq!(h.get("md5").is_some(), want.contains(&"md5"), "{h}");
        }
    }
}

/// `--hashes-md5` alone (no SHA-256 computed) still writes every file's MD5.
#[test]
fn md5_inventory_without_sha256() {
    let img = image("sample-drive.img");
    let dir = tempfile::tempdir().unwrap();
    let md5_out = dir.path().join("inv.md5");
    let both = ie_preflight([
        "check".as_ref(),
        img.as_os_str(),
        "--json".as_ref(),
        "--hashes-in-json".as_ref(),
        "--hashes-md5".as_ref(),
        md5_out.as_os_str(),
    ]);
    let want: Vec<String> = both.report()["volume"]["ntfs"]["content"]["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            format!(
                "{}  {}",
                h["md5"].as_str().unwrap(),
                h["path"].as_str().unwrap()
            )
        })
        .collect();
    assert!(!want.is_empty());
    std::fs::remove_file(&md5_out).unwrap();
    let alone = ie_preflight([
        "check".as_ref(),
        img.as_os_str(),
        "--json".as_ref(),
        "--hashes-md5".as_ref(),
        md5_out.as_os_str(),
    ]);
    assert_eq!(
        scan_of(alone.report())["file_hashes"],
        serde_json::json!(["md5"])
    );
    let text = std::fs::read_to_string(&md5_out).unwrap();
    let got: Vec<&str> = text.lines().collect();
    assert_eq!(got, want);
}
