//! Running `ie-preflight check --json` and reading its report.

use super::cli::{Cmd, Run};
use serde_json::Value;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::Path;

/// `check SOURCE --json EXTRA...`. Fails the test on a panic or on output
/// that is not JSON: [`Run::report`] is the report.
pub fn check_json<S: AsRef<OsStr>>(source: &Path, extra: &[S]) -> Run {
    let r = Cmd::new(["check"])
        .arg(source)
        .arg("--json")
        .args(extra)
        .run()
        .assert_no_panic();
    r.report();
    r
}

/// The finding codes of a report, sorted.
pub fn codes(v: &Value) -> Vec<String> {
    let mut c: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    c.sort();
    c
}

/// The checklist row for a drive state.
fn checklist_row<'a>(v: &'a Value, status: &str) -> Option<&'a Value> {
    v["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == status)
}

/// The checklist result (`pass`, `fail`, …) for a drive state.
pub fn row(v: &Value, status: &str) -> String {
    checklist_row(v, status)
        .map(|r| r["result"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no checklist row {status}"))
}

/// The reason of a checklist row, or "" when it has none.
pub fn reason(v: &Value, status: &str) -> String {
    checklist_row(v, status)
        .and_then(|r| r["reason"].as_str())
        .unwrap_or("")
        .to_string()
}

/// Code → every offending path, from one run of the Azure rules (`rules[i]`).
pub fn rule_paths(run: &Value) -> BTreeMap<String, Vec<String>> {
    serde_json::from_value(run["all_paths"].clone()).unwrap()
}

/// The manifest and hash-scan finding codes of a report.
pub fn manifest_codes(v: &Value) -> Vec<String> {
    codes(v)
        .into_iter()
        .filter(|c| c.starts_with("manifest.") || c.starts_with("scan."))
        .collect()
}
