//! Disk layout: which partition table the disk has (GPT, MBR or none), its
//! partitions, and which one is the *first data volume* the service imports.

mod choose;
pub mod gpt;
pub mod mbr;
mod sector_size;

pub use choose::{first_data_volume, Chosen};
pub use sector_size::{infer_sector_size, SectorSize, SectorSizeSource};

use crate::guid::Guid;
use crate::report::{DriveStatus, Finding};
use crate::source::{read_vec, ReadAt, ReadError, SharedSource};
use serde::Serialize;

/// The stable finding codes of the partition-table checks (`gpt.*`, `mbr.*`, `layout.*`).
pub mod codes {
    crate::finding_codes! {
        GPT_PRIMARY_INVALID = "gpt.primary-invalid";
        GPT_BACKUP_INVALID = "gpt.backup-invalid";
        GPT_BACKUP_PAST_END = "gpt.backup-past-end";
        GPT_BACKUP_NOT_AT_END = "gpt.backup-not-at-end";
        GPT_BACKUP_MISMATCH = "gpt.backup-mismatch";
        GPT_UNREADABLE = "gpt.unreadable";
        GPT_ENTRY_INVERTED = "gpt.entry-inverted";
        GPT_ENTRY_OUTSIDE_USABLE = "gpt.entry-outside-usable";
        MBR_TWO_EXTENDED = "mbr.two-extended";
        MBR_EBR_CHAIN = "mbr.ebr-chain";
        MBR_EBR_OUT_OF_BOUNDS = "mbr.ebr-out-of-bounds";
        MBR_EBR_SIGNATURE = "mbr.ebr-signature";
        LAYOUT_PARTITION_PAST_END = "layout.partition-past-end";
        LAYOUT_PARTITIONS_OVERLAP = "layout.partitions-overlap";
        LAYOUT_DYNAMIC_DISK = "layout.dynamic-disk";
        LAYOUT_NO_DATA_PARTITION = "layout.no-data-partition";
    }
}

/// What a partition is for, as far as choosing the data volume goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Data,
    MicrosoftReserved,
    EfiSystem,
    WindowsRecovery,
    LdmMetadata,
    LdmData,
    /// An MBR extended partition: a container for logical partitions.
    Extended,
    /// The 0xEE entry of a protective MBR.
    Protective,
}

#[derive(Debug, Clone, Serialize)]
pub struct Partition {
    /// 1-based, as Linux names it (`sdb1`; MBR logicals from 5).
    pub number: u32,
    pub start_lba: u64,
    pub sectors: u64,
    /// Byte offset and length on the disk.
    pub offset: u64,
    pub size: u64,
    /// MBR type byte (`0x07`) or GPT type GUID.
    pub type_code: String,
    pub type_name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub role: Role,
    #[serde(skip)]
    pub inverted: bool,
}

impl Partition {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        number: u32,
        start_lba: u64,
        sectors: u64,
        sector_size: u32,
        type_code: String,
        type_name: &'static str,
        name: Option<String>,
        role: Role,
    ) -> Self {
        let ss = u64::from(sector_size);
        Partition {
            number,
            start_lba,
            sectors,
            offset: start_lba.saturating_mul(ss),
            size: sectors.saturating_mul(ss),
            type_code,
            type_name,
            name,
            role,
            inverted: false,
        }
    }

    /// One past the last sector.
    pub fn end_lba(&self) -> u64 {
        self.start_lba.saturating_add(self.sectors)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TableKind {
    Gpt,
    Mbr,
    /// No partition table: a file system (or nothing) starts at sector 0.
    None,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiskLayout {
    pub table: TableKind,
    pub sector_size: u32,
    pub partitions: Vec<Partition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpt_disk_guid: Option<Guid>,
    /// GPT only: the partitions came from the backup table.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub from_backup_gpt: bool,
}

/// Read the table and give the first data volume as its own source.
/// Findings are dropped: this is for listing, not judging.
pub fn first_data_volume_of(
    disk: &SharedSource,
    sector_size: u32,
) -> Result<Option<(Chosen, SharedSource)>, ReadError> {
    let mut ignored = Vec::new();
    let layout = read_layout(disk.as_ref(), sector_size, &mut ignored)?;
    Ok(
        first_data_volume(&layout, disk.len(), &mut ignored).map(|c| {
            let w: SharedSource =
                std::sync::Arc::new(crate::source::Window::new(disk.clone(), c.offset, c.size));
            (c, w)
        }),
    )
}

/// Read the partition table of `disk`, whose logical sectors are `sector_size` bytes.
pub fn read_layout(
    disk: &dyn ReadAt,
    sector_size: u32,
    findings: &mut Vec<Finding>,
) -> Result<DiskLayout, ReadError> {
    let ss = u64::from(sector_size);
    let mut layout = DiskLayout {
        table: TableKind::None,
        sector_size,
        partitions: Vec::new(),
        gpt_disk_guid: None,
        from_backup_gpt: false,
    };
    if disk.len() < ss {
        return Ok(layout);
    }
    let sector0 = read_vec(disk, 0, 512)?;
    let mbr_ok = mbr::looks_like_mbr(&sector0);
    let protective = mbr_ok && mbr::entries(&sector0).iter().any(|e| e.kind == 0xEE);
    // A GPT is read when the MBR is protective, or when a GPT signature is there
    // without one (a damaged MBR must not hide the GPT).
    if protective
        || (!mbr_ok && gpt::signature_at(disk, sector_size))
        || (!mbr_ok && disk.len() > ss && backup_gpt_signature(disk, ss))
    {
        if let Some(g) = gpt::read(disk, sector_size, findings)? {
            layout.table = TableKind::Gpt;
            layout.gpt_disk_guid = Some(g.header.disk_guid);
            layout.from_backup_gpt = g.used_backup;
            layout.partitions = g.partitions;
        } else if protective {
            findings.push(Finding::error(
                codes::GPT_UNREADABLE,
                DriveStatus::DiskCorrupted,
                "GPT",
                "the MBR says the disk is GPT, but neither the primary nor the backup GPT is valid",
            ));
            layout.table = TableKind::Gpt;
        }
    } else if mbr_ok {
        layout.table = TableKind::Mbr;
        layout.partitions = mbr::parse(disk, &sector0, sector_size, findings)?;
    }
    check_common(&layout, disk.len() / ss, findings);
    Ok(layout)
}

fn backup_gpt_signature(disk: &dyn ReadAt, ss: u64) -> bool {
    let last = (disk.len() / ss).saturating_sub(1) * ss;
    let mut b = [0u8; 8];
    last > 0 && disk.read_exact_at(&mut b, last).is_ok() && &b == b"EFI PART"
}

/// Bounds and overlap checks that apply to every table kind.
fn check_common(layout: &DiskLayout, disk_sectors: u64, findings: &mut Vec<Finding>) {
    let real: Vec<&Partition> = layout
        .partitions
        .iter()
        .filter(|p| !matches!(p.role, Role::Protective) && !p.inverted)
        .collect();
    for p in &real {
        if p.end_lba() > disk_sectors {
            findings.push(
                Finding::error(
                    codes::LAYOUT_PARTITION_PAST_END,
                    DriveStatus::DiskCorrupted,
                    format!("partition {}", p.number),
                    format!(
                        "partition {} ends at sector {} but the disk has only {} sectors of {} bytes ({} sectors missing)",
                        p.number,
                        p.end_lba(),
                        disk_sectors,
                        layout.sector_size,
                        p.end_lba() - disk_sectors
                    ),
                )
                .with_hint("the image may be truncated, or the table was copied from a larger disk; re-create the partition to fit the drive"),
            );
        }
    }
    // Overlaps: a logical partition lies inside its extended container by design.
    for (i, a) in real.iter().enumerate() {
        for b in &real[i + 1..] {
            if a.role == Role::Extended || b.role == Role::Extended {
                continue;
            }
            if a.start_lba < b.end_lba() && b.start_lba < a.end_lba() {
                findings.push(Finding::error(
                    codes::LAYOUT_PARTITIONS_OVERLAP,
                    DriveStatus::DiskCorrupted,
                    format!("partitions {} and {}", a.number, b.number),
                    format!(
                        "partition {} (sectors {}..{}) overlaps partition {} (sectors {}..{})",
                        a.number,
                        a.start_lba,
                        a.end_lba() - 1,
                        b.number,
                        b.start_lba,
                        b.end_lba() - 1
                    ),
                ));
            }
        }
    }
}
