//! LZNT1 decompression of one NTFS compression unit.
//!
//! Written here rather than taken from the `lznt1` crate because NTFS needs two
//! things that crate does not do: every chunk stands for exactly 4096 bytes (a
//! short chunk is zero-padded, as Windows and ntfs-3g do), and back-references
//! must stay inside the current chunk. Output is bounded by `limit`.

const CHUNK: usize = 4096;

/// Decode `input` (the allocated clusters of one compression unit) into `out`,
/// which ends up exactly `limit` bytes long.
pub(crate) fn decompress_unit(
    input: &[u8],
    out: &mut Vec<u8>,
    limit: usize,
) -> Result<(), &'static str> {
    out.clear();
    let mut p = 0usize;
    while out.len() < limit && p + 2 <= input.len() {
        let h = u16::from_le_bytes([input[p], input[p + 1]]);
        p += 2;
        if h == 0 {
            break; // end of the compressed data; the rest of the unit is zeros
        }
        let size = (h & 0x0FFF) as usize + 1;
        let chunk = input
            .get(p..p + size)
            .ok_or("chunk runs past the compressed data")?;
        p += size;
        let start = out.len();
        if h & 0x8000 == 0 {
            out.extend_from_slice(&chunk[..size.min(CHUNK)]);
        } else {
            decompress_chunk(chunk, out, start)?;
        }
        out.resize(start + CHUNK, 0);
    }
    out.resize(limit, 0);
    Ok(())
}

fn decompress_chunk(chunk: &[u8], out: &mut Vec<u8>, start: usize) -> Result<(), &'static str> {
    let mut i = 0usize;
    while i < chunk.len() {
        let tag = chunk[i];
        i += 1;
        for bit in 0..8 {
            if i >= chunk.len() {
                return Ok(());
            }
            let pos = out.len() - start;
            if tag & (1 << bit) == 0 {
                if pos >= CHUNK {
                    return Err("chunk decodes to more than 4096 bytes");
                }
                out.push(chunk[i]);
                i += 1;
                continue;
            }
            let t = chunk.get(i..i + 2).ok_or("back-reference cut short")?;
            let t = u16::from_le_bytes([t[0], t[1]]) as usize;
            i += 2;
            if pos == 0 {
                return Err("back-reference at the start of a chunk");
            }
            // The offset field widens as the chunk grows: 4 bits up to 16 bytes, then one more per doubling.
            let mut len_bits = 12u32;
            let mut q = pos - 1;
            while q >= 16 {
                len_bits -= 1;
                q >>= 1;
            }
            let len = (t & ((1 << len_bits) - 1)) + 3;
            let back = (t >> len_bits) + 1;
            if back > pos {
                return Err("back-reference before the start of the chunk");
            }
            if pos + len > CHUNK {
                return Err("chunk decodes to more than 4096 bytes");
            }
            let from = out.len() - back;
            for k in 0..len {
                let b = out[from + k];
                out.push(b);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_an_independent_encoder() {
        // The `lznt1` crate's compressor as an independent reference encoder.
        let mut data = Vec::new();
        for i in 0..20_000u32 {
            data.extend_from_slice(format!("{:08} line {}\n", i, i % 7).as_bytes());
        }
        data.extend((0..30_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        for unit in data.chunks(65536) {
            let mut c = Vec::new();
            lznt1::compress(unit, &mut c);
            let mut out = Vec::new();
            decompress_unit(&c, &mut out, 65536).unwrap();
            assert_eq!(&out[..unit.len()], unit);
            assert!(out[unit.len()..].iter().all(|&b| b == 0));
        }
    }

    #[test]
    fn short_chunks_are_zero_padded_and_garbage_is_an_error() {
        // One compressed chunk holding "abc", then a raw chunk.
        let mut input = vec![0x03, 0xB0, 0x00, b'a', b'b', b'c'];
        input.extend_from_slice(&[0xFF, 0x3F]);
        input.extend(std::iter::repeat_n(7u8, 4096));
        let mut out = Vec::new();
        decompress_unit(&input, &mut out, 16384).unwrap();
        assert_eq!(&out[..3], b"abc");
        assert!(out[3..4096].iter().all(|&b| b == 0));
        assert!(out[4096..8192].iter().all(|&b| b == 7));
        assert_eq!(out.len(), 16384);
        // A back-reference as the very first item.
        assert!(decompress_unit(&[0x02, 0xB0, 0x01, 0x00, 0x00], &mut out, 4096).is_err());
        for seed in 0..200u32 {
            let junk: Vec<u8> = (0..600u32)
                .map(|i| (i * 31 + seed * 17) as u8 ^ 0xB5)
                .collect();
            let _ = decompress_unit(&junk, &mut out, 65536);
            assert!(out.len() <= 65536);
        }
    }
}
