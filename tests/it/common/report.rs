//! Running `ie-preflight check --json` and reading its report.

use assert_cmd::Command;
use serde_json::Value;
use std::ffi::OsStr;
use std::path::Path;

/// `check SOURCE --json EXTRA...`: the parsed report and the exit code.
/// Fails the test on a panic or on output that is not JSON.
pub fn check_json<S: AsRef<OsStr>>(source: &Path, extra: &[S]) -> (Value, i32) {
    let out = Command::cargo_bin("ie-preflight")
        .unwrap()
        .arg("check")
        .arg(source)
        .arg("--json")
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (v, out.status.code().unwrap_or(-1))
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

/// The checklist result (`pass`, `fail`, …) for a drive state.
pub fn row(v: &Value, status: &str) -> String {
    v["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == status)
        .map(|r| r["result"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no checklist row {status}"))
}

/// The manifest and hash-scan finding codes of a report.
pub fn manifest_codes(v: &Value) -> Vec<String> {
    codes(v)
        .into_iter()
        .filter(|c| c.starts_with("manifest.") || c.starts_with("scan."))
        .collect()
}
