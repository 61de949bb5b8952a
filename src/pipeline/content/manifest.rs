//! The drive manifest inside the content stage: found on the volume (or
//! given outside it), its MD5 compared with the job's, parsed, and
//! cross-checked with the drive's files.

use super::{ContentOptions, ManifestFacts};
use crate::manifest::{
    self, codes as mc, cross_check, find_entry, hex_upper, lookup_path, BlobTarget, DriveCheck,
    Manifest,
};
use crate::ntfs_volume::{Inventory, NtfsVolume};
use crate::report::{DriveStatus, Finding};
use md5::{Digest, Md5};

/// What the manifest step gives the scan and the rules.
pub(super) struct ManifestPart {
    pub facts: ManifestFacts,
    /// The cross-check: the ranges to verify per file, files read whole.
    pub drive_check: Option<DriveCheck>,
    pub targets: Option<Vec<BlobTarget>>,
}

/// The manifest's bytes, where they came from, and the name findings use.
struct ManifestBytes {
    /// Its entry on the drive (also for a manifest given outside the drive,
    /// when a copy is there: not a file "nobody imports").
    entry: Option<usize>,
    bytes: Vec<u8>,
    label: String,
}

pub(super) fn check(
    vol: &NtfsVolume,
    inv: &Inventory,
    opts: &ContentOptions,
    findings: &mut Vec<Finding>,
) -> ManifestPart {
    let path = opts
        .manifest_file
        .clone()
        .unwrap_or_else(|| manifest::DEFAULT_PATH.to_string());
    let mut part = ManifestPart {
        facts: ManifestFacts {
            path: path.clone(),
            found: false,
            md5: None,
            version: None,
            drive_id: None,
            credential: None,
            blobs: 0,
            files_found: 0,
        },
        drive_check: None,
        targets: None,
    };
    let got = match &opts.external_manifest {
        Some((name, bytes)) => {
            part.facts.path = name.clone();
            let map = lookup_path(inv);
            Some(ManifestBytes {
                entry: find_entry(&map, &path).filter(|&i| !inv.is_dir(i)),
                bytes: bytes.clone(),
                label: name.clone(),
            })
        }
        None => read_from_drive(vol, inv, &path, opts.manifest_file.is_some(), findings),
    };
    let Some(got) = got else { return part };
    part.facts.found = true;
    let md5: [u8; 16] = Md5::digest(&got.bytes).into();
    part.facts.md5 = Some(hex_upper(&md5));
    if let Some(h) = &opts.manifest_hash {
        findings.extend(manifest::compare_manifest_hash(h, &md5, &got.label));
    }
    let (m, fs) = manifest::parse_manifest(&got.bytes);
    findings.extend(fs.into_iter().map(|mut f| {
        f.subject = format!("{} {}", got.label, f.subject);
        f
    }));
    let Some(m) = m else { return part };
    fill_facts(&mut part.facts, &m);
    if let (Some(want), Some(have)) = (&opts.drive_id, &m.drive_id) {
        findings.extend(manifest::check_drive_id(want, have, got.label.clone()));
    }
    let mut dc = cross_check(vol, inv, &m, got.entry, findings);
    part.facts.files_found = dc.files_found;
    // The manifest read from the drive is hashed here, not read again.
    if let (None, Some(i)) = (&opts.external_manifest, got.entry) {
        if !dc.ranges.contains_key(&i) {
            dc.read.insert(i, manifest::WholeFile::of(&got.bytes, md5));
        }
    }
    part.targets = Some(m.blob_targets());
    part.drive_check = Some(dc);
    part
}

/// The manifest at `path` on the volume; `None` (and a finding) when it is
/// missing or unreadable. A missing explicit `--manifest-file` is an error,
/// the default location a warning.
fn read_from_drive(
    vol: &NtfsVolume,
    inv: &Inventory,
    path: &str,
    explicit: bool,
    findings: &mut Vec<Finding>,
) -> Option<ManifestBytes> {
    let map = lookup_path(inv);
    let Some(i) = find_entry(&map, path).filter(|&i| !inv.is_dir(i)) else {
        findings.push(not_found(path, explicit));
        return None;
    };
    match manifest::drive_read(vol, inv, i) {
        Ok(small) => {
            findings.extend(small.retried_warning(&inv.path(i)));
            Some(ManifestBytes {
                entry: Some(i),
                bytes: small.bytes,
                label: path.to_string(),
            })
        }
        Err(e) => {
            findings.push(Finding::error(
                mc::UNREADABLE,
                DriveStatus::ManifestFileError,
                path,
                format!(
                    "the manifest cannot be read: {e} (the service reports ReadManifestFailed)"
                ),
            ));
            None
        }
    }
}

fn not_found(path: &str, explicit: bool) -> Finding {
    if explicit {
        return Finding::error(
            mc::NOT_FOUND,
            DriveStatus::ManifestFileError,
            path,
            format!(
                "the manifest {path} is not on the volume (the service reports ManifestNotFound)"
            ),
        );
    }
    Finding::warning(
        mc::NOT_FOUND,
        DriveStatus::ManifestFileError,
        path,
        format!("no drive manifest at {path}, the default location; WAImportExport writes one on every import drive (the service reports ManifestNotFound)"),
    )
    .with_hint("give the manifest's path from the journal's ManifestFile with --manifest-file, or prepare the drive with WAImportExport")
}

fn fill_facts(facts: &mut ManifestFacts, m: &Manifest) {
    facts.version = m.version.clone();
    facts.drive_id = m.drive_id.clone();
    facts.credential = m.credential;
    facts.blobs = m.blobs().count() as u64;
}
