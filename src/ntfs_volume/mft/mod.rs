//! One sequential pass over `$MFT` in large positional reads: a compact summary
//! of every record, the clusters each record owns, and the damage met on the way.

mod runs;
mod summary;

use super::error::NtfsError;
use super::integrity::Problems;
use super::record::Extent;
use super::Geometry;
use crate::source::ReadAt;
pub(crate) use runs::{map_vcn_byte, read_record};
use runs::{mft_runs, read_record_raw_at};

// State 0 (the default) is an unused or unreadable record.
pub(crate) const ST_IN_USE: u8 = 1;
/// In use but its fixup or attributes are broken.
pub(crate) const ST_BAD: u8 = 2;
pub(crate) const ST_EXTENSION: u8 = 3;

pub(crate) const F_DIR: u8 = 1;
/// The unnamed `$DATA` is resident in record `data_first`.
pub(crate) const F_RESIDENT: u8 = 2;
pub(crate) const F_HAS_DATA: u8 = 4;
pub(crate) const F_HAS_INDEX_ROOT: u8 = 8;

/// Summary of one MFT record (about 64 bytes; one per record).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FileMeta {
    pub size: u64,
    pub allocated: u64,
    pub initialized: u64,
    pub data_first: u32,
    pub data_count: u32,
    pub i30_first: u32,
    pub i30_count: u32,
    pub stream_first: u32,
    pub attrs: u32,
    pub reparse_tag: u32,
    pub stream_count: u16,
    pub links: u16,
    pub seq: u16,
    pub state: u8,
    pub flags: u8,
    /// log2 of clusters per compression unit (0: not compressed).
    pub cu_shift: u8,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct StreamRec {
    pub name_off: u32,
    pub name_len: u32,
    pub size: u64,
}

pub(crate) struct MftScan {
    pub files: Vec<FileMeta>,
    pub extents: Vec<Extent>,
    pub streams: Vec<StreamRec>,
    pub stream_names: String,
    pub mft_extents: Vec<Extent>,
    /// Size of `$MFT`'s data in bytes.
    pub mft_bytes: u64,
    /// One bit per cluster: owned by some record's non-resident attribute.
    pub owned: Vec<u64>,
    pub fixup: Problems,
    pub bad_attrs: Problems,
    pub out_of_bounds: Problems,
    pub cross_linked: Problems,
    /// (cluster, record) of the first cross-linked clusters, to name both owners.
    pub cross_first: Vec<(u64, u64)>,
    pub unreadable: Problems,
    /// (base record, extension record), sorted.
    pub extensions: Vec<(u32, u32)>,
    /// `$MFT`'s own data runs do not map all of it: the records past the gap are not checked.
    pub mft_incomplete: Problems,
    /// (record, byte offset) of non-resident reparse data, whose tag is read after the scan.
    reparse_at: Vec<(u32, u64)>,
    cluster_size: u64,
}
/// Size of the sequential reads of `$MFT`.
const READ_CHUNK: usize = 128 << 10;

impl MftScan {
    /// The records holding a file's attributes: the base record, then its extension records.
    pub fn records_of(&self, base: u32) -> impl Iterator<Item = u32> + '_ {
        let i = self.extensions.partition_point(|e| e.0 < base);
        std::iter::once(base).chain(
            self.extensions[i..]
                .iter()
                .take_while(move |e| e.0 == base)
                .map(|e| e.1),
        )
    }
}

/// Walk `$MFT` once: summarise every record, mark the clusters they own and
/// count the damage met on the way.
pub(crate) fn scan(src: &dyn ReadAt, geo: &Geometry) -> Result<MftScan, NtfsError> {
    let rec0 = read_record_raw_at(src, geo.mft_offset, geo.record_size)?;
    let (mft_extents, mft_size, runs_gap) = mft_runs(src, geo, &rec0)?;
    // Never trust the size alone: only what the runs cover inside the volume counts.
    let covered = mapped_bytes(geo, &mft_extents);
    // ... and only what the source can hold: a hostile size must not size our tables.
    let n = mft_size.min(covered).min(geo.volume_size).min(src.len()) / geo.record_size as u64;
    let n = u32::try_from(n).map_err(|_| NtfsError::corrupt(geo.mft_offset, "$MFT too large"))?;

    let mut s = MftScan::empty(src, geo, n, mft_extents, mft_size);
    if let Some(why) = runs_gap {
        s.mft_incomplete.add(1, || why);
    } else if covered < mft_size {
        s.mft_incomplete.add(1, || {
            format!("$MFT is {mft_size} bytes but its data runs map only {covered}")
        });
    }
    let mut extension: Vec<(u32, u32)> = Vec::new();
    let plan = read_plan(geo, &s.mft_extents, n);
    walk(src, geo, &plan, n, &mut s, &mut extension);
    extension.sort_unstable();
    s.merge_extensions(src, geo, &extension);
    s.extensions = extension;
    s.read_reparse_tags(src);
    Ok(s)
}

/// Bytes the non-sparse runs map.
fn mapped_bytes(geo: &Geometry, ext: &[Extent]) -> u64 {
    ext.iter()
        .filter(|e| !e.is_sparse())
        .map(|e| e.clusters.saturating_mul(geo.cluster_size))
        .fold(0u64, |a, b| a.saturating_add(b))
}

impl MftScan {
    /// Tables sized for `n` records and the clusters the source can hold.
    fn empty(
        src: &dyn ReadAt,
        geo: &Geometry,
        n: u32,
        mft_extents: Vec<Extent>,
        mft_bytes: u64,
    ) -> MftScan {
        let clusters = geo.total_clusters.min(src.len().div_ceil(geo.cluster_size));
        MftScan {
            files: vec![FileMeta::default(); n as usize],
            extents: Vec::new(),
            streams: Vec::new(),
            stream_names: String::new(),
            mft_extents,
            mft_bytes,
            owned: vec![0u64; usize::try_from(clusters.div_ceil(64)).unwrap_or(0)],
            fixup: Problems::default(),
            bad_attrs: Problems::default(),
            out_of_bounds: Problems::default(),
            cross_linked: Problems::default(),
            cross_first: Vec::new(),
            unreadable: Problems::default(),
            extensions: Vec::new(),
            mft_incomplete: Problems::default(),
            reparse_at: Vec::new(),
            cluster_size: geo.cluster_size,
        }
    }

    /// The tags of non-resident reparse data noted during the walk.
    fn read_reparse_tags(&mut self, src: &dyn ReadAt) {
        for (rec, at) in std::mem::take(&mut self.reparse_at) {
            let mut tag = [0u8; 4];
            match src.read_exact_at(&mut tag, at) {
                Ok(()) => {
                    if let Some(f) = self.files.get_mut(rec as usize) {
                        f.reparse_tag = u32::from_le_bytes(tag);
                    }
                }
                Err(e) => self.unreadable.add(1, || {
                    format!("reparse data of MFT record {rec} at byte {at}: {e}")
                }),
            }
        }
    }
}

/// The reads that cover the first `n` records: (byte offset, length), run by
/// run, each at most [`READ_CHUNK`]; they stop at the first sparse or
/// overflowing run.
fn read_plan(geo: &Geometry, mft_extents: &[Extent], n: u32) -> Vec<(u64, usize)> {
    let mut plan: Vec<(u64, usize)> = Vec::new();
    let mut left = n as u64 * geo.record_size as u64;
    for e in mft_extents {
        let start = e.lcn.checked_mul(geo.cluster_size);
        let len = e.clusters.checked_mul(geo.cluster_size);
        let (false, Some(start), Some(len)) = (e.is_sparse(), start, len) else {
            break;
        };
        let mut done = 0u64;
        while done < len && left > 0 {
            let take = (len - done).min(left).min(READ_CHUNK as u64);
            plan.push((start + done, take as usize));
            done += take;
            left -= take;
        }
    }
    plan
}

/// Stream the MFT's bytes through `plan` in sequential reads and visit each
/// record (records may straddle runs); `extension` collects the extension records.
fn walk(
    src: &dyn ReadAt,
    geo: &Geometry,
    plan: &[(u64, usize)],
    n: u32,
    s: &mut MftScan,
    extension: &mut Vec<(u32, u32)>,
) {
    let mut st = Stream {
        next_rec: 0,
        n,
        carry: Vec::with_capacity(geo.record_size),
        extension,
    };
    // One small buffer, read and parsed while it is still in the CPU cache: measured
    // faster than larger reads or a read-ahead thread (see BENCHMARKS.md).
    let mut buf = vec![0u8; READ_CHUNK];
    for &(at, take) in plan {
        let data = &mut buf[..take];
        let res = src.read_exact_at(data, at);
        if res.is_err() {
            data.fill(0); // unreadable records are skipped as not FILE
        }
        st.feed(s, geo, data, at, res.err());
    }
    let next_rec = st.next_rec;
    s.files.truncate(next_rec as usize);
}

/// Records cut out of the stream of `$MFT` bytes, visited in order.
struct Stream<'a> {
    next_rec: u32,
    n: u32,
    /// The start of a record that straddles two reads.
    carry: Vec<u8>,
    extension: &'a mut Vec<(u32, u32)>,
}

impl Stream<'_> {
    /// Visit the records in `data`, read from byte `at` (`err` when that read
    /// failed and `data` is zeros), keeping a record cut by the end for the next read.
    fn feed(
        &mut self,
        s: &mut MftScan,
        geo: &Geometry,
        mut data: &mut [u8],
        at: u64,
        err: Option<std::io::Error>,
    ) {
        let rs = geo.record_size;
        if let Some(err) = err {
            // Hardware error or truncation: these records cannot be checked.
            s.unreadable
                .add((data.len() / rs) as u64, || format!("byte {at}: {err}"));
        }
        if !self.carry.is_empty() {
            let k = (rs - self.carry.len()).min(data.len());
            self.carry.extend_from_slice(&data[..k]);
            data = &mut data[k..];
            if self.carry.len() == rs {
                if self.next_rec < self.n {
                    s.visit(geo, self.next_rec, &mut self.carry, self.extension);
                    self.next_rec += 1;
                }
                self.carry.clear();
            }
        }
        let whole = data.len() / rs * rs;
        let (recs, tail) = data.split_at_mut(whole);
        for rec in recs.chunks_exact_mut(rs) {
            if self.next_rec >= self.n {
                break;
            }
            s.visit(geo, self.next_rec, rec, self.extension);
            self.next_rec += 1;
        }
        self.carry.extend_from_slice(tail);
    }
}
