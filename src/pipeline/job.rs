//! `check --job JOB DEVICE...`: every drive of a job checked at once, each with
//! the key the job holds for it, matched by serial number; one verdict per
//! drive and one for the job.

use super::{CheckReport, Options};
use crate::job::{Drive, Job};
use crate::report::{DriveStatus, Finding, Severity, Verdict};
use crate::source::{self, same_serial};
use serde::Serialize;
use std::path::PathBuf;

/// The service takes at most 10 drives per job (S-REQ, S-RP: the job's `driveList` holds "up to ten").
pub const MAX_DRIVES: usize = 10;

/// A source on the command line: `PATH`, or `SERIAL=PATH` for an image.
#[derive(Debug, Clone)]
pub struct SourceArg {
    pub serial: Option<String>,
    pub path: PathBuf,
}

impl SourceArg {
    pub fn parse(s: &str) -> SourceArg {
        match s.split_once('=') {
            Some((serial, path)) if !serial.is_empty() && !serial.contains('/') => SourceArg {
                serial: Some(serial.to_string()),
                path: PathBuf::from(path),
            },
            _ => SourceArg {
                serial: None,
                path: PathBuf::from(s),
            },
        }
    }
}

#[derive(Serialize)]
pub struct DriveResult {
    pub drive_id: Option<String>,
    pub source: String,
    pub verdict: Verdict,
    pub exit_code: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<CheckReport>,
}

#[derive(Serialize)]
pub struct JobCheck {
    pub schema: &'static str,
    pub job: Option<String>,
    pub verdict: Verdict,
    pub exit_code: i32,
    /// Findings about the job as a whole (missing drives, extra devices).
    pub findings: Vec<Finding>,
    pub drives: Vec<DriveResult>,
}

/// What a drive needs beyond the common options: its key (and, with a
/// manifest stage, its manifest file and hash).
pub type OptionsFor<'a> = dyn Fn(&Drive) -> Options + Sync + 'a;

/// Check every source against the job. `drive_id` pairs a single image with a
/// job drive when no serial is known.
pub fn check_job(
    job: &Job,
    sources: &[SourceArg],
    drive_id: Option<&str>,
    options_for: &OptionsFor<'_>,
) -> JobCheck {
    let mut findings = too_many_drives(job.drives.len(), sources.len());
    // Open every source first (cheap), to learn device serials.
    let opened: Vec<Opened> = sources
        .iter()
        .map(|s| (s.clone(), source::open(&s.path).map_err(|e| e.to_string())))
        .collect();
    let single = (sources.len() == 1).then_some(drive_id).flatten();
    let matched = match_drives(job, &opened, single, &mut findings);
    findings.extend(key_findings(job, &matched));
    let drives = check_drives(&opened, &matched, options_for);
    let job_fails = findings.iter().any(|f| f.severity == Severity::Error);
    let verdict = if job_fails || drives.iter().any(|d| d.verdict == Verdict::WouldFail) {
        Verdict::WouldFail
    } else if drives.iter().any(|d| d.verdict == Verdict::Incomplete) || drives.is_empty() {
        Verdict::Incomplete
    } else {
        Verdict::Ready
    };
    JobCheck {
        schema: crate::report::SCHEMA,
        job: job.name.clone(),
        verdict,
        exit_code: verdict.exit_code(),
        findings,
        drives,
    }
}

/// A source from the command line, opened (or why it could not be).
type Opened = (SourceArg, Result<source::OpenedSource, String>);

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
    for (s, o) in opened {
        let serial = s
            .serial
            .clone()
            .or_else(|| {
                o.as_ref()
                    .ok()
                    .and_then(|o| o.device.as_ref())
                    .and_then(|d| d.serial.clone())
            })
            .or_else(|| single.map(str::to_string));
        let drive = serial
            .as_deref()
            .and_then(|sn| job.drives.iter().find(|d| same_serial(&d.drive_id, sn)));
        if drive.is_none() {
            findings.push(extra_drive(s, serial.as_deref()));
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

/// One thread per drive: each reads its own device, so drives are read in parallel.
fn check_drives(
    opened: &[Opened],
    matched: &[Option<&Drive>],
    options_for: &OptionsFor<'_>,
) -> Vec<DriveResult> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = opened
            .iter()
            .zip(matched)
            .map(|((s, o), d)| scope.spawn(move || check_drive(s, o, *d, options_for)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| DriveResult {
                    drive_id: None,
                    source: String::new(),
                    verdict: Verdict::Incomplete,
                    exit_code: 3,
                    error: Some("the check of this drive stopped unexpectedly".into()),
                    report: None,
                })
            })
            .collect()
    })
}

fn check_drive(
    s: &SourceArg,
    opened: &Result<source::OpenedSource, String>,
    drive: Option<&Drive>,
    options_for: &OptionsFor<'_>,
) -> DriveResult {
    let source = s.path.display().to_string();
    match (opened, drive) {
        (Err(e), _) => DriveResult {
            drive_id: drive.map(|d| d.drive_id.clone()),
            source,
            verdict: Verdict::Incomplete,
            exit_code: 3,
            error: Some(e.clone()),
            report: None,
        },
        (Ok(src), Some(drive)) => {
            let r = super::run(src, &options_for(drive)).report;
            DriveResult {
                drive_id: Some(drive.drive_id.clone()),
                source,
                verdict: r.outcome.verdict,
                exit_code: r.outcome.exit_code,
                error: None,
                report: Some(r),
            }
        }
        (Ok(_), None) => DriveResult {
            drive_id: None,
            source,
            verdict: Verdict::WouldFail,
            exit_code: 1,
            error: Some("not a drive of this job".into()),
            report: None,
        },
    }
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
