//! The text form of the Azure rules' runs and of a local folder's check.

use crate::pipeline::rules::{LocalReport, RulesRun};
use std::fmt::Write;

/// The human "Azure rules" section: per run, counts per code and the first paths.
pub fn rules(runs: &[RulesRun]) -> String {
    let mut out = String::new();
    if runs.is_empty() {
        return out;
    }
    out.push_str("\nAzure rules\n");
    for run in runs {
        let r = &run.report;
        let line = run
            .dataset_line
            .map(|l| format!(" (dataset line {l})"))
            .unwrap_or_default();
        let base = if run.base_path.is_empty() {
            String::new()
        } else {
            format!(" {}", run.base_path)
        };
        let _ = writeln!(
            out,
            "  {}{base} → {} as {}{line}: {} files, {} folders, {}, {} containers",
            run.source,
            run.destination,
            run.target,
            r.files,
            r.directories,
            crate::report::human::size(r.bytes),
            r.containers
        );
        if r.counts.is_empty() {
            let _ = writeln!(out, "      no findings");
        }
        for (code, n) in &r.counts {
            let _ = writeln!(out, "      {code}: {n}");
            if let Some(paths) = r.first_paths.get(code) {
                for p in paths {
                    let _ = writeln!(out, "        {p}");
                }
                let all = r.all_paths.get(code).map_or(0, Vec::len);
                if all > paths.len() {
                    let _ = writeln!(
                        out,
                        "        … and {} more (all of them with --json)",
                        all - paths.len()
                    );
                }
            }
        }
    }
    out
}

/// The human form of a [`LocalReport`].
pub fn local(r: &LocalReport, strict: bool) -> String {
    let mut out = format!(
        "ie-preflight {} — check of the local folder {}\n\nChecklist\n",
        r.tool_version, r.source_dir
    );
    out.push_str(&crate::report::human::checklist(
        &r.outcome.checklist,
        &r.outcome.findings,
    ));
    out.push_str(&rules(&r.rules));
    out.push_str(&crate::report::human::outcome_end(&r.outcome, strict));
    out
}
