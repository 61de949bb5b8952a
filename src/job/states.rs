//! What every job and drive state means, in the portal's words: the Data Box
//! ("Preview", current) names, the classic Import/Export names, and the Data
//! Box API enums, all mapped onto one table each. Descriptions paraphrase
//! Microsoft's "View the status of Azure Import/Export jobs" page
//! (S-RP, S-CLI, S-STATUS, S-DBRP in `docs/sources.md`).

use crate::report::DriveStatus;

/// One job state, with every name it goes by.
pub struct JobState {
    /// The current portal's name.
    pub portal: &'static str,
    /// Other spellings: classic portal/REST names and Data Box stage names.
    pub aliases: &'static [&'static str],
    pub meaning: &'static str,
    pub next_step: &'static str,
    pub timing: &'static str,
    pub can_cancel: bool,
    /// Ended badly (errors, failure).
    pub failed: bool,
}

pub const JOB_STATES: &[JobState] = &[
    JobState {
        portal: "Awaiting shipment information",
        aliases: &["Creating", "AwaitingShipmentDetails", "Created", "DeviceOrdered", "DevicePrepared"],
        meaning: "The job exists; the service assumes the drives have not been shipped yet.",
        next_step: "Ship the drives, then enter the carrier and tracking number on the job.",
        timing: "A job left in this state for two weeks is deleted by the service.",
        can_cancel: true,
        failed: false,
    },
    JobState {
        portal: "Shipped",
        aliases: &["Shipping", "ShippedToAzureDC", "Dispatched", "PickedUp"],
        meaning: "Tracking information was entered; the drives are on their way to the datacenter.",
        next_step: "Wait for delivery. Keep the recovery keys and the journal files safe.",
        timing: "The job stays Shipped for up to two weeks; from here on it can no longer be cancelled.",
        can_cancel: false,
        failed: false,
    },
    JobState {
        portal: "Received",
        aliases: &["AtAzureDC", "Delivered", "ReadyToReceiveAtAzureDC"],
        meaning: "All drives arrived at the datacenter.",
        next_step: "Nothing to do; processing starts next.",
        timing: "The status can take 1 to 3 business days after delivery to change. There is no SLA; processing typically takes 7 to 10 days after receipt.",
        can_cancel: false,
        failed: false,
    },
    JobState {
        portal: "Data copy in progress",
        aliases: &["Transferring", "DataCopy"],
        meaning: "At least one drive is being copied to or from Azure Storage.",
        next_step: "Follow each drive's status and percent complete.",
        timing: "There is no SLA; typically 7 to 10 days after receipt in all.",
        can_cancel: false,
        failed: false,
    },
    JobState {
        portal: "Data copy completed with errors",
        aliases: &["CompletedWithErrors"],
        meaning: "The copy ended, but at least one drive had errors.",
        next_step: "Read each drive's copy log (error log) and re-send what did not copy.",
        timing: "The drives are returned next.",
        can_cancel: false,
        failed: true,
    },
    JobState {
        portal: "Data copy completed with warnings",
        aliases: &["CompletedWithWarnings"],
        meaning: "The copy ended; some items raised warnings (for example, names the service changed).",
        next_step: "Read the copy logs for renamed containers, blobs or files.",
        timing: "The drives are returned next.",
        can_cancel: false,
        failed: false,
    },
    JobState {
        portal: "Data copy failed",
        aliases: &["Failed", "Failed_IssueDetectedAtAzureDC", "Failed_IssueReportedAtCustomer", "Faulted", "Aborted"],
        meaning: "Copying failed for at least one drive.",
        next_step: "Look at each drive's state below: it names the cause. Fix the drive and ship it in a new job.",
        timing: "The drives are returned.",
        can_cancel: false,
        failed: true,
    },
    JobState {
        portal: "Preparing to ship",
        aliases: &["Packaging", "PreparingToShipFromAzureDC", "ReadyToDispatchFromAzureDC"],
        meaning: "All drives are processed and are being packed for return.",
        next_step: "Nothing to do; the drives come back to the return address.",
        timing: "",
        can_cancel: false,
        failed: false,
    },
    JobState {
        portal: "Shipped to customer",
        aliases: &["ShippedToCustomer"],
        meaning: "The drives were shipped back to the return address.",
        next_step: "Watch for the return shipment.",
        timing: "",
        can_cancel: false,
        failed: false,
    },
    JobState {
        portal: "Completed",
        aliases: &["Completed"],
        meaning: "The drives were returned and the job finished without errors.",
        next_step: "Verify the data in Azure; save the copy logs if you need them.",
        timing: "Completed jobs are deleted after 90 days.",
        can_cancel: false,
        failed: false,
    },
    JobState {
        portal: "Closed",
        aliases: &["Closed"],
        meaning: "The drives were returned, but there were errors while the job was processed (classic portal).",
        next_step: "Read the copy logs to see what did not copy.",
        timing: "Closed jobs are deleted after 90 days.",
        can_cancel: false,
        failed: true,
    },
    JobState {
        portal: "Canceled",
        aliases: &["Cancelled", "Canceled"],
        meaning: "The job was cancelled.",
        next_step: "Create a new job if the data still has to move.",
        timing: "",
        can_cancel: false,
        failed: false,
    },
];

/// Normalise a state name for lookup: case, spaces, `_` and `-` ignored.
fn key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

pub fn job_state(name: &str) -> Option<&'static JobState> {
    let k = key(name);
    JOB_STATES
        .iter()
        .find(|s| key(s.portal) == k || s.aliases.iter().any(|a| key(a) == k))
}

/// The progress states of a drive (failure states are [`DriveStatus`]es).
pub struct DriveState {
    pub portal: &'static str,
    pub aliases: &'static [&'static str],
    pub meaning: &'static str,
    pub next_step: &'static str,
}

pub const DRIVE_STATES: &[DriveState] = &[
    DriveState {
        portal: "Data copy not started",
        aliases: &["Specified", "Received", "NotStarted"],
        meaning: "The drive is listed in the job (or has arrived) and copying has not started.",
        next_step: "Nothing to do.",
    },
    DriveState {
        portal: "Data copy in progress",
        aliases: &["Transferring", "InProgress"],
        meaning: "The service is copying data from or to the drive.",
        next_step: "Nothing to do; the percent complete shows progress.",
    },
    DriveState {
        portal: "Data copy completed",
        aliases: &["Completed"],
        meaning: "All data was copied with no errors.",
        next_step: "Nothing to do.",
    },
    DriveState {
        portal: "Data copy completed with errors",
        aliases: &["CompletedWithErrors", "CompletedMoreInfo"],
        meaning: "The copy finished, but some items failed (classic: CompletedMoreInfo also covers warnings and overwrite notices).",
        next_step: "Read the drive's copy log; `ie-preflight log FILE` summarises it.",
    },
    DriveState {
        portal: "Data copy completed with warnings",
        aliases: &["CompletedWithWarnings"],
        meaning: "The copy finished with warnings, such as names the service changed.",
        next_step: "Read the copy log for renamed items.",
    },
    DriveState {
        portal: "Shipped back",
        aliases: &["ShippedBack"],
        meaning: "The drive was shipped from the datacenter back to the return address.",
        next_step: "Nothing to do.",
    },
];

pub fn drive_state(name: &str) -> Option<&'static DriveState> {
    let k = key(name);
    DRIVE_STATES
        .iter()
        .find(|s| key(s.portal) == k || s.aliases.iter().any(|a| key(a) == k))
}

/// A failure state's portal description, the `ie-preflight` check that
/// predicts it, and how to fix the drive.
pub struct FailureHelp {
    pub meaning: &'static str,
    pub caught_by: &'static str,
    pub fix: &'static str,
}

pub fn failure_help(s: DriveStatus) -> FailureHelp {
    let h = |meaning, caught_by, fix| FailureHelp {
        meaning,
        caught_by,
        fix,
    };
    match s {
        DriveStatus::DiskNotReceived => h(
            "The drive did not arrive at the datacenter; it may have been left out of the package.",
            "`ie-preflight check --job JOB.json DEVICE...` lists every drive of the job that was not checked",
            "Ship the missing drive; if it arrives in another package, the datacenter moves it to Received.",
        ),
        DriveStatus::Failed => h(
            "The service hit a problem it does not name.",
            "none: the cause is not visible on the drive",
            "Contact Microsoft Support with the job name.",
        ),
        DriveStatus::ManifestFileError => h(
            "The drive manifest is missing, unreadable or badly formed.",
            "`check` with `--manifest-hash` (manifest checks), and `ie-preflight manifest FILE`",
            "Re-create the manifest with WAImportExport (or fix the listed entries) and update the manifest hash in the job.",
        ),
        DriveStatus::ExportBlobListInvalid => h(
            "The export blob list is not in the required XML format.",
            "`ie-preflight blob-list LIST.xml`",
            "Fix the listed lines of the blob list and create the export job again.",
        ),
        DriveStatus::BlobAccessForbidden => h(
            "Access to the export blob list was denied (wrong account key or SAS).",
            "not checkable offline",
            "Check the storage account key or SAS and its permissions.",
        ),
        DriveStatus::UnsupportedDisk => h(
            "The disk type is not supported (for example 4096-byte sectors, or a USB drive).",
            "`check`: the Unsupported disk row (sector size, transport, removable media)",
            "Use a bare SATA HDD or SSD with 512-byte logical sectors.",
        ),
        DriveStatus::DiskCorrupted => h(
            "Data on the disk is corrupted.",
            "`check`: partition table, NTFS consistency and (with a manifest) block hashes",
            "Run `chkdsk /f`, copy the data again, re-create the manifest, and check again.",
        ),
        DriveStatus::BitLockerUnlockFailed => h(
            "The attempt to unlock the BitLocker volume failed.",
            "`check --recovery-key-file`: BitLocker metadata and decryption",
            "Re-encrypt the drive with BitLocker (fully, not paused) and check it with its recovery key.",
        ),
        DriveStatus::BitLockerVolumeNotFound => h(
            "The disk holds no BitLocker-enabled volume (or encryption is not finished).",
            "`check`: the BitLocker volume not found row",
            "Turn on BitLocker with a recovery password and wait until encryption completes.",
        ),
        DriveStatus::BitLockerKeyInvalid => h(
            "The BitLocker key given with the job does not open the drive.",
            "`check --recovery-key-file` proves the key against every recovery protector",
            "Give the job the drive's 48-digit recovery password (manage-bde -protectors -get X:).",
        ),
        DriveStatus::HardwareError => h(
            "The disk reported a media failure.",
            "`check` reports read errors with their offsets (a full read needs the scan)",
            "Replace the drive and copy the data again.",
        ),
        DriveStatus::NtfsVolumeNotFound => h(
            "The first data volume on the disk is not NTFS.",
            "`check`: the NTFS volume not found row names what the volume holds",
            "Format the first data partition as NTFS, copy the data, encrypt it.",
        ),
        DriveStatus::StorageAccountNotAccessible => h(
            "The storage account could not be reached, so the copy could not proceed.",
            "not checkable offline",
            "Check the account exists, allows trusted Microsoft services, and is not NFS 3.0-enabled.",
        ),
        DriveStatus::UnsupportedData => h(
            "Data on the disk does not follow Azure naming/size rules (or, on export, cannot be written to NTFS).",
            "`check --dest ...` (Azure rules) and `ie-preflight dataset`",
            "Rename or split the listed files and folders, then prepare the drive again.",
        ),
        DriveStatus::CopiedWithWarnings => h(
            "The copy finished with warnings, such as renamed items.",
            "`check --dest ...` predicts renames",
            "Rename the items before shipping if the new names matter.",
        ),
    }
}

/// A Data Box copy status the portal has no word of its own for: the enum
/// value is shown with the schema's description (paraphrased, S-DBRP), and
/// the failure state it is closest to gives the check and the fix.
pub struct BareCopyStatus {
    pub name: &'static str,
    pub meaning: &'static str,
    pub closest: DriveStatus,
}

pub const BARE_COPY_STATUSES: &[BareCopyStatus] = &[
    BareCopyStatus {
        name: "DeviceFormatted",
        meaning: "The copy failed: the disk was formatted by the user.",
        closest: DriveStatus::Failed,
    },
    BareCopyStatus {
        name: "DeviceMetadataModified",
        meaning: "The copy failed: the disk's metadata was changed by the user.",
        closest: DriveStatus::Failed,
    },
    BareCopyStatus {
        name: "MetadataFilesModifiedOrRemoved",
        meaning: "The copy failed: metadata files on the disk (such as the drive manifest) were changed or removed.",
        closest: DriveStatus::ManifestFileError,
    },
    BareCopyStatus {
        name: "DriveNotDetected",
        meaning: "The copy failed: the disk could not be detected.",
        closest: DriveStatus::HardwareError,
    },
    BareCopyStatus {
        name: "OtherServiceError",
        meaning: "The copy failed because of an error on the service's side.",
        closest: DriveStatus::Failed,
    },
    BareCopyStatus {
        name: "OtherUserError",
        meaning: "The copy failed because of an error on the user's side.",
        closest: DriveStatus::Failed,
    },
    BareCopyStatus {
        name: "NotReturned",
        meaning: "No copy was started because the disk was not returned.",
        closest: DriveStatus::DiskNotReceived,
    },
];

pub fn bare_copy_status(name: &str) -> Option<&'static BareCopyStatus> {
    let k = key(name);
    BARE_COPY_STATUSES.iter().find(|s| key(s.name) == k)
}

/// A failure state by its portal name, classic drive-log code, or Data Box
/// copy status.
pub fn failure_state(name: &str) -> Option<DriveStatus> {
    let k = key(name);
    if let Some(s) = DriveStatus::ALL.iter().find(|s| key(s.as_str()) == k) {
        return Some(*s);
    }
    let alias: &[(&str, DriveStatus)] = &[
        ("NeverReceived", DriveStatus::DiskNotReceived),
        ("DriveNotReceived", DriveStatus::DiskNotReceived),
        ("DiskNotFound", DriveStatus::DiskNotReceived),
        ("DriveNotDetected", DriveStatus::HardwareError),
        ("UnsupportedDrive", DriveStatus::UnsupportedDisk),
        ("DriveCorrupted", DriveStatus::DiskCorrupted),
        ("DiskOperationFailed", DriveStatus::HardwareError),
        ("VolumeNotNtfs", DriveStatus::NtfsVolumeNotFound),
        (
            "BitLockerNotActivated",
            DriveStatus::BitLockerVolumeNotFound,
        ),
        (
            "BitLockerProtectorNotFound",
            DriveStatus::BitLockerKeyInvalid,
        ),
        ("BitLockerFailed", DriveStatus::BitLockerUnlockFailed),
        (
            "BitLockerUnlockVolumeFailed",
            DriveStatus::BitLockerUnlockFailed,
        ),
        ("ManifestNameInvalid", DriveStatus::ManifestFileError),
        ("ManifestNameTooLong", DriveStatus::ManifestFileError),
        ("ManifestNotFound", DriveStatus::ManifestFileError),
        ("ManifestAccessDenied", DriveStatus::ManifestFileError),
        ("ManifestCorrupted", DriveStatus::ManifestFileError),
        ("ManifestFormatInvalid", DriveStatus::ManifestFileError),
        ("ManifestDriveIdMismatch", DriveStatus::ManifestFileError),
        ("ReadManifestFailed", DriveStatus::ManifestFileError),
        (
            "MetadataFilesModifiedOrRemoved",
            DriveStatus::ManifestFileError,
        ),
        ("BlobListFormatInvalid", DriveStatus::ExportBlobListInvalid),
        ("BlobRequestForbidden", DriveStatus::BlobAccessForbidden),
        ("InternalError", DriveStatus::Failed),
        ("OtherServiceError", DriveStatus::Failed),
        ("OtherUserError", DriveStatus::Failed),
        ("DeviceFormatted", DriveStatus::Failed),
        ("DeviceMetadataModified", DriveStatus::Failed),
        ("NotReturned", DriveStatus::Failed),
    ];
    alias.iter().find(|(a, _)| key(a) == k).map(|(_, s)| *s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_resolves() {
        for n in [
            "Awaiting shipment information",
            "Shipped",
            "Received",
            "Data copy in progress",
            "Data copy completed with errors",
            "Data copy completed with warnings",
            "Data copy failed",
            "Preparing to ship",
            "Shipped to customer",
            "Completed",
            "Canceled",
            "Creating",
            "Shipping",
            "Transferring",
            "Packaging",
            "Closed",
            "Faulted",
            "AwaitingShipmentDetails",
            "ShippedToAzureDC",
            "AtAzureDC",
            "DataCopy",
            "CompletedWithErrors",
            "CompletedWithWarnings",
            "Cancelled",
            "Aborted",
            "PreparingToShipFromAzureDC",
            "ShippedToCustomer",
            "DeviceOrdered",
        ] {
            assert!(job_state(n).is_some(), "job state {n}");
        }
        for n in [
            "Specified",
            "Received",
            "Transferring",
            "Completed",
            "CompletedMoreInfo",
            "ShippedBack",
            "NotStarted",
            "InProgress",
        ] {
            assert!(drive_state(n).is_some(), "drive state {n}");
        }
        for s in DriveStatus::ALL {
            assert_eq!(failure_state(s.as_str()), Some(s));
        }
        assert_eq!(
            failure_state("NeverReceived"),
            Some(DriveStatus::DiskNotReceived)
        );
        assert_eq!(
            failure_state("VolumeNotNtfs"),
            Some(DriveStatus::NtfsVolumeNotFound)
        );
        assert_eq!(
            failure_state("bitlocker key invalid"),
            Some(DriveStatus::BitLockerKeyInvalid)
        );
    }

    #[test]
    fn cancel_only_before_shipping() {
        assert!(job_state("Creating").unwrap().can_cancel);
        assert!(!job_state("Shipping").unwrap().can_cancel);
    }
}
