//! A sub-range of another source, e.g. one partition of a disk.

use super::{eof, ReadAt};
use std::io;

/// The bytes `[start, start + len)` of `inner`, addressed from 0.
pub struct Window<R> {
    inner: R,
    start: u64,
    len: u64,
}

impl<R: ReadAt> Window<R> {
    /// A window clipped to the end of `inner`, so reads never leave it.
    pub fn new(inner: R, start: u64, len: u64) -> Self {
        let avail = inner.len().saturating_sub(start);
        Window {
            inner,
            start,
            len: len.min(avail),
        }
    }

    /// Offset of the window in the inner source.
    pub fn start(&self) -> u64 {
        self.start
    }
}

impl<R: ReadAt> ReadAt for Window<R> {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let end = offset
            .checked_add(buf.len() as u64)
            .filter(|&e| e <= self.len)
            .ok_or_else(|| eof(offset, buf.len()))?;
        debug_assert!(end <= self.len);
        let abs = self
            .start
            .checked_add(offset)
            .ok_or_else(|| eof(offset, buf.len()))?;
        self.inner.read_exact_at(buf, abs)
    }
    fn len(&self) -> u64 {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_inside_and_refuses_outside() {
        let data: Vec<u8> = (0..100u8).collect();
        let w = Window::new(&data[..], 10, 20);
        let mut b = [0u8; 5];
        w.read_exact_at(&mut b, 15).unwrap();
        assert_eq!(b, [25, 26, 27, 28, 29]);
        assert!(w.read_exact_at(&mut b, 16).is_err());
        assert!(w.read_exact_at(&mut b, u64::MAX - 1).is_err());
    }

    #[test]
    fn clipped_to_inner_end() {
        let data = [0u8; 50];
        let w = Window::new(&data[..], 40, 100);
        assert_eq!(w.len(), 10);
    }
}
