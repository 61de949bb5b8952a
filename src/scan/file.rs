//! One file read and hashed: on its worker alone, or read there while helper
//! threads hash it (see [`super::pipelined`]); read errors narrowed to the
//! failing pieces, and the manifest ranges judged.

use super::pipelined::{pipelined, Chunk};
use super::ranges::{RangeHasher, Verdicts};
use super::{codes, FileResult, Job, ScanOptions, READ};
use crate::manifest::{codes as mcodes, hex_upper, Range};
use crate::ntfs_volume::{Inventory, NtfsError, NtfsVolume};
use crate::report::{DriveStatus, Finding};
use crate::source::retry;
use md5::Md5;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};

/// Hash mismatch findings per file.
const MAX_MISMATCH_PER_FILE: usize = 20;

/// A worker's read buffers, reused from file to file.
#[derive(Default)]
pub(super) struct Buffers {
    /// For files read and hashed on the worker itself.
    inline: Vec<u8>,
    /// Buffers handed to the hashing helpers of a big file.
    pool: Vec<Chunk>,
}

/// The whole-file hashers of one file, and its manifest ranges to hash.
pub(super) struct Hashers<'a> {
    pub(super) sha: Option<Sha256>,
    pub(super) md5: Option<Md5>,
    pub(super) ranges: &'a [Range],
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
pub(super) struct Problems {
    pub(super) findings: Vec<Finding>,
    /// File byte ranges (offset, length) that could not be read.
    pub(super) unreadable: Vec<(u64, u64)>,
    /// Reads that failed and then succeeded when retried: how many, and the
    /// first (file offset, failure).
    pub(super) retried: u64,
    pub(super) transient: Option<(u64, crate::source::ReadError)>,
}

/// Read `buf.len()` bytes of the file at `at`; a read error is narrowed to the
/// failing pieces (zero-filled) and returned as findings. True when every byte
/// was read.
pub(super) fn read_chunk(
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

/// Read and hash one file (on helper threads when `helpers`); its result,
/// its findings, and how many manifest ranges were verified.
pub(super) fn hash_file(
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
    findings.extend(retried_warning(&path, retried, transient));
    let complete = match outcome {
        Ok(c) => c,
        Err(e) => {
            findings.push(content_error(&path(), &e));
            false
        }
    };
    let checked = judge_ranges(verdicts, &unreadable, job, &path, &mut findings);
    if complete {
        res.sha256 = h.sha.take().map(|s| s.finalize().into());
        res.md5 = h.md5.take().map(|s| s.finalize().into());
    }
    res.complete = complete;
    (res, findings, checked)
}

/// The warning reads that failed and then succeeded deserve: how many, and
/// where the first was.
fn retried_warning(
    path: &dyn Fn() -> String,
    retried: u64,
    transient: Option<(u64, crate::source::ReadError)>,
) -> Option<Finding> {
    let (off, e) = transient?;
    let subject = format!("{} at file offset {off}", path());
    let first = retry::file_place(off, &e);
    Some(retry::retried_warning(
        subject,
        "this file",
        retried,
        &first,
    ))
}

/// Findings for the ranges whose MD5 differs from the manifest's (the first
/// [`MAX_MISMATCH_PER_FILE`], the rest counted); returns how many ranges were
/// verified.
fn judge_ranges(
    mut verdicts: Verdicts,
    unreadable: &[(u64, u64)],
    job: &Job,
    path: &dyn Fn() -> String,
    findings: &mut Vec<Finding>,
) -> u64 {
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
    checked
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
pub(super) struct FileRead<'a> {
    pub(super) r: &'a crate::ntfs_volume::ContentReader<'a>,
    pub(super) size: u64,
    pub(super) path: &'a dyn Fn() -> String,
    pub(super) bytes_done: &'a AtomicU64,
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
