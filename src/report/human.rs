//! The human report: a pre-shipping checklist, the findings under each state,
//! then the drive facts.

use super::{Finding, Outcome, Row, RowResult, Severity, Verdict};
use std::fmt::Write;

/// One line of drive facts: label and value.
pub type Fact = (&'static str, String);

/// Render the checklist with findings grouped under their state.
pub fn checklist(rows: &[Row], findings: &[Finding]) -> String {
    let mut out = String::new();
    for row in rows {
        let label = row.result.label();
        let _ = write!(out, "  {label:<12} {}", row.status);
        if let (Some(r), RowResult::NotChecked | RowResult::NotApplicable) =
            (&row.reason, row.result)
        {
            let _ = write!(out, " — {r}");
        }
        out.push('\n');
        for f in findings.iter().filter(|f| f.predicts == row.status) {
            out.push_str(&finding("      ", f));
        }
    }
    out
}

/// One finding as text: `severity [code] subject: message`, and the hint
/// on the next line, each line starting with `indent`.
pub fn finding(indent: &str, f: &Finding) -> String {
    let sev = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    let mut out = format!(
        "{indent}{sev} [{}] {}: {}\n",
        f.code,
        printable(&f.subject),
        printable(&f.message)
    );
    if !f.hint.is_empty() {
        let _ = writeln!(out, "{indent}  what to do: {}", f.hint);
    }
    out
}

/// Names from a disk may hold control characters; show them escaped so they
/// cannot move the cursor or hide text in a terminal.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return s.into();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

pub fn facts(facts: &[Fact]) -> String {
    let width = facts.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (k, v) in facts {
        let _ = writeln!(out, "  {k:<width$}  {v}");
    }
    out
}

/// The end of a report: what could not be completed, then the verdict.
pub fn outcome_end(o: &Outcome, strict: bool) -> String {
    let mut out = String::new();
    if !o.incomplete.is_empty() {
        out.push_str("\nNot completed\n");
        for i in &o.incomplete {
            let _ = writeln!(out, "  - {i}");
        }
    }
    let _ = write!(out, "\n{}\n", verdict_line(o.verdict, strict));
    out
}

pub fn verdict_line(v: Verdict, strict: bool) -> &'static str {
    match (v, strict) {
        (Verdict::Ready, _) => {
            "READY TO SHIP: no check predicts a failure (see warnings above, if any)"
        }
        (Verdict::WouldFail, false) => "WOULD FAIL: fix the errors above before shipping",
        (Verdict::WouldFail, true) => {
            "WOULD FAIL: fix the errors and warnings above before shipping (--strict)"
        }
        (Verdict::Incomplete, _) => {
            "INCOMPLETE: some checks could not run (see above); the drive is not proven ready"
        }
    }
}

/// Bytes as a human size with the exact count, e.g. `8.0 MiB (8388608 bytes)`.
/// "1 error", "2 errors": a count with its noun (plural by `s`).
pub fn count(n: u64, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{v:.1} {} ({bytes} bytes)", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(super::printable("a\x1b[2Jb\n"), "a\\u{1b}[2Jb\\n");
        assert_eq!(super::printable("plain"), "plain");
    }

    #[test]
    fn sizes() {
        assert_eq!(super::size(512), "512 bytes");
        assert_eq!(super::size(8 << 20), "8.0 MiB (8388608 bytes)");
    }
}
