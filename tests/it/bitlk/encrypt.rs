//! Populated BitLocker fixtures, built here from a Windows-made image (for its
//! metadata, keys and layout) and a populated plain volume (`bitlocker.md` §7).
//!
//! The encrypt direction lives only in test code, written against the
//! reference crates (`xts-mode`, `cbc`) and §7.4 — not the library's decrypt
//! code — so a fixture that decrypts back through the library (and through
//! `dislocker-file`) checks both directions.
//!
//! The template is unlocked with its recovery password through the library's
//! own metadata and key code (the decrypt direction), which yields the VMK and
//! the FVEK. Every logical sector of the new plain volume is then encrypted at
//! its physical position: the first sectors at the relocated area, the FVE
//! metadata areas kept as they are, everything else in place. When the volume
//! size changes, the three metadata copies get the new encrypted size, a new
//! CRC-32 and a new SHA-256 authentication record under the VMK.

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockEncrypt, BlockEncryptMut, KeyInit, KeyIvInit};
use aes::{Aes128, Aes256};
use ccm::aead::AeadInPlace;
use ie_preflight::bitlocker::{header, keys, metadata, protectors, unlock};
use sha2::{Digest, Sha256};

/// 64 KiB area owned by each FVE metadata copy.
const AREA: u64 = 64 << 10;

/// A fixture volume and what its plain view must be.
pub struct Fixture {
    /// The BitLocker volume (a superfloppy image: the volume starts at byte 0).
    pub bytes: Vec<u8>,
    /// SHA-256 (hex) of the whole plain view: the inner volume, then zeros.
    pub plain_sha256: String,
    /// SHA-256 (hex) of the first `inner_len` bytes of the plain view.
    pub inner_sha256: String,
    pub inner_len: u64,
    pub sector_size: u64,
}

/// What the template's metadata and keys give.
struct Opened {
    ss: u64,
    method: u16,
    fvek: Vec<u8>,
    vmk: [u8; 32],
    fve: [u64; 3],
    relocated: (u64, u64),
    encrypted_size: u64,
    block_size: usize,
}

fn open_template(t: &[u8], rp: &str) -> Result<Opened, String> {
    let hdr =
        header::parse(t.get(..512).ok_or("template too short")?, 512).map_err(|e| e.to_string())?;
    let ss = u64::from(hdr.bytes_per_sector);
    let offsets = metadata::copy_offsets(&t, hdr.fve_offsets);
    let copy = metadata::read_all(&t, offsets)
        .into_iter()
        .find_map(|(_, c)| c.ok())
        .ok_or("no good metadata copy in the template")?;
    let protectors = protectors::list(&copy.entries);
    let k16 = ie_preflight::recovery_password::parse(rp).map_err(|e| e.to_string())?;
    let opened = unlock::try_credential(&protectors, &unlock::Credential::RecoveryKey(&k16))
        .opened
        .ok_or("the recovery password does not open the template")?;
    let fvek = keys::unwrap_fvek(&opened.vmk, &copy).map_err(|e| e.to_string())?;
    Ok(Opened {
        ss,
        method: copy.header.method,
        fvek: fvek.key.to_vec(),
        vmk: *opened.vmk.0,
        fve: offsets,
        relocated: copy.relocated_region(ss).ok_or("no relocated region")?,
        encrypted_size: copy.block.encrypted_size,
        block_size: copy.block.block_size,
    })
}

/// Encrypts one sector at its physical byte offset (§7.2–7.4).
enum Encryptor {
    Xts128(Box<xts_mode::Xts128<Aes128>>),
    Xts256(Box<xts_mode::Xts128<Aes256>>),
    Cbc {
        key: Vec<u8>,
        tweak: Option<Vec<u8>>,
    },
}

impl Encryptor {
    fn new(method: u16, k: &[u8]) -> Result<Encryptor, String> {
        let n = |len: usize| -> Result<&[u8], String> {
            k.get(..len).ok_or(format!("FVEK shorter than {len} bytes"))
        };
        Ok(match method {
            0x8004 => Encryptor::Xts128(Box::new(xts_mode::Xts128::new(
                Aes128::new_from_slice(&n(32)?[..16]).unwrap(),
                Aes128::new_from_slice(&n(32)?[16..]).unwrap(),
            ))),
            0x8005 => Encryptor::Xts256(Box::new(xts_mode::Xts128::new(
                Aes256::new_from_slice(&n(64)?[..32]).unwrap(),
                Aes256::new_from_slice(&n(64)?[32..]).unwrap(),
            ))),
            0x8002 => Encryptor::Cbc {
                key: n(16)?.to_vec(),
                tweak: None,
            },
            0x8003 => Encryptor::Cbc {
                key: n(32)?.to_vec(),
                tweak: None,
            },
            0x8000 => Encryptor::Cbc {
                key: n(16)?.to_vec(),
                tweak: Some(n(48)?[32..48].to_vec()),
            },
            0x8001 => Encryptor::Cbc {
                key: n(32)?.to_vec(),
                tweak: Some(n(64)?[32..64].to_vec()),
            },
            m => {
                return Err(format!(
                    "method {m:#06x} not supported by the fixture builder"
                ))
            }
        })
    }

    fn encrypt(&self, s: &mut [u8], off: u64) {
        let ss = s.len() as u64;
        match self {
            Encryptor::Xts128(x) => {
                x.encrypt_sector(s, xts_mode::get_tweak_default(u128::from(off / ss)))
            }
            Encryptor::Xts256(x) => {
                x.encrypt_sector(s, xts_mode::get_tweak_default(u128::from(off / ss)))
            }
            Encryptor::Cbc { key, tweak } => {
                if let Some(t) = tweak {
                    let mut sk = [0u8; 32];
                    sk[..16].copy_from_slice(&ecb(t, off, None));
                    sk[16..].copy_from_slice(&ecb(t, off, Some(0x80)));
                    for (j, b) in s.iter_mut().enumerate() {
                        *b ^= sk[j % 32];
                    }
                    diffuse(s);
                }
                let iv = ecb(key, off, None);
                let len = s.len();
                match key.len() {
                    16 => cbc::Encryptor::<Aes128>::new_from_slices(key, &iv)
                        .unwrap()
                        .encrypt_padded_mut::<NoPadding>(s, len)
                        .map(|_| ())
                        .unwrap(),
                    _ => cbc::Encryptor::<Aes256>::new_from_slices(key, &iv)
                        .unwrap()
                        .encrypt_padded_mut::<NoPadding>(s, len)
                        .map(|_| ())
                        .unwrap(),
                }
            }
        }
    }
}

/// AES-ECB(key, LE128(x)), byte 15 optionally replaced.
fn ecb(key: &[u8], x: u64, byte15: Option<u8>) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&x.to_le_bytes());
    if let Some(v) = byte15 {
        b[15] = v;
    }
    let block = aes::cipher::generic_array::GenericArray::from_mut_slice(&mut b);
    match key.len() {
        16 => Aes128::new_from_slice(key).unwrap().encrypt_block(block),
        _ => Aes256::new_from_slice(key).unwrap().encrypt_block(block),
    }
    b
}

/// Elephant encryption direction (§7.4): diffuser A (5 passes), then B (3
/// passes), each subtracting with `i` descending.
fn diffuse(s: &mut [u8]) {
    const RA: [u32; 4] = [9, 0, 13, 0];
    const RB: [u32; 4] = [0, 10, 0, 25];
    let mut d: Vec<u32> = s
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let n = d.len();
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
    for (c, w) in s.chunks_exact_mut(4).zip(&d) {
        c.copy_from_slice(&w.to_le_bytes());
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Build a BitLocker volume of `volume_len` bytes (≥ the template's size; 0 =
/// the template's size) whose plain view is `inner` followed by zeros.
/// `template` is a Windows-made image that `rp` unlocks. Fails when `inner`
/// has non-zero bytes where the FVE metadata areas or the relocated area lie
/// (the plain view shows zeros there).
pub fn build(template: &[u8], rp: &str, inner: &[u8], volume_len: u64) -> Result<Fixture, String> {
    let o = open_template(template, rp)?;
    let tlen = template.len() as u64;
    let vlen = if volume_len == 0 { tlen } else { volume_len };
    let ss = o.ss;
    if vlen < tlen || vlen % ss != 0 || (inner.len() as u64) > vlen {
        return Err(format!(
            "volume of {vlen} bytes cannot hold the template ({tlen}) and the inner volume ({})",
            inner.len()
        ));
    }
    let (vh_off, vh_len) = o.relocated;
    let mut hidden: Vec<(u64, u64)> = o.fve.iter().map(|&f| (f, f + AREA)).collect();
    hidden.push((vh_off, vh_off + vh_len));
    for &(a, b) in &hidden {
        let a = a.min(inner.len() as u64) as usize;
        let b = b.min(inner.len() as u64) as usize;
        if inner[a..b].iter().any(|&x| x != 0) {
            return Err(format!(
                "the inner volume has data in [{a}, {b}), where BitLocker keeps its metadata"
            ));
        }
    }
    let is_hidden = |l: u64| hidden.iter().any(|&(a, b)| a <= l && l < b);
    let enc = Encryptor::new(o.method, &o.fvek)?;
    let mut out = template.to_vec();
    out.resize(vlen as usize, 0);
    let mut plain_hash = Sha256::new();
    let mut sector = vec![0u8; ss as usize];
    let mut l = 0u64;
    while l < vlen {
        sector.fill(0);
        if let Some(src) = inner.get(l as usize..) {
            let n = src.len().min(sector.len());
            sector[..n].copy_from_slice(&src[..n]);
        }
        if l >= vh_len && is_hidden(l) {
            plain_hash.update(vec![0u8; ss as usize]);
        } else {
            plain_hash.update(&sector);
            let p = if l < vh_len { vh_off + l } else { l };
            enc.encrypt(&mut sector, p);
            out[p as usize..(p + ss) as usize].copy_from_slice(&sector);
        }
        l += ss;
    }
    if vlen != o.encrypted_size {
        for &f in &o.fve {
            resize_copy(&mut out, f as usize, o.block_size, vlen, &o.vmk)?;
        }
    }
    let inner_sha256 = {
        let mut h = Sha256::new();
        h.update(inner);
        hex(&h.finalize())
    };
    Ok(Fixture {
        bytes: out,
        plain_sha256: hex(&plain_hash.finalize()),
        inner_sha256,
        inner_len: inner.len() as u64,
        sector_size: ss,
    })
}

/// Set the encrypted size of the metadata copy at `off` and redo its CRC-32
/// and its SHA-256 authentication record (§3.6) under the VMK.
fn resize_copy(
    out: &mut [u8],
    off: usize,
    block_size: usize,
    enc_size: u64,
    vmk: &[u8; 32],
) -> Result<(), String> {
    out[off + 16..off + 24].copy_from_slice(&enc_size.to_le_bytes());
    let block = out[off..off + block_size].to_vec();
    let rec = off + block_size;
    out[rec + 4..rec + 8].copy_from_slice(&crc32fast::hash(&block).to_le_bytes());
    // Entry header (8) then nonce (12), tag (16), ciphertext (44).
    let e = rec + 8;
    if u16::from_le_bytes([out[e + 4], out[e + 5]]) != 5 {
        return Err("the validation record holds no AES-CCM entry".into());
    }
    let nonce: [u8; 12] = out[e + 8..e + 20].try_into().unwrap();
    let tag: [u8; 16] = out[e + 20..e + 36].try_into().unwrap();
    let mut payload = out[e + 36..e + 80].to_vec();
    type AesCcm = ccm::Ccm<Aes256, ccm::consts::U16, ccm::consts::U12>;
    let c = AesCcm::new_from_slice(vmk).map_err(|e| e.to_string())?;
    c.decrypt_in_place_detached(&nonce.into(), b"", &mut payload, &tag.into())
        .map_err(|_| "the validation record does not open with the VMK")?;
    payload[12..44].copy_from_slice(&Sha256::digest(&block));
    let new_tag = c
        .encrypt_in_place_detached(&nonce.into(), b"", &mut payload)
        .map_err(|e| e.to_string())?;
    out[e + 20..e + 36].copy_from_slice(&new_tag);
    out[e + 36..e + 80].copy_from_slice(&payload);
    Ok(())
}
