//! The text form of a check of several drives (`check SRC...`, `check
//! --job`): every drive's report, then one summary table and the verdict.

use crate::pipeline::drives::{DriveResult, DrivesCheck};
use crate::report::human;
use crate::report::Verdict;
use std::fmt::Write;

/// `job`: the drives were checked against a job (`check --job`).
pub fn drives(j: &DrivesCheck, job: bool, strict: bool) -> String {
    let mut o = String::new();
    for d in &j.drives {
        let name = match (job, &d.drive_id) {
            (_, Some(id)) => id.as_str(),
            (true, None) => "not in the job",
            (false, None) => d.serial.as_deref().unwrap_or("(no serial)"),
        };
        let _ = writeln!(o, "=== drive {name} ({})", d.source);
        match (&d.report, &d.error) {
            (Some(r), _) => o.push_str(&super::check(r, strict)),
            (None, Some(e)) => {
                let _ = writeln!(o, "  {e}");
            }
            (None, None) => {}
        }
        o.push('\n');
    }
    if job {
        let _ = writeln!(o, "=== job {}", j.job.as_deref().unwrap_or("(unnamed)"));
    } else {
        let _ = writeln!(o, "=== summary");
    }
    for f in &j.findings {
        o.push_str(&human::finding("  ", f));
    }
    o.push_str(&summary_table(&j.drives));
    let _ = writeln!(o, "\n{}", human::verdict_line(j.verdict, strict));
    o
}

/// One line per drive: source, serial, size, verdict, the failing states.
fn summary_table(drives: &[DriveResult]) -> String {
    let rows: Vec<[String; 5]> = drives
        .iter()
        .map(|d| {
            let size = d
                .report
                .as_ref()
                .map_or("-".to_string(), |r| human::size(r.disk.size));
            let verdict = match d.verdict {
                Verdict::Ready => "ready",
                Verdict::WouldFail => "WOULD FAIL",
                Verdict::Incomplete => "incomplete",
            };
            let failing = if d.failing.is_empty() {
                d.error.clone().unwrap_or_default()
            } else {
                d.failing.join("; ")
            };
            [
                d.source.clone(),
                d.drive_id
                    .clone()
                    .or(d.serial.clone())
                    .unwrap_or("-".into()),
                size,
                verdict.to_string(),
                failing,
            ]
        })
        .collect();
    let head = ["source", "serial", "size", "verdict", "failing states"];
    let mut widths = head.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut o = String::new();
    let line = |o: &mut String, cells: [&str; 5]| {
        let _ = writeln!(
            o,
            "  {:<w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
        );
    };
    line(&mut o, head);
    for r in &rows {
        line(&mut o, [&r[0], &r[1], &r[2], &r[3], &r[4]]);
    }
    o
}
