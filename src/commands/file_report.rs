//! The report of the commands that validate a job's input files on their
//! own (`blob-list`, `dataset`, `manifest` without a drive): findings grouped
//! by file, with the same verdict and exit codes as `check`.

use super::{print_json, Exit};
use crate::bloblist::inventory::Selection;
use crate::report::{Checklist, DriveStatus, Finding, Severity};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Serialize)]
pub struct FileReport<'a> {
    schema: &'static str,
    files: Vec<String>,
    verdict: crate::report::Verdict,
    exit_code: i32,
    findings: &'a [Finding],
    #[serde(skip_serializing_if = "Option::is_none")]
    selection: Option<&'a Selection>,
}

/// Print findings (grouped by file) and return the exit code.
pub fn finish(
    status: DriveStatus,
    per_file: Vec<(PathBuf, Vec<Finding>)>,
    selection: Option<&Selection>,
    json: bool,
    strict: bool,
) -> Exit {
    let mut list = Checklist::default();
    list.checked(status);
    let all: Vec<Finding> = per_file
        .iter()
        .flat_map(|(p, fs)| {
            fs.iter().map(move |f| {
                let mut f = f.clone();
                f.subject = format!("{}: {}", p.display(), f.subject);
                f
            })
        })
        .collect();
    let verdict = list.verdict(&all, strict);
    if json {
        print_json(&FileReport {
            schema: crate::report::SCHEMA,
            files: per_file
                .iter()
                .map(|(p, _)| p.display().to_string())
                .collect(),
            verdict,
            exit_code: verdict.exit_code(),
            findings: &all,
            selection,
        });
    } else {
        super::style::print_report(&text(&per_file, selection, verdict));
    }
    Exit::from(verdict)
}

/// Findings grouped by file, the selection, the verdict line.
fn text(
    per_file: &[(PathBuf, Vec<Finding>)],
    selection: Option<&Selection>,
    verdict: crate::report::Verdict,
) -> String {
    use crate::report::human::{count, finding};
    let mut t = String::new();
    for (path, fs) in per_file {
        let n = |sev| fs.iter().filter(|f| f.severity == sev).count() as u64;
        let (errors, warnings) = (n(Severity::Error), n(Severity::Warning));
        t.push_str(&format!(
            "{}: {}, {}\n",
            path.display(),
            count(errors, "error"),
            count(warnings, "warning")
        ));
        for f in fs {
            t.push_str(&finding("  ", f));
        }
    }
    if let Some(s) = selection {
        t.push_str(&selection_text(s));
    }
    let line = match verdict {
        crate::report::Verdict::Ready => {
            "OK: no check predicts a failure (see warnings above, if any)"
        }
        _ => "INVALID: the service would reject this; fix the errors above",
    };
    t.push_str(&format!("\n{line}\n"));
    t
}

fn selection_text(s: &Selection) -> String {
    use crate::report::human::size;
    let mut t = format!(
        "\nSelected from {} inventory blobs: {} blobs, {}\n  names NTFS cannot hold: {}\n  Archive tier: {}\n",
        s.inventory_blobs,
        s.blobs,
        size(s.bytes),
        s.ntfs_unwritable,
        s.archive_tier
    );
    if let (Some(d), Some(n)) = (s.drive_size, s.drives_needed) {
        t.push_str(&format!(
            "  drives of {d} bytes ({} TB) needed: {n}\n",
            d as f64 / 1e12
        ));
    }
    t
}
