//! The Elephant diffuser of AES-CBC + diffuser (`docs/formats/bitlocker.md`,
//! "Sector decryption").

#[cfg(test)]
use super::AnyAes;

const RA: [u32; 4] = [9, 0, 13, 0];
const RB: [u32; 4] = [0, 10, 0, 25];

fn load(sector: &[u8], words: &mut Vec<u32>) {
    words.clear();
    words.extend(
        sector
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
    );
}

fn store(words: &[u32], sector: &mut [u8]) {
    for (c, w) in sector.chunks_exact_mut(4).zip(words) {
        c.copy_from_slice(&w.to_le_bytes());
    }
}

/// Diffuser B then A in the decryption direction (steps 2–4). The indices
/// wrap only in the last (B) or first (A) five steps of a pass, so the bulk
/// of each pass runs without a division.
pub fn undiffuse(sector: &mut [u8], words: &mut Vec<u32>) {
    load(sector, words);
    let n = words.len();
    if n < 6 {
        return;
    }
    let d = words.as_mut_slice();
    for _ in 0..3 {
        for i in 0..n - 5 {
            let v = d[i + 2] ^ d[i + 5].rotate_left(RB[i & 3]);
            d[i] = d[i].wrapping_add(v);
        }
        for i in n - 5..n {
            let v = d[(i + 2) % n] ^ d[(i + 5) % n].rotate_left(RB[i & 3]);
            d[i] = d[i].wrapping_add(v);
        }
    }
    for _ in 0..5 {
        for i in 0..5 {
            let v = d[(i + n - 2) % n] ^ d[(i + n - 5) % n].rotate_left(RA[i & 3]);
            d[i] = d[i].wrapping_add(v);
        }
        for i in 5..n {
            let v = d[i - 2] ^ d[i - 5].rotate_left(RA[i & 3]);
            d[i] = d[i].wrapping_add(v);
        }
    }
    store(d, sector);
}

/// The encryption direction: A then B, subtracting, `i` descending.
#[cfg(test)]
pub fn diffuse(sector: &mut [u8], words: &mut Vec<u32>) {
    load(sector, words);
    let n = words.len();
    if n < 6 {
        return;
    }
    let d = words.as_mut_slice();
    for _ in 0..5 {
        for i in (0..n).rev() {
            let v = d[(i + n - 2) % n] ^ d[(i + n - 5) % n].rotate_left(RA[i % 4]);
            d[i] = d[i].wrapping_sub(v);
        }
    }
    for _ in 0..3 {
        for i in (0..n).rev() {
            let v = d[(i + 2) % n] ^ d[(i + 5) % n].rotate_left(RB[i % 4]);
            d[i] = d[i].wrapping_sub(v);
        }
    }
    store(d, sector);
}

#[cfg(test)]
/// XOR with the 32-byte sector key AES(T, LE128(off)) ‖ AES(T, LE128(off) | 0x80 at byte 15).
pub fn xor_sector_key(sector: &mut [u8], tweak: &AnyAes, offset: u64) {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(&tweak.encrypt_le128(offset, None));
    key[16..].copy_from_slice(&tweak.encrypt_le128(offset, Some(0x80)));
    for (j, b) in sector.iter_mut().enumerate() {
        *b ^= key[j % 32];
    }
}
