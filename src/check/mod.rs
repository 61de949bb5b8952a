//! `ie-preflight check`: the pipeline from a source to a report.
//! Each stage adds facts and findings; nothing here prints.

mod disk_rules;
pub mod render;
pub mod rules_stage;

use crate::layout::{self, Chosen, DiskLayout, SectorSize, SectorSizeSource, TableKind};
use crate::ntfs_volume;
use crate::probe::{self, ntfs_boot::NtfsBoot, VolumeType};
use crate::report::{Checklist, DriveStatus, Finding, Outcome, SCHEMA};
use crate::source::{OpenedSource, ReadAt, ReadError, Window};
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
    pub rules: rules_stage::RulesOptions,
    /// The drive manifest and the hash scan; `None` skips that stage.
    pub content: Option<crate::scan::ContentOptions>,
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
    /// The walk's inventory, kept for the Azure rules stage ([`rules_stage::stage`]).
    #[serde(skip)]
    pub inventory: rules_stage::HeldInventory,
    /// The drive manifest and the hash scan (`check` with the content stage).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<crate::scan::ContentReport>,
}

impl NtfsReport {
    fn from_boot(boot: NtfsBoot) -> Self {
        NtfsReport {
            boot,
            label: None,
            version: None,
            mft_size: None,
            files: None,
            directories: None,
            bytes_in_use: None,
            dirty: None,
            inventory: rules_stage::HeldInventory::default(),
            content: None,
        }
    }

    fn add_facts(&mut self, f: &ntfs_volume::VolumeFacts) {
        self.label = Some(f.label.clone());
        self.version = Some(f.version.clone()).filter(|v| !v.is_empty());
        self.mft_size = Some(f.mft_size);
        self.files = Some(f.files);
        self.directories = Some(f.directories);
        self.bytes_in_use = f.bytes_in_use;
        self.dirty = Some(f.dirty);
    }
}

#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub job_type: JobType,
    #[serde(flatten)]
    pub outcome: Outcome,
    pub disk: DiskReport,
    pub volume: Option<VolumeReport>,
    /// The Azure rules per source and destination (filled by [`rules_stage::stage`]).
    pub rules: Vec<rules_stage::RulesRun>,
    /// `--surface`: the read of every byte of the source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surface: Option<crate::scan::surface::SurfaceFacts>,
}

/// Run every check this version has on an opened source.
pub fn run(src: &OpenedSource, opts: &Options) -> CheckReport {
    // One reader on a spinning drive keeps the head moving forward.
    // Each drive's progress bar is labelled with its id and path.
    let content = opts.content.as_ref().map(|c| crate::scan::ContentOptions {
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
    });
    let content = content.as_ref();
    let mut findings = Vec::new();
    let mut list = Checklist::default();
    let disk_arc = src.reader.clone();
    let disk = disk_arc.as_ref();
    let sector = sector_size(src, opts.sector_size);
    let subject = src.path.display().to_string();

    list.not_applicable(
        DriveStatus::Failed,
        "the service's catch-all state; every cause this tool can see is listed under its own state",
    );
    beyond_the_drive(&mut list, opts.job_type);
    list.checked(DriveStatus::UnsupportedDisk);
    disk_rules::check(
        sector.bytes,
        disk.len(),
        src.device.as_ref(),
        &subject,
        &mut findings,
    );

    let mut layout_out = None;
    let mut volume = None;
    let stages = run_stages(
        &disk_arc,
        sector.bytes,
        opts,
        content,
        &mut findings,
        &mut list,
        &mut layout_out,
        &mut volume,
    );
    if let Err(e) = stages {
        findings.push(hardware_error(&e, &subject));
        list.incomplete(format!("a read failed, so later checks did not run: {e}"));
    }
    // The scan read the files' data; --surface reads the rest that matters.
    let surface_plan = content
        .filter(|c| c.surface)
        .map(|_| surface_ranges(disk.len(), layout_out.as_ref(), volume.as_ref()));
    let surface_read_all = surface_plan.as_ref().is_some_and(|r| {
        r.iter().any(|r| {
            r.owner == crate::scan::surface::VOLUME || r.owner == crate::scan::surface::DISK
        })
    });
    let surface =
        surface_plan.map(|r| crate::scan::surface::surface_read(disk, &r, &subject, &mut findings));
    let scanned = volume
        .as_ref()
        .and_then(|v: &VolumeReport| v.ntfs.as_ref())
        .and_then(|n| n.content.as_ref());
    match scanned {
        Some(c) if c.manifest.is_some() => list.checked(DriveStatus::ManifestFileError),
        // Rows already set (export: n/a; locked BitLocker: its own reason) stay.
        _ if content.is_some() && !list.covers(DriveStatus::ManifestFileError) => list
            .not_checked(
                DriveStatus::ManifestFileError,
                "no NTFS volume could be read (see the other rows), so the drive manifest was not looked for",
            ),
        _ => {}
    }
    data_coverage(
        &mut list,
        scanned.map(|c| c.scan.is_some()),
        surface.is_some(),
        surface_read_all,
    );
    let layout_out = layout_out.unwrap_or(DiskLayout {
        table: TableKind::None,
        sector_size: sector.bytes,
        partitions: Vec::new(),
        gpt_disk_guid: None,
        from_backup_gpt: false,
    });
    let inventory = volume
        .as_mut()
        .and_then(|v| v.ntfs.as_mut())
        .and_then(|n| n.inventory.0.take());
    // The content stage's manifest: each Blob's FilePath → BlobPath.
    let blob_targets = volume
        .as_mut()
        .and_then(|v| v.ntfs.as_mut())
        .and_then(|n| n.content.as_mut())
        .and_then(|c| c.blob_targets.take());
    let rules = rules_stage::stage(
        inventory.as_ref(),
        blob_targets.as_deref(),
        opts.job_type,
        &opts.rules,
        &mut findings,
        &mut list,
    );
    CheckReport {
        schema: SCHEMA,
        tool_version: env!("CARGO_PKG_VERSION"),
        job_type: opts.job_type,
        outcome: list.outcome(findings, opts.strict),
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
            partition_table: layout_out.table,
            gpt_disk_guid: layout_out.gpt_disk_guid,
            partitions: layout_out.partitions,
            device: src.device.clone(),
        },
        volume,
        rules,
        surface,
    }
}

/// "Hardware error" and "Disk corrupted" as far as file data was read.
/// `files_hashed`: `None` when the volume was not walked, `Some(false)` with
/// `--no-hash`. `surface_all`: the surface read covered whole volumes (no
/// `$Bitmap` free map), used clusters too. Findings override these rows.
fn data_coverage(
    list: &mut Checklist,
    files_hashed: Option<bool>,
    surface: bool,
    surface_all: bool,
) {
    if files_hashed == Some(false) {
        // Structure ran; data decoding and the manifest's block MD5s did not.
        list.not_checked(
            DriveStatus::DiskCorrupted,
            "file data not hashed (--no-hash): the partition table, boot sector and NTFS structure were checked (and the manifest's metadata and properties files), but the files' data was not read, so no block MD5 of the drive manifest was verified",
        );
    }
    if files_hashed == Some(true) || surface_all {
        list.checked(DriveStatus::HardwareError);
    } else if surface {
        list.not_checked(
            DriveStatus::HardwareError,
            "the files' data was not read (the volume's files could not be listed); the space --surface reads (free space, outside partitions) had no read errors",
        );
    } else {
        list.not_checked(
            DriveStatus::HardwareError,
            "only the sectors these checks need were read (no read errors there); the hash scan reads every file, --surface the free space and the space outside partitions",
        );
    }
}

/// What `--surface` reads: the space outside partitions (outside the chosen
/// volume when there is no partition table), and the NTFS volume's free
/// clusters (the whole volume when `$Bitmap` was not read). Without a volume,
/// the whole disk. A BitLocker volume's free clusters are read at the same
/// offsets on the disk (encryption keeps offsets).
fn surface_ranges(
    disk_len: u64,
    layout: Option<&DiskLayout>,
    volume: Option<&VolumeReport>,
) -> Vec<crate::scan::surface::SurfaceRange> {
    use crate::scan::surface::{free_space, outside, SurfaceRange, DISK, VOLUME};
    let Some(v) = volume else {
        return vec![SurfaceRange {
            offset: 0,
            len: disk_len,
            owner: DISK,
        }];
    };
    let mut areas: Vec<(u64, u64)> = layout
        .map(|l| l.partitions.iter().map(|p| (p.offset, p.size)).collect())
        .unwrap_or_default();
    if areas.is_empty() {
        areas.push((v.offset, v.size));
    }
    let mut ranges = outside(disk_len, &areas);
    let free = v
        .ntfs
        .as_ref()
        .and_then(|n| n.content.as_ref())
        .and_then(|c| c.free_runs.as_ref());
    match free {
        Some((cluster, runs)) => ranges.extend(free_space(v.offset, v.size, *cluster, runs)),
        None => ranges.push(SurfaceRange {
            offset: v.offset,
            len: v.size,
            owner: VOLUME,
        }),
    }
    ranges
}

/// The logical sector size: `--sector-size`, else the device's, else inferred.
pub fn sector_size(src: &OpenedSource, forced: Option<u32>) -> SectorSize {
    if let Some(bytes) = forced {
        return SectorSize {
            bytes,
            source: SectorSizeSource::Option,
        };
    }
    if let Some(d) = &src.device {
        if d.logical_sector_size != 0 {
            return SectorSize {
                bytes: d.logical_sector_size,
                source: SectorSizeSource::Device,
            };
        }
    }
    layout::infer_sector_size(src.reader.as_ref())
}

fn hardware_error(e: &ReadError, subject: &str) -> Finding {
    let errno = e
        .errno()
        .map(|n| format!(" (errno {n})"))
        .unwrap_or_default();
    Finding::error(
        "read.error",
        DriveStatus::HardwareError,
        format!("{subject} at byte {}", e.offset),
        format!("reading {} bytes at byte offset {} failed{errno}: {}", e.len, e.offset, e.source),
    )
    .with_hint("a drive that cannot be read here will fail at the datacenter too; check the cable, then the drive's SMART data, and replace it if the error repeats")
}

#[allow(clippy::too_many_arguments)]
fn run_stages(
    disk_arc: &Arc<dyn ReadAt>,
    sector: u32,
    opts: &Options,
    content: Option<&crate::scan::ContentOptions>,
    findings: &mut Vec<Finding>,
    list: &mut Checklist,
    layout_out: &mut Option<DiskLayout>,
    volume_out: &mut Option<VolumeReport>,
) -> Result<(), ReadError> {
    let disk = disk_arc.as_ref();
    list.checked(DriveStatus::DiskCorrupted);
    let layout = layout::read_layout(disk, sector, findings)?;
    let chosen = layout::first_data_volume(&layout, disk.len(), findings);
    *layout_out = Some(layout);
    let import = opts.job_type == JobType::Import;
    if !import {
        for s in [
            DriveStatus::NtfsVolumeNotFound,
            DriveStatus::BitLockerVolumeNotFound,
            DriveStatus::BitLockerKeyInvalid,
            DriveStatus::BitLockerUnlockFailed,
        ] {
            list.not_applicable(
                s,
                "export drives are formatted and encrypted by the service",
            );
        }
    }
    let Some(chosen) = chosen else {
        if opts.credentials.is_given() {
            findings.push(crate::bitlocker::findings::key_unused(
                "the drive has no data volume",
            ));
        }
        if import {
            list.checked(DriveStatus::NtfsVolumeNotFound);
            list.not_checked(
                DriveStatus::BitLockerVolumeNotFound,
                "there is no data volume to look at",
            );
            no_bitlocker_to_unlock(list);
            no_ntfs_to_examine(list);
        }
        return Ok(());
    };
    let vol: Arc<dyn ReadAt> = Arc::new(Window::new(disk_arc.clone(), chosen.offset, chosen.size));
    let kind = probe::probe(vol.as_ref())?;
    let mut report = volume_report(&chosen, kind);
    if !kind.is_bitlocker() && opts.credentials.is_given() {
        findings.push(crate::bitlocker::findings::key_unused(&format!(
            "the first data volume holds {}, not BitLocker",
            kind.describe()
        )));
    }
    if import && kind.is_bitlocker() {
        examine_bitlocker(
            vol,
            &chosen,
            &opts.credentials,
            content,
            &mut report,
            findings,
            list,
        )?;
    } else if kind == VolumeType::Ntfs || kind == VolumeType::Zero || kind == VolumeType::Unknown {
        // A blank or unknown start may still be NTFS with a damaged boot sector.
        if let Some(ntfs) = examine_plain_ntfs(vol, chosen.offset, import, content, findings)? {
            report.kind = VolumeType::Ntfs;
            report.ntfs = Some(ntfs);
        }
    }
    if import {
        judge_import_volume(&report, &chosen, findings, list);
    }
    *volume_out = Some(report);
    Ok(())
}

/// Boot sector (and, for import drives, the MFT walk) of a volume that may be NTFS.
fn examine_plain_ntfs(
    vol: Arc<dyn ReadAt>,
    vol_start: u64,
    walk_it: bool,
    content: Option<&crate::scan::ContentOptions>,
    findings: &mut Vec<Finding>,
) -> Result<Option<NtfsReport>, ReadError> {
    let boot = probe::ntfs_boot::check(vol.as_ref(), vol_start, findings)?;
    let Some(b) = boot.boot else { return Ok(None) };
    // A volume that does not fit its partition is already a finding; walking it adds noise.
    let walk = walk_it && b.boot_sector == "primary" && b.volume_bytes() <= vol.len();
    let mut ntfs = NtfsReport::from_boot(b);
    if walk {
        examine_ntfs(vol, &mut ntfs, content, findings);
    }
    Ok(Some(ntfs))
}

/// Metadata, protectors and keys; when a key opens it, the NTFS inside is
/// checked through the decrypting view exactly as a plain volume is.
fn examine_bitlocker(
    vol: Arc<dyn ReadAt>,
    chosen: &Chosen,
    creds: &crate::bitlocker::Credentials,
    content: Option<&crate::scan::ContentOptions>,
    report: &mut VolumeReport,
    findings: &mut Vec<Finding>,
    list: &mut Checklist,
) -> Result<(), ReadError> {
    for s in [
        DriveStatus::BitLockerVolumeNotFound,
        DriveStatus::BitLockerKeyInvalid,
        DriveStatus::BitLockerUnlockFailed,
    ] {
        list.checked(s);
    }
    let a = crate::bitlocker::assess(vol, creds);
    findings.extend(a.findings);
    report.bitlocker = Some(a.facts);
    let Some(plain) = a.unlocked else {
        report.inner_type = Some("locked".into());
        list.blocked(
            DriveStatus::NtfsVolumeNotFound,
            "the BitLocker volume was not unlocked (give the recovery password with --recovery-key-file), so the file system inside was not examined",
        );
        list.not_checked(
            DriveStatus::DiskCorrupted,
            "the partition table and BitLocker metadata were checked, but the volume was not unlocked, so the NTFS inside (boot sector, read-only chkdsk, file data) was not",
        );
        if content.is_some() {
            list.blocked(
                DriveStatus::ManifestFileError,
                "the BitLocker volume was not unlocked, so the drive manifest was not read and no file was hashed",
            );
        }
        return Ok(());
    };
    list.checked(DriveStatus::NtfsVolumeNotFound);
    let inner: Arc<dyn ReadAt> = Arc::new(plain);
    let kind = probe::probe(inner.as_ref())?;
    report.inner_type = Some(
        serde_json::to_value(kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "unknown".into()),
    );
    if kind == VolumeType::Ntfs {
        report.ntfs = examine_plain_ntfs(inner, chosen.offset, true, content, findings)?;
    }
    Ok(())
}

/// Walk the MFT and run the consistency checks (a read-only chkdsk).
fn examine_ntfs(
    vol: Arc<dyn ReadAt>,
    ntfs: &mut NtfsReport,
    content: Option<&crate::scan::ContentOptions>,
    findings: &mut Vec<Finding>,
) {
    let analysis = ntfs_volume::analyze(vol);
    if let Some(f) = &analysis.facts {
        ntfs.add_facts(f);
    }
    findings.extend(analysis.findings);
    if let (Some(c), Some(v), Some(inv)) = (content, &analysis.volume, &analysis.inventory) {
        ntfs.content = Some(crate::scan::run_content_stage(v, inv, c, findings));
    }
    ntfs.inventory = rules_stage::HeldInventory(analysis.inventory);
}

fn volume_report(chosen: &Chosen, kind: VolumeType) -> VolumeReport {
    VolumeReport {
        partition: chosen.partition,
        offset: chosen.offset,
        size: chosen.size,
        kind,
        chosen_because: chosen.reason.clone(),
        inner_type: None,
        bitlocker: None,
        ntfs: None,
    }
}

fn volume_subject(chosen: &Chosen) -> String {
    match chosen.partition {
        Some(n) => format!("partition {n} at byte {}", chosen.offset),
        None => "volume at byte 0".to_string(),
    }
}

/// An import drive's first data volume must be BitLocker with NTFS inside.
/// The states a drive alone cannot show, and why (later stages may still
/// check one, e.g. the manifest's credential format).
fn beyond_the_drive(list: &mut Checklist, job_type: JobType) {
    list.not_applicable(
        DriveStatus::DiskNotReceived,
        "a shipping state, not a property of the drive (`check --job` names the job's drives that are not here)",
    );
    let offline = "the storage account is not contacted: this tool works offline";
    list.not_checked(DriveStatus::StorageAccountNotAccessible, offline);
    match job_type {
        JobType::Import => {
            list.not_checked(
                DriveStatus::BlobAccessForbidden,
                format!("{offline} (the drive manifest's key or SAS format is checked when the manifest is read)"),
            );
            list.not_applicable(
                DriveStatus::ExportBlobListInvalid,
                "import jobs have no export blob list",
            );
        }
        JobType::Export => {
            list.not_checked(DriveStatus::BlobAccessForbidden, offline);
            list.not_checked(
                DriveStatus::ExportBlobListInvalid,
                "the blob list is a job file, not on the drive: check it with `ie-preflight blob-list FILE`",
            );
            list.not_applicable(
                DriveStatus::ManifestFileError,
                "an export drive is shipped empty; the service writes its manifest",
            );
        }
    }
}

/// An import drive whose first data volume is not BitLocker: no key to try.
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

fn judge_import_volume(
    v: &VolumeReport,
    chosen: &Chosen,
    findings: &mut Vec<Finding>,
    list: &mut Checklist,
) {
    let subject = volume_subject(chosen);
    if v.kind.is_bitlocker() {
        return; // judged by the BitLocker stage
    }
    list.checked(DriveStatus::BitLockerVolumeNotFound);
    list.checked(DriveStatus::NtfsVolumeNotFound);
    no_bitlocker_to_unlock(list);
    let boot_ok = v
        .ntfs
        .as_ref()
        .is_some_and(|n| n.boot.boot_sector == "primary");
    if v.kind == VolumeType::Ntfs && boot_ok {
        findings.push(
            Finding::error(
                "bitlocker.not-found",
                DriveStatus::BitLockerVolumeNotFound,
                subject,
                "the first data volume is plain NTFS; import drives must be BitLocker-encrypted",
            )
            .with_hint("turn on BitLocker with a recovery password (`manage-bde -on X: -RecoveryPassword`, or WAImportExport /encrypt), wait for encryption to finish, and give the key with the job"),
        );
        return;
    }
    no_ntfs_to_examine(list);
    let message = if v.kind == VolumeType::Ntfs {
        "the first data volume has no valid NTFS boot sector (only the backup at its end is intact), so Windows sees it as RAW, not NTFS".to_string()
    } else {
        format!(
            "the first data volume holds {}, not NTFS",
            v.kind.describe()
        )
    };
    findings.push(
        Finding::error(
            "volume.not-ntfs",
            DriveStatus::NtfsVolumeNotFound,
            subject,
            message,
        )
        .with_hint("format the first data partition as NTFS (one volume spanning the drive), then copy the data and encrypt it with BitLocker"),
    );
    list.not_checked(
        DriveStatus::BitLockerVolumeNotFound,
        "the volume is neither BitLocker nor NTFS",
    );
}
