//! GUID Partition Table: primary header at LBA 1, backup header at the last
//! LBA, each with a CRC-32 over the header and one over the entry array.

use super::{Partition, Role};
use crate::bytes::{has_at, u32_at, u64_at};
use crate::guid::Guid;
use crate::layout::codes;
use crate::report::{DriveStatus, Finding};
use crate::source::{read_vec, ReadAt, ReadError};
use serde::Serialize;

/// Entry arrays larger than this are damage, not a real table (the usual one is 16 KiB).
const MAX_ENTRY_ARRAY: u64 = 4 << 20;

pub const MICROSOFT_RESERVED: &str = "E3C9E316-0B5C-4DB8-817D-F92DF00215AE";
pub const EFI_SYSTEM: &str = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
pub const WINDOWS_RECOVERY: &str = "DE94BBA4-06D1-4D40-A16A-BFD50179D6AC";
pub const LDM_METADATA: &str = "5808C8AA-7E8F-42E0-85D2-E1E90434CFB3";
pub const LDM_DATA: &str = "AF9B60A0-1431-4F62-BC68-3311714A69AD";
pub const BASIC_DATA: &str = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7";

fn type_info(t: &Guid) -> (&'static str, Role) {
    let s = t.to_string();
    match s.as_str() {
        MICROSOFT_RESERVED => ("Microsoft reserved", Role::MicrosoftReserved),
        EFI_SYSTEM => ("EFI System", Role::EfiSystem),
        WINDOWS_RECOVERY => ("Windows recovery", Role::WindowsRecovery),
        LDM_METADATA => ("Windows LDM metadata", Role::LdmMetadata),
        LDM_DATA => ("Windows LDM data", Role::LdmData),
        BASIC_DATA => ("Microsoft basic data", Role::Data),
        "0FC63DAF-8483-4772-8E79-3D69D8477DE4" => ("Linux filesystem", Role::Data),
        "E6D6D379-F507-44C2-A23C-238F2A3DF928" => ("Linux LVM", Role::Data),
        "48465300-0000-11AA-AA11-00306543ECAC" => ("Apple HFS+", Role::Data),
        "7C3457EF-0000-11AA-AA11-00306543ECAC" => ("Apple APFS", Role::Data),
        _ => ("unknown", Role::Data),
    }
}

/// The header fields we use.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub disk_guid: Guid,
    pub my_lba: u64,
    pub alternate_lba: u64,
    pub first_usable: u64,
    pub last_usable: u64,
    pub entries_lba: u64,
    pub entry_count: u32,
    pub entry_size: u32,
    #[serde(skip)]
    pub entries_crc: u32,
}

/// Why a header (or its entries) cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderProblem {
    NoSignature,
    BadSize(u32),
    HeaderCrc { stored: u32, computed: u32 },
    WrongLba { expected: u64, found: u64 },
    BadEntryGeometry,
    EntriesOutOfBounds,
    EntriesCrc { stored: u32, computed: u32 },
}

impl std::fmt::Display for HeaderProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeaderProblem::NoSignature => write!(f, "no \"EFI PART\" signature"),
            HeaderProblem::BadSize(s) => write!(f, "header size {s} is out of range"),
            HeaderProblem::HeaderCrc { stored, computed } => write!(
                f,
                "header CRC-32 is {stored:08x} but the header hashes to {computed:08x}"
            ),
            HeaderProblem::WrongLba { expected, found } => {
                write!(f, "header says it is at LBA {found}, but it was read at LBA {expected}")
            }
            HeaderProblem::BadEntryGeometry => write!(f, "entry count or entry size is invalid"),
            HeaderProblem::EntriesOutOfBounds => write!(f, "partition entry array lies past the end of the disk"),
            HeaderProblem::EntriesCrc { stored, computed } => write!(
                f,
                "partition entry array CRC-32 is {stored:08x} but the entries hash to {computed:08x}"
            ),
        }
    }
}

/// Is there a GPT header signature at LBA 1 for this sector size?
pub fn signature_at(src: &dyn ReadAt, sector_size: u32) -> bool {
    let mut b = [0u8; 8];
    src.read_exact_at(&mut b, u64::from(sector_size)).is_ok() && &b == b"EFI PART"
}

/// Parse and verify the header in `sector` that was read at `lba`.
pub fn parse_header(sector: &[u8], lba: u64) -> Result<Header, HeaderProblem> {
    if !has_at(sector, 0, b"EFI PART") {
        return Err(HeaderProblem::NoSignature);
    }
    let size = u32_at(sector, 12).unwrap_or(0);
    if size < 92 || size as usize > sector.len() {
        return Err(HeaderProblem::BadSize(size));
    }
    let stored = u32_at(sector, 16).unwrap_or(0);
    let mut copy = sector[..size as usize].to_vec();
    copy[16..20].fill(0);
    let computed = crc32fast::hash(&copy);
    if stored != computed {
        return Err(HeaderProblem::HeaderCrc { stored, computed });
    }
    let field = |o| u64_at(sector, o).unwrap_or(0);
    let h = Header {
        my_lba: field(24),
        alternate_lba: field(32),
        first_usable: field(40),
        last_usable: field(48),
        disk_guid: Guid::from_disk(&sector[56..]).unwrap_or_default(),
        entries_lba: field(72),
        entry_count: u32_at(sector, 80).unwrap_or(0),
        entry_size: u32_at(sector, 84).unwrap_or(0),
        entries_crc: u32_at(sector, 88).unwrap_or(0),
    };
    if h.my_lba != lba {
        return Err(HeaderProblem::WrongLba {
            expected: lba,
            found: h.my_lba,
        });
    }
    let array = u64::from(h.entry_count) * u64::from(h.entry_size);
    if h.entry_size < 128 || !h.entry_size.is_power_of_two() || array > MAX_ENTRY_ARRAY {
        return Err(HeaderProblem::BadEntryGeometry);
    }
    Ok(h)
}

/// Read the entry array a header points at and verify its CRC.
pub fn read_entries(
    src: &dyn ReadAt,
    h: &Header,
    sector_size: u32,
) -> Result<Result<Vec<u8>, HeaderProblem>, ReadError> {
    let len = u64::from(h.entry_count) * u64::from(h.entry_size);
    let Some(off) = h.entries_lba.checked_mul(u64::from(sector_size)) else {
        return Ok(Err(HeaderProblem::EntriesOutOfBounds));
    };
    if off.checked_add(len).is_none_or(|end| end > src.len()) {
        return Ok(Err(HeaderProblem::EntriesOutOfBounds));
    }
    let bytes = read_vec(src, off, len as usize)?;
    let computed = crc32fast::hash(&bytes);
    if computed != h.entries_crc {
        return Ok(Err(HeaderProblem::EntriesCrc {
            stored: h.entries_crc,
            computed,
        }));
    }
    Ok(Ok(bytes))
}

/// Partitions from a verified entry array, numbered by slot (as Linux does).
pub fn partitions(entries: &[u8], h: &Header, sector_size: u32) -> Vec<Partition> {
    let size = h.entry_size as usize;
    let mut out = Vec::new();
    for (i, e) in entries.chunks_exact(size).enumerate() {
        let Some(type_guid) = Guid::from_disk(e) else {
            continue;
        };
        if type_guid.is_zero() {
            continue;
        }
        let first = u64_at(e, 32).unwrap_or(0);
        let last = u64_at(e, 40).unwrap_or(0);
        let name = crate::bytes::utf16le(e.get(56..128).unwrap_or(&[]));
        let (tname, role) = type_info(&type_guid);
        let sectors = last.checked_sub(first).map_or(0, |d| d.saturating_add(1));
        let mut p = Partition::new(
            i as u32 + 1,
            first,
            sectors,
            sector_size,
            type_guid.to_string(),
            tname,
            (!name.is_empty()).then_some(name),
            role,
        );
        if last < first {
            p.inverted = true;
        }
        out.push(p);
    }
    out
}

/// The outcome of reading both copies of the table.
pub struct Gpt {
    pub header: Header,
    pub partitions: Vec<Partition>,
    /// Which copy the partitions came from.
    pub used_backup: bool,
}

/// One copy of the table: its header and its raw entries.
type TableCopy = (Header, Vec<u8>);

/// Read primary and backup, compare them, and report every problem.
pub fn read(
    src: &dyn ReadAt,
    sector_size: u32,
    findings: &mut Vec<Finding>,
) -> Result<Option<Gpt>, ReadError> {
    let ss = u64::from(sector_size);
    let disk_sectors = src.len() / ss;
    let primary = read_copy(src, 1, sector_size)?;
    if let Err(p) = &primary {
        findings.push(
            Finding::error(
                codes::GPT_PRIMARY_INVALID,
                DriveStatus::DiskCorrupted,
                format!("primary GPT header at byte {ss}"),
                format!("the primary GPT is damaged: {p}"),
            )
            .at_byte(ss)
            .with_hint("repair the table on Windows (diskpart) or with `sgdisk --verify` / gdisk's recovery menu before shipping"),
        );
    }
    // The backup lives where the primary says, or else in the last sector.
    let backup_lba = match &primary {
        Ok((h, _)) => h.alternate_lba,
        Err(_) => disk_sectors.saturating_sub(1),
    };
    let backup = read_backup(src, backup_lba, disk_sectors, sector_size, findings)?;
    let Some((header, entries, used_backup)) = choose_copy(primary, backup, findings) else {
        return Ok(None);
    };
    let parts = partitions(&entries, &header, sector_size);
    check_bounds(&header, &parts, disk_sectors, findings);
    Ok(Some(Gpt {
        header,
        partitions: parts,
        used_backup,
    }))
}

/// The copy whose header is at `lba`: the header and its entries, or what is
/// wrong with them.
fn read_copy(
    src: &dyn ReadAt,
    lba: u64,
    sector_size: u32,
) -> Result<Result<TableCopy, HeaderProblem>, ReadError> {
    let sector = read_vec(src, lba * u64::from(sector_size), sector_size as usize)?;
    Ok(match parse_header(&sector, lba) {
        Ok(h) => match read_entries(src, &h, sector_size)? {
            Ok(e) => Ok((h, e)),
            Err(p) => Err(p),
        },
        Err(p) => Err(p),
    })
}

/// The backup copy at `backup_lba` when it is inside the disk and valid,
/// with a finding when it is not, or not in the last sector.
fn read_backup(
    src: &dyn ReadAt,
    backup_lba: u64,
    disk_sectors: u64,
    sector_size: u32,
    findings: &mut Vec<Finding>,
) -> Result<Option<TableCopy>, ReadError> {
    if backup_lba == 0 || backup_lba >= disk_sectors {
        findings.push(Finding::error(
            codes::GPT_BACKUP_PAST_END,
            DriveStatus::DiskCorrupted,
            format!("backup GPT header at LBA {backup_lba}"),
            format!(
                "the backup GPT header should be at LBA {backup_lba}, but the disk has only {disk_sectors} sectors: the disk or image is truncated, or the table was written for a larger disk"
            ),
        ));
        return Ok(None);
    }
    let parsed = read_copy(src, backup_lba, sector_size)?;
    if let Err(p) = &parsed {
        findings.push(Finding::error(
            codes::GPT_BACKUP_INVALID,
            DriveStatus::DiskCorrupted,
            format!("backup GPT header at LBA {backup_lba}"),
            format!("the backup GPT is damaged: {p}"),
        ));
    }
    let backup = parsed.ok();
    if backup_lba != disk_sectors.saturating_sub(1) && backup.is_some() {
        findings.push(Finding::warning(
            codes::GPT_BACKUP_NOT_AT_END,
            DriveStatus::DiskCorrupted,
            format!("backup GPT header at LBA {backup_lba}"),
            format!(
                "the backup GPT header is not in the last sector (LBA {})",
                disk_sectors.saturating_sub(1)
            ),
        ));
    }
    Ok(backup)
}

/// The copy the partitions come from: the primary when valid (compared with
/// the backup), else the backup; the flag says it is the backup.
fn choose_copy(
    primary: Result<TableCopy, HeaderProblem>,
    backup: Option<TableCopy>,
    findings: &mut Vec<Finding>,
) -> Option<(Header, Vec<u8>, bool)> {
    match (primary, backup) {
        (Ok((ph, pe)), Some((bh, be))) => {
            if ph.disk_guid != bh.disk_guid
                || pe != be
                || ph.first_usable != bh.first_usable
                || ph.last_usable != bh.last_usable
            {
                findings.push(Finding::error(
                    codes::GPT_BACKUP_MISMATCH,
                    DriveStatus::DiskCorrupted,
                    "backup GPT",
                    "the backup GPT describes different partitions than the primary",
                ));
            }
            Some((ph, pe, false))
        }
        (Ok((ph, pe)), None) => Some((ph, pe, false)),
        (Err(_), Some((bh, be))) => Some((bh, be, true)),
        (Err(_), None) => None,
    }
}

fn check_bounds(h: &Header, parts: &[Partition], disk_sectors: u64, findings: &mut Vec<Finding>) {
    for p in parts {
        let subject = format!("partition {}", p.number);
        if p.inverted {
            findings.push(Finding::error(
                codes::GPT_ENTRY_INVERTED,
                DriveStatus::DiskCorrupted,
                subject.clone(),
                "the partition's last LBA is before its first LBA",
            ));
            continue;
        }
        if p.start_lba < h.first_usable || p.end_lba() > h.last_usable.saturating_add(1) {
            findings.push(Finding::error(
                codes::GPT_ENTRY_OUTSIDE_USABLE,
                DriveStatus::DiskCorrupted,
                subject,
                format!(
                    "sectors {}..{} are outside the usable range {}..{} of the GPT",
                    p.start_lba,
                    p.end_lba().saturating_sub(1),
                    h.first_usable,
                    h.last_usable
                ),
            ));
        }
    }
    let _ = disk_sectors; // end-of-disk and overlap checks are shared with MBR (layout::check_common)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_crc_is_checked() {
        let mut s = vec![0u8; 512];
        s[..8].copy_from_slice(b"EFI PART");
        s[12..16].copy_from_slice(&92u32.to_le_bytes());
        s[24..32].copy_from_slice(&1u64.to_le_bytes());
        s[80..84].copy_from_slice(&128u32.to_le_bytes());
        s[84..88].copy_from_slice(&128u32.to_le_bytes());
        let crc = crc32fast::hash(&s[..92]);
        s[16..20].copy_from_slice(&crc.to_le_bytes());
        assert!(parse_header(&s, 1).is_ok());
        assert!(matches!(
            parse_header(&s, 2),
            Err(HeaderProblem::WrongLba { .. })
        ));
        s[60] ^= 1;
        assert!(matches!(
            parse_header(&s, 1),
            Err(HeaderProblem::HeaderCrc { .. })
        ));
    }
}
