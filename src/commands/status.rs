//! `ie-preflight status JOB`: the job's and every drive's state in the portal's words.

use super::{fail, input, print_json, Exit};
use crate::cli::StatusArgs;
use crate::job::status;

pub fn run(a: &StatusArgs) -> Exit {
    let jobs = match input::read_jobs(&a.job) {
        Ok(j) => j,
        Err(e) => return fail(Exit::Incomplete, &e, a.json),
    };
    if let [job] = jobs.as_slice() {
        let r = status::report(job);
        if a.json {
            print_json(&r);
        } else {
            super::style::print_report(&status::render(&r));
        }
        return Exit::of_report(r.exit_code);
    }
    let r = status::report_all(&jobs);
    if a.json {
        print_json(&r);
    } else {
        super::style::print_report(&status::render_all(&r));
    }
    Exit::of_report(r.exit_code)
}
