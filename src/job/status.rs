//! `ie-preflight status JOB.json`: the job's and every drive's state, what it
//! means, what to do next, and for a failed drive which check would have
//! caught it and how to fix the drive.

use super::model::{Drive, Job};
use super::states::{drive_state, failure_help, failure_state, job_state};
use serde::Serialize;

#[derive(Serialize)]
pub struct JobStatus {
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
    pub percent_complete: Option<i64>,
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

fn key_summary(d: &Drive) -> String {
    match &d.bitlocker_key {
        None => "not given".into(),
        Some(k) => match crate::recovery_password::check_form(k) {
            Ok(()) => "given, a well-formed recovery password".into(),
            Err(e) => format!("given, but not a recovery password: {e}"),
        },
    }
}

fn drive_report(d: &Drive) -> DriveReport {
    let names = [d.copy_status.as_deref(), d.state.as_deref()];
    let failure = names.iter().flatten().find_map(|n| failure_state(n));
    let base = |portal: String, kind, meaning: String, next: String, caught| DriveReport {
        drive_id: d.drive_id.clone(),
        state: d.state.clone(),
        copy_status: d.copy_status.clone(),
        portal_state: portal,
        kind,
        meaning,
        next_step: next,
        caught_by: caught,
        percent_complete: d.percent_complete,
        bitlocker_key: key_summary(d),
        manifest_file: d.manifest_file.clone(),
        manifest_hash: d.manifest_hash.clone(),
        error_log_uri: d.error_log_uri.clone(),
        verbose_log_uri: d.verbose_log_uri.clone(),
    };
    if let Some(s) = failure {
        let h = failure_help(s);
        return base(
            s.as_str().into(),
            "failure",
            h.meaning.into(),
            h.fix.into(),
            Some(h.caught_by),
        );
    }
    if names.iter().all(Option::is_none) {
        return base(
            "no state recorded".into(),
            "none",
            "The record carries no drive state: a journal, DriveInfo file or drive list describes the drive before the job is processed.".into(),
            "Check the drive with `ie-preflight check DEVICE --recovery-key-file KEY` before shipping.".into(),
            None,
        );
    }
    match names.iter().flatten().find_map(|n| drive_state(n)) {
        Some(ds) => {
            let portal = match (ds.portal, d.percent_complete) {
                ("Data copy in progress", Some(p)) => format!("{p}% completed"),
                (p, _) => p.to_string(),
            };
            base(
                portal,
                "progress",
                ds.meaning.into(),
                ds.next_step.into(),
                None,
            )
        }
        None => base(
            d.state.clone().unwrap_or_else(|| "unknown".into()),
            "unknown",
            "This state is not one the service documents.".into(),
            "Check the job in the Azure portal.".into(),
            None,
        ),
    }
}

pub fn report(job: &Job) -> StatusReport {
    let js = job.state.as_deref().and_then(job_state);
    let drives: Vec<DriveReport> = job.drives.iter().map(drive_report).collect();
    let failed = js.is_some_and(|s| s.failed) || drives.iter().any(|d| d.kind == "failure");
    StatusReport {
        schema: crate::report::SCHEMA,
        job: JobStatus {
            name: job.name.clone(),
            job_type: job.job_type.clone(),
            state: job.state.clone(),
            portal_state: js.map(|s| s.portal),
            meaning: js.map_or_else(
                || match &job.state {
                    Some(_) => "This state is not one the service documents.".to_string(),
                    None => {
                        "The record has no job state (a drive list, journal or DriveInfo file)."
                            .to_string()
                    }
                },
                |s| s.meaning.to_string(),
            ),
            next_step: js.map_or("Check the job in the Azure portal.".into(), |s| {
                s.next_step.into()
            }),
            timing: js.map_or("", |s| s.timing),
            can_cancel: js.map(|s| s.can_cancel && job.cancel_requested != Some(true)),
            percent_complete: job.percent_complete,
            failed,
        },
        drives,
        exit_code: if failed { 1 } else { 0 },
    }
}

pub fn render(r: &StatusReport) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let j = &r.job;
    let _ = writeln!(
        o,
        "Job {}{}",
        j.name.as_deref().unwrap_or("(unnamed)"),
        j.job_type
            .as_deref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default()
    );
    if let Some(st) = &j.state {
        let portal = j.portal_state.unwrap_or(st);
        let alias = if portal != st {
            format!(" (\"{st}\")")
        } else {
            String::new()
        };
        let pct = j
            .percent_complete
            .map(|p| format!(", {p}% complete"))
            .unwrap_or_default();
        let _ = writeln!(o, "  state      {portal}{alias}{pct}");
    }
    let _ = writeln!(o, "  meaning    {}", j.meaning);
    let _ = writeln!(o, "  next step  {}", j.next_step);
    if !j.timing.is_empty() {
        let _ = writeln!(o, "  timing     {}", j.timing);
    }
    if let Some(c) = j.can_cancel {
        let _ = writeln!(
            o,
            "  cancel     {}",
            if c {
                "still possible"
            } else {
                "no longer possible"
            }
        );
    }
    for d in &r.drives {
        let _ = writeln!(o, "\nDrive {}", d.drive_id);
        let _ = writeln!(
            o,
            "  state      {}{}",
            if d.kind == "failure" { "FAILED: " } else { "" },
            d.portal_state
        );
        let _ = writeln!(o, "  meaning    {}", d.meaning);
        if let Some(c) = d.caught_by {
            let _ = writeln!(o, "  caught by  {c}");
            let _ = writeln!(o, "  fix        {}", d.next_step);
        } else {
            let _ = writeln!(o, "  next step  {}", d.next_step);
        }
        let _ = writeln!(o, "  key        {}", d.bitlocker_key);
        for (label, v) in [
            ("manifest", &d.manifest_file),
            ("error log", &d.error_log_uri),
            ("verbose", &d.verbose_log_uri),
        ] {
            if let Some(v) = v {
                let _ = writeln!(o, "  {label:<10} {v}");
            }
        }
    }
    o
}

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
}
