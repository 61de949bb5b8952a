//! One directory's entries, read from its `$I30` index: the index root, then
//! every index block its entries lead to, each entry checked against the
//! record it names.

use super::{Inventory, ROOT_RECORD};
use crate::ntfs_volume::index::{block_node, node_entries, root_node, IndexEntry};
use crate::ntfs_volume::mft::{self, F_HAS_INDEX_ROOT, ST_IN_USE};
use crate::ntfs_volume::record::{attributes, Body, Extent, AT_INDEX_ROOT};
use crate::ntfs_volume::{Geometry, NtfsError};
use crate::source::{read_vec, ReadAt};

/// The names of one directory, without a heap allocation per name.
#[derive(Default)]
pub(super) struct DirNames {
    pub(super) text: String,
    /// (record, offset in `text`, length in bytes).
    pub(super) items: Vec<(u64, u32, u16)>,
    /// DOS 8.3 names, listed only for records that have no other name here.
    dos_text: String,
    dos: Vec<(u64, u32, u16)>,
}

impl DirNames {
    pub(super) fn clear(&mut self) {
        self.text.clear();
        self.items.clear();
        self.dos_text.clear();
        self.dos.clear();
    }

    /// Records that only have a DOS name get it; every other DOS name is a duplicate.
    fn settle_dos(&mut self) {
        if self.dos.is_empty() {
            return;
        }
        let mut named: std::collections::HashSet<u64> = self.items.iter().map(|i| i.0).collect();
        for &(rec, off, len) in &self.dos {
            if named.insert(rec) {
                let name = self
                    .dos_text
                    .get(off as usize..off as usize + len as usize)
                    .unwrap_or("");
                let at = self.text.len() as u32;
                self.text.push_str(name);
                self.items.push((rec, at, len));
            }
        }
    }
}

/// Append UTF-16LE `b` to `s` as UTF-8 (unpaired surrogates become U+FFFD); returns the byte length.
fn push_utf16(s: &mut String, b: &[u8]) -> usize {
    let start = s.len();
    let units = b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
    s.extend(char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)));
    s.len() - start
}

/// The valid (record, name) entries of one directory; bad ones go to `inv.bad_index`.
pub(super) fn read_dir(
    src: &dyn ReadAt,
    geo: &Geometry,
    inv: &mut Inventory,
    dir: u64,
    out: &mut DirNames,
) -> Result<(), NtfsError> {
    read_dir_entries(src, geo, inv, dir, out)?;
    out.settle_dos();
    Ok(())
}

/// The entries of directory `dir`: its index root, then the index blocks it
/// leads to (DOS names not yet settled).
fn read_dir_entries(
    src: &dyn ReadAt,
    geo: &Geometry,
    inv: &mut Inventory,
    dir: u64,
    out: &mut DirNames,
) -> Result<(), NtfsError> {
    let meta = inv.scan.files[dir as usize];
    if meta.flags & F_HAS_INDEX_ROOT == 0 {
        return Ok(());
    }
    let (children, block_size) = read_index_root(src, geo, inv, dir, out)?;
    if children.is_empty() {
        return Ok(());
    }
    let i30: Vec<Extent> = {
        let a = meta.i30_first as usize;
        inv.scan
            .extents
            .get(a..a + meta.i30_count as usize)
            .unwrap_or(&[])
            .to_vec()
    };
    let bs = block_size as u64;
    if !(512..=65536).contains(&bs) || !bs.is_power_of_two() {
        inv.bad_index.add(1, || {
            format!("directory record {dir}: index block size {bs}")
        });
        return Ok(());
    }
    let index = DirIndex {
        dir,
        i30,
        block_size: bs,
    };
    read_index_blocks(src, geo, inv, &index, children, out)
}

/// Take the entries of directory `dir`'s `$I30` index root; the index blocks
/// its entries point to (by VCN) and the index block size it declares.
fn read_index_root(
    src: &dyn ReadAt,
    geo: &Geometry,
    inv: &mut Inventory,
    dir: u64,
    out: &mut DirNames,
) -> Result<(Vec<u64>, u32), NtfsError> {
    // The index root may sit in an extension record (attribute list).
    let mut recs = Vec::new();
    for r in inv.scan.records_of(dir as u32) {
        if let Some(b) = mft::read_record(src, geo, &inv.scan.mft_extents, r as u64)? {
            recs.push(b);
        }
    }
    let mut entries = Vec::new();
    let mut children = Vec::new();
    let mut block_size = 0u32;
    for a in recs.iter().flat_map(|r| attributes(r).flatten()) {
        if let (AT_INDEX_ROOT, Body::Resident(v, off)) = (a.ty, a.body) {
            if a.name_string() != "$I30" {
                continue;
            }
            match root_node(v) {
                Some((node, bs)) => {
                    block_size = bs;
                    if let Err(p) = node_entries(node, &mut entries, &mut children) {
                        inv.bad_index.add(1, || {
                            format!(
                                "directory record {dir}: index root entry at record offset {}",
                                off + 0x10 + p
                            )
                        });
                    }
                }
                None => inv
                    .bad_index
                    .add(1, || format!("directory record {dir}: index root header")),
            }
        }
    }
    take_entries(inv, dir, &entries, out);
    Ok((children, block_size))
}

/// A directory's index allocation: where its index blocks lie, and their size
/// (checked: a power of two from 512 to 65536).
struct DirIndex {
    dir: u64,
    i30: Vec<Extent>,
    block_size: u64,
}

/// Take the entries of every index block reachable from `children`, each
/// block once; damaged or unallocated blocks are counted as bad entries.
fn read_index_blocks(
    src: &dyn ReadAt,
    geo: &Geometry,
    inv: &mut Inventory,
    index: &DirIndex,
    mut children: Vec<u64>,
    out: &mut DirNames,
) -> Result<(), NtfsError> {
    let DirIndex {
        dir,
        ref i30,
        block_size: bs,
    } = *index;
    // VCNs of index blocks count clusters, or 512-byte units when blocks are smaller than a cluster.
    let vcn_unit = if bs >= geo.cluster_size {
        geo.cluster_size
    } else {
        512
    };
    let max_blocks: u64 = i30
        .iter()
        .fold(0u64, |n, e| n.saturating_add(e.clusters))
        .saturating_mul(geo.cluster_size)
        / bs;
    let mut seen = std::collections::HashSet::new();
    while let Some(vcn) = children.pop() {
        if !seen.insert(vcn) || seen.len() as u64 > max_blocks {
            continue; // a loop in the B-tree, or more blocks than the allocation holds
        }
        let at = vcn.checked_mul(vcn_unit);
        let Some((off, _)) = at.and_then(|p| mft::map_vcn_byte(geo, i30, p)) else {
            inv.bad_index.add(1, || {
                format!("directory record {dir}: index block VCN {vcn} not allocated")
            });
            continue;
        };
        // A block may straddle runs (a fragmented allocation, or blocks
        // larger than a cluster): read it piece by piece.
        let Some(mut block) = at
            .and_then(|p| read_mapped(src, geo, i30, p, bs))
            .transpose()?
        else {
            inv.bad_index.add(1, || {
                format!("directory record {dir}: index block at byte {off} cut short")
            });
            continue;
        };
        let Some(node) = block_node(&mut block) else {
            inv.bad_index.add(1, || format!("directory record {dir}: index block at byte {off} damaged (signature or fixup)"));
            continue;
        };
        let mut entries = Vec::new();
        if let Err(p) = node_entries(node, &mut entries, &mut children) {
            inv.bad_index.add(1, || {
                format!(
                    "directory record {dir}: index entry at byte {}",
                    off + 0x18 + p as u64
                )
            });
        }
        take_entries(inv, dir, &entries, out);
    }
    Ok(())
}

/// `len` bytes of an attribute's data from byte `pos`, across its runs;
/// `None` when part of the range is not mapped (sparse or past the runs).
fn read_mapped(
    src: &dyn ReadAt,
    geo: &Geometry,
    ext: &[Extent],
    pos: u64,
    len: u64,
) -> Option<Result<Vec<u8>, NtfsError>> {
    let end = pos.checked_add(len)?;
    let mut buf = Vec::with_capacity(usize::try_from(len).ok()?);
    let mut p = pos;
    while p < end {
        let (off, avail) = mft::map_vcn_byte(geo, ext, p)?;
        if avail == 0 {
            return None;
        }
        let take = avail.min(end - p);
        match read_vec(src, off, usize::try_from(take).ok()?) {
            Ok(b) => buf.extend_from_slice(&b),
            Err(e) => return Some(Err(e.into())),
        }
        p += take;
    }
    Some(Ok(buf))
}

fn take_entries(inv: &mut Inventory, dir: u64, entries: &[IndexEntry<'_>], out: &mut DirNames) {
    for e in entries {
        // DOS 8.3 names usually duplicate a Win32 name of the same record.
        let dos = e.namespace == 2;
        let (text, list) = if dos {
            (&mut out.dos_text, &mut out.dos)
        } else {
            (&mut out.text, &mut out.items)
        };
        let off = text.len();
        let len = push_utf16(text, e.name);
        let name = &text[off..];
        if e.record == dir {
            // The root lists itself as "."; any other entry naming its own directory is a loop.
            if !(dir == ROOT_RECORD && name == ".") {
                inv.dir_cycles.add(1, || {
                    format!("directory record {dir}, entry {name:?} -> itself")
                });
            }
            text.truncate(off);
            continue;
        }
        let target = inv.scan.files.get(e.record as usize);
        let problem = match target {
            None => Some("points past the end of $MFT"),
            Some(m) if m.state == mft::ST_BAD => None, // reported as a fixup error already
            Some(m) if m.state != ST_IN_USE => Some("points to an unused record"),
            Some(m) if e.seq != 0 && e.seq != m.seq => {
                Some("sequence number does not match the record")
            }
            Some(_) if e.parent != dir => Some("key names another parent directory"),
            Some(_) => {
                match (u32::try_from(off), u16::try_from(len)) {
                    (Ok(off), Ok(len)) => list.push((e.record, off, len)),
                    _ => text.truncate(off),
                }
                continue;
            }
        };
        if let Some(why) = problem {
            inv.bad_index.add(1, || {
                format!(
                    "directory record {dir}, entry {name:?} -> record {}: {why}",
                    e.record
                )
            });
        }
        text.truncate(off);
    }
}
