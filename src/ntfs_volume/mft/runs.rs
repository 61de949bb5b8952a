//! Where `$MFT` itself lies: its data runs, followed through record 0's
//! attribute list when `$MFT` is badly fragmented, and single records read
//! through those runs.

use crate::bytes::{u16_at, u32_at, u64_at};
use crate::ntfs_volume::error::NtfsError;
use crate::ntfs_volume::record::*;
use crate::ntfs_volume::Geometry;
use crate::source::{read_vec, ReadAt};

const AT_ATTRIBUTE_LIST: u32 = 0x20;
/// Most pieces of `$MFT`'s `$DATA` followed through its attribute list.
const MAX_MFT_PIECES: usize = 4096;
/// Passes over those pieces (one suffices when each lies in what the earlier ones map).
const MAX_MFT_ROUNDS: usize = 8;

/// What record 0 says about `$MFT`'s unnamed `$DATA`.
struct Record0Data {
    /// The runs record 0 holds itself.
    ext: Vec<Extent>,
    /// The data's size in bytes.
    size: u64,
    /// The attribute list, when there is one and it can be read.
    list: Option<Vec<u8>>,
    /// Why the runs may stop early, when already known.
    gap: Option<String>,
}

/// `$MFT`'s data runs (sorted, contiguous from VCN 0), its size, and why the runs
/// stop early when they do. The runs are in record 0 or, on a badly fragmented
/// `$MFT`, split over extension records named by record 0's attribute list; those
/// records are themselves inside `$MFT`, so they are read with the runs known so far.
pub(super) fn mft_runs(
    src: &dyn ReadAt,
    geo: &Geometry,
    rec0: &[u8],
) -> Result<(Vec<Extent>, u64, Option<String>), NtfsError> {
    let Record0Data {
        mut ext,
        size,
        list,
        mut gap,
    } = record0_data(src, geo, rec0)?;
    let pieces = list.as_deref().map(data_pieces).unwrap_or_default();
    let todo = follow_pieces(src, geo, &mut ext, pieces);
    if let Some(&(vcn, rec)) = todo.first() {
        gap = Some(format!(
            "$MFT's data from VCN {vcn} is in MFT record {rec}, which cannot be read or does not hold it"
        ));
    }
    if let Some(next) = keep_contiguous(&mut ext) {
        if gap.is_none() {
            gap = Some(format!("$MFT's data runs have a hole at VCN {next}"));
        }
    }
    Ok((ext, size, gap))
}

/// The unnamed `$DATA` runs and the attribute list of record 0.
fn record0_data(src: &dyn ReadAt, geo: &Geometry, rec0: &[u8]) -> Result<Record0Data, NtfsError> {
    let mut d = Record0Data {
        ext: Vec::new(),
        size: 0,
        list: None,
        gap: None,
    };
    for a in attributes(rec0).flatten() {
        match (a.ty, a.body) {
            (AT_DATA, Body::NonResident(nr)) if a.name.is_empty() => {
                decode_runs(nr.runs, nr.start_vcn, &mut d.ext).ok_or_else(|| {
                    NtfsError::corrupt(geo.mft_offset, "$MFT data runs malformed")
                })?;
                if nr.start_vcn == 0 {
                    d.size = nr.size;
                }
            }
            (AT_ATTRIBUTE_LIST, Body::Resident(v, _)) => d.list = Some(v.to_vec()),
            (AT_ATTRIBUTE_LIST, Body::NonResident(nr)) => {
                d.list = read_nonresident(src, geo, &nr);
                if d.list.is_none() {
                    d.gap = Some("$MFT's attribute list cannot be read".to_string());
                }
            }
            _ => {}
        }
    }
    if d.ext.is_empty() {
        return Err(NtfsError::corrupt(geo.mft_offset, "$MFT has no data runs"));
    }
    Ok(d)
}

/// The pieces of the unnamed `$DATA` that live in other records, per the
/// attribute list: (start VCN, record), sorted, at most [`MAX_MFT_PIECES`].
fn data_pieces(list: &[u8]) -> Vec<(u64, u64)> {
    let mut pieces: Vec<(u64, u64)> = Vec::new();
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
    pieces.sort_unstable();
    pieces.dedup();
    pieces
}

/// Add to `ext` the runs of every piece whose record can be read with the runs
/// known so far; returns the pieces still missing.
fn follow_pieces(
    src: &dyn ReadAt,
    geo: &Geometry,
    ext: &mut Vec<Extent>,
    mut todo: Vec<(u64, u64)>,
) -> Vec<(u64, u64)> {
    // Each extension record is mapped by the pieces before it; go round while that
    // helps (a few rounds at most: hostile lists must not cost pieces² reads).
    let mut starts: std::collections::HashSet<u64> = ext.iter().map(|e| e.vcn).collect();
    for _round in 0..MAX_MFT_ROUNDS {
        let before = todo.len();
        ext.sort_by_key(|e| e.vcn);
        todo.retain(|&(vcn, rec)| {
            if starts.contains(&vcn) {
                return false; // already known (record 0 held it)
            }
            match piece_runs(src, geo, ext, vcn, rec) {
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
    todo
}

/// The runs from `vcn` that record `rec` holds, when it can be read through `ext`.
fn piece_runs(
    src: &dyn ReadAt,
    geo: &Geometry,
    ext: &[Extent],
    vcn: u64,
    rec: u64,
) -> Option<Vec<Extent>> {
    let Ok(Some(r)) = read_record(src, geo, ext, rec) else {
        return None;
    };
    attributes(&r).flatten().find_map(|a| match (a.ty, a.body) {
        (AT_DATA, Body::NonResident(nr)) if a.name.is_empty() && nr.start_vcn == vcn => {
            let mut more = Vec::new();
            decode_runs(nr.runs, nr.start_vcn, &mut more).map(|_| more)
        }
        _ => None,
    })
}

/// Sort `ext` and keep only the runs contiguous from VCN 0: records past a
/// hole would be misnumbered. Returns the VCN of the hole when runs were dropped.
fn keep_contiguous(ext: &mut Vec<Extent>) -> Option<u64> {
    ext.sort_by_key(|e| e.vcn);
    let mut next = 0u64;
    let mut keep = 0;
    for e in ext.iter() {
        if e.vcn != next {
            break;
        }
        next = e.vcn.saturating_add(e.clusters);
        keep += 1;
    }
    let hole = (keep < ext.len()).then_some(next);
    ext.truncate(keep);
    hole
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

/// Record 0 at byte `at`, with fixups applied: where the walk starts.
pub(super) fn read_record_raw_at(
    src: &dyn ReadAt,
    at: u64,
    rs: usize,
) -> Result<Vec<u8>, NtfsError> {
    let mut b = read_vec(src, at, rs)?;
    apply_fixup(&mut b).map_err(|_| {
        NtfsError::corrupt(at, "MFT record 0 ($MFT) fails its update sequence check")
    })?;
    Ok(b)
}
