//! The disk stage: the rows a drive alone cannot show, the sector size, the
//! rules about the drive itself (sector size, connection, size, mounts), and
//! on a block device its SMART health ([`crate::health`]).

use super::{JobType, State};
use crate::layout::{self, SectorSize, SectorSizeSource};
use crate::report::{Checklist, DriveStatus, Finding};
use crate::source::{BlockDeviceFacts, OpenedSource, ReadError};

/// Current docs say "any size", an older one 10 TB (S-REQ, S-M365): warn above it.
const SIZE_WARN_BYTES: u64 = 10_000_000_000_000;

fn check(
    logical_sector: u32,
    size: u64,
    device: Option<&BlockDeviceFacts>,
    subject: &str,
    findings: &mut Vec<Finding>,
) {
    if logical_sector != 512 {
        findings.push(
            Finding::error(
                "disk.sector-size",
                DriveStatus::UnsupportedDisk,
                subject,
                format!(
                    "the drive presents {logical_sector}-byte logical sectors; the service accepts only 512-byte sectors (4Kn drives are returned as UnsupportedDrive)"
                ),
            )
            .with_hint("use a 512-byte-sector (512n or 512e) drive; behind a USB adapter, make sure it is seen with 512-byte sectors"),
        );
    }
    if size > SIZE_WARN_BYTES {
        findings.push(Finding::warning(
            "disk.size",
            DriveStatus::UnsupportedDisk,
            subject,
            format!(
                "the drive holds {size} bytes, more than 10 TB; one Microsoft document caps drives at 10 TB (others say any size)"
            ),
        ));
    }
    if let Some(dev) = device {
        device_rules(dev, subject, findings);
    }
}

/// The rules only a block device can break: connection, removable media,
/// a partition given for the disk, mounts.
fn device_rules(dev: &BlockDeviceFacts, subject: &str, findings: &mut Vec<Finding>) {
    if dev.is_usb() {
        findings.push(
            Finding::warning(
                "disk.usb",
                DriveStatus::UnsupportedDisk,
                subject,
                "the drive is connected over USB; external drives with a built-in USB bridge and USB flash drives are not accepted",
            )
            .with_hint("ship only bare 2.5\"/3.5\" SATA HDDs or SATA SSDs; a USB-to-SATA adapter on this machine is fine"),
        );
    }
    if dev.removable == Some(true) {
        findings.push(
            Finding::warning(
                "disk.removable",
                DriveStatus::UnsupportedDisk,
                subject,
                "the kernel reports removable media (typical of USB flash drives and card readers), which the service does not accept",
            ),
        );
    }
    if dev.partition_of.is_some() {
        findings.push(
            Finding::warning(
                "disk.is-partition",
                DriveStatus::UnsupportedDisk,
                subject,
                format!(
                    "this is a partition of /dev/{}, not a whole disk; the partition table and the other partitions are not checked",
                    dev.partition_of.as_deref().unwrap_or("?")
                ),
            )
            .with_hint("check the whole disk device instead"),
        );
    }
    if !dev.mounted_at.is_empty() {
        findings.push(
            Finding::warning(
                "disk.mounted",
                DriveStatus::DiskCorrupted,
                subject,
                format!(
                    "the device or one of its partitions is mounted at {}; what is read may change while it is read, and a drive unplugged while mounted is left dirty",
                    dev.mounted_at.join(", ")
                ),
            )
            .with_hint("unmount it (`umount`) before checking and before shipping"),
        );
    }
}

/// Before anything is read: the rows no drive can show, and the drive's own rules.
pub(super) fn before_reading(
    st: &mut State,
    src: &OpenedSource,
    sector: u32,
    job_type: JobType,
    subject: &str,
) {
    st.list.not_applicable(
        DriveStatus::Failed,
        "the service's catch-all state; every cause this tool can see is listed under its own state",
    );
    beyond_the_drive(&mut st.list, job_type);
    st.list.checked(DriveStatus::UnsupportedDisk);
    check(
        sector,
        src.reader.len(),
        src.device.as_ref(),
        subject,
        &mut st.findings,
    );
    if src.device.is_some() {
        let h = crate::health::check_device(&src.path, subject, &mut st.findings, &mut st.list);
        st.health = Some(h);
    }
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

/// A read that failed on the way: "Hardware error", and the stages after it did not run.
pub(super) fn hardware_error(e: &ReadError, subject: &str) -> Finding {
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
    .at_byte(e.offset)
}

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
