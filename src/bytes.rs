//! Little-endian field readers that never panic: a field past the end is `None`.

pub fn u8_at(b: &[u8], off: usize) -> Option<u8> {
    b.get(off).copied()
}

pub fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(off..off.checked_add(2)?)?.try_into().ok()?,
    ))
}

pub fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(off..off.checked_add(4)?)?.try_into().ok()?,
    ))
}

pub fn u64_at(b: &[u8], off: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(off..off.checked_add(8)?)?.try_into().ok()?,
    ))
}

pub fn array_at<const N: usize>(b: &[u8], off: usize) -> Option<[u8; N]> {
    b.get(off..off.checked_add(N)?)?.try_into().ok()
}

/// UTF-16LE up to the first NUL (lossy on unpaired surrogates).
pub fn utf16le(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .take_while(|&u| u != 0)
        .collect();
    String::from_utf16_lossy(&units)
}

/// The UTF-8 byte order mark.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// `b` without its UTF-8 byte order mark, if it starts with one (one is
/// dropped, not a run of them).
pub fn strip_utf8_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(UTF8_BOM).unwrap_or(b)
}

/// `s` without a leading U+FEFF (the byte order mark, decoded), if any.
pub fn strip_bom(s: &str) -> &str {
    s.strip_prefix('\u{FEFF}').unwrap_or(s)
}

/// True when `b[off..]` starts with `pat`.
pub fn has_at(b: &[u8], off: usize, pat: &[u8]) -> bool {
    off.checked_add(pat.len())
        .and_then(|end| b.get(off..end))
        .is_some_and(|s| s == pat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded() {
        let b = [1, 2, 3];
        assert_eq!(u16_at(&b, 1), Some(0x0302));
        assert_eq!(u16_at(&b, 2), None);
        assert_eq!(u64_at(&b, usize::MAX), None);
        assert_eq!(utf16le(&[b'H', 0, b'i', 0, 0, 0, b'x', 0]), "Hi");
        assert_eq!(
            strip_utf8_bom(b"\xEF\xBB\xBF\xEF\xBB\xBFa"),
            b"\xEF\xBB\xBFa"
        );
        assert_eq!(strip_utf8_bom(b"a"), b"a");
        assert_eq!(strip_bom("\u{FEFF}a"), "a");
    }
}
