//! BitLocker: volume header, the three FVE metadata copies (CRC, headers,
//! entries), the protectors, and the whole `assess` stage with no secret
//! (a clear-key protector unwraps the VMK and FVEK with AES-CCM; no 2^20-round
//! key stretch runs, as no password or recovery password is given), then the
//! decrypted view's first sectors. Also the `.BEK` parser on the same bytes.
//!
//! Input: the volume's sector 0 (512 bytes), then one FVE metadata block.
//! Real metadata lies tens of MiB into a volume, so the target builds a sparse
//! volume in memory (128 MiB, or up to the furthest offset): sector 0, the
//! block at each offset sector 0 names, zeros elsewhere. Seeds of a few KiB
//! (`prepare-corpus.sh` cuts them from the Windows-made images in
//! `../shared/testdata/bitlk/`, which stay out of the repository) then reach
//! every stage.
#![no_main]
use ie_preflight::bitlocker::{self, bek, entries, header, protectors, Credentials};
use ie_preflight::source::ReadAt;
use libfuzzer_sys::fuzz_target;
use std::io;
use std::sync::Arc;

struct Sparse {
    len: u64,
    pieces: Vec<(u64, Vec<u8>)>,
}

impl ReadAt for Sparse {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let end = offset
            .checked_add(buf.len() as u64)
            .filter(|&e| e <= self.len)
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "past the end"))?;
        buf.fill(0);
        for (at, bytes) in &self.pieces {
            let p_end = at + bytes.len() as u64;
            let (s, e) = (offset.max(*at), end.min(p_end));
            if s < e {
                let dst = (s - offset) as usize..(e - offset) as usize;
                let src = (s - at) as usize..(e - at) as usize;
                buf[dst].copy_from_slice(&bytes[src]);
            }
        }
        Ok(())
    }
    fn len(&self) -> u64 {
        self.len
    }
}

const AREA: u64 = 64 << 10;

fuzz_target!(|data: &[u8]| {
    let (sector0, meta) = data.split_at(data.len().min(512));
    let _ = bek::parse(meta);
    let body = meta.get(112..).unwrap_or(&[]);
    if let Ok(list) = entries::parse_list(body, 112) {
        let _ = protectors::list(&list);
        let _ = entries::unknown_entries(&list);
    }
    let offsets = header::parse(sector0, 512)
        .map(|h| h.fve_offsets)
        .unwrap_or([AREA, 2 * AREA, 3 * AREA]);
    let len = offsets
        .iter()
        .filter(|&&o| o < 1 << 40)
        .map(|&o| o + AREA)
        .max()
        .unwrap_or(0)
        .max(128 << 20);
    let mut pieces = vec![(0, sector0.to_vec())];
    for o in offsets {
        if o >= 512 && o < len && !pieces.iter().any(|(at, _)| *at == o) {
            let n = meta.len().min((len - o) as usize);
            pieces.push((o, meta[..n].to_vec()));
        }
    }
    let vol: Arc<dyn ReadAt> = Arc::new(Sparse { len, pieces });
    let _ = bitlocker::detect(vol.as_ref());
    let a = bitlocker::assess(vol, &Credentials::none());
    if let Some(plain) = a.unlocked {
        let mut b = vec![0u8; 8192.min(plain.len() as usize)];
        let _ = plain.read_exact_at(&mut b, 0);
    }
});
