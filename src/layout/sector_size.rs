//! The logical sector size: from the device, from `--sector-size`, or inferred
//! from an image's contents.

use super::{gpt, mbr};
use crate::bytes::u16_at;
use crate::source::{read_vec_if_inside, ReadAt};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SectorSizeSource {
    /// The kernel's logical block size (BLKSSZGET).
    Device,
    /// `--sector-size`.
    Option,
    /// Where the GPT header was found (byte 512 or 4096).
    GptHeader,
    /// The bytes-per-sector field of a volume boot sector.
    BootSector,
    /// Nothing told; 512 assumed.
    Default,
}

impl SectorSizeSource {
    pub fn describe(self) -> &'static str {
        match self {
            SectorSizeSource::Device => "the device",
            SectorSizeSource::Option => "--sector-size",
            SectorSizeSource::GptHeader => "the GPT header position",
            SectorSizeSource::BootSector => "the volume boot sector",
            SectorSizeSource::Default => "default; nothing on the disk tells",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct SectorSize {
    pub bytes: u32,
    pub source: SectorSizeSource,
}

/// Bytes per sector from a FAT/NTFS/exFAT-style boot sector, if plausible.
fn boot_sector_bps(sector: &[u8]) -> Option<u32> {
    if !mbr::has_boot_signature(sector) {
        return None;
    }
    if sector.get(3..11) == Some(b"EXFAT   ") {
        let shift = *sector.get(108)?;
        return (9..=12).contains(&shift).then(|| 1u32 << shift);
    }
    let bps = u32::from(u16_at(sector, 11)?);
    matches!(bps, 512 | 1024 | 2048 | 4096).then_some(bps)
}

/// Bytes per sector of the first volume an MBR points at, reading the table
/// in units of `ss`: the first primary partition, or else the first logical
/// one (through the first extended boot record).
fn mbr_volume_bps(disk: &dyn ReadAt, s0: &[u8], ss: u32) -> Option<u32> {
    let ss64 = u64::from(ss);
    let entries = mbr::entries(s0);
    let start = match entries
        .iter()
        .find(|e| e.kind != 0 && !mbr::is_extended(e.kind))
    {
        Some(e) => u64::from(e.start),
        None => {
            let ext = entries.iter().find(|e| mbr::is_extended(e.kind))?;
            let ebr = read_vec_if_inside(disk, u64::from(ext.start) * ss64, 512).ok()??;
            let logical = mbr::entries(&ebr)
                .into_iter()
                .next()
                .filter(|e| e.kind != 0)?;
            u64::from(ext.start) + u64::from(logical.start)
        }
    };
    let vbr = read_vec_if_inside(disk, start.checked_mul(ss64)?, 512).ok()??;
    boot_sector_bps(&vbr)
}

/// Infer the sector size of an image: a GPT header at 512 or 4096, else the
/// boot sector of the first MBR partition (trying both unit sizes), else the
/// boot sector at 0, else 512.
pub fn infer_sector_size(disk: &dyn ReadAt) -> SectorSize {
    let found = |bytes, source| SectorSize { bytes, source };
    for ss in [512u32, 4096] {
        if gpt::signature_at(disk, ss) {
            return found(ss, SectorSizeSource::GptHeader);
        }
    }
    let Ok(Some(s0)) = read_vec_if_inside(disk, 0, 512) else {
        return found(512, SectorSizeSource::Default);
    };
    if mbr::looks_like_mbr(&s0) {
        for ss in [512u32, 4096] {
            if mbr_volume_bps(disk, &s0, ss) == Some(ss) {
                return found(ss, SectorSizeSource::BootSector);
            }
        }
        return found(512, SectorSizeSource::Default);
    }
    match boot_sector_bps(&s0) {
        Some(bps) => found(bps, SectorSizeSource::BootSector),
        None => found(512, SectorSizeSource::Default),
    }
}
