//! Rules about the drive itself: sector size, connection, size, mounts.

use crate::report::{DriveStatus, Finding};
use crate::source::BlockDeviceFacts;

/// Current docs say "any size", an older one 10 TB (S-REQ, S-M365): warn above it.
const SIZE_WARN_BYTES: u64 = 10_000_000_000_000;

pub fn check(
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
    let Some(dev) = device else { return };
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
