//! The manifest against the drive: every `FilePath` exists with its `Length`,
//! metadata/properties files exist, match their Hash and format, and files no
//! manifest entry covers are named. Block/page-range MD5s are verified by the
//! scan engine from the ranges collected here; the side files, read whole here,
//! are hashed here too and not read again by the scan.

use super::{codes, hex_upper, normalize_path, Manifest, Range, SideFile};
use crate::ntfs_volume::{Inventory, NtfsVolume};
use crate::report::{DriveStatus, Finding};
use md5::{Digest, Md5};
use std::collections::HashMap;

/// Individual "not covered" findings; the rest are counted in one more.
const MAX_NOT_COVERED: usize = 50;
/// Side files larger than this are not read.
const MAX_SIDE_READ: u64 = 1 << 20;

/// Lowercased volume-relative path (`dir/file`) → inventory index.
pub fn lookup_path(inv: &Inventory) -> HashMap<String, usize> {
    (0..inv.len())
        .filter(|&i| !inv.is_system(i))
        .map(|i| (inv.path(i).to_lowercase(), i))
        .collect()
}

/// The inventory entry a manifest path (`\dir\file`) names, case-insensitively.
pub fn find_entry(map: &HashMap<String, usize>, path: &str) -> Option<usize> {
    map.get(&normalize_path(path)).copied()
}

/// What the scan must verify: per inventory entry, the ranges with their MD5 and
/// the manifest position of the blob they come from.
#[derive(Debug, Default)]
pub struct DriveCheck {
    pub ranges: HashMap<usize, (Vec<Range>, String)>,
    /// Blobs whose file was found (for the report).
    pub files_found: u64,
    /// Side files read whole here, with their hashes, so the scan need not
    /// read them again.
    pub read: HashMap<usize, WholeFile>,
}

/// A file read whole: its length and hashes.
#[derive(Debug, Clone, Copy)]
pub struct WholeFile {
    pub len: u64,
    pub sha256: [u8; 32],
    pub md5: [u8; 16],
}

impl WholeFile {
    /// `md5` is the bytes' MD5, when already computed.
    pub fn of(bytes: &[u8], md5: [u8; 16]) -> Self {
        WholeFile {
            len: bytes.len() as u64,
            sha256: sha2::Sha256::digest(bytes).into(),
            md5,
        }
    }
}

fn side_kind(sf: &SideFile) -> &'static str {
    if sf.metadata {
        "metadata"
    } else {
        "properties"
    }
}

/// A small file read whole, and where its read first failed when a retry
/// then read it all (a transient error, worth a warning).
pub struct Small {
    pub bytes: Vec<u8>,
    pub retried: Option<String>,
}

impl Small {
    /// The warning a transient read error deserves, naming `path`.
    pub fn retried_warning(&self, path: &str) -> Option<Finding> {
        let first = self.retried.as_ref()?;
        Some(crate::source::retry::retried_warning(
            path.to_string(),
            "this file",
            1,
            first,
        ))
    }
}

/// Read a whole (small) file of the volume, with the scan's retry.
pub fn read_small(vol: &NtfsVolume, inv: &Inventory, i: usize, max: u64) -> Result<Small, String> {
    use crate::source::retry::file_place;
    let r = vol.content(inv, i).map_err(|e| e.to_string())?;
    if r.len() > max {
        return Err(format!("{} bytes is too large to be read", r.len()));
    }
    let mut bytes = vec![0u8; r.len() as usize];
    let got = r.read_retrying(0, &mut bytes).map_err(|e| e.to_string())?;
    if let Some((off, len, e)) = got.bad.first() {
        return Err(format!(
            "{len} bytes at {} cannot be read",
            file_place(*off, e)
        ));
    }
    let retried = got.transient.map(|e| file_place(0, &e));
    Ok(Small { bytes, retried })
}

/// Cross-check `m` against the volume. `manifest_entry` is the manifest's own
/// inventory index (never reported as uncovered).
pub fn cross_check(
    vol: &NtfsVolume,
    inv: &Inventory,
    m: &Manifest,
    manifest_entry: Option<usize>,
    findings: &mut Vec<Finding>,
) -> DriveCheck {
    let map = lookup_path(inv);
    let mut covered = vec![false; inv.len()];
    if let Some(i) = manifest_entry {
        covered[i] = true;
    }
    let mut dc = DriveCheck::default();
    check_blob_files(inv, &map, m, &mut covered, &mut dc, findings);
    for (i, named) in side_file_references(inv, &map, m, &mut covered, findings) {
        check_side_file(vol, inv, i, named, &mut dc, findings);
    }
    report_not_covered(inv, &covered, findings);
    dc
}

/// Every blob's `FilePath` exists as a file with its `Length`; marks the
/// files found as covered and collects their ranges for the scan.
fn check_blob_files(
    inv: &Inventory,
    map: &HashMap<String, usize>,
    m: &Manifest,
    covered: &mut [bool],
    dc: &mut DriveCheck,
    findings: &mut Vec<Finding>,
) {
    for b in m.blobs() {
        if b.file_path.is_empty() {
            continue;
        }
        let subject = format!("manifest {} (FilePath {})", b.at, b.file_path);
        let Some(i) = find_entry(map, &b.file_path) else {
            findings.push(
                Finding::error(
                    codes::FILE_MISSING,
                    DriveStatus::ManifestFileError,
                    subject,
                    format!("FilePath {} is not on the volume (the service reports FileNotFound)", b.file_path),
                )
                .with_hint("copy the file back, or prepare the drive again so the manifest matches what is on it"),
            );
            continue;
        };
        if inv.is_dir(i) {
            findings.push(Finding::error(
                codes::FILE_IS_DIR,
                DriveStatus::ManifestFileError,
                subject,
                format!("FilePath {} is a directory on the volume", b.file_path),
            ));
            continue;
        }
        covered[i] = true;
        dc.files_found += 1;
        let size = inv.size(i);
        if let Some(len) = b.length {
            if len != size {
                findings.push(Finding::error(
                    codes::LENGTH_MISMATCH,
                    DriveStatus::ManifestFileError,
                    subject.clone(),
                    format!("the manifest says Length {len} but the file on the volume has {size} bytes"),
                ));
            }
        }
        if !b.ranges.is_empty() {
            let e = dc
                .ranges
                .entry(i)
                .or_insert_with(|| (Vec::new(), b.at.clone()));
            e.0.extend(b.ranges.iter().copied());
        }
    }
}

/// The side files that name one inventory entry, each with its subject.
type SideReferences<'m> = Vec<(&'m SideFile, String)>;

/// The side files found on the volume, grouped by inventory entry in the order
/// first named, so each is read once however many blobs name it; its checks
/// run per reference (each finding points at its own element). Missing ones
/// are reported here.
fn side_file_references<'m>(
    inv: &Inventory,
    map: &HashMap<String, usize>,
    m: &'m Manifest,
    covered: &mut [bool],
    findings: &mut Vec<Finding>,
) -> Vec<(usize, SideReferences<'m>)> {
    let mut refs: Vec<(usize, SideReferences<'m>)> = Vec::new();
    let mut slot: HashMap<usize, usize> = HashMap::new();
    for sf in m.side_files() {
        if sf.path.is_empty() {
            continue;
        }
        let kind = side_kind(sf);
        let subject = format!("manifest {} ({kind} file {})", sf.at, sf.path);
        let Some(i) = find_entry(map, &sf.path).filter(|&i| !inv.is_dir(i)) else {
            findings.push(Finding::error(
                codes::SIDE_MISSING,
                DriveStatus::ManifestFileError,
                subject,
                format!(
                    "the {kind} file {} is not on the volume (FileNotFound)",
                    sf.path
                ),
            ));
            continue;
        };
        covered[i] = true;
        let k = *slot.entry(i).or_insert_with(|| {
            refs.push((i, Vec::new()));
            refs.len() - 1
        });
        if let Some(r) = refs.get_mut(k) {
            r.1.push((sf, subject));
        }
    }
    refs
}

/// Read side file `i` once and check it for every reference in `named`: its
/// MD5 against the manifest's, and its format.
fn check_side_file(
    vol: &NtfsVolume,
    inv: &Inventory,
    i: usize,
    named: SideReferences<'_>,
    dc: &mut DriveCheck,
    findings: &mut Vec<Finding>,
) {
    let bytes = match read_small(vol, inv, i, MAX_SIDE_READ) {
        Ok(small) => {
            findings.extend(small.retried_warning(&inv.path(i)));
            small.bytes
        }
        Err(e) => {
            for (sf, subject) in named {
                findings.push(Finding::error(
                    codes::SIDE_FORMAT,
                    DriveStatus::ManifestFileError,
                    subject,
                    format!("the {} file cannot be read: {e}", side_kind(sf)),
                ));
            }
            return;
        }
    };
    let got: [u8; 16] = Md5::digest(&bytes).into();
    for (sf, subject) in named {
        let kind = side_kind(sf);
        if let Some(want) = sf.md5.filter(|w| *w != got) {
            findings.push(Finding::error(
                codes::SIDE_HASH_MISMATCH,
                DriveStatus::DiskCorrupted,
                subject.clone(),
                format!("the {kind} file's MD5 is {} but the manifest says {}: it changed after the manifest was written (the service reports Corrupted)", hex_upper(&got), hex_upper(&want)),
            ));
        }
        findings.extend(if sf.metadata {
            super::check_metadata(&bytes, &subject)
        } else {
            super::check_properties(&bytes, &subject)
        });
    }
    // The scan hashes what it did not read here (and files with ranges).
    if !dc.ranges.contains_key(&i) {
        dc.read.insert(i, WholeFile::of(&bytes, got));
    }
}

/// Warn about files nobody imports: the first [`MAX_NOT_COVERED`] by name,
/// the rest counted in one more finding.
fn report_not_covered(inv: &Inventory, covered: &[bool], findings: &mut Vec<Finding>) {
    let mut n = 0usize;
    for (i, c) in covered.iter().enumerate() {
        if *c || inv.is_system(i) || inv.is_dir(i) {
            continue;
        }
        let path = inv.path(i);
        if crate::ntfs_volume::in_windows_root_folder(&path) {
            continue;
        }
        n += 1;
        if n <= MAX_NOT_COVERED {
            findings.push(Finding::warning(
                codes::NOT_COVERED,
                DriveStatus::ManifestFileError,
                path,
                "no manifest entry covers this file: it will not be imported",
            ));
        }
    }
    if n > MAX_NOT_COVERED {
        findings.push(Finding::warning(
            codes::NOT_COVERED,
            DriveStatus::ManifestFileError,
            "volume",
            format!("{} more files are not covered by the manifest (only the first {MAX_NOT_COVERED} are listed)", n - MAX_NOT_COVERED),
        ));
    }
}

/// Read the manifest file (at most [`super::MAX_BYTES`]).
pub fn drive_read(vol: &NtfsVolume, inv: &Inventory, i: usize) -> Result<Small, String> {
    read_small(vol, inv, i, super::MAX_BYTES)
}
