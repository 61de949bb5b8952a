//! `--surface`: read every byte of the source (free clusters, space outside
//! partitions, metadata — everything), sequentially in large reads; a failing
//! read is narrowed to 64 KiB pieces and reported with its disk byte offset.

use super::codes;
use crate::report::{DriveStatus, Finding};
use crate::source::ReadAt;
use serde::Serialize;

const CHUNK: usize = super::CHUNK;
const PIECE: usize = 64 << 10;
/// Bad ranges reported one by one; the rest are counted.
const MAX_REPORTED: usize = 100;

#[derive(Debug, Serialize)]
pub struct SurfaceFacts {
    pub bytes: u64,
    pub seconds: f64,
    pub unreadable_bytes: u64,
    pub unreadable_ranges: u64,
}

/// Read all of `src`; read errors become "Hardware error" findings.
pub fn surface_read(src: &dyn ReadAt, subject: &str, findings: &mut Vec<Finding>) -> SurfaceFacts {
    let t0 = std::time::Instant::now();
    let len = src.len();
    let mut buf = vec![0u8; CHUNK];
    let mut bad: Vec<(u64, u64, Option<i32>)> = Vec::new();
    let mut add = |off: u64, n: u64, errno: Option<i32>| match bad.last_mut() {
        Some((o, l, _)) if *o + *l == off => *l += n,
        _ => bad.push((off, n, errno)),
    };
    let mut at = 0u64;
    while at < len {
        let n = ((len - at) as usize).min(CHUNK);
        if src.read_exact_at(&mut buf[..n], at).is_err() {
            let mut p = 0usize;
            while p < n {
                let k = PIECE.min(n - p);
                if let Err(e) = src.read_exact_at(&mut buf[p..p + k], at + p as u64) {
                    add(at + p as u64, k as u64, e.raw_os_error());
                }
                p += k;
            }
        }
        at += n as u64;
    }
    for (off, n, errno) in bad.iter().take(MAX_REPORTED) {
        let errno_s = errno.map(|e| format!(", errno {e}")).unwrap_or_default();
        findings.push(
            Finding::error(
                codes::SURFACE_READ_ERROR,
                DriveStatus::HardwareError,
                format!("{subject} at byte {off}"),
                format!("{n} bytes at disk byte offset {off} cannot be read{errno_s}"),
            )
            .with_hint("the drive has unreadable sectors: replace it before shipping"),
        );
    }
    if bad.len() > MAX_REPORTED {
        findings.push(Finding::error(
            codes::SURFACE_READ_ERROR,
            DriveStatus::HardwareError,
            subject.to_string(),
            format!("{} more unreadable ranges", bad.len() - MAX_REPORTED),
        ));
    }
    let secs = t0.elapsed().as_secs_f64();
    SurfaceFacts {
        bytes: len,
        seconds: (secs * 1000.0).round() / 1000.0,
        unreadable_bytes: bad.iter().map(|b| b.1).sum(),
        unreadable_ranges: bad.len() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Failing(Vec<u8>, u64);
    impl ReadAt for Failing {
        fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
            if offset <= self.1 && self.1 < offset + buf.len() as u64 {
                return Err(std::io::Error::from_raw_os_error(5));
            }
            self.0.read_exact_at(buf, offset)
        }
        fn len(&self) -> u64 {
            self.0.len() as u64
        }
    }

    #[test]
    fn bad_sector_is_found_and_narrowed() {
        let src = Failing(vec![0u8; 9 << 20], (5 << 20) + 70_000);
        let mut f = Vec::new();
        let facts = surface_read(&src, "disk", &mut f);
        assert_eq!(facts.unreadable_ranges, 1);
        assert_eq!(facts.unreadable_bytes, 65536);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].subject, format!("disk at byte {}", (5 << 20) + 65536));
        assert!(f[0].message.contains("errno 5"));
    }
}
