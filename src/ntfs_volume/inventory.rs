//! Every file and directory reachable from the root, kept compact: one 16-byte
//! entry per name (parent index + name in a shared arena) and one summary per
//! MFT record; full paths are built on demand.

use super::index::{block_node, node_entries, root_node, IndexEntry};
use super::integrity::Problems;
use super::mft::{self, FileMeta, MftScan, F_DIR, F_HAS_INDEX_ROOT, F_RESIDENT, ST_IN_USE};
use super::record::{attributes, Body, Extent, AT_INDEX_ROOT};
use super::{Geometry, NtfsError};
use crate::source::{read_vec, ReadAt};
use serde::Serialize;

pub const ROOT_RECORD: u64 = 5;
const EXTEND_RECORD: u64 = 11;
const NO_PARENT: u32 = u32::MAX;
const E_SYSTEM: u16 = 1;

pub const ATTR_ENCRYPTED: u32 = 0x4000;
pub const ATTR_SPARSE: u32 = 0x200;
pub const ATTR_COMPRESSED: u32 = 0x800;
pub const ATTR_REPARSE: u32 = 0x400;

#[derive(Debug, Clone, Copy)]
struct Entry {
    parent: u32,
    name_off: u32,
    record: u32,
    name_len: u16,
    flags: u16,
}

/// The walk's result. Index with `0..len()`.
pub struct Inventory {
    entries: Vec<Entry>,
    names: String,
    pub(crate) scan: MftScan,
    /// One bit per record: reached from the root.
    pub(crate) reached: Vec<u64>,
    pub(crate) bad_index: Problems,
    /// Index entries that lead to a directory already in the tree (NTFS has no
    /// directory hard links, so this is a cycle or a second parent).
    pub(crate) dir_cycles: Problems,
}

/// Where a file's unnamed data is.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum DataRef<'a> {
    None,
    /// Stored in the MFT record itself; read it with the content reader.
    Resident {
        len: u64,
    },
    Extents {
        extents: &'a [Extent],
    },
}

/// One entry with its facts, ready for `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct EntryInfo<'a> {
    pub path: String,
    pub record: u64,
    pub size: u64,
    pub allocated: u64,
    pub is_dir: bool,
    pub system: bool,
    pub sparse: bool,
    pub compressed: bool,
    pub encrypted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reparse_tag: Option<u32>,
    pub hard_links: u16,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub streams: Vec<StreamInfo<'a>>,
    pub data: DataRef<'a>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StreamInfo<'a> {
    pub name: &'a str,
    pub size: u64,
}

impl Inventory {
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The name of entry `i` (one path component).
    pub fn name(&self, i: usize) -> &str {
        let e = &self.entries[i];
        let start = e.name_off as usize;
        self.names
            .get(start..start + e.name_len as usize)
            .unwrap_or("")
    }

    /// Full path of entry `i`, `/`-separated, without a leading `/`.
    pub fn path(&self, i: usize) -> String {
        let mut s = String::new();
        self.path_into(i, &mut s, &mut Vec::new());
        s
    }

    /// Append the path of entry `i` to `s`; `parts` is scratch space (no allocation per call).
    pub fn path_into(&self, i: usize, s: &mut String, parts: &mut Vec<usize>) {
        parts.clear();
        parts.push(i);
        let mut p = self.entries[i].parent;
        // Parents always come before their children, so this ends.
        while p != NO_PARENT && (p as usize) < i {
            parts.push(p as usize);
            p = self.entries[p as usize].parent;
        }
        for (k, &j) in parts.iter().rev().enumerate() {
            if k > 0 {
                s.push('/');
            }
            s.push_str(self.name(j));
        }
    }

    pub fn record(&self, i: usize) -> u64 {
        self.entries[i].record as u64
    }
    pub fn is_system(&self, i: usize) -> bool {
        self.entries[i].flags & E_SYSTEM != 0
    }
    fn meta(&self, i: usize) -> &FileMeta {
        &self.scan.files[self.entries[i].record as usize]
    }
    pub fn is_dir(&self, i: usize) -> bool {
        self.meta(i).flags & F_DIR != 0
    }
    /// Size of the unnamed data stream (0 for directories).
    pub fn size(&self, i: usize) -> u64 {
        self.meta(i).size
    }

    /// Where the unnamed data of entry `i` lives.
    pub fn data(&self, i: usize) -> DataRef<'_> {
        self.data_of(self.meta(i))
    }

    pub(crate) fn data_of(&self, m: &FileMeta) -> DataRef<'_> {
        if m.flags & F_RESIDENT != 0 {
            DataRef::Resident { len: m.size }
        } else if m.data_count == 0 {
            DataRef::None
        } else {
            let a = m.data_first as usize;
            DataRef::Extents {
                extents: self
                    .scan
                    .extents
                    .get(a..a + m.data_count as usize)
                    .unwrap_or(&[]),
            }
        }
    }

    /// Named data streams (alternate data streams): name and size.
    pub fn streams(&self, i: usize) -> Vec<StreamInfo<'_>> {
        let m = self.meta(i);
        let a = m.stream_first as usize;
        let recs = self
            .scan
            .streams
            .get(a..a + m.stream_count as usize)
            .unwrap_or(&[]);
        recs.iter()
            .map(|s| StreamInfo {
                name: self
                    .scan
                    .stream_names
                    .get(s.name_off as usize..(s.name_off + s.name_len) as usize)
                    .unwrap_or(""),
                size: s.size,
            })
            .collect()
    }

    pub fn info(&self, i: usize) -> EntryInfo<'_> {
        let m = self.meta(i);
        EntryInfo {
            path: self.path(i),
            record: self.record(i),
            size: m.size,
            allocated: m.allocated,
            is_dir: m.flags & F_DIR != 0,
            system: self.is_system(i),
            sparse: m.attrs & ATTR_SPARSE != 0,
            compressed: m.attrs & ATTR_COMPRESSED != 0 || m.cu_shift != 0,
            encrypted: m.attrs & ATTR_ENCRYPTED != 0,
            reparse_tag: (m.reparse_tag != 0 || m.attrs & ATTR_REPARSE != 0)
                .then_some(m.reparse_tag),
            hard_links: m.links,
            streams: self.streams(i),
            data: self.data(i),
        }
    }

    /// (files, directories) among the entries, system files excluded.
    pub fn counts(&self) -> (u64, u64) {
        let (mut f, mut d) = (0, 0);
        for i in 0..self.len() {
            if !self.is_system(i) {
                if self.is_dir(i) {
                    d += 1
                } else {
                    f += 1
                }
            }
        }
        (f, d)
    }

    /// Heap bytes held (to measure the cost per file).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.entries.capacity() * size_of::<Entry>()
            + self.names.capacity()
            + self.scan.files.capacity() * size_of::<FileMeta>()
            + self.scan.extents.capacity() * size_of::<Extent>()
            + self.scan.streams.capacity() * size_of::<mft::StreamRec>()
            + self.scan.stream_names.capacity()
            + self.scan.owned.capacity() * 8
            + self.reached.capacity() * 8
    }
}

/// Scan the MFT and walk the directory tree from the root.
pub(crate) fn build(src: &dyn ReadAt, geo: &Geometry) -> Result<Inventory, NtfsError> {
    let scan = mft::scan(src, geo)?;
    let n = scan.files.len();
    let mut inv = Inventory {
        entries: Vec::new(),
        names: String::new(),
        reached: vec![0u64; n.div_ceil(64)],
        scan,
        bad_index: Problems::default(),
        dir_cycles: Problems::default(),
    };
    if n as u64 <= ROOT_RECORD || inv.scan.files[ROOT_RECORD as usize].state != ST_IN_USE {
        return Err(NtfsError::corrupt(
            geo.mft_offset,
            "root directory record is not in use",
        ));
    }
    set_bit(&mut inv.reached, ROOT_RECORD as usize);
    // (directory record, its entry index, whether its subtree is system).
    let mut stack: Vec<(u64, u32, bool)> = vec![(ROOT_RECORD, NO_PARENT, false)];
    let mut names = DirNames::default();
    while let Some((dir, dir_entry, system_tree)) = stack.pop() {
        names.clear();
        read_dir(src, geo, &mut inv, dir, &mut names)?;
        for &(rec, off, len) in &names.items {
            let name = names
                .text
                .get(off as usize..off as usize + len as usize)
                .unwrap_or("");
            let system = system_tree || rec < 24 && dir == ROOT_RECORD;
            let idx = inv.entries.len() as u32;
            let name_off = inv.names.len() as u32;
            inv.names.push_str(name);
            inv.entries.push(Entry {
                parent: dir_entry,
                name_off,
                record: rec as u32,
                name_len: len,
                flags: if system { E_SYSTEM } else { 0 },
            });
            let is_dir = inv.scan.files[rec as usize].flags & F_DIR != 0;
            // A directory reached twice (a cycle, or a record pointing at itself) is listed, not entered again.
            if !get_bit(&inv.reached, rec as usize) {
                set_bit(&mut inv.reached, rec as usize);
                if is_dir {
                    stack.push((rec, idx, system || rec == EXTEND_RECORD));
                }
            } else if is_dir {
                inv.dir_cycles.add(1, || {
                    format!("directory record {dir}, entry {name:?} -> directory record {rec}")
                });
            }
        }
    }
    Ok(inv)
}

/// The names of one directory, without a heap allocation per name.
#[derive(Default)]
struct DirNames {
    text: String,
    /// (record, offset in `text`, length in bytes).
    items: Vec<(u64, u32, u16)>,
    /// DOS 8.3 names, listed only for records that have no other name here.
    dos_text: String,
    dos: Vec<(u64, u32, u16)>,
}

impl DirNames {
    fn clear(&mut self) {
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
fn read_dir(
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
        let Some((off, _)) = at.and_then(|p| mft::map_vcn_byte(geo, &i30, p)) else {
            inv.bad_index.add(1, || {
                format!("directory record {dir}: index block VCN {vcn} not allocated")
            });
            continue;
        };
        // A block may straddle runs (a fragmented allocation, or blocks
        // larger than a cluster): read it piece by piece.
        let Some(mut block) = at
            .and_then(|p| read_mapped(src, geo, &i30, p, bs))
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

pub(crate) fn get_bit(bits: &[u64], i: usize) -> bool {
    bits.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
}

fn set_bit(bits: &mut [u64], i: usize) {
    if let Some(w) = bits.get_mut(i / 64) {
        *w |= 1 << (i % 64);
    }
}

/// Windows makes these in every NTFS root; they are never imported.
const WINDOWS_ROOT_FOLDERS: [&str; 2] = ["System Volume Information", "$RECYCLE.BIN"];

/// `path` (volume-relative, `/`-separated) is in, or is, one of the folders
/// Windows makes in every NTFS root; NTFS names them in any case.
pub fn in_windows_root_folder(path: &str) -> bool {
    let top = path.split('/').next().unwrap_or("");
    WINDOWS_ROOT_FOLDERS
        .iter()
        .any(|w| w.eq_ignore_ascii_case(top))
}
