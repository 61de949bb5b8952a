//! One read with the retry every whole-drive or whole-file read uses (the
//! surface scan, the content scan, the manifest's side files): a read of a
//! [`ReadAt`](super::ReadAt) source, or of a file on one, that fails is retried
//! once in 64 KiB pieces, and a piece that fails again in 4 KiB pieces, to
//! narrow the bad range. Unreadable bytes are zero-filled and returned; a read
//! whose retry then succeeds everywhere is returned as transient, since a drive
//! that fails a read once is worth a warning even when the data was read.

use super::ReadError;
use crate::report::{DriveStatus, Finding};

/// The code of [`retried_warning`] (listed in `scan::codes`, whose reads
/// raise it most).
pub const READ_RETRIED: &str = "scan.read-retried";

/// What to do about a read that failed and then worked.
const TRANSIENT_HINT: &str = "a drive whose reads fail now and then may fail at the datacenter: check the cable and the drive's SMART data, and run the check again";

/// ", errno N" when the failure has an OS error number.
pub fn errno_suffix(errno: Option<i32>) -> String {
    errno.map(|n| format!(", errno {n}")).unwrap_or_default()
}

/// The warning for `count` reads of `what` ("this file", "the disk") that
/// failed and then worked when retried, the first at `first`.
pub fn retried_warning(subject: String, what: &str, count: u64, first: &str) -> Finding {
    Finding::warning(
        READ_RETRIED,
        DriveStatus::HardwareError,
        subject,
        format!("{count} read(s) of {what} failed and then worked when retried in smaller pieces, the first at {first}; the data was read"),
    )
    .with_hint(TRANSIENT_HINT)
}

/// Where a file read failed, for findings: file offset, volume byte offset
/// and errno.
pub fn file_place(off: u64, e: &ReadError) -> String {
    format!(
        "file offset {off} (volume byte offset {}{})",
        e.offset,
        errno_suffix(e.errno())
    )
}

/// Pieces of a failed read.
pub const PIECE: usize = 64 << 10;
/// Pieces of a failed piece.
pub const FINE: usize = 4 << 10;

/// What one read found: the bad pieces as (offset, length, failure), adjacent
/// pieces merged (the first piece's failure kept), and the failure of the
/// whole read when every piece was then read (a transient error).
#[derive(Debug)]
pub struct Retried<E> {
    pub bad: Vec<(u64, u64, E)>,
    pub transient: Option<E>,
}

/// Fill `buf` from offset `at` with `read`, which returns `Ok(Err(e))` for a
/// failed read worth retrying and `Err(f)` for a failure that ends the read.
pub fn read_retrying<E, F>(
    buf: &mut [u8],
    at: u64,
    mut read: impl FnMut(&mut [u8], u64) -> Result<Result<(), E>, F>,
) -> Result<Retried<E>, F> {
    let mut out = Retried {
        bad: Vec::new(),
        transient: None,
    };
    let first = match read(buf, at)? {
        Ok(()) => return Ok(out),
        Err(e) => e,
    };
    let mut off = 0usize;
    while off < buf.len() {
        let n = PIECE.min(buf.len() - off);
        let piece_at = at + off as u64;
        if read(&mut buf[off..off + n], piece_at)?.is_err() {
            let mut sub = 0usize;
            while sub < n {
                let k = FINE.min(n - sub);
                let o = piece_at + sub as u64;
                let fine = &mut buf[off + sub..off + sub + k];
                if let Err(e) = read(fine, o)? {
                    fine.fill(0);
                    match out.bad.last_mut() {
                        Some((bo, bl, _)) if *bo + *bl == o => *bl += k as u64,
                        _ => out.bad.push((o, k as u64, e)),
                    }
                }
                sub += k;
            }
        }
        off += n;
    }
    if out.bad.is_empty() {
        out.transient = Some(first);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1 MiB "disk" of bytes `i % 251` where `bad` ranges fail, and the
    /// first `flaky` reads fail whatever they touch.
    fn disk(
        bad: Vec<(u64, u64)>,
        flaky: usize,
    ) -> impl FnMut(&mut [u8], u64) -> Result<Result<(), i32>, ()> {
        let mut calls = 0usize;
        move |buf: &mut [u8], at: u64| {
            calls += 1;
            let end = at + buf.len() as u64;
            if calls <= flaky || bad.iter().any(|&(s, e)| at < e && s < end) {
                return Ok(Err(5));
            }
            for (i, b) in buf.iter_mut().enumerate() {
                *b = ((at + i as u64) % 251) as u8;
            }
            Ok(Ok(()))
        }
    }

    fn expected(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn a_good_read_is_read_once() {
        let mut buf = vec![0u8; 1 << 20];
        let r = read_retrying(&mut buf, 0, disk(vec![], 0)).unwrap();
        assert!(r.bad.is_empty() && r.transient.is_none());
        assert_eq!(buf, expected(1 << 20));
    }

    #[test]
    fn bad_bytes_are_narrowed_to_4k_and_merged() {
        let mut buf = vec![0xAAu8; 1 << 20];
        // 100 bytes straddling a 4 KiB boundary, and 9000 bytes later on.
        let bad = vec![(8190, 8290), (500_000, 509_000)];
        let r = read_retrying(&mut buf, 0, disk(bad, 0)).unwrap();
        let got: Vec<(u64, u64)> = r.bad.iter().map(|b| (b.0, b.1)).collect();
        assert_eq!(got, vec![(4096, 8192), (499_712, 12_288)]);
        assert!(r.transient.is_none());
        let mut want = expected(1 << 20);
        want[4096..12_288].fill(0);
        want[499_712..512_000].fill(0);
        assert_eq!(buf, want);
    }

    #[test]
    fn a_read_that_works_when_retried_is_transient() {
        let mut buf = vec![0u8; 300_000];
        let r = read_retrying(&mut buf, 0, disk(vec![], 1)).unwrap();
        assert!(r.bad.is_empty());
        assert_eq!(r.transient, Some(5));
        assert_eq!(buf, expected(300_000));
    }

    #[test]
    fn a_fatal_failure_ends_the_read() {
        let mut buf = vec![0u8; 4096];
        let r = read_retrying(&mut buf, 0, |_: &mut [u8], _| {
            Err::<Result<(), i32>, _>("fatal")
        });
        assert_eq!(r.unwrap_err(), "fatal");
    }
}
