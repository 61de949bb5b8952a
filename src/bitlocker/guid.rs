//! Microsoft-layout GUIDs (first three fields little-endian, `bitlocker.md` conventions).

use serde::{Serialize, Serializer};
use std::fmt;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Guid(pub [u8; 16]);

impl Guid {
    /// The GUID stored in `b[0..16]`, if there are 16 bytes.
    pub fn from_slice(b: &[u8]) -> Option<Guid> {
        b.get(..16)?.try_into().ok().map(Guid)
    }

    /// Parse `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (case-insensitive, braces allowed).
    pub fn parse(s: &str) -> Option<Guid> {
        let hex: String = s
            .trim()
            .trim_start_matches('{')
            .trim_end_matches('}')
            .chars()
            .filter(|&c| c != '-')
            .collect();
        if hex.len() != 32 || !hex.is_ascii() {
            return None;
        }
        let mut text = [0u8; 16];
        for (i, byte) in text.iter_mut().enumerate() {
            *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        // Text order → on-disk order: reverse the first three fields.
        let mut b = text;
        b[0..4].reverse();
        b[4..6].reverse();
        b[6..8].reverse();
        Some(Guid(b))
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.0;
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-",
            u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            u16::from_le_bytes([b[4], b[5]]),
            u16::from_le_bytes([b[6], b[7]])
        )?;
        for x in &b[8..10] {
            write!(f, "{x:02x}")?;
        }
        f.write_str("-")?;
        for x in &b[10..16] {
            write!(f, "{x:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Guid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_example() {
        let b = [
            0x3b, 0xd6, 0x67, 0x49, 0x29, 0x2e, 0xd8, 0x4a, 0x83, 0x99, 0xf6, 0xa3, 0x39, 0xe3,
            0xd0, 0x01,
        ];
        let g = Guid(b);
        assert_eq!(g.to_string(), "4967d63b-2e29-4ad8-8399-f6a339e3d001");
        assert_eq!(
            Guid::parse("{4967D63B-2E29-4AD8-8399-F6A339E3D001}"),
            Some(g)
        );
        assert_eq!(Guid::parse("4967d63b"), None);
    }
}
