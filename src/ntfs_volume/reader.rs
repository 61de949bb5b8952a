//! `Read + Seek` over a positional [`ReadAt`], for the `ntfs` crate, which reads
//! small structures through a cursor and caches nothing itself.

use crate::source::ReadAt;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

/// Size of the aligned block kept in the cache.
const BLOCK: u64 = 64 * 1024;

pub struct VolumeReader {
    src: Arc<dyn ReadAt>,
    pos: u64,
    /// Start of the cached block (aligned to `BLOCK`) and its bytes.
    cached_at: u64,
    cache: Vec<u8>,
}

impl VolumeReader {
    pub fn new(src: Arc<dyn ReadAt>) -> Self {
        VolumeReader {
            src,
            pos: 0,
            cached_at: 0,
            cache: Vec::new(),
        }
    }

    fn fill(&mut self, block_start: u64) -> io::Result<()> {
        let len = self.src.len().saturating_sub(block_start).min(BLOCK);
        // `len` is at most BLOCK, so it fits a usize.
        self.cache.resize(len as usize, 0);
        if let Err(e) = self.src.read_exact_at(&mut self.cache, block_start) {
            self.cache.clear();
            return Err(e);
        }
        self.cached_at = block_start;
        Ok(())
    }
}

impl Read for VolumeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let total = self.src.len();
        if buf.is_empty() || self.pos >= total {
            return Ok(0);
        }
        let want = (buf.len() as u64).min(total - self.pos);
        // Big reads skip the cache: one positional read straight into `buf`.
        if want >= BLOCK {
            let n = want as usize;
            self.src.read_exact_at(&mut buf[..n], self.pos)?;
            self.pos += want;
            return Ok(n);
        }
        let block_start = self.pos - self.pos % BLOCK;
        if self.cache.is_empty() || self.cached_at != block_start {
            self.fill(block_start)?;
        }
        let in_block = (self.pos - block_start) as usize;
        let n = (want as usize).min(self.cache.len().saturating_sub(in_block));
        buf[..n].copy_from_slice(&self.cache[in_block..in_block + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for VolumeReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let new = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.src.len().checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = new.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before byte 0 or past u64",
            )
        })?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_across_blocks_and_big_reads() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut r = VolumeReader::new(Arc::new(data.clone()));
        r.seek(SeekFrom::Start(BLOCK - 3)).unwrap();
        let mut small = [0u8; 10];
        r.read_exact(&mut small).unwrap();
        assert_eq!(&small[..], &data[BLOCK as usize - 3..BLOCK as usize + 7]);
        let mut big = vec![0u8; 100_000];
        r.seek(SeekFrom::Start(5)).unwrap();
        r.read_exact(&mut big).unwrap();
        assert_eq!(&big[..], &data[5..100_005]);
        r.seek(SeekFrom::End(-2)).unwrap();
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, &data[data.len() - 2..]);
        assert!(r.seek(SeekFrom::Current(-1_000_000)).is_err());
    }
}
