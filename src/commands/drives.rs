//! `ie-preflight check SRC SRC...` and `check --job JOB SRC...`: several
//! drives checked at once, then one summary. Every request that cannot work
//! is refused before anything is read: per-drive options without a drive
//! named, keys for serials that are not among the sources.

use super::check::rules_options;
use super::{fail, input, keys::PerDrive, print_json, Exit};
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
    let opened = drives::open_sources(&sources(a));
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
    print(&r, false, a)
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

/// `check --job`: every drive, each with its own key from the job.
pub(super) fn run_job(job_path: &Path, a: &CheckArgs) -> Exit {
    if let Some((opt, why)) = one_drive_option(a, true) {
        let msg = format!("{opt} cannot be used with --job: {why}");
        return fail(Exit::Usage, &msg, a.json);
    }
    let job_file = match input::read_job(job_path) {
        Ok(j) => j,
        Err(e) => return fail(Exit::Incomplete, &e, a.json),
    };
    let rules = match rules_options(&a.rules) {
        Ok(r) => r,
        Err((exit, e)) => return fail(exit, &e, a.json),
    };
    let job_type = JobType::from(a.job_type);
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
    let opened = drives::open_sources(&sources(a));
    let r = pipeline::job::check_job(
        &job_file,
        &opened,
        a.content.drive_id.as_deref(),
        &options_for,
    );
    print(&r, true, a)
}

fn print(r: &drives::DrivesCheck, job: bool, a: &CheckArgs) -> Exit {
    if a.json {
        print_json(r);
    } else {
        super::style::print_report(&pipeline::render::drives(r, job, a.strict));
    }
    Exit::of_report(r.exit_code)
}
