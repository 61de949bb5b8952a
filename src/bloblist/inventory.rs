//! `blob-list --inventory`: what an export blob list selects from the blobs
//! `az storage blob list -o json` printed.
//!
//! Assumed input shape (az CLI 2.x, `az storage blob list -o json`): a JSON
//! array of blob objects, each with `name` (string), `properties.contentLength`
//! (number) and `properties.blobTier` (`Hot`/`Cool`/`Cold`/`Archive`, or null),
//! and — in current az versions — `container` (string). When `container` is
//! absent, `--container` gives it for every blob of the file. Objects without
//! `name` (e.g. a `{"nextMarker": …}` element) are skipped; a top-level object
//! with an `items` array is read as that array.
//!
//! Pure: text in, blobs and findings out.

use super::entries::canonical;
use super::{codes, Entry, EntryKind};
use crate::report::{DriveStatus, Finding};
use serde::Serialize;
use serde_json::Value;

/// One blob of the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub container: String,
    pub name: String,
    pub size: u64,
    /// `Hot`, `Cool`, `Cold`, `Archive`, or `None` when not listed.
    pub tier: Option<String>,
}

/// Read one `az storage blob list -o json` document.
pub fn parse_inventory(text: &str, container: Option<&str>) -> Result<Vec<Blob>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let items = match &v {
        Value::Array(a) => a,
        Value::Object(o) => match o.get("items") {
            Some(Value::Array(a)) => a,
            _ => {
                return Err("expected a JSON array of blobs (az storage blob list -o json)".into())
            }
        },
        _ => return Err("expected a JSON array of blobs (az storage blob list -o json)".into()),
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Some(name) = item.get("name").and_then(Value::as_str) else {
            continue;
        };
        let c = match item.get("container").and_then(Value::as_str) {
            Some(c) => c,
            None => container.ok_or_else(|| {
                format!("blob {i} ({name}) names no container; give --container NAME")
            })?,
        };
        let props = item.get("properties");
        let size = props
            .and_then(|p| p.get("contentLength"))
            .and_then(Value::as_u64)
            .ok_or_else(|| format!("blob {i} ({name}) has no properties.contentLength"))?;
        let tier = props
            .and_then(|p| p.get("blobTier"))
            .and_then(Value::as_str)
            .map(str::to_string);
        out.push(Blob {
            container: c.to_string(),
            name: name.to_string(),
            size,
            tier,
        });
    }
    Ok(out)
}

/// `8TB`, `500GB`, `1.5TB`, `4000000000000`: decimal units (1 TB = 10^12 bytes),
/// as WAImportExport PreviewExport's `/DriveSize:`.
pub fn parse_drive_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let mult: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "KB" | "K" => 1_000,
        "MB" | "M" => 1_000_000,
        "GB" | "G" => 1_000_000_000,
        "TB" | "T" => 1_000_000_000_000,
        _ => {
            return Err(format!(
                "{s}: use a decimal size such as 8TB, 500GB or a byte count (1 TB = 10^12 bytes)"
            ))
        }
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s}: not a size such as 8TB"))?;
    let bytes = n * mult as f64;
    if !(bytes.is_finite() && bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(format!("{s}: not a usable drive size"));
    }
    Ok(bytes as u64)
}

/// What the list selects (`selection` in JSON).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Selection {
    /// Blobs in the inventory files.
    pub inventory_blobs: u64,
    /// Distinct blobs the list selects.
    pub blobs: u64,
    pub bytes: u64,
    pub ntfs_unwritable: u64,
    pub archive_tier: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drive_size: Option<u64>,
    /// Drives the selected blobs fill (first-fit decreasing, whole blobs per
    /// drive, no file-system overhead), with `--drive-size`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drives_needed: Option<u64>,
}

/// At most this many findings per code (the counts in [`Selection`] are complete).
pub const MAX_PER_CODE: usize = 1_000;

/// Why `name` cannot be a file path on NTFS (the service writes export drives
/// as NTFS, so an NTFS-invalid name cannot be written; INFERRED), or `None`.
pub fn ntfs_problem(name: &str) -> Option<String> {
    if name.ends_with('/') || name.ends_with('\\') {
        return Some("ends with '/' or '\\' (copy log: FileNameTrailsWithSlash)".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') || (*c as u32) < 0x20)
    {
        return Some(format!(
            "contains {c:?}, which NTFS file names cannot hold (copy log: UploadErrorWin32, Win32 error 123)"
        ));
    }
    for part in name.split(['/', '\\']) {
        if part.ends_with('.') || part.ends_with(' ') {
            return Some(format!(
                "the component {part:?} ends with a dot or a space, which Windows cannot create"
            ));
        }
        if part.chars().count() > 255 {
            return Some(format!(
                "a component is {} characters; NTFS allows 255",
                part.chars().count()
            ));
        }
    }
    None
}

fn selects(e: &Entry, key: &str) -> bool {
    let c = canonical(e);
    match e.kind {
        EntryKind::Path => key == c,
        EntryKind::Prefix => key.starts_with(c),
    }
}

/// First-fit decreasing: how many drives of `drive` bytes hold `sizes`
/// (each at most `drive`).
pub fn drives_needed(sizes: &mut [u64], drive: u64) -> u64 {
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let mut free: Vec<u64> = Vec::new();
    for &s in sizes.iter() {
        match free.iter_mut().find(|f| **f >= s) {
            Some(f) => *f -= s,
            None => free.push(drive.saturating_sub(s)),
        }
    }
    free.len() as u64
}

/// Findings, at most [`MAX_PER_CODE`] of each code.
#[derive(Default)]
struct CappedFindings {
    list: Vec<Finding>,
    per_code: std::collections::HashMap<&'static str, usize>,
}

impl CappedFindings {
    fn push(&mut self, f: Finding) {
        let n = self.per_code.entry(f.code).or_insert(0);
        *n += 1;
        if *n <= MAX_PER_CODE {
            self.list.push(f);
        }
    }
}

/// Resolve the list's entries against the inventory. Findings' subjects are
/// `container/blob`; those about entries use `subject_of(entry)`.
pub fn resolve(
    entries: &[Entry],
    blobs: &[Blob],
    drive_size: Option<u64>,
    subject_of: impl Fn(&Entry) -> String,
) -> (Selection, Vec<Finding>) {
    let mut sel = Selection {
        inventory_blobs: blobs.len() as u64,
        drive_size,
        ..Selection::default()
    };
    let mut findings = CappedFindings::default();
    let mut hits = vec![0u64; entries.len()];
    let mut sizes = Vec::new();
    for b in blobs {
        let key = format!("{}/{}", b.container, b.name);
        let mut selected = false;
        for (i, e) in entries.iter().enumerate() {
            if selects(e, &key) {
                hits[i] += 1;
                selected = true;
            }
        }
        if selected {
            check_selected(b, key, &mut sel, &mut sizes, &mut findings);
        }
    }
    for (e, n) in entries.iter().zip(&hits) {
        if *n == 0 && !e.text.trim().is_empty() {
            findings.push(
                Finding::warning(
                    codes::SELECTS_NOTHING,
                    DriveStatus::ExportBlobListInvalid,
                    subject_of(e),
                    format!(
                        "<{}>{}</{}> selects no blob of the inventory",
                        e.kind.element(),
                        e.text,
                        e.kind.element()
                    ),
                )
                .with_hint("check the container and blob names (they are case-sensitive)"),
            );
        }
    }
    sel.drives_needed = drive_size.map(|d| drives_needed(&mut sizes, d));
    (sel, findings.list)
}

/// Count a selected blob (`key`: `container/blob`) and check it can be
/// exported: an NTFS-safe name, not archived, not larger than a drive. The
/// sizes of the blobs that fit on a drive go to `sizes`.
fn check_selected(
    b: &Blob,
    key: String,
    sel: &mut Selection,
    sizes: &mut Vec<u64>,
    findings: &mut CappedFindings,
) {
    sel.blobs += 1;
    sel.bytes = sel.bytes.saturating_add(b.size);
    if let Some(why) = ntfs_problem(&b.name) {
        sel.ntfs_unwritable += 1;
        findings.push(
            Finding::error(
                codes::NTFS_NAME,
                DriveStatus::Failed,
                key.clone(),
                format!("the blob name {why}; exporting it to the NTFS drive fails"),
            )
            .with_hint("rename or copy the blob to an NTFS-safe name, or leave it out of the list"),
        );
    }
    if b.tier
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("archive"))
    {
        sel.archive_tier += 1;
        findings.push(
            Finding::error(
                codes::ARCHIVE_TIER,
                DriveStatus::Failed,
                key.clone(),
                "the blob is in the Archive tier, which cannot be exported",
            )
            .with_hint("rehydrate it to Hot or Cool first (az storage blob set-tier), and wait for the rehydration to finish"),
        );
    }
    match sel.drive_size {
        Some(d) if b.size > d => findings.push(
            Finding::error(
                codes::BLOB_TOO_LARGE,
                DriveStatus::Failed,
                key,
                format!("{} bytes does not fit on one {d}-byte drive", b.size),
            )
            .with_hint("use larger drives"),
        ),
        _ => sizes.push(b.size),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drive_sizes_are_decimal() {
        assert_eq!(parse_drive_size("8TB"), Ok(8_000_000_000_000));
        assert_eq!(parse_drive_size("500 GB"), Ok(500_000_000_000));
        assert_eq!(parse_drive_size("1.5tb"), Ok(1_500_000_000_000));
        assert_eq!(parse_drive_size("4096"), Ok(4096));
        assert!(parse_drive_size("8TiB").is_err());
        assert!(parse_drive_size("TB").is_err());
        assert!(parse_drive_size("0").is_err());
        assert!(parse_drive_size("1e400").is_err());
    }

    #[test]
    fn ntfs_names() {
        for bad in [
            "a:b", "a*", "q?", "\"x\"", "<a>", "p|q", "dir./f", "f.", "f ", "dir/", "dir\\",
            "a\u{1}b",
        ] {
            assert!(ntfs_problem(bad).is_some(), "{bad}");
        }
        assert!(ntfs_problem(&"n".repeat(256)).is_some());
        assert!(ntfs_problem(&format!("{}/x", "n".repeat(255))).is_none());
        assert!(ntfs_problem("dir/file.txt").is_none());
        assert!(ntfs_problem("日本/ü.txt").is_none());
    }

    #[test]
    fn first_fit_decreasing() {
        assert_eq!(drives_needed(&mut [], 10), 0);
        assert_eq!(drives_needed(&mut [5, 5, 5, 5], 10), 2);
        assert_eq!(drives_needed(&mut [6, 6, 4, 4], 10), 2);
        assert_eq!(drives_needed(&mut [7, 7, 7], 10), 3);
        assert_eq!(drives_needed(&mut [10], 10), 1);
    }

    #[test]
    fn az_shape_and_container_option() {
        let j = r#"[{"container":"c1","name":"a.txt","properties":{"contentLength":3,"blobTier":"Hot"}},
                   {"nextMarker":"x"}]"#;
        let b = parse_inventory(j, None).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].container, "c1");
        let j = r#"[{"name":"a.txt","properties":{"contentLength":3,"blobTier":null}}]"#;
        assert!(parse_inventory(j, None).is_err());
        let b = parse_inventory(j, Some("c2")).unwrap();
        assert_eq!(b[0].container, "c2");
        assert_eq!(b[0].tier, None);
        assert!(parse_inventory("{", None).is_err());
        assert!(parse_inventory("3", None).is_err());
        assert!(parse_inventory(r#"[{"name":"x"}]"#, Some("c")).is_err());
    }
}
