//! The content stage of `check` (and of `manifest --source`): the drive
//! manifest found on the volume and cross-checked, then the hash scan.

use super::{regular_files, scan, Job, ScanOptions};
use crate::manifest::{
    self, codes as mc, cross_check, find_entry, hex_lower, hex_upper, lookup_path, parse_md5_hex,
    Manifest,
};
use crate::ntfs_volume::{Inventory, NtfsVolume};
use crate::report::{DriveStatus, Finding};
use md5::{Digest, Md5};
use serde::Serialize;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

#[derive(Debug, Clone, Default)]
pub struct ContentOptions {
    /// Look for a manifest on the volume (import drives).
    pub manifest: bool,
    /// `--manifest-file`; `None` means the default `\DriveManifest.xml`.
    pub manifest_file: Option<String>,
    /// `--manifest-hash`: Base16 MD5 of the manifest file.
    pub manifest_hash: Option<String>,
    /// `--drive-id`: the drive's serial number.
    pub drive_id: Option<String>,
    /// A manifest read from outside the drive (`manifest FILE --source`).
    pub external_manifest: Option<(String, Vec<u8>)>,
    /// `--no-hash`: no data is read.
    pub no_hash: bool,
    /// `--threads`; `None`: one per core, or one reader on a rotational drive.
    pub threads: Option<usize>,
    pub rotational: bool,
    /// Every file's hash in the JSON report (`--hashes-in-json`); otherwise
    /// they are kept in [`ContentReport::all_hashes`] for the hash outputs
    /// the command writes.
    pub hashes_in_json: bool,
    /// MD5 of every whole file too (`--hashes-md5`, tests).
    pub file_md5: bool,
    /// Names the drive on its progress bar (drive id and/or path).
    pub label: Option<String>,
    /// `--surface`: read the free clusters and the space outside partitions too.
    pub surface: bool,
}

#[derive(Debug, Serialize)]
pub struct ManifestFacts {
    pub path: String,
    pub found: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drive_id: Option<String>,
    /// `StorageAccountKey` or `ContainerSas` (never the value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<&'static str>,
    pub blobs: u64,
    pub files_found: u64,
}

#[derive(Debug, Serialize)]
pub struct ScanFacts {
    pub files: u64,
    pub bytes: u64,
    pub threads: usize,
    pub seconds: f64,
    pub mb_per_s: f64,
    pub ranges_checked: u64,
    pub incomplete_files: u64,
}

#[derive(Debug, Serialize)]
pub struct FileHashLine {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct ContentReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest: Option<ManifestFacts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan: Option<ScanFacts>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<FileHashLine>,
    /// Every file's hash (for `--hashes` and tests); not in JSON unless asked.
    #[serde(skip)]
    pub all_hashes: Vec<FileHashLine>,
    /// Each manifest `<Blob>`'s `FilePath` → `BlobPath` (no block lists), for
    /// the Azure rules; `None` when no manifest was parsed.
    #[serde(skip)]
    pub blob_targets: Option<Vec<crate::manifest::BlobTarget>>,
    /// `--surface`: the cluster size and the free cluster runs of `$Bitmap`
    /// (`None`: not asked for, or `$Bitmap` unreadable).
    #[serde(skip)]
    pub free_runs: Option<(u64, Vec<(u64, u64)>)>,
}

/// Find, verify and cross-check the manifest, then scan. Never fails: what
/// cannot be done is a finding.
pub fn run_content_stage(
    vol: &NtfsVolume,
    inv: &Inventory,
    opts: &ContentOptions,
    findings: &mut Vec<Finding>,
) -> ContentReport {
    let mut report = ContentReport::default();
    let mut ranges = std::collections::HashMap::new();
    // Files the manifest stage read whole (the manifest, metadata and
    // properties files): hashed there, not read again.
    let mut read = std::collections::HashMap::new();
    if opts.manifest || opts.external_manifest.is_some() {
        let (facts, dc, targets) = manifest_part(vol, inv, opts, findings);
        report.manifest = Some(facts);
        report.blob_targets = targets;
        if let Some(dc) = dc {
            ranges = dc.ranges;
            read = dc.read;
        }
    }
    // Only files the scan would hash, read whole (a short read leaves the
    // file to the scan).
    read.retain(|&i, w| super::is_regular(inv, i) && w.len == inv.size(i));
    if opts.surface {
        // A $Bitmap that cannot be read is already an integrity finding; the
        // surface read then covers the whole volume.
        report.free_runs = vol
            .free_runs(inv)
            .ok()
            .map(|r| (vol.geometry().cluster_size, r));
    }
    if opts.no_hash {
        return report;
    }
    let threads = opts.threads.unwrap_or_else(|| {
        if opts.rotational {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        }
    });
    let jobs: Vec<Job> = regular_files(inv)
        .into_iter()
        .filter(|i| !read.contains_key(i))
        .map(|i| {
            let (r, origin) = ranges.remove(&i).unwrap_or_default();
            Job {
                entry: i,
                ranges: r,
                origin,
            }
        })
        .collect();
    let done = AtomicU64::new(0);
    let total: u64 = jobs
        .iter()
        .fold(0u64, |t, j| t.saturating_add(inv.size(j.entry)));
    let t0 = std::time::Instant::now();
    let finished = std::sync::atomic::AtomicBool::new(false);
    let out = std::thread::scope(|s| {
        if std::io::stderr().is_terminal() {
            let label = opts.label.as_deref().unwrap_or("");
            let (done, finished) = (&done, &finished);
            s.spawn(move || progress(label, total, done, finished));
        }
        let out = scan(
            vol,
            inv,
            jobs,
            ScanOptions {
                threads,
                sha256: true,
                file_md5: opts.file_md5,
            },
            &done,
        );
        finished.store(true, Ordering::Relaxed);
        out
    });
    let secs = t0.elapsed().as_secs_f64();
    let mut out = out;
    for (entry, w) in read {
        out.bytes += w.len;
        out.files.push(super::FileResult {
            entry,
            size: w.len,
            sha256: Some(w.sha256),
            md5: opts.file_md5.then_some(w.md5),
            complete: true,
        });
    }
    findings.extend(out.findings);
    let mut lines: Vec<FileHashLine> = out
        .files
        .iter()
        .filter_map(|f| {
            Some(FileHashLine {
                path: inv.path(f.entry),
                size: f.size,
                sha256: hex_lower(&f.sha256?),
                md5: f.md5.map(|m| hex_lower(&m)),
            })
        })
        .collect();
    lines.sort_by(|a, b| a.path.cmp(&b.path));
    report.scan = Some(ScanFacts {
        files: out.files.len() as u64,
        bytes: out.bytes,
        threads,
        seconds: (secs * 1000.0).round() / 1000.0,
        mb_per_s: if secs > 0.0 {
            ((out.bytes as f64 / 1e6 / secs) * 10.0).round() / 10.0
        } else {
            0.0
        },
        ranges_checked: out.ranges_checked,
        incomplete_files: out.files.iter().filter(|f| !f.complete).count() as u64,
    });
    if opts.hashes_in_json {
        report.hashes = lines;
    } else {
        report.all_hashes = lines;
    }
    report
}

fn manifest_part(
    vol: &NtfsVolume,
    inv: &Inventory,
    opts: &ContentOptions,
    findings: &mut Vec<Finding>,
) -> (
    ManifestFacts,
    Option<manifest::DriveCheck>,
    Option<Vec<manifest::BlobTarget>>,
) {
    let map = lookup_path(inv);
    let explicit = opts.manifest_file.is_some();
    let path = opts
        .manifest_file
        .clone()
        .unwrap_or_else(|| manifest::DEFAULT_PATH.to_string());
    let mut facts = ManifestFacts {
        path: path.clone(),
        found: false,
        md5: None,
        version: None,
        drive_id: None,
        credential: None,
        blobs: 0,
        files_found: 0,
    };
    let (entry, bytes, label) = if let Some((name, bytes)) = &opts.external_manifest {
        facts.path = name.clone();
        // A manifest copy on the drive is not a file "nobody imports".
        let on_drive = find_entry(&map, &path).filter(|&i| !inv.is_dir(i));
        (on_drive, bytes.clone(), name.clone())
    } else {
        let Some(i) = find_entry(&map, &path).filter(|&i| !inv.is_dir(i)) else {
            let f = if explicit {
                Finding::error(
                    mc::NOT_FOUND,
                    DriveStatus::ManifestFileError,
                    path.clone(),
                    format!("the manifest {path} is not on the volume (the service reports ManifestNotFound)"),
                )
            } else {
                Finding::warning(
                    mc::NOT_FOUND,
                    DriveStatus::ManifestFileError,
                    path.clone(),
                    format!("no drive manifest at {path}, the default location; WAImportExport writes one on every import drive (the service reports ManifestNotFound)"),
                )
                .with_hint("give the manifest's path from the journal's ManifestFile with --manifest-file, or prepare the drive with WAImportExport")
            };
            findings.push(f);
            return (facts, None, None);
        };
        match manifest::drive_read(vol, inv, i) {
            Ok(small) => {
                findings.extend(small.retried_warning(&inv.path(i)));
                (Some(i), small.bytes, path.clone())
            }
            Err(e) => {
                findings.push(Finding::error(
                    mc::UNREADABLE,
                    DriveStatus::ManifestFileError,
                    path.clone(),
                    format!(
                        "the manifest cannot be read: {e} (the service reports ReadManifestFailed)"
                    ),
                ));
                return (facts, None, None);
            }
        }
    };
    facts.found = true;
    let md5: [u8; 16] = Md5::digest(&bytes).into();
    facts.md5 = Some(hex_upper(&md5));
    if let Some(h) = &opts.manifest_hash {
        match parse_md5_hex(h) {
            None => findings.push(Finding::error(
                mc::HASH_ARG,
                DriveStatus::ManifestFileError,
                "--manifest-hash",
                "the given manifest hash is not an MD5 in Base16 (32 hex digits)",
            )),
            Some(want) if want != md5 => findings.push(
                Finding::error(
                    mc::HASH_MISMATCH,
                    DriveStatus::ManifestFileError,
                    label.clone(),
                    format!(
                        "the manifest's MD5 is {} but the job says {} (the service reports ManifestCorrupted)",
                        hex_upper(&md5),
                        hex_upper(&want)
                    ),
                )
                .with_hint("the manifest was changed after the journal was written: restore it, or prepare the drive again"),
            ),
            Some(_) => {}
        }
    }
    let (m, fs) = manifest::parse_manifest(&bytes);
    findings.extend(fs.into_iter().map(|mut f| {
        f.subject = format!("{label} {}", f.subject);
        f
    }));
    let Some(m) = m else {
        return (facts, None, None);
    };
    fill_facts(&mut facts, &m);
    if let (Some(want), Some(have)) = (&opts.drive_id, &m.drive_id) {
        findings.extend(manifest::check_drive_id(want, have, label.clone()));
    }
    let mut dc = cross_check(vol, inv, &m, entry, findings);
    facts.files_found = dc.files_found;
    // The manifest read from the drive is hashed here, not read again.
    if let (None, Some(i)) = (&opts.external_manifest, entry) {
        if !dc.ranges.contains_key(&i) {
            dc.read.insert(i, manifest::WholeFile::of(&bytes, md5));
        }
    }
    let targets = m.blob_targets();
    (facts, Some(dc), Some(targets))
}

fn fill_facts(facts: &mut ManifestFacts, m: &Manifest) {
    facts.version = m.version.clone();
    facts.drive_id = m.drive_id.clone();
    facts.credential = m.credential;
    facts.blobs = m.blobs().count() as u64;
}

/// Every drive's bar, so drives checked at once (`check --job`) each get
/// their own line on stderr.
fn bars() -> &'static indicatif::MultiProgress {
    static BARS: std::sync::OnceLock<indicatif::MultiProgress> = std::sync::OnceLock::new();
    BARS.get_or_init(|| {
        indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stderr())
    })
}

/// A progress bar on stderr (only on a terminal): drive, bytes, MB/s, ETA.
fn progress(label: &str, total: u64, done: &AtomicU64, finished: &AtomicBool) {
    let bar = bars().add(indicatif::ProgressBar::new(total));
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{prefix} hashing {bar:30} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
    ) {
        bar.set_style(style);
    }
    bar.set_prefix(label.to_string());
    while !finished.load(Ordering::Relaxed) {
        bar.set_position(done.load(Ordering::Relaxed));
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    bar.finish_and_clear();
    bars().remove(&bar);
}

impl ContentReport {
    /// Lines for the human report.
    pub fn facts(&self) -> Vec<(&'static str, String)> {
        let mut f = Vec::new();
        if let Some(m) = &self.manifest {
            if m.found {
                f.push(("manifest", m.path.clone()));
                if let Some(md5) = &m.md5 {
                    f.push(("manifest MD5", md5.clone()));
                }
                if let Some(d) = &m.drive_id {
                    f.push(("manifest DriveId", d.clone()));
                }
                f.push((
                    "blobs / files found",
                    format!("{} / {}", m.blobs, m.files_found),
                ));
            } else {
                f.push(("manifest", format!("{} not found", m.path)));
            }
        }
        if let Some(s) = &self.scan {
            f.push((
                "files hashed",
                format!(
                    "{} ({} bytes) in {:.2} s, {} MB/s, {}",
                    s.files,
                    s.bytes,
                    s.seconds,
                    s.mb_per_s,
                    crate::report::human::count(s.threads as u64, "thread")
                ),
            ));
            f.push(("manifest ranges verified", s.ranges_checked.to_string()));
            if s.incomplete_files > 0 {
                f.push(("files not fully readable", s.incomplete_files.to_string()));
            }
        }
        f
    }
}
