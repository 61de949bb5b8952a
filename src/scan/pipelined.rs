//! A big file read on its worker while helper threads hash it: SHA-256 on one
//! helper, the MD5s (whole file and manifest ranges) on another. Buffers
//! circulate through a bounded pool, so memory stays at a few chunks.

use super::file::{read_chunk, FileRead, Hashers, Problems};
use super::ranges::{self, ChunkRanges, Verdicts};
use super::{codes, READ};
use crate::manifest::Range;
use crate::ntfs_volume::NtfsError;
use crate::report::{DriveStatus, Finding};
use md5::Md5;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::thread::ScopedJoinHandle;

/// A piece of a big file on its way to the hashers: a pooled buffer, always
/// `READ` bytes long; messages say how many of them are data.
pub(super) type Chunk = Arc<Vec<u8>>;

/// What the reader sends a helper: (file offset, bytes of data, buffer).
type Piece = (u64, usize, Chunk);

/// Chunks on their way to each helper.
const IN_FLIGHT: usize = 8;
/// How long the MD5 helper waits for data before it releases what it holds,
/// and the reader for a buffer before it looks at the pool again.
const IDLE: std::time::Duration = std::time::Duration::from_millis(5);
/// The MD5 helper holds up to `HOLD` bytes of ranges waiting for their
/// partner; the pool has room for them besides the chunks in flight.
const BUFFERS: usize = IN_FLIGHT + 3 + (ranges::HOLD as usize).div_ceil(READ);

/// Read the file here and hash it on the helpers; the outcome and the ranges'
/// verdicts. The hashers go back into `h` for the caller to finish.
pub(super) fn pipelined(
    f: &FileRead<'_>,
    h: &mut Hashers<'_>,
    problems: &mut Problems,
    pool: &mut Vec<Chunk>,
) -> (Result<bool, NtfsError>, Verdicts) {
    let (sha_tx, sha_rx) = sync_channel::<Piece>(IN_FLIGHT);
    let (md_tx, md_rx) = sync_channel::<Piece>(IN_FLIGHT);
    // Consumers hand their reference to a buffer back here: a wake-up for a
    // reader waiting for a free buffer (see `give_back`).
    let (ret_tx, ret_rx) = sync_channel::<Chunk>(8 * IN_FLIGHT);
    let sha = h.sha.take();
    let md5 = h.md5.take();
    let ranges = h.ranges;
    let mut feed = Feed {
        // Buffers left from an earlier file count as made.
        made: pool.len(),
        pool,
        ret_rx,
        sha_tx: sha.is_some().then_some(sha_tx),
        md_tx: (md5.is_some() || !ranges.is_empty()).then_some(md_tx),
    };
    // Set when a read stops the file early: ranges not read are then not judged.
    let stopped = AtomicBool::new(false);
    let (result, sha, md5, verdicts) = std::thread::scope(|s| {
        let ret2 = ret_tx.clone();
        let sha_thread =
            s.spawn(move || consume(sha_rx, ret2, sha, |st: &mut Sha256, _, d| st.update(d)));
        let ret3 = ret_tx.clone();
        let stopped = &stopped;
        let md_thread = s.spawn(move || md5_helper(md_rx, ret3, md5, ranges, stopped));
        drop(ret_tx);
        let read = feed.read_and_send(f, problems, stopped);
        // Closing the channels lets the helpers finish.
        feed.sha_tx = None;
        feed.md_tx = None;
        let (sha, md5, verdicts, helpers_ok) = join_helpers(sha_thread, md_thread);
        if !helpers_ok {
            problems.findings.push(Finding::error(
                codes::CONTENT_ERROR,
                DriveStatus::DiskCorrupted,
                (f.path)(),
                "internal error: a hashing thread stopped, so this file was not verified; please report this",
            ));
        }
        (
            read.map(|complete| complete && helpers_ok),
            sha,
            md5,
            verdicts,
        )
    });
    h.sha = sha;
    h.md5 = md5;
    (result, verdicts)
}

/// The reader's side of the pipeline: the buffer pool, and the channels to
/// the helpers that have work (`None` for one that has none).
struct Feed<'p> {
    pool: &'p mut Vec<Chunk>,
    /// Buffers allocated so far, at most [`BUFFERS`].
    made: usize,
    ret_rx: Receiver<Chunk>,
    sha_tx: Option<SyncSender<Piece>>,
    md_tx: Option<SyncSender<Piece>>,
}

impl Feed<'_> {
    /// Read the file chunk by chunk and send each chunk to the helpers; whether
    /// every byte was read, or the error that stopped the file (`stopped` is
    /// then set).
    fn read_and_send(
        &mut self,
        f: &FileRead<'_>,
        problems: &mut Problems,
        stopped: &AtomicBool,
    ) -> Result<bool, NtfsError> {
        let FileRead {
            r,
            size,
            path,
            bytes_done,
        } = *f;
        let mut at = 0u64;
        let mut complete = true;
        while at < size {
            let n = ((size - at) as usize).min(READ);
            let mut buf = self.free_buffer();
            // Unshared (strong count 1), so this never copies.
            let v = Arc::make_mut(&mut buf);
            if v.len() < READ {
                v.resize(READ, 0);
            }
            match read_chunk(r, at, &mut v[..n], path, problems) {
                Ok(c) => complete &= c,
                Err(e) => {
                    stopped.store(true, Ordering::Release);
                    return Err(e);
                }
            }
            self.pool.push(buf.clone());
            if let Some(tx) = &self.sha_tx {
                let _ = tx.send((at, n, buf.clone()));
            }
            if let Some(tx) = &self.md_tx {
                let _ = tx.send((at, n, buf));
            }
            at += n as u64;
            bytes_done.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(complete)
    }

    /// A buffer nobody else holds any more: from the pool, newly made while
    /// there are fewer than [`BUFFERS`], or else once a helper hands one back.
    fn free_buffer(&mut self) -> Chunk {
        let buf = loop {
            if let Some(k) = self.pool.iter().position(|b| Arc::strong_count(b) == 1) {
                break self.pool.swap_remove(k);
            }
            if self.made < BUFFERS {
                self.made += 1;
                break Arc::new(vec![0u8; READ]);
            }
            // Woken by a consumer handing a buffer back; the timeout
            // covers buffers freed without a word (held blocks released).
            match self.ret_rx.recv_timeout(IDLE) {
                Ok(b) => drop(b),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break Arc::new(vec![0u8; READ]),
            }
        };
        while let Ok(b) = self.ret_rx.try_recv() {
            drop(b);
        }
        buf
    }
}

/// The MD5 helper: the whole-file MD5 when asked for, and the manifest ranges,
/// paired two at a time where they can be.
fn md5_helper(
    rx: Receiver<Piece>,
    ret: SyncSender<Chunk>,
    mut md5: Option<Md5>,
    ranges: &[Range],
    stopped: &AtomicBool,
) -> (Option<Md5>, Verdicts) {
    let mut paired = ChunkRanges::new(ranges);
    loop {
        let (at, n, c) = match rx.recv_timeout(IDLE) {
            Ok(m) => m,
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {
                // Idle: hash what waits for a partner, so no buffer the
                // reader may be waiting for stays held.
                paired.release_held();
                match rx.recv() {
                    Ok(m) => m,
                    Err(_) => break,
                }
            }
        };
        if let Some(m) = md5.as_mut() {
            m.update(c.get(..n).unwrap_or(&c[..]));
        }
        paired.feed(at, n, &c);
        give_back(&ret, c);
    }
    (md5, paired.finish(stopped.load(Ordering::Acquire)))
}

/// The helpers' hashers and verdicts, and whether both finished: a helper
/// that panicked (a bug) leaves the file unverified, never passed.
fn join_helpers(
    sha_thread: ScopedJoinHandle<'_, Option<Sha256>>,
    md_thread: ScopedJoinHandle<'_, (Option<Md5>, Verdicts)>,
) -> (Option<Sha256>, Option<Md5>, Verdicts, bool) {
    let (sha, sha_ok) = match sha_thread.join() {
        Ok(s) => (s, true),
        Err(_) => (None, false),
    };
    let ((md5, verdicts), md_ok) = match md_thread.join() {
        Ok(v) => (v, true),
        Err(_) => (Default::default(), false),
    };
    (sha, md5, verdicts, sha_ok && md_ok)
}

/// A helper that feeds every chunk to `f` with `state`, handing each buffer back.
fn consume<S>(
    rx: Receiver<Piece>,
    ret: SyncSender<Chunk>,
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
fn give_back(ret: &SyncSender<Chunk>, c: Chunk) {
    let _ = ret.try_send(c);
}
