//! Every backend, forced in turn, against `md-5` and `sha2` (issue 14, point
//! 6): every length around the padding and lane boundaries, random data of
//! random lengths up to several blocks, and the same data fed in random
//! pieces, lanes interleaved.

use super::{md5_many_with, sha256_many_with, Backend, Md5Lanes, Sha256Lanes};
use md5::Md5;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

fn md5_ref(d: &[u8]) -> [u8; 16] {
    Md5::digest(d).into()
}

fn sha_ref(d: &[u8]) -> [u8; 32] {
    Sha256::digest(d).into()
}

/// Deterministic bytes, different per `seed`.
fn bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// The lengths where MD5/SHA-256 padding and block handling change, and a
/// few around SIMD lane groups of blocks (4, 8, 16 blocks) and the multi-
/// block fast paths.
fn edge_lengths() -> Vec<usize> {
    let mut v = vec![0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 121, 127, 128, 129];
    for blocks in [3usize, 4, 5, 8, 15, 16, 17, 32, 64] {
        let b = blocks * 64;
        v.extend([b - 9, b - 8, b - 1, b, b + 1, b + 55, b + 56]);
    }
    v.sort_unstable();
    v.dedup();
    v
}

/// Hash `msgs` in lanes on `b`, every message fed whole in one call.
fn md5_lanes_whole(b: Backend, msgs: &[Vec<u8>]) -> Vec<[u8; 16]> {
    let mut set = Md5Lanes::with_backend(b, msgs.len());
    let feed: Vec<(usize, &[u8])> = msgs.iter().enumerate().map(|(k, m)| (k, &m[..])).collect();
    set.update(&feed);
    let all: Vec<usize> = (0..msgs.len()).collect();
    set.finish(&all)
}

fn sha_lanes_whole(b: Backend, msgs: &[Vec<u8>]) -> Vec<[u8; 32]> {
    let mut set = Sha256Lanes::with_backend(b, msgs.len());
    let feed: Vec<(usize, &[u8])> = msgs.iter().enumerate().map(|(k, m)| (k, &m[..])).collect();
    set.update(&feed);
    let all: Vec<usize> = (0..msgs.len()).collect();
    set.finish(&all)
}

#[test]
fn every_backend_every_edge_length_in_lanes() {
    let lens = edge_lengths();
    // All lengths at once in one lane set (lanes of different lengths), and
    // each length alone in one lane.
    let msgs: Vec<Vec<u8>> = lens.iter().map(|&n| bytes(n, n as u64)).collect();
    let md5_want: Vec<[u8; 16]> = msgs.iter().map(|m| md5_ref(m)).collect();
    let sha_want: Vec<[u8; 32]> = msgs.iter().map(|m| sha_ref(m)).collect();
    for b in Backend::ALL {
        assert_eq!(md5_lanes_whole(b, &msgs), md5_want, "MD5 lanes on {b:?}");
        assert_eq!(
            sha_lanes_whole(b, &msgs),
            sha_want,
            "SHA-256 lanes on {b:?}"
        );
        let refs: Vec<&[u8]> = msgs.iter().map(|m| &m[..]).collect();
        assert_eq!(md5_many_with(b, &refs), md5_want, "md5_many on {b:?}");
        assert_eq!(sha256_many_with(b, &refs), sha_want, "sha256_many on {b:?}");
        // Equal lengths (the multi-buffer kernels' lockstep path), 1..=17 at once.
        for n in [1usize, 4, 8, 16, 17] {
            for len in [0usize, 55, 64, 129, 4096] {
                let same: Vec<Vec<u8>> =
                    (0..n).map(|k| bytes(len, (k * 31 + len) as u64)).collect();
                let refs: Vec<&[u8]> = same.iter().map(|m| &m[..]).collect();
                let want: Vec<[u8; 32]> = same.iter().map(|m| sha_ref(m)).collect();
                assert_eq!(
                    sha256_many_with(b, &refs),
                    want,
                    "sha256_many {n}×{len} on {b:?}"
                );
            }
        }
        for (m, want) in msgs.iter().zip(&md5_want) {
            let one = md5_lanes_whole(b, std::slice::from_ref(m));
            assert_eq!(one[0], *want, "MD5 one lane of {} bytes on {b:?}", m.len());
        }
    }
}

/// Equal-length lanes (the case the SIMD kernels run in lockstep) for every
/// lane count up to two AVX-512 groups and one past.
#[test]
fn every_backend_every_lane_count() {
    for b in Backend::ALL {
        for lanes in 1..=33usize {
            let len = 64 * 3 + lanes;
            let msgs: Vec<Vec<u8>> = (0..lanes).map(|k| bytes(len, k as u64 + 7)).collect();
            let want: Vec<[u8; 16]> = msgs.iter().map(|m| md5_ref(m)).collect();
            assert_eq!(md5_lanes_whole(b, &msgs), want, "{lanes} lanes on {b:?}");
        }
    }
}

/// A lane finished and reused, and lanes finished in another order than
/// their numbers, come out right; an empty lane is MD5("").
#[test]
fn finish_resets_only_the_lanes_named() {
    for b in Backend::ALL {
        let mut set = Md5Lanes::with_backend(b, 3);
        set.update(&[(0, b"ab"), (2, b"mess")]);
        assert_eq!(set.finish(&[0]), vec![md5_ref(b"ab")], "{b:?}");
        set.update(&[(0, b"abc"), (2, b"age digest"), (1, b"")]);
        assert_eq!(
            set.finish(&[2, 1, 0]),
            vec![md5_ref(b"message digest"), md5_ref(b""), md5_ref(b"abc")],
            "{b:?}"
        );
        let mut sha = Sha256Lanes::with_backend(b, 2);
        sha.update(&[(1, b"ab"), (1, b"c")]);
        assert_eq!(sha.finish(&[1, 0]), vec![sha_ref(b"abc"), sha_ref(b"")]);
    }
}

/// The RFC 1321 vectors, so a reference crate with a bug of its own would
/// not pass unnoticed.
#[test]
fn rfc1321_vectors_on_every_backend() {
    let cases: [(&[u8], &str); 4] = [
        (b"", "d41d8cd98f00b204e9800998ecf8427e"),
        (b"abc", "900150983cd24fb0d6963f7d28e17f72"),
        (b"message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        (
            b"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a",
        ),
    ];
    for b in Backend::ALL {
        let msgs: Vec<Vec<u8>> = cases.iter().map(|(m, _)| m.to_vec()).collect();
        let got = md5_lanes_whole(b, &msgs);
        for (g, (_, want)) in got.iter().zip(cases) {
            let hex: String = g.iter().map(|x| format!("{x:02x}")).collect();
            assert_eq!(hex, want, "{b:?}");
        }
    }
}

#[test]
fn backend_names_round_trip_and_fall_back_to_what_the_cpu_has() {
    for b in Backend::ALL {
        assert_eq!(Backend::parse(b.name()), Some(b));
        let e = b.effective();
        assert!(e.available(), "{b:?} runs as {e:?}, which this CPU lacks");
        assert_ne!(e, Backend::Best);
        assert!(e.md5_lanes() >= 1);
    }
    assert_eq!(Backend::parse(" AVX2 "), Some(Backend::Avx2));
    assert_eq!(Backend::parse("gpu"), None);
    assert_eq!(Backend::Portable.effective(), Backend::Portable);
    assert_eq!(Backend::Portable.md5_lanes(), 1);
    #[cfg(target_arch = "x86_64")]
    {
        assert_eq!(Backend::Sse2.md5_lanes(), 4);
        if std::arch::is_x86_feature_detected!("avx2") {
            assert!(Backend::Best.md5_lanes() >= 8);
            assert_eq!(Backend::Avx2.md5_lanes(), 8);
        }
    }
}

/// `data` cut at the (clamped, sorted) `cuts`.
fn pieces<'a>(data: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(data.len())).collect();
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut from = 0;
    for c in cuts.into_iter().chain([data.len()]) {
        out.push(&data[from..c]);
        from = c;
    }
    out
}

/// Random messages (0 to a bit over 4 blocks of 1 KiB... and a few of 3
/// SIMD block groups), each cut into random pieces; round r feeds every
/// lane's r-th piece in one call, so lanes run side by side with different
/// lengths and unaligned boundaries.
fn check_split(b: Backend, msgs: &[Vec<u8>], cuts: &[Vec<usize>]) -> Result<(), TestCaseError> {
    let split: Vec<Vec<&[u8]>> = msgs.iter().zip(cuts).map(|(m, c)| pieces(m, c)).collect();
    let rounds = split.iter().map(Vec::len).max().unwrap_or(0);
    let mut md = Md5Lanes::with_backend(b, msgs.len());
    let mut sh = Sha256Lanes::with_backend(b, msgs.len());
    for r in 0..rounds {
        let feed: Vec<(usize, &[u8])> = split
            .iter()
            .enumerate()
            .filter_map(|(k, p)| Some((k, *p.get(r)?)))
            .collect();
        md.update(&feed);
        sh.update(&feed);
    }
    let all: Vec<usize> = (0..msgs.len()).collect();
    let want_md: Vec<[u8; 16]> = msgs.iter().map(|m| md5_ref(m)).collect();
    let want_sh: Vec<[u8; 32]> = msgs.iter().map(|m| sha_ref(m)).collect();
    prop_assert_eq!(md.finish(&all), want_md, "MD5 on {:?}", b);
    prop_assert_eq!(sh.finish(&all), want_sh, "SHA-256 on {:?}", b);
    Ok(())
}

fn message() -> impl Strategy<Value = (Vec<u8>, Vec<usize>)> {
    // Mostly short (padding edges), some up to ~20 KiB (several SIMD groups
    // of 64-byte blocks; lengths around every multiple of 64 are hit).
    let len = prop_oneof![3 => 0usize..300, 2 => 0usize..20_000];
    len.prop_flat_map(|n| {
        (
            proptest::collection::vec(any::<u8>(), n),
            proptest::collection::vec(0..=n, 0..6),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_data_random_splits_every_backend(
        lanes in proptest::collection::vec(message(), 1..20),
    ) {
        let (msgs, cuts): (Vec<Vec<u8>>, Vec<Vec<usize>>) = lanes.into_iter().unzip();
        for b in Backend::ALL {
            check_split(b, &msgs, &cuts)?;
        }
    }

    /// The same lane fed twice in one call keeps its pieces in order.
    #[test]
    fn repeated_lane_in_one_call(
        a in proptest::collection::vec(any::<u8>(), 0..500),
        c in proptest::collection::vec(any::<u8>(), 0..500),
        other in proptest::collection::vec(any::<u8>(), 0..500),
    ) {
        for b in Backend::ALL {
            let mut set = Md5Lanes::with_backend(b, 2);
            set.update(&[(0, &a[..]), (1, &other[..]), (0, &c[..])]);
            let whole = [a.clone(), c.clone()].concat();
            prop_assert_eq!(set.finish(&[0, 1]), vec![md5_ref(&whole), md5_ref(&other)]);
        }
    }
}

/// Several whole 4 MiB-scale blocks with a short tail: the long lockstep
/// runs and the block-aligned fast paths of the SIMD backends.
#[test]
fn large_blocks_every_backend() {
    let msgs: Vec<Vec<u8>> = (0..9)
        .map(|k| bytes((1 << 20) + k * 4099, k as u64))
        .collect();
    let want: Vec<[u8; 16]> = msgs.iter().map(|m| md5_ref(m)).collect();
    for b in Backend::ALL {
        // In 64 KiB rounds, as a scan would feed its reads.
        let mut set = Md5Lanes::with_backend(b, msgs.len());
        for r in 0..msgs[8].len().div_ceil(65536) {
            let feed: Vec<(usize, &[u8])> = msgs
                .iter()
                .enumerate()
                .filter_map(|(k, m)| Some((k, m.get(r * 65536..((r + 1) * 65536).min(m.len()))?)))
                .collect();
            set.update(&feed);
        }
        let all: Vec<usize> = (0..msgs.len()).collect();
        assert_eq!(set.finish(&all), want, "{b:?}");
    }
}
