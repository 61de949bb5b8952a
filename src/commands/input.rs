//! Reading the files named on the command line (job records, logs, lists,
//! CSVs, manifests): bounded in size, refused when they are another kind of
//! file ([`crate::sniff`]), and decoded as UTF-8 text with a BOM dropped.

use crate::sniff::InputKind;
use std::path::Path;

/// Job records, journals, DriveInfo files and logs are small.
pub const MAX_JOB_FILE: u64 = 16 << 20;
/// Blob lists and dataset CSVs (a blob list caps at 64 MiB).
pub const MAX_LIST_FILE: u64 = 64 << 20;

/// The bytes of `path`, which must be `what` (e.g. "a copy log") as
/// `accepts` decides from its first bytes. Errors name the file.
pub fn read_bytes(
    path: &Path,
    max: u64,
    what: &str,
    accepts: impl Fn(&InputKind) -> bool,
) -> Result<Vec<u8>, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if meta.len() > max {
        return Err(format!(
            "{shown} is larger than {} MiB; it is not {what}",
            max >> 20
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    crate::sniff::expect(&bytes, what, accepts).map_err(|e| format!("{shown}: {e}"))?;
    Ok(bytes)
}

/// As [`read_bytes`], as UTF-8 text without a byte order mark.
pub fn read_text(
    path: &Path,
    max: u64,
    what: &str,
    accepts: impl Fn(&InputKind) -> bool,
) -> Result<String, String> {
    let bytes = read_bytes(path, max, what, accepts)?;
    let body = crate::bytes::strip_utf8_bom(&bytes);
    String::from_utf8(body.to_vec()).map_err(|_| format!("{} is not UTF-8 text", path.display()))
}

/// Any text file (an `az storage blob list` inventory, a `sha256sum` file).
pub fn read_any_text(path: &Path, max: u64) -> Result<String, String> {
    read_text(path, max, "a text file", |_| true)
}

fn is_job(k: &InputKind) -> bool {
    matches!(k, InputKind::Json | InputKind::Journal) || k.is_xml_root(&["Drive"])
}

/// A job record: job JSON (REST, `az`, a drive list, a key response), a
/// journal or a DriveInfo file; a list response must hold one job.
pub fn read_job(path: &Path) -> Result<crate::job::Job, String> {
    let text = read_text(path, MAX_JOB_FILE, "a job record", is_job)?;
    crate::job::parse_any(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Every job of a job record (a list response holds several).
pub fn read_jobs(path: &Path) -> Result<Vec<crate::job::Job>, String> {
    let text = read_text(path, MAX_JOB_FILE, "a job record", is_job)?;
    crate::job::parse_all(&text).map_err(|e| format!("{}: {e}", path.display()))
}
