//! MFT file records and index blocks: update sequence (fixup), attributes, data runs.
//! Every field read is bounds-checked; malformed input yields `None`/`Err`, never a panic.

use serde::Serialize;

pub(crate) const AT_STANDARD_INFORMATION: u32 = 0x10;
pub(crate) const AT_VOLUME_NAME: u32 = 0x60;
pub(crate) const AT_VOLUME_INFORMATION: u32 = 0x70;
pub(crate) const AT_DATA: u32 = 0x80;
pub(crate) const AT_INDEX_ROOT: u32 = 0x90;
pub(crate) const AT_INDEX_ALLOCATION: u32 = 0xA0;
pub(crate) const AT_REPARSE_POINT: u32 = 0xC0;
const AT_END: u32 = 0xFFFF_FFFF;

use crate::bytes::{u16_at, u32_at, u64_at};

/// Why a multi-sector record failed its update sequence check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FixupError {
    /// Update sequence array out of the record or of the wrong length.
    BadArray,
    /// A sector's last two bytes are not the update sequence number (torn write).
    Mismatch { sector: usize },
}

/// Apply the update sequence of a `FILE` or `INDX` record in place.
pub(crate) fn apply_fixup(buf: &mut [u8]) -> Result<(), FixupError> {
    let off = u16_at(buf, 4).ok_or(FixupError::BadArray)? as usize;
    let count = u16_at(buf, 6).ok_or(FixupError::BadArray)? as usize;
    // One USN plus one saved word per 512-byte sector.
    if count == 0 || (count - 1) * 512 != buf.len() {
        return Err(FixupError::BadArray);
    }
    let usn: [u8; 2] = buf
        .get(off..off + 2)
        .and_then(|s| s.try_into().ok())
        .ok_or(FixupError::BadArray)?;
    if off + count * 2 > buf.len() {
        return Err(FixupError::BadArray);
    }
    for i in 1..count {
        let tail = i * 512 - 2;
        if buf[tail..tail + 2] != usn {
            return Err(FixupError::Mismatch { sector: i - 1 });
        }
        let saved = off + i * 2;
        buf.copy_within(saved..saved + 2, tail);
    }
    Ok(())
}

/// The fixed part of a `FILE` record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileHeader {
    pub seq: u16,
    pub links: u16,
    pub first_attr: usize,
    pub in_use: bool,
    pub is_dir: bool,
    /// Base record of an extension record (0 for a base record).
    pub base: u64,
    /// An extension record: the base reference is set (record 0, `$MFT`, with its
    /// sequence number is a valid base, so the masked number alone does not tell).
    pub extension: bool,
}

pub(crate) fn file_header(b: &[u8]) -> Option<FileHeader> {
    if b.get(0..4)? != b"FILE" {
        return None;
    }
    let flags = u16_at(b, 0x16)?;
    Some(FileHeader {
        seq: u16_at(b, 0x10)?,
        links: u16_at(b, 0x12)?,
        first_attr: u16_at(b, 0x14)? as usize,
        in_use: flags & 1 != 0,
        is_dir: flags & 2 != 0,
        base: u64_at(b, 0x20)? & REF_MASK,
        extension: u64_at(b, 0x20)? != 0,
    })
}

/// Record number part of a file reference.
pub(crate) const REF_MASK: u64 = 0x0000_FFFF_FFFF_FFFF;

#[derive(Debug, Clone, Copy)]
pub(crate) struct NonResident<'a> {
    pub start_vcn: u64,
    pub runs: &'a [u8],
    pub compression_unit: u8,
    pub allocated: u64,
    pub size: u64,
    pub initialized: u64,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Body<'a> {
    /// Value bytes and their offset inside the record.
    Resident(&'a [u8], usize),
    NonResident(NonResident<'a>),
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Attr<'a> {
    pub ty: u32,
    /// UTF-16LE name bytes.
    pub name: &'a [u8],
    pub flags: u16,
    pub body: Body<'a>,
}

impl Attr<'_> {
    pub fn name_string(&self) -> String {
        utf16_name(self.name)
    }
    pub fn value_len(&self) -> u64 {
        match self.body {
            Body::Resident(v, _) => v.len() as u64,
            Body::NonResident(n) => n.size,
        }
    }
}

pub(crate) fn utf16_name(b: &[u8]) -> String {
    let units = b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// The attributes of a fixed-up `FILE` record; stops at the end marker or at
/// the first malformed attribute (reported as `Err` once).
pub(crate) fn attributes(rec: &[u8]) -> Attributes<'_> {
    let pos = file_header(rec).map_or(usize::MAX, |h| h.first_attr);
    Attributes { rec, pos }
}

pub(crate) struct Attributes<'a> {
    rec: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Result<Attr<'a>, usize>;

    fn next(&mut self) -> Option<Self::Item> {
        let p = self.pos;
        let ty = u32_at(self.rec, p)?;
        if ty == AT_END {
            return None;
        }
        match parse_attr(self.rec, p) {
            Some((attr, len)) => {
                self.pos = p + len;
                Some(Ok(attr))
            }
            None => {
                self.pos = usize::MAX; // stop after an error
                Some(Err(p))
            }
        }
    }
}

fn parse_attr(rec: &[u8], p: usize) -> Option<(Attr<'_>, usize)> {
    let ty = u32_at(rec, p)?;
    let len = u32_at(rec, p + 4)? as usize;
    if len < 0x18 || len % 8 != 0 || p.checked_add(len)? > rec.len() {
        return None;
    }
    let a = &rec[p..p + len];
    let non_resident = *a.get(8)? != 0;
    let name_len = *a.get(9)? as usize * 2;
    let name_off = u16_at(a, 10)? as usize;
    let name = a.get(name_off..name_off.checked_add(name_len)?)?;
    let flags = u16_at(a, 12)?;
    let body = if non_resident {
        let runs_off = u16_at(a, 0x20)? as usize;
        Body::NonResident(NonResident {
            start_vcn: u64_at(a, 0x10)?,
            runs: a.get(runs_off..)?,
            compression_unit: *a.get(0x22)?,
            allocated: u64_at(a, 0x28)?,
            size: u64_at(a, 0x30)?,
            initialized: u64_at(a, 0x38)?,
        })
    } else {
        let vlen = u32_at(a, 0x10)? as usize;
        let voff = u16_at(a, 0x14)? as usize;
        Body::Resident(a.get(voff..voff.checked_add(vlen)?)?, p + voff)
    };
    Some((
        Attr {
            ty,
            name,
            flags,
            body,
        },
        len,
    ))
}

/// Sentinel LCN of a sparse run (no clusters on disk).
pub const SPARSE: u64 = u64::MAX;

/// One run of an attribute's data: `clusters` clusters from virtual cluster
/// `vcn`, stored at logical cluster `lcn` (or nowhere, when sparse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    pub vcn: u64,
    pub lcn: u64,
    pub clusters: u64,
}

impl Extent {
    pub fn is_sparse(&self) -> bool {
        self.lcn == SPARSE
    }
}

impl Serialize for Extent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Extent", 3)?;
        st.serialize_field("vcn", &self.vcn)?;
        st.serialize_field("lcn", &(!self.is_sparse()).then_some(self.lcn))?;
        st.serialize_field("clusters", &self.clusters)?;
        st.end()
    }
}

/// Decode a mapping-pairs array. `None` when it is malformed (LCN below 0 or
/// past u64, lengths of zero, VCN overflow). Bounded by the byte length.
pub(crate) fn decode_runs(mut b: &[u8], start_vcn: u64, out: &mut Vec<Extent>) -> Option<()> {
    let mut vcn = start_vcn;
    let mut lcn: i64 = 0;
    loop {
        let (&h, rest) = b.split_first()?;
        if h == 0 {
            return Some(());
        }
        let (ls, os) = ((h & 0x0F) as usize, (h >> 4) as usize);
        if ls == 0 || ls > 8 || os > 8 || rest.len() < ls + os {
            return None;
        }
        let len = le_unsigned(&rest[..ls]);
        if len == 0 || len > i64::MAX as u64 {
            return None;
        }
        let lcn_out = if os == 0 {
            SPARSE
        } else {
            lcn = lcn.checked_add(le_signed(&rest[ls..ls + os]))?;
            u64::try_from(lcn).ok()?
        };
        out.push(Extent {
            vcn,
            lcn: lcn_out,
            clusters: len,
        });
        vcn = vcn.checked_add(len)?;
        b = &rest[ls + os..];
    }
}

fn le_unsigned(b: &[u8]) -> u64 {
    b.iter().rev().fold(0u64, |acc, &x| (acc << 8) | x as u64)
}

fn le_signed(b: &[u8]) -> i64 {
    let u = le_unsigned(b);
    let bits = b.len() * 8;
    if bits == 64 || bits == 0 {
        return u as i64;
    }
    // Sign-extend from the top bit of the last byte.
    let shift = 64 - bits;
    ((u << shift) as i64) >> shift
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_decode_with_sparse_and_negative_offsets() {
        // 0x10 clusters at 0x1000, 0x8 sparse, 0x4 at 0x1000 - 0x10.
        let b = [0x21, 0x10, 0x00, 0x10, 0x01, 0x08, 0x11, 0x04, 0xF0, 0x00];
        let mut out = Vec::new();
        decode_runs(&b, 0, &mut out).unwrap();
        assert_eq!(
            out,
            vec![
                Extent {
                    vcn: 0,
                    lcn: 0x1000,
                    clusters: 0x10
                },
                Extent {
                    vcn: 0x10,
                    lcn: SPARSE,
                    clusters: 8
                },
                Extent {
                    vcn: 0x18,
                    lcn: 0xFF0,
                    clusters: 4
                },
            ]
        );
        assert!(decode_runs(&[0x11, 0x01, 0x80, 0x00], 0, &mut Vec::new()).is_none());
        assert!(decode_runs(&[0x11, 0x01], 0, &mut Vec::new()).is_none());
    }

    #[test]
    fn fixup_detects_torn_sector() {
        let mut rec = vec![0u8; 1024];
        rec[0..4].copy_from_slice(b"FILE");
        rec[4..6].copy_from_slice(&0x30u16.to_le_bytes());
        rec[6..8].copy_from_slice(&3u16.to_le_bytes());
        rec[0x30..0x36].copy_from_slice(&[7, 0, 0xAA, 0xBB, 0xCC, 0xDD]);
        rec[510..512].copy_from_slice(&[7, 0]);
        rec[1022..1024].copy_from_slice(&[7, 0]);
        let mut ok = rec.clone();
        apply_fixup(&mut ok).unwrap();
        assert_eq!(&ok[510..512], &[0xAA, 0xBB]);
        assert_eq!(&ok[1022..1024], &[0xCC, 0xDD]);
        rec[1023] = 9;
        assert_eq!(
            apply_fixup(&mut rec),
            Err(FixupError::Mismatch { sector: 1 })
        );
    }
}
