//! `blob-list` and `dataset`: validate a job's input files on their own, with
//! the same findings, verdict and exit codes as `check`.

use crate::report::{Checklist, DriveStatus, Finding, Severity};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Files bigger than this are not job input files (blob lists cap at 64 MiB too).
const MAX_INPUT: u64 = 64 << 20;

#[derive(Serialize)]
struct FileReport<'a> {
    schema: &'static str,
    files: Vec<String>,
    verdict: crate::report::Verdict,
    exit_code: i32,
    findings: &'a [Finding],
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.len() > MAX_INPUT {
        return Err(format!(
            "{} is larger than {MAX_INPUT} bytes; it is not a job input file",
            path.display()
        ));
    }
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn text(path: &Path) -> Result<String, String> {
    let bytes = read_bounded(path)?;
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&bytes)
        .to_vec();
    String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8 text", path.display()))
}

/// Print findings (grouped by file) and return the exit code.
fn finish(
    status: DriveStatus,
    per_file: Vec<(PathBuf, Vec<Finding>)>,
    json: bool,
    strict: bool,
) -> i32 {
    let mut list = Checklist::default();
    list.checked(status);
    let all: Vec<Finding> = per_file
        .iter()
        .flat_map(|(p, fs)| {
            fs.iter().map(move |f| {
                let mut f = f.clone();
                f.subject = format!("{}: {}", p.display(), f.subject);
                f
            })
        })
        .collect();
    let verdict = list.verdict(&all, strict);
    if json {
        crate::cli::print_json(&FileReport {
            schema: crate::report::SCHEMA,
            files: per_file
                .iter()
                .map(|(p, _)| p.display().to_string())
                .collect(),
            verdict,
            exit_code: verdict.exit_code(),
            findings: &all,
        });
    } else {
        for (path, fs) in &per_file {
            let errors = fs.iter().filter(|f| f.severity == Severity::Error).count();
            let warnings = fs
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .count();
            println!("{}: {errors} errors, {warnings} warnings", path.display());
            for f in fs {
                let sev = match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "info",
                };
                println!("  {sev} [{}] {}: {}", f.code, f.subject, f.message);
                if !f.hint.is_empty() {
                    println!("    what to do: {}", f.hint);
                }
            }
        }
        let line = match verdict {
            crate::report::Verdict::Ready => {
                "OK: no check predicts a failure (see warnings above, if any)"
            }
            _ => "INVALID: the service would reject this; fix the errors above",
        };
        println!("\n{line}");
    }
    verdict.exit_code()
}

fn could_not(msg: String) -> i32 {
    eprintln!("ie-preflight: error: {msg}");
    3
}

pub fn blob_list(path: &Path, json: bool, strict: bool) -> i32 {
    match read_bounded(path) {
        Ok(bytes) => {
            let findings = crate::bloblist::validate_blob_list(&bytes);
            finish(
                DriveStatus::ExportBlobListInvalid,
                vec![(path.to_path_buf(), findings)],
                json,
                strict,
            )
        }
        Err(e) => could_not(e),
    }
}

pub fn dataset(dataset: &Path, driveset: Option<&Path>, json: bool, strict: bool) -> i32 {
    let mut per_file = Vec::new();
    match text(dataset) {
        Ok(t) => per_file.push((
            dataset.to_path_buf(),
            crate::azure::dataset::validate_dataset(&t).0,
        )),
        Err(e) => return could_not(e),
    }
    if let Some(d) = driveset {
        match text(d) {
            Ok(t) => per_file.push((
                d.to_path_buf(),
                crate::azure::dataset::validate_driveset(&t),
            )),
            Err(e) => return could_not(e),
        }
    }
    finish(DriveStatus::UnsupportedData, per_file, json, strict)
}

/// `manifest FILE` without a source: the manifest's own rules, its MD5 against
/// `--manifest-hash` and its DriveId against `--drive-id`.
pub fn manifest_alone(
    path: &Path,
    bytes: &[u8],
    opts: &crate::scan::ContentOptions,
    json: bool,
    strict: bool,
) -> i32 {
    use crate::manifest::{codes, hex_upper, parse_md5_hex};
    use md5::{Digest, Md5};
    let (m, mut findings) = crate::manifest::parse_manifest(bytes);
    let md5: [u8; 16] = Md5::digest(bytes).into();
    if let Some(h) = &opts.manifest_hash {
        match parse_md5_hex(h) {
            None => findings.push(Finding::error(
                codes::HASH_ARG,
                DriveStatus::ManifestFileError,
                "--manifest-hash",
                "the given manifest hash is not an MD5 in Base16 (32 hex digits)",
            )),
            Some(want) if want != md5 => findings.push(Finding::error(
                codes::HASH_MISMATCH,
                DriveStatus::ManifestFileError,
                "file",
                format!(
                    "the manifest's MD5 is {} but the job says {} (the service reports ManifestCorrupted)",
                    hex_upper(&md5),
                    hex_upper(&want)
                ),
            )),
            Some(_) => {}
        }
    }
    if let (Some(want), Some(have)) = (&opts.drive_id, m.as_ref().and_then(|m| m.drive_id.as_ref()))
    {
        let norm = |s: &str| {
            s.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_uppercase()
        };
        if norm(want) != norm(have) {
            findings.push(Finding::error(
                codes::DRIVE_ID_MISMATCH,
                DriveStatus::ManifestFileError,
                "DriveId",
                format!("the manifest's DriveId is {have} but the drive is {want} (the service reports ManifestDriveIdMismatch)"),
            ));
        }
    }
    finish(
        DriveStatus::ManifestFileError,
        vec![(path.to_path_buf(), findings)],
        json,
        strict,
    )
}
