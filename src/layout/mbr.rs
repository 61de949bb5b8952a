//! Master Boot Record: four primary entries, and the chain of extended boot
//! records (EBRs) that holds logical partitions.

use super::{Partition, Role};
use crate::bytes::{has_at, u32_at, u8_at};
use crate::layout::codes;
use crate::report::{DriveStatus, Finding};
use crate::source::{read_vec, ReadAt, ReadError};

/// The most logical partitions we follow; a longer chain is damage or a loop.
const MAX_LOGICAL: usize = 128;

/// One 16-byte entry of a partition table sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub status: u8,
    pub kind: u8,
    pub start: u32,
    pub sectors: u32,
}

pub fn entries(sector: &[u8]) -> [Entry; 4] {
    let e = |i: usize| {
        let o = 446 + 16 * i;
        Entry {
            status: u8_at(sector, o).unwrap_or(0),
            kind: u8_at(sector, o + 4).unwrap_or(0),
            start: u32_at(sector, o + 8).unwrap_or(0),
            sectors: u32_at(sector, o + 12).unwrap_or(0),
        }
    };
    [e(0), e(1), e(2), e(3)]
}

pub fn has_boot_signature(sector: &[u8]) -> bool {
    has_at(sector, 510, &[0x55, 0xAA])
}

/// Does sector 0 hold a plausible partition table (rather than boot code of a
/// file system that starts at sector 0)?
pub fn looks_like_mbr(sector: &[u8]) -> bool {
    if !has_boot_signature(sector) {
        return false;
    }
    let es = entries(sector);
    let used: Vec<&Entry> = es.iter().filter(|e| e.kind != 0).collect();
    !used.is_empty()
        && es.iter().all(|e| e.status == 0 || e.status == 0x80)
        && used.iter().all(|e| e.start != 0 && e.sectors != 0)
}

pub fn is_extended(kind: u8) -> bool {
    matches!(kind, 0x05 | 0x0F | 0x85)
}

pub fn role_of(kind: u8) -> Role {
    match kind {
        k if is_extended(k) => Role::Extended,
        0xEF => Role::EfiSystem,
        0x27 => Role::WindowsRecovery,
        0x42 => Role::LdmData,
        0xEE => Role::Protective,
        _ => Role::Data,
    }
}

pub fn type_name(kind: u8) -> &'static str {
    match kind {
        0x01 => "FAT12",
        0x04 | 0x06 | 0x0E => "FAT16",
        0x05 | 0x0F | 0x85 => "Extended",
        0x07 => "NTFS/exFAT/HPFS",
        0x0B | 0x0C => "FAT32",
        0x27 => "Windows recovery (hidden NTFS)",
        0x42 => "Windows dynamic disk (LDM)",
        0x82 => "Linux swap",
        0x83 => "Linux",
        0x8E => "Linux LVM",
        0xEE => "GPT protective",
        0xEF => "EFI System",
        _ => "unknown",
    }
}

fn partition(number: u32, e: &Entry, start_lba: u64, sector_size: u32) -> Partition {
    Partition::new(
        number,
        start_lba,
        u64::from(e.sectors),
        sector_size,
        format!("0x{:02x}", e.kind),
        type_name(e.kind),
        None,
        role_of(e.kind),
    )
}

/// Parse the MBR in `sector0` (and any EBR chain) into partitions, Linux-numbered:
/// primaries 1–4 by slot, logicals from 5 in chain order.
pub fn parse(
    src: &dyn ReadAt,
    sector0: &[u8],
    sector_size: u32,
    findings: &mut Vec<Finding>,
) -> Result<Vec<Partition>, ReadError> {
    let mut parts = Vec::new();
    let mut extended: Option<(u64, u64)> = None; // (start LBA, sectors)
    for (i, e) in entries(sector0).iter().enumerate() {
        if e.kind == 0 {
            continue;
        }
        let number = i as u32 + 1;
        parts.push(partition(number, e, u64::from(e.start), sector_size));
        if is_extended(e.kind) {
            if extended.is_some() {
                findings.push(Finding::warning(
                    codes::MBR_TWO_EXTENDED,
                    DriveStatus::DiskCorrupted,
                    format!("partition {number}"),
                    "the MBR has more than one extended partition; only the first is followed",
                ));
            } else {
                extended = Some((u64::from(e.start), u64::from(e.sectors)));
            }
        }
    }
    if let Some((ext_start, ext_len)) = extended {
        parse_logicals(src, ext_start, ext_len, sector_size, &mut parts, findings)?;
    }
    Ok(parts)
}

fn parse_logicals(
    src: &dyn ReadAt,
    ext_start: u64,
    ext_len: u64,
    sector_size: u32,
    parts: &mut Vec<Partition>,
    findings: &mut Vec<Finding>,
) -> Result<(), ReadError> {
    let ss = u64::from(sector_size);
    let mut ebr_lba = ext_start;
    let mut seen = std::collections::HashSet::new();
    let mut number = 5u32;
    while seen.insert(ebr_lba) {
        if seen.len() > MAX_LOGICAL {
            findings.push(Finding::error(
                codes::MBR_EBR_CHAIN,
                DriveStatus::DiskCorrupted,
                format!("extended partition at sector {ext_start}"),
                format!("the chain of logical partitions is longer than {MAX_LOGICAL}; it was cut there"),
            ));
            break;
        }
        let off = ebr_lba.checked_mul(ss).filter(|o| o + ss <= src.len());
        let Some(off) = off else {
            findings.push(Finding::error(
                codes::MBR_EBR_OUT_OF_BOUNDS,
                DriveStatus::DiskCorrupted,
                format!("extended boot record at sector {ebr_lba}"),
                "an extended boot record lies past the end of the disk",
            ));
            break;
        };
        let ebr = read_vec(src, off, 512)?;
        if !has_boot_signature(&ebr) {
            findings.push(Finding::error(
                codes::MBR_EBR_SIGNATURE,
                DriveStatus::DiskCorrupted,
                format!("extended boot record at byte {off}"),
                "an extended boot record lacks the 55 AA signature; logical partitions after it are lost",
            ).at_byte(off));
            break;
        }
        let [logical, next, ..] = entries(&ebr);
        if logical.kind != 0 {
            let start = ebr_lba.saturating_add(u64::from(logical.start));
            parts.push(partition(number, &logical, start, sector_size));
            number += 1;
        }
        if next.kind == 0 || !is_extended(next.kind) {
            break;
        }
        let rel = u64::from(next.start);
        if rel >= ext_len {
            findings.push(
                Finding::error(
                    codes::MBR_EBR_OUT_OF_BOUNDS,
                    DriveStatus::DiskCorrupted,
                    format!("extended boot record at byte {off}"),
                    "the next extended boot record points outside the extended partition",
                )
                .at_byte(off),
            );
            break;
        }
        ebr_lba = ext_start.saturating_add(rel);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mbr_with(entries: &[(u8, u8, u32, u32)]) -> Vec<u8> {
        let mut s = vec![0u8; 512];
        for (i, &(st, kind, start, n)) in entries.iter().enumerate() {
            let o = 446 + 16 * i;
            s[o] = st;
            s[o + 4] = kind;
            s[o + 8..o + 12].copy_from_slice(&start.to_le_bytes());
            s[o + 12..o + 16].copy_from_slice(&n.to_le_bytes());
        }
        s[510] = 0x55;
        s[511] = 0xAA;
        s
    }

    #[test]
    fn plausibility() {
        assert!(looks_like_mbr(&mbr_with(&[(0x80, 7, 2048, 100)])));
        assert!(!looks_like_mbr(&mbr_with(&[(0x12, 7, 2048, 100)])));
        assert!(!looks_like_mbr(&mbr_with(&[])));
        assert!(!looks_like_mbr(&mbr_with(&[(0, 7, 0, 100)])));
    }

    #[test]
    fn ebr_loop_terminates() {
        // Extended partition at LBA 1 whose EBR points at itself.
        let mut disk = mbr_with(&[(0, 0x05, 1, 10)]);
        let mut ebr = mbr_with(&[(0, 0x07, 2, 3), (0, 0x05, 0, 10)]);
        disk.append(&mut ebr);
        disk.resize(512 * 12, 0);
        let mut f = Vec::new();
        let parts = parse(&disk, &disk[..512], 512, &mut f).unwrap();
        assert_eq!(parts.len(), 2); // the extended container and one logical
        assert_eq!(parts[1].number, 5);
        assert_eq!(parts[1].start_lba, 3);
    }
}
