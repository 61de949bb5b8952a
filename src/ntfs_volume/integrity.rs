//! Read-only chkdsk: the consistency checks that predict "Disk corrupted".
//! Each kind of damage is one finding with a count and the first few subjects.
//!
//! Codes (all predict "Disk corrupted" except where noted): `ntfs.volume-truncated`,
//! `ntfs.mft-fixup`, `ntfs.bad-attribute`, `ntfs.mft-unreadable` (Hardware error),
//! `ntfs.mftmirr-mismatch`, `ntfs.volume-info`, `ntfs.version`, `ntfs.dirty`,
//! `ntfs.extent-out-of-bounds`, `ntfs.cross-linked`, `ntfs.bitmap`,
//! `ntfs.bitmap-free-in-use`, `ntfs.lost-clusters` (warning), `ntfs.orphan-records`
//! (warning), `ntfs.bad-index-entry`, `ntfs.directory-cycle`, `ntfs.mft-incomplete`, `ntfs.upcase`; from `analyze`: `ntfs.unreadable`,
//! `ntfs.mft-unusable`.

use super::content::ContentReader;
use super::inventory::{get_bit, Inventory};
use super::mft::{map_vcn_byte, MftScan, ST_IN_USE};
use super::record::utf16_name;
use super::record::{attributes, Body, AT_VOLUME_INFORMATION, AT_VOLUME_NAME};
use super::{mft, NtfsVolume};
use crate::ntfs_volume::codes;
use crate::report::{DriveStatus, Finding, Severity};
use crate::source::read_vec;

/// How many subjects a finding names before it only counts.
pub(crate) const MAX_SUBJECTS: usize = 5;

/// A count of one kind of damage and its first few subjects.
#[derive(Debug, Default, Clone)]
pub(crate) struct Problems {
    pub count: u64,
    pub first: Vec<String>,
}

impl Problems {
    pub fn add(&mut self, n: u64, subject: impl FnOnce() -> String) {
        self.count = self.count.saturating_add(n);
        if self.first.len() < MAX_SUBJECTS {
            self.first.push(subject());
        }
    }

    fn finding(
        &self,
        code: &'static str,
        sev: Severity,
        predicts: DriveStatus,
        what: &str,
        hint: &str,
    ) -> Option<Finding> {
        if self.count == 0 {
            return None;
        }
        let more = if self.count > self.first.len() as u64 {
            ", …"
        } else {
            ""
        };
        Some(
            Finding::new(
                code,
                sev,
                predicts,
                format!("{}{more}", self.first.join("; ")),
                format!("{} {what}", self.count),
            )
            .with_hint(hint),
        )
    }
}

const CHKDSK: &str = "run `chkdsk /f` on the volume on Windows, then check again";

/// What `$Volume` says.
#[derive(Debug, Default, Clone)]
pub(crate) struct VolumeInfo {
    pub label: String,
    pub major: u8,
    pub minor: u8,
    pub flags: u16,
    pub found: bool,
}

pub(crate) fn volume_info(vol: &NtfsVolume, inv: &Inventory) -> VolumeInfo {
    let mut v = VolumeInfo::default();
    let Ok(Some(rec)) = mft::read_record(&*vol.src, vol.geometry(), &inv.scan.mft_extents, 3)
    else {
        return v;
    };
    for a in attributes(&rec).flatten() {
        match (a.ty, a.body) {
            (AT_VOLUME_NAME, Body::Resident(b, _)) => v.label = utf16_name(b),
            (AT_VOLUME_INFORMATION, Body::Resident(b, _)) if b.len() >= 12 => {
                v.major = b[8];
                v.minor = b[9];
                v.flags = u16::from_le_bytes([b[10], b[11]]);
                v.found = true;
            }
            _ => {}
        }
    }
    v
}

/// Every check; returns the findings and the number of clusters `$Bitmap` marks in use.
/// The findings come in a fixed order: the volume, `$MFT` and its mirror,
/// `$Volume`, the extents, `$Bitmap`, the directory tree, `$UpCase`.
pub(crate) fn check(
    vol: &NtfsVolume,
    inv: &Inventory,
    vi: &VolumeInfo,
) -> (Vec<Finding>, Option<u64>) {
    let mut out: Vec<Finding> = Vec::new();
    out.extend(truncated(vol));
    out.extend(mft_damage(&inv.scan));
    out.extend(mirror(vol, inv));
    out.extend(volume_state(vi));
    out.extend(extent_damage(inv));
    let in_use = bitmap(vol, inv, &mut out);
    out.extend(directory_damage(inv));
    out.extend(upcase(vol, inv));
    (out, in_use)
}

/// The source is shorter than the boot sector says the volume is.
fn truncated(vol: &NtfsVolume) -> Option<Finding> {
    let geo = vol.geometry();
    if vol.src.len() >= geo.volume_size {
        return None;
    }
    Some(
        Finding::error(
            codes::VOLUME_TRUNCATED,
            DriveStatus::DiskCorrupted,
            format!("byte {}", vol.src.len()),
            format!(
                "the volume is {} bytes by its boot sector but only {} bytes can be read",
                geo.volume_size,
                vol.src.len()
            ),
        )
        .with_hint("the drive or image is cut short; copy the whole volume"),
    )
}

/// The damage the pass over `$MFT` met in the records themselves.
fn mft_damage(s: &MftScan) -> Vec<Finding> {
    use DriveStatus::DiskCorrupted as DC;
    use Severity::Error;
    [
        s.fixup.finding(
            codes::MFT_FIXUP,
            Error,
            DC,
            "MFT record(s) fail their update sequence check (torn writes)",
            CHKDSK,
        ),
        s.mft_incomplete.finding(
            codes::MFT_INCOMPLETE,
            Error,
            DC,
            "gap in $MFT's own data runs: the MFT records past it were not checked",
            CHKDSK,
        ),
        s.bad_attrs.finding(
            codes::BAD_ATTRIBUTE,
            Error,
            DC,
            "malformed attribute(s) in MFT records",
            CHKDSK,
        ),
        s.unreadable.finding(
            codes::MFT_UNREADABLE,
            Error,
            DriveStatus::HardwareError,
            "MFT record(s) could not be read",
            "check the drive's health (SMART) and cabling",
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// What `$Volume` says about the version and the dirty flag.
fn volume_state(vi: &VolumeInfo) -> Vec<Finding> {
    use DriveStatus::DiskCorrupted as DC;
    if !vi.found {
        return vec![Finding::error(
            codes::VOLUME_INFO,
            DC,
            "MFT record 3 ($Volume)",
            "$Volume has no readable version information",
        )
        .with_hint(CHKDSK)];
    }
    let mut out = Vec::new();
    if vi.major != 3 {
        out.push(Finding::error(
            codes::VERSION,
            DC,
            "$Volume",
            format!(
                "NTFS version {}.{} (Windows writes 3.1)",
                vi.major, vi.minor
            ),
        ));
    }
    if vi.flags & 1 != 0 {
        out.push(
            Finding::error(
                codes::DIRTY,
                DC,
                "$Volume",
                "the volume is marked dirty (not cleanly unmounted, or errors were found)",
            )
            .with_hint("run `chkdsk /f` on Windows before shipping"),
        );
    }
    out
}

/// Data runs outside the volume, and clusters two records claim (named by
/// both owners, which costs a search, so only for the first few).
fn extent_damage(inv: &Inventory) -> Vec<Finding> {
    use DriveStatus::DiskCorrupted as DC;
    use Severity::Error;
    let s = &inv.scan;
    let mut out: Vec<Finding> = Vec::new();
    out.extend(s.out_of_bounds.finding(
        codes::EXTENT_OUT_OF_BOUNDS,
        Error,
        DC,
        "data run(s) point outside the volume",
        CHKDSK,
    ));
    if let Some(mut f) = s.cross_linked.finding(
        codes::CROSS_LINKED,
        Error,
        DC,
        "cluster(s) belong to more than one file",
        CHKDSK,
    ) {
        let named: Vec<String> = s
            .cross_first
            .iter()
            .take(MAX_SUBJECTS)
            .map(|&(c, r)| {
                format!(
                    "cluster {c}: records {} and {r}",
                    other_owner(inv, c, r).map_or("?".into(), |o| o.to_string())
                )
            })
            .collect();
        f.subject = named.join("; ");
        out.push(f);
    }
    out
}

/// Records in use that no directory reaches, and bad or cyclic index entries.
fn directory_damage(inv: &Inventory) -> Vec<Finding> {
    use DriveStatus::DiskCorrupted as DC;
    use Severity::{Error, Warning};
    let mut orphans = Problems::default();
    for (n, m) in inv.scan.files.iter().enumerate() {
        // Records below 24 are reserved by NTFS (12-15 are in use yet in no directory).
        if n >= 24 && m.state == ST_IN_USE && !get_bit(&inv.reached, n) {
            orphans.add(1, || format!("MFT record {n}"));
        }
    }
    [
        orphans.finding(
            codes::ORPHAN_RECORDS,
            Warning,
            DC,
            "file record(s) in use but in no directory",
            CHKDSK,
        ),
        inv.bad_index.finding(
            codes::BAD_INDEX_ENTRY,
            Error,
            DC,
            "bad directory index entrie(s)",
            CHKDSK,
        ),
        inv.dir_cycles.finding(
            codes::DIRECTORY_CYCLE,
            Error,
            DC,
            "directory index entrie(s) lead back to a directory already in the tree (a cycle); not followed",
            CHKDSK,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The other record whose data or index runs hold `cluster`.
fn other_owner(inv: &Inventory, cluster: u64, not: u64) -> Option<u64> {
    let s = &inv.scan;
    s.files.iter().enumerate().find_map(|(n, m)| {
        if n as u64 == not {
            return None;
        }
        let mut ranges = vec![(m.i30_first, m.i30_count)];
        if m.flags & mft::F_RESIDENT == 0 {
            ranges.push((m.data_first, m.data_count));
        }
        let hit = ranges.iter().any(|&(a, c)| {
            let (a, c) = (a as usize, c as usize);
            s.extents
                .get(a..a.saturating_add(c))
                .unwrap_or(&[])
                .iter()
                .any(|e| {
                    !e.is_sparse() && e.lcn <= cluster && cluster < e.lcn.saturating_add(e.clusters)
                })
        });
        hit.then_some(n as u64)
    })
}

/// `$MFTMirr` must equal the first records of `$MFT` byte for byte.
fn mirror(vol: &NtfsVolume, inv: &Inventory) -> Option<Finding> {
    let geo = vol.geometry();
    let rs = geo.record_size as u64;
    let m = inv.scan.files.get(1)?;
    let mirr_size = if m.state == ST_IN_USE { m.size } else { 4 * rs };
    let count = (mirr_size / rs).clamp(1, 16);
    let mut bad = Problems::default();
    for n in 0..count {
        let a = map_vcn_byte(geo, &inv.scan.mft_extents, n * rs).map(|(o, _)| o);
        let b = geo.mftmirr_offset.checked_add(n * rs);
        let (Some(a), Some(b)) = (a, b) else { continue };
        match (
            read_vec(&*vol.src, a, rs as usize),
            read_vec(&*vol.src, b, rs as usize),
        ) {
            (Ok(x), Ok(y)) if x == y => {}
            _ => bad.add(1, || format!("record {n} (mirror at byte {b})")),
        }
    }
    bad.finding(
        codes::MFTMIRR_MISMATCH,
        Severity::Error,
        DriveStatus::DiskCorrupted,
        "record(s) of $MFTMirr differ from $MFT",
        CHKDSK,
    )
}

/// Compare `$Bitmap` with the clusters the records own, both ways.
fn bitmap(vol: &NtfsVolume, inv: &Inventory, out: &mut Vec<Finding>) -> Option<u64> {
    let total = vol.geometry().total_clusters;
    let reader = match ContentReader::for_record(vol, inv, 6) {
        Ok(r) => r,
        Err(e) => {
            out.push(Finding::error(
                codes::BITMAP,
                DriveStatus::DiskCorrupted,
                "$Bitmap",
                format!("cannot read $Bitmap: {e}"),
            ));
            return None;
        }
    };
    let (mut free_in_use, mut lost) = (Problems::default(), Problems::default());
    let mut in_use = 0u64;
    let mut word_at = 0usize;
    let owned = &inv.scan.owned;
    let res = reader.for_each_chunk(1 << 20, |chunk| {
        for w in chunk.chunks(8) {
            let mut b = [0u8; 8];
            b[..w.len()].copy_from_slice(w);
            let mut bm = u64::from_le_bytes(b);
            let base = word_at as u64 * 64;
            if base >= total {
                return;
            }
            if total - base < 64 {
                bm &= (1u64 << (total - base)) - 1; // bits past the last cluster mean nothing
            }
            let own = owned.get(word_at).copied().unwrap_or(0);
            in_use += bm.count_ones() as u64;
            let (f, l) = (own & !bm, bm & !own);
            if f != 0 {
                free_in_use.add(f.count_ones() as u64, || {
                    format!("cluster {}", base + f.trailing_zeros() as u64)
                });
            }
            if l != 0 {
                lost.add(l.count_ones() as u64, || {
                    format!("cluster {}", base + l.trailing_zeros() as u64)
                });
            }
            word_at += 1;
        }
    });
    if let Err(e) = res {
        out.push(Finding::error(
            codes::BITMAP,
            DriveStatus::DiskCorrupted,
            "$Bitmap",
            format!("cannot read $Bitmap: {e}"),
        ));
        return None;
    }
    out.extend(free_in_use.finding(
        codes::BITMAP_FREE_IN_USE,
        Severity::Error,
        DriveStatus::DiskCorrupted,
        "cluster(s) in use by files but free in $Bitmap",
        CHKDSK,
    ));
    out.extend(lost.finding(
        codes::LOST_CLUSTERS,
        Severity::Warning,
        DriveStatus::DiskCorrupted,
        "cluster(s) allocated in $Bitmap but owned by no file (lost clusters)",
        CHKDSK,
    ));
    Some(in_use)
}

/// `$UpCase` must map the whole UTF-16 range and fold ASCII and Latin-1 as Windows does.
fn upcase(vol: &NtfsVolume, inv: &Inventory) -> Option<Finding> {
    let bad = |why: String| {
        Some(
            Finding::error(codes::UPCASE, DriveStatus::DiskCorrupted, "$UpCase", why)
                .with_hint(CHKDSK),
        )
    };
    let r = match ContentReader::for_record(vol, inv, 10) {
        Ok(r) => r,
        Err(e) => return bad(format!("cannot read $UpCase: {e}")),
    };
    if r.len() != 131072 {
        return bad(format!("$UpCase is {} bytes, not 131072", r.len()));
    }
    let mut t = [0u8; 512];
    if let Err(e) = r.read_at(0, &mut t) {
        return bad(format!("cannot read $UpCase: {e}"));
    }
    let up = |c: usize| u16::from_le_bytes([t[2 * c], t[2 * c + 1]]);
    let ok = (0..256usize).all(|c| match c {
        0x61..=0x7A => up(c) as usize == c - 32,
        0..=0x7F => up(c) as usize == c,
        0xE0..=0xFE if c != 0xF7 => up(c) as usize == c - 32,
        _ => true,
    });
    if ok {
        None
    } else {
        bad("$UpCase does not map a-z to A-Z (the table is damaged)".into())
    }
}
