//! The text form of `status`: the job, then each drive.

use super::status::{DriveReport, JobStatus, StatusList, StatusReport};
use std::fmt::Write;

fn line(o: &mut String, label: &str, v: impl std::fmt::Display) {
    let _ = writeln!(o, "  {label:<10} {v}");
}

fn job_lines(o: &mut String, j: &JobStatus) {
    let provider = match j.provider {
        Some(super::Provider::DataBox) => ", Data Box customer disk",
        _ => "",
    };
    let kind = match (&j.job_type, provider) {
        (Some(t), p) => format!(" ({t}{p})"),
        (None, "") => String::new(),
        (None, p) => format!(" ({})", p.trim_start_matches(", ")),
    };
    let _ = writeln!(o, "Job {}{kind}", j.name.as_deref().unwrap_or("(unnamed)"));
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
        line(o, "state", format!("{portal}{alias}{pct}"));
    }
    line(o, "meaning", &j.meaning);
    line(o, "next step", &j.next_step);
    if !j.timing.is_empty() {
        line(o, "timing", j.timing);
    }
    if let Some(e) = &j.error {
        line(o, "error", e);
    }
    if let Some(c) = j.can_cancel {
        let how = if c {
            "still possible"
        } else {
            "no longer possible"
        };
        line(o, "cancel", how);
    }
    for (label, p) in [("shipped", &j.delivery), ("returned", &j.return_package)] {
        if let Some(p) = p {
            let v = [p.carrier.as_deref(), p.tracking.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", tracking number ");
            line(o, label, v);
        }
    }
    if let Some(s) = &j.export_selection {
        line(o, "exports", s);
    }
    if let Some(u) = &j.incomplete_blob_list_uri {
        line(o, "not fit", u);
    }
}

fn counts(d: &DriveReport) -> Option<String> {
    let mut parts = Vec::new();
    if let (Some(done), Some(total @ 1..)) = (d.bytes_processed, d.total_bytes) {
        parts.push(format!("{done} of {total} bytes"));
    } else if let Some(b) = d.bytes_succeeded {
        parts.push(format!("{b} bytes copied"));
    }
    if let Some(n) = d.files_processed {
        let of = d
            .total_files
            .map(|t| format!(" of {t}"))
            .unwrap_or_default();
        parts.push(format!("{n}{of} files processed"));
    }
    if let Some(n) = d.files_errored {
        parts.push(format!("{n} errored"));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn drive_lines(o: &mut String, d: &DriveReport) {
    let _ = writeln!(o, "\nDrive {}", d.drive_id);
    let failed = if d.kind == "failure" { "FAILED: " } else { "" };
    line(o, "state", format!("{failed}{}", d.portal_state));
    line(o, "meaning", &d.meaning);
    if let Some(c) = d.caught_by {
        line(o, "caught by", c);
        line(o, "fix", &d.next_step);
    } else {
        line(o, "next step", &d.next_step);
    }
    if let Some(c) = counts(d) {
        line(o, "copied", c);
    }
    if let Some(e) = &d.error {
        line(o, "error", e);
    }
    line(o, "key", &d.bitlocker_key);
    for (label, v) in [
        ("manifest", &d.manifest_file),
        ("manifest@", &d.manifest_uri),
        ("error log", &d.error_log_uri),
        ("verbose", &d.verbose_log_uri),
    ] {
        if let Some(v) = v {
            line(o, label, v);
        }
    }
}

pub fn render(r: &StatusReport) -> String {
    let mut o = String::new();
    job_lines(&mut o, &r.job);
    for d in &r.drives {
        drive_lines(&mut o, d);
    }
    o
}

/// Every job of a list, one after the other.
pub fn render_all(r: &StatusList) -> String {
    r.jobs.iter().map(render).collect::<Vec<_>>().join("\n")
}
