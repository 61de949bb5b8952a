//! `check --report FILE.html`: one self-contained page to attach to the
//! shipment — the run, then per drive the verdict, the checklist, the
//! findings with what to do, the facts, and the read-speed profile as an
//! inline SVG with failed and retried reads marked. No external assets and
//! no scripts: it reads the same in any browser, offline, and prints.

use super::check::{content_facts, drive_facts, surface_facts, volume_facts};
use crate::pipeline::CheckReport;
use crate::report::human::{self, Fact};
use crate::report::{RowResult, Severity, Verdict};
use crate::source::profile::{ReadProfile, BUCKETS};
use std::fmt::Write;

/// What the page says about the run itself.
pub struct RunInfo {
    pub tool_version: &'static str,
    pub host: String,
    /// RFC 3339, UTC.
    pub started: String,
    pub ended: String,
    /// The command line, with secrets replaced by `(redacted)`.
    pub command_line: String,
}

/// One drive on the page.
pub struct HtmlDrive<'a> {
    pub source: &'a str,
    pub serial: Option<&'a str>,
    pub verdict: Verdict,
    /// Why the drive has no report (could not be opened, not in the job).
    pub error: Option<&'a str>,
    pub report: Option<&'a CheckReport>,
    pub profile: Option<&'a ReadProfile>,
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#111}\
h1{font-size:1.5em}h2{font-size:1.2em;border-top:2px solid #444;padding-top:.5em;margin-top:2em}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}\
.fail,.error{color:#a00;font-weight:bold}.warn,.warning{color:#850}.pass{color:#060}.dim{color:#777}\
.hint{color:#333;font-style:italic}svg{border:1px solid #bbb;background:#fff}\
@media print{body{margin:0}h2{page-break-before:always}}";

pub fn html(run: &RunInfo, drives: &[HtmlDrive<'_>], overall: Verdict) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>ie-preflight report</title><style>{STYLE}</style></head><body>\n\
         <h1>ie-preflight pre-shipping report: {}</h1>\n",
        verdict_words(overall)
    );
    table(
        &mut o,
        &[
            ("tool", format!("ie-preflight {}", run.tool_version)),
            ("host", run.host.clone()),
            ("started", run.started.clone()),
            ("ended", run.ended.clone()),
            ("command", run.command_line.clone()),
        ],
    );
    summary(&mut o, drives);
    for d in drives {
        drive_section(&mut o, d);
    }
    o.push_str("</body></html>\n");
    o
}

fn verdict_words(v: Verdict) -> &'static str {
    match v {
        Verdict::Ready => "ready to ship",
        Verdict::WouldFail => "WOULD FAIL",
        Verdict::Incomplete => "incomplete",
    }
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Ready => "pass",
        Verdict::WouldFail => "fail",
        Verdict::Incomplete => "warn",
    }
}

/// Text for HTML: `<`, `&`, quotes escaped, control characters shown.
fn esc(s: &str) -> String {
    human::printable(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn table(o: &mut String, facts: &[Fact]) {
    o.push_str("<table>\n");
    for (k, v) in facts {
        let _ = writeln!(o, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v));
    }
    o.push_str("</table>\n");
}

fn summary(o: &mut String, drives: &[HtmlDrive<'_>]) {
    o.push_str("<table class=\"summary\"><tr><th>source</th><th>serial</th><th>size</th><th>verdict</th><th>failing states</th></tr>\n");
    for d in drives {
        let size = d.report.map_or("-".into(), |r| human::size(r.disk.size));
        let failing: Vec<String> = d
            .report
            .map(|r| {
                r.outcome
                    .checklist
                    .iter()
                    .filter(|row| row.result == RowResult::Fail)
                    .map(|row| row.status.to_string())
                    .collect()
            })
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
            esc(d.source),
            esc(d.serial.unwrap_or("-")),
            esc(&size),
            verdict_class(d.verdict),
            verdict_words(d.verdict),
            esc(&failing.join("; "))
        );
    }
    o.push_str("</table>\n");
}

fn drive_section(o: &mut String, d: &HtmlDrive<'_>) {
    let _ = writeln!(
        o,
        "<h2>Drive {} ({}): <span class=\"{}\">{}</span></h2>",
        esc(d.serial.unwrap_or("(no serial)")),
        esc(d.source),
        verdict_class(d.verdict),
        verdict_words(d.verdict)
    );
    if let Some(e) = d.error {
        let _ = writeln!(o, "<p class=\"fail\">{}</p>", esc(e));
    }
    let Some(r) = d.report else { return };
    checklist(o, r);
    findings(o, r);
    o.push_str("<h3>Facts</h3>\n");
    table(o, &drive_facts(r));
    if let Some(v) = &r.volume {
        table(o, &volume_facts(v));
    }
    if let Some(c) = r.content() {
        table(o, &content_facts(c));
    }
    if let Some(s) = &r.surface {
        table(o, &surface_facts(s));
    }
    if let Some(p) = d.profile {
        o.push_str("<h3>Read speed across the disk</h3>\n");
        o.push_str(&profile_svg(p));
    }
}

fn checklist(o: &mut String, r: &CheckReport) {
    o.push_str("<h3>Checklist</h3>\n<table>\n");
    for row in &r.outcome.checklist {
        let class = match row.result {
            RowResult::Pass => "pass",
            RowResult::Fail => "fail",
            RowResult::Warn => "warn",
            RowResult::NotChecked | RowResult::NotApplicable => "dim",
        };
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=\"{class}\">{}</td><td>{}</td></tr>",
            esc(&row.status.to_string()),
            row.result.label(),
            esc(row.reason.as_deref().unwrap_or(""))
        );
    }
    o.push_str("</table>\n");
}

fn findings(o: &mut String, r: &CheckReport) {
    if r.outcome.findings.is_empty() {
        return;
    }
    o.push_str("<h3>Findings</h3>\n<ul>\n");
    for f in &r.outcome.findings {
        let sev = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let _ = write!(
            o,
            "<li><span class=\"{sev}\">{sev}</span> [{}] {}: {}",
            esc(f.code),
            esc(&f.subject),
            esc(&f.message)
        );
        if !f.hint.is_empty() {
            let _ = write!(
                o,
                "<br><span class=\"hint\">what to do: {}</span>",
                esc(&f.hint)
            );
        }
        o.push_str("</li>\n");
    }
    o.push_str("</ul>\n");
}

/// MB/s per bucket as bars over the disk's offsets; a red line per failed
/// read, orange when a retry of it worked.
fn profile_svg(p: &ReadProfile) -> String {
    const W: f64 = 800.0;
    const H: f64 = 200.0;
    let buckets = p.buckets();
    let max = buckets
        .iter()
        .filter_map(|b| b.mb_per_s)
        .fold(0.0f64, f64::max);
    let mut o = format!(
        "<svg class=\"read-profile\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{}\" viewBox=\"0 0 {W} {}\">\n",
        H + 30.0,
        H + 30.0
    );
    let bar_w = W / BUCKETS as f64;
    for (i, b) in buckets.iter().enumerate() {
        let Some(speed) = b.mb_per_s else { continue };
        let h = if max > 0.0 { speed / max * H } else { 0.0 };
        let _ = writeln!(
            o,
            "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{h:.2}\" fill=\"#4a7\"><title>{:.1} MB/s at bytes {}–{}</title></rect>",
            i as f64 * bar_w,
            H - h,
            bar_w,
            speed,
            b.start,
            b.end
        );
    }
    let len = p.len().max(1) as f64;
    for f in p.failed() {
        let x = f.offset as f64 / len * W;
        let (class, color, what) = if f.retried_ok {
            ("read-retried", "#e80", "read failed, a retry worked")
        } else {
            ("read-error", "#c00", "read error")
        };
        let _ = writeln!(
            o,
            "<line class=\"{class}\" data-offset=\"{}\" x1=\"{x:.2}\" y1=\"0\" x2=\"{x:.2}\" y2=\"{H}\" stroke=\"{color}\" stroke-width=\"2\"><title>{what} at byte {}</title></line>",
            f.offset, f.offset
        );
    }
    let _ = writeln!(
        o,
        "<text x=\"2\" y=\"{}\" font-size=\"12\">0</text><text x=\"{W}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text><text x=\"2\" y=\"12\" font-size=\"12\">{max:.0} MB/s</text>",
        H + 20.0,
        H + 20.0,
        esc(&human::size(p.len()))
    );
    o.push_str("</svg>\n");
    o
}
