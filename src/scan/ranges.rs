//! MD5 of a file's manifest ranges (blocks, page ranges) as its data streams
//! past: one MD5 per range for files read and hashed inline and for ranges
//! that overlap ([`RangeHasher`]), two ranges at a time on the MD5 helper of a
//! big file ([`PairedRanges`], with [`Md5Pair`]: MD5 is latency-bound, and two
//! ranges hashed in one instruction stream cost little more than one).

use super::md5_pair::Md5Pair;
use super::pipelined::Chunk;
use crate::manifest::Range;
use md5::{Digest, Md5};
use std::collections::VecDeque;

/// Bytes held back for ranges waiting for their partner, at most; past this
/// the older range is hashed alone, so memory stays bounded whatever the
/// ranges' sizes (a manifest block is at most 4 MiB).
pub(super) const HOLD: u64 = 8 << 20;

/// What the ranges' hashes came to.
#[derive(Debug, Default)]
pub(super) struct Verdicts {
    /// Ranges whose MD5 differs from the manifest's, with the MD5 found.
    pub mismatches: Vec<(Range, [u8; 16])>,
    pub checked: u64,
}

impl Verdicts {
    fn record(&mut self, r: Range, got: [u8; 16]) {
        self.checked += 1;
        if r.md5.is_some_and(|want| want != got) {
            self.mismatches.push((r, got));
        }
    }
}

/// Incremental MD5 of the ranges of one file, one MD5 per range being fed:
/// ranges that overlap (an invalid manifest, already a finding) are each
/// hashed over their own bytes too.
pub(super) struct RangeHasher<'a> {
    ranges: &'a [Range],
    /// The first range not started yet.
    next: usize,
    /// Ranges started and not finished: index, MD5 so far, bytes fed.
    active: Vec<(usize, Md5, u64)>,
    verdicts: Verdicts,
}

impl<'a> RangeHasher<'a> {
    /// `ranges` sorted by offset.
    pub fn new(ranges: &'a [Range]) -> Self {
        RangeHasher {
            ranges,
            next: 0,
            active: Vec::new(),
            verdicts: Verdicts::default(),
        }
    }

    /// Feed file bytes `data` starting at file offset `at` (the file's bytes
    /// come in order, from 0, without gaps).
    pub fn feed(&mut self, at: u64, data: &[u8]) {
        let end = at + data.len() as u64;
        while let Some(r) = self.ranges.get(self.next) {
            if r.offset >= end {
                break;
            }
            self.active.push((self.next, Md5::new(), 0));
            self.next += 1;
        }
        let (ranges, verdicts) = (self.ranges, &mut self.verdicts);
        self.active.retain_mut(|(k, md5, fed)| {
            let r = ranges[*k];
            let pos = r.offset.saturating_add(*fed);
            let to = r.offset.saturating_add(r.len).min(end);
            if pos < to {
                let from = pos.saturating_sub(at) as usize;
                let take = (to - pos.max(at)) as usize;
                md5.update(&data[from..from + take]);
                *fed += take as u64;
            }
            let done = *fed >= r.len;
            if done {
                verdicts.record(r, std::mem::take(md5).finalize().into());
            }
            !done
        });
    }

    /// End of the data. At the end of the file, ranges not (fully) fed are
    /// hashed over what there was; when a read `stopped` the file early they
    /// were not read, and are not judged.
    pub fn finish(mut self, stopped: bool) -> Verdicts {
        if !stopped {
            for (k, md5, _) in std::mem::take(&mut self.active) {
                self.verdicts.record(self.ranges[k], md5.finalize().into());
            }
            for &r in self.ranges.get(self.next..).unwrap_or(&[]) {
                self.verdicts.record(r, Md5::new().finalize().into());
            }
        }
        self.verdicts
    }
}

/// The MD5 helper's hasher of a big file's ranges: in pairs when the ranges
/// are disjoint (a valid manifest), else one MD5 per range. Overlapping ranges
/// (already a manifest finding) could make the pairs hold data without bound.
pub(super) enum ChunkRanges<'a> {
    Pairs(Box<PairedRanges<'a>>),
    One(RangeHasher<'a>),
}

impl<'a> ChunkRanges<'a> {
    /// `ranges` sorted by offset.
    pub fn new(ranges: &'a [Range]) -> Self {
        let disjoint = ranges
            .windows(2)
            .all(|w| w[0].offset.saturating_add(w[0].len) <= w[1].offset);
        if disjoint {
            ChunkRanges::Pairs(Box::new(PairedRanges::new(ranges)))
        } else {
            ChunkRanges::One(RangeHasher::new(ranges))
        }
    }

    /// Take file bytes `[at, at + n)`, which are the first `n` bytes of `chunk`.
    pub fn feed(&mut self, at: u64, n: usize, chunk: &Chunk) {
        match self {
            ChunkRanges::Pairs(p) => p.feed(at, n, chunk),
            ChunkRanges::One(r) => r.feed(at, chunk.get(..n).unwrap_or(&chunk[..])),
        }
    }

    /// Hash now, one at a time, what is held for a partner (the MD5 helper
    /// is idle: the reader may be waiting for a buffer held here).
    pub fn release_held(&mut self) {
        if let ChunkRanges::Pairs(p) = self {
            p.release_held();
        }
    }

    /// See [`RangeHasher::finish`].
    pub fn finish(self, stopped: bool) -> Verdicts {
        match self {
            ChunkRanges::Pairs(p) => p.finish(stopped),
            ChunkRanges::One(r) => r.finish(stopped),
        }
    }
}

/// Bytes `from..to` of a chunk, not hashed yet.
struct Held {
    chunk: Chunk,
    from: usize,
    to: usize,
}

impl Held {
    fn bytes(&self) -> &[u8] {
        self.chunk.get(self.from..self.to).unwrap_or(&[])
    }
}

/// MD5 of the ranges of one file, two at a time: range `i` in lane 0 and
/// `i + 1` in lane 1. Range `i`'s data arrives first and is held (the chunk
/// stays referenced) until range `i + 1`'s arrives; then both are hashed in
/// lockstep. The ranges must be disjoint: then data for range `i + 2` comes
/// only once `i` and `i + 1` are complete, and at most about [`HOLD`] bytes
/// are ever held.
pub(super) struct PairedRanges<'a> {
    ranges: &'a [Range],
    /// First range of the pair being hashed.
    i: usize,
    pair: Md5Pair,
    /// Bytes of ranges `i` and `i + 1` hashed so far.
    fed: [u64; 2],
    /// Data not hashed yet of ranges `i` and `i + 1`,
    lanes: [VecDeque<Held>; 2],
    /// and of the ranges after them (rare: a chunk that runs past range `i + 1`).
    later: VecDeque<VecDeque<Held>>,
    held_bytes: u64,
    verdicts: Verdicts,
}

impl<'a> PairedRanges<'a> {
    /// `ranges` sorted by offset.
    pub fn new(ranges: &'a [Range]) -> Self {
        PairedRanges {
            ranges,
            i: 0,
            pair: Md5Pair::new(),
            fed: [0; 2],
            lanes: Default::default(),
            later: VecDeque::new(),
            held_bytes: 0,
            verdicts: Verdicts::default(),
        }
    }

    /// Take file bytes `[at, at + n)`, which are `chunk.data(n)`.
    pub fn feed(&mut self, at: u64, n: usize, chunk: &Chunk) {
        let end = at.saturating_add(n as u64);
        for (k, r) in self.ranges.iter().enumerate().skip(self.i) {
            if r.offset >= end {
                break;
            }
            let r_end = r.offset.saturating_add(r.len);
            if r_end <= at {
                continue;
            }
            let held = Held {
                chunk: chunk.clone(),
                from: (r.offset.max(at) - at) as usize,
                to: (r_end.min(end) - at) as usize,
            };
            self.held_bytes += held.bytes().len() as u64;
            match k - self.i {
                q @ (0 | 1) => self.lanes[q].push_back(held),
                q => {
                    while self.later.len() < q - 1 {
                        self.later.push_back(VecDeque::new());
                    }
                    if let Some(l) = self.later.get_mut(q - 2) {
                        l.push_back(held);
                    }
                }
            }
        }
        self.advance(false);
    }

    /// See [`RangeHasher::finish`].
    pub fn finish(mut self, stopped: bool) -> Verdicts {
        if !stopped {
            self.advance(true);
            return self.verdicts;
        }
        // Only what was read whole is judged.
        self.lockstep();
        self.drain_alone(0);
        self.drain_alone(1);
        let [d0, d1] = std::mem::take(&mut self.pair).finalize();
        for (lane, d) in [(0, d0), (1, d1)] {
            if let Some(&r) = self.ranges.get(self.i + lane) {
                if self.complete(lane) {
                    self.verdicts.record(r, d);
                }
            }
        }
        self.verdicts
    }

    fn release_held(&mut self) {
        self.lockstep();
        self.drain_alone(0);
        self.drain_alone(1);
        self.advance(false);
    }

    fn len(&self, lane: usize) -> Option<u64> {
        self.ranges.get(self.i + lane).map(|r| r.len)
    }

    fn complete(&self, lane: usize) -> bool {
        self.len(lane).is_none_or(|l| self.fed[lane] >= l)
    }

    /// Hash what can be hashed; `flush`: everything, the file has ended.
    fn advance(&mut self, flush: bool) {
        while self.i < self.ranges.len() {
            self.lockstep();
            // A lane whose partner will get no more data goes on alone; so does
            // lane 0 when too much is held (a range far bigger than a block).
            let alone_0 = flush || self.complete(1) || self.held_bytes > HOLD;
            let alone_1 = flush || self.complete(0);
            for (lane, alone) in [(0, alone_0), (1, alone_1)] {
                if alone {
                    self.drain_alone(lane);
                }
            }
            if !(flush || (self.complete(0) && self.complete(1))) {
                return;
            }
            let [d0, d1] = std::mem::take(&mut self.pair).finalize();
            for (lane, d) in [(0, d0), (1, d1)] {
                if let Some(&r) = self.ranges.get(self.i + lane) {
                    self.verdicts.record(r, d);
                }
            }
            self.i += 2;
            self.fed = [0; 2];
            for lane in &mut self.lanes {
                *lane = self.later.pop_front().unwrap_or_default();
            }
        }
    }

    /// Hash both lanes together while both have data.
    fn lockstep(&mut self) {
        let [l0, l1] = &mut self.lanes;
        while let (Some(h0), Some(h1)) = (l0.front_mut(), l1.front_mut()) {
            let m = h0.bytes().len().min(h1.bytes().len());
            self.pair.update(&h0.bytes()[..m], &h1.bytes()[..m]);
            h0.from += m;
            h1.from += m;
            self.fed[0] += m as u64;
            self.fed[1] += m as u64;
            self.held_bytes = self.held_bytes.saturating_sub(2 * m as u64);
            // (A piece that is empty for any reason goes too: no endless loop.)
            if h0.bytes().is_empty() {
                l0.pop_front();
            }
            if h1.bytes().is_empty() {
                l1.pop_front();
            }
        }
    }

    fn drain_alone(&mut self, lane: usize) {
        while let Some(h) = self.lanes[lane].pop_front() {
            let b = h.bytes();
            if lane == 0 {
                self.pair.update(b, &[]);
            } else {
                self.pair.update(&[], b);
            }
            self.fed[lane] += b.len() as u64;
            self.held_bytes = self.held_bytes.saturating_sub(b.len() as u64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::Arc;

    /// Ranges laid out over `data` as (gap before, length) pairs, each with
    /// the MD5 of its bytes (those past the end count as absent), except
    /// those in `wrong`, whose stated MD5 is off by one bit.
    fn ranges(data: &[u8], layout: &[(u64, u64)], wrong: &[usize]) -> Vec<Range> {
        let mut at = 0u64;
        let mut out = Vec::new();
        for (k, &(gap, len)) in layout.iter().enumerate() {
            at += gap;
            let end = (at + len).min(data.len() as u64);
            let start = at.min(end);
            let mut md5: [u8; 16] = Md5::digest(&data[start as usize..end as usize]).into();
            if wrong.contains(&k) {
                md5[0] ^= 1;
            }
            out.push(Range {
                offset: at,
                len,
                md5: Some(md5),
            });
            at += len;
        }
        out
    }

    fn touching(lens: &[u64]) -> Vec<(u64, u64)> {
        lens.iter().map(|&l| (0, l)).collect()
    }

    /// Feed `data` in chunks of `chunk` bytes to both hashers, the paired one
    /// told to release what it holds after every `release`-th chunk.
    fn both(data: &[u8], rs: &[Range], chunk: usize, release: usize) -> (Verdicts, Verdicts) {
        let mut one = RangeHasher::new(rs);
        let mut two = PairedRanges::new(rs);
        for (k, piece) in data.chunks(chunk.max(1)).enumerate() {
            let at = (k * chunk.max(1)) as u64;
            one.feed(at, piece);
            two.feed(at, piece.len(), &Arc::new(piece.to_vec()));
            if release > 0 && k % release == 0 {
                two.release_held();
            }
        }
        (one.finish(false), two.finish(false))
    }

    fn bad(v: &Verdicts) -> Vec<u64> {
        v.mismatches.iter().map(|(r, _)| r.offset).collect()
    }

    proptest! {
        #[test]
        fn pairs_agree_with_one_at_a_time(
            data in proptest::collection::vec(any::<u8>(), 0..6000),
            layout in proptest::collection::vec((0u64..700, 0u64..1500), 1..9),
            wrong in proptest::collection::vec(0usize..9, 0..3),
            chunk in 1usize..2000,
            release in 0usize..4,
        ) {
            let rs = ranges(&data, &layout, &wrong);
            let (one, two) = both(&data, &rs, chunk, release);
            prop_assert_eq!(one.checked, rs.len() as u64);
            prop_assert_eq!(two.checked, rs.len() as u64);
            prop_assert_eq!(bad(&one), bad(&two));
            // Ranges past the end are hashed over what there was, as their
            // stated MD5 was made: only the wrong ones mismatch.
            let want: Vec<u64> = rs
                .iter()
                .enumerate()
                .filter(|(k, _)| wrong.contains(k))
                .map(|(_, r)| r.offset)
                .collect();
            prop_assert_eq!(bad(&two), want);
        }

        /// A read that stops the file early: only ranges read whole are judged.
        #[test]
        fn stopped_early_judges_only_what_was_read(
            lens in proptest::collection::vec(1u64..1500, 1..9),
            read in 0usize..6000,
            chunk in 1usize..2000,
        ) {
            let data: Vec<u8> = (0..6000u32).map(|i| (i * 31 % 251) as u8).collect();
            let all: Vec<usize> = (0..lens.len()).collect();
            let rs = ranges(&data, &touching(&lens), &all);
            let mut one = RangeHasher::new(&rs);
            let mut two = PairedRanges::new(&rs);
            for (k, piece) in data[..read].chunks(chunk).enumerate() {
                let at = (k * chunk) as u64;
                one.feed(at, piece);
                two.feed(at, piece.len(), &Arc::new(piece.to_vec()));
            }
            let whole: Vec<u64> = rs
                .iter()
                .filter(|r| r.offset + r.len <= read as u64)
                .map(|r| r.offset)
                .collect();
            // Every stated MD5 is wrong, so each range judged is a mismatch.
            prop_assert_eq!(bad(&one.finish(true)), whole.clone());
            prop_assert_eq!(bad(&two.finish(true)), whole);
        }
    }

    /// The stated MD5 of the bytes of `[offset, offset + len)` that exist.
    fn md5_of(data: &[u8], offset: u64, len: u64) -> [u8; 16] {
        let end = (offset + len).min(data.len() as u64);
        let start = offset.min(end);
        Md5::digest(&data[start as usize..end as usize]).into()
    }

    proptest! {
        /// Overlapping ranges (any layout, sorted by offset): each one is
        /// hashed over its own bytes, and only the wrong ones mismatch.
        #[test]
        fn overlapping_ranges_each_get_their_own_md5(
            data in proptest::collection::vec(any::<u8>(), 0..5000),
            spans in proptest::collection::vec((0u64..5500, 0u64..3000), 1..10),
            wrong in proptest::collection::vec(0usize..10, 0..3),
            chunk in 1usize..1500,
        ) {
            let mut rs: Vec<Range> = spans
                .iter()
                .map(|&(offset, len)| Range { offset, len, md5: None })
                .collect();
            rs.sort_by_key(|r| r.offset);
            for (k, r) in rs.iter_mut().enumerate() {
                let mut m = md5_of(&data, r.offset, r.len);
                if wrong.contains(&k) {
                    m[0] ^= 1;
                }
                r.md5 = Some(m);
            }
            let mut cr = ChunkRanges::new(&rs);
            for (k, piece) in data.chunks(chunk).enumerate() {
                cr.feed((k * chunk) as u64, piece.len(), &Arc::new(piece.to_vec()));
            }
            let v = cr.finish(false);
            prop_assert_eq!(v.checked, rs.len() as u64);
            let mut got = bad(&v);
            got.sort();
            let mut want: Vec<u64> = rs
                .iter()
                .enumerate()
                .filter(|(k, _)| wrong.contains(k))
                .map(|(_, r)| r.offset)
                .collect();
            want.sort();
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn overlapping_ranges_are_not_paired() {
        // One range over everything and blocks inside it: pairs would hold
        // every block until the big range ends.
        let data: Vec<u8> = (0..(20u32 << 20)).map(|i| (i % 253) as u8).collect();
        let mut rs = vec![Range {
            offset: 0,
            len: data.len() as u64,
            md5: Some(md5_of(&data, 0, data.len() as u64)),
        }];
        rs.extend(ranges(&data, &touching(&[1 << 20; 20]), &[3]));
        rs.sort_by_key(|r| r.offset);
        let mut cr = ChunkRanges::new(&rs);
        assert!(matches!(cr, ChunkRanges::One(_)));
        for (k, piece) in data.chunks(1 << 20).enumerate() {
            cr.feed((k as u64) << 20, piece.len(), &Arc::new(piece.to_vec()));
        }
        let v = cr.finish(false);
        assert_eq!((v.checked, bad(&v)), (21, vec![3 << 20]));
        assert!(matches!(ChunkRanges::new(&rs[1..]), ChunkRanges::Pairs(_)));
    }

    #[test]
    fn ranges_bigger_than_what_is_held_are_hashed_alone() {
        let data: Vec<u8> = (0..(3 * HOLD + 12345))
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        let lens = [HOLD + 4096, HOLD + 1, HOLD, 12345 - 4097];
        let rs = ranges(&data, &touching(&lens), &[1]);
        let (one, two) = both(&data, &rs, 1 << 20, 0);
        assert_eq!(two.checked, 4);
        assert_eq!(bad(&one), bad(&two));
        assert_eq!(bad(&two), vec![rs[1].offset]);
    }
}
