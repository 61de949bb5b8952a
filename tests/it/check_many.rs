//! `check SRC SRC...` without a job: every drive checked at once, one summary,
//! the worst verdict as the exit code; per-drive keys as SERIAL=FILE; requests
//! that cannot work refused before anything is read.

use crate::bitlk;
use crate::common;

use common::cli::{ie_preflight, Cmd};
use common::images::image;
use common::report::row;

const IMAGES: [&str; 5] = [
    "sample-drive.img",
    "mbr-ntfs.img.xz",
    "gpt-msr-ntfs.img.xz",
    "exfat-only.img.xz",
    "zeros.img.xz",
];

#[test]
fn five_images_at_once_match_five_runs() {
    let paths: Vec<String> = IMAGES
        .iter()
        .map(|i| image(i).display().to_string())
        .collect();
    let mut args = vec!["check".to_string(), "--json".to_string()];
    args.extend(paths.iter().cloned());
    let many = ie_preflight(&args);
    let v = many.report();
    common::schema::validate("check-job", v).unwrap_or_else(|e| panic!("{e}"));
    let drives = v["drives"].as_array().unwrap();
    assert_eq!(drives.len(), IMAGES.len());
    assert!(v["job"].is_null());
    let mut worst = 0;
    for (d, p) in drives.iter().zip(&paths) {
        let alone = ie_preflight(["check", p.as_str(), "--json"]);
        let a = alone.report();
        assert_eq!(d["path"], p.as_str());
        assert_eq!(d["verdict"], a["verdict"], "{p}");
        assert_eq!(d["exit_code"], alone.code, "{p}");
        assert_eq!(d["report"]["findings"], a["findings"], "{p}");
        assert_eq!(d["report"]["checklist"], a["checklist"], "{p}");
        let failing: Vec<&str> = a["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["result"] == "fail")
            .map(|r| r["status"].as_str().unwrap())
            .collect();
        assert_eq!(d["failing"], serde_json::json!(failing), "{p}");
        worst = worst.max(alone.code);
    }
    assert_eq!(many.code, worst, "the exit code is the worst drive's");
    assert_eq!(v["exit_code"], worst);

    // The text form ends with one summary line per drive.
    let mut args = vec!["check".to_string(), "--color".into(), "never".into()];
    args.extend(paths.iter().cloned());
    let text = ie_preflight(&args).stdout;
    let summary = text.split("=== summary").nth(1).expect("a summary");
    assert!(summary.contains("failing states"), "{summary}");
    for p in &paths {
        let line = summary.lines().find(|l| l.contains(p.as_str()));
        assert!(line.is_some(), "{p} in {summary}");
    }
    assert!(summary.contains("BitLocker volume not found"), "{summary}");
}

#[test]
fn requests_that_cannot_work_are_refused_before_reading() {
    let a = image("sample-drive.img").display().to_string();
    let b = image("mbr-ntfs.img.xz").display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.txt");
    std::fs::write(
        &key,
        "111111-222222-333333-444444-555555-666666-777777-888888\n",
    )
    .unwrap();
    let key = key.display().to_string();
    let out = dir.path().join("inv.sha256").display().to_string();
    let cases: [(Vec<String>, &str); 5] = [
        (
            vec!["--hashes".into(), out.clone()],
            "--hashes cannot be used with several drives",
        ),
        (
            vec!["--recovery-key-file".into(), key.clone()],
            "name the drive each key is for",
        ),
        (
            vec!["--recovery-key-file".into(), format!("NOPE1={key}")],
            "no drive given has serial NOPE1",
        ),
        (
            vec!["--manifest-hash".into(), "00".repeat(16)],
            "--manifest-hash cannot be used",
        ),
        (vec!["--drive-id".into(), "X".into()], "SERIAL=IMAGE"),
    ];
    for (extra, says) in cases {
        let mut args = vec!["check".to_string(), a.clone(), format!("S2={b}")];
        args.extend(extra.iter().cloned());
        let r = ie_preflight(&args);
        assert_eq!(r.code, 2, "{extra:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{extra:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{extra:?}: nothing checked");
    }
    assert!(!std::path::Path::new(&out).exists(), "no output created");
    // One drive takes one plain key file.
    let r = ie_preflight([
        "check",
        a.as_str(),
        "--recovery-key-file",
        &format!("S1={key}"),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("several drives at once"), "{}", r.stderr);
}

#[test]
fn each_drive_gets_the_key_named_for_its_serial() {
    let (Some(xts), Some(cbc)) = (
        bitlk::image("bitlk-aes-xts-128"),
        bitlk::image("bitlk-aes-cbc-128"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key_of = |name: &str, rp: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, format!("{rp}\n")).unwrap();
        p
    };
    let k1 = key_of("xts.txt", xts.get("RP").unwrap());
    let k2 = key_of("cbc.txt", cbc.get("RP").unwrap());
    let r = Cmd::new(["check", "--json"])
        .arg(format!("XTS1={}", xts.path.display()))
        .arg(format!("CBC2={}", cbc.path.display()))
        .arg("--recovery-key-file")
        .arg(format!("CBC2={}", k2.display()))
        .arg("--recovery-key-file")
        .arg(format!("xts1={}", k1.display()))
        .run();
    let drives = r.report()["drives"].as_array().unwrap().clone();
    assert_eq!(drives.len(), 2, "{}", r.stderr);
    for (d, serial, uuid) in [
        (&drives[0], "XTS1", xts.get("UUID").unwrap()),
        (&drives[1], "CBC2", cbc.get("UUID").unwrap()),
    ] {
        assert_eq!(d["serial"], serial);
        assert_eq!(
            row(&d["report"], "BitLocker key invalid"),
            "pass",
            "{serial}"
        );
        assert_eq!(d["report"]["volume"]["ntfs"]["serial"], uuid, "{serial}");
    }
}
