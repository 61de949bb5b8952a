//! Two independent MD5 computations advanced together in one instruction stream.
//!
//! MD5 is latency-bound: each of its 64 steps depends on the one before, so a
//! single stream keeps only about a third of a core's ALUs busy. The drive
//! manifest carries an MD5 per 4 MiB block, and the blocks are independent
//! streams; the hash scan sat at 0.80 of the MD5+SHA-256 limit because its MD5s
//! ran one after the other. [`Md5Pair`] interleaves the steps of two streams
//! (lane 0 and lane 1) so the out-of-order core overlaps their dependency
//! chains. No crate does this: `md-5` (even with `asm`) hashes one stream per
//! call.
//!
//! Safe Rust only: the gain comes from instruction-level parallelism, not SIMD.

/// Additive constants, `floor(abs(sin(i + 1)) * 2^32)` (RFC 1321).
#[rustfmt::skip]
const K: [u32; 64] = [
    0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee,
    0xf57c_0faf, 0x4787_c62a, 0xa830_4613, 0xfd46_9501,
    0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be,
    0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821,
    0xf61e_2562, 0xc040_b340, 0x265e_5a51, 0xe9b6_c7aa,
    0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
    0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed,
    0xa9e3_e905, 0xfcef_a3f8, 0x676f_02d9, 0x8d2a_4c8a,
    0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c,
    0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70,
    0x289b_7ec6, 0xeaa1_27fa, 0xd4ef_3085, 0x0488_1d05,
    0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
    0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039,
    0x655b_59c3, 0x8f0c_cc92, 0xffef_f47d, 0x8584_5dd1,
    0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1,
    0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
];

/// Left-rotation amounts per round, for steps `i % 4` = 0..3.
const S: [[u32; 4]; 4] = [
    [7, 12, 17, 22],
    [5, 9, 14, 20],
    [4, 11, 16, 23],
    [6, 10, 15, 21],
];

const INIT: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];

/// Index of the message word that step `i` adds.
const fn word(i: usize) -> usize {
    match i / 16 {
        0 => i,
        1 => (5 * i + 1) % 16,
        2 => (3 * i + 5) % 16,
        _ => (7 * i) % 16,
    }
}

/// Step `I` of one lane. The roles (a, b, c, d) rotate one place per step, so
/// step `I` updates `v[(64 - I) % 4]`. Written so the terms not depending on
/// `b` (the previous step's result) can be added first: `K + M` and, in round
/// 2, `c & !d` (G as `(b & d) + (c & !d)`: the two terms have disjoint bits).
#[inline(always)]
fn step<const I: usize>(v: &mut [u32; 4], block: &[u8; 64]) {
    let ia = (64 - I) % 4;
    let (a, b, c, d) = (v[ia], v[(ia + 1) % 4], v[(ia + 2) % 4], v[(ia + 3) % 4]);
    let w = 4 * word(I);
    let m = u32::from_le_bytes([block[w], block[w + 1], block[w + 2], block[w + 3]]);
    let a = a.wrapping_add(K[I]).wrapping_add(m);
    let t = match I / 16 {
        0 => a.wrapping_add(d ^ (b & (c ^ d))),
        1 => a.wrapping_add(c & !d).wrapping_add(b & d),
        2 => a.wrapping_add(b ^ (c ^ d)),
        _ => a.wrapping_add(c ^ (b | !d)),
    };
    v[ia] = b.wrapping_add(t.rotate_left(S[I / 16][I % 4]));
}

/// Invokes `$step!(i ...)` with the 64 step numbers, one round per call.
macro_rules! md5_steps {
    ($step:ident) => {
        $step!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
        $step!(16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31);
        $step!(32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47);
        $step!(48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63);
    };
}

/// One 64-byte block of one lane.
fn compress1(state: &mut [u32; 4], block: &[u8; 64]) {
    let mut v = *state;
    macro_rules! one {
        ($($i:literal)*) => { $( step::<$i>(&mut v, block); )* };
    }
    md5_steps!(one);
    for (s, x) in state.iter_mut().zip(v) {
        *s = s.wrapping_add(x);
    }
}

/// One 64-byte block of each lane, the two lanes' steps interleaved.
fn compress2(s0: &mut [u32; 4], s1: &mut [u32; 4], b0: &[u8; 64], b1: &[u8; 64]) {
    let (mut v0, mut v1) = (*s0, *s1);
    macro_rules! two {
        ($($i:literal)*) => { $( step::<$i>(&mut v0, b0); step::<$i>(&mut v1, b1); )* };
    }
    md5_steps!(two);
    for (s, x) in s0.iter_mut().zip(v0) {
        *s = s.wrapping_add(x);
    }
    for (s, x) in s1.iter_mut().zip(v1) {
        *s = s.wrapping_add(x);
    }
}

/// The whole 64-byte blocks of `data`, in order.
fn blocks(mut data: &[u8]) -> impl Iterator<Item = &[u8; 64]> {
    std::iter::from_fn(move || {
        let (b, rest) = data.split_first_chunk::<64>()?;
        data = rest;
        Some(b)
    })
}

/// Compress the blocks of both lanes: pairs interleaved, the longer lane's
/// surplus alone.
fn run<'a, 'b>(
    s0: &mut [u32; 4],
    s1: &mut [u32; 4],
    mut a: impl Iterator<Item = &'a [u8; 64]>,
    mut b: impl Iterator<Item = &'b [u8; 64]>,
) {
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) => compress2(s0, s1, x, y),
            (Some(x), None) => compress1(s0, x),
            (None, Some(y)) => compress1(s1, y),
            (None, None) => break,
        }
    }
}

#[derive(Clone)]
struct Lane {
    state: [u32; 4],
    /// Partial block; `buf[..fill]` is pending.
    buf: [u8; 64],
    fill: usize,
    /// Bytes fed so far.
    len: u64,
}

impl Lane {
    const fn new() -> Self {
        Lane {
            state: INIT,
            buf: [0; 64],
            fill: 0,
            len: 0,
        }
    }

    /// Take `data` in: returns the completed buffered block (if the buffer
    /// filled up) and the part of `data` that is whole blocks; the tail is
    /// kept in the buffer.
    fn absorb<'d>(&mut self, mut data: &'d [u8]) -> (Option<[u8; 64]>, &'d [u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        let mut full = None;
        if self.fill > 0 {
            let n = data.len().min(64 - self.fill);
            let (head, rest) = data.split_at(n);
            self.buf[self.fill..self.fill + n].copy_from_slice(head);
            self.fill += n;
            data = rest;
            if self.fill < 64 {
                return (None, &[]);
            }
            full = Some(self.buf);
            self.fill = 0;
        }
        let (whole, tail) = data.split_at(data.len() - data.len() % 64);
        self.buf[..tail.len()].copy_from_slice(tail);
        self.fill = tail.len();
        (full, whole)
    }

    /// The padding blocks (one or two) and how many bytes of them are used.
    fn padding(&self) -> ([u8; 128], usize) {
        let mut pad = [0u8; 128];
        pad[..self.fill].copy_from_slice(&self.buf[..self.fill]);
        pad[self.fill] = 0x80;
        let n = if self.fill < 56 { 64 } else { 128 };
        pad[n - 8..n].copy_from_slice(&self.len.wrapping_mul(8).to_le_bytes());
        (pad, n)
    }

    fn digest(&self) -> [u8; 16] {
        let mut out = [0u8; 16];
        for (o, s) in out.chunks_exact_mut(4).zip(self.state) {
            o.copy_from_slice(&s.to_le_bytes());
        }
        out
    }
}

/// Two MD5 streams, lane 0 and lane 1, hashed together: whole blocks present
/// in both lanes run interleaved (`compress2`), the rest one lane at a time.
#[derive(Clone)]
pub struct Md5Pair {
    lanes: [Lane; 2],
}

impl Default for Md5Pair {
    fn default() -> Self {
        Self::new()
    }
}

impl Md5Pair {
    pub fn new() -> Self {
        Md5Pair {
            lanes: [Lane::new(), Lane::new()],
        }
    }

    /// Feed `a` to lane 0 and `b` to lane 1. Any lengths are correct; whole
    /// 64-byte blocks available in both lanes run interleaved, the rest single.
    pub fn update(&mut self, a: &[u8], b: &[u8]) {
        let [l0, l1] = &mut self.lanes;
        let (f0, w0) = l0.absorb(a);
        let (f1, w1) = l1.absorb(b);
        run(
            &mut l0.state,
            &mut l1.state,
            f0.iter().chain(blocks(w0)),
            f1.iter().chain(blocks(w1)),
        );
    }

    /// Both digests, lane 0 first.
    pub fn finalize(self) -> [[u8; 16]; 2] {
        let [mut l0, mut l1] = self.lanes;
        let (p0, n0) = l0.padding();
        let (p1, n1) = l1.padding();
        run(
            &mut l0.state,
            &mut l1.state,
            blocks(&p0[..n0]),
            blocks(&p1[..n1]),
        );
        [l0.digest(), l1.digest()]
    }
}

#[cfg(test)]
mod tests {
    use super::Md5Pair;
    use md5::{Digest, Md5};
    use proptest::prelude::*;
    use std::time::Instant;

    fn hex(d: &[u8; 16]) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn md5(data: &[u8]) -> [u8; 16] {
        Md5::digest(data).into()
    }

    fn pair(a: &[u8], b: &[u8]) -> [[u8; 16]; 2] {
        let mut p = Md5Pair::new();
        p.update(a, b);
        p.finalize()
    }

    /// The RFC 1321 test suite.
    const RFC: [(&str, &str); 7] = [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        (
            "abcdefghijklmnopqrstuvwxyz",
            "c3fcd3d76192e4007dfb496cca67e13b",
        ),
        (
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            "d174ab98d277d9f5a5611c2c9f419d9f",
        ),
        (
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a",
        ),
    ];

    #[test]
    fn rfc1321_either_lane() {
        for (i, (msg, want)) in RFC.iter().enumerate() {
            for (other, other_want) in RFC.iter().skip(i) {
                let [x, y] = pair(msg.as_bytes(), other.as_bytes());
                assert_eq!(hex(&x), *want, "lane 0 {msg:?}");
                assert_eq!(hex(&y), *other_want, "lane 1 {other:?}");
                let [x, y] = pair(other.as_bytes(), msg.as_bytes());
                assert_eq!(hex(&x), *other_want, "lane 0 {other:?}");
                assert_eq!(hex(&y), *want, "lane 1 {msg:?}");
            }
        }
    }

    #[test]
    fn default_and_clone() {
        let mut p = Md5Pair::default();
        p.update(b"ab", b"messa");
        let q = p.clone();
        p.update(b"c", b"ge digest");
        let [x, y] = p.finalize();
        assert_eq!(hex(&x), RFC[2].1);
        assert_eq!(hex(&y), RFC[3].1);
        let [x, _] = q.finalize();
        assert_eq!(x, md5(b"ab"));
    }

    #[test]
    fn large_unequal() {
        let a: Vec<u8> = (0..(5usize << 20) + 17)
            .map(|i| (i * 7 + i / 251) as u8)
            .collect();
        let b: Vec<u8> = (0..4usize << 20)
            .map(|i| (i * 13 + i / 509) as u8)
            .collect();
        assert_eq!(pair(&a, &b), [md5(&a), md5(&b)]);
        assert_eq!(pair(&b, &a), [md5(&b), md5(&a)]);
    }

    /// `data` cut at the (sorted, clamped) `cuts`.
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

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Random inputs fed in random pieces (some calls with one side, or
        /// both, empty) hash like `md-5` on the whole input.
        #[test]
        fn split_updates_match_md5(
            a in proptest::collection::vec(any::<u8>(), 0..3000),
            b in proptest::collection::vec(any::<u8>(), 0..3000),
            cuts_a in proptest::collection::vec(0usize..3000, 0..8),
            cuts_b in proptest::collection::vec(0usize..3000, 0..8),
        ) {
            let pa = pieces(&a, &cuts_a);
            let pb = pieces(&b, &cuts_b);
            let mut p = Md5Pair::new();
            for i in 0..pa.len().max(pb.len()) {
                let x: &[u8] = pa.get(i).copied().unwrap_or_default();
                let y: &[u8] = pb.get(i).copied().unwrap_or_default();
                p.update(x, y);
            }
            prop_assert_eq!(p.finalize(), [md5(&a), md5(&b)]);
        }
    }

    /// Throughput of `Md5Pair` on 2 × 64 MiB against `md-5` on the same two
    /// inputs one after the other. Informational: run with
    /// `cargo test --release md5_pair_speed -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn md5_pair_speed() {
        const N: usize = 64 << 20;
        let a: Vec<u8> = (0..N).map(|i| (i ^ (i >> 11)) as u8).collect();
        let b: Vec<u8> = (0..N).map(|i| (i ^ (i >> 13)) as u8).collect();
        let best = |f: &dyn Fn() -> [[u8; 16]; 2]| {
            (0..3)
                .map(|_| {
                    let t = Instant::now();
                    std::hint::black_box(f());
                    t.elapsed().as_secs_f64()
                })
                .fold(f64::INFINITY, f64::min)
        };
        let t_pair = best(&|| pair(&a, &b));
        let t_seq = best(&|| [md5(&a), md5(&b)]);
        let mb = (2 * N) as f64 / 1e6;
        println!(
            "Md5Pair: {:.1} MB/s, md-5 sequential: {:.1} MB/s, ratio {:.2}",
            mb / t_pair,
            mb / t_seq,
            t_seq / t_pair
        );
        assert_eq!(pair(&a, &b), [md5(&a), md5(&b)]);
    }
}
