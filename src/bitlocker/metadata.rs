//! FVE metadata blocks (`docs/formats/bitlocker.md`, "FVE metadata"): block header, metadata header,
//! validation record (CRC-32 now, SHA-256 under the VMK later) and entries.

use super::entries::{self, CcmBlob, Entry, Value};
use super::error::{Error, Result};
use super::header::FVE_SIGNATURE;
use crate::bytes::{u16_at, u32_at, u64_at};
use crate::guid::Guid;
use crate::source::{read_vec_if_inside, ReadAt};

/// Each Win7+ copy owns this much space from its offset.
pub const AREA_SIZE: u64 = 64 * 1024;
const BLOCK_HEADER_LEN: usize = 64;
const METADATA_HEADER_LEN: usize = 48;
const VALIDATION_LEN: usize = 88;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockHeader {
    /// 1 = Vista, 2 = Windows 7 and later.
    pub version: u16,
    pub current_state: u16,
    pub next_state: u16,
    /// Bytes `[0, encrypted_size)` are encrypted.
    pub encrypted_size: u64,
    pub conversion_size: u32,
    /// Relocated boot sectors, in sectors.
    pub relocated_sectors: u32,
    pub copy_offsets: [u64; 3],
    /// v2: byte offset of the relocated boot sectors; v1: `$MFTMirr` cluster.
    pub relocated_offset: u64,
    /// Size of the block in bytes (header + metadata + padding).
    pub block_size: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataHeader {
    pub metadata_size: u32,
    pub volume_guid: Guid,
    pub next_nonce: u32,
    pub method: u16,
    pub creation_time: u64,
}

/// One parsed, CRC-checked copy of the FVE metadata.
#[derive(Debug, Clone)]
pub struct MetadataCopy {
    /// 1, 2 or 3.
    pub index: usize,
    pub offset: u64,
    /// The `block_size` bytes the CRC-32 and SHA-256 cover.
    pub raw: Vec<u8>,
    pub block: BlockHeader,
    pub header: MetadataHeader,
    pub entries: Vec<Entry>,
    /// The AES-CCM wrapped SHA-256 of `raw` (absent on Vista).
    pub validation: Option<CcmBlob>,
}

impl MetadataCopy {
    /// The first top-level entry of `entry_type`.
    pub fn entry(&self, entry_type: u16) -> Option<&Entry> {
        self.entries.iter().find(|e| e.entry_type == entry_type)
    }

    /// The description string (e.g. `DESKTOP-NPM7RCA H: 7/4/2019`).
    pub fn description(&self) -> Option<String> {
        match &self.entry(entries::entry_type::DESCRIPTION)?.value {
            Value::String(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// Offset and size of the relocated boot sectors: the 0x000F entry, else the
    /// block header (see "Decrypted view" in `docs/formats/bitlocker.md`).
    pub fn relocated_region(&self, bytes_per_sector: u64) -> Option<(u64, u64)> {
        let from_entry = self.entries.iter().find_map(|e| match e.value {
            Value::OffsetSize { offset, size }
                if e.entry_type == entries::entry_type::VOLUME_HEADER_BLOCK =>
            {
                Some((offset, size))
            }
            _ => None,
        });
        from_entry.or_else(|| {
            let len = u64::from(self.block.relocated_sectors).checked_mul(bytes_per_sector)?;
            Some((self.block.relocated_offset, len))
        })
    }
}

/// Read copy `index` (1-based) at `offset`, check its CRC-32 and parse it.
pub fn read_copy(vol: &dyn ReadAt, index: usize, offset: u64) -> Result<MetadataCopy> {
    let bad = |reason| Error::BadBlock { offset, reason };
    let head = read_vec_if_inside(vol, offset, BLOCK_HEADER_LEN)?
        .ok_or_else(|| bad("offset lies outside the volume"))?;
    let (version, block_size) = version_and_size(&head).map_err(bad)?;
    let trailer = if version == 2 { VALIDATION_LEN } else { 0 };
    let mut area = read_vec_if_inside(vol, offset, block_size + trailer)?
        .ok_or_else(|| bad("block runs past the end of the volume"))?;
    let record = area.split_off(block_size);
    let raw = area;

    let validation = if version == 2 {
        check_validation_record(&record, &raw, offset)?
    } else {
        None
    };
    let block = block_header(&raw, version, block_size);
    if version == 2 && block.copy_offsets.get(index.wrapping_sub(1)) != Some(&offset) {
        return Err(bad(
            "the block's own list of copies does not name this offset",
        ));
    }
    let m = BLOCK_HEADER_LEN;
    let header = metadata_header(&raw);
    let end = usize::try_from(header.metadata_size)
        .ok()
        .and_then(|s| s.checked_add(m))
        .filter(|&e| e <= block_size && e >= m + METADATA_HEADER_LEN)
        .ok_or_else(|| bad("metadata size does not fit the block"))?;
    let start = m + METADATA_HEADER_LEN;
    let entries = entries::parse_list(&raw[start..end], offset.saturating_add(start as u64))?;
    Ok(MetadataCopy {
        index,
        offset,
        raw,
        block,
        header,
        entries,
        validation,
    })
}

/// The block's version and size in bytes, from its first bytes `head`; the
/// reason when they are not a metadata block's.
fn version_and_size(head: &[u8]) -> std::result::Result<(u16, usize), &'static str> {
    if head.get(..8) != Some(&FVE_SIGNATURE[..]) {
        return Err("no -FVE-FS- signature");
    }
    let version = u16_at(head, 10).unwrap_or(0);
    let raw_size = usize::from(u16_at(head, 8).unwrap_or(0));
    let block_size = match version {
        2 => raw_size * 16,
        1 => raw_size,
        _ => return Err("unknown metadata version"),
    };
    if block_size > AREA_SIZE as usize || block_size < BLOCK_HEADER_LEN + METADATA_HEADER_LEN {
        return Err("block size outside 112 bytes .. 64 KiB");
    }
    Ok((version, block_size))
}

/// Check the v2 validation `record` that follows the block `raw` at `offset`:
/// its CRC-32 of the block; the AES-CCM blob it holds for the later SHA-256 check.
fn check_validation_record(record: &[u8], raw: &[u8], offset: u64) -> Result<Option<CcmBlob>> {
    let stored = u32_at(record, 4).unwrap_or(0);
    let computed = crc32fast::hash(raw);
    if u16_at(record, 0).unwrap_or(0) < VALIDATION_LEN as u16 || u16_at(record, 2) > Some(2) {
        return Err(Error::BadBlock {
            offset,
            reason: "validation record malformed",
        });
    }
    if stored != computed {
        return Err(Error::CrcMismatch {
            offset,
            stored,
            computed,
        });
    }
    let rec_off = offset.saturating_add(raw.len() as u64 + 8);
    let list = entries::parse_list(record.get(8..).unwrap_or_default(), rec_off)?;
    Ok(list.into_iter().find_map(|e| match e.value {
        Value::AesCcm(b) => Some(b),
        _ => None,
    }))
}

/// The block header at the start of `raw`.
fn block_header(raw: &[u8], version: u16, block_size: usize) -> BlockHeader {
    let at64 = |o| u64_at(raw, o).unwrap_or(0);
    BlockHeader {
        version,
        current_state: u16_at(raw, 12).unwrap_or(0),
        next_state: u16_at(raw, 14).unwrap_or(0),
        encrypted_size: at64(16),
        conversion_size: u32_at(raw, 24).unwrap_or(0),
        relocated_sectors: u32_at(raw, 28).unwrap_or(0),
        copy_offsets: [at64(32), at64(40), at64(48)],
        relocated_offset: at64(56),
        block_size,
    }
}

/// The metadata header that follows the block header.
fn metadata_header(raw: &[u8]) -> MetadataHeader {
    let m = BLOCK_HEADER_LEN;
    MetadataHeader {
        metadata_size: u32_at(raw, m).unwrap_or(0),
        volume_guid: Guid::from_disk(raw.get(m + 16..).unwrap_or_default()).unwrap_or_default(),
        next_nonce: u32_at(raw, m + 32).unwrap_or(0),
        method: u16_at(raw, m + 36).unwrap_or(0),
        creation_time: u64_at(raw, m + 40).unwrap_or(0),
    }
}

/// Offsets of all three copies: from the volume header, or (Vista) from the
/// first block's own list.
pub fn copy_offsets(vol: &dyn ReadAt, from_header: [u64; 3]) -> [u64; 3] {
    if from_header[1] != 0 || from_header[2] != 0 {
        return from_header;
    }
    match read_vec_if_inside(vol, from_header[0], BLOCK_HEADER_LEN) {
        Ok(Some(h)) if h.get(..8) == Some(&FVE_SIGNATURE[..]) => [
            from_header[0],
            u64_at(&h, 40).unwrap_or(0),
            u64_at(&h, 48).unwrap_or(0),
        ],
        _ => from_header,
    }
}

/// The three copies, each parsed or with the reason it is unusable.
pub fn read_all(vol: &dyn ReadAt, offsets: [u64; 3]) -> Vec<(u64, Result<MetadataCopy>)> {
    offsets
        .iter()
        .enumerate()
        .map(|(i, &off)| (off, read_copy(vol, i + 1, off)))
        .collect()
}
