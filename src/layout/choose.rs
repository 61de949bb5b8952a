//! Which partition the service imports: the first *data* partition on the disk.
//!
//! The service documents only "the first data volume" (S-REQ; see
//! `docs/layout.md`); we skip
//! what Windows itself creates around data (MSR, ESP, recovery) and LDM
//! metadata, then take the first partition in on-disk order.

use super::{DiskLayout, Partition, Role, TableKind};
use crate::layout::codes;
use crate::report::{DriveStatus, Finding};
use serde::Serialize;

/// The volume the checks continue with.
#[derive(Debug, Clone, Serialize)]
pub struct Chosen {
    /// `None` when there is no partition table and the volume is the whole disk.
    pub partition: Option<u32>,
    pub offset: u64,
    pub size: u64,
    /// Why this one, in words.
    pub reason: String,
}

pub fn first_data_volume(
    layout: &DiskLayout,
    disk_len: u64,
    findings: &mut Vec<Finding>,
) -> Option<Chosen> {
    if layout.table == TableKind::None {
        return Some(Chosen {
            partition: None,
            offset: 0,
            size: disk_len,
            reason: "no partition table: the volume starts at sector 0 (superfloppy)".into(),
        });
    }
    let mut ordered: Vec<&Partition> = layout.partitions.iter().collect();
    ordered.sort_by_key(|p| (p.start_lba, p.number));
    if ordered
        .iter()
        .any(|p| matches!(p.role, Role::LdmMetadata | Role::LdmData))
    {
        findings.push(
            Finding::error(
                codes::LAYOUT_DYNAMIC_DISK,
                DriveStatus::NtfsVolumeNotFound,
                "partition table",
                "this is a Windows dynamic disk (LDM); the service reads only basic disks",
            )
            .with_hint("convert the drive to a basic disk with one NTFS volume (back up, then `diskpart clean` and re-create)"),
        );
    }
    let mut skipped = Vec::new();
    for p in ordered {
        match p.role {
            Role::Data if !p.inverted && p.sectors > 0 => {
                let mut reason = format!(
                    "partition {} is the first data partition on the disk",
                    p.number
                );
                if !skipped.is_empty() {
                    reason.push_str(&format!(" (skipped: {})", skipped.join(", ")));
                }
                return Some(Chosen {
                    partition: Some(p.number),
                    offset: p.offset,
                    size: p.size,
                    reason,
                });
            }
            Role::Extended => {} // its logicals are listed on their own
            _ => skipped.push(format!("partition {} {}", p.number, p.type_name)),
        }
    }
    findings.push(
        Finding::error(
            codes::LAYOUT_NO_DATA_PARTITION,
            DriveStatus::NtfsVolumeNotFound,
            "partition table",
            if skipped.is_empty() {
                "the partition table holds no partitions".to_string()
            } else {
                format!(
                    "the partition table holds no data partition (only {})",
                    skipped.join(", ")
                )
            },
        )
        .with_hint("create one NTFS partition that spans the drive"),
    );
    None
}
