//! Sector decryption (`bitlocker.md` §7.1–7.4): XTS-AES, AES-CBC and AES-CBC
//! with the Elephant diffuser. The position input is always the sector's
//! physical byte offset in the volume.

use aes::cipher::generic_array::GenericArray;
use aes::cipher::{BlockDecryptMut, BlockEncrypt, KeyInit};
use aes::{Aes128, Aes256};
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::InnerIvInit;
use serde::Serialize;
use xts_mode::{get_tweak_default, Xts128};

mod elephant;

/// Volume encryption method (§3.5).
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

/// AES with either key size (cloned per sector for CBC, so kept unboxed).
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
    pub(crate) fn encrypt_le128(&self, x: u64, byte15: Option<u8>) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&x.to_le_bytes());
        if let Some(v) = byte15 {
            b[15] = v;
        }
        let block = GenericArray::from_mut_slice(&mut b);
        match self {
            AnyAes::A128(c) => c.encrypt_block(block),
            AnyAes::A256(c) => c.encrypt_block(block),
        }
        b
    }

    /// AES-CBC decryption of one sector in place, IV = AES(LE128(offset)) (§7.3).
    fn cbc_decrypt_sector(&self, sector: &mut [u8], offset: u64) {
        let iv = self.encrypt_le128(offset, None);
        // Sector sizes are multiples of 16, so NoPadding cannot fail.
        let _ = match self {
            AnyAes::A128(c) => cbc::Decryptor::<Aes128>::inner_iv_init(c.clone(), &iv.into())
                .decrypt_padded_mut::<NoPadding>(sector)
                .map(|_| ()),
            AnyAes::A256(c) => cbc::Decryptor::<Aes256>::inner_iv_init(c.clone(), &iv.into())
                .decrypt_padded_mut::<NoPadding>(sector)
                .map(|_| ()),
        };
    }

    #[cfg(test)]
    pub(crate) fn cbc_encrypt_sector(&self, sector: &mut [u8], offset: u64) {
        use cbc::cipher::BlockEncryptMut;
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

/// A ready-to-use data cipher built from the FVEK.
pub struct SectorCipher {
    kind: Kind,
}

enum Kind {
    Xts128(Box<Xts128<Aes128>>),
    Xts256(Box<Xts128<Aes256>>),
    Cbc(Box<AnyAes>),
    Elephant {
        cbc: Box<AnyAes>,
        tweak: Box<AnyAes>,
    },
}

impl SectorCipher {
    /// Build from the FVEK key bytes (§3.5 split). `None` when the key length
    /// does not fit the method.
    pub fn new(method: Method, fvek: &[u8]) -> Option<SectorCipher> {
        if fvek.len() < method.fvek_len() {
            return None;
        }
        let kind = match method {
            Method::XtsAes128 => Kind::Xts128(Box::new(Xts128::new(
                Aes128::new_from_slice(&fvek[..16]).ok()?,
                Aes128::new_from_slice(&fvek[16..32]).ok()?,
            ))),
            Method::XtsAes256 => Kind::Xts256(Box::new(Xts128::new(
                Aes256::new_from_slice(&fvek[..32]).ok()?,
                Aes256::new_from_slice(&fvek[32..64]).ok()?,
            ))),
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
        if sector_size == 0 || sector_size % 16 != 0 {
            return;
        }
        let whole = buf.len() - buf.len() % sector_size;
        let buf = &mut buf[..whole];
        let ss = sector_size as u64;
        match &self.kind {
            Kind::Xts128(x) => {
                x.decrypt_area(buf, sector_size, u128::from(offset / ss), get_tweak_default)
            }
            Kind::Xts256(x) => {
                x.decrypt_area(buf, sector_size, u128::from(offset / ss), get_tweak_default)
            }
            Kind::Cbc(c) => {
                for (i, s) in buf.chunks_exact_mut(sector_size).enumerate() {
                    c.cbc_decrypt_sector(s, offset + i as u64 * ss);
                }
            }
            Kind::Elephant { cbc, tweak } => {
                let mut words = Vec::with_capacity(sector_size / 4);
                for (i, s) in buf.chunks_exact_mut(sector_size).enumerate() {
                    let off = offset + i as u64 * ss;
                    cbc.cbc_decrypt_sector(s, off);
                    elephant::undiffuse(s, &mut words);
                    elephant::xor_sector_key(s, tweak, off);
                }
            }
        }
    }

    /// The inverse of [`SectorCipher::decrypt`], for building test volumes.
    #[cfg(test)]
    pub fn encrypt(&self, buf: &mut [u8], offset: u64, sector_size: usize) {
        let ss = sector_size as u64;
        match &self.kind {
            Kind::Xts128(x) => {
                x.encrypt_area(buf, sector_size, u128::from(offset / ss), get_tweak_default)
            }
            Kind::Xts256(x) => {
                x.encrypt_area(buf, sector_size, u128::from(offset / ss), get_tweak_default)
            }
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

#[cfg(test)]
mod tests;
