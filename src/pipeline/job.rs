//! `check --job JOB DEVICE...`: every drive of a job checked at once, each with
//! the key the job holds for it, matched by serial number; findings for the
//! job's drives that were not given and for sources that are not in the job.

use super::drives::{check_all, DrivesChecked, Opened, SourceArg};
use super::Options;
use crate::job::{Drive, Job};
use crate::report::{DriveStatus, Finding};
use crate::source::same_serial;

/// The service takes at most 10 drives per job (S-REQ, S-RP: the job's `driveList` holds "up to ten").
pub const MAX_DRIVES: usize = 10;

/// What a drive needs beyond the common options: its key (and, with a
/// manifest stage, its manifest file and hash).
pub type OptionsFor<'a> = dyn Fn(&Drive) -> Options + Sync + 'a;

/// Check every source against the job. `drive_id` pairs a single image with a
/// job drive when no serial is known.
pub fn check_job(
    job: &Job,
    opened: &[Opened],
    drive_id: Option<&str>,
    options_for: &OptionsFor<'_>,
) -> DrivesChecked {
    let mut findings = too_many_drives(job.drives.len(), opened.len());
    let single = (opened.len() == 1).then_some(drive_id).flatten();
    let matched = match_drives(job, opened, single, &mut findings);
    findings.extend(key_findings(job, &matched));
    let plans = matched
        .iter()
        .map(|d| match d {
            Some(d) => Ok((Some(d.drive_id.clone()), options_for(d))),
            None => Err("not a drive of this job".to_string()),
        })
        .collect();
    check_all(job.name.clone(), opened, plans, findings)
}

/// The service's limit of drives per job, in the job and on the command line.
fn too_many_drives(in_job: usize, given: usize) -> Vec<Finding> {
    let mut findings = Vec::new();
    if in_job > MAX_DRIVES {
        findings.push(Finding::error(
            "job.too-many-drives",
            DriveStatus::Failed,
            "job",
            format!("the job lists {in_job} drives; a job takes at most {MAX_DRIVES}"),
        ));
    }
    if given > MAX_DRIVES {
        findings.push(Finding::error(
            "job.too-many-drives",
            DriveStatus::Failed,
            "command line",
            format!("{given} drives were given; a job takes at most {MAX_DRIVES}"),
        ));
    }
    findings
}

/// The job's drive for each source, by serial (`SERIAL=PATH`, the device's
/// serial, or `single` for the only source); findings for sources that are
/// not in the job and for job drives that were not given.
fn match_drives<'j>(
    job: &'j Job,
    opened: &[Opened],
    single: Option<&str>,
    findings: &mut Vec<Finding>,
) -> Vec<Option<&'j Drive>> {
    let mut matched = Vec::new();
    for o in opened {
        let serial = o.serial().or_else(|| single.map(str::to_string));
        let drive = serial
            .as_deref()
            .and_then(|sn| job.drives.iter().find(|d| same_serial(&d.drive_id, sn)));
        if drive.is_none() {
            findings.push(extra_drive(&o.arg, serial.as_deref()));
        }
        matched.push(drive);
    }
    for d in &job.drives {
        if !matched.iter().flatten().any(|m| std::ptr::eq(*m, d)) {
            findings.push(
                Finding::error(
                    "job.drive-not-checked",
                    DriveStatus::DiskNotReceived,
                    format!("drive {}", d.drive_id),
                    format!("drive {} is in the job but was not among the drives checked; if it is not in the package it ends as \"Disk not received at datacenter\"", d.drive_id),
                )
                .with_hint("check that drive too, or remove it from the job before shipping"),
            );
        }
    }
    matched
}

/// Import drives checked without a key from the job, and keys of the key
/// response that belong to no drive of the job.
fn key_findings(job: &Job, matched: &[Option<&Drive>]) -> Vec<Finding> {
    let mut out = Vec::new();
    if !job.is_export() {
        for d in matched
            .iter()
            .flatten()
            .filter(|d| d.bitlocker_key.is_none())
        {
            out.push(
                Finding::warning(
                    "job.no-key",
                    DriveStatus::BitLockerKeyInvalid,
                    format!("drive {}", d.drive_id),
                    format!("the job record holds no BitLocker key for drive {}, so the key the service will use is not tried", d.drive_id),
                )
                .with_hint("give the key response with --job-keys: `az databox job list-credentials` (Data Box) or listBitLockerKeys (Import/Export); the GET body and `az databox job show` leave keys out"),
            );
        }
    }
    for sn in &job.unmatched_keys {
        out.push(
            Finding::warning(
                "job.key-for-unknown-drive",
                DriveStatus::Failed,
                format!("key for {sn}"),
                format!(
                    "the key response has a key for serial {sn}, which is not a drive of this job"
                ),
            )
            .with_hint("check that the key response and the job record are of the same job"),
        );
    }
    out
}

fn extra_drive(s: &SourceArg, serial: Option<&str>) -> Finding {
    Finding::error(
        "job.extra-drive",
        DriveStatus::Failed,
        s.path.display().to_string(),
        match serial {
            Some(sn) => format!("serial {sn} is not a drive of this job; the datacenter would treat it as an extra drive and return it unprocessed"),
            None => "no serial number is known for this source, so it cannot be matched to a drive of the job".to_string(),
        },
    )
    .with_hint("give images as SERIAL=PATH (or --drive-id for one image), or add the drive to the job")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_args() {
        let a = SourceArg::parse("WD123=disk.img");
        assert_eq!(a.serial.as_deref(), Some("WD123"));
        let b = SourceArg::parse("/dev/sdb");
        assert!(b.serial.is_none());
        assert!(same_serial("WD WCC4 N1", "wdwcc4n1"));
    }
}
