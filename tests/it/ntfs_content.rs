//! File contents through the project's reader equal the bytes an `ntfs-3g`
//! read-only mount gives (plain, resident, sparse, fragmented, LZNT1-compressed).

use crate::common;

use common::ntfs::*;
use ie_preflight::ntfs_volume::{fls_lines, LsOptions};
use sha2::{Digest, Sha256};
use std::process::Command;

/// Unmounts on drop, so a failing assertion leaves no mount behind.
struct Mount(tempfile::TempDir);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

#[test]
fn contents_match_an_ntfs3g_mount() {
    if !common::require_root("mounts the fixture with ntfs-3g")
        || !common::require_tool("ntfs-3g", "ntfs-3g")
    {
        return;
    }
    for name in CLEAN {
        compare_with_mount(name);
    }
}

fn compare_with_mount(name: &str) {
    let bytes = image(name);
    let file = image_file(name, &bytes);
    let dir = tempfile::tempdir().expect("mount point");
    let ok = Command::new("ntfs-3g")
        .arg("-o")
        .arg("ro")
        .arg(&*file)
        .arg(dir.path())
        .status()
        .expect("run ntfs-3g")
        .success();
    assert!(ok, "ntfs-3g mount failed");
    let mnt = Mount(dir);

    let a = analyze_bytes(bytes);
    let (vol, inv) = (a.volume.expect("volume"), a.inventory.expect("inventory"));
    let mut compared = 0;
    let mut kinds = [0usize; 3]; // compressed, sparse, many extents
    for i in 0..inv.len() {
        let info = inv.info(i);
        if info.is_dir || info.system || info.reparse_tag.is_some() {
            continue;
        }
        let mut ours = Sha256::new();
        vol.content(&inv, i)
            .and_then(|r| r.for_each_chunk(256 * 1024, |b| ours.update(b)))
            .unwrap_or_else(|e| panic!("{}: {e}", info.path));
        let theirs = std::fs::read(mnt.0.path().join(&info.path))
            .unwrap_or_else(|e| panic!("{}: {e}", info.path));
        assert_eq!(
            ours.finalize()[..],
            Sha256::digest(&theirs)[..],
            "{} differs",
            info.path
        );
        compared += 1;
        kinds[0] += info.compressed as usize;
        kinds[1] += info.sparse as usize;
        if let ie_preflight::ntfs_volume::DataRef::Extents { extents } = info.data {
            kinds[2] += (extents.len() > 50) as usize;
        }
    }
    if name == "full" {
        assert!(compared > 3000, "{compared}");
        assert!(
            kinds.iter().all(|&k| k > 0),
            "compressed/sparse/fragmented seen: {kinds:?}"
        );
    } else {
        assert!(compared > 0, "{name}: nothing compared");
    }
    // Listing lines carry sizes equal to what the mount reports.
    for l in fls_lines(&inv, LsOptions::default())
        .filter(|l| !l.is_dir && !l.path.contains(':'))
        .take(50)
    {
        let md = std::fs::symlink_metadata(mnt.0.path().join(&l.path)).expect("stat");
        if md.file_type().is_file() {
            assert_eq!(md.len(), l.size, "{}", l.path);
        }
    }
}

#[test]
fn positional_reads_at_odd_offsets() {
    let a = analyze_bytes(image("full"));
    let (vol, inv) = (a.volume.unwrap(), a.inventory.unwrap());
    for p in [
        "compressed/text.txt",
        "sparse.bin",
        "frag/big.bin",
        "small-resident.txt",
    ] {
        let i = (0..inv.len()).find(|&i| inv.path(i) == p).unwrap();
        let r = vol.content(&inv, i).unwrap();
        let mut whole = Vec::new();
        r.for_each_chunk(1 << 20, |b| whole.extend_from_slice(b))
            .unwrap();
        assert_eq!(whole.len() as u64, r.len());
        for &(off, len) in &[
            (0u64, 1usize),
            (4095, 3),
            (65535, 70000),
            (r.len().saturating_sub(10), 100),
        ] {
            let mut buf = vec![0xAAu8; len];
            let n = r.read_at(off, &mut buf).unwrap();
            let off = off as usize;
            let want = &whole[off.min(whole.len())..(off + len).min(whole.len())];
            assert_eq!(&buf[..n], want, "{p} at {off}+{len}");
        }
    }
}
