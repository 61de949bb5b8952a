//! Directory indexes (`$I30`): the index root in the record and `INDX` blocks.

use super::record::{apply_fixup, REF_MASK};
use crate::bytes::{u16_at, u32_at, u64_at};

/// One entry of a directory index (a `$FILE_NAME` key and where it points).
#[derive(Debug, Clone)]
pub(crate) struct IndexEntry<'a> {
    pub record: u64,
    pub seq: u16,
    pub parent: u64,
    pub namespace: u8,
    /// UTF-16LE name.
    pub name: &'a [u8],
}

/// Entries of one index node plus the child nodes (VCNs) it points to.
/// `node` starts at the node header. `Err` names the offset (in `node`) that is malformed.
pub(crate) fn node_entries<'a>(
    node: &'a [u8],
    out: &mut Vec<IndexEntry<'a>>,
    children: &mut Vec<u64>,
) -> Result<(), usize> {
    let start = u32_at(node, 0).ok_or(0usize)? as usize;
    let end = u32_at(node, 4).ok_or(4usize)? as usize;
    if end > node.len() || start > end {
        return Err(0);
    }
    let mut p = start;
    while p < end {
        let len = u16_at(node, p + 8).ok_or(p)? as usize;
        let key_len = u16_at(node, p + 10).ok_or(p)? as usize;
        let flags = *node.get(p + 12).ok_or(p)?;
        if len < 16 || len % 8 != 0 || p + len > end {
            return Err(p);
        }
        if flags & 1 != 0 {
            children.push(u64_at(node, p + len - 8).ok_or(p)?);
        }
        if flags & 2 != 0 {
            return Ok(());
        }
        let key = node
            .get(p + 16..p + 16 + key_len)
            .filter(|_| 16 + key_len <= len)
            .ok_or(p)?;
        let name_len = *key.get(0x40).ok_or(p)? as usize * 2;
        let reference = u64_at(node, p).ok_or(p)?;
        out.push(IndexEntry {
            record: reference & REF_MASK,
            seq: (reference >> 48) as u16,
            parent: u64_at(key, 0).ok_or(p)? & REF_MASK,
            namespace: *key.get(0x41).ok_or(p)?,
            name: key.get(0x42..0x42 + name_len).ok_or(p)?,
        });
        p += len;
    }
    // No "last" entry: the node is cut short.
    Err(end)
}

/// The node of an `$INDEX_ROOT` value and the index block size it declares.
pub(crate) fn root_node(value: &[u8]) -> Option<(&[u8], u32)> {
    if u32_at(value, 0)? != 0x30 {
        return None;
    }
    Some((value.get(0x10..)?, u32_at(value, 8)?))
}

/// The node of an `INDX` block after its fixup; `None` when the block is damaged.
pub(crate) fn block_node(block: &mut [u8]) -> Option<&[u8]> {
    if block.get(0..4)? != b"INDX" {
        return None;
    }
    apply_fixup(block).ok()?;
    block.get(0x18..)
}
