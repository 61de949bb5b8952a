//! The content stage of `check` (and of `manifest --source`): the drive
//! manifest found on the volume and cross-checked ([`manifest`]), then the
//! hash scan of every file ([`crate::scan`]).

mod manifest;

use crate::manifest::{hex_lower, WholeFile};
use crate::ntfs_volume::{Inventory, NtfsVolume};
use crate::report::Finding;
use crate::scan::{self, FileHashLine, FileResult, Job, ScanOptions, ScanOutput};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Shows the scan's progress: called on its own thread with the drive's
/// label, the bytes to read, the bytes read so far, and a flag set when the
/// scan is over (it returns then). The commands give one on a terminal.
pub type Progress = fn(label: &str, total: u64, done: &AtomicU64, finished: &AtomicBool);

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
    /// Every file's hash in the JSON report too (`--hashes-in-json`).
    pub hashes_in_json: bool,
    /// SHA-256 of every file (`--hashes`, `--hashes-in-json`). Nothing else
    /// needs it: the service compares the manifest's MD5s, which the scan
    /// always verifies.
    pub file_sha256: bool,
    /// MD5 of every whole file (`--hashes-md5`, tests).
    pub file_md5: bool,
    /// Names the drive on its progress bar (drive id and/or path).
    pub label: Option<String>,
    /// `--surface`: read the free clusters and the space outside partitions too.
    pub surface: bool,
    /// Draws the scan's progress; `None`: nothing is shown.
    pub progress: Option<Progress>,
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
    /// The per-file hashes computed (`sha256`, `md5`): only those an output asked for.
    pub file_hashes: Vec<&'static str>,
}

/// `volume.ntfs.content` in the report.
#[derive(Debug, Default, Serialize)]
pub struct ContentReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest: Option<ManifestFacts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan: Option<ScanFacts>,
    /// Every file's hashes, with `--hashes-in-json` only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<FileHashLine>,
}

/// What the stage gives the report and the stages after it.
pub struct ContentOutput {
    pub report: ContentReport,
    /// Every file's hashes, when the scan ran.
    pub hashes: Option<Vec<FileHashLine>>,
    /// Each manifest `<Blob>`'s `FilePath` → `BlobPath`, for the Azure
    /// rules; `None` when no manifest was parsed.
    pub blob_targets: Option<Vec<crate::manifest::BlobTarget>>,
    /// `--surface`: the cluster size and the free cluster runs of `$Bitmap`
    /// (`None`: not asked for, or `$Bitmap` unreadable).
    pub free_runs: Option<(u64, Vec<(u64, u64)>)>,
}

/// Find, verify and cross-check the manifest, then scan. Never fails: what
/// cannot be done is a finding.
pub fn run(
    vol: &NtfsVolume,
    inv: &Inventory,
    opts: &ContentOptions,
    findings: &mut Vec<Finding>,
) -> ContentOutput {
    let mut out = ContentOutput {
        report: ContentReport::default(),
        hashes: None,
        blob_targets: None,
        free_runs: None,
    };
    let mut ranges = HashMap::new();
    // Files the manifest step read whole (the manifest, metadata and
    // properties files): hashed there, not read again.
    let mut read = HashMap::new();
    if opts.manifest || opts.external_manifest.is_some() {
        let part = manifest::check(vol, inv, opts, findings);
        out.report.manifest = Some(part.facts);
        out.blob_targets = part.targets;
        if let Some(dc) = part.drive_check {
            ranges = dc.ranges;
            read = dc.read;
        }
    }
    // Only files the scan would hash, read whole (a short read leaves the
    // file to the scan).
    read.retain(|&i, w| scan::is_regular(inv, i) && w.len == inv.size(i));
    if opts.surface {
        // A $Bitmap that cannot be read is already an integrity finding; the
        // surface read then covers the whole volume.
        out.free_runs = vol
            .free_runs(inv)
            .ok()
            .map(|r| (vol.geometry().cluster_size, r));
    }
    if opts.no_hash {
        return out;
    }
    let jobs: Vec<Job> = scan::regular_files(inv)
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
    let threads = thread_count(opts);
    let t0 = std::time::Instant::now();
    let mut scanned = scan_with_progress(vol, inv, jobs, threads, opts);
    let secs = t0.elapsed().as_secs_f64();
    add_read_whole(&mut scanned, read, opts);
    findings.append(&mut scanned.findings);
    out.report.scan = Some(scan_facts(&scanned, threads, secs, opts));
    let lines = hash_lines(inv, &scanned.files);
    if opts.hashes_in_json {
        out.report.hashes = lines.clone();
    }
    out.hashes = Some(lines);
    out
}

/// `--threads`, else one per core, or one reader on a spinning drive.
fn thread_count(opts: &ContentOptions) -> usize {
    opts.threads.unwrap_or_else(|| {
        if opts.rotational {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        }
    })
}

/// The scan, with the progress callback (if any) on a thread beside it.
fn scan_with_progress(
    vol: &NtfsVolume,
    inv: &Inventory,
    jobs: Vec<Job>,
    threads: usize,
    opts: &ContentOptions,
) -> ScanOutput {
    let done = AtomicU64::new(0);
    let finished = AtomicBool::new(false);
    let total: u64 = jobs
        .iter()
        .fold(0u64, |t, j| t.saturating_add(inv.size(j.entry)));
    std::thread::scope(|s| {
        if let Some(show) = opts.progress {
            let label = opts.label.as_deref().unwrap_or("");
            let (done, finished) = (&done, &finished);
            s.spawn(move || show(label, total, done, finished));
        }
        let out = scan::scan(
            vol,
            inv,
            jobs,
            ScanOptions {
                threads,
                sha256: opts.file_sha256,
                file_md5: opts.file_md5,
            },
            &done,
        );
        finished.store(true, Ordering::Relaxed);
        out
    })
}

/// The files the manifest step read whole count as scanned, with its hashes.
fn add_read_whole(out: &mut ScanOutput, read: HashMap<usize, WholeFile>, opts: &ContentOptions) {
    for (entry, w) in read {
        out.bytes += w.len;
        out.files.push(FileResult {
            entry,
            size: w.len,
            sha256: opts.file_sha256.then_some(w.sha256),
            md5: opts.file_md5.then_some(w.md5),
            complete: true,
        });
    }
}

fn scan_facts(out: &ScanOutput, threads: usize, secs: f64, opts: &ContentOptions) -> ScanFacts {
    let file_hashes = [("sha256", opts.file_sha256), ("md5", opts.file_md5)]
        .into_iter()
        .filter_map(|(name, on)| on.then_some(name))
        .collect();
    ScanFacts {
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
        file_hashes,
    }
}

/// One line per file with a hash, sorted by path.
fn hash_lines(inv: &Inventory, files: &[FileResult]) -> Vec<FileHashLine> {
    let mut lines: Vec<FileHashLine> = files
        .iter()
        .filter(|f| f.sha256.is_some() || f.md5.is_some())
        .map(|f| FileHashLine {
            path: inv.path(f.entry),
            size: f.size,
            sha256: f.sha256.map(|h| hex_lower(&h)),
            md5: f.md5.map(|m| hex_lower(&m)),
        })
        .collect();
    lines.sort_by(|a, b| a.path.cmp(&b.path));
    lines
}
