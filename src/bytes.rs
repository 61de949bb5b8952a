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

/// True when `b[off..]` starts with `pat`.
pub fn has_at(b: &[u8], off: usize, pat: &[u8]) -> bool {
    off.checked_add(pat.len())
        .and_then(|end| b.get(off..end))
        .is_some_and(|s| s == pat)
}
