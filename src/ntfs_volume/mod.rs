//! The NTFS volume: facts, inventory of every reachable file with its extents,
//! content reading, and read-only consistency checks (see issue 3).
//!
//! Entry point: [`NtfsVolume::open`] on any [`ReadAt`] (an image, a partition
//! window, later a decrypting BitLocker view), or [`analyze`] for everything at once.
//! The `ntfs` crate validates the boot sector, handed only the 512 bytes we
//! read ourselves, from memory: it turns a short or failed read into a panic.
//! ([`VolumeReader`] is a `Read + Seek` adapter with an aligned cache for
//! callers that want the crate on a whole volume.) The MFT and indexes are parsed
//! here. Why not the crate for those: it re-reads and re-parses `$MFT` record 0
//! for every file it opens, and it unwraps values read from disk, so it can
//! neither walk a million files in one sequential pass nor promise no panic on
//! a damaged volume. Our parser reads the MFT once, every field bounds-checked.
//!
//! Named `ntfs_volume`, not `ntfs`, on purpose: the `ntfs` crate is still used
//! (the boot-sector check above), and a crate-root module `ntfs` would make
//! every `ntfs::…` path at the crate root ambiguous between the two and force
//! `::ntfs::…` on the crate's users here. The name costs nothing and says what
//! the module holds: one NTFS volume, read by us.

mod content;
mod error;
mod index;
mod integrity;
mod inventory;
mod listing;
mod lznt1;
mod mft;
mod reader;
mod record;

pub use content::ContentReader;
pub use error::NtfsError;
pub use inventory::{in_windows_root_folder, DataRef, EntryInfo, Inventory, StreamInfo};
pub use listing::{fls_lines, json_entries, write_fls, LsOptions};
pub use reader::VolumeReader;
pub use record::{Extent, SPARSE};

use crate::report::{DriveStatus, Finding};
use crate::source::{read_vec_if_inside, ReadAt};
use serde::Serialize;
use std::sync::Arc;

/// The stable finding codes of the NTFS volume checks (`ntfs.*`, all but the boot sector's, which are `probe::codes`).
pub mod codes {
    crate::finding_codes! {
        MFT_FIXUP = "ntfs.mft-fixup";
        MFTMIRR_MISMATCH = "ntfs.mftmirr-mismatch";
        EXTENT_OUT_OF_BOUNDS = "ntfs.extent-out-of-bounds";
        CROSS_LINKED = "ntfs.cross-linked";
        BITMAP_FREE_IN_USE = "ntfs.bitmap-free-in-use";
        BAD_INDEX_ENTRY = "ntfs.bad-index-entry";
        DIRECTORY_CYCLE = "ntfs.directory-cycle";
        MFT_INCOMPLETE = "ntfs.mft-incomplete";
        UPCASE = "ntfs.upcase";
        VERSION = "ntfs.version";
        VOLUME_INFO = "ntfs.volume-info";
        BAD_ATTRIBUTE = "ntfs.bad-attribute";
        BITMAP = "ntfs.bitmap";
        VOLUME_TRUNCATED = "ntfs.volume-truncated";
        UNREADABLE = "ntfs.unreadable";
        MFT_UNUSABLE = "ntfs.mft-unusable";
        DIRTY = "ntfs.dirty";
        LOST_CLUSTERS = "ntfs.lost-clusters";
        ORPHAN_RECORDS = "ntfs.orphan-records";
        MFT_UNREADABLE = "ntfs.mft-unreadable";
    }
}

/// Where things are on the volume, from its boot sector.
#[derive(Debug, Clone, Serialize)]
pub struct Geometry {
    pub sector_size: u16,
    pub cluster_size: u64,
    pub record_size: usize,
    pub volume_size: u64,
    pub total_clusters: u64,
    pub mft_offset: u64,
    pub mftmirr_offset: u64,
    pub serial: u64,
}

/// Facts about the volume for the report (`volume.ntfs` in JSON).
#[derive(Debug, Clone, Serialize)]
pub struct VolumeFacts {
    pub label: String,
    /// 16 uppercase hex digits.
    pub serial: String,
    /// "3.1"; empty when `$Volume` is unreadable.
    pub version: String,
    pub cluster_size: u64,
    pub volume_size: u64,
    pub mft_size: u64,
    pub files: u64,
    pub directories: u64,
    /// Clusters marked in use by `$Bitmap`, in bytes.
    pub bytes_in_use: Option<u64>,
    pub dirty: bool,
}

/// An opened NTFS volume.
pub struct NtfsVolume {
    pub(crate) src: Arc<dyn ReadAt>,
    geo: Geometry,
}

impl NtfsVolume {
    /// Validate the boot sector and learn the geometry. Reads nothing else.
    pub fn open(src: Arc<dyn ReadAt>) -> Result<Self, NtfsError> {
        // The crate gets exactly the 512 bytes of the boot sector, from memory:
        // it turns any failed or short read into `unreachable!()` (ntfs 0.4,
        // `From<binrw::Error>`), so it must never see one.
        let boot = read_vec_if_inside(&*src, 0, 512)?.ok_or_else(|| {
            NtfsError::NotNtfs(format!(
                "the volume is {} bytes, shorter than a 512-byte boot sector",
                src.len()
            ))
        })?;
        let ntfs = ntfs::Ntfs::new(&mut std::io::Cursor::new(&boot[..]))
            .map_err(|e| NtfsError::NotNtfs(e.to_string()))?;
        let cluster_size = ntfs.cluster_size() as u64;
        let record_size = ntfs.file_record_size() as usize;
        if !(512..=65536).contains(&record_size) || record_size % 512 != 0 {
            return Err(NtfsError::corrupt(
                0x40,
                format!("file record size {record_size}"),
            ));
        }
        let mirr_lcn = u64::from_le_bytes(boot[0x38..0x40].try_into().unwrap_or([0; 8]));
        let geo = Geometry {
            sector_size: ntfs.sector_size(),
            cluster_size,
            record_size,
            volume_size: ntfs.size(),
            total_clusters: ntfs.size() / cluster_size,
            mft_offset: ntfs.mft_position().value().map_or(0, |v| v.get()),
            mftmirr_offset: mirr_lcn
                .checked_mul(cluster_size)
                .ok_or_else(|| NtfsError::corrupt(0x38, "$MFTMirr cluster number overflows"))?,
            serial: ntfs.serial_number(),
        };
        Ok(NtfsVolume { src, geo })
    }

    pub fn geometry(&self) -> &Geometry {
        &self.geo
    }

    /// Scan `$MFT` and walk the directory tree from the root.
    pub fn inventory(&self) -> Result<Inventory, NtfsError> {
        inventory::build(&*self.src, &self.geo)
    }

    /// The volume facts and every consistency finding.
    pub fn examine(&self, inv: &Inventory) -> (VolumeFacts, Vec<Finding>) {
        let vi = integrity::volume_info(self, inv);
        let (findings, in_use) = integrity::check(self, inv, &vi);
        let (files, directories) = inv.counts();
        let facts = VolumeFacts {
            label: vi.label,
            serial: format!("{:016X}", self.geo.serial),
            version: if vi.found {
                format!("{}.{}", vi.major, vi.minor)
            } else {
                String::new()
            },
            cluster_size: self.geo.cluster_size,
            volume_size: self.geo.volume_size,
            mft_size: inv.scan.mft_bytes,
            files,
            directories,
            bytes_in_use: in_use.and_then(|c| c.checked_mul(self.geo.cluster_size)),
            dirty: vi.flags & 1 != 0,
        };
        (facts, findings)
    }

    /// The runs of clusters `$Bitmap` marks free, as `(first cluster, count)`,
    /// in order (bits past the last cluster are ignored).
    pub fn free_runs(&self, inv: &Inventory) -> Result<Vec<(u64, u64)>, NtfsError> {
        let total = self.geo.total_clusters;
        let reader = ContentReader::for_record(self, inv, 6)?;
        let mut runs: Vec<(u64, u64)> = Vec::new();
        let mut bit = 0u64;
        reader.for_each_chunk(1 << 20, |chunk| {
            for &byte in chunk {
                if bit >= total {
                    return;
                }
                if byte == 0xff {
                    bit += 8;
                    continue;
                }
                if byte == 0 && bit + 8 <= total {
                    match runs.last_mut() {
                        Some((s, n)) if *s + *n == bit => *n += 8,
                        _ => runs.push((bit, 8)),
                    }
                    bit += 8;
                    continue;
                }
                for k in 0..8u64 {
                    let c = bit + k;
                    if c >= total {
                        break;
                    }
                    if byte & (1 << k) == 0 {
                        match runs.last_mut() {
                            Some((s, n)) if *s + *n == c => *n += 1,
                            _ => runs.push((c, 1)),
                        }
                    }
                }
                bit += 8;
            }
        })?;
        Ok(runs)
    }

    /// A reader of the unnamed data stream of inventory entry `i`.
    pub fn content<'a>(
        &'a self,
        inv: &'a Inventory,
        i: usize,
    ) -> Result<ContentReader<'a>, NtfsError> {
        ContentReader::new(self, inv, i)
    }
}

/// Everything the NTFS stage learns; never fails: what could not be done is a finding.
pub struct Analysis {
    pub volume: Option<NtfsVolume>,
    pub facts: Option<VolumeFacts>,
    pub inventory: Option<Inventory>,
    pub findings: Vec<Finding>,
}

/// Open, inventory and check the volume.
pub fn analyze(src: Arc<dyn ReadAt>) -> Analysis {
    let mut a = Analysis {
        volume: None,
        facts: None,
        inventory: None,
        findings: Vec::new(),
    };
    let vol = match NtfsVolume::open(src.clone()) {
        Ok(v) => v,
        Err(e) => {
            a.findings.push(Finding::error(
                codes::UNREADABLE,
                DriveStatus::DiskCorrupted,
                "boot sector",
                e.to_string(),
            ));
            return a;
        }
    };
    match vol.inventory() {
        Ok(inv) => {
            let (facts, findings) = vol.examine(&inv);
            a.facts = Some(facts);
            a.findings = findings;
            a.inventory = Some(inv);
        }
        Err(e) => {
            if src.len() < vol.geo.volume_size {
                a.findings.push(Finding::error(
                    codes::VOLUME_TRUNCATED,
                    DriveStatus::DiskCorrupted,
                    format!("byte {}", src.len()),
                    format!(
                        "the volume is {} bytes by its boot sector but only {} bytes can be read",
                        vol.geo.volume_size,
                        src.len()
                    ),
                ));
            }
            let subject = e
                .offset()
                .map_or("$MFT".to_string(), |o| format!("byte {o}"));
            a.findings.push(
                Finding::error(
                    codes::MFT_UNUSABLE,
                    DriveStatus::DiskCorrupted,
                    subject,
                    format!("the file table cannot be walked: {e}"),
                )
                .with_hint("run `chkdsk /f` on Windows, then check again"),
            );
        }
    }
    a.volume = Some(vol);
    a
}
