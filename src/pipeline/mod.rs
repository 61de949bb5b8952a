//! The check of one drive, in the order of the data flow (docs/checks.md):
//! [`disk`] (sector size, size, connection, partition table) → [`volume`]
//! (the first data volume and what it holds) → [`bitlocker`] → [`ntfs`] (boot
//! sector, MFT walk, read-only chkdsk) → [`content`] (drive manifest and hash
//! scan) → [`surface`] → [`rules`] (the Azure rules) → the report.
//!
//! Every stage writes into one [`State`]; the [`CheckReport`] is built from it
//! at the end. Nothing here prints: [`run`] returns the report and the file
//! hashes, and the commands decide what to print and write. [`drives`] checks
//! several drives at once, [`job`] the drives of a job; [`render`] is the text form of the reports.

mod bitlocker;
pub mod content;
mod disk;
pub mod drives;
pub mod job;
mod ntfs;
pub mod render;
mod report;
pub mod rules;
mod surface;
mod volume;

pub use content::{ContentOptions, ContentReport, Progress};
pub use disk::sector_size;
pub use report::{CheckReport, DiskReport, NtfsReport, VolumeReport};

use crate::layout::{DiskLayout, TableKind};
use crate::manifest::BlobTarget;
use crate::ntfs_volume::Inventory;
use crate::report::{Checklist, DriveStatus, Finding, SCHEMA};
use crate::scan::FileHashLine;
use crate::source::profile::{Profiled, ReadProfile};
use crate::source::OpenedSource;
use serde::Serialize;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobType {
    Import,
    Export,
}

#[derive(Debug)]
pub struct Options {
    /// Keys to open a BitLocker volume (zeroed on drop, never printed).
    pub credentials: crate::bitlocker::Credentials,
    pub job_type: JobType,
    /// Overrides the inferred/device logical sector size.
    pub sector_size: Option<u32>,
    pub strict: bool,
    /// Where the files go, for the Azure naming and size rules.
    pub rules: rules::RulesOptions,
    /// The drive manifest and the hash scan; `None` skips that stage.
    pub content: Option<ContentOptions>,
}

/// What a check produced: the report, and every file's hashes when the scan
/// ran (`None` when no file was read), for the inventories the command writes.
#[derive(Debug)]
pub struct Checked {
    pub report: CheckReport,
    pub hashes: Option<Vec<FileHashLine>>,
    /// The speed of every read across the disk, and the reads that failed.
    pub profile: Arc<ReadProfile>,
}

/// The stages' working state: what was found so far, and what a later stage
/// needs from an earlier one.
#[derive(Default)]
struct State {
    findings: Vec<Finding>,
    list: Checklist,
    layout: Option<DiskLayout>,
    volume: Option<VolumeReport>,
    /// The NTFS walk's inventory, for the rules stage.
    inventory: Option<Inventory>,
    /// Each manifest `<Blob>`'s `FilePath` → `BlobPath`, when a manifest was parsed.
    blob_targets: Option<Vec<BlobTarget>>,
    /// `--surface`: the cluster size and the free cluster runs of `$Bitmap`.
    free_runs: Option<(u64, Vec<(u64, u64)>)>,
    /// Every file's hashes, when the scan ran.
    hashes: Option<Vec<FileHashLine>>,
    /// A block device's SMART health (`disk.health`).
    health: Option<crate::health::HealthReport>,
}

/// Run every check this version has on an opened source.
pub fn run(src: &OpenedSource, opts: &Options) -> Checked {
    let profile = Arc::new(ReadProfile::new(src.reader.len()));
    let src = &OpenedSource {
        path: src.path.clone(),
        reader: Arc::new(Profiled::new(src.reader.clone(), profile.clone())),
        device: src.device.clone(),
    };
    let content = content_options(src, opts);
    let content = content.as_ref();
    let disk = src.reader.as_ref();
    let sector = sector_size(src, opts.sector_size);
    let subject = src.path.display().to_string();
    let mut st = State::default();
    disk::before_reading(&mut st, src, sector.bytes, opts.job_type, &subject);
    if let Err(e) = volume::stage(&mut st, &src.reader, sector.bytes, opts, content) {
        st.findings.push(disk::hardware_error(&e, &subject));
        st.list
            .incomplete(format!("a read failed, so later checks did not run: {e}"));
    }
    let surface = surface::stage(&mut st, disk, content, &subject);
    let rules = rules::stage(
        st.inventory.as_ref(),
        st.blob_targets.as_deref(),
        opts.job_type,
        &opts.rules,
        &mut st.findings,
        &mut st.list,
    );
    let layout = st.layout.take().unwrap_or(DiskLayout {
        table: TableKind::None,
        sector_size: sector.bytes,
        partitions: Vec::new(),
        gpt_disk_guid: None,
        from_backup_gpt: false,
    });
    let report = CheckReport {
        schema: SCHEMA,
        tool_version: env!("CARGO_PKG_VERSION"),
        job_type: opts.job_type,
        outcome: st.list.outcome(st.findings, opts.strict),
        disk: DiskReport {
            path: subject,
            kind: if src.is_block_device() {
                "block-device"
            } else {
                "image"
            },
            size: disk.len(),
            logical_sector_size: sector.bytes,
            sector_size_source: sector.source,
            physical_sector_size: src.device.as_ref().map(|d| d.physical_sector_size),
            partition_table: layout.table,
            gpt_disk_guid: layout.gpt_disk_guid,
            partitions: layout.partitions,
            device: src.device.clone(),
            health: st.health,
        },
        volume: st.volume,
        rules,
        surface,
    };
    Checked {
        report,
        hashes: st.hashes,
        profile,
    }
}

/// The content options with what the source tells: the progress bar's label
/// (drive id and path), and one reader on a spinning drive (keeps the head
/// moving forward).
fn content_options(src: &OpenedSource, opts: &Options) -> Option<ContentOptions> {
    opts.content.as_ref().map(|c| ContentOptions {
        label: Some(match &c.drive_id {
            Some(id) => format!("{id} {}", src.path.display()),
            None => src.path.display().to_string(),
        }),
        rotational: src
            .device
            .as_ref()
            .and_then(|d| d.rotational)
            .unwrap_or(false),
        ..c.clone()
    })
}

/// The rows an import drive's volume stage leaves open when there is no
/// BitLocker volume: no key was tried.
fn no_bitlocker_to_unlock(list: &mut Checklist) {
    for s in [
        DriveStatus::BitLockerKeyInvalid,
        DriveStatus::BitLockerUnlockFailed,
    ] {
        list.not_checked(s, "there is no BitLocker volume, so no key was tried");
    }
}

/// An import drive without an NTFS volume to walk: only the partition table
/// was checked for damage.
fn no_ntfs_to_examine(list: &mut Checklist) {
    list.not_checked(
        DriveStatus::DiskCorrupted,
        "only the partition table was checked: there is no NTFS volume whose structure and file data could be examined",
    );
}
