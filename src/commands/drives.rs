//! `ie-preflight check SRC SRC...` and `check --job JOB SRC...`: several
//! drives checked at once, then one summary. Every request that cannot work
//! is refused before anything is read: per-drive options without a drive
//! named, keys for serials that are not among the sources.

use super::check::rules_options;
use super::outputs::{self, Outputs};
use super::{drive_list, fail, input, keys::PerDrive, print_json, Exit};
use crate::cli::CheckArgs;
use crate::pipeline::drives::{self, Opened, Plan, SourceArg};
use crate::pipeline::{self, ContentOptions, JobType};
use crate::source::same_serial;
use std::path::Path;

/// An option that does nothing with several drives or `--job`, and why.
fn one_drive_option(a: &CheckArgs, job: bool) -> Option<(&'static str, &'static str)> {
    let k = &a.keys;
    let c = &a.content;
    let from_job = "each drive's comes from the job";
    let one_drive = "an inventory holds one drive; check each drive alone";
    let per_drive = if job {
        from_job
    } else {
        "it differs per drive: give --job, or check each drive alone"
    };
    let key = if job {
        from_job
    } else {
        "name each drive's key: --recovery-key-file SERIAL=FILE"
    };
    [
        ("--hashes", c.hashes.is_some(), one_drive),
        ("--hashes-md5", c.hashes_md5.is_some(), one_drive),
        (
            "--recovery-key-file",
            job && !k.recovery_key_file.is_empty(),
            from_job,
        ),
        ("--recovery-key", k.recovery_key.is_some(), key),
        (
            "--password-file",
            job && k.password_file.is_some(),
            from_job,
        ),
        ("--bek", job && k.bek.is_some(), from_job),
        (
            "--manifest-file",
            job && a.manifest_file.is_some(),
            from_job,
        ),
        ("--manifest-hash", c.manifest_hash.is_some(), per_drive),
        (
            "--drive-id",
            !job && c.drive_id.is_some(),
            "name each image's serial as SERIAL=IMAGE",
        ),
        (
            "--source-dir",
            !job && a.rules.source_dir.is_some(),
            "check the local folder alone",
        ),
    ]
    .into_iter()
    .find_map(|(name, given, why)| given.then_some((name, why)))
}

fn sources(a: &CheckArgs) -> Vec<SourceArg> {
    a.source
        .iter()
        .chain(&a.more)
        .map(|p| SourceArg::parse(&p.to_string_lossy()))
        .collect()
}

/// The content options every drive shares, with the progress bars.
fn base_content(a: &CheckArgs, job_type: JobType) -> ContentOptions {
    ContentOptions {
        manifest: job_type == JobType::Import,
        manifest_file: a.manifest_file.clone(),
        progress: super::progress::on_terminal(),
        ..a.content.options()
    }
}

/// `check SRC SRC...`: each drive with its own key (`SERIAL=FILE`).
pub(super) fn run_many(a: &CheckArgs) -> Exit {
    if let Some((opt, why)) = one_drive_option(a, false) {
        let msg = format!("{opt} cannot be used with several drives: {why}");
        return fail(Exit::Usage, &msg, a.json);
    }
    if let Some(e) = PerDrive::usage(&a.keys) {
        return fail(Exit::Usage, &e, a.json);
    }
    let rules = match rules_options(&a.rules) {
        Ok(r) => r,
        Err((exit, e)) => return fail(exit, &e, a.json),
    };
    let sources = sources(a);
    let outs = match prepare_outputs(a, &sources) {
        Ok(o) => o,
        Err(e) => return fail(Exit::Usage, &e, a.json),
    };
    let opened = drives::open_sources(&sources);
    let keys = match PerDrive::read(&a.keys) {
        Ok(k) => k,
        Err(e) => return fail(Exit::Incomplete, &e, a.json),
    };
    if let Some(e) = key_without_drive(&keys, &opened) {
        return fail(Exit::Usage, &e, a.json);
    }
    let job_type = JobType::from(a.job_type);
    let content = base_content(a, job_type);
    let plans: Vec<Plan> = opened
        .iter()
        .map(|o| {
            let serial = o.serial();
            Ok((
                None,
                pipeline::Options {
                    credentials: keys.for_serial(serial.as_deref()),
                    job_type,
                    sector_size: a.sector_size,
                    strict: a.strict,
                    rules: rules.clone(),
                    content: Some(ContentOptions {
                        drive_id: serial,
                        ..content.clone()
                    }),
                },
            ))
        })
        .collect();
    let r = drives::check_all(None, &opened, plans, Vec::new());
    let key_of = |d: &drives::DriveResult| keys.for_serial(d.serial.as_deref()).recovery_password;
    finish(&r, false, a, outs, &key_of)
}

/// A `SERIAL=FILE` key whose serial no source has.
fn key_without_drive(keys: &PerDrive, opened: &[Opened]) -> Option<String> {
    let serials: Vec<String> = opened.iter().filter_map(Opened::serial).collect();
    let missing = keys
        .serials()
        .find(|k| !serials.iter().any(|s| same_serial(s, k)))?;
    let known = if serials.is_empty() {
        "none is known: give images as SERIAL=IMAGE".to_string()
    } else {
        serials.join(", ")
    };
    Some(format!(
        "--recovery-key-file {missing}=…: no drive given has serial {missing} (the drives' serials: {known})"
    ))
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
pub(super) fn run_job(job_path: &Path, a: &CheckArgs) -> Exit {
    if let Some((opt, why)) = one_drive_option(a, true) {
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
    let rules = match rules_options(&a.rules) {
        Ok(r) => r,
        Err((exit, e)) => return fail(exit, &e, a.json),
    };
    let base = base_content(a, job_type);
    let options_for = |d: &crate::job::Drive| pipeline::Options {
        rules: rules.clone(),
        content: Some(ContentOptions {
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
    let sources = sources(a);
    let outs = match prepare_outputs(a, &sources) {
        Ok(o) => o,
        Err(e) => return fail(Exit::Usage, &e, a.json),
    };
    let opened = drives::open_sources(&sources);
    let r = pipeline::job::check_job(
        &job_file,
        &opened,
        a.content.drive_id.as_deref(),
        &options_for,
    );
    let key_of = |d: &drives::DriveResult| {
        let drive = job_file
            .drives
            .iter()
            .find(|j| Some(&j.drive_id) == d.drive_id.as_ref());
        drive.and_then(|j| j.bitlocker_key.clone())
    };
    finish(&r, true, a, outs, &key_of)
}

/// The outputs of a run over several drives (no inventories: refused before).
fn prepare_outputs(a: &CheckArgs, sources: &[SourceArg]) -> Result<Outputs, String> {
    let paths: Vec<&Path> = sources.iter().map(|s| s.path.as_path()).collect();
    outputs::prepare(&a.content, Some(&a.ship), &paths).map_err(|e| e.to_string())
}

/// Each drive's recovery password, for the drive list.
type KeyOf<'a> = dyn Fn(&drives::DriveResult) -> Option<zeroize::Zeroizing<String>> + 'a;

/// Write the outputs, print the reports and the summary, pick the exit code.
fn finish(
    checked: &drives::DrivesChecked,
    job: bool,
    a: &CheckArgs,
    outs: Outputs,
    key_of: &KeyOf,
) -> Exit {
    let r = &checked.doc;
    let for_list: Vec<drive_list::Drive> = r
        .drives
        .iter()
        .map(|d| drive_list::Drive {
            serial: d.drive_id.clone().or_else(|| d.serial.clone()),
            source: &d.source,
            report: d.report.as_ref(),
            key: key_of(d),
        })
        .collect();
    let page: Vec<pipeline::render::HtmlDrive> = r
        .drives
        .iter()
        .zip(&checked.profiles)
        .map(|(d, p)| pipeline::render::HtmlDrive {
            source: &d.source,
            serial: d.drive_id.as_deref().or(d.serial.as_deref()),
            verdict: d.verdict,
            error: d.error.as_deref(),
            report: d.report.as_ref(),
            profile: p.as_deref(),
        })
        .collect();
    let written = outputs::write_after(outs, None, &for_list, &page, r.verdict);
    if a.json {
        print_json(r);
    } else {
        super::style::print_report(&pipeline::render::drives(r, job, a.strict));
    }
    match written {
        Ok(()) => Exit::of_report(r.exit_code),
        Err(e) => fail(Exit::Incomplete, &e, false),
    }
}
