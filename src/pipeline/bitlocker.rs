//! The BitLocker stage: metadata, protectors and keys; when a key opens the
//! volume, the NTFS inside is checked through the decrypting view exactly as
//! a plain volume is.

use super::{ntfs, ContentOptions, State, VolumeReport};
use crate::bitlocker::Credentials;
use crate::layout::Chosen;
use crate::probe::{self, VolumeType};
use crate::report::DriveStatus;
use crate::source::{ReadAt, ReadError};
use std::sync::Arc;

pub(super) fn examine(
    st: &mut State,
    vol: Arc<dyn ReadAt>,
    chosen: &Chosen,
    creds: &Credentials,
    content: Option<&ContentOptions>,
    report: &mut VolumeReport,
) -> Result<(), ReadError> {
    for s in [
        DriveStatus::BitLockerVolumeNotFound,
        DriveStatus::BitLockerKeyInvalid,
        DriveStatus::BitLockerUnlockFailed,
    ] {
        st.list.checked(s);
    }
    let a = crate::bitlocker::assess(vol, creds);
    st.findings.extend(a.findings);
    report.bitlocker = Some(a.facts);
    let Some(plain) = a.unlocked else {
        report.inner_type = Some("locked".into());
        locked(st, content.is_some());
        return Ok(());
    };
    st.list.checked(DriveStatus::NtfsVolumeNotFound);
    let inner: Arc<dyn ReadAt> = Arc::new(plain);
    let kind = probe::probe(inner.as_ref())?;
    report.inner_type = Some(
        serde_json::to_value(kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "unknown".into()),
    );
    if kind == VolumeType::Ntfs {
        report.ntfs = ntfs::examine_plain(st, inner, chosen.offset, true, content)?;
    }
    Ok(())
}

/// The rows a locked volume leaves open.
fn locked(st: &mut State, content: bool) {
    st.list.blocked(
        DriveStatus::NtfsVolumeNotFound,
        "the BitLocker volume was not unlocked (give the recovery password with --recovery-key-file), so the file system inside was not examined",
    );
    st.list.not_checked(
        DriveStatus::DiskCorrupted,
        "the partition table and BitLocker metadata were checked, but the volume was not unlocked, so the NTFS inside (boot sector, read-only chkdsk, file data) was not",
    );
    if content {
        st.list.blocked(
            DriveStatus::ManifestFileError,
            "the BitLocker volume was not unlocked, so the drive manifest was not read and no file was hashed",
        );
    }
}
