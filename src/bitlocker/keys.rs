//! Key derivation and unwrapping (`docs/formats/bitlocker.md`, "Keys"): the stretch, AES-CCM,
//! recovery password and user password → wrapping key, VMK → FVEK. Every
//! derived secret lives in a `Zeroizing` buffer.

use super::entries::{entry_type, CcmBlob, Value};
use super::error::{Error, Result};
use super::metadata::MetadataCopy;
use crate::bytes::u16_at;
use aes::Aes256;
use ccm::aead::generic_array::GenericArray;
use ccm::aead::{AeadInPlace, KeyInit};
use ccm::consts::{U12, U16, U64};
use ccm::Ccm;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

pub const STRETCH_ROUNDS: u64 = 1 << 20;
/// Method of the key inside an unwrapped VMK.
pub const METHOD_VMK: u16 = 0x2003;
/// Method of the key inside the unwrapped validation record.
pub const METHOD_METADATA_HASH: u16 = 0x2005;

type AesCcm = Ccm<Aes256, U16, U12>;

/// The 2^20-round SHA-256 stretch: `last = SHA-256(last ‖ initial ‖
/// salt ‖ counter)`. The 88-byte record is exactly two SHA-256 blocks once
/// padded, so the rounds call the compression function directly.
pub fn stretch(initial: &[u8; 32], salt: &[u8; 16]) -> Zeroizing<[u8; 32]> {
    const IV: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut blocks = [GenericArray::<u8, U64>::default(); 2];
    blocks[0][32..64].copy_from_slice(initial);
    blocks[1][..16].copy_from_slice(salt);
    blocks[1][24] = 0x80;
    blocks[1][56..64].copy_from_slice(&(88u64 * 8).to_be_bytes());
    let mut state = Zeroizing::new([0u32; 8]);
    for counter in 0..STRETCH_ROUNDS {
        blocks[1][16..24].copy_from_slice(&counter.to_le_bytes());
        *state = IV;
        sha2::compress256(&mut state, &blocks[..]);
        for (i, w) in state.iter().enumerate() {
            blocks[0][4 * i..4 * i + 4].copy_from_slice(&w.to_be_bytes());
        }
    }
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&blocks[0][..32]);
    for b in blocks.iter_mut() {
        b.as_mut_slice().zeroize();
    }
    out
}

/// SHA-256 of the 16-byte recovery key: the initial hash of its stretch.
pub fn recovery_initial(key16: &[u8; 16]) -> Zeroizing<[u8; 32]> {
    sha256(key16)
}

/// SHA-256(SHA-256(UTF-16LE(password))) , no BOM, no NUL: the initial hash of
/// a user password's stretch.
pub fn password_initial(password: &str) -> Zeroizing<[u8; 32]> {
    let utf16: Zeroizing<Vec<u8>> =
        Zeroizing::new(password.encode_utf16().flat_map(u16::to_le_bytes).collect());
    let once = sha256(&utf16);
    sha256(&once[..])
}

fn sha256(data: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    let mut h = Sha256::digest(data);
    out.copy_from_slice(&h);
    h.as_mut_slice().zeroize();
    out
}

/// AES-CCM-decrypt `blob` with a 32-byte key; `None` when the tag does not
/// match (wrong key or damaged data).
pub fn ccm_decrypt(key: &[u8; 32], blob: &CcmBlob) -> Option<Zeroizing<Vec<u8>>> {
    let cipher = AesCcm::new(GenericArray::from_slice(key));
    let mut buf = Zeroizing::new(blob.ciphertext.clone());
    cipher
        .decrypt_in_place_detached(
            GenericArray::from_slice(&blob.nonce),
            b"",
            &mut buf,
            GenericArray::from_slice(&blob.tag),
        )
        .ok()?;
    Some(buf)
}

/// An unwrapped key entry: method (u16 at +8) and key bytes (from +12).
pub struct KeyPayload {
    pub method: u16,
    pub key: Zeroizing<Vec<u8>>,
}

/// Check and split an unwrapped payload; `offset` names the wrapped entry.
pub fn key_payload(plain: &[u8], offset: u64) -> Result<KeyPayload> {
    let bad = |reason| Error::BadKeyPayload { offset, reason };
    if usize::from(u16_at(plain, 0).unwrap_or(0)) != plain.len() {
        return Err(bad("size field differs from the ciphertext length"));
    }
    if u16_at(plain, 4) != Some(1) {
        return Err(bad("not a key (value type is not 1)"));
    }
    let method = u16_at(plain, 8).ok_or_else(|| bad("too short"))?;
    let key = plain.get(12..).ok_or_else(|| bad("too short"))?;
    Ok(KeyPayload {
        method,
        key: Zeroizing::new(key.to_vec()),
    })
}

/// The 32-byte volume master key.
pub struct Vmk(pub Zeroizing<[u8; 32]>);

/// Unwrap a VMK with a protector's wrapping key; `None` on a wrong key.
pub fn unwrap_vmk(wrapping_key: &[u8; 32], wrapped: &CcmBlob) -> Option<Vmk> {
    let plain = ccm_decrypt(wrapping_key, wrapped)?;
    let p = key_payload(&plain, wrapped.offset).ok()?;
    let key: [u8; 32] = p.key.as_slice().try_into().ok()?;
    Some(Vmk(Zeroizing::new(key)))
}

/// Unwrap the FVEK entry of `copy` with the VMK. The method is checked
/// by the caller against the volume method.
pub fn unwrap_fvek(vmk: &Vmk, copy: &MetadataCopy) -> Result<KeyPayload> {
    let blob = [entry_type::FVEK, entry_type::FVEK_BACKUP]
        .iter()
        .find_map(|&t| {
            copy.entries
                .iter()
                .filter(|e| e.entry_type == t)
                .find_map(|e| match &e.value {
                    Value::AesCcm(b) => Some(b),
                    _ => None,
                })
        })
        .ok_or(Error::BadBlock {
            offset: copy.offset,
            reason: "no FVEK entry",
        })?;
    let plain = ccm_decrypt(&vmk.0, blob).ok_or(Error::BadKeyPayload {
        offset: blob.offset,
        reason: "the FVEK does not decrypt with the VMK (AES-CCM tag mismatch)",
    })?;
    key_payload(&plain, blob.offset)
}

/// SHA-256 authentication of a metadata copy under the VMK (its validation record
/// wraps the SHA-256 of the block):
/// `Some(true)` authentic, `Some(false)` tampered or damaged, `None` when the
/// copy has no validation entry.
pub fn authenticate(vmk: &Vmk, copy: &MetadataCopy) -> Option<bool> {
    let blob = copy.validation.as_ref()?;
    let Some(plain) = ccm_decrypt(&vmk.0, blob) else {
        return Some(false);
    };
    let Ok(p) = key_payload(&plain, blob.offset) else {
        return Some(false);
    };
    let digest = Sha256::digest(&copy.raw);
    Some(p.method == METHOD_METADATA_HASH && p.key.as_slice() == digest.as_slice())
}

#[cfg(test)]
mod tests;
