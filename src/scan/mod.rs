//! The hash scan: every file's data read once, from its extents, in large
//! positional reads, in on-disk order (first LCN); SHA-256 per file, MD5 per
//! manifest block / page range (and optionally per file). Files are taken from
//! one shared queue by `threads` workers; a big file with MD5 work, or one that
//! would be the last left, is read by its worker while other threads hash it
//! (SHA-256 and MD5 in parallel), so a huge file does not leave a core idle. Read errors are narrowed, reported as "Hardware error"
//! findings with the owning file, and the scan goes on.

mod file;
pub mod hashes;
pub mod md5_pair;
mod pipelined;
mod ranges;
pub mod surface;

pub use hashes::FileHashLine;

use crate::manifest::Range;
use crate::ntfs_volume::{DataRef, Inventory, NtfsVolume};
use crate::report::Finding;
use file::{hash_file, Buffers};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Bytes per read of the surface scan (raw disk, sequential).
pub const CHUNK: usize = 4 << 20;
/// Bytes per read of a file. 1 MiB keeps the copy out of the page cache and
/// the hashing of it in the CPU caches: 4 MiB reads cost ~8 % more CPU time
/// per byte in `benches/scan.sh` (still one large request for the device).
const READ: usize = 1 << 20;
/// Files at least this big are hashed by helper threads while being read.
const PIPELINE_MIN: u64 = 12 << 20;

pub mod codes {
    crate::finding_codes! {
        READ_ERROR = "scan.read-error";
        READ_RETRIED = crate::source::retry::READ_RETRIED;
        CONTENT_ERROR = "scan.content-error";
        SURFACE_READ_ERROR = "scan.surface-read-error";
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ScanOptions {
    pub threads: usize,
    /// SHA-256 of every file.
    pub sha256: bool,
    /// MD5 of every whole file (tests, `md5sum` comparisons).
    pub file_md5: bool,
}

/// One file to read, with the manifest ranges to verify in it.
#[derive(Debug, Clone)]
pub struct Job {
    pub entry: usize,
    /// Sorted by offset.
    pub ranges: Vec<Range>,
    /// Where the ranges come from ("line L, column C" of the `<Blob>`).
    pub origin: String,
}

#[derive(Debug, Clone)]
pub struct FileResult {
    pub entry: usize,
    pub size: u64,
    pub sha256: Option<[u8; 32]>,
    pub md5: Option<[u8; 16]>,
    /// False when part of the file could not be read (hashes are then absent).
    pub complete: bool,
}

#[derive(Debug, Default)]
pub struct ScanOutput {
    pub files: Vec<FileResult>,
    pub findings: Vec<Finding>,
    pub bytes: u64,
    pub ranges_checked: u64,
}

/// First LCN of an entry's data (for on-disk order); resident/empty data sorts first.
pub fn first_lcn(inv: &Inventory, i: usize) -> u64 {
    match inv.data(i) {
        DataRef::Extents { extents } => {
            extents.iter().find(|e| !e.is_sparse()).map_or(0, |e| e.lcn)
        }
        _ => 0,
    }
}

/// Every regular file of the inventory (see [`is_regular`]).
pub fn regular_files(inv: &Inventory) -> Vec<usize> {
    (0..inv.len()).filter(|&i| is_regular(inv, i)).collect()
}

/// A file the scan hashes: not a directory, not a system file, not a reparse
/// point (a link's target is another entry's business).
pub fn is_regular(inv: &Inventory, i: usize) -> bool {
    !inv.is_dir(i) && !inv.is_system(i) && inv.info(i).reparse_tag.is_none()
}

/// Hash `jobs` (sorted here by first LCN). `bytes_done` is updated as data is read.
pub fn scan(
    vol: &NtfsVolume,
    inv: &Inventory,
    mut jobs: Vec<Job>,
    opts: ScanOptions,
    bytes_done: &AtomicU64,
) -> ScanOutput {
    jobs.sort_by_key(|j| first_lcn(inv, j.entry));
    for j in &mut jobs {
        j.ranges.sort_by_key(|r| r.offset);
    }
    let threads = opts.threads.max(1);
    // Bytes of the files queued after each job (see `needs_helpers`).
    let mut after = vec![0u64; jobs.len()];
    let mut rest = 0u64;
    for (k, j) in jobs.iter().enumerate().rev() {
        after[k] = rest;
        rest = rest.saturating_add(inv.size(j.entry));
    }
    let next = AtomicUsize::new(0);
    let out = Mutex::new(ScanOutput::default());
    let work = || {
        // Each worker's buffers live as long as it does: no allocation (and no
        // page faults on fresh zeroed memory) per file or per chunk.
        let mut bufs = Buffers::default();
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            let Some(job) = jobs.get(k) else { break };
            let queued = after.get(k).copied().unwrap_or(0);
            let helpers = needs_helpers(inv.size(job.entry), job, opts, threads, queued);
            let (res, findings, checked) =
                hash_file(vol, inv, job, opts, helpers, bytes_done, &mut bufs);
            if let Ok(mut o) = out.lock() {
                o.bytes = o.bytes.saturating_add(res.size);
                o.ranges_checked += checked;
                o.files.push(res);
                o.findings.extend(findings);
            }
        }
    };
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.scope(|s| {
            for _ in 0..threads {
                s.spawn(|_| work());
            }
        }),
        Err(_) => work(),
    }
    let mut o = out.into_inner().unwrap_or_default();
    o.files.sort_by_key(|f| f.entry);
    o
}

/// Whether a file is read on its worker while helper threads hash it, rather
/// than read and hashed on the worker alone. Helpers cost a hand-over of every
/// chunk (the copy lands in another core's cache, threads wake and sleep), so
/// they are used only where they buy time: a small file never; a file with
/// MD5 work (manifest ranges, `--hashes-md5`), whose MD5s then run beside its
/// SHA-256; a single worker (a rotational drive), so the drive reads while
/// the CPU hashes; and a file bigger than what the other workers have queued
/// after it, which would otherwise leave them idle at the end. Measured in
/// `benches/scan.sh`: SHA-256 alone on helpers took ~7 % more CPU time.
fn needs_helpers(size: u64, job: &Job, opts: ScanOptions, threads: usize, queued: u64) -> bool {
    let md5_work = opts.file_md5 || !job.ranges.is_empty();
    let others = threads.saturating_sub(1) as u64;
    size >= PIPELINE_MIN && (md5_work || others == 0 || queued < size.saturating_mul(others))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(ranges: usize) -> Job {
        let r = Range {
            offset: 0,
            len: 1,
            md5: None,
        };
        Job {
            entry: 0,
            ranges: vec![r; ranges],
            origin: String::new(),
        }
    }

    #[test]
    fn helpers_only_where_they_buy_time() {
        let sha = ScanOptions {
            threads: 2,
            sha256: true,
            file_md5: false,
        };
        let big = PIPELINE_MIN;
        // A small file: never.
        assert!(!needs_helpers(big - 1, &job(3), sha, 2, 0));
        // SHA-256 alone with enough queued behind it: the worker hashes it.
        assert!(!needs_helpers(big, &job(0), sha, 2, big));
        // ... but as the tail, or on a single reader, helpers.
        assert!(needs_helpers(big, &job(0), sha, 2, big - 1));
        assert!(needs_helpers(big, &job(0), sha, 1, 10 * big));
        // Four workers: the three others need three times its size queued.
        assert!(needs_helpers(big, &job(0), sha, 4, 3 * big - 1));
        assert!(!needs_helpers(big, &job(0), sha, 4, 3 * big));
        // MD5 work (manifest ranges, whole-file MD5): helpers.
        assert!(needs_helpers(big, &job(1), sha, 2, 10 * big));
        let md5 = ScanOptions {
            file_md5: true,
            ..sha
        };
        assert!(needs_helpers(big, &job(0), md5, 2, 10 * big));
    }
}
