//! Nothing the tool writes can reach the drive it checks: every output path
//! that aliases the source (the path itself, a symlink, a hard link, a device,
//! a file system mounted from it) is refused with exit 2 before anything is
//! read, and the source's SHA-256 is unchanged afterwards.

use crate::common::cli::ie_preflight;
use crate::{bitlk, common};
use common::loopdev::Loop;

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process;

fn sha256(p: &Path) -> String {
    let bytes = std::fs::read(p).unwrap();
    format!("{:x}", Sha256::digest(&bytes))
}

/// A private copy of the sample drive in a fresh directory.
fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("v.img");
    std::fs::copy(common::testdata().join("sample-drive.img"), &img).unwrap();
    (dir, img)
}

fn p(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn every_output_option_refuses_every_alias_of_the_source() {
    let (dir, img) = sample_copy();
    let link = dir.path().join("link.img");
    std::os::unix::fs::symlink(&img, &link).unwrap();
    let hard = dir.path().join("hard.img");
    std::fs::hard_link(&img, &hard).unwrap();
    let before = sha256(&img);
    let manifest = dir.path().join("m.xml");
    std::fs::write(&manifest, "<DriveManifest Version=\"2014-11-01\"/>").unwrap();
    for alias in [&img, &link, &hard] {
        for opt in ["--hashes", "--hashes-md5"] {
            for force in [false, true] {
                let mut args = vec!["check".to_string(), p(&img), opt.into(), p(alias)];
                if force {
                    args.push("--force".into());
                }
                let r = ie_preflight(&args);
                assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
                assert!(
                    r.stderr.contains(opt) && r.stderr.contains("is the source"),
                    "{}",
                    r.stderr
                );
                let args = [
                    "manifest".to_string(),
                    p(&manifest),
                    "--source".into(),
                    p(&img),
                    opt.into(),
                    p(alias),
                ];
                assert_eq!(ie_preflight(&args).code, 2, "{args:?}");
            }
        }
        let r = ie_preflight(&[
            "unlock".to_string(),
            p(&img),
            "-o".into(),
            p(alias),
            "--force".into(),
        ]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("is the source"), "{}", r.stderr);
    }
    assert_eq!(sha256(&img), before);
    // Nothing was left beside the image either.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 4);
}

#[test]
fn devices_are_never_outputs() {
    let (_dir, img) = sample_copy();
    for dev in ["/dev/null", "/dev/zero"] {
        for args in [
            vec!["check", "--hashes", dev, "--force"],
            vec!["unlock", "-o", dev, "--force"],
        ] {
            let mut a: Vec<String> = vec![args[0].into(), p(&img)];
            a.extend(args[1..].iter().map(|s| s.to_string()));
            let r = ie_preflight(&a);
            assert_eq!(r.code, 2, "{a:?}: {}", r.stderr);
            assert!(r.stderr.contains("is a device"), "{}", r.stderr);
        }
    }
}

#[test]
fn an_unwritable_directory_is_a_usage_error_before_the_scan() {
    let (_dir, img) = sample_copy();
    // sysfs refuses new files even to root; a missing directory to anyone.
    for out in ["/sys/inventory.txt", "/nonexistent-dir/inventory.txt"] {
        let r = ie_preflight(["check", &p(&img), "--hashes", out]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("cannot create a file in"), "{}", r.stderr);
        // Refused before the check ran: no checklist was printed.
        assert!(r.stdout.is_empty(), "{}", r.stdout);
    }
}

#[test]
fn an_existing_output_needs_force_and_is_replaced_whole() {
    let (dir, img) = sample_copy();
    let out = dir.path().join("inventory.sha256");
    std::fs::write(&out, "keep me\n").unwrap();
    let r = ie_preflight(["check", &p(&img), "--hashes", &p(&out)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("give --force"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me\n");
    let r = ie_preflight(["check", &p(&img), "--hashes", &p(&out), "--force"]);
    assert_eq!(r.code, 1, "{}", r.stderr); // the sample is not BitLocker
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("  docs/readme.txt\n"), "{text}");
    // Written beside, renamed into place: no temporary file is left.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn one_file_cannot_be_two_outputs() {
    let (dir, img) = sample_copy();
    let out = p(&dir.path().join("h.txt"));
    let r = ie_preflight(["check", &p(&img), "--hashes", &out, "--hashes-md5", &out]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--hashes and --hashes-md5"),
        "{}",
        r.stderr
    );
}

#[test]
fn conflicting_or_inert_options_are_usage_errors_naming_both() {
    let (dir, img) = sample_copy();
    let h = p(&dir.path().join("h.txt"));
    let cases: &[(&[&str], &[&str])] = &[
        (&["--no-hash", "--hashes", &h], &["--no-hash", "--hashes"]),
        (
            &["--no-hash", "--hashes-md5", &h],
            &["--no-hash", "--hashes-md5"],
        ),
        (
            &["--no-hash", "--hashes-in-json", "--json"],
            &["--no-hash", "--hashes-in-json"],
        ),
        (&["--no-hash", "--surface"], &["--no-hash", "--surface"]),
        (&["--hashes-in-json"], &["--hashes-in-json", "--json"]),
        (
            &["--job-type", "export", "--hashes", &h],
            &["--job-type export", "--hashes"],
        ),
        (
            &["--job-type", "export", "--hashes-md5", &h],
            &["--job-type export", "--hashes-md5"],
        ),
        (
            &["--job-type", "export", "--manifest-file", "\\m.xml"],
            &["--job-type export", "--manifest-file"],
        ),
        (
            &["--job-type", "export", "--manifest-hash", "00"],
            &["--job-type export", "--manifest-hash"],
        ),
        (
            &["--job-type", "export", "--drive-id", "S1"],
            &["--job-type export", "--drive-id"],
        ),
        (
            &["--job-type", "export", "--dest", "c/"],
            &["--job-type export", "--dest"],
        ),
        (
            &["--job-type", "export", "--files"],
            &["--job-type export", "--files"],
        ),
        (
            &["--job-type", "export", "--dataset", "d.csv"],
            &["--job-type export", "--dataset"],
        ),
        (
            &["--sector-size", "1024"],
            &["--sector-size", "512 or 4096"],
        ),
        (
            &["--sector-size", "2048"],
            &["--sector-size", "512 or 4096"],
        ),
    ];
    for (extra, names) in cases {
        let mut args = vec!["check", img.to_str().unwrap()];
        args.extend_from_slice(extra);
        let r = ie_preflight(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        for n in *names {
            assert!(
                r.stderr.contains(n),
                "{args:?}: {n} not named in {}",
                r.stderr
            );
        }
    }
    assert!(!dir.path().join("h.txt").exists());
}

#[test]
fn a_usage_error_under_json_prints_the_error_document() {
    let (_dir, img) = sample_copy();
    let r = ie_preflight(["check", &p(&img), "--json", "--hashes", &p(&img)]);
    assert_eq!(r.code, 2);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["exit_code"], 2);
    assert_eq!(v["verdict"], "usage-error");
}

#[test]
fn an_inventory_cannot_be_asked_for_several_drives() {
    let (dir, img) = sample_copy();
    let job = common::testdata().join("jobs/drive-list.json");
    let out = p(&dir.path().join("h.txt"));
    let pair = format!("S1={}", p(&img));
    let r = ie_preflight(["check", "--job", &p(&job), &pair, "--hashes", &out]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--hashes cannot be used with --job"),
        "{}",
        r.stderr
    );
}

/// An interrupted run removes its temporary output. The BitLocker key
/// stretch (2^20 SHA-256 rounds) keeps `unlock` busy long enough to interrupt
/// it after its output was created.
#[test]
fn an_interrupted_run_leaves_no_partial_output() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.txt");
    std::fs::write(&key, img.get("RP").unwrap()).unwrap();
    let out = dir.path().join("plain.img");
    let bin = assert_cmd::cargo::cargo_bin("ie-preflight");
    let mut child = process::Command::new(bin)
        .args([
            "unlock",
            &p(&img.path),
            "--recovery-key-file",
            &p(&key),
            "-o",
            &p(&out),
        ])
        .stderr(process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the temporary file exists, then interrupt.
    let temp_seen = (0..400).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(5));
        std::fs::read_dir(dir.path()).unwrap().count() > 1
    });
    let pid = child.id().to_string();
    let _ = process::Command::new("kill").args(["-INT", &pid]).status();
    let status = child.wait().unwrap();
    if !temp_seen || status.success() {
        // The run finished before it could be interrupted: nothing to test here.
        assert!(status.success() || temp_seen, "unlock failed: {status}");
        return;
    }
    assert_eq!(status.code(), Some(130));
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("key.txt")]);
}

/// A loop device attached read-write: the tool must not rely on the kernel to refuse.
fn writable_loop(file: &Path) -> Loop {
    Loop::attach(file, &[])
}

/// An ntfs-3g mount, unmounted on drop.
struct Mount(PathBuf);

impl Mount {
    fn ntfs3g(what: &Path, at: &Path) -> Mount {
        std::fs::create_dir_all(at).unwrap();
        // Read-only: the test's own mount must not change the image either.
        let ok = process::Command::new("ntfs-3g")
            .args(["-o", "ro"])
            .arg(what)
            .arg(at)
            .status()
            .unwrap()
            .success();
        assert!(ok, "ntfs-3g {} failed", what.display());
        Mount(at.to_path_buf())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = process::Command::new("umount").arg(&self.0).status();
    }
}

fn can_loop_and_mount() -> bool {
    common::require_root("writable loop devices and ntfs-3g mounts")
        && common::require_tool("losetup", "mount")
        && common::require_tool("ntfs-3g", "ntfs-3g")
}

#[test]
fn a_writable_loop_device_is_never_written() {
    if !can_loop_and_mount() {
        return;
    }
    let (_dir, img) = sample_copy();
    let before = sha256(&img);
    let dev = writable_loop(&img);
    for opt in ["--hashes", "--hashes-md5"] {
        let r = ie_preflight(["check", &p(&dev.0), opt, &p(&dev.0), "--force"]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("is a device"), "{}", r.stderr);
    }
    let r = ie_preflight(["unlock", &p(&dev.0), "-o", &p(&dev.0), "--force"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // The image behind the device is the same source.
    let r = ie_preflight(["check", &p(&dev.0), "--hashes", &p(&img), "--force"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    drop(dev);
    assert_eq!(sha256(&img), before);
    let r = ie_preflight(["check", &p(&img), "--json"]);
    assert_eq!(r.code, 1, "the sample still reads as before: {}", r.stderr);
    assert!(!r.stdout.contains("Disk corrupted\", \"result\": \"fail"));
}

#[test]
fn a_file_system_mounted_from_the_source_is_refused() {
    if !can_loop_and_mount() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // NTFS at sector 0, so both the image and a loop device of it mount as is.
    let img = dir.path().join("sf.img");
    std::fs::copy(common::images::image("superfloppy-ntfs.img.xz"), &img).unwrap();
    let before = sha256(&img);
    let mnt = dir.path().join("mnt");
    {
        // ntfs-3g on the image file: the mount names the image as its source.
        let _m = Mount::ntfs3g(&img, &mnt);
        let out = p(&mnt.join("h.txt"));
        let r = ie_preflight(["check", &p(&img), "--hashes", &out]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("a file system on the source"),
            "{}",
            r.stderr
        );
    }
    assert_eq!(sha256(&img), before);
    {
        // ntfs-3g on a loop device of the image: refused for the device and for the image.
        let dev = writable_loop(&img);
        let _m = Mount::ntfs3g(&dev.0, &mnt);
        let out = p(&mnt.join("h.txt"));
        for source in [&dev.0, &img] {
            let r = ie_preflight(["check", &p(source), "--hashes", &out]);
            assert_eq!(r.code, 2, "{}", r.stderr);
            assert!(
                r.stderr.contains("a file system on the source"),
                "{}",
                r.stderr
            );
        }
        assert!(!mnt.join("h.txt").exists());
    }
    assert_eq!(sha256(&img), before);
}
