use super::*;
use crate::bitlocker::decrypt::Method;

/// A synthetic 1 MiB XTS volume: logical sector i holds the byte i % 251,
/// relocated 2 sectors to 0x80000, FVE areas at 0x10000 / 0x30000 / 0x50000.
fn fixture(ss: u64, enc_size: u64) -> (Vec<u8>, Vec<u8>, Layout) {
    let len = 1u64 << 20;
    let layout = Layout::new(
        ss,
        len,
        enc_size,
        (0x80000, 2 * ss),
        [0x10000, 0x30000, 0x50000],
    )
    .unwrap();
    let key = [7u8; 32];
    let cipher = SectorCipher::new(Method::XtsAes128, &key).unwrap();
    let mut plain = vec![0u8; len as usize];
    for (i, s) in plain.chunks_exact_mut(ss as usize).enumerate() {
        s.fill((i % 251) as u8);
    }
    for &(a, b) in &layout.hidden {
        plain[a as usize..b as usize].fill(0);
    }
    let mut raw = plain.clone();
    // The first sectors live at the relocated offset.
    raw.copy_within(0..(2 * ss) as usize, 0x80000);
    raw[..(2 * ss) as usize].fill(0xEE); // the BitLocker boot sector, say
    let e = enc_size as usize;
    cipher.encrypt(&mut raw[..e], 0, ss as usize);
    (raw, plain, layout)
}

fn view(raw: Vec<u8>, layout: Layout) -> DecryptedVolume {
    let cipher = SectorCipher::new(Method::XtsAes128, &[7u8; 32]).unwrap();
    DecryptedVolume::new(Arc::new(raw), cipher, layout)
}

#[test]
fn whole_volume_and_unaligned_reads() {
    for ss in [512u64, 4096] {
        let (raw, plain, layout) = fixture(ss, 1 << 20);
        let v = view(raw, layout);
        let mut all = vec![0u8; plain.len()];
        v.read_exact_at(&mut all, 0).unwrap();
        assert!(all == plain, "sector size {ss}");
        for (off, n) in [(1u64, 10usize), (511, 2), (0x10000 - 3, 9), (0x7FFFF, 700)] {
            let mut b = vec![0u8; n];
            v.read_exact_at(&mut b, off).unwrap();
            assert_eq!(b, plain[off as usize..off as usize + n]);
        }
        let mut b = [0u8; 2];
        assert!(v.read_exact_at(&mut b, (1 << 20) - 1).is_err());
    }
}

#[test]
fn plaintext_past_encrypted_size() {
    let (raw, plain, layout) = fixture(512, 0x90000);
    let v = view(raw, layout);
    let mut all = vec![0u8; plain.len()];
    v.read_exact_at(&mut all, 0).unwrap();
    assert!(all == plain);
}

#[test]
fn bad_relocation_is_refused() {
    assert!(Layout::new(512, 1 << 20, 1 << 20, (0x80001, 1024), [0; 3]).is_err());
    assert!(Layout::new(512, 1 << 20, 1 << 20, (u64::MAX - 511, 1024), [0; 3]).is_err());
    assert!(Layout::new(512, 1 << 20, 1 << 20, (512, 1024), [0; 3]).is_err());
}
