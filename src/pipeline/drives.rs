//! Several drives checked at once (`check SRC...`, `check --job`): each
//! source opened first (cheap, to learn its serial), then every drive read on
//! its own thread, since each reads its own device; one verdict per drive and
//! one for the run (the worst).

use super::{CheckReport, Options};
use crate::report::{Finding, RowResult, Severity, Verdict};
use crate::source::profile::ReadProfile;
use crate::source::{self, OpenedSource};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

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

/// A source from the command line, opened (or why it could not be).
pub struct Opened {
    pub arg: SourceArg,
    pub source: Result<OpenedSource, String>,
}

impl Opened {
    /// The drive's serial: `SERIAL=` on the command line, else the device's.
    pub fn serial(&self) -> Option<String> {
        self.arg.serial.clone().or_else(|| {
            self.source
                .as_ref()
                .ok()
                .and_then(|o| o.device.as_ref())
                .and_then(|d| d.serial.clone())
        })
    }
}

/// Open every source (no data is read yet).
pub fn open_sources(sources: &[SourceArg]) -> Vec<Opened> {
    sources
        .iter()
        .map(|s| Opened {
            arg: s.clone(),
            source: source::open(&s.path).map_err(|e| e.to_string()),
        })
        .collect()
}

#[derive(Serialize)]
pub struct DriveResult {
    /// The job's driveId this source was matched to (`check --job`).
    pub drive_id: Option<String>,
    /// The drive's serial (`SERIAL=` or the device's), when known.
    pub serial: Option<String>,
    /// The device or image as given; `path` in JSON, as `disk.path` and `devices[].path`.
    #[serde(rename = "path")]
    pub source: String,
    pub verdict: Verdict,
    pub exit_code: i32,
    /// The portal's words of every failing checklist row.
    pub failing: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<CheckReport>,
}

/// The document of a run over several drives (`drives` in JSON).
#[derive(Serialize)]
pub struct DrivesCheck {
    pub schema: &'static str,
    /// The job's name (`check --job`), `null` otherwise.
    pub job: Option<String>,
    pub verdict: Verdict,
    pub exit_code: i32,
    /// Findings about the run as a whole (a job's missing drives, extra devices).
    pub findings: Vec<Finding>,
    pub drives: Vec<DriveResult>,
}

/// A run over several drives: the document, and each drive's read profile
/// (`None` for a drive that was not read).
pub struct DrivesChecked {
    pub doc: DrivesCheck,
    pub profiles: Vec<Option<Arc<ReadProfile>>>,
}

/// What one opened source is checked with: `Err` names why it is not
/// checked at all (not a drive of the job).
pub type Plan = Result<(Option<String>, Options), String>;

/// Check every opened source with its plan, one thread per drive; the
/// run's verdict is the worst of the drives' and of `findings`.
pub fn check_all(
    job: Option<String>,
    opened: &[Opened],
    plans: Vec<Plan>,
    findings: Vec<Finding>,
) -> DrivesChecked {
    let (drives, profiles): (Vec<DriveResult>, Vec<_>) = std::thread::scope(|scope| {
        let handles: Vec<_> = opened
            .iter()
            .zip(plans)
            .map(|(o, plan)| scope.spawn(move || check_one(o, plan)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    let r = DriveResult {
                        drive_id: None,
                        serial: None,
                        source: String::new(),
                        verdict: Verdict::Incomplete,
                        exit_code: Verdict::Incomplete.exit_code(),
                        failing: Vec::new(),
                        error: Some("the check of this drive stopped unexpectedly".into()),
                        report: None,
                    };
                    (r, None)
                })
            })
            .unzip()
    });
    let run_fails = findings.iter().any(|f| f.severity == Severity::Error);
    let verdict = if run_fails || drives.iter().any(|d| d.verdict == Verdict::WouldFail) {
        Verdict::WouldFail
    } else if drives.iter().any(|d| d.verdict == Verdict::Incomplete) || drives.is_empty() {
        Verdict::Incomplete
    } else {
        Verdict::Ready
    };
    let doc = DrivesCheck {
        schema: crate::report::SCHEMA,
        job,
        verdict,
        exit_code: verdict.exit_code(),
        findings,
        drives,
    };
    DrivesChecked { doc, profiles }
}

fn check_one(o: &Opened, plan: Plan) -> (DriveResult, Option<Arc<ReadProfile>>) {
    let mut r = DriveResult {
        drive_id: None,
        serial: o.serial(),
        source: o.arg.path.display().to_string(),
        verdict: Verdict::Incomplete,
        exit_code: Verdict::Incomplete.exit_code(),
        failing: Vec::new(),
        error: None,
        report: None,
    };
    let (src, (drive_id, opts)) = match (&o.source, plan) {
        (Err(e), plan) => {
            r.drive_id = plan.ok().and_then(|(id, _)| id);
            r.error = Some(e.clone());
            return (r, None);
        }
        (Ok(_), Err(why)) => {
            r.verdict = Verdict::WouldFail;
            r.exit_code = Verdict::WouldFail.exit_code();
            r.error = Some(why);
            return (r, None);
        }
        (Ok(src), Ok(plan)) => (src, plan),
    };
    let checked = super::run(src, &opts);
    let report = checked.report;
    r.drive_id = drive_id;
    r.verdict = report.outcome.verdict;
    r.exit_code = report.outcome.exit_code;
    r.failing = report
        .outcome
        .checklist
        .iter()
        .filter(|row| row.result == RowResult::Fail)
        .map(|row| row.status.to_string())
        .collect();
    if r.serial.is_none() {
        r.serial = report.disk.device.as_ref().and_then(|d| d.serial.clone());
    }
    r.report = Some(report);
    (r, Some(checked.profile))
}
