//! The findings of the BitLocker stage (issue 6, item 4), one constructor per code.

use crate::bitlocker::codes;
use crate::report::{DriveStatus, Finding};

pub const SUBJECT: &str = "BitLocker volume";
pub const KEY_HINT: &str =
    "give the 48-digit recovery password with --recovery-key-file FILE (or - to read it from stdin)";

pub fn not_found(what: &str) -> Finding {
    Finding::error(
        codes::NOT_FOUND,
        DriveStatus::BitLockerVolumeNotFound,
        SUBJECT,
        format!("the volume is not BitLocker-encrypted ({what}); import drives must be"),
    )
    .with_hint("encrypt the volume with BitLocker and a recovery password (manage-bde -on X: -RecoveryPassword)")
}

/// A key was given, but the drive has no BitLocker volume to try it on:
/// likely the key of another drive.
pub fn key_unused(what: &str) -> Finding {
    Finding::warning(
        codes::KEY_UNUSED,
        DriveStatus::BitLockerVolumeNotFound,
        SUBJECT,
        format!("a BitLocker key was given, but {what}; the key was not used"),
    )
    .with_hint("check that the key belongs to this drive (the job's key for this drive's serial)")
}

pub fn not_activated(detail: &str) -> Finding {
    Finding::error(
        codes::NOT_ACTIVATED,
        DriveStatus::BitLockerVolumeNotFound,
        SUBJECT,
        format!("BitLocker is not fully activated: {detail}"),
    )
    .with_hint(
        "let the encryption finish (manage-bde -status shows 100 % encrypted) before shipping",
    )
}

pub fn metadata_damaged(copies: &[String]) -> Finding {
    Finding::warning(
        codes::METADATA_DAMAGED,
        DriveStatus::DiskCorrupted,
        SUBJECT,
        format!(
            "FVE metadata damaged: {}; a good copy remains and was used",
            copies.join("; ")
        ),
    )
    .with_hint("run chkdsk and check the drive's health; the damage may spread")
}

pub fn metadata_unusable(copies: &[String]) -> Finding {
    Finding::error(
        codes::METADATA_UNUSABLE,
        DriveStatus::BitLockerUnlockFailed,
        SUBJECT,
        format!("no usable FVE metadata copy: {}", copies.join("; ")),
    )
}

pub fn unsupported_method(code: u16) -> Finding {
    Finding::error(
        codes::UNSUPPORTED_METHOD,
        DriveStatus::BitLockerUnlockFailed,
        SUBJECT,
        format!("unknown encryption method {code:#06x}"),
    )
}

pub fn unsupported_variant(what: &str) -> Finding {
    Finding::error(
        codes::UNSUPPORTED_VARIANT,
        DriveStatus::BitLockerUnlockFailed,
        SUBJECT,
        format!("{what}: the volume is not decrypted, so nothing inside was checked"),
    )
}

pub fn no_recovery_protector() -> Finding {
    Finding::error(
        codes::NO_RECOVERY_PROTECTOR,
        DriveStatus::BitLockerKeyInvalid,
        SUBJECT,
        "the volume has no recovery-password protector, so the datacenter cannot unlock it",
    )
    .with_hint("add one: manage-bde -protectors -add X: -RecoveryPassword")
}

pub fn protection_suspended() -> Finding {
    Finding::warning(
        codes::PROTECTION_SUSPENDED,
        DriveStatus::BitLockerVolumeNotFound,
        SUBJECT,
        "BitLocker protection is suspended (a clear key is stored on the volume): anyone can read it",
    )
    .with_hint("resume protection: manage-bde -protectors -enable X:")
}

pub fn key_malformed(what: &str) -> Finding {
    Finding::error(
        codes::KEY_MALFORMED,
        DriveStatus::BitLockerKeyInvalid,
        SUBJECT,
        format!("the key given is not valid: {what}"),
    )
    .with_hint(
        "copy the recovery password again from the .txt file or manage-bde -protectors -get X:",
    )
}

pub fn key_mismatch(credential: &str, tried: usize) -> Finding {
    let msg = if tried == 0 {
        format!("the {credential} given cannot open this volume: it has no matching protector")
    } else {
        format!("the {credential} given opens none of the {tried} matching protector(s)")
    };
    Finding::error(
        codes::KEY_MISMATCH,
        DriveStatus::BitLockerKeyInvalid,
        SUBJECT,
        msg,
    )
    .with_hint("check that the key belongs to this drive (the key ID is shown by manage-bde -protectors -get X:)")
}

pub fn unlock_failed(what: &str) -> Finding {
    Finding::error(
        codes::UNLOCK_FAILED,
        DriveStatus::BitLockerUnlockFailed,
        SUBJECT,
        format!("the volume cannot be decrypted: {what}"),
    )
}

pub fn inner_not_ntfs(fs: &str) -> Finding {
    Finding::error(
        codes::INNER_NOT_NTFS,
        DriveStatus::NtfsVolumeNotFound,
        SUBJECT,
        format!("the volume inside BitLocker is {fs}, not NTFS"),
    )
    .with_hint("format the volume as NTFS before encrypting it")
}

pub fn no_key(unlocked_by_other: Option<&str>) -> Finding {
    let msg = match unlocked_by_other {
        Some(other) => format!(
            "no recovery password given: the key the datacenter will use was not checked (the volume was opened with the {other})"
        ),
        None => "no recovery password given: the key and everything inside the volume (NTFS, files, manifest) were not checked".to_string(),
    };
    Finding::warning(
        codes::NO_KEY,
        DriveStatus::BitLockerKeyInvalid,
        SUBJECT,
        msg,
    )
    .with_hint(KEY_HINT)
}
