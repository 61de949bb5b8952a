//! Random byte flips in MFT records and index blocks never panic, hang or
//! allocate without bound (bounded cases; the whole test runs in seconds).

use crate::common;

use common::ntfs::*;
use proptest::prelude::*;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

struct Base {
    img: Vec<u8>,
    /// Byte ranges worth damaging: the first MFT records and every index block.
    targets: Vec<(usize, usize)>,
}

fn base() -> &'static Base {
    static B: OnceLock<Base> = OnceLock::new();
    B.get_or_init(|| {
        let img = image("small");
        let cluster = u16::from_le_bytes([img[11], img[12]]) as usize * img[13] as usize;
        let mft = u64::from_le_bytes(img[0x30..0x38].try_into().unwrap()) as usize * cluster;
        let mut targets = vec![(mft, 1024 * 80)];
        for at in (0..img.len()).step_by(4096) {
            if &img[at..at + 4] == b"INDX" {
                targets.push((at, 4096));
            }
        }
        Base { img, targets }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn byte_flips_never_panic_or_hang(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), 1u8..=255), 1..24)) {
        let b = base();
        let mut img = b.img.clone();
        for (t, off, x) in flips {
            let (start, len) = b.targets[t.index(b.targets.len())];
            img[start + off.index(len)] ^= x;
        }
        let t0 = Instant::now();
        let a = analyze_bytes(img);
        if let (Some(vol), Some(inv)) = (&a.volume, &a.inventory) {
            assert!(inv.len() < 100_000);
            for i in 0..inv.len() {
                let _ = inv.path(i);
                let _ = serde_json::to_string(&inv.info(i));
                if let Ok(r) = vol.content(inv, i) {
                    // The first MiB of each file: a flipped size may claim exabytes of zeros.
                    let mut buf = vec![0u8; 1 << 20];
                    let _ = r.read_at(0, &mut buf);
                }
            }
        }
        prop_assert!(t0.elapsed() < Duration::from_secs(10), "took {:?}", t0.elapsed());
    }
}
