//! Every file and directory reachable from the root, kept compact: one 16-byte
//! entry per name (parent index + name in a shared arena) and one summary per
//! MFT record; full paths are built on demand.

mod directory;

use super::integrity::Problems;
use super::mft::{self, FileMeta, MftScan, F_DIR, F_RESIDENT, ST_IN_USE};
use super::record::Extent;
use super::{Geometry, NtfsError};
use crate::source::ReadAt;
use directory::{read_dir, DirNames};
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
