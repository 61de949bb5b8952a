//! The check report: what `check --json` prints. Built once, at the end of
//! [`super::run`], from the stages' working state; it holds nothing that is
//! not printed.

use super::content::ContentReport;
use super::rules::RulesRun;
use super::JobType;
use crate::layout::{self, SectorSizeSource, TableKind};
use crate::ntfs_volume::VolumeFacts;
use crate::probe::{ntfs_boot::NtfsBoot, VolumeType};
use crate::report::Outcome;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub job_type: JobType,
    #[serde(flatten)]
    pub outcome: Outcome,
    pub disk: DiskReport,
    pub volume: Option<VolumeReport>,
    /// The Azure rules per source and destination.
    pub rules: Vec<RulesRun>,
    /// `--surface`: the read of every byte of the source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surface: Option<crate::scan::surface::SurfaceFacts>,
}

impl CheckReport {
    /// The content stage's part of the report (manifest and scan), if it ran.
    pub fn content(&self) -> Option<&ContentReport> {
        self.volume
            .as_ref()
            .and_then(|v| v.ntfs.as_ref())
            .and_then(|n| n.content.as_ref())
    }
}

#[derive(Debug, Serialize)]
pub struct DiskReport {
    pub path: String,
    /// `image` or `block-device`.
    pub kind: &'static str,
    pub size: u64,
    pub logical_sector_size: u32,
    pub sector_size_source: SectorSizeSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_sector_size: Option<u32>,
    pub partition_table: TableKind,
    pub partitions: Vec<layout::Partition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpt_disk_guid: Option<crate::guid::Guid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<crate::source::BlockDeviceFacts>,
    /// A block device's SMART health (smartctl), checked or why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<crate::health::HealthReport>,
}

#[derive(Debug, Serialize)]
pub struct VolumeReport {
    /// Partition number, or `null` for a volume at sector 0.
    pub partition: Option<u32>,
    pub offset: u64,
    pub size: u64,
    #[serde(rename = "type")]
    pub kind: VolumeType,
    /// Why this volume was chosen.
    pub chosen_because: String,
    /// What was found inside a BitLocker volume (`ntfs`, `fat16`, ... or `locked`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inner_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bitlocker: Option<crate::bitlocker::BitLockerFacts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ntfs: Option<NtfsReport>,
}

/// `volume.ntfs`: the boot sector's fields, and what the walk of the MFT found.
#[derive(Debug, Serialize)]
pub struct NtfsReport {
    #[serde(flatten)]
    pub boot: NtfsBoot,
    /// `null` when the volume could not be walked (see the findings).
    pub label: Option<String>,
    pub version: Option<String>,
    pub mft_size: Option<u64>,
    pub files: Option<u64>,
    pub directories: Option<u64>,
    pub bytes_in_use: Option<u64>,
    pub dirty: Option<bool>,
    /// The drive manifest and the hash scan (`check` with the content stage).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<ContentReport>,
}

impl NtfsReport {
    pub(super) fn from_boot(boot: NtfsBoot) -> Self {
        NtfsReport {
            boot,
            label: None,
            version: None,
            mft_size: None,
            files: None,
            directories: None,
            bytes_in_use: None,
            dirty: None,
            content: None,
        }
    }

    pub(super) fn add_facts(&mut self, f: &VolumeFacts) {
        self.label = Some(f.label.clone());
        self.version = Some(f.version.clone()).filter(|v| !v.is_empty());
        self.mft_size = Some(f.mft_size);
        self.files = Some(f.files);
        self.directories = Some(f.directories);
        self.bytes_in_use = f.bytes_in_use;
        self.dirty = Some(f.dirty);
    }
}
