//! The hash scan: every file's data read once, from its extents, in large
//! positional reads, in on-disk order (first LCN); SHA-256 per file, MD5 per
//! manifest block / page range (and optionally per file). Files are taken from
//! one shared queue by `threads` workers; a big file with MD5 work, or one that
//! would be the last left, is read by its worker while other threads hash it
//! (SHA-256 and MD5 in parallel), so a huge file does not leave a core idle. Read errors are narrowed, reported as "Hardware error"
//! findings with the owning file, and the scan goes on.

pub mod hashes;
pub mod md5_pair;
mod ranges;
pub mod surface;

pub use hashes::FileHashLine;

use crate::manifest::{codes as mcodes, hex_upper, Range};
use crate::ntfs_volume::{DataRef, Inventory, NtfsError, NtfsVolume};
use crate::report::{DriveStatus, Finding};
use crate::source::retry;
use md5::Md5;
use ranges::{ChunkRanges, RangeHasher, Verdicts};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};

/// Bytes per read of the surface scan (raw disk, sequential).
pub const CHUNK: usize = 4 << 20;
/// Bytes per read of a file. 1 MiB keeps the copy out of the page cache and
/// the hashing of it in the CPU caches: 4 MiB reads cost ~8 % more CPU time
/// per byte in `benches/scan.sh` (still one large request for the device).
const READ: usize = 1 << 20;
/// Files at least this big are hashed by helper threads while being read.
const PIPELINE_MIN: u64 = 12 << 20;
/// Hash mismatch findings per file.
const MAX_MISMATCH_PER_FILE: usize = 20;

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

/// A worker's read buffers, reused from file to file.
#[derive(Default)]
struct Buffers {
    /// For files read and hashed on the worker itself.
    inline: Vec<u8>,
    /// Buffers handed to the hashing helpers of a big file.
    pool: Vec<Chunk>,
}

/// The whole-file hashers of one file, and its manifest ranges to hash.
struct Hashers<'a> {
    sha: Option<Sha256>,
    md5: Option<Md5>,
    ranges: &'a [Range],
}

impl<'a> Hashers<'a> {
    fn new(job: &'a Job, opts: ScanOptions) -> Self {
        Hashers {
            sha: opts.sha256.then(Sha256::new),
            md5: opts.file_md5.then(Md5::new),
            ranges: &job.ranges,
        }
    }
}

/// What went wrong while one file was read.
#[derive(Default)]
struct Problems {
    findings: Vec<Finding>,
    /// File byte ranges (offset, length) that could not be read.
    unreadable: Vec<(u64, u64)>,
    /// Reads that failed and then succeeded when retried: how many, and the
    /// first (file offset, failure).
    retried: u64,
    transient: Option<(u64, crate::source::ReadError)>,
}

/// Read `buf.len()` bytes of the file at `at`; a read error is narrowed to the
/// failing pieces (zero-filled) and returned as findings. True when every byte
/// was read.
fn read_chunk(
    r: &crate::ntfs_volume::ContentReader<'_>,
    at: u64,
    buf: &mut [u8],
    path: &dyn Fn() -> String,
    problems: &mut Problems,
) -> Result<bool, NtfsError> {
    let got = r.read_retrying(at, buf)?;
    if let Some(e) = got.transient {
        problems.retried += 1;
        if problems.transient.is_none() {
            problems.transient = Some((at, e));
        }
    }
    let complete = got.bad.is_empty();
    for (off, len, e) in got.bad {
        problems.unreadable.push((off, len));
        problems.findings.push(
            Finding::error(
                codes::READ_ERROR,
                DriveStatus::HardwareError,
                format!("{} at file offset {off}", path()),
                format!("{len} bytes at {} cannot be read", retry::file_place(off, &e)),
            )
            .with_hint("a drive that cannot be read here will fail at the datacenter too; check the cable and the drive's SMART data, and replace the drive if the error repeats"),
        );
    }
    Ok(complete)
}

fn hash_file(
    vol: &NtfsVolume,
    inv: &Inventory,
    job: &Job,
    opts: ScanOptions,
    helpers: bool,
    bytes_done: &AtomicU64,
    bufs: &mut Buffers,
) -> (FileResult, Vec<Finding>, u64) {
    let i = job.entry;
    let path = || inv.path(i);
    let mut problems = Problems::default();
    let mut res = FileResult {
        entry: i,
        size: inv.size(i),
        sha256: None,
        md5: None,
        complete: false,
    };
    let reader = match vol.content(inv, i) {
        Ok(r) => r,
        Err(e) => return (res, vec![content_error(&path(), &e)], 0),
    };
    let size = reader.len();
    res.size = size;
    let mut h = Hashers::new(job, opts);
    let f = FileRead {
        r: &reader,
        size,
        path: &path,
        bytes_done,
    };
    let (outcome, verdicts) = if helpers {
        pipelined(&f, &mut h, &mut problems, &mut bufs.pool)
    } else {
        inline(&f, &mut h, &mut problems, &mut bufs.inline)
    };
    let Problems {
        mut findings,
        unreadable,
        retried,
        transient,
    } = problems;
    if let Some((off, e)) = transient {
        let subject = format!("{} at file offset {off}", path());
        let first = retry::file_place(off, &e);
        findings.push(retry::retried_warning(
            subject,
            "this file",
            retried,
            &first,
        ));
    }
    let complete = match outcome {
        Ok(c) => c,
        Err(e) => {
            findings.push(content_error(&path(), &e));
            false
        }
    };
    let mut verdicts = verdicts;
    // A range with bytes that could not be read is a hardware error (already
    // a finding), not data that changed; nor was it verified.
    let judged = verdicts.mismatches.len();
    verdicts.mismatches.retain(|(r, _)| {
        !unreadable
            .iter()
            .any(|&(o, l)| o < r.offset.saturating_add(r.len) && r.offset < o.saturating_add(l))
    });
    let checked = verdicts.checked - (judged - verdicts.mismatches.len()) as u64;
    for (r, got) in verdicts.mismatches.iter().take(MAX_MISMATCH_PER_FILE) {
        let want = r.md5.map(|m| hex_upper(&m)).unwrap_or_default();
        findings.push(
            Finding::error(
                mcodes::BLOCK_HASH_MISMATCH,
                DriveStatus::DiskCorrupted,
                format!("{} bytes {}..{}", path(), r.offset, r.offset.saturating_add(r.len)),
                format!(
                    "MD5 of {} bytes at offset {} is {} but the manifest (<Blob> at {}) says {}: the data changed after the manifest was written (the service reports Corrupted)",
                    r.len, r.offset, hex_upper(got), job.origin, want
                ),
            )
            .with_hint("copy the file again and prepare the drive again, or check the drive for damage"),
        );
    }
    if verdicts.mismatches.len() > MAX_MISMATCH_PER_FILE {
        findings.push(Finding::error(
            mcodes::BLOCK_HASH_MISMATCH,
            DriveStatus::DiskCorrupted,
            path(),
            format!(
                "{} more ranges of this file do not match the manifest",
                verdicts.mismatches.len() - MAX_MISMATCH_PER_FILE
            ),
        ));
    }
    if complete {
        res.sha256 = h.sha.take().map(|s| s.finalize().into());
        res.md5 = h.md5.take().map(|s| s.finalize().into());
    }
    res.complete = complete;
    (res, findings, checked)
}

fn content_error(path: &str, e: &NtfsError) -> Finding {
    Finding::error(
        codes::CONTENT_ERROR,
        DriveStatus::DiskCorrupted,
        path.to_string(),
        format!("the file's data cannot be read: {e}"),
    )
}

/// One file being read: its reader and size, its name for findings, and the
/// scan's byte counter.
struct FileRead<'a> {
    r: &'a crate::ntfs_volume::ContentReader<'a>,
    size: u64,
    path: &'a dyn Fn() -> String,
    bytes_done: &'a AtomicU64,
}

/// Read and hash a file on this thread; the outcome and the ranges' verdicts.
fn inline(
    f: &FileRead<'_>,
    h: &mut Hashers<'_>,
    problems: &mut Problems,
    buf: &mut Vec<u8>,
) -> (Result<bool, NtfsError>, Verdicts) {
    let FileRead {
        r,
        size,
        path,
        bytes_done,
    } = *f;
    let mut rh = RangeHasher::new(h.ranges);
    let mut at = 0u64;
    let mut complete = true;
    while at < size {
        let n = ((size - at) as usize).min(READ);
        if buf.len() < n {
            // Grows to READ at most once per worker.
            buf.resize(n.next_power_of_two().min(READ), 0);
        }
        match read_chunk(r, at, &mut buf[..n], path, problems) {
            Ok(c) => complete &= c,
            Err(e) => return (Err(e), rh.finish(true)),
        }
        let data = &buf[..n];
        if let Some(s) = h.sha.as_mut() {
            s.update(data);
        }
        if let Some(m) = h.md5.as_mut() {
            m.update(data);
        }
        rh.feed(at, data);
        at += n as u64;
        bytes_done.fetch_add(n as u64, Ordering::Relaxed);
    }
    (Ok(complete), rh.finish(false))
}

/// A piece of a big file on its way to the hashers: a pooled buffer, always
/// `READ` bytes long; messages say how many of them are data.
type Chunk = Arc<Vec<u8>>;

/// Reader here; SHA-256 on one helper thread, the MD5s on another. Buffers
/// circulate through a bounded pool, so memory stays at a few chunks.
fn pipelined(
    f: &FileRead<'_>,
    h: &mut Hashers<'_>,
    problems: &mut Problems,
    pool: &mut Vec<Chunk>,
) -> (Result<bool, NtfsError>, Verdicts) {
    let FileRead {
        r,
        size,
        path,
        bytes_done,
    } = *f;
    const IN_FLIGHT: usize = 8;
    // How long the MD5 helper waits for data before it releases what it holds,
    // and the reader for a buffer before it looks at the pool again.
    const IDLE: std::time::Duration = std::time::Duration::from_millis(5);
    // The MD5 helper holds up to `HOLD` bytes of ranges waiting for their
    // partner; the pool has room for them besides the chunks in flight.
    const BUFFERS: usize = IN_FLIGHT + 3 + (ranges::HOLD as usize).div_ceil(READ);
    let (sha_tx, sha_rx) = sync_channel::<(u64, usize, Chunk)>(IN_FLIGHT);
    let (md_tx, md_rx) = sync_channel::<(u64, usize, Chunk)>(IN_FLIGHT);
    // Consumers hand their reference to a buffer back here: a wake-up for a
    // reader waiting for a free buffer (see `give_back`).
    let (ret_tx, ret_rx) = sync_channel::<Chunk>(8 * IN_FLIGHT);
    let sha = h.sha.take();
    let use_sha = sha.is_some();
    let md5 = h.md5.take();
    let ranges = h.ranges;
    let need_md = md5.is_some() || !ranges.is_empty();
    // Set when a read stops the file early: ranges not read are then not judged.
    let stopped = AtomicBool::new(false);
    let (result, sha, md5, verdicts) = std::thread::scope(|s| {
        let ret2 = ret_tx.clone();
        let sha_thread =
            s.spawn(move || consume(sha_rx, ret2, sha, |st: &mut Sha256, _, d| st.update(d)));
        let ret3 = ret_tx.clone();
        let stopped = &stopped;
        let md_thread = s.spawn(move || {
            let mut md5 = md5;
            let mut paired = ChunkRanges::new(ranges);
            loop {
                let (at, n, c) = match md_rx.recv_timeout(IDLE) {
                    Ok(m) => m,
                    Err(RecvTimeoutError::Disconnected) => break,
                    Err(RecvTimeoutError::Timeout) => {
                        // Idle: hash what waits for a partner, so no buffer the
                        // reader may be waiting for stays held.
                        paired.release_held();
                        match md_rx.recv() {
                            Ok(m) => m,
                            Err(_) => break,
                        }
                    }
                };
                if let Some(m) = md5.as_mut() {
                    m.update(c.get(..n).unwrap_or(&c[..]));
                }
                paired.feed(at, n, &c);
                give_back(&ret3, c);
            }
            (md5, paired.finish(stopped.load(Ordering::Acquire)))
        });
        drop(ret_tx);
        // Buffers left from an earlier file count as made.
        let mut made = pool.len();
        let mut at = 0u64;
        let mut complete = true;
        let mut result = Ok(());
        while at < size {
            let n = ((size - at) as usize).min(READ);
            let chunk = {
                // A buffer nobody else holds any more.
                let mut buf = loop {
                    if let Some(k) = pool.iter().position(|b| Arc::strong_count(b) == 1) {
                        break pool.swap_remove(k);
                    }
                    if made < BUFFERS {
                        made += 1;
                        break Arc::new(vec![0u8; READ]);
                    }
                    // Woken by a consumer handing a buffer back; the timeout
                    // covers buffers freed without a word (held blocks released).
                    match ret_rx.recv_timeout(IDLE) {
                        Ok(b) => drop(b),
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => break Arc::new(vec![0u8; READ]),
                    }
                };
                while let Ok(b) = ret_rx.try_recv() {
                    drop(b);
                }
                // Unshared (strong count 1), so this never copies.
                let v = Arc::make_mut(&mut buf);
                if v.len() < READ {
                    v.resize(READ, 0);
                }
                match read_chunk(r, at, &mut v[..n], path, problems) {
                    Ok(c) => complete &= c,
                    Err(e) => {
                        result = Err(e);
                        stopped.store(true, Ordering::Release);
                        break;
                    }
                }
                pool.push(buf.clone());
                buf
            };
            if use_sha {
                let _ = sha_tx.send((at, n, chunk.clone()));
            }
            if need_md {
                let _ = md_tx.send((at, n, chunk));
            }
            at += n as u64;
            bytes_done.fetch_add(n as u64, Ordering::Relaxed);
        }
        drop(sha_tx);
        drop(md_tx);
        // A helper that panicked (a bug) leaves the file unverified, never passed.
        let (sha, sha_ok) = match sha_thread.join() {
            Ok(s) => (s, true),
            Err(_) => (None, false),
        };
        let ((md5, verdicts), md_ok) = match md_thread.join() {
            Ok(v) => (v, true),
            Err(_) => (Default::default(), false),
        };
        if !(sha_ok && md_ok) {
            complete = false;
            problems.findings.push(Finding::error(
                codes::CONTENT_ERROR,
                DriveStatus::DiskCorrupted,
                path(),
                "internal error: a hashing thread stopped, so this file was not verified; please report this",
            ));
        }
        (result.map(|_| complete), sha, md5, verdicts)
    });
    h.sha = sha;
    h.md5 = md5;
    (result, verdicts)
}

fn consume<S>(
    rx: Receiver<(u64, usize, Chunk)>,
    ret: std::sync::mpsc::SyncSender<Chunk>,
    mut state: Option<S>,
    f: impl Fn(&mut S, u64, &[u8]),
) -> Option<S> {
    for (at, n, c) in rx.iter() {
        if let Some(s) = state.as_mut() {
            f(s, at, c.get(..n).unwrap_or(&c[..]));
        }
        give_back(&ret, c);
    }
    state
}

/// Drop a consumer's reference to a buffer and tell the reader, which may be
/// waiting for a free one. Never blocks: a full channel wakes the reader too.
fn give_back(ret: &std::sync::mpsc::SyncSender<Chunk>, c: Chunk) {
    let _ = ret.try_send(c);
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
