//! `ie-preflight status JOB.json`: the job's and every drive's state, what it
//! means, what to do next, and for a failed drive which check would have
//! caught it and how to fix the drive. Both resource providers (Import/Export
//! and Data Box customer disk) give the same report; the fields of the record
//! that change the next step (a cancellation asked for, tracking numbers
//! already given, an incomplete export) change it here too.

use super::model::{Drive, Job, Package, Provider};
use super::states::{
    bare_copy_status, drive_state, failure_help, failure_state, job_state, JobState,
};
use serde::Serialize;

#[derive(Serialize)]
pub struct JobStatus {
    /// `import-export` or `data-box`; none for a drive list, journal or DriveInfo file.
    pub provider: Option<Provider>,
    pub name: Option<String>,
    pub job_type: Option<String>,
    /// The state as the record spells it.
    pub state: Option<String>,
    /// The current portal's name for it.
    pub portal_state: Option<&'static str>,
    pub meaning: String,
    pub next_step: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub timing: &'static str,
    pub can_cancel: Option<bool>,
    pub cancel_requested: Option<bool>,
    pub percent_complete: Option<i64>,
    /// The shipment to the datacenter, as the job records it.
    pub delivery: Option<Package>,
    /// The shipment back, as the job records it.
    pub return_package: Option<Package>,
    /// The job's own error, as the service gives it.
    pub error: Option<String>,
    pub incomplete_blob_list_uri: Option<String>,
    pub export_selection: Option<String>,
    pub failed: bool,
}

#[derive(Serialize)]
pub struct DriveReport {
    pub drive_id: String,
    pub state: Option<String>,
    pub copy_status: Option<String>,
    pub portal_state: String,
    /// `progress`, `failure`, `none` (no state recorded) or `unknown`.
    pub kind: &'static str,
    pub meaning: String,
    pub next_step: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caught_by: Option<&'static str>,
    pub percent_complete: Option<i64>,
    /// Whether a key is present and well-formed; never the key.
    pub bitlocker_key: String,
    pub manifest_file: Option<String>,
    pub manifest_hash: Option<String>,
    pub manifest_uri: Option<String>,
    pub bytes_succeeded: Option<i64>,
    pub bytes_processed: Option<i64>,
    pub total_bytes: Option<i64>,
    pub files_processed: Option<i64>,
    pub total_files: Option<i64>,
    pub files_errored: Option<i64>,
    pub error: Option<String>,
    pub error_log_uri: Option<String>,
    pub verbose_log_uri: Option<String>,
}

#[derive(Serialize)]
pub struct StatusReport {
    pub schema: &'static str,
    pub job: JobStatus,
    pub drives: Vec<DriveReport>,
    pub exit_code: i32,
}

/// A list response: one report per job.
#[derive(Serialize)]
pub struct StatusList {
    pub schema: &'static str,
    pub jobs: Vec<StatusReport>,
    pub exit_code: i32,
}

fn key_summary(d: &Drive, export: bool) -> String {
    match &d.bitlocker_key {
        None if export => "none (export drives need none from you)".into(),
        None => "not given".into(),
        Some(k) => match crate::recovery_password::check_form(k) {
            Ok(()) => "given, a well-formed recovery password".into(),
            Err(e) => format!("given, but not a recovery password: {e}"),
        },
    }
}

/// The portal's words for a drive, its kind, meaning, next step and check.
struct Said {
    portal: String,
    kind: &'static str,
    meaning: String,
    next: String,
    caught: Option<&'static str>,
}

fn said(portal: impl Into<String>, kind: &'static str, meaning: &str, next: &str) -> Said {
    Said {
        portal: portal.into(),
        kind,
        meaning: meaning.into(),
        next: next.into(),
        caught: None,
    }
}

fn failure(portal: String, s: crate::report::DriveStatus, meaning: Option<&str>) -> Said {
    let h = failure_help(s);
    Said {
        portal,
        kind: "failure",
        meaning: meaning.unwrap_or(h.meaning).into(),
        next: h.fix.into(),
        caught: Some(h.caught_by),
    }
}

/// What the drive's states say, copy status first.
fn explain(d: &Drive, job: &Job) -> Said {
    let names = [d.copy_status.as_deref(), d.state.as_deref()];
    if let Some(b) = names.iter().flatten().find_map(|n| bare_copy_status(n)) {
        return failure(b.name.into(), b.closest, Some(b.meaning));
    }
    if let Some(s) = names.iter().flatten().find_map(|n| failure_state(n)) {
        return failure(s.as_str().into(), s, None);
    }
    if names.iter().all(Option::is_none) {
        if job.provider == Some(Provider::DataBox) && job.state.is_some() {
            return said(
                "Data copy not started",
                "progress",
                "The job has no copy progress for this disk yet: copying has not started.",
                "Nothing to do.",
            );
        }
        return said(
            "no state recorded",
            "none",
            "The record carries no drive state: a journal, DriveInfo file or drive list describes the drive before the job is processed.",
            "Check the drive with `ie-preflight check DEVICE --recovery-key-file KEY` before shipping.",
        );
    }
    let in_progress = d
        .copy_status
        .as_deref()
        .and_then(drive_state)
        .is_some_and(|s| s.portal == "Data copy in progress");
    if in_progress && d.state.as_deref() == Some("CompletedMoreInfo") {
        return said(
            progress_words(d),
            "progress",
            "Still in progress: the drive state is CompletedMoreInfo, but its copy status InProgress says the copy goes on; the state alone would read as finished.",
            "Nothing to do yet; look again when the copy status is no longer InProgress.",
        );
    }
    match names.iter().flatten().find_map(|n| drive_state(n)) {
        Some(ds) if ds.portal == "Data copy in progress" => {
            said(progress_words(d), "progress", ds.meaning, ds.next_step)
        }
        Some(ds) => said(ds.portal, "progress", ds.meaning, ds.next_step),
        None => said(
            d.state
                .clone()
                .or_else(|| d.copy_status.clone())
                .unwrap_or_else(|| "unknown".into()),
            "unknown",
            "This state is not one the service documents.",
            "Check the job in the Azure portal.",
        ),
    }
}

/// The portal's "N% completed", or its plain words without a percent.
fn progress_words(d: &Drive) -> String {
    match d.percent_complete {
        Some(p) => format!("{p}% completed"),
        None => "Data copy in progress".into(),
    }
}

fn drive_report(d: &Drive, job: &Job) -> DriveReport {
    let mut s = explain(d, job);
    if d.error_log_uri.is_some() && s.kind != "none" && !s.next.contains("ie-preflight log") {
        let errored = d.files_errored.is_some_and(|n| n > 0);
        if errored || s.portal.contains("with errors") || s.kind == "failure" {
            s.next.push_str(" The drive's error log is linked below (`ie-preflight log FILE` summarises it once downloaded).");
        }
    }
    DriveReport {
        drive_id: d.drive_id.clone(),
        state: d.state.clone(),
        copy_status: d.copy_status.clone(),
        portal_state: s.portal,
        kind: s.kind,
        meaning: s.meaning,
        next_step: s.next,
        caught_by: s.caught,
        percent_complete: d.percent_complete,
        bitlocker_key: key_summary(d, job.is_export()),
        manifest_file: d.manifest_file.clone(),
        manifest_hash: d.manifest_hash.clone(),
        manifest_uri: d.manifest_uri.clone(),
        bytes_succeeded: d.bytes_succeeded,
        bytes_processed: d.bytes_processed,
        total_bytes: d.total_bytes,
        files_processed: d.files_processed,
        total_files: d.total_files,
        files_errored: d.files_errored,
        error: d.error.clone(),
        error_log_uri: d.error_log_uri.clone(),
        verbose_log_uri: d.verbose_log_uri.clone(),
    }
}

fn shipment(p: &Package) -> String {
    match (&p.carrier, &p.tracking) {
        (Some(c), Some(t)) => format!("{c}, tracking number {t}"),
        (None, Some(t)) => format!("tracking number {t}"),
        (Some(c), None) => format!("{c}, no tracking number"),
        (None, None) => "no carrier or tracking number".into(),
    }
}

/// The meaning and next step, as the record's fields change them.
fn meaning_and_next(job: &Job, js: Option<&JobState>) -> (String, String) {
    let mut meaning = match (js, &job.state) {
        (Some(s), _) => s.meaning.to_string(),
        (None, Some(_)) => "This state is not one the service documents.".to_string(),
        (None, None) => {
            "The record has no job state (a drive list, journal, DriveInfo file or key list)."
                .to_string()
        }
    };
    let mut next = js.map_or("Check the job in the Azure portal.".to_string(), |s| {
        s.next_step.to_string()
    });
    let portal = js.map(|s| s.portal);
    let ended = matches!(portal, Some("Canceled" | "Completed" | "Closed"));
    if job.cancel_requested == Some(true) && !ended {
        meaning =
            "Cancellation was requested (cancelRequested): the service is cancelling the job."
                .into();
        next = "Do not ship the drives. Drives already on their way are returned to the return address.".into();
        return (meaning, next);
    }
    let delivery = job.delivery.as_ref().filter(|p| p.has_tracking());
    if let (Some("Awaiting shipment information"), Some(p)) = (portal, delivery) {
        next = format!("The job already holds the shipment to the datacenter ({}): there is no tracking information left to enter. Ship the drives if they are not on their way; the state changes to Shipped.", shipment(p));
    }
    let back = job.return_package.as_ref().filter(|p| p.has_tracking());
    if let (Some("Shipped to customer"), Some(p)) = (portal, back) {
        next = format!("Watch for the return shipment: {}.", shipment(p));
    }
    if let Some(uri) = &job.incomplete_blob_list_uri {
        next.push_str(&format!(" Not every blob fit on the drives: {uri} lists those not exported; create another export job with it as the blob list."));
    }
    (meaning, next)
}

pub fn report(job: &Job) -> StatusReport {
    let js = job.state.as_deref().and_then(job_state);
    let drives: Vec<DriveReport> = job.drives.iter().map(|d| drive_report(d, job)).collect();
    let failed = js.is_some_and(|s| s.failed) || drives.iter().any(|d| d.kind == "failure");
    let (meaning, next_step) = meaning_and_next(job, js);
    let can_cancel = match job.is_cancellable {
        Some(c) => Some(c && job.cancel_requested != Some(true)),
        None => js.map(|s| s.can_cancel && job.cancel_requested != Some(true)),
    };
    StatusReport {
        schema: crate::report::SCHEMA,
        job: JobStatus {
            provider: job.provider,
            name: job.name.clone(),
            job_type: job.job_type.clone(),
            state: job.state.clone(),
            portal_state: js.map(|s| s.portal),
            meaning,
            next_step,
            timing: js.map_or("", |s| s.timing),
            can_cancel,
            cancel_requested: job.cancel_requested,
            percent_complete: job.percent_complete,
            delivery: job.delivery.clone(),
            return_package: job.return_package.clone(),
            error: job.error.clone(),
            incomplete_blob_list_uri: job.incomplete_blob_list_uri.clone(),
            export_selection: job.export_selection.clone(),
            failed,
        },
        drives,
        exit_code: if failed { 1 } else { 0 },
    }
}

/// One report per job of a list; the exit code is the worst.
pub fn report_all(jobs: &[Job]) -> StatusList {
    let jobs: Vec<StatusReport> = jobs.iter().map(report).collect();
    StatusList {
        schema: crate::report::SCHEMA,
        exit_code: jobs.iter().map(|r| r.exit_code).max().unwrap_or(0),
        jobs,
    }
}

pub use super::status_render::{render, render_all};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::model::parse_job;

    #[test]
    fn failed_drive_names_the_check() {
        let j = parse_job(r#"{"properties":{"jobType":"Import","state":"Transferring","driveList":[
            {"driveId":"A","state":"Transferring","percentComplete":40},
            {"driveId":"B","state":"CompletedMoreInfo","copyStatus":"BitLockerKeyInvalid","bitLockerKey":"1-2"}]}}"#)
        .unwrap();
        let r = report(&j);
        assert_eq!(r.job.portal_state, Some("Data copy in progress"));
        assert_eq!(r.drives[0].portal_state, "40% completed");
        assert_eq!(r.drives[1].kind, "failure");
        assert_eq!(r.drives[1].portal_state, "BitLocker key invalid");
        assert!(r.drives[1]
            .caught_by
            .unwrap()
            .contains("--recovery-key-file"));
        assert_eq!(r.exit_code, 1);
        let text = render(&r);
        assert!(text.contains("FAILED: BitLocker key invalid"));
    }

    #[test]
    fn cancel_requested_changes_the_next_step() {
        let j = parse_job(
            r#"{"properties":{"jobType":"Import","state":"Creating","cancelRequested":true}}"#,
        )
        .unwrap();
        let r = report(&j);
        assert!(
            r.job.next_step.starts_with("Do not ship"),
            "{}",
            r.job.next_step
        );
        assert_eq!(r.job.can_cancel, Some(false));
    }
}
