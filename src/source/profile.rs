//! The read-speed profile of a source: MB/s across its byte offsets in fixed
//! buckets, and the reads that failed (and were retried) marked — the slow
//! zones a failing hard disk shows before it fails. [`Profiled`] wraps the
//! source's reader, so every read any stage makes is counted at its real
//! offset on the disk: two clock reads and two relaxed atomic adds per read
//! (1 MiB for file data), nothing measurable beside the read itself.

use super::ReadAt;
use serde::Serialize;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Buckets across the disk.
pub const BUCKETS: usize = 256;
/// Reads shorter than this are metadata: their time is mostly latency, so
/// they count for coverage but not for speed.
const TIMED_MIN: usize = 64 << 10;
/// Failed reads kept (the check's findings count them all).
const MAX_FAILED: usize = 4096;

/// What the reads of one source were: bytes and time per bucket, failures.
#[derive(Debug)]
pub struct ReadProfile {
    len: u64,
    bytes: Vec<AtomicU64>,
    nanos: Vec<AtomicU64>,
    failed: Mutex<Vec<FailedRead>>,
    /// Set with the first failure: until then a read takes no lock.
    any_failed: AtomicBool,
}

/// A read that failed; `retried_ok`: a later read of the same bytes worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FailedRead {
    pub offset: u64,
    pub len: u64,
    pub retried_ok: bool,
}

/// One bucket of the profile: `[start, end)` of the disk and its speed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bucket {
    pub start: u64,
    pub end: u64,
    /// Bytes read in timed reads.
    pub bytes: u64,
    /// `None` when nothing large enough was read there.
    pub mb_per_s: Option<f64>,
}

impl ReadProfile {
    pub fn new(len: u64) -> Self {
        ReadProfile {
            len,
            bytes: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            nanos: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            failed: Mutex::new(Vec::new()),
            any_failed: AtomicBool::new(false),
        }
    }

    /// The source's length.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn bucket_of(&self, offset: u64) -> usize {
        if self.len == 0 {
            return 0;
        }
        let i = (u128::from(offset) * BUCKETS as u128 / u128::from(self.len)) as usize;
        i.min(BUCKETS - 1)
    }

    fn record(&self, offset: u64, len: usize, nanos: u64, ok: bool) {
        if !ok || self.any_failed.load(Ordering::Relaxed) {
            self.mark(offset, len as u64, ok);
        }
        if ok && len >= TIMED_MIN {
            let b = self.bucket_of(offset);
            self.bytes[b].fetch_add(len as u64, Ordering::Relaxed);
            self.nanos[b].fetch_add(nanos, Ordering::Relaxed);
        }
    }

    /// A failed read, or a read that may retry one.
    fn mark(&self, offset: u64, len: u64, ok: bool) {
        let Ok(mut failed) = self.failed.lock() else {
            return;
        };
        if !ok && failed.len() >= MAX_FAILED {
            return; // a dead drive: enough to show where
        }
        if !ok {
            self.any_failed.store(true, Ordering::Relaxed);
            failed.push(FailedRead {
                offset,
                len,
                retried_ok: false,
            });
            return;
        }
        let end = offset.saturating_add(len);
        for f in failed.iter_mut() {
            if f.offset < end && offset < f.offset.saturating_add(f.len) {
                f.retried_ok = true;
            }
        }
    }

    /// The buckets, in disk order.
    pub fn buckets(&self) -> Vec<Bucket> {
        (0..BUCKETS)
            .map(|i| {
                let bytes = self.bytes[i].load(Ordering::Relaxed);
                let nanos = self.nanos[i].load(Ordering::Relaxed);
                let at = |i: usize| (u128::from(self.len) * i as u128 / BUCKETS as u128) as u64;
                Bucket {
                    start: at(i),
                    end: at(i + 1),
                    bytes,
                    mb_per_s: (nanos > 0).then(|| bytes as f64 * 1e3 / nanos as f64),
                }
            })
            .collect()
    }

    /// The failed reads that hold no smaller failed read (the retry narrows
    /// a failed 1 MiB read to 64 KiB and 4 KiB pieces: one mark per bad
    /// spot, not three), in disk order.
    pub fn failed(&self) -> Vec<FailedRead> {
        let mut v = self.failed.lock().map(|f| f.clone()).unwrap_or_default();
        v.sort_by_key(|f| (f.offset, f.len));
        v.dedup_by_key(|f| (f.offset, f.len));
        let end = |f: &FailedRead| f.offset.saturating_add(f.len);
        let holds_smaller = |f: &FailedRead| {
            v.iter()
                .any(|g| g.len < f.len && g.offset >= f.offset && end(g) <= end(f))
        };
        let minimal: Vec<FailedRead> = v.iter().filter(|f| !holds_smaller(f)).copied().collect();
        minimal
    }
}

/// A reader that records every read into a [`ReadProfile`].
pub struct Profiled {
    inner: Arc<dyn ReadAt>,
    profile: Arc<ReadProfile>,
}

impl Profiled {
    pub fn new(inner: Arc<dyn ReadAt>, profile: Arc<ReadProfile>) -> Self {
        Profiled { inner, profile }
    }
}

impl ReadAt for Profiled {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let t = Instant::now();
        let r = self.inner.read_exact_at(buf, offset);
        let nanos = u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX);
        // Reading past the end is the caller's mistake, not the drive's.
        let drive_failed = matches!(&r, Err(e) if e.kind() != io::ErrorKind::UnexpectedEof);
        if r.is_ok() || drive_failed {
            self.profile.record(offset, buf.len(), nanos, r.is_ok());
        }
        r
    }

    fn len(&self) -> u64 {
        self.inner.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_land_in_their_buckets_and_failures_are_marked() {
        let p = ReadProfile::new(256 << 20);
        p.record(0, 1 << 20, 1_000_000, true); // 1 MiB in 1 ms
        p.record(255 << 20, 1 << 20, 10_000_000, true);
        p.record(100 << 20, 4096, 1, true); // metadata: not timed
        p.record(50 << 20, 1 << 20, 0, false);
        p.record(60 << 20, 1 << 20, 0, false);
        p.record(50 << 20, 1 << 20, 5, true); // the retry worked
        p.record(60 << 20, 64 << 10, 0, false); // the retry narrows it
        p.record(60 << 20, 4096, 0, false);
        let b = p.buckets();
        assert_eq!(b.len(), BUCKETS);
        assert_eq!(b[0].start, 0);
        assert_eq!(b[BUCKETS - 1].end, 256 << 20);
        assert!((b[0].mb_per_s.unwrap() - 1048.576).abs() < 1e-6);
        assert!((b[255].mb_per_s.unwrap() - 104.8576).abs() < 1e-6);
        assert_eq!(b[100].mb_per_s, None);
        let f = p.failed();
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[0].retried_ok && !f[1].retried_ok);
        assert_eq!((f[1].offset, f[1].len), (60 << 20, 4096));
    }
}
