//! The pre-shipping checklist: one row per drive state, and the verdict.

use super::{DriveStatus, Finding, Severity};
use serde::Serialize;
use std::collections::BTreeMap;

/// Whether a state was looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    Checked,
    /// Could not or did not run; the reason says which and why.
    NotChecked(String),
    /// Does not apply to this kind of job.
    NotApplicable(String),
}

/// What one row of the checklist says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowResult {
    Pass,
    Fail,
    Warn,
    NotChecked,
    NotApplicable,
}

impl RowResult {
    pub fn label(self) -> &'static str {
        match self {
            RowResult::Pass => "pass",
            RowResult::Fail => "FAIL",
            RowResult::Warn => "warn",
            RowResult::NotChecked => "not checked",
            RowResult::NotApplicable => "n/a",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// A stable id for scripts (`disk-corrupted`), beside the portal's words.
    pub id: String,
    pub status: DriveStatus,
    pub result: RowResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Ready,
    WouldFail,
    Incomplete,
}

impl Verdict {
    /// 0 ready, 1 would fail, 3 could not complete (2 is a usage error).
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Ready => 0,
            Verdict::WouldFail => 1,
            Verdict::Incomplete => 3,
        }
    }
}

/// What every report of a check starts with: the verdict and why.
#[derive(Debug, Serialize)]
pub struct Outcome {
    pub verdict: Verdict,
    pub exit_code: i32,
    pub checklist: Vec<Row>,
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incomplete: Vec<String>,
}

/// Which states were checked, and what blocked completion.
#[derive(Debug, Clone, Default)]
pub struct Checklist {
    coverage: BTreeMap<DriveStatus, Coverage>,
    /// Reasons the check as a whole could not complete.
    incomplete: Vec<String>,
    /// Parts of a state checked on their own (the drive's SMART health beside
    /// the data read for "Hardware error"): the row passes only when its own
    /// coverage and every part are checked.
    parts: BTreeMap<DriveStatus, Vec<(String, Coverage)>>,
}

impl Checklist {
    pub fn checked(&mut self, s: DriveStatus) {
        self.coverage.insert(s, Coverage::Checked);
    }

    pub fn not_checked(&mut self, s: DriveStatus, why: impl Into<String>) {
        self.coverage.insert(s, Coverage::NotChecked(why.into()));
    }

    /// Not checked, and the verdict cannot be "ready" because of it.
    pub fn blocked(&mut self, s: DriveStatus, why: impl Into<String>) {
        let why = why.into();
        self.incomplete.push(format!("{s}: {why}"));
        self.coverage.insert(s, Coverage::NotChecked(why));
    }

    /// Whether the row of `s` was already set, either way.
    pub fn covers(&self, s: DriveStatus) -> bool {
        self.coverage.contains_key(&s)
    }

    /// One part of the row of `s`, named `name` in its reason: a part not
    /// checked keeps the row from passing and says why; a checked part never
    /// makes a row pass that its own coverage leaves not checked.
    pub fn part(&mut self, s: DriveStatus, name: impl Into<String>, coverage: Coverage) {
        self.parts
            .entry(s)
            .or_default()
            .push((name.into(), coverage));
    }

    /// The row's coverage with its parts.
    fn with_parts(&self, s: DriveStatus, own: Coverage) -> Coverage {
        let Some(parts) = self.parts.get(&s) else {
            return own;
        };
        let mut missing = Vec::new();
        let mut done = Vec::new();
        for (name, c) in parts {
            match c {
                Coverage::Checked => done.push(format!("{name} checked, nothing found")),
                Coverage::NotChecked(r) => missing.push(format!("{name} not checked: {r}")),
                Coverage::NotApplicable(_) => {}
            }
        }
        match own {
            Coverage::Checked if missing.is_empty() => Coverage::Checked,
            Coverage::Checked => Coverage::NotChecked(format!(
                "{}; the rest of this state was checked, with nothing found",
                missing.join("; ")
            )),
            Coverage::NotChecked(r) => {
                let all: Vec<String> = std::iter::once(r).chain(missing).chain(done).collect();
                Coverage::NotChecked(all.join("; "))
            }
            na @ Coverage::NotApplicable(_) => na,
        }
    }

    pub fn not_applicable(&mut self, s: DriveStatus, why: impl Into<String>) {
        self.coverage.insert(s, Coverage::NotApplicable(why.into()));
    }

    /// The check could not complete for a reason not tied to one state.
    pub fn incomplete(&mut self, why: impl Into<String>) {
        self.incomplete.push(why.into());
    }

    pub fn incomplete_reasons(&self) -> &[String] {
        &self.incomplete
    }

    pub fn rows(&self, findings: &[Finding]) -> Vec<Row> {
        DriveStatus::ALL
            .iter()
            .map(|&status| {
                let worst = findings
                    .iter()
                    .filter(|f| f.predicts == status)
                    .map(|f| f.severity)
                    .max();
                let cov =
                    self.coverage.get(&status).cloned().unwrap_or_else(|| {
                        Coverage::NotChecked("not checked by this command".into())
                    });
                let cov = self.with_parts(status, cov);
                let (result, reason) = match (worst, cov) {
                    (Some(Severity::Error), _) => (RowResult::Fail, None),
                    (Some(Severity::Warning), _) => (RowResult::Warn, None),
                    (_, Coverage::Checked) => (RowResult::Pass, None),
                    (_, Coverage::NotChecked(r)) => (RowResult::NotChecked, Some(r)),
                    (_, Coverage::NotApplicable(r)) => (RowResult::NotApplicable, Some(r)),
                };
                Row {
                    id: status_id(status),
                    status,
                    result,
                    reason,
                }
            })
            .collect()
    }

    /// The verdict on `findings`, with the checklist rows that explain it.
    pub fn outcome(&self, findings: Vec<Finding>, strict: bool) -> Outcome {
        let verdict = self.verdict(&findings, strict);
        Outcome {
            verdict,
            exit_code: verdict.exit_code(),
            checklist: self.rows(&findings),
            incomplete: self.incomplete_reasons().to_vec(),
            findings,
        }
    }

    pub fn verdict(&self, findings: &[Finding], strict: bool) -> Verdict {
        let fails = findings
            .iter()
            .any(|f| f.severity == Severity::Error || (strict && f.severity == Severity::Warning));
        if fails {
            Verdict::WouldFail
        } else if !self.incomplete.is_empty() {
            Verdict::Incomplete
        } else {
            Verdict::Ready
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_fail_warnings_pass_unless_strict() {
        let mut c = Checklist::default();
        c.checked(DriveStatus::DiskCorrupted);
        let w = vec![Finding::warning("x", DriveStatus::DiskCorrupted, "s", "m")];
        assert_eq!(c.verdict(&w, false), Verdict::Ready);
        assert_eq!(c.verdict(&w, true), Verdict::WouldFail);
        let e = vec![Finding::error("x", DriveStatus::DiskCorrupted, "s", "m")];
        assert_eq!(c.verdict(&e, false), Verdict::WouldFail);
        c.blocked(DriveStatus::NtfsVolumeNotFound, "locked");
        assert_eq!(c.verdict(&[], false), Verdict::Incomplete);
        let rows = c.rows(&w);
        assert_eq!(
            rows.iter()
                .find(|r| r.status == DriveStatus::DiskCorrupted)
                .unwrap()
                .result,
            RowResult::Warn
        );
    }
}

/// The kebab-case id of a drive state, from the portal's words
/// ("Disk corrupted" → `disk-corrupted`).
pub fn status_id(s: DriveStatus) -> String {
    let words = s.to_string().to_ascii_lowercase();
    words
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod part_tests {
    use super::*;

    fn hw(c: &Checklist, f: &[Finding]) -> (RowResult, Option<String>) {
        let r = c
            .rows(f)
            .into_iter()
            .find(|r| r.status == DriveStatus::HardwareError)
            .unwrap();
        (r.result, r.reason)
    }

    #[test]
    fn a_part_not_checked_keeps_a_row_from_passing() {
        let mut c = Checklist::default();
        c.checked(DriveStatus::HardwareError);
        c.part(
            DriveStatus::HardwareError,
            "health",
            Coverage::NotChecked("no tool".into()),
        );
        let (res, why) = hw(&c, &[]);
        assert_eq!(res, RowResult::NotChecked);
        assert!(why.unwrap().starts_with("health not checked: no tool"));
        // A finding still decides the row; the part hides no read error.
        let e = [Finding::error(
            "read.error",
            DriveStatus::HardwareError,
            "s",
            "m",
        )];
        assert_eq!(hw(&c, &e).0, RowResult::Fail);
        assert_eq!(c.verdict(&[], false), Verdict::Ready);
    }

    #[test]
    fn a_checked_part_makes_no_false_pass() {
        let mut c = Checklist::default();
        c.not_checked(DriveStatus::HardwareError, "data not read");
        c.part(DriveStatus::HardwareError, "health", Coverage::Checked);
        let (res, why) = hw(&c, &[]);
        assert_eq!(res, RowResult::NotChecked);
        assert_eq!(why.unwrap(), "data not read; health checked, nothing found");
        c.checked(DriveStatus::HardwareError);
        assert_eq!(hw(&c, &[]), (RowResult::Pass, None));
    }
}

#[cfg(test)]
mod id_tests {
    use super::*;

    #[test]
    fn every_state_has_a_distinct_kebab_id() {
        let ids: Vec<String> = DriveStatus::ALL.iter().map(|s| status_id(*s)).collect();
        assert!(ids.contains(&"disk-corrupted".to_string()), "{ids:?}");
        assert!(
            ids.contains(&"ntfs-volume-not-found".to_string()),
            "{ids:?}"
        );
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
        assert!(ids
            .iter()
            .all(|i| i.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
    }
}
