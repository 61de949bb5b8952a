//! Sector decryption with a fixed key: XTS-AES, AES-CBC and AES-CBC with the
//! Elephant diffuser (128 and 256), every sector size, and the decrypted
//! view's mapping (relocated boot sectors, hidden metadata areas, encrypted
//! size) read at arbitrary offsets.
//!
//! Input: method (1 byte), sector size (1 byte), first sector number (4),
//! view parameters (encrypted size, relocated offset and length, in sectors:
//! 2 bytes each), then the ciphertext.
#![no_main]
use ie_preflight::bitlocker::decrypt::{Method, SectorCipher};
use ie_preflight::bitlocker::view::{DecryptedVolume, Layout};
use ie_preflight::source::ReadAt;
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

const FVEK: [u8; 64] = {
    let mut k = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        k[i] = (i as u8).wrapping_mul(37).wrapping_add(11);
        i += 1;
    }
    k
};

const SIZES: [usize; 8] = [512, 4096, 1024, 2048, 16, 520, 0, 8192];

fuzz_target!(|data: &[u8]| {
    if data.len() < 12 {
        return;
    }
    let Some(method) = Method::from_code(0x8000 + u16::from(data[0] % 6)) else {
        return;
    };
    let ss = SIZES[usize::from(data[1] % 8)];
    let sector = u64::from(u32::from_le_bytes([data[2], data[3], data[4], data[5]]));
    let p = |i: usize| u64::from(u16::from_le_bytes([data[i], data[i + 1]]));
    let (enc, rel_off, rel_len) = (p(6), p(8), p(10));
    let body = &data[12..];
    let Some(cipher) = SectorCipher::new(method, &FVEK) else {
        return;
    };
    let mut buf = body.to_vec();
    cipher.decrypt(&mut buf, sector.saturating_mul(ss as u64), ss);

    // The view over the same bytes as a volume.
    let Some(cipher) = SectorCipher::new(method, &FVEK) else {
        return;
    };
    let ssu = ss as u64;
    if ssu == 0 {
        return;
    }
    let raw: Arc<dyn ReadAt> = Arc::new(body.to_vec());
    let Ok(layout) = Layout::new(
        ssu,
        raw.len(),
        enc * ssu,
        (rel_off * ssu, rel_len * ssu),
        [ssu, 3 * ssu, 5 * ssu],
    ) else {
        return;
    };
    let view = DecryptedVolume::new(raw, cipher, layout);
    let len = view.len();
    for (off, n) in [
        (0, 4096),
        (sector % (len + 1), 700),
        (len / 2, 1),
        (len.saturating_sub(513), 513),
    ] {
        let mut b = vec![0u8; n];
        let _ = view.read_exact_at(&mut b, off);
    }
});
