//! FVE metadata entries ("datums"; `docs/formats/bitlocker.md`, "Entries"). Input is hostile: every
//! size is bounded, nesting is limited, unknown value types are kept as
//! [`Value::Unknown`] and skipped by the readers above.

use super::error::{Error, Result};
use crate::bytes::{array_at, u16_at, u64_at, utf16le};
use crate::guid::Guid;
use zeroize::Zeroizing;

/// Deepest nesting accepted (the deepest seen is 3: VMK → stretch key → AES-CCM).
pub const MAX_DEPTH: usize = 8;

/// Entry types used by the reader.
pub mod entry_type {
    pub const PROPERTY: u16 = 0x0000;
    pub const VMK: u16 = 0x0002;
    pub const FVEK: u16 = 0x0003;
    pub const STARTUP_KEY: u16 = 0x0006;
    pub const DESCRIPTION: u16 = 0x0007;
    pub const FVEK_BACKUP: u16 = 0x000B;
    pub const VOLUME_HEADER_BLOCK: u16 = 0x000F;
    pub const VOLUME_GUID: u16 = 0x0019;
}

/// An AES-CCM wrapped payload: nonce, tag, ciphertext, in that on-disk order (the tag comes
/// before the data).
#[derive(Clone, PartialEq, Eq)]
pub struct CcmBlob {
    /// Byte offset of the entry on the volume (or in the `.BEK` file).
    pub offset: u64,
    pub nonce: [u8; 12],
    pub tag: [u8; 16],
    pub ciphertext: Vec<u8>,
}

impl std::fmt::Debug for CcmBlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CcmBlob(@{}, {} bytes)",
            self.offset,
            self.ciphertext.len()
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Erased,
    /// A key in the clear (clear-key protector, `.BEK` key).
    Key {
        method: u16,
        key: Zeroizing<Vec<u8>>,
    },
    String(String),
    StretchKey {
        method: u16,
        salt: [u8; 16],
        children: Vec<Entry>,
    },
    UseKey {
        method: u16,
        children: Vec<Entry>,
    },
    AesCcm(CcmBlob),
    Vmk {
        guid: Guid,
        modified: u64,
        protection: u16,
        children: Vec<Entry>,
    },
    ExternalKey {
        guid: Guid,
        modified: u64,
        children: Vec<Entry>,
    },
    OffsetSize {
        offset: u64,
        size: u64,
    },
    Guid(Guid),
    /// A value type this reader does not interpret (listed, then skipped).
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Byte offset of the entry header on the volume.
    pub offset: u64,
    pub entry_type: u16,
    pub value_type: u16,
    pub version: u16,
    pub value: Value,
}

impl Entry {
    /// Direct children (empty for leaf values).
    pub fn children(&self) -> &[Entry] {
        match &self.value {
            Value::StretchKey { children, .. }
            | Value::UseKey { children, .. }
            | Value::Vmk { children, .. }
            | Value::ExternalKey { children, .. } => children,
            _ => &[],
        }
    }

    /// The first direct AES-CCM child (the one a protector's secret unwraps).
    pub fn direct_ccm(&self) -> Option<&CcmBlob> {
        self.children().iter().find_map(|c| match &c.value {
            Value::AesCcm(b) => Some(b),
            _ => None,
        })
    }
}

/// Parse the entry list in `buf`, whose first byte is at volume offset `base`.
pub fn parse_list(buf: &[u8], base: u64) -> Result<Vec<Entry>> {
    parse_at_depth(buf, base, 0)
}

fn parse_at_depth(buf: &[u8], base: u64, depth: usize) -> Result<Vec<Entry>> {
    if depth > MAX_DEPTH {
        return Err(Error::TooDeep(MAX_DEPTH));
    }
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos + 8 <= buf.len() {
        let offset = base.saturating_add(pos as u64);
        let size = usize::from(u16_at(buf, pos).unwrap_or(0));
        if size == 0 {
            break;
        }
        let bad = |reason| Error::BadEntry { offset, reason };
        if size < 8 {
            return Err(bad("entry size below the 8-byte header"));
        }
        let body = buf
            .get(pos + 8..pos + size)
            .ok_or_else(|| bad("entry runs past its container"))?;
        let entry_type = u16_at(buf, pos + 2).unwrap_or(0);
        let value_type = u16_at(buf, pos + 4).unwrap_or(0);
        let version = u16_at(buf, pos + 6).unwrap_or(0);
        let value = parse_value(value_type, body, offset.saturating_add(8), depth).map_err(
            |e| match e {
                Error::BadEntry { .. } | Error::TooDeep(_) => e,
                _ => bad("malformed value"),
            },
        )?;
        out.push(Entry {
            offset,
            entry_type,
            value_type,
            version,
            value,
        });
        pos += size;
    }
    Ok(out)
}

fn parse_value(value_type: u16, b: &[u8], off: u64, depth: usize) -> Result<Value> {
    let short = || Error::BadEntry {
        offset: off.saturating_sub(8),
        reason: "value shorter than its type requires",
    };
    let nested = |from: usize| -> Result<Vec<Entry>> {
        let rest = b.get(from..).ok_or_else(short)?;
        parse_at_depth(rest, off.saturating_add(from as u64), depth + 1)
    };
    Ok(match value_type {
        0x00 => Value::Erased,
        0x01 => Value::Key {
            method: u16_at(b, 0).ok_or_else(short)?,
            key: Zeroizing::new(b.get(4..).ok_or_else(short)?.to_vec()),
        },
        0x02 => Value::String(utf16le(b)),
        0x03 => Value::StretchKey {
            method: u16_at(b, 0).ok_or_else(short)?,
            salt: array_at(b, 4).ok_or_else(short)?,
            children: nested(20)?,
        },
        0x04 => Value::UseKey {
            method: u16_at(b, 0).ok_or_else(short)?,
            children: nested(4)?,
        },
        0x05 => Value::AesCcm(CcmBlob {
            offset: off.saturating_sub(8),
            nonce: array_at(b, 0).ok_or_else(short)?,
            tag: array_at(b, 12).ok_or_else(short)?,
            ciphertext: b.get(28..).ok_or_else(short)?.to_vec(),
        }),
        0x08 => Value::Vmk {
            guid: Guid::from_disk(b).ok_or_else(short)?,
            modified: u64_at(b, 16).ok_or_else(short)?,
            protection: u16_at(b, 26).ok_or_else(short)?,
            children: nested(28)?,
        },
        0x09 => Value::ExternalKey {
            guid: Guid::from_disk(b).ok_or_else(short)?,
            modified: u64_at(b, 16).ok_or_else(short)?,
            children: nested(24)?,
        },
        0x0F => Value::OffsetSize {
            offset: u64_at(b, 0).ok_or_else(short)?,
            size: u64_at(b, 8).ok_or_else(short)?,
        },
        0x17 => Value::Guid(Guid::from_disk(b).ok_or_else(short)?),
        _ => Value::Unknown,
    })
}

/// Every entry (recursively) whose value type this reader does not know, as
/// `"type 0x…/value 0x… at byte N"`, for the report.
pub fn unknown_entries(list: &[Entry]) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(list: &[Entry], out: &mut Vec<String>) {
        for e in list {
            if e.value == Value::Unknown {
                out.push(format!(
                    "entry type {:#06x}, value type {:#06x} at byte {}",
                    e.entry_type, e.value_type, e.offset
                ));
            }
            walk(e.children(), out);
        }
    }
    walk(list, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(t: u16, vt: u16, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&((payload.len() + 8) as u16).to_le_bytes());
        v.extend_from_slice(&t.to_le_bytes());
        v.extend_from_slice(&vt.to_le_bytes());
        v.extend_from_slice(&1u16.to_le_bytes());
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn nested_vmk_with_stretch_and_ccm() {
        let ccm = entry(0, 5, &[7u8; 28 + 44]);
        let mut stretch = vec![0x00, 0x10, 0, 0];
        stretch.extend_from_slice(&[9u8; 16]);
        let stretch = entry(0, 3, &stretch);
        let mut vmk = vec![0xAB; 16];
        vmk.extend_from_slice(&[0; 8]);
        vmk.extend_from_slice(&[0, 0, 0x00, 0x08]);
        vmk.extend_from_slice(&stretch);
        vmk.extend_from_slice(&ccm);
        let mut list = entry(2, 8, &vmk);
        list.extend_from_slice(&entry(0x77, 0x42, b"abc"));
        list.extend_from_slice(&[0u8; 16]); // padding ends the list
        let parsed = parse_list(&list, 1000).unwrap();
        assert_eq!(parsed.len(), 2);
        let Value::Vmk { protection, .. } = parsed[0].value else {
            panic!()
        };
        assert_eq!(protection, 0x0800);
        assert_eq!(parsed[0].children().len(), 2);
        assert_eq!(parsed[0].direct_ccm().unwrap().ciphertext.len(), 44);
        assert_eq!(parsed[0].direct_ccm().unwrap().offset, 1000 + 8 + 28 + 28);
        assert_eq!(unknown_entries(&parsed).len(), 1);
    }

    #[test]
    fn hostile_sizes_are_errors_not_panics() {
        let mut e = entry(2, 8, &[0u8; 40]);
        e[0] = 200; // runs past the buffer
        assert!(matches!(
            parse_list(&e, 0),
            Err(Error::BadEntry { offset: 0, .. })
        ));
        let e = entry(2, 8, &[0u8; 4]); // VMK too short
        assert!(parse_list(&e, 0).is_err());
        let mut e = entry(0, 1, &[]);
        e[0] = 3;
        assert!(parse_list(&e, 0).is_err());
    }

    #[test]
    fn nesting_is_bounded() {
        let mut inner = entry(0, 4, &[0, 0, 0, 0]);
        for _ in 0..20 {
            let mut p = vec![0, 0, 0, 0];
            p.extend_from_slice(&inner);
            inner = entry(0, 4, &p);
        }
        assert!(matches!(parse_list(&inner, 0), Err(Error::TooDeep(_))));
    }
}
