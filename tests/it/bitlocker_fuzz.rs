//! Hostile input never panics the BitLocker reader: random bytes into the
//! parsers, and random byte flips in the FVE metadata of a real image (with and
//! without a recomputed CRC-32, so the entry parser sees the damage too).

use crate::bitlk;

use ie_preflight::bitlocker::{assess, bek, entries, header, metadata, Credentials};
use ie_preflight::source::{self, ReadAt};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;

/// `base` with some bytes replaced.
struct Patched {
    base: Arc<dyn ReadAt>,
    patches: BTreeMap<u64, u8>,
}

impl ReadAt for Patched {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.base.read_exact_at(buf, offset)?;
        for (&at, &v) in self.patches.range(offset..offset + buf.len() as u64) {
            buf[(at - offset) as usize] = v;
        }
        Ok(())
    }
    fn len(&self) -> u64 {
        self.base.len()
    }
}

proptest! {
    #![proptest_config(Config { cases: 512, ..Config::default() })]

    #[test]
    fn parsers_survive_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = entries::parse_list(&bytes, 0);
        let _ = bek::parse(&bytes);
        let _ = header::parse(&bytes, 512);
    }

    #[test]
    fn entry_lists_with_plausible_headers(
        items in proptest::collection::vec((8u16..80, 0u16..0x20, 0u16..0x1a, any::<u8>()), 1..12)
    ) {
        // Sizes and value types near the real ones, so the nested parsers run.
        let mut buf = Vec::new();
        for (size, ty, vt, fill) in items {
            buf.extend_from_slice(&size.to_le_bytes());
            buf.extend_from_slice(&ty.to_le_bytes());
            buf.extend_from_slice(&vt.to_le_bytes());
            buf.extend_from_slice(&1u16.to_le_bytes());
            buf.extend(std::iter::repeat_n(fill, usize::from(size) - 8));
        }
        let _ = entries::parse_list(&buf, 0);
        let _ = entries::parse_list(&buf[..buf.len() / 2], 0);
    }
}

#[test]
fn metadata_flips_never_panic() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128-clearkey-only") else {
        return;
    };
    let base = source::open(&img.path).unwrap().reader;
    let s = source::read_vec(&*base, 0, 512).unwrap();
    let hdr = header::parse(&s, 512).unwrap();
    let copies: Vec<(u64, usize)> = (1..=3)
        .zip(hdr.fve_offsets)
        .map(|(i, o)| {
            (
                o,
                metadata::read_copy(&*base, i, o).unwrap().block.block_size,
            )
        })
        .collect();
    let block_size = copies[0].1;
    // The clean image opens with its clear key (no stretch, so each case is quick).
    assert!(assess(base.clone(), &Credentials::none())
        .unlocked
        .is_some());

    let strategy = (
        proptest::collection::vec((0..block_size + 88, 1u8..=255), 1..16),
        1u8..8,
        any::<bool>(),
    );
    let mut runner = TestRunner::new(Config {
        cases: 200,
        ..Config::default()
    });
    runner
        .run(&strategy, |(flips, copy_mask, fix_crc)| {
            let mut patches = BTreeMap::new();
            for (i, &(off, bs)) in copies.iter().enumerate() {
                if copy_mask & (1 << i) == 0 {
                    continue;
                }
                let mut raw = source::read_vec(&*base, off, bs + 88).unwrap();
                for &(pos, x) in &flips {
                    raw[pos] ^= x;
                }
                if fix_crc {
                    let crc = crc32fast::hash(&raw[..bs]);
                    raw[bs + 4..bs + 8].copy_from_slice(&crc.to_le_bytes());
                }
                for (j, &b) in raw.iter().enumerate() {
                    patches.insert(off + j as u64, b);
                }
            }
            let vol: Arc<dyn ReadAt> = Arc::new(Patched {
                base: base.clone(),
                patches,
            });
            let a = assess(vol, &Credentials::none());
            let _ = serde_json::to_string(&a.facts).unwrap();
            if let Some(v) = &a.unlocked {
                let mut b = vec![0u8; 8192];
                let _ = v.read_exact_at(&mut b, 0);
            }
            Ok(())
        })
        .unwrap();
}
