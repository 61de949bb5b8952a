//! Sector decryption (`docs/formats/bitlocker.md`, "Sector decryption"): XTS-AES, AES-CBC and AES-CBC
//! with the Elephant diffuser. The position input is always the sector's
//! physical byte offset in the volume.

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use aes::{Aes128, Aes256};
use serde::Serialize;

mod elephant;

/// Volume encryption method (the u16 at metadata header + 36).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Method {
    #[serde(rename = "AES-CBC-128 + Elephant diffuser")]
    AesCbc128Elephant,
    #[serde(rename = "AES-CBC-256 + Elephant diffuser")]
    AesCbc256Elephant,
    #[serde(rename = "AES-CBC-128")]
    AesCbc128,
    #[serde(rename = "AES-CBC-256")]
    AesCbc256,
    #[serde(rename = "XTS-AES-128")]
    XtsAes128,
    #[serde(rename = "XTS-AES-256")]
    XtsAes256,
}

impl Method {
    pub fn from_code(code: u16) -> Option<Method> {
        Some(match code {
            0x8000 => Method::AesCbc128Elephant,
            0x8001 => Method::AesCbc256Elephant,
            0x8002 => Method::AesCbc128,
            0x8003 => Method::AesCbc256,
            0x8004 => Method::XtsAes128,
            0x8005 => Method::XtsAes256,
            _ => return None,
        })
    }

    pub fn code(self) -> u16 {
        match self {
            Method::AesCbc128Elephant => 0x8000,
            Method::AesCbc256Elephant => 0x8001,
            Method::AesCbc128 => 0x8002,
            Method::AesCbc256 => 0x8003,
            Method::XtsAes128 => 0x8004,
            Method::XtsAes256 => 0x8005,
        }
    }

    /// Length of the FVEK key bytes for this method.
    pub fn fvek_len(self) -> usize {
        match self {
            Method::AesCbc128 => 16,
            Method::AesCbc256 | Method::XtsAes128 => 32,
            Method::AesCbc128Elephant | Method::AesCbc256Elephant | Method::XtsAes256 => 64,
        }
    }
}

/// AES with either key size (one key schedule, shared by every sector).
#[derive(Clone)]
#[allow(clippy::large_enum_variant)]
pub(crate) enum AnyAes {
    A128(Aes128),
    A256(Aes256),
}

impl AnyAes {
    fn new(key: &[u8]) -> Option<AnyAes> {
        match key.len() {
            16 => Aes128::new_from_slice(key).ok().map(AnyAes::A128),
            32 => Aes256::new_from_slice(key).ok().map(AnyAes::A256),
            _ => None,
        }
    }

    /// AES-ECB encryption of LE128(x) with byte 15 optionally replaced.
    #[cfg(test)]
    pub(crate) fn encrypt_le128(&self, x: u64, byte15: Option<u8>) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&x.to_le_bytes());
        if let Some(v) = byte15 {
            b[15] = v;
        }
        self.ecb_encrypt(&mut b);
        b
    }

    /// AES-ECB encryption of whole blocks in place (AES-NI runs 8 at once).
    pub(crate) fn ecb_encrypt(&self, buf: &mut [u8]) {
        let len = buf.len() - buf.len() % 16;
        let buf = &mut buf[..len];
        // Whole blocks and NoPadding: cannot fail.
        let _ = match self {
            AnyAes::A128(c) => c.encrypt_padded::<NoPadding>(buf, len).map(|_| ()),
            AnyAes::A256(c) => c.encrypt_padded::<NoPadding>(buf, len).map(|_| ()),
        };
    }

    /// AES-ECB decryption of whole blocks in place.
    fn ecb_decrypt(&self, buf: &mut [u8]) {
        let len = buf.len() - buf.len() % 16;
        let buf = &mut buf[..len];
        let _ = match self {
            AnyAes::A128(c) => c.decrypt_padded::<NoPadding>(buf).map(|_| ()),
            AnyAes::A256(c) => c.decrypt_padded::<NoPadding>(buf).map(|_| ()),
        };
    }

    /// AES-ECB decryption of whole blocks from `input` into `out` (same length).
    fn ecb_decrypt_b2b(&self, input: &[u8], out: &mut [u8]) {
        let _ = match self {
            AnyAes::A128(c) => c.decrypt_padded_b2b::<NoPadding>(input, out).map(|_| ()),
            AnyAes::A256(c) => c.decrypt_padded_b2b::<NoPadding>(input, out).map(|_| ()),
        };
    }

    /// AES-CBC decryption of consecutive sectors in place, each with
    /// IV = AES(LE128(its byte offset)). CBC decryption has no chain:
    /// every block is decrypted in one bulk ECB pass, then XORed with the
    /// ciphertext block before it (or the sector's IV).
    fn cbc_decrypt_sectors(&self, buf: &mut [u8], offset: u64, ss: usize, scratch: &mut Vec<u8>) {
        let sectors = buf.len() / ss;
        scratch.clear();
        scratch.extend_from_slice(buf);
        let mut ivs = vec![0u8; sectors * 16];
        for (j, iv) in ivs.chunks_exact_mut(16).enumerate() {
            iv[..8].copy_from_slice(&(offset + (j * ss) as u64).to_le_bytes());
        }
        self.ecb_encrypt(&mut ivs);
        self.ecb_decrypt_b2b(scratch, buf);
        for ((s, c), iv) in buf
            .chunks_exact_mut(ss)
            .zip(scratch.chunks_exact(ss))
            .zip(ivs.chunks_exact(16))
        {
            xor_into(&mut s[..16], iv);
            xor_into(&mut s[16..], &c[..ss - 16]);
        }
    }

    #[cfg(test)]
    pub(crate) fn cbc_encrypt_sector(&self, sector: &mut [u8], offset: u64) {
        use cbc::cipher::{BlockEncryptMut, InnerIvInit};
        let iv = self.encrypt_le128(offset, None);
        let len = sector.len();
        match self {
            AnyAes::A128(c) => cbc::Encryptor::<Aes128>::inner_iv_init(c.clone(), &iv.into())
                .encrypt_padded_mut::<NoPadding>(sector, len)
                .map(|_| ())
                .unwrap(),
            AnyAes::A256(c) => cbc::Encryptor::<Aes256>::inner_iv_init(c.clone(), &iv.into())
                .encrypt_padded_mut::<NoPadding>(sector, len)
                .map(|_| ())
                .unwrap(),
        }
    }
}

/// `dst ^= src`, byte for byte (vectorised by the compiler).
fn xor_into(dst: &mut [u8], src: &[u8]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d ^= s;
    }
}

/// Sectors are decrypted in batches of this many bytes, so the tweak and
/// scratch buffers stay in the L2 cache.
const BATCH: usize = 64 << 10;

/// A ready-to-use data cipher built from the FVEK.
pub struct SectorCipher {
    kind: Kind,
}

enum Kind {
    /// IEEE 1619 XTS: data key, tweak key.
    Xts {
        data: Box<AnyAes>,
        tweak: Box<AnyAes>,
    },
    Cbc(Box<AnyAes>),
    Elephant {
        cbc: Box<AnyAes>,
        tweak: Box<AnyAes>,
    },
}

impl SectorCipher {
    /// Build from the FVEK key bytes, split per method (the table in
    /// `docs/formats/bitlocker.md`, "Sector decryption"). `None` when the key length
    /// does not fit the method.
    pub fn new(method: Method, fvek: &[u8]) -> Option<SectorCipher> {
        if fvek.len() < method.fvek_len() {
            return None;
        }
        let kind = match method {
            Method::XtsAes128 => Kind::Xts {
                data: Box::new(AnyAes::new(&fvek[..16])?),
                tweak: Box::new(AnyAes::new(&fvek[16..32])?),
            },
            Method::XtsAes256 => Kind::Xts {
                data: Box::new(AnyAes::new(&fvek[..32])?),
                tweak: Box::new(AnyAes::new(&fvek[32..64])?),
            },
            Method::AesCbc128 => Kind::Cbc(Box::new(AnyAes::new(&fvek[..16])?)),
            Method::AesCbc256 => Kind::Cbc(Box::new(AnyAes::new(&fvek[..32])?)),
            Method::AesCbc128Elephant => Kind::Elephant {
                cbc: Box::new(AnyAes::new(&fvek[..16])?),
                tweak: Box::new(AnyAes::new(&fvek[32..48])?),
            },
            Method::AesCbc256Elephant => Kind::Elephant {
                cbc: Box::new(AnyAes::new(&fvek[..32])?),
                tweak: Box::new(AnyAes::new(&fvek[32..64])?),
            },
        };
        Some(SectorCipher { kind })
    }

    /// Decrypt consecutive sectors in place. `offset` is the physical byte
    /// offset of the first one; `buf.len()` and `offset` are multiples of
    /// `sector_size` (a trailing partial sector is left as is).
    pub fn decrypt(&self, buf: &mut [u8], offset: u64, sector_size: usize) {
        if sector_size == 0 || sector_size % 16 != 0 || sector_size > BATCH {
            return;
        }
        let whole = buf.len() - buf.len() % sector_size;
        let per_batch = BATCH - BATCH % sector_size;
        let mut scratch = Vec::with_capacity(per_batch.min(whole));
        for (i, batch) in buf[..whole].chunks_mut(per_batch).enumerate() {
            let off = offset + (i * per_batch) as u64;
            self.decrypt_batch(batch, off, sector_size, &mut scratch);
        }
    }

    fn decrypt_batch(&self, buf: &mut [u8], offset: u64, ss: usize, scratch: &mut Vec<u8>) {
        match &self.kind {
            Kind::Xts { data, tweak } => {
                xts_decrypt(data, tweak, buf, offset / ss as u64, ss, scratch)
            }
            Kind::Cbc(c) => c.cbc_decrypt_sectors(buf, offset, ss, scratch),
            Kind::Elephant { cbc, tweak } => {
                cbc.cbc_decrypt_sectors(buf, offset, ss, scratch);
                let sectors = buf.len() / ss;
                // Sector keys: AES(T, LE128(off)) ‖ AES(T, LE128(off) | 0x80 at byte 15).
                let mut keys = vec![0u8; sectors * 32];
                for (j, k) in keys.chunks_exact_mut(32).enumerate() {
                    let off = (offset + (j * ss) as u64).to_le_bytes();
                    k[..8].copy_from_slice(&off);
                    k[16..24].copy_from_slice(&off);
                    k[31] = 0x80;
                }
                tweak.ecb_encrypt(&mut keys);
                let mut words = Vec::with_capacity(ss / 4);
                for (s, k) in buf.chunks_exact_mut(ss).zip(keys.chunks_exact(32)) {
                    elephant::undiffuse(s, &mut words);
                    for part in s.chunks_exact_mut(32) {
                        xor_into(part, k);
                    }
                }
            }
        }
    }

    /// The inverse of [`SectorCipher::decrypt`], for building test volumes
    /// (reference implementations: the `xts-mode` and `cbc` crates).
    #[cfg(test)]
    pub fn encrypt(&self, buf: &mut [u8], offset: u64, sector_size: usize) {
        let ss = sector_size as u64;
        match &self.kind {
            Kind::Xts { data, tweak } => match (&**data, &**tweak) {
                (AnyAes::A128(d), AnyAes::A128(t)) => xts_mode::Xts128::new(d.clone(), t.clone())
                    .encrypt_area(
                        buf,
                        sector_size,
                        u128::from(offset / ss),
                        xts_mode::get_tweak_default,
                    ),
                (AnyAes::A256(d), AnyAes::A256(t)) => xts_mode::Xts128::new(d.clone(), t.clone())
                    .encrypt_area(
                        buf,
                        sector_size,
                        u128::from(offset / ss),
                        xts_mode::get_tweak_default,
                    ),
                _ => unreachable!("both XTS keys have the same size"),
            },
            Kind::Cbc(c) => {
                for (i, s) in buf.chunks_exact_mut(sector_size).enumerate() {
                    c.cbc_encrypt_sector(s, offset + i as u64 * ss);
                }
            }
            Kind::Elephant { cbc, tweak } => {
                let mut words = Vec::new();
                for (i, s) in buf.chunks_exact_mut(sector_size).enumerate() {
                    let off = offset + i as u64 * ss;
                    elephant::xor_sector_key(s, tweak, off);
                    elephant::diffuse(s, &mut words);
                    cbc.cbc_encrypt_sector(s, off);
                }
            }
        }
    }
}

/// Blocks whose tweaks are held at once by [`xts_decrypt`] (4 KiB of data).
const XTS_PIECE: usize = 256;

/// XTS decryption of consecutive `ss`-byte sectors in place, the first being
/// sector number `first`. The start tweaks of all sectors go through AES in one
/// bulk pass; then each sector, in pieces of at most 4 KiB that stay in the L1
/// cache, is XORed with its tweaks (computed on the way), decrypted in one bulk
/// AES pass, and XORed again.
fn xts_decrypt(
    data: &AnyAes,
    tweak: &AnyAes,
    buf: &mut [u8],
    first: u64,
    ss: usize,
    starts: &mut Vec<u8>,
) {
    let sectors = buf.len() / ss;
    starts.clear();
    starts.resize(sectors * 16, 0);
    for (j, t) in starts.chunks_exact_mut(16).enumerate() {
        t[..8].copy_from_slice(&first.wrapping_add(j as u64).to_le_bytes());
    }
    tweak.ecb_encrypt(starts);
    let mut tw = [0u128; XTS_PIECE];
    for (sector, t0) in buf.chunks_exact_mut(ss).zip(starts.chunks_exact(16)) {
        let mut t = u128::from_le_bytes(t0.try_into().unwrap_or([0; 16]));
        for piece in sector.chunks_mut(XTS_PIECE * 16) {
            for (b, slot) in piece.chunks_exact_mut(16).zip(tw.iter_mut()) {
                *slot = t;
                let x = u128::from_le_bytes(b.try_into().unwrap_or([0; 16])) ^ t;
                b.copy_from_slice(&x.to_le_bytes());
                t = double(t);
            }
            data.ecb_decrypt(piece);
            for (b, slot) in piece.chunks_exact_mut(16).zip(tw.iter()) {
                let x = u128::from_le_bytes(b.try_into().unwrap_or([0; 16])) ^ *slot;
                b.copy_from_slice(&x.to_le_bytes());
            }
        }
    }
}

/// `t`·α in GF(2^128) (little-endian, polynomial 0x87), without a multiply.
#[inline(always)]
fn double(t: u128) -> u128 {
    let carry = ((t >> 127) as u64).wrapping_neg() & 0x87;
    (t << 1) ^ u128::from(carry)
}

#[cfg(test)]
mod tests;
