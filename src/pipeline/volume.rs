//! The volume stage: the partition table, the first data volume, what it
//! holds, and whether an import drive's volume is what the service needs
//! (BitLocker with NTFS inside).

use super::{bitlocker, no_bitlocker_to_unlock, no_ntfs_to_examine, ntfs};
use super::{ContentOptions, JobType, Options, State, VolumeReport};
use crate::layout::{self, Chosen};
use crate::probe::{self, VolumeType};
use crate::report::{DriveStatus, Finding};
use crate::source::{ReadAt, ReadError, Window};
use std::sync::Arc;

/// Read the layout, choose the first data volume and examine it. `Err`: a
/// read failed, and the stages after it did not run.
pub(super) fn stage(
    st: &mut State,
    disk: &Arc<dyn ReadAt>,
    sector: u32,
    opts: &Options,
    content: Option<&ContentOptions>,
) -> Result<(), ReadError> {
    st.list.checked(DriveStatus::DiskCorrupted);
    let layout = layout::read_layout(disk.as_ref(), sector, &mut st.findings)?;
    let chosen = layout::first_data_volume(&layout, disk.len(), &mut st.findings);
    st.layout = Some(layout);
    let import = opts.job_type == JobType::Import;
    if !import {
        for s in [
            DriveStatus::NtfsVolumeNotFound,
            DriveStatus::BitLockerVolumeNotFound,
            DriveStatus::BitLockerKeyInvalid,
            DriveStatus::BitLockerUnlockFailed,
        ] {
            st.list.not_applicable(
                s,
                "export drives are formatted and encrypted by the service",
            );
        }
    }
    let Some(chosen) = chosen else {
        no_data_volume(st, opts, import);
        return Ok(());
    };
    let vol: Arc<dyn ReadAt> = Arc::new(Window::new(disk.clone(), chosen.offset, chosen.size));
    let kind = probe::probe(vol.as_ref())?;
    let mut report = volume_report(&chosen, kind);
    if !kind.is_bitlocker() && opts.credentials.is_given() {
        st.findings
            .push(crate::bitlocker::findings::key_unused(&format!(
                "the first data volume holds {}, not BitLocker",
                kind.describe()
            )));
    }
    if import && kind.is_bitlocker() {
        bitlocker::examine(st, vol, &chosen, &opts.credentials, content, &mut report)?;
    } else if kind == VolumeType::Ntfs || kind == VolumeType::Zero || kind == VolumeType::Unknown {
        // A blank or unknown start may still be NTFS with a damaged boot sector.
        if let Some(n) = ntfs::examine_plain(st, vol, chosen.offset, import, content)? {
            report.kind = VolumeType::Ntfs;
            report.ntfs = Some(n);
        }
    }
    if import {
        judge_import_volume(&report, &chosen, st);
    }
    st.volume = Some(report);
    Ok(())
}

/// No partition holds a data volume.
fn no_data_volume(st: &mut State, opts: &Options, import: bool) {
    if opts.credentials.is_given() {
        st.findings.push(crate::bitlocker::findings::key_unused(
            "the drive has no data volume",
        ));
    }
    if import {
        st.list.checked(DriveStatus::NtfsVolumeNotFound);
        st.list.not_checked(
            DriveStatus::BitLockerVolumeNotFound,
            "there is no data volume to look at",
        );
        no_bitlocker_to_unlock(&mut st.list);
        no_ntfs_to_examine(&mut st.list);
    }
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

/// An import drive's first data volume must be BitLocker with NTFS inside
/// (a BitLocker volume is judged by the BitLocker stage).
fn judge_import_volume(v: &VolumeReport, chosen: &Chosen, st: &mut State) {
    if v.kind.is_bitlocker() {
        return;
    }
    let subject = volume_subject(chosen);
    let at = chosen.offset;
    let list = &mut st.list;
    list.checked(DriveStatus::BitLockerVolumeNotFound);
    list.checked(DriveStatus::NtfsVolumeNotFound);
    no_bitlocker_to_unlock(list);
    let boot_ok = v
        .ntfs
        .as_ref()
        .is_some_and(|n| n.boot.boot_sector == "primary");
    if v.kind == VolumeType::Ntfs && boot_ok {
        st.findings.push(
            Finding::error(
                "bitlocker.not-found",
                DriveStatus::BitLockerVolumeNotFound,
                subject,
                "the first data volume is plain NTFS; import drives must be BitLocker-encrypted",
            )
            .with_hint("turn on BitLocker with a recovery password (`manage-bde -on X: -RecoveryPassword`, or WAImportExport /encrypt), wait for encryption to finish, and give the key with the job")
            .at_byte(at),
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
    st.findings.push(
        Finding::error(
            "volume.not-ntfs",
            DriveStatus::NtfsVolumeNotFound,
            subject,
            message,
        )
        .with_hint("format the first data partition as NTFS (one volume spanning the drive), then copy the data and encrypt it with BitLocker")
        .at_byte(at),
    );
    list.not_checked(
        DriveStatus::BitLockerVolumeNotFound,
        "the volume is neither BitLocker nor NTFS",
    );
}
