//! The text form of `check --job`: every drive's report, then the job's.

use crate::pipeline::job::JobCheck;
use crate::report::Verdict;
use std::fmt::Write;

/// The human form: every drive's checklist, then the job's verdict.
pub fn job(j: &JobCheck, strict: bool) -> String {
    let mut o = String::new();
    for d in &j.drives {
        let _ = writeln!(
            o,
            "=== drive {} ({})",
            d.drive_id.as_deref().unwrap_or("not in the job"),
            d.source
        );
        match (&d.report, &d.error) {
            (Some(r), _) => o.push_str(&super::check(r, strict)),
            (None, Some(e)) => {
                let _ = writeln!(o, "  {e}");
            }
            (None, None) => {}
        }
        o.push('\n');
    }
    let _ = writeln!(o, "=== job {}", j.job.as_deref().unwrap_or("(unnamed)"));
    for f in &j.findings {
        o.push_str(&crate::report::human::finding("  ", f));
    }
    for d in &j.drives {
        let v = match d.verdict {
            Verdict::Ready => "ready",
            Verdict::WouldFail => "WOULD FAIL",
            Verdict::Incomplete => "incomplete",
        };
        let _ = writeln!(
            o,
            "  {:<24} {:<12} {}",
            d.drive_id.as_deref().unwrap_or("-"),
            v,
            d.source
        );
    }
    let _ = writeln!(
        o,
        "\n{}",
        crate::report::human::verdict_line(j.verdict, strict)
    );
    o
}
