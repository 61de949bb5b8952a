//! `ie-preflight check`: one drive, every drive of a job (`--job`), or a
//! local staging folder (`--source-dir`). Every output is checked against
//! the sources and created before anything is read.

use super::{fail, input, keys, note, print_json, warn, Exit};
use crate::cli::{CheckArgs, ContentArgs, KeyArgs, RulesArgs};
use crate::output::{self, OutputRequest, PendingOutput};
use crate::pipeline::{self, rules, JobType};
use crate::scan::{hashes::Inventory, FileHashLine};
use crate::source::SourceIdentity;
use std::path::Path;

pub fn run(a: CheckArgs) -> Exit {
    if let Some(opt) = import_only_option(&a) {
        let msg = format!("--job-type export cannot be used with {opt}: {opt} acts only on import drives (export drives get only the disk checks)");
        return fail(Exit::Usage, &msg, a.json);
    }
    if let Some(job) = &a.job {
        return run_job(job, &a);
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
    let outputs = match prepare_outputs(&a.content, &[source]) {
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
    pub outputs: HashOutputs,
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
        let mut opts = make(credentials);
        if let Some(c) = &mut opts.content {
            c.progress = super::progress::on_terminal();
        }
        let checked = pipeline::run(&opened, &opts);
        let report = checked.report;
        let written = write_hash_outputs(checked.hashes.as_deref(), self.outputs);
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

/// The inventory files being written, each with what it holds.
pub(super) type HashOutputs = Vec<(PendingOutput, Inventory)>;

/// The inventory files asked for.
fn output_requests(c: &ContentArgs) -> Vec<(OutputRequest<'_>, Inventory)> {
    let request = |option, path| OutputRequest {
        option,
        path,
        mode: 0o644,
    };
    let sha = c
        .hashes
        .as_deref()
        .map(|p| (request("--hashes", p), Inventory::Sha256));
    let md5 = c
        .hashes_md5
        .as_deref()
        .map(|p| (request("--hashes-md5", p), Inventory::Md5));
    sha.into_iter().chain(md5).collect()
}

/// Check the inventory outputs against the sources and create them, before any reading.
pub(super) fn prepare_outputs(
    c: &ContentArgs,
    sources: &[&Path],
) -> Result<HashOutputs, output::OutputError> {
    let (requests, kinds): (Vec<_>, Vec<_>) = output_requests(c).into_iter().unzip();
    let ids: Vec<_> = sources.iter().map(|s| SourceIdentity::of(s)).collect();
    let pending = output::prepare(&requests, &ids, c.force)?;
    Ok(pending.into_iter().zip(kinds).collect())
}

/// Write the inventories from the scan's hashes and rename them into place.
/// No scan (no NTFS volume read): nothing is written, and stderr says so.
fn write_hash_outputs(hashes: Option<&[FileHashLine]>, outputs: HashOutputs) -> Result<(), String> {
    let Some(lines) = hashes else {
        for (p, _) in &outputs {
            let shown = p.path().display();
            warn(&format!(
                "{shown} not written: no file of the drive was read and hashed (see the report)"
            ));
        }
        return Ok(());
    };
    for (p, kind) in outputs {
        let final_path = p.path().to_path_buf();
        let mut w = std::io::BufWriter::new(p.file());
        crate::scan::hashes::write_inventory(&mut w, lines, kind)
            .and_then(|()| w.into_inner().map(|_| ()).map_err(|e| e.into_error()))
            .and_then(|()| p.commit())
            .map_err(|e| format!("cannot write {}: {e}", final_path.display()))?;
        note(&format!("wrote {}", final_path.display()));
    }
    Ok(())
}

/// The Azure rules options: `Usage` for a malformed `--dest`, `Incomplete`
/// for an unreadable `--dataset`.
fn rules_options(r: &RulesArgs) -> Result<rules::RulesOptions, (Exit, String)> {
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

/// An option that does nothing with `--job` (each drive's key, manifest
/// path and hash come from the job; an inventory holds one drive).
fn inert_with_job(a: &CheckArgs) -> Option<(&'static str, &'static str)> {
    let k = &a.keys;
    let c = &a.content;
    let from_job = "each drive's comes from the job";
    let one_drive = "an inventory holds one drive; check each drive alone";
    [
        ("--hashes", c.hashes.is_some(), one_drive),
        ("--hashes-md5", c.hashes_md5.is_some(), one_drive),
        (
            "--recovery-key-file",
            k.recovery_key_file.is_some(),
            from_job,
        ),
        ("--recovery-key", k.recovery_key.is_some(), from_job),
        ("--password-file", k.password_file.is_some(), from_job),
        ("--bek", k.bek.is_some(), from_job),
        ("--manifest-file", a.manifest_file.is_some(), from_job),
        ("--manifest-hash", c.manifest_hash.is_some(), from_job),
    ]
    .into_iter()
    .find_map(|(name, given, why)| given.then_some((name, why)))
}

/// The job record, each drive given its key from the key response when one is named.
fn read_job_and_keys(job: &Path, keys: Option<&Path>) -> Result<crate::job::Job, String> {
    let mut j = input::read_job(job)?;
    if let Some(k) = keys {
        let keys = input::read_job(k)?;
        if keys.drives.iter().all(|d| d.bitlocker_key.is_none()) {
            return Err(format!("{}: no BitLocker key in it (give the listCredentials or listBitLockerKeys response)", k.display()));
        }
        crate::job::keys::apply(&mut j, keys);
    }
    Ok(j)
}

/// The job type the record states (Data Box `transferType`, classic `jobType`);
/// `--job-type export` against an import job is refused.
fn job_type_of(job: &crate::job::Job, flag: crate::cli::JobTypeArg) -> Result<JobType, String> {
    let flag = JobType::from(flag);
    let stated = job.job_type.as_deref().map(|t| {
        if t.eq_ignore_ascii_case("export") {
            JobType::Export
        } else {
            JobType::Import
        }
    });
    match stated {
        Some(JobType::Import) if flag == JobType::Export => {
            Err("--job-type export contradicts the job record, which is an import job".into())
        }
        Some(t) => Ok(t),
        None => Ok(flag),
    }
}

/// `check --job`: every drive, each with its own key from the job.
fn run_job(job_path: &Path, a: &CheckArgs) -> Exit {
    use crate::pipeline::job;
    if let Some((opt, why)) = inert_with_job(a) {
        let msg = format!("{opt} cannot be used with --job: {why}");
        return fail(Exit::Usage, &msg, a.json);
    }
    let job_file = match read_job_and_keys(job_path, a.job_keys.as_deref()) {
        Ok(j) => j,
        Err(e) => return fail(Exit::Incomplete, &e, a.json),
    };
    let job_type = match job_type_of(&job_file, a.job_type) {
        Ok(t) => t,
        Err(e) => return fail(Exit::Usage, &e, a.json),
    };
    let sources: Vec<job::SourceArg> = a
        .source
        .iter()
        .chain(&a.more)
        .map(|p| job::SourceArg::parse(&p.to_string_lossy()))
        .collect();
    let rules = match rules_options(&a.rules) {
        Ok(r) => r,
        Err((exit, e)) => return fail(exit, &e, a.json),
    };
    let base = a.content.options();
    let base = crate::pipeline::ContentOptions {
        progress: super::progress::on_terminal(),
        ..base
    };
    let options_for = |d: &crate::job::Drive| pipeline::Options {
        rules: rules.clone(),
        content: Some(pipeline::ContentOptions {
            manifest: job_type == JobType::Import,
            manifest_file: d.manifest_file.clone(),
            manifest_hash: d.manifest_hash.clone(),
            drive_id: Some(d.drive_id.clone()),
            ..base.clone()
        }),
        credentials: crate::bitlocker::Credentials {
            recovery_password: d.bitlocker_key.clone(),
            ..crate::bitlocker::Credentials::none()
        },
        job_type,
        sector_size: a.sector_size,
        strict: a.strict,
    };
    let r = job::check_job(
        &job_file,
        &sources,
        a.content.drive_id.as_deref(),
        &options_for,
    );
    if a.json {
        print_json(&r);
    } else {
        super::style::print_report(&pipeline::render::job(&r, a.strict));
    }
    Exit::of_report(r.exit_code)
}
