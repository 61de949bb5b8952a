//! `ie-preflight check`: one drive, or a local staging folder
//! (`--source-dir`); several drives and `--job` are in [`super::drives`]. Every output is checked against
//! the sources and created before anything is read.

use super::outputs::{self, Outputs};
use super::{drive_list, fail, input, keys, print_json, Exit};
use crate::cli::{CheckArgs, KeyArgs, RulesArgs};
use crate::pipeline::{self, rules, JobType};
use std::path::Path;

pub fn run(a: CheckArgs) -> Exit {
    if let Some(opt) = import_only_option(&a) {
        let msg = format!("--job-type export cannot be used with {opt}: {opt} acts only on import drives (export drives get only the disk checks)");
        return fail(Exit::Usage, &msg, a.json);
    }
    if let Some(job) = &a.job {
        return super::drives::run_job(job, &a);
    }
    if !a.more.is_empty() {
        return super::drives::run_many(&a);
    }
    if let Err(e) = keys::one_drive_only(&a.keys) {
        return fail(Exit::Usage, &e, a.json);
    }
    let rules = match rules_options(&a.rules) {
        Ok(r) => r,
        Err((exit, e)) => return fail(exit, &e, a.json),
    };
    let job_type = JobType::from(a.job_type);
    let Some(source) = &a.source else {
        let Some(dir) = &rules.source_dir else {
            return fail(
                Exit::Incomplete,
                "give a SOURCE drive or --source-dir",
                a.json,
            );
        };
        return match rules::run_local(dir, &rules, job_type, a.strict) {
            Ok(report) => {
                if a.json {
                    print_json(&report);
                } else {
                    super::style::print_report(&pipeline::render::local(&report, a.strict));
                }
                Exit::of_report(report.outcome.exit_code)
            }
            Err(e) => fail(Exit::Incomplete, &e, a.json),
        };
    };
    let outputs = match outputs::prepare(&a.content, Some(&a.ship), &[source]) {
        Ok(o) => o,
        Err(e) => return fail(Exit::Usage, &e.to_string(), a.json),
    };
    let mut content = a.content.options();
    content.manifest = job_type == JobType::Import;
    // An explicit --manifest-file that is missing is an error; the default a warning.
    content.manifest_file = a.manifest_file.clone();
    let run = CheckRun {
        source,
        keys: &a.keys,
        json: a.json,
        strict: a.strict,
        outputs,
        drive_id: a.content.drive_id.clone(),
    };
    run.check_and_print(|credentials| pipeline::Options {
        credentials,
        job_type,
        sector_size: a.sector_size,
        strict: a.strict,
        rules,
        content: Some(content),
    })
}

/// An option given with `--job-type export` that acts only on import drives.
fn import_only_option(a: &CheckArgs) -> Option<&'static str> {
    if JobType::from(a.job_type) != JobType::Export {
        return None;
    }
    let c = &a.content;
    let r = &a.rules;
    [
        ("--hashes", c.hashes.is_some()),
        ("--hashes-md5", c.hashes_md5.is_some()),
        ("--hashes-in-json", c.hashes_in_json),
        ("--manifest-file", a.manifest_file.is_some()),
        ("--manifest-hash", c.manifest_hash.is_some()),
        ("--drive-id", c.drive_id.is_some() && a.job.is_none()),
        ("--dest", r.dest.is_some()),
        ("--files", r.files),
        ("--dataset", r.dataset.is_some()),
        ("--dest-from-manifest", r.dest_from_manifest),
        ("--drive-list", a.ship.drive_list.is_some()),
    ]
    .into_iter()
    .find_map(|(name, given)| given.then_some(name))
}

/// One drive to check, with what the command line asked for around it.
pub(super) struct CheckRun<'a> {
    pub source: &'a Path,
    pub keys: &'a KeyArgs,
    pub json: bool,
    pub strict: bool,
    pub outputs: Outputs,
    /// The serial the drive list names the drive by (`--drive-id`).
    pub drive_id: Option<String>,
}

impl CheckRun<'_> {
    /// Open the source, run the check with the options `make` builds from
    /// the keys, write the inventories, print the report.
    pub fn check_and_print(
        self,
        make: impl FnOnce(crate::bitlocker::Credentials) -> pipeline::Options,
    ) -> Exit {
        let json = self.json;
        let opened = match crate::source::open(self.source) {
            Ok(o) => o,
            Err(e) => return fail(Exit::Incomplete, &e.to_string(), json),
        };
        if opened.reader.is_empty() {
            let msg = format!(
                "{} is empty (0 bytes): nothing to check",
                self.source.display()
            );
            return fail(Exit::Incomplete, &msg, json);
        }
        let credentials = match keys::credentials(self.keys) {
            Ok(c) => c,
            Err(e) => return fail(Exit::Incomplete, &e, json),
        };
        let key = credentials.recovery_password.clone();
        let mut opts = make(credentials);
        if let Some(c) = &mut opts.content {
            c.progress = super::progress::on_terminal();
        }
        let checked = pipeline::run(&opened, &opts);
        let report = checked.report;
        let serial = self
            .drive_id
            .or_else(|| opened.device.as_ref().and_then(|d| d.serial.clone()));
        let source = self.source.display().to_string();
        let drive = drive_list::Drive {
            serial,
            source: &source,
            report: Some(&report),
            key,
        };
        let page = [pipeline::render::HtmlDrive {
            source: &source,
            serial: drive.serial.as_deref(),
            verdict: report.outcome.verdict,
            error: None,
            report: Some(&report),
            profile: Some(&checked.profile),
        }];
        let written = outputs::write_after(
            self.outputs,
            checked.hashes.as_deref(),
            std::slice::from_ref(&drive),
            &page,
            report.outcome.verdict,
        );
        if json {
            print_json(&report);
        } else {
            super::style::print_report(&pipeline::render::check(&report, self.strict));
        }
        match written {
            Ok(()) => Exit::of_report(report.outcome.exit_code),
            Err(e) => fail(Exit::Incomplete, &e, false),
        }
    }
}

/// The Azure rules options: `Usage` for a malformed `--dest`, `Incomplete`
/// for an unreadable `--dataset`.
pub(super) fn rules_options(r: &RulesArgs) -> Result<rules::RulesOptions, (Exit, String)> {
    use crate::azure::{Destination, Target};
    use rules::{Mode, RulesOptions};
    let mut o = RulesOptions {
        source_dir: r.source_dir.clone(),
        ..RulesOptions::default()
    };
    if let Some(path) = &r.dataset {
        let what = "a dataset CSV";
        let text = input::read_text(
            path,
            input::MAX_LIST_FILE,
            what,
            crate::sniff::csv_not("a driveset CSV"),
        )
        .map_err(|e| (Exit::Incomplete, e))?;
        let (findings, rows) = crate::azure::dataset::validate_dataset(&text);
        o.dataset_findings = findings
            .into_iter()
            .map(|mut f| {
                f.subject = format!("{}: {}", path.display(), f.subject);
                f
            })
            .collect();
        o.mode = Mode::Dataset(rows);
    } else if r.dest.is_some() || r.files {
        let target = if r.files {
            Target::Files
        } else {
            Target::Blob(r.blob_type.map(Into::into))
        };
        let dest = r.dest.as_deref().unwrap_or("");
        let d = Destination::parse(target, dest)
            .map_err(|e| (Exit::Usage, format!("--dest {dest}: {e}")))?;
        o.mode = Mode::Dest(d);
    } else if r.dest_from_manifest {
        o.mode = Mode::Manifest;
    }
    Ok(o)
}
