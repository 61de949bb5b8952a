//! The decrypted volume as a [`ReadAt`] (`docs/formats/bitlocker.md`, "Decrypted view"): relocated boot
//! sectors shown at the start, FVE metadata areas and the relocated area shown
//! as zeros, everything below the encrypted size decrypted in place, the rest raw.

use super::decrypt::SectorCipher;
use super::metadata::AREA_SIZE;
use crate::source::{eof, ReadAt};
use std::io;
use std::sync::Arc;

/// Where things are, all in bytes from the start of the volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub sector_size: u64,
    pub volume_len: u64,
    /// Physical bytes `[0, encrypted_size)` are encrypted.
    pub encrypted_size: u64,
    /// Where the original first sectors are stored, and how many bytes.
    pub relocated_offset: u64,
    pub relocated_len: u64,
    /// Logical ranges shown as zeros, sector-aligned, sorted.
    pub hidden: Vec<(u64, u64)>,
}

/// Why a layout cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("relocated boot sectors at byte offset {offset}, {len} bytes: {reason}")]
pub struct LayoutError {
    pub offset: u64,
    pub len: u64,
    pub reason: &'static str,
}

impl Layout {
    pub fn new(
        sector_size: u64,
        volume_len: u64,
        encrypted_size: u64,
        relocated: (u64, u64),
        fve_offsets: [u64; 3],
    ) -> Result<Layout, LayoutError> {
        let (off, len) = relocated;
        let err = |reason| LayoutError {
            offset: off,
            len,
            reason,
        };
        if off % sector_size != 0 || len % sector_size != 0 {
            return Err(err("not sector-aligned"));
        }
        match off.checked_add(len) {
            Some(end) if end <= volume_len && len <= off => {}
            _ => return Err(err("outside the volume or overlapping its start")),
        }
        let up = |x: u64| {
            x.div_ceil(sector_size)
                .saturating_mul(sector_size)
                .min(volume_len)
        };
        let mut hidden: Vec<(u64, u64)> = fve_offsets
            .iter()
            .map(|&o| (up(o), up(o.saturating_add(AREA_SIZE))))
            .chain(std::iter::once((off, off + len)))
            .filter(|(a, b)| a < b)
            .collect();
        hidden.sort_unstable();
        Ok(Layout {
            sector_size,
            volume_len,
            encrypted_size: encrypted_size.min(volume_len),
            relocated_offset: off,
            relocated_len: len,
            hidden,
        })
    }

    /// For the sector at logical `l`: its physical offset (`None` = zeros) and
    /// the logical end of the run mapped the same way.
    fn segment(&self, l: u64) -> (Option<u64>, u64) {
        if l < self.relocated_len {
            return (Some(self.relocated_offset + l), self.relocated_len);
        }
        let mut end = self.volume_len;
        for &(a, b) in &self.hidden {
            if a <= l && l < b {
                return (None, b);
            }
            if a > l {
                end = end.min(a);
            }
        }
        (Some(l), end)
    }
}

/// The plain volume inside a BitLocker volume.
pub struct DecryptedVolume {
    raw: Arc<dyn ReadAt>,
    cipher: SectorCipher,
    layout: Layout,
}

impl DecryptedVolume {
    pub fn new(raw: Arc<dyn ReadAt>, cipher: SectorCipher, layout: Layout) -> Self {
        DecryptedVolume {
            raw,
            cipher,
            layout,
        }
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// `buf` at sector-aligned logical `start`; `buf` ends on a sector
    /// boundary or at the end of the volume.
    fn fill_aligned(&self, buf: &mut [u8], start: u64) -> io::Result<()> {
        let ss = self.layout.sector_size as usize;
        let mut done = 0usize;
        while done < buf.len() {
            let l = start + done as u64;
            let (phys, seg_end) = self.layout.segment(l);
            let n = usize::try_from(seg_end - l)
                .unwrap_or(usize::MAX)
                .min(buf.len() - done);
            if n == 0 {
                return Err(eof(l, buf.len() - done));
            }
            let part = &mut buf[done..done + n];
            match phys {
                None => part.fill(0),
                Some(p) => {
                    self.raw.read_exact_at(part, p)?;
                    let enc = self.layout.encrypted_size.saturating_sub(p);
                    let enc = usize::try_from(enc).unwrap_or(usize::MAX).min(n);
                    let enc = enc - enc % ss;
                    self.cipher.decrypt(&mut part[..enc], p, ss);
                }
            }
            done += n;
        }
        Ok(())
    }
}

impl ReadAt for DecryptedVolume {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let len = self.layout.volume_len;
        let end = offset
            .checked_add(buf.len() as u64)
            .filter(|&e| e <= len)
            .ok_or_else(|| eof(offset, buf.len()))?;
        let ss = self.layout.sector_size;
        if offset % ss == 0 && (end % ss == 0 || end == len) {
            return self.fill_aligned(buf, offset);
        }
        let a = offset - offset % ss;
        let b = end.div_ceil(ss).saturating_mul(ss).min(len);
        let tmp_len = usize::try_from(b - a).map_err(|_| eof(offset, buf.len()))?;
        let mut tmp = vec![0u8; tmp_len];
        self.fill_aligned(&mut tmp, a)?;
        let skip = (offset - a) as usize;
        buf.copy_from_slice(&tmp[skip..skip + buf.len()]);
        Ok(())
    }

    fn len(&self) -> u64 {
        self.layout.volume_len
    }
}

#[cfg(test)]
mod tests;
