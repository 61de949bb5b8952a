//! `check --job JOB DEVICE...`: every drive of a job checked at once, each with
//! the key the job holds for it, matched by serial number; one verdict per
//! drive and one for the job.

use super::model::{Drive, Job};
use crate::check::{self, CheckReport, Options};
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
    /// The device or image as given; `path` in JSON, as `disk.path` and `devices[].path`.
    #[serde(rename = "path")]
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
    let mut findings = Vec::new();
    if job.drives.len() > MAX_DRIVES {
        findings.push(Finding::error(
            "job.too-many-drives",
            DriveStatus::Failed,
            "job",
            format!(
                "the job lists {} drives; a job takes at most {MAX_DRIVES}",
                job.drives.len()
            ),
        ));
    }
    if sources.len() > MAX_DRIVES {
        findings.push(Finding::error(
            "job.too-many-drives",
            DriveStatus::Failed,
            "command line",
            format!(
                "{} drives were given; a job takes at most {MAX_DRIVES}",
                sources.len()
            ),
        ));
    }
    // Open every source first (cheap), to learn device serials.
    let opened: Vec<(SourceArg, Result<source::OpenedSource, String>)> = sources
        .iter()
        .map(|s| (s.clone(), source::open(&s.path).map_err(|e| e.to_string())))
        .collect();
    let serial_of = |s: &SourceArg, o: &Result<source::OpenedSource, String>| -> Option<String> {
        s.serial
            .clone()
            .or_else(|| {
                o.as_ref()
                    .ok()
                    .and_then(|o| o.device.as_ref())
                    .and_then(|d| d.serial.clone())
            })
            .or_else(|| {
                (sources.len() == 1)
                    .then(|| drive_id.map(str::to_string))
                    .flatten()
            })
    };
    let mut matched: Vec<Option<&Drive>> = Vec::new();
    for (s, o) in &opened {
        let serial = serial_of(s, o);
        let drive = serial
            .as_deref()
            .and_then(|sn| job.drives.iter().find(|d| same_serial(&d.drive_id, sn)));
        if drive.is_none() {
            findings.push(
                Finding::error(
                    "job.extra-drive",
                    DriveStatus::Failed,
                    s.path.display().to_string(),
                    match &serial {
                        Some(sn) => format!("serial {sn} is not a drive of this job; the datacenter would treat it as an extra drive and return it unprocessed"),
                        None => "no serial number is known for this source, so it cannot be matched to a drive of the job".to_string(),
                    },
                )
                .with_hint("give images as SERIAL=PATH (or --drive-id for one image), or add the drive to the job"),
            );
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
    // One thread per drive: each reads its own device, so drives are read in parallel.
    let drives: Vec<DriveResult> = std::thread::scope(|scope| {
        let handles: Vec<_> = opened
            .iter()
            .zip(&matched)
            .map(|((s, o), d)| {
                scope.spawn(move || match (o, d) {
                    (Err(e), _) => DriveResult {
                        drive_id: d.map(|d| d.drive_id.clone()),
                        source: s.path.display().to_string(),
                        verdict: Verdict::Incomplete,
                        exit_code: 3,
                        error: Some(e.clone()),
                        report: None,
                    },
                    (Ok(src), Some(drive)) => {
                        let r = check::run(src, &options_for(drive));
                        DriveResult {
                            drive_id: Some(drive.drive_id.clone()),
                            source: s.path.display().to_string(),
                            verdict: r.outcome.verdict,
                            exit_code: r.outcome.exit_code,
                            error: None,
                            report: Some(r),
                        }
                    }
                    (Ok(_), None) => DriveResult {
                        drive_id: None,
                        source: s.path.display().to_string(),
                        verdict: Verdict::WouldFail,
                        exit_code: 1,
                        error: Some("not a drive of this job".into()),
                        report: None,
                    },
                })
            })
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
    });
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

/// The human form: every drive's checklist, then the job's verdict.
pub fn render(j: &JobCheck, strict: bool) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    for d in &j.drives {
        let _ = writeln!(
            o,
            "=== drive {} ({})",
            d.drive_id.as_deref().unwrap_or("not in the job"),
            d.source
        );
        match (&d.report, &d.error) {
            (Some(r), _) => o.push_str(&check::render::human(r, strict)),
            (None, Some(e)) => {
                let _ = writeln!(o, "  {e}");
            }
            (None, None) => {}
        }
        o.push('\n');
    }
    let _ = writeln!(o, "=== job {}", j.job.as_deref().unwrap_or("(unnamed)"));
    for f in &j.findings {
        o.push_str(&crate::report::human::finding("  ", f));
    }
    for d in &j.drives {
        let v = match d.verdict {
            Verdict::Ready => "ready",
            Verdict::WouldFail => "WOULD FAIL",
            Verdict::Incomplete => "incomplete",
        };
        let _ = writeln!(
            o,
            "  {:<24} {:<12} {}",
            d.drive_id.as_deref().unwrap_or("-"),
            v,
            d.source
        );
    }
    let _ = writeln!(
        o,
        "\n{}",
        crate::report::human::verdict_line(j.verdict, strict)
    );
    o
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
