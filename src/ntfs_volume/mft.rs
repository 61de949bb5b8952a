//! One sequential pass over `$MFT` in large positional reads: a compact summary
//! of every record, the clusters each record owns, and the damage met on the way.

use super::error::NtfsError;
use super::integrity::Problems;
use super::record::*;
use super::Geometry;
use crate::bytes::{u16_at, u32_at, u64_at};
use crate::source::{read_vec, ReadAt};

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

const AT_ATTRIBUTE_LIST: u32 = 0x20;
/// Size of the sequential reads of `$MFT`.
const READ_CHUNK: usize = 128 << 10;
/// Most pieces of `$MFT`'s `$DATA` followed through its attribute list.
const MAX_MFT_PIECES: usize = 4096;
/// Passes over those pieces (one suffices when each lies in what the earlier ones map).
const MAX_MFT_ROUNDS: usize = 8;

/// `$MFT`'s data runs (sorted, contiguous from VCN 0), its size, and why the runs
/// stop early when they do. The runs are in record 0 or, on a badly fragmented
/// `$MFT`, split over extension records named by record 0's attribute list; those
/// records are themselves inside `$MFT`, so they are read with the runs known so far.
fn mft_runs(
    src: &dyn ReadAt,
    geo: &Geometry,
    rec0: &[u8],
) -> Result<(Vec<Extent>, u64, Option<String>), NtfsError> {
    let mut ext = Vec::new();
    let mut size = 0u64;
    let mut list: Option<Vec<u8>> = None;
    let mut gap = None;
    for a in attributes(rec0).flatten() {
        match (a.ty, a.body) {
            (AT_DATA, Body::NonResident(nr)) if a.name.is_empty() => {
                decode_runs(nr.runs, nr.start_vcn, &mut ext).ok_or_else(|| {
                    NtfsError::corrupt(geo.mft_offset, "$MFT data runs malformed")
                })?;
                if nr.start_vcn == 0 {
                    size = nr.size;
                }
            }
            (AT_ATTRIBUTE_LIST, Body::Resident(v, _)) => list = Some(v.to_vec()),
            (AT_ATTRIBUTE_LIST, Body::NonResident(nr)) => {
                list = read_nonresident(src, geo, &nr);
                if list.is_none() {
                    gap = Some("$MFT's attribute list cannot be read".to_string());
                }
            }
            _ => {}
        }
    }
    if ext.is_empty() {
        return Err(NtfsError::corrupt(geo.mft_offset, "$MFT has no data runs"));
    }
    // The pieces of the unnamed $DATA that live in other records: (start VCN, record).
    let mut pieces: Vec<(u64, u64)> = Vec::new();
    if let Some(list) = &list {
        let mut p = 0usize;
        while let (Some(ty), Some(len)) = (u32_at(list, p), u16_at(list, p + 4)) {
            let len = len as usize;
            if len < 0x1A || pieces.len() >= MAX_MFT_PIECES {
                break;
            }
            let name_len = list.get(p + 6).copied().unwrap_or(1);
            let vcn = u64_at(list, p + 8).unwrap_or(0);
            let rec = u64_at(list, p + 0x10).unwrap_or(0) & REF_MASK;
            if ty == AT_DATA && name_len == 0 && rec != 0 {
                pieces.push((vcn, rec));
            }
            p += len;
        }
    }
    pieces.sort_unstable();
    pieces.dedup();
    // Each extension record is mapped by the pieces before it; go round while that
    // helps (a few rounds at most: hostile lists must not cost pieces² reads).
    let mut todo = pieces;
    let mut starts: std::collections::HashSet<u64> = ext.iter().map(|e| e.vcn).collect();
    for _round in 0..MAX_MFT_ROUNDS {
        let before = todo.len();
        ext.sort_by_key(|e| e.vcn);
        todo.retain(|&(vcn, rec)| {
            if starts.contains(&vcn) {
                return false; // already known (record 0 held it)
            }
            let Ok(Some(r)) = read_record(src, geo, &ext, rec) else {
                return true;
            };
            let found = attributes(&r).flatten().find_map(|a| match (a.ty, a.body) {
                (AT_DATA, Body::NonResident(nr)) if a.name.is_empty() && nr.start_vcn == vcn => {
                    let mut more = Vec::new();
                    decode_runs(nr.runs, nr.start_vcn, &mut more).map(|_| more)
                }
                _ => None,
            });
            match found {
                Some(more) => {
                    starts.extend(more.iter().map(|e| e.vcn));
                    ext.extend(more);
                    false
                }
                None => true,
            }
        });
        if todo.is_empty() || todo.len() == before {
            break;
        }
    }
    if let Some(&(vcn, rec)) = todo.first() {
        gap = Some(format!(
            "$MFT's data from VCN {vcn} is in MFT record {rec}, which cannot be read or does not hold it"
        ));
    }
    // Keep the runs contiguous from VCN 0: records past a hole would be misnumbered.
    ext.sort_by_key(|e| e.vcn);
    let mut next = 0u64;
    let mut keep = 0;
    for e in &ext {
        if e.vcn != next {
            break;
        }
        next = e.vcn.saturating_add(e.clusters);
        keep += 1;
    }
    if keep < ext.len() && gap.is_none() {
        gap = Some(format!("$MFT's data runs have a hole at VCN {next}"));
    }
    ext.truncate(keep);
    Ok((ext, size, gap))
}

/// The bytes of a small non-resident attribute (an attribute list), at most 1 MiB.
fn read_nonresident(src: &dyn ReadAt, geo: &Geometry, nr: &NonResident<'_>) -> Option<Vec<u8>> {
    if nr.start_vcn != 0 || nr.size > 1 << 20 {
        return None;
    }
    let mut runs = Vec::new();
    decode_runs(nr.runs, 0, &mut runs)?;
    let mut out = Vec::with_capacity(nr.size as usize);
    let mut pos = 0u64;
    while pos < nr.size {
        let (off, avail) = map_vcn_byte(geo, &runs, pos)?;
        let take = avail.min(nr.size - pos) as usize;
        out.extend_from_slice(&read_vec(src, off, take).ok()?);
        pos += take as u64;
    }
    Some(out)
}

/// Record `n` with fixups applied; `Ok(None)` when it is not a valid `FILE` record.
pub(crate) fn read_record(
    src: &dyn ReadAt,
    geo: &Geometry,
    mft: &[Extent],
    n: u64,
) -> Result<Option<Vec<u8>>, NtfsError> {
    let rs = geo.record_size as u64;
    let mut buf = Vec::with_capacity(geo.record_size);
    let mut pos = n
        .checked_mul(rs)
        .ok_or_else(|| NtfsError::corrupt(geo.mft_offset, "record number overflow"))?;
    let end = pos + rs;
    // A record may straddle runs when it is larger than a cluster.
    while pos < end {
        let (off, avail) = map_vcn_byte(geo, mft, pos).ok_or_else(|| {
            NtfsError::corrupt(geo.mft_offset, format!("MFT record {n} is outside $MFT"))
        })?;
        let take = avail.min(end - pos) as usize;
        buf.extend_from_slice(&read_vec(src, off, take)?);
        pos += take as u64;
    }
    Ok(apply_fixup(&mut buf).ok().map(|_| buf))
}

/// Byte offset on the volume of byte `pos` of an attribute's data, and how many
/// bytes follow contiguously; `None` when sparse or not mapped.
pub(crate) fn map_vcn_byte(geo: &Geometry, ext: &[Extent], pos: u64) -> Option<(u64, u64)> {
    let cs = geo.cluster_size;
    let vcn = pos / cs;
    let i = ext.partition_point(|e| e.vcn.saturating_add(e.clusters) <= vcn);
    let e = ext.get(i).filter(|e| e.vcn <= vcn && !e.is_sparse())?;
    let run_end = e.vcn.checked_add(e.clusters)?.checked_mul(cs)?;
    let off = e
        .lcn
        .checked_mul(cs)?
        .checked_add(pos - e.vcn.checked_mul(cs)?)?;
    Some((off, run_end - pos))
}

pub(crate) fn scan(src: &dyn ReadAt, geo: &Geometry) -> Result<MftScan, NtfsError> {
    let rec0 = read_record_raw_at(src, geo.mft_offset, geo.record_size)?;
    let (mft_extents, mft_size, runs_gap) = mft_runs(src, geo, &rec0)?;
    // Never trust the size alone: only what the runs cover inside the volume counts.
    let covered: u64 = mft_extents
        .iter()
        .filter(|e| !e.is_sparse())
        .map(|e| e.clusters.saturating_mul(geo.cluster_size))
        .fold(0u64, |a, b| a.saturating_add(b));
    // ... and only what the source can hold: a hostile size must not size our tables.
    let n = mft_size.min(covered).min(geo.volume_size).min(src.len()) / geo.record_size as u64;
    let n = u32::try_from(n).map_err(|_| NtfsError::corrupt(geo.mft_offset, "$MFT too large"))?;

    let clusters = geo.total_clusters.min(src.len().div_ceil(geo.cluster_size));
    let mut s = MftScan {
        files: vec![FileMeta::default(); n as usize],
        extents: Vec::new(),
        streams: Vec::new(),
        stream_names: String::new(),
        mft_extents,
        mft_bytes: mft_size,
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
    };
    if let Some(why) = runs_gap {
        s.mft_incomplete.add(1, || why);
    } else if covered < mft_size {
        s.mft_incomplete.add(1, || {
            format!("$MFT is {mft_size} bytes but its data runs map only {covered}")
        });
    }
    let mut extension: Vec<(u32, u32)> = Vec::new();
    let rs = geo.record_size;

    // Stream the MFT's bytes run by run in sequential reads; records may straddle runs.
    let mut plan: Vec<(u64, usize)> = Vec::new();
    let mut left = n as u64 * rs as u64;
    for e in &s.mft_extents {
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
    let mut st = Stream {
        next_rec: 0,
        n,
        carry: Vec::with_capacity(rs),
        extension: &mut extension,
    };
    // One small buffer, read and parsed while it is still in the CPU cache: measured
    // faster than larger reads or a read-ahead thread (see BENCHMARKS.md).
    let mut buf = vec![0u8; READ_CHUNK];
    for &(at, take) in &plan {
        let data = &mut buf[..take];
        let res = src.read_exact_at(data, at);
        if res.is_err() {
            data.fill(0); // unreadable records are skipped as not FILE
        }
        st.feed(&mut s, geo, data, at, res.err());
    }
    let next_rec = st.next_rec;
    s.files.truncate(next_rec as usize);
    extension.sort_unstable();
    s.merge_extensions(src, geo, &extension);
    s.extensions = extension;
    for (rec, at) in std::mem::take(&mut s.reparse_at) {
        let mut tag = [0u8; 4];
        match src.read_exact_at(&mut tag, at) {
            Ok(()) => {
                if let Some(f) = s.files.get_mut(rec as usize) {
                    f.reparse_tag = u32::from_le_bytes(tag);
                }
            }
            Err(e) => s.unreadable.add(1, || {
                format!("reparse data of MFT record {rec} at byte {at}: {e}")
            }),
        }
    }
    Ok(s)
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

fn read_record_raw_at(src: &dyn ReadAt, at: u64, rs: usize) -> Result<Vec<u8>, NtfsError> {
    let mut b = read_vec(src, at, rs)?;
    apply_fixup(&mut b).map_err(|_| {
        NtfsError::corrupt(at, "MFT record 0 ($MFT) fails its update sequence check")
    })?;
    Ok(b)
}

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

    fn visit(&mut self, geo: &Geometry, n: u32, rec: &mut [u8], ext: &mut Vec<(u32, u32)>) {
        let Some(h) = file_header(rec) else { return };
        if !h.in_use {
            return;
        }
        if let Err(e) = apply_fixup(rec) {
            self.files[n as usize].state = ST_BAD;
            self.fixup.add(1, || format!("MFT record {n}: {e:?}"));
            return;
        }
        self.mark_owned(geo, n as u64, rec);
        if h.extension {
            self.files[n as usize].state = ST_EXTENSION;
            if let Ok(b) = u32::try_from(h.base) {
                ext.push((b, n));
            }
            return;
        }
        let meta = self.summarise(n, &[(n, &*rec)]);
        self.files[n as usize] = meta;
    }

    /// Mark every cluster of every non-resident attribute of the record as owned.
    fn mark_owned(&mut self, geo: &Geometry, n: u64, rec: &[u8]) {
        let mut runs = Vec::new();
        for a in attributes(rec).flatten() {
            if let Body::NonResident(nr) = a.body {
                runs.clear();
                if decode_runs(nr.runs, nr.start_vcn, &mut runs).is_none() {
                    self.bad_attrs
                        .add(1, || format!("MFT record {n}: malformed data runs"));
                    continue;
                }
                for e in runs.iter().filter(|e| !e.is_sparse()) {
                    let end = e.lcn.checked_add(e.clusters);
                    match end {
                        Some(end) if end <= geo.total_clusters => self.own(n, e.lcn, end),
                        _ => self.out_of_bounds.add(1, || {
                            format!(
                                "MFT record {n}: clusters {}+{} (volume has {})",
                                e.lcn, e.clusters, geo.total_clusters
                            )
                        }),
                    }
                }
            }
        }
    }

    fn own(&mut self, n: u64, from: u64, to: u64) {
        let mut crossed = 0u64;
        for c in from..to {
            let (w, bit) = ((c / 64) as usize, 1u64 << (c % 64));
            let Some(word) = self.owned.get_mut(w) else {
                return;
            };
            if *word & bit != 0 {
                crossed += 1;
                if self.cross_first.len() < 8 {
                    self.cross_first.push((c, n));
                }
            }
            *word |= bit;
        }
        if crossed > 0 {
            self.cross_linked.add(crossed, || {
                format!("MFT record {n}: {crossed} cluster(s) from {from}")
            });
        }
    }

    /// Build the summary of a file from its base record and extension records.
    fn summarise(&mut self, base: u32, recs: &[(u32, &[u8])]) -> FileMeta {
        let mut m = FileMeta {
            state: ST_IN_USE,
            ..FileMeta::default()
        };
        let mut data: Vec<Extent> = Vec::new();
        let mut i30: Vec<Extent> = Vec::new();
        let stream_first = self.streams.len();
        for &(rn, rec) in recs {
            if let Some(h) = file_header(rec) {
                if rn == base {
                    m.seq = h.seq;
                    m.links = h.links;
                    if h.is_dir {
                        m.flags |= F_DIR;
                    }
                }
            }
            for a in attributes(rec) {
                let Ok(a) = a else {
                    self.bad_attrs
                        .add(1, || format!("MFT record {rn}: malformed attribute"));
                    break;
                };
                if let (AT_REPARSE_POINT, Body::NonResident(nr)) = (a.ty, a.body) {
                    // Large reparse data (long link targets): the tag is its first 4 bytes, read after the scan.
                    let mut runs = Vec::new();
                    if nr.start_vcn == 0 && decode_runs(nr.runs, 0, &mut runs).is_some() {
                        if let Some(at) = runs
                            .first()
                            .filter(|e| !e.is_sparse())
                            .and_then(|e| e.lcn.checked_mul(self.cluster_size))
                        {
                            self.reparse_at.push((base, at));
                        }
                    }
                }
                self.take_attr(&mut m, rn, &a, &mut data, &mut i30);
            }
        }
        data.sort_by_key(|e| e.vcn);
        i30.sort_by_key(|e| e.vcn);
        if m.flags & F_RESIDENT == 0 {
            m.data_first = self.extents.len() as u32;
            m.data_count = data.len() as u32;
            self.extents.extend_from_slice(&data);
        }
        m.i30_first = self.extents.len() as u32;
        m.i30_count = i30.len() as u32;
        self.extents.extend_from_slice(&i30);
        m.stream_first = stream_first as u32;
        m.stream_count = u16::try_from(self.streams.len() - stream_first).unwrap_or(u16::MAX);
        m
    }

    fn take_attr(
        &mut self,
        m: &mut FileMeta,
        rn: u32,
        a: &Attr<'_>,
        data: &mut Vec<Extent>,
        i30: &mut Vec<Extent>,
    ) {
        match (a.ty, a.body) {
            (AT_STANDARD_INFORMATION, Body::Resident(v, _)) => {
                m.attrs = u32_at(v, 0x20).unwrap_or(0);
            }
            (AT_REPARSE_POINT, Body::Resident(v, _)) => {
                m.reparse_tag = u32_at(v, 0).unwrap_or(0);
            }
            (AT_INDEX_ROOT, _) if is_i30(a.name) => m.flags |= F_HAS_INDEX_ROOT,
            (AT_INDEX_ALLOCATION, Body::NonResident(nr))
                if is_i30(a.name) && decode_runs(nr.runs, nr.start_vcn, i30).is_none() =>
            {
                i30.clear(); // malformed runs: the blocks are reported as unreachable
            }
            (AT_DATA, body) if a.name.is_empty() => {
                m.flags |= F_HAS_DATA;
                match body {
                    Body::Resident(v, _) => {
                        m.flags |= F_RESIDENT;
                        m.size = v.len() as u64;
                        m.allocated = m.size;
                        m.initialized = m.size;
                        m.data_first = rn;
                    }
                    Body::NonResident(nr) => {
                        if nr.start_vcn == 0 {
                            m.size = nr.size;
                            m.allocated = nr.allocated;
                            m.initialized = nr.initialized;
                            // Sparse attributes carry a compression unit too; only the flag says compressed.
                            if a.flags & 0x00FF != 0 {
                                m.cu_shift = nr.compression_unit.max(1);
                            }
                        }
                        if decode_runs(nr.runs, nr.start_vcn, data).is_none() {
                            data.clear();
                        }
                    }
                }
            }
            (AT_DATA, _) => {
                // Named stream: keep name and size; later pieces (start VCN > 0) add nothing.
                if let Body::NonResident(nr) = a.body {
                    if nr.start_vcn != 0 {
                        return;
                    }
                }
                let name = a.name_string();
                let rec = StreamRec {
                    name_off: self.stream_names.len() as u32,
                    name_len: name.len() as u32,
                    size: a.value_len(),
                };
                self.stream_names.push_str(&name);
                self.streams.push(rec);
            }
            _ => {}
        }
    }

    /// Files with extension records (attribute lists) are summarised again from all their records.
    fn merge_extensions(&mut self, src: &dyn ReadAt, geo: &Geometry, ext: &[(u32, u32)]) {
        let mut i = 0;
        while i < ext.len() {
            let base = ext[i].0;
            let j = i + ext[i..].iter().take_while(|e| e.0 == base).count();
            let parts: Vec<u32> = ext[i..j].iter().map(|e| e.1).collect();
            i = j;
            if self.files.get(base as usize).map(|f| f.state) != Some(ST_IN_USE) {
                continue;
            }
            let mut recs = Vec::new();
            for &r in std::iter::once(&base).chain(parts.iter()) {
                if let Ok(Some(b)) = read_record(src, geo, &self.mft_extents, r as u64) {
                    recs.push((r, b));
                }
            }
            let view: Vec<(u32, &[u8])> = recs.iter().map(|(r, b)| (*r, b.as_slice())).collect();
            let meta = self.summarise(base, &view);
            self.files[base as usize] = meta;
        }
    }
}

fn is_i30(name: &[u8]) -> bool {
    name == [b'$', 0, b'I', 0, b'3', 0, b'0', 0]
}
