//! The summary of each file kept from the walk over `$MFT`: its size, flags,
//! data and index runs, named streams, and the clusters its records own.

use super::{read_record, FileMeta, MftScan, StreamRec, F_DIR, F_HAS_DATA, F_HAS_INDEX_ROOT};
use super::{F_RESIDENT, ST_BAD, ST_EXTENSION, ST_IN_USE};
use crate::bytes::u32_at;
use crate::ntfs_volume::record::*;
use crate::ntfs_volume::Geometry;
use crate::source::ReadAt;

impl MftScan {
    /// Summarise record `n` of the stream (extension records only noted in
    /// `ext`: their file is summarised again once all are known).
    pub(super) fn visit(
        &mut self,
        geo: &Geometry,
        n: u32,
        rec: &mut [u8],
        ext: &mut Vec<(u32, u32)>,
    ) {
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

    /// Mark clusters `from..to` as owned by record `n`, counting those owned twice.
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

    /// Fold one attribute into the summary `m` of the file record `rn` belongs to.
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
    pub(super) fn merge_extensions(
        &mut self,
        src: &dyn ReadAt,
        geo: &Geometry,
        ext: &[(u32, u32)],
    ) {
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
