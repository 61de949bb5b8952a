//! Populated BitLocker fixtures (`bitlk::encrypt`): the populated NTFS
//! fixture `testdata/ntfs/full.img.xz` encrypted into the layout of Windows-made
//! XTS, CBC and CBC + Elephant images. Checked by our decrypting view, by
//! `dislocker-file` and `cryptsetup bitlkDump` (independent readers), and end
//! to end by `check`, `ls` and `unlock`.

use crate::bitlk;
use crate::common;

use bitlk::encrypt::{self, Fixture};
use common::cli::{Cmd, Run};
use ie_preflight::bitlocker::{assess, Credentials};
use ie_preflight::source::ReadAt;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

const TEMPLATES: [&str; 3] = [
    "bitlk-aes-xts-128",
    "bitlk-aes-cbc-128",
    "bitlk-aes-cbc-elephant-128",
];

struct Built {
    fixture: Fixture,
    path: PathBuf,
    rp: String,
}

/// Fixtures built so far, by template name.
type Cache = Mutex<Vec<(String, Arc<Built>)>>;

/// The fixture for `template`, built once per test run and written to a temp file.
fn built(template: &str) -> Option<Arc<Built>> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let img = bitlk::image(template)?;
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    let mut cache = cache.lock().unwrap();
    if let Some((_, b)) = cache.iter().find(|(n, _)| n == template) {
        return Some(b.clone());
    }
    let rp = img.get("RP").unwrap().to_string();
    let t = std::fs::read(&img.path).unwrap();
    let inner = common::ntfs::image("full");
    let fixture = encrypt::build(&t, &rp, &inner, 0).unwrap();
    // Overwritten on every run, so nothing piles up.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bitlk-fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{template}-full.img"));
    std::fs::write(&path, &fixture.bytes).unwrap();
    let b = Arc::new(Built { fixture, path, rp });
    cache.push((template.to_string(), b.clone()));
    Some(b)
}

fn sha256_prefix(v: &dyn ReadAt, len: u64) -> String {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut off = 0;
    while off < len {
        let n = (len - off).min(buf.len() as u64) as usize;
        v.read_exact_at(&mut buf[..n], off).unwrap();
        h.update(&buf[..n]);
        off += n as u64;
    }
    encrypt::hex(&h.finalize())
}

fn sha256_file_prefix(p: &Path, len: u64) -> String {
    let bytes = std::fs::read(p).unwrap();
    let len = (len as usize).min(bytes.len());
    encrypt::hex(&Sha256::digest(&bytes[..len]))
}

#[test]
fn our_view_decrypts_every_fixture_to_the_plain_volume() {
    for t in TEMPLATES {
        let Some(b) = built(t) else { return };
        let f = &b.fixture;
        let src: Arc<dyn ReadAt> = Arc::new(f.bytes.clone());
        let a = assess(src, &Credentials::recovery_password(&b.rp));
        let view = a.unlocked.expect("the fixture unlocks");
        assert_eq!(view.len(), f.bytes.len() as u64);
        assert_eq!(sha256_prefix(&view, view.len()), f.plain_sha256, "{t}");
        assert_eq!(sha256_prefix(&view, f.inner_len), f.inner_sha256, "{t}");
        assert!(
            a.findings
                .iter()
                .all(|x| x.code != "bitlocker.metadata-damaged"),
            "{t}: {:?}",
            a.findings
        );
    }
}

#[test]
fn dislocker_decrypts_every_fixture_to_the_same_bytes() {
    if !common::require_tool("dislocker-file", "dislocker") {
        return;
    }
    for t in TEMPLATES {
        let Some(b) = built(t) else { return };
        let out = tempfile::NamedTempFile::new().unwrap().into_temp_path();
        std::fs::remove_file(&out).ok();
        let o = std::process::Command::new("dislocker-file")
            .arg("-V")
            .arg(&b.path)
            .arg(format!("-p{}", b.rp))
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{t}: dislocker-file failed: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        assert_eq!(
            sha256_file_prefix(&out, b.fixture.inner_len),
            b.fixture.inner_sha256,
            "{t}: dislocker-file sees other bytes in the NTFS region"
        );
    }
}

#[test]
fn cryptsetup_parses_every_fixture() {
    if !common::require_tool("cryptsetup", "cryptsetup-bin") {
        return;
    }
    for t in TEMPLATES {
        let Some(b) = built(t) else { return };
        let o = std::process::Command::new("cryptsetup")
            .arg("bitlkDump")
            .arg(&b.path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{t}: {text}");
        assert!(
            text.contains(&format!("{} [bytes]", b.fixture.bytes.len())),
            "{t}: {text}"
        );
    }
}

/// `check --json` with the recovery password `key` in a key file: it must never be printed.
fn check(path: &Path, key: &str) -> Run {
    let r = Cmd::new(["check", "--json"])
        .key_file("--recovery-key-file", key)
        .arg(path)
        .run();
    assert!(!r.stdout.contains(key), "the key must never be printed");
    r.report();
    r
}

#[test]
fn check_reports_the_populated_ntfs_inside() {
    let inner = common::ntfs::image("full");
    let serial = format!(
        "{:016X}",
        u64::from_le_bytes(inner[72..80].try_into().unwrap())
    );
    let plain = common::ntfs::analyze_bytes(inner);
    let facts = plain.facts.expect("the plain fixture is readable");
    assert!(facts.files > 5, "the plain fixture is populated");
    for t in TEMPLATES {
        let Some(b) = built(t) else { return };
        let r = check(&b.path, &b.rp);
        let (v, err) = (r.report(), &r.stderr);
        let vol = &v["volume"];
        assert_eq!(vol["type"], "bitlocker", "{t}: {err}");
        assert_eq!(vol["inner_type"], "ntfs", "{t}");
        assert_eq!(vol["ntfs"]["serial"], serial.as_str(), "{t}");
        assert_eq!(vol["ntfs"]["files"], facts.files, "{t}");
        assert_eq!(vol["ntfs"]["directories"], facts.directories, "{t}");
        for s in [
            "BitLocker volume not found",
            "BitLocker key invalid",
            "BitLocker unlock volume failed",
            "NTFS volume not found",
        ] {
            assert_eq!(common::report::row(v, s), "pass", "{t}: {s}");
        }
    }
}

#[test]
fn check_with_a_wrong_key_is_bitlocker_key_invalid() {
    let Some(b) = built("bitlk-aes-xts-128") else {
        return;
    };
    let r = check(&b.path, &bitlk::wrong_recovery_password(&b.rp));
    let v = r.report();
    assert_eq!(r.code, 1);
    assert_eq!(common::report::row(v, "BitLocker key invalid"), "fail");
    assert!(common::report::codes(v).contains(&"bitlocker.key-mismatch".to_string()));
}

#[test]
fn ls_lists_the_ntfs_inside_like_the_plain_twin() {
    let Some(b) = built("bitlk-aes-xts-128") else {
        return;
    };
    let plain = common::ntfs::image_file("full", &common::ntfs::image("full"));
    let want = Cmd::new(["ls"]).arg(&plain).run();
    assert_eq!(want.code, 0, "{}", want.stderr);
    assert!(want.stdout.lines().count() > 5);
    let got = Cmd::new(["ls"])
        .arg(&b.path)
        .key_file("--recovery-key-file", &b.rp)
        .run();
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert_eq!(got.stdout, want.stdout);
    let wrong = Cmd::new(["ls"])
        .arg(&b.path)
        .key_file(
            "--recovery-key-file",
            &bitlk::wrong_recovery_password(&b.rp),
        )
        .run();
    assert_eq!(wrong.code, 3);
    assert!(
        wrong.stderr.contains("BitLocker key invalid"),
        "{}",
        wrong.stderr
    );
}

#[test]
fn unlock_writes_the_plain_volume_of_a_fixture() {
    let Some(b) = built("bitlk-aes-cbc-elephant-128") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plain.img");
    let r = Cmd::new(["unlock"])
        .arg(&b.path)
        .key_file("--recovery-key-file", &b.rp)
        .arg("-o")
        .arg(&out)
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(sha256_file_prefix(&out, u64::MAX), b.fixture.plain_sha256);
}

/// A larger volume: the encrypted size and the metadata's CRC-32 and SHA-256
/// authentication are rewritten; every reader must still agree.
#[test]
fn resized_fixture_keeps_valid_metadata() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let t = std::fs::read(&img.path).unwrap();
    let inner = common::ntfs::image("small");
    let rp = img.get("RP").unwrap();
    let f = encrypt::build(&t, rp, &inner, t.len() as u64 + (8 << 20)).unwrap();
    let src: Arc<dyn ReadAt> = Arc::new(f.bytes.clone());
    let a = assess(src, &Credentials::recovery_password(rp));
    let facts = &a.facts;
    assert_eq!(facts.encrypted_size, Some(f.bytes.len() as u64));
    assert!(
        facts
            .metadata_copies
            .iter()
            .all(|c| c.ok && c.authenticated == Some(true)),
        "{:?}",
        facts.metadata_copies
    );
    let view = a.unlocked.expect("unlocks");
    assert_eq!(sha256_prefix(&view, view.len()), f.plain_sha256);
}

/// Writes a large fixture for `benches/bitlocker.sh`:
/// `IE_PREFLIGHT_BENCH_OUT=/path IE_PREFLIGHT_BENCH_MIB=512 cargo test --release
/// --test it -- --ignored --exact bitlocker_fixtures::make_bench_image`.
/// `IE_PREFLIGHT_BENCH_INNER=plain.img` encrypts that plain volume (the
/// scan benchmark's populated NTFS) instead of the `full` fixture; the volume
/// is then at least as large as it.
#[test]
#[ignore]
fn make_bench_image() {
    let Some(out) = std::env::var_os("IE_PREFLIGHT_BENCH_OUT") else {
        panic!("set IE_PREFLIGHT_BENCH_OUT");
    };
    let mib: u64 = std::env::var("IE_PREFLIGHT_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512);
    let template = std::env::var("IE_PREFLIGHT_BENCH_TEMPLATE")
        .unwrap_or_else(|_| "bitlk-aes-xts-128".to_string());
    let img = bitlk::image(&template).unwrap();
    let t = std::fs::read(&img.path).unwrap();
    let inner = match std::env::var_os("IE_PREFLIGHT_BENCH_INNER") {
        Some(p) => std::fs::read(p).unwrap(),
        None => common::ntfs::image("full"),
    };
    let len = (mib << 20).max((inner.len() as u64).div_ceil(4096) * 4096);
    let f =
        encrypt::build(&t, img.get("RP").unwrap(), &inner, len).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&out, &f.bytes).unwrap();
    let mut sums = std::path::PathBuf::from(&out).into_os_string();
    sums.push(".sha256");
    std::fs::write(sums, format!("{}\n", f.plain_sha256)).unwrap();
}

/// The fixture as partition 1 of an MBR disk (1 MiB gap): `unlock` and `check`
/// find it through the partition table.
#[test]
fn unlock_and_check_find_the_volume_in_a_partition() {
    let Some(b) = built("bitlk-aes-xts-128") else {
        return;
    };
    let start: u64 = 2048;
    let sectors = b.fixture.bytes.len() as u64 / 512;
    let mut disk = vec![0u8; 1 << 20];
    let e = &mut disk[446..462];
    e[4] = 0x07;
    e[8..12].copy_from_slice(&(start as u32).to_le_bytes());
    e[12..16].copy_from_slice(&(sectors as u32).to_le_bytes());
    disk[510] = 0x55;
    disk[511] = 0xAA;
    disk.extend_from_slice(&b.fixture.bytes);
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("disk.img");
    std::fs::write(&img, &disk).unwrap();
    drop(disk);

    let out = dir.path().join("plain.img");
    let r = Cmd::new(["unlock"])
        .arg(&img)
        .key_file("--recovery-key-file", &b.rp)
        .arg("-o")
        .arg(&out)
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(sha256_file_prefix(&out, u64::MAX), b.fixture.plain_sha256);

    let r = check(&img, &b.rp);
    let (v, err) = (r.report(), &r.stderr);
    assert_eq!(v["volume"]["partition"], 1, "{err}");
    assert_eq!(v["volume"]["offset"], start * 512);
    assert_eq!(v["volume"]["inner_type"], "ntfs");
    assert_eq!(
        common::report::row(v, "BitLocker key invalid"),
        "pass",
        "{err}"
    );
}

/// A 4096-byte-sector volume: the XTS template's sector 0 made to say 4096
/// bytes per sector (every FVE area and the relocated area are 4 KiB-aligned),
/// then populated by the fixture helper, which encrypts 4 KiB sectors with the
/// 4 KiB sector number as the tweak. Our view, `check` and `unlock` run the
/// 4K path end to end: metadata, relocated boot sectors, hidden areas, cipher.
#[test]
fn fixture_with_4096_byte_sectors() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let mut t = std::fs::read(&img.path).unwrap();
    t[11..13].copy_from_slice(&4096u16.to_le_bytes());
    let rp = img.get("RP").unwrap();
    let inner = common::ntfs::image("full");
    let f = encrypt::build(&t, rp, &inner, 0).unwrap();
    assert_eq!(f.sector_size, 4096);
    // Not the 512-byte-sector bytes: the sector size changes every tweak.
    let t512 = encrypt::build(&std::fs::read(&img.path).unwrap(), rp, &inner, 0).unwrap();
    assert_ne!(
        f.bytes[1 << 20..(1 << 20) + 4096],
        t512.bytes[1 << 20..(1 << 20) + 4096]
    );
    drop(t512);

    let src: Arc<dyn ReadAt> = Arc::new(f.bytes.clone());
    let a = assess(src, &Credentials::recovery_password(rp));
    assert_eq!(a.facts.sector_size, 4096);
    let view = a.unlocked.expect("the 4K fixture unlocks");
    assert_eq!(view.layout().sector_size, 4096);
    assert_eq!(sha256_prefix(&view, view.len()), f.plain_sha256);
    // Unaligned reads across a 4 KiB sector boundary.
    let mut buf = vec![0u8; 5000];
    view.read_exact_at(&mut buf, 4096 * 3 - 100).unwrap();
    assert_eq!(buf[..], inner[4096 * 3 - 100..4096 * 3 - 100 + 5000]);

    let dir = tempfile::tempdir().unwrap();
    // Overwritten on every run, so nothing piles up.
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("bitlk-fixtures")
        .join("bitlk-aes-xts-128-4k-full.img");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &f.bytes).unwrap();
    let r = check(&path, rp);
    let (v, err) = (r.report(), &r.stderr);
    assert_eq!(v["volume"]["bitlocker"]["sector_size"], 4096, "{err}");
    assert_eq!(v["volume"]["inner_type"], "ntfs");
    let serial = format!(
        "{:016X}",
        u64::from_le_bytes(inner[72..80].try_into().unwrap())
    );
    assert_eq!(v["volume"]["ntfs"]["serial"], serial.as_str());
    let facts = common::ntfs::analyze_bytes(inner)
        .facts
        .expect("plain facts");
    assert_eq!(v["volume"]["ntfs"]["files"], facts.files);
    assert_eq!(common::report::row(v, "BitLocker key invalid"), "pass");

    let out = dir.path().join("plain.img");
    let r = Cmd::new(["unlock"])
        .arg(&path)
        .key_file("--recovery-key-file", rp)
        .arg("-o")
        .arg(&out)
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(sha256_file_prefix(&out, u64::MAX), f.plain_sha256);
}
