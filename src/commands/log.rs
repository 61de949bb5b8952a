//! `ie-preflight log FILE [--hashes HASHES]`: a service copy log summarised.
//! Exit 0 nothing failed, 1 the log reports failures or files were not
//! copied, 3 the file is not a readable copy log.

use super::{fail, input, print_json, Exit};
use crate::cli::LogArgs;
use crate::job::log::{self, LogReport};

pub fn run(a: &LogArgs) -> Exit {
    let is_log = |k: &crate::sniff::InputKind| k.is_xml_root(crate::sniff::LOG_ROOTS);
    let text = match input::read_text(&a.file, input::MAX_JOB_FILE, "a copy log", is_log) {
        Ok(t) => t,
        Err(e) => return fail(Exit::Incomplete, &e, a.json),
    };
    let summary = match log::summarise(&text) {
        Ok(s) => s,
        Err(e) => {
            let msg = format!("{} is not a readable service log: {e}", a.file.display());
            return fail(Exit::Incomplete, &msg, a.json);
        }
    };
    let not_copied = match a
        .hashes
        .as_deref()
        .map(|h| input::read_any_text(h, input::MAX_LIST_FILE))
    {
        Some(Ok(h)) => Some(log::not_copied(&summary, &log::hashed_paths(&h))),
        Some(Err(e)) => return fail(Exit::Incomplete, &e, a.json),
        None => None,
    };
    let report = LogReport {
        schema: crate::report::SCHEMA,
        summary: &summary,
        not_copied,
    };
    if a.json {
        print_json(&report);
    } else {
        super::style::print_report(&log::render(&summary, report.not_copied.as_deref()));
    }
    if report.failed() {
        Exit::WouldFail
    } else {
        Exit::Ready
    }
}
