//! `ie-preflight unlock` on the Windows-made images: the file written is the
//! decrypted volume exactly as dm-crypt shows it (`SHA256SUM` of images.conf).

use crate::bitlk;
use crate::common;

use common::cli::Cmd;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

fn sha256_file(p: &Path) -> String {
    let mut f = std::fs::File::open(p).unwrap();
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    h.finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
}

/// `unlock SOURCE -o OUT`, to which the key options are added.
fn unlock(src: &Path, out: &Path) -> Cmd {
    Cmd::new(["unlock"]).arg(src).arg("-o").arg(out)
}

#[test]
fn every_image_unlocks_to_its_sha256() {
    let Some(images) = bitlk::images() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut done = 0;
    for img in &images {
        let (Some(rp), Some(want)) = (img.get("RP"), img.get("SHA256SUM")) else {
            continue;
        };
        let out = dir.path().join(format!("{}.plain", img.name));
        let r = unlock(&img.path, &out)
            .key_file("--recovery-key-file", rp)
            .run();
        assert_eq!(r.code, 0, "{}: {}", img.name, r.stderr);
        assert!(!r.stderr.contains(rp), "the key must never be printed");
        assert_eq!(sha256_file(&out), want, "{}", img.name);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the plain volume is readable by its owner only"
        );
        std::fs::remove_file(&out).unwrap();
        done += 1;
    }
    assert!(done >= 6, "only {done} images have RP and SHA256SUM");
}

#[test]
fn password_and_startup_key_unlock_too() {
    let (Some(xts), Some(sk)) = (
        bitlk::image("bitlk-aes-xts-128"),
        bitlk::image("bitlk-aes-xts-128-startup-key"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pw.plain");
    let r = unlock(&xts.path, &out)
        .key_file("--password-file", xts.get("PW").unwrap())
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(sha256_file(&out), xts.get("SHA256SUM").unwrap());

    let bek = std::fs::read_dir(bitlk::dir().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("bek")))
        .expect("the .BEK file is shipped with the images");
    let out = dir.path().join("bek.plain");
    let r = unlock(&sk.path, &out).arg("--bek").arg(&bek).run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    if let Some(want) = sk.get("SHA256SUM") {
        assert_eq!(sha256_file(&out), want);
    }
}

#[test]
fn wrong_key_exits_1_and_writes_nothing() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plain.img");
    let wrong = bitlk::wrong_recovery_password(img.get("RP").unwrap());
    let r = unlock(&img.path, &out)
        .key_file("--recovery-key-file", &wrong)
        .run();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("BitLocker key invalid"), "{}", r.stderr);
    assert!(!out.exists());

    // A malformed key names the bad group.
    let malformed = "111111-222222-333333-444444-555555-666666-777777-888888";
    let r = unlock(&img.path, &out)
        .key_file("--recovery-key-file", malformed)
        .run();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("BitLocker key invalid"), "{}", r.stderr);
    assert!(r.stderr.contains("group"), "{}", r.stderr);
    assert!(!out.exists());
}

#[test]
fn existing_output_and_the_source_are_never_overwritten() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let keyed =
        |out: &Path| unlock(&img.path, out).key_file("--recovery-key-file", img.get("RP").unwrap());
    let out = dir.path().join("exists.img");
    std::fs::write(&out, b"keep me").unwrap();
    let r = keyed(&out).run();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");

    let r = keyed(&out).arg("--force").run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(sha256_file(&out), img.get("SHA256SUM").unwrap());

    // The source itself, even with --force and through a symlink.
    let before = sha256_file(&img.path);
    let link = dir.path().join("link.img");
    std::os::unix::fs::symlink(&img.path, &link).unwrap();
    let r = keyed(&link).arg("--force").run();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("is the source"), "{}", r.stderr);
    assert_eq!(sha256_file(&img.path), before);
}

#[test]
fn no_key_is_a_usage_error_and_bad_source_cannot_complete() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plain.img");
    let r = unlock(&img.path, &out).run();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!out.exists());
    let r = unlock(&dir.path().join("missing.img"), &out).run();
    assert_eq!(r.code, 3, "{}", r.stderr);
    // A clear-key volume needs no key.
    if let Some(ck) = bitlk::image("bitlk-aes-xts-128-clearkey-only") {
        let r = unlock(&ck.path, &out).run();
        assert_eq!(r.code, 0, "{}", r.stderr);
        if let Some(want) = ck.get("SHA256SUM") {
            assert_eq!(sha256_file(&out), want);
        }
    }
}

#[test]
fn plain_ntfs_is_bitlocker_volume_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plain.img");
    let r = unlock(&common::testdata().join("sample-drive.img"), &out)
        .key_file(
            "--recovery-key-file",
            "235818-357951-253979-013365-241120-245575-342914-591910",
        )
        .run();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("BitLocker volume not found"),
        "{}",
        r.stderr
    );
    assert!(!out.exists());
}
