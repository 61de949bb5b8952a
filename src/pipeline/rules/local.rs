//! The rules over a local staging folder (`--source-dir`), beside a drive
//! or alone.

use super::{judge_items, set_both, Item, Mode, RulesOptions, RulesRun, NO_DESTINATION};
use crate::azure::local::walk_local;
use crate::pipeline::JobType;
use crate::report::{Checklist, DriveStatus, Finding, Outcome, SCHEMA};
use serde::Serialize;
use std::path::Path;

/// Walk the local folder and judge it; `Err` when it cannot be walked at all.
pub(super) fn judge_local(
    dir: &Path,
    mode: &Mode,
) -> Result<(Vec<RulesRun>, Vec<Finding>), String> {
    let tree = walk_local(dir).map_err(|e| e.to_string())?;
    let items: Vec<Item> = tree
        .entries
        .iter()
        .map(|e| Item {
            path: e.path.clone(),
            is_dir: e.is_dir,
            size: e.size,
            is_reparse_point: e.is_reparse_point,
            is_encrypted: false,
        })
        .collect();
    let shown = dir.display().to_string();
    let prefix = format!("{shown}: ");
    let (runs, mut findings) = judge_items(&items, &shown, &prefix, mode);
    if !matches!(mode, Mode::None | Mode::Manifest) {
        findings.extend(tree.findings.into_iter().map(|mut f| {
            f.subject = format!("{prefix}{}", f.subject);
            f
        }));
    }
    Ok((runs, findings))
}

/// `check --source-dir DIR` without a drive.
#[derive(Debug, Serialize)]
pub struct LocalReport {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub job_type: JobType,
    #[serde(flatten)]
    pub outcome: Outcome,
    pub source_dir: String,
    pub rules: Vec<RulesRun>,
}

/// Check a local staging folder alone; `Err` when it is not a readable folder.
pub fn run_local(
    dir: &Path,
    opts: &RulesOptions,
    job_type: JobType,
    strict: bool,
) -> Result<LocalReport, String> {
    let mut list = Checklist::default();
    for s in DriveStatus::ALL {
        list.not_applicable(s, "no drive given: only the local folder was checked");
    }
    let (runs, mut findings) = if matches!(opts.mode, Mode::None | Mode::Manifest) {
        // A folder is checked only against the rules: without them nothing was.
        set_both(&mut list, |l, s| l.blocked(s, NO_DESTINATION));
        // Still prove the folder is there and readable.
        walk_local(dir).map_err(|e| e.to_string())?;
        (Vec::new(), Vec::new())
    } else {
        set_both(&mut list, |l, s| l.checked(s));
        judge_local(dir, &opts.mode)?
    };
    findings.splice(0..0, opts.dataset_findings.iter().cloned());
    Ok(LocalReport {
        schema: SCHEMA,
        tool_version: env!("CARGO_PKG_VERSION"),
        job_type,
        outcome: list.outcome(findings, strict),
        source_dir: dir.display().to_string(),
        rules: runs,
    })
}
