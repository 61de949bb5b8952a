//! GUIDs as Microsoft stores them on disk (first three fields little-endian).

use serde::{Serialize, Serializer};
use std::fmt;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Guid(pub [u8; 16]);

impl Guid {
    /// From the 16 on-disk bytes at the start of `b`; `None` when `b` is shorter.
    pub fn from_disk(b: &[u8]) -> Option<Guid> {
        b.get(..16)?.try_into().ok().map(Guid)
    }

    /// Parse `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (any case, braces allowed).
    pub fn parse(s: &str) -> Option<Guid> {
        let s = s.trim().trim_start_matches('{').trim_end_matches('}');
        let hex: String = s.chars().filter(|c| *c != '-').collect();
        if hex.len() != 32 || s.len() != 36 || !hex.is_ascii() {
            return None;
        }
        let mut v = [0u8; 16];
        for (i, byte) in v.iter_mut().enumerate() {
            *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        // Text order → on-disk order: reverse the first three fields.
        v[0..4].reverse();
        v[4..6].reverse();
        v[6..8].reverse();
        Some(Guid(v))
    }

    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|&b| b == 0)
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.0;
        write!(
            f,
            "{:02X}{:02X}{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}",
            b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]
        )
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
    fn round_trip() {
        let text = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7";
        let g = Guid::parse(text).unwrap();
        assert_eq!(g.0[0], 0xA2);
        assert_eq!(g.to_string(), text);
        assert!(Guid::parse("nope").is_none());
        assert_eq!(
            Guid::parse("{ebd0a0a2-b9e5-4433-87c0-68b6b72699c7}"),
            Some(g)
        );
    }
}
