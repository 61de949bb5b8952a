//! `blob-list` and `dataset`: validate a job's input files on their own, with
//! the same findings, verdict and exit codes as `check`.

use crate::bloblist::inventory::{self, Selection};
use crate::report::{Checklist, DriveStatus, Finding, Severity};
use crate::sniff;
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
    #[serde(skip_serializing_if = "Option::is_none")]
    selection: Option<&'a Selection>,
}

/// `blob-list --inventory/--container/--drive-size`.
pub struct InventoryArgs<'a> {
    pub files: &'a [PathBuf],
    pub container: Option<&'a str>,
    pub drive_size: Option<u64>,
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

pub(crate) fn text(path: &Path) -> Result<String, String> {
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
    selection: Option<&Selection>,
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
            selection,
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
                print!("{}", crate::report::human::finding("  ", f));
            }
        }
        if let Some(s) = selection {
            print!("{}", selection_text(s));
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

fn could_not(msg: String, json: bool) -> i32 {
    eprintln!("ie-preflight: error: {msg}");
    if json {
        crate::cli::print_json(&serde_json::json!({
            "schema": crate::report::SCHEMA,
            "verdict": "incomplete",
            "exit_code": 3,
            "error": msg,
        }));
    }
    3
}

fn selection_text(s: &Selection) -> String {
    use crate::report::human::size;
    let mut t = format!(
        "\nSelected from {} inventory blobs: {} blobs, {}\n  names NTFS cannot hold: {}\n  Archive tier: {}\n",
        s.inventory_blobs,
        s.blobs,
        size(s.bytes),
        s.ntfs_unwritable,
        s.archive_tier
    );
    if let (Some(d), Some(n)) = (s.drive_size, s.drives_needed) {
        t.push_str(&format!(
            "  drives of {d} bytes ({} TB) needed: {n}\n",
            d as f64 / 1e12
        ));
    }
    t
}

pub fn blob_list(path: &Path, inv: &InventoryArgs<'_>, json: bool, strict: bool) -> i32 {
    let bytes = match read_bounded(path).and_then(|b| {
        sniff::expect(&b, "an export blob list", sniff::xml_of("BlobList"))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(b)
    }) {
        Ok(b) => b,
        Err(e) => return could_not(e, json),
    };
    let (mut findings, entries) = crate::bloblist::parse_blob_list(&bytes);
    let mut per_file = Vec::new();
    let mut selection = None;
    if !inv.files.is_empty() {
        let mut blobs = Vec::new();
        for f in inv.files {
            let parsed = text(f).and_then(|t| {
                inventory::parse_inventory(&t, inv.container)
                    .map_err(|e| format!("{}: {e}", f.display()))
            });
            match parsed {
                Ok(b) => blobs.extend(b),
                Err(e) => return could_not(e, json),
            }
        }
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let list_text = String::from_utf8_lossy(body);
        let ix = crate::bloblist::LineIndex::new(&list_text);
        let (sel, found) =
            inventory::resolve(&entries, &blobs, inv.drive_size, |e| ix.subject(e.pos));
        // Findings about entries stay with the list; those about blobs go under the inventory.
        let (about_list, about_blobs): (Vec<Finding>, Vec<Finding>) = found
            .into_iter()
            .partition(|f| f.code == crate::bloblist::codes::SELECTS_NOTHING);
        findings.extend(about_list);
        let label = inv
            .files
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        per_file.push((PathBuf::from(label), about_blobs));
        selection = Some(sel);
    }
    per_file.insert(0, (path.to_path_buf(), findings));
    finish(
        DriveStatus::ExportBlobListInvalid,
        per_file,
        selection.as_ref(),
        json,
        strict,
    )
}

pub fn dataset(dataset: &Path, driveset: Option<&Path>, json: bool, strict: bool) -> i32 {
    let mut per_file = Vec::new();
    let csv = |path: &Path, what: &'static str, other: &'static str| {
        text(path).and_then(|t| {
            sniff::expect(t.as_bytes(), what, sniff::csv_not(other))
                .map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(t)
        })
    };
    match csv(dataset, "a dataset CSV", "a driveset CSV") {
        Ok(t) => per_file.push((
            dataset.to_path_buf(),
            crate::azure::dataset::validate_dataset(&t).0,
        )),
        Err(e) => return could_not(e, json),
    }
    if let Some(d) = driveset {
        match csv(d, "a driveset CSV", "a dataset CSV") {
            Ok(t) => per_file.push((
                d.to_path_buf(),
                crate::azure::dataset::validate_driveset(&t),
            )),
            Err(e) => return could_not(e, json),
        }
    }
    finish(DriveStatus::UnsupportedData, per_file, None, json, strict)
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
        findings.extend(crate::manifest::check_drive_id(want, have, "DriveId"));
    }
    finish(
        DriveStatus::ManifestFileError,
        vec![(path.to_path_buf(), findings)],
        None,
        json,
        strict,
    )
}
