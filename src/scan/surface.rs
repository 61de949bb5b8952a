//! `--surface`: the parts of the drive the hash scan does not read — every
//! cluster `$Bitmap` marks free, and the space outside partitions (before the
//! first, gaps between, after the last) — in large sequential reads. The files'
//! data is read by the scan. A failing read is narrowed to 64 KiB and then
//! 4 KiB pieces and reported with its disk byte offset, length, errno and owner.

use super::codes;
use crate::report::{DriveStatus, Finding};
use crate::source::retry::{errno_suffix, read_retrying, retried_warning};
use crate::source::ReadAt;
use serde::Serialize;

const CHUNK: usize = super::CHUNK;
/// Bad ranges reported one by one; the rest are counted.
const MAX_REPORTED: usize = 100;

/// Owner of a surface range, as findings name it.
pub const FREE_SPACE: &str = "free space";
pub const OUTSIDE_PARTITIONS: &str = "outside partitions";
/// The volume when its free clusters are not known (no readable `$Bitmap`).
pub const VOLUME: &str = "volume";
/// The whole disk, when it holds no data volume.
pub const DISK: &str = "disk";

/// Disk bytes `offset..offset + len`, owned by `owner`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurfaceRange {
    pub offset: u64,
    pub len: u64,
    pub owner: &'static str,
}

#[derive(Debug, Serialize)]
pub struct SurfaceFacts {
    /// Bytes read in all.
    pub bytes: u64,
    pub free_space_bytes: u64,
    pub outside_partitions_bytes: u64,
    pub seconds: f64,
    pub unreadable_bytes: u64,
    pub unreadable_ranges: u64,
}

/// The disk outside `areas` (partitions, as `(offset, size)`): before the
/// first, the gaps, and after the last, within `0..disk_len`.
pub fn outside(disk_len: u64, areas: &[(u64, u64)]) -> Vec<SurfaceRange> {
    let mut a: Vec<(u64, u64)> = areas
        .iter()
        .map(|&(o, n)| (o.min(disk_len), o.saturating_add(n).min(disk_len)))
        .filter(|(s, e)| s < e)
        .collect();
    a.sort_unstable();
    let mut out = Vec::new();
    let mut at = 0u64;
    for (s, e) in a {
        if s > at {
            out.push(SurfaceRange {
                offset: at,
                len: s - at,
                owner: OUTSIDE_PARTITIONS,
            });
        }
        at = at.max(e);
    }
    if at < disk_len {
        out.push(SurfaceRange {
            offset: at,
            len: disk_len - at,
            owner: OUTSIDE_PARTITIONS,
        });
    }
    out
}

/// Free cluster runs `(first cluster, count)` of a volume that starts at disk
/// byte `vol_offset`, as disk ranges (clipped to `vol_offset + vol_len`).
pub fn free_space(
    vol_offset: u64,
    vol_len: u64,
    cluster: u64,
    runs: &[(u64, u64)],
) -> Vec<SurfaceRange> {
    runs.iter()
        .filter_map(|&(c, n)| {
            let s = c.checked_mul(cluster)?;
            let e = c.checked_add(n)?.checked_mul(cluster)?.min(vol_len);
            (s < e).then(|| SurfaceRange {
                offset: vol_offset.saturating_add(s),
                len: e - s,
                owner: FREE_SPACE,
            })
        })
        .collect()
}

/// Read `ranges` of `src` (the whole disk) in disk order; read errors become
/// "Hardware error" findings. `subject` names the drive.
pub fn surface_read(
    src: &dyn ReadAt,
    ranges: &[SurfaceRange],
    subject: &str,
    findings: &mut Vec<Finding>,
) -> SurfaceFacts {
    let t0 = std::time::Instant::now();
    let len = src.len();
    let mut ranges: Vec<SurfaceRange> = ranges
        .iter()
        .filter(|r| r.offset < len)
        .map(|r| SurfaceRange {
            len: r.len.min(len - r.offset),
            ..*r
        })
        .collect();
    ranges.sort_by_key(|r| r.offset);
    let mut facts = SurfaceFacts {
        bytes: 0,
        free_space_bytes: 0,
        outside_partitions_bytes: 0,
        seconds: 0.0,
        unreadable_bytes: 0,
        unreadable_ranges: 0,
    };
    let mut reads = SurfaceReads::default();
    let mut buf = vec![0u8; CHUNK];
    for r in &ranges {
        reads.read_range(src, r, &mut buf);
        facts.bytes += r.len;
        match r.owner {
            FREE_SPACE => facts.free_space_bytes += r.len,
            OUTSIDE_PARTITIONS => facts.outside_partitions_bytes += r.len,
            _ => {}
        }
    }
    reads.report(subject, findings);
    let secs = t0.elapsed().as_secs_f64();
    facts.seconds = (secs * 1000.0).round() / 1000.0;
    facts.unreadable_bytes = reads.bad.iter().map(|b| b.1).sum();
    facts.unreadable_ranges = reads.bad.len() as u64;
    facts
}

/// What the surface reads met.
#[derive(Default)]
struct SurfaceReads {
    /// Unreadable ranges, adjacent ones of one owner merged: (offset, length,
    /// errno, owner).
    bad: Vec<(u64, u64, Option<i32>, &'static str)>,
    /// Reads that failed and then worked when retried: how many, and the
    /// first (offset, errno, owner).
    retried: u64,
    first_retried: Option<(u64, Option<i32>, &'static str)>,
}

impl SurfaceReads {
    /// Read range `r` in chunks of `buf`'s size, with the retry.
    fn read_range(&mut self, src: &dyn ReadAt, r: &SurfaceRange, buf: &mut [u8]) {
        let end = r.offset + r.len;
        let mut at = r.offset;
        while at < end {
            let n = ((end - at) as usize).min(buf.len());
            let got = read_retrying(&mut buf[..n], at, |b, o| {
                Ok::<_, std::convert::Infallible>(
                    src.read_exact_at(b, o).map_err(|e| e.raw_os_error()),
                )
            });
            let Ok(got) = got;
            if let Some(errno) = got.transient {
                self.retried += 1;
                self.first_retried.get_or_insert((at, errno, r.owner));
            }
            for (off, n, errno) in got.bad {
                match self.bad.last_mut() {
                    Some((o, l, _, w)) if *o + *l == off && *w == r.owner => *l += n,
                    _ => self.bad.push((off, n, errno, r.owner)),
                }
            }
            at += n as u64;
        }
    }

    /// The findings: the first [`MAX_REPORTED`] unreadable ranges, a count of
    /// the rest, and a warning for reads that worked only when retried.
    fn report(&self, subject: &str, findings: &mut Vec<Finding>) {
        for (off, n, errno, owner) in self.bad.iter().take(MAX_REPORTED) {
            let errno_s = errno_suffix(*errno);
            findings.push(
                Finding::error(
                    codes::SURFACE_READ_ERROR,
                    DriveStatus::HardwareError,
                    format!("{subject} {owner} at byte {off}"),
                    format!(
                        "{n} bytes at disk byte offset {off} ({owner}) cannot be read{errno_s}"
                    ),
                )
                .with_hint("the drive has unreadable sectors: replace it before shipping"),
            );
        }
        if self.bad.len() > MAX_REPORTED {
            findings.push(Finding::error(
                codes::SURFACE_READ_ERROR,
                DriveStatus::HardwareError,
                subject.to_string(),
                format!("{} more unreadable ranges", self.bad.len() - MAX_REPORTED),
            ));
        }
        if let Some((off, errno, owner)) = self.first_retried {
            let first = format!("disk byte offset {off} ({owner}{})", errno_suffix(errno));
            let subject = format!("{subject} {owner} at byte {off}");
            findings.push(retried_warning(subject, "the disk", self.retried, &first));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails reads touching any of the byte ranges (EIO): every time, or with
    /// `once`, only the first such read.
    struct Failing(
        Vec<u8>,
        Vec<(u64, u64)>,
        bool,
        std::sync::atomic::AtomicBool,
    );
    impl Failing {
        fn new(disk: Vec<u8>, bad: Vec<(u64, u64)>) -> Self {
            Failing(disk, bad, false, false.into())
        }
        fn once(disk: Vec<u8>, bad: Vec<(u64, u64)>) -> Self {
            Failing(disk, bad, true, false.into())
        }
    }
    impl ReadAt for Failing {
        fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
            let end = offset + buf.len() as u64;
            let hit = self.1.iter().any(|&(s, e)| offset < e && s < end);
            let fired = || self.3.swap(true, std::sync::atomic::Ordering::Relaxed);
            if hit && !(self.2 && fired()) {
                return Err(std::io::Error::from_raw_os_error(5));
            }
            self.0.read_exact_at(buf, offset)
        }
        fn len(&self) -> u64 {
            self.0.len() as u64
        }
    }

    #[test]
    fn a_read_that_works_when_retried_is_a_warning() {
        let mib = 1u64 << 20;
        let src = Failing::once(vec![0u8; 8 << 20], vec![(5 * mib, 5 * mib + 1)]);
        let ranges = outside(8 * mib, &[]);
        let mut f = Vec::new();
        let facts = surface_read(&src, &ranges, "disk.img", &mut f);
        assert_eq!(facts.unreadable_ranges, 0);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].code, codes::READ_RETRIED);
        assert_eq!(f[0].severity, crate::report::Severity::Warning);
        // The 4 MiB read holding the byte failed.
        assert_eq!(
            f[0].subject,
            format!("disk.img outside partitions at byte {}", 4 * mib)
        );
        assert!(f[0].message.contains("errno 5"), "{}", f[0].message);
    }

    #[test]
    fn outside_partitions_is_the_complement() {
        let r = outside(100, &[(10, 20), (50, 10), (55, 10)]);
        let v: Vec<(u64, u64)> = r.iter().map(|r| (r.offset, r.len)).collect();
        assert_eq!(v, vec![(0, 10), (30, 20), (65, 35)]);
        assert!(r.iter().all(|r| r.owner == OUTSIDE_PARTITIONS));
        assert!(outside(100, &[(0, 100)]).is_empty());
    }

    #[test]
    fn free_runs_become_disk_ranges() {
        let r = free_space(1 << 20, 40960, 4096, &[(2, 3), (9, 5)]);
        let v: Vec<(u64, u64)> = r.iter().map(|r| (r.offset, r.len)).collect();
        // The second run is clipped at the volume's end (10 clusters).
        assert_eq!(
            v,
            vec![((1 << 20) + 8192, 12288), ((1 << 20) + 36864, 4096)]
        );
    }

    #[test]
    fn bad_sectors_in_free_space_and_outside_partitions_are_found() {
        // A 16 MiB disk: one partition at 1 MiB..15 MiB whose volume has free
        // clusters at 4 MiB..9 MiB (volume offsets 3 MiB..8 MiB).
        let mib = 1u64 << 20;
        let bad_free = 6 * mib + 70_000;
        let bad_out = 15 * mib + 5000;
        let bad_used = 12 * mib; // in use by a file: not read here
        let src = Failing::new(
            vec![0u8; 16 << 20],
            vec![
                (bad_free, bad_free + 1),
                (bad_out, bad_out + 1),
                (bad_used, bad_used + 1),
            ],
        );
        let mut ranges = outside(16 * mib, &[(mib, 14 * mib)]);
        ranges.extend(free_space(mib, 14 * mib, 4096, &[(768, 1280)]));
        let mut f = Vec::new();
        let facts = surface_read(&src, &ranges, "disk.img", &mut f);
        assert_eq!(facts.unreadable_ranges, 2, "{f:#?}");
        assert_eq!(facts.unreadable_bytes, 8192);
        assert_eq!(facts.free_space_bytes, 5 * mib);
        assert_eq!(facts.outside_partitions_bytes, 2 * mib);
        assert_eq!(facts.bytes, 7 * mib);
        assert_eq!(f.len(), 2);
        let free_at = bad_free / 4096 * 4096;
        assert_eq!(
            f[0].subject,
            format!("disk.img free space at byte {free_at}")
        );
        assert!(
            f[0].message.starts_with(&format!(
                "4096 bytes at disk byte offset {free_at} (free space)"
            )),
            "{}",
            f[0].message
        );
        assert!(f[0].message.contains("errno 5"));
        assert_eq!(f[0].predicts, DriveStatus::HardwareError);
        let out_at = bad_out / 4096 * 4096;
        assert_eq!(
            f[1].subject,
            format!("disk.img outside partitions at byte {out_at}")
        );
        assert!(f[1].message.contains("(outside partitions)"));
    }
}
