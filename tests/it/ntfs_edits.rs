//! Structural damage (and one legal but rare layout) made in memory by editing
//! bytes of the `full` fixture: directory cycles, `$MFT` data runs with a gap,
//! and `$MFT` runs split over an extension record through an attribute list.

use crate::common;

use common::ntfs::*;
use ie_preflight::ntfs_volume::{fls_lines, DataRef, Extent, LsOptions};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// The clean image, where each MFT record is, and the record of each path.
struct Fixture {
    img: Vec<u8>,
    record_size: usize,
    mft: Vec<Extent>,
    cluster: u64,
    paths: Vec<(String, u64)>,
}

fn fixture() -> Fixture {
    let img = image("full");
    let a = analyze_bytes(img.clone());
    let vol = a.volume.as_ref().unwrap();
    let inv = a.inventory.as_ref().unwrap();
    let geo = vol.geometry();
    let paths: Vec<(String, u64)> = (0..inv.len())
        .map(|i| (inv.path(i), inv.record(i)))
        .collect();
    let mft_i = (0..inv.len()).find(|&i| inv.path(i) == "$MFT").unwrap();
    let DataRef::Extents { extents } = inv.data(mft_i) else {
        panic!("$MFT is not non-resident")
    };
    Fixture {
        record_size: geo.record_size,
        cluster: geo.cluster_size,
        mft: extents.to_vec(),
        paths,
        img,
    }
}

impl Fixture {
    fn record_of(&self, path: &str) -> u64 {
        self.paths.iter().find(|p| p.0 == path).unwrap().1
    }
    /// Byte offset of MFT record `n` in the image.
    fn rec(&self, n: u64) -> usize {
        let pos = n * self.record_size as u64;
        let e = self
            .mft
            .iter()
            .find(|e| e.vcn * self.cluster <= pos && pos < (e.vcn + e.clusters) * self.cluster)
            .unwrap();
        (e.lcn * self.cluster + pos - e.vcn * self.cluster) as usize
    }
    fn seq(&self, n: u64) -> u16 {
        let o = self.rec(n) + 0x10;
        u16::from_le_bytes([self.img[o], self.img[o + 1]])
    }
    fn reference(&self, n: u64) -> [u8; 8] {
        (n | (self.seq(n) as u64) << 48).to_le_bytes()
    }
    /// Make the index entry in directory `dir` that names `child` point to `to` instead.
    fn repoint(&self, img: &mut [u8], dir: &str, child: &str, to: &str) {
        let (d, c, t) = (
            self.record_of(dir),
            self.record_of(child),
            self.record_of(to),
        );
        let at = self.rec(d);
        let rec = &self.img[at..at + self.record_size];
        let want = self.reference(c);
        let hits: Vec<usize> = (0..rec.len() - 8)
            .filter(|&i| rec[i..i + 8] == want)
            .collect();
        assert_eq!(hits.len(), 1, "{dir} should hold one entry for {child}");
        let o = hits[0];
        assert!(
            (o..o + 8).all(|x| x % 512 < 510),
            "entry on a fixup position"
        );
        img[at + o..at + o + 8].copy_from_slice(&self.reference(t));
    }
}

fn codes(a: &ie_preflight::ntfs_volume::Analysis) -> BTreeSet<&'static str> {
    a.findings.iter().map(|f| f.code).collect()
}

/// Analyse, list every path, and do it in bounded time.
fn walk(img: Vec<u8>) -> (ie_preflight::ntfs_volume::Analysis, Vec<String>) {
    let t0 = Instant::now();
    let a = analyze_bytes(img);
    let inv = a.inventory.as_ref().expect("the walk completes");
    let lines: Vec<String> = fls_lines(inv, LsOptions::default())
        .map(|l| l.path)
        .collect();
    assert!(t0.elapsed() < Duration::from_secs(20), "{:?}", t0.elapsed());
    (a, lines)
}

#[test]
fn index_entry_pointing_back_to_an_ancestor_terminates_with_a_finding() {
    let f = fixture();
    let mut img = f.img.clone();
    // a/b/c's entry "d" now names the directory "a": a → b → c → "d" = a → …
    f.repoint(&mut img, "a/b/c", "a/b/c/d", "a");
    let (a, lines) = walk(img);
    let cycle = a
        .findings
        .iter()
        .find(|x| x.code == "ntfs.directory-cycle")
        .unwrap_or_else(|| panic!("no ntfs.directory-cycle in {:#?}", a.findings));
    assert!(cycle.subject.contains("\"d\""), "{cycle:?}");
    // The looping entry is listed once and not entered.
    assert!(lines.iter().any(|l| l == "a/b/c/d"));
    assert!(
        !lines.iter().any(|l| l.starts_with("a/b/c/d/")),
        "{lines:?}"
    );
    // What hung below the old d (e, deep.txt) is now unreachable.
    assert!(
        codes(&a).contains("ntfs.orphan-records"),
        "{:#?}",
        a.findings
    );
}

#[test]
fn directory_whose_index_points_to_itself_terminates_with_a_finding() {
    let f = fixture();
    let mut img = f.img.clone();
    f.repoint(&mut img, "a/b/c", "a/b/c/d", "a/b/c");
    let (a, lines) = walk(img);
    assert!(
        codes(&a).contains("ntfs.directory-cycle"),
        "{:#?}",
        a.findings
    );
    assert!(!lines.iter().any(|l| l.starts_with("a/b/c/d")), "{lines:?}");
    assert!(lines.iter().any(|l| l == "a/b/c"));
}

#[test]
fn root_dot_entry_is_not_a_cycle() {
    let (a, _) = walk(fixture().img);
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
}

// ---------------------------------------------------------------- $MFT's own runs

/// Apply (undo) the update sequence of a record: sector tails back in place.
fn unfix(r: &mut [u8]) {
    let off = u16::from_le_bytes([r[4], r[5]]) as usize;
    let cnt = u16::from_le_bytes([r[6], r[7]]) as usize;
    for i in 1..cnt {
        r.copy_within(off + 2 * i..off + 2 * i + 2, i * 512 - 2);
    }
}

/// Protect a record with its update sequence (the inverse of [`unfix`]).
fn fix(r: &mut [u8]) {
    let off = u16::from_le_bytes([r[4], r[5]]) as usize;
    let cnt = u16::from_le_bytes([r[6], r[7]]) as usize;
    let usn = [r[off], r[off + 1]];
    for i in 1..cnt {
        r.copy_within(i * 512 - 2..i * 512, off + 2 * i);
        r[i * 512 - 2..i * 512].copy_from_slice(&usn);
    }
}

fn u16_at(b: &[u8], o: usize) -> usize {
    u16::from_le_bytes([b[o], b[o + 1]]) as usize
}
fn u32_at(b: &[u8], o: usize) -> usize {
    u32::from_le_bytes(b[o..o + 4].try_into().unwrap()) as usize
}

/// Offset of the first attribute of type `ty` in a fixed-up record.
fn attr(r: &[u8], ty: usize) -> Option<usize> {
    let mut p = u16_at(r, 0x14);
    while u32_at(r, p) != 0xFFFF_FFFF {
        if u32_at(r, p) == ty {
            return Some(p);
        }
        p += u32_at(r, p + 4);
    }
    None
}

/// Mapping pairs for runs (lcn, clusters), starting from LCN 0.
fn encode_runs(runs: &[(u64, u64)]) -> Vec<u8> {
    fn bytes(v: i64) -> Vec<u8> {
        let mut n = 1;
        while n < 8 && !(-(1i64 << (8 * n - 1))..(1i64 << (8 * n - 1))).contains(&v) {
            n += 1;
        }
        v.to_le_bytes()[..n].to_vec()
    }
    let mut out = Vec::new();
    let mut prev = 0i64;
    for &(lcn, len) in runs {
        let l = bytes(len as i64);
        let o = bytes(lcn as i64 - prev);
        prev = lcn as i64;
        out.push((o.len() as u8) << 4 | l.len() as u8);
        out.extend(l);
        out.extend(o);
    }
    out.push(0);
    out
}

/// Record 0 with `$DATA`'s runs replaced (in place; the new runs must not be longer).
fn with_runs(r: &mut [u8], runs: &[u8], last_vcn: u64) {
    let p = attr(r, 0x80).unwrap();
    assert_eq!(r[p + 8], 1, "$MFT's $DATA is non-resident");
    let ro = p + u16_at(r, p + 0x20);
    let end = p + u32_at(r, p + 4);
    assert!(ro + runs.len() <= end);
    r[ro..end].fill(0);
    r[ro..ro + runs.len()].copy_from_slice(runs);
    r[p + 0x18..p + 0x20].copy_from_slice(&last_vcn.to_le_bytes());
}

const SPLIT: u64 = 6; // clusters of $MFT mapped by record 0: records 0..24 with 4 KiB clusters
const EXT: u64 = 20; // a reserved, unused record that takes the rest of the runs

#[test]
fn mft_runs_with_a_gap_are_a_finding() {
    let f = fixture();
    assert!(f.paths.len() > 3000);
    let mut img = f.img.clone();
    let at = f.rec(0);
    let mut r = img[at..at + f.record_size].to_vec();
    unfix(&mut r);
    let first = f.mft[0];
    with_runs(&mut r, &encode_runs(&[(first.lcn, SPLIT)]), SPLIT - 1);
    fix(&mut r);
    img[at..at + f.record_size].copy_from_slice(&r);
    let t0 = Instant::now();
    let a = analyze_bytes(img);
    assert!(t0.elapsed() < Duration::from_secs(20));
    let c = codes(&a);
    assert!(c.contains("ntfs.mft-incomplete"), "{:#?}", a.findings);
}

#[test]
fn mft_runs_continued_through_an_attribute_list_are_followed() {
    let f = fixture();
    let (a, _) = walk(split_mft(&f));
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    let inv = a.inventory.unwrap();
    let got: Vec<(String, u64)> = (0..inv.len())
        .map(|i| (inv.path(i), inv.record(i)))
        .collect();
    assert_eq!(got.len(), f.paths.len());
    assert_eq!(got, f.paths);
}

/// The fixture with `$MFT`'s runs split: record 0 maps the first SPLIT clusters and
/// names, through a resident attribute list, record EXT for the rest.
fn split_mft(f: &Fixture) -> Vec<u8> {
    let rs = f.record_size;
    let mut img = f.img.clone();
    let at0 = f.rec(0);
    let at_ext = f.rec(EXT);
    assert_eq!(img[at_ext + 0x16] & 1, 0, "record {EXT} must be unused");
    let mut r0 = img[at0..at0 + rs].to_vec();
    unfix(&mut r0);

    // The runs: record 0 keeps the first SPLIT clusters, record EXT the rest.
    let runs: Vec<(u64, u64)> = f.mft.iter().map(|e| (e.lcn, e.clusters)).collect();
    let total: u64 = runs.iter().map(|r| r.1).sum();
    assert!(runs[0].1 > SPLIT && total > SPLIT);
    let mut rest = vec![(runs[0].0 + SPLIT, runs[0].1 - SPLIT)];
    rest.extend_from_slice(&runs[1..]);
    with_runs(&mut r0, &encode_runs(&[(runs[0].0, SPLIT)]), SPLIT - 1);

    // Record EXT: a FILE record whose base is record 0, holding $DATA from VCN SPLIT.
    let mut ext = vec![0u8; rs];
    ext[..0x30].copy_from_slice(&r0[..0x30]);
    ext[4..6].copy_from_slice(&0x30u16.to_le_bytes()); // update sequence array offset
    ext[6..8].copy_from_slice(&((rs / 512 + 1) as u16).to_le_bytes());
    ext[0x10..0x12].copy_from_slice(&1u16.to_le_bytes()); // sequence number
    ext[0x12..0x14].copy_from_slice(&0u16.to_le_bytes()); // links
    ext[0x14..0x16].copy_from_slice(&0x38u16.to_le_bytes()); // first attribute
    ext[0x16..0x18].copy_from_slice(&1u16.to_le_bytes()); // in use
    ext[0x1C..0x20].copy_from_slice(&(rs as u32).to_le_bytes());
    ext[0x20..0x28].copy_from_slice(&(f.seq(0) as u64).wrapping_shl(48).to_le_bytes());
    ext[0x28..0x2A].copy_from_slice(&1u16.to_le_bytes()); // next attribute id
    ext[0x2C..0x30].copy_from_slice(&(EXT as u32).to_le_bytes());
    let mp = encode_runs(&rest);
    let alen = (0x40 + mp.len()).div_ceil(8) * 8;
    let p = 0x38;
    let mut a = vec![0u8; alen];
    a[0..4].copy_from_slice(&0x80u32.to_le_bytes());
    a[4..8].copy_from_slice(&(alen as u32).to_le_bytes());
    a[8] = 1; // non-resident
    a[10..12].copy_from_slice(&0x40u16.to_le_bytes()); // name offset (no name)
    a[0x10..0x18].copy_from_slice(&SPLIT.to_le_bytes()); // start VCN
    a[0x18..0x20].copy_from_slice(&(total - 1).to_le_bytes()); // last VCN
    a[0x20..0x22].copy_from_slice(&0x40u16.to_le_bytes()); // runs offset
    a[0x40..0x40 + mp.len()].copy_from_slice(&mp);
    ext[p..p + alen].copy_from_slice(&a);
    ext[p + alen..p + alen + 4].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
    ext[0x18..0x1C].copy_from_slice(&((p + alen + 8) as u32).to_le_bytes()); // bytes in use

    // Record 0 gains a resident $ATTRIBUTE_LIST naming both pieces of $DATA,
    // inserted before the first attribute of a higher type.
    let entry = |ty: u32, vcn: u64, rec: u64, id: u16| {
        let mut e = vec![0u8; 0x20];
        e[0..4].copy_from_slice(&ty.to_le_bytes());
        e[4..6].copy_from_slice(&0x20u16.to_le_bytes());
        e[7] = 0x1A;
        e[8..16].copy_from_slice(&vcn.to_le_bytes());
        e[16..24].copy_from_slice(&rec.to_le_bytes());
        e[24..26].copy_from_slice(&id.to_le_bytes());
        e
    };
    let data_id = u16_at(&r0, attr(&r0, 0x80).unwrap() + 14) as u16;
    let seq0 = (f.seq(0) as u64) << 48;
    let mut value = entry(0x80, 0, seq0, data_id);
    value.extend(entry(0x80, SPLIT, EXT | 1 << 48, 0));
    let list_id = u16_at(&r0, 0x28) as u16;
    r0[0x28..0x2A].copy_from_slice(&(list_id + 1).to_le_bytes());
    let llen = 0x18 + value.len();
    let mut la = vec![0u8; llen];
    la[0..4].copy_from_slice(&0x20u32.to_le_bytes());
    la[4..8].copy_from_slice(&(llen as u32).to_le_bytes());
    la[10..12].copy_from_slice(&0x18u16.to_le_bytes());
    la[14..16].copy_from_slice(&list_id.to_le_bytes());
    la[0x10..0x14].copy_from_slice(&(value.len() as u32).to_le_bytes());
    la[0x14..0x16].copy_from_slice(&0x18u16.to_le_bytes());
    la[0x18..].copy_from_slice(&value);
    let mut ins = u16_at(&r0, 0x14);
    while u32_at(&r0, ins) <= 0x20 {
        ins += u32_at(&r0, ins + 4);
    }
    let used = u32_at(&r0, 0x18);
    assert!(used + llen <= rs, "no room in record 0");
    r0.copy_within(ins..used, ins + llen);
    r0[ins..ins + llen].copy_from_slice(&la);
    r0[0x18..0x1C].copy_from_slice(&((used + llen) as u32).to_le_bytes());

    fix(&mut r0);
    fix(&mut ext);
    img[at0..at0 + rs].copy_from_slice(&r0);
    img[at_ext..at_ext + rs].copy_from_slice(&ext);
    // $MFTMirr holds record 0 too.
    let mirr = u64::from_le_bytes(img[0x38..0x40].try_into().unwrap()) * f.cluster;
    img[mirr as usize..mirr as usize + rs].copy_from_slice(&r0);
    img
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, failure_persistence: None, ..Default::default() })]

    /// Hostile bytes in record 0 (its attribute list and runs) and in the extension
    /// record, behind valid fixups: no panic, no hang.
    #[test]
    fn damaged_mft_attribute_list_never_panics_or_hangs(
        flips in proptest::collection::vec((0usize..2, 0x38usize..1000, 1u8..=255), 1..16)
    ) {
        static BASE: std::sync::OnceLock<(Vec<u8>, usize, usize, usize)> = std::sync::OnceLock::new();
        let (img, at0, at_ext, rs) = BASE.get_or_init(|| {
            let f = fixture();
            (split_mft(&f), f.rec(0), f.rec(EXT), f.record_size)
        });
        let mut img = img.clone();
        for at in [*at0, *at_ext] {
            let mut r = img[at..at + rs].to_vec();
            unfix(&mut r);
            for &(which, off, x) in &flips {
                if [*at0, *at_ext][which] == at && off < *rs {
                    r[off] ^= x;
                }
            }
            fix(&mut r);
            img[at..at + rs].copy_from_slice(&r);
        }
        let t0 = Instant::now();
        let a = analyze_bytes(img);
        if let Some(inv) = &a.inventory {
            proptest::prop_assert!(inv.len() < 100_000);
            for i in 0..inv.len() {
                let _ = inv.path(i);
            }
        }
        proptest::prop_assert!(t0.elapsed() < Duration::from_secs(10), "took {:?}", t0.elapsed());
    }
}

#[test]
fn non_resident_reparse_point_tag_is_read() {
    let f = fixture();
    let mut img = f.img.clone();
    let a = analyze_bytes(f.img.clone());
    let (vol, inv) = (a.volume.as_ref().unwrap(), a.inventory.as_ref().unwrap());
    // A cluster that $Bitmap marks free, from the end of the volume.
    let bi = (0..inv.len()).find(|&i| inv.path(i) == "$Bitmap").unwrap();
    let mut bitmap = Vec::new();
    vol.content(inv, bi)
        .unwrap()
        .for_each_chunk(1 << 16, |b| bitmap.extend_from_slice(b))
        .unwrap();
    let total = vol.geometry().total_clusters;
    let free = (1..total - 1)
        .rev()
        .find(|&c| bitmap[(c / 8) as usize] & (1 << (c % 8)) == 0)
        .unwrap();

    // symlink.txt's resident $REPARSE_POINT becomes non-resident in that cluster.
    let n = f.record_of("symlink.txt");
    let at = f.rec(n);
    let rs = f.record_size;
    let mut r = img[at..at + rs].to_vec();
    unfix(&mut r);
    let p = attr(&r, 0xC0).unwrap();
    assert_eq!(r[p + 8], 0, "resident to begin with");
    let len = u32_at(&r, p + 4);
    let vlen = u32_at(&r, p + 0x10);
    let voff = u16_at(&r, p + 0x14);
    let value = r[p + voff..p + voff + vlen].to_vec();
    assert_eq!(&value[..4], &0xA000_000Cu32.to_le_bytes());
    let c = (free * f.cluster) as usize;
    img[c..c + value.len()].copy_from_slice(&value);
    let runs = encode_runs(&[(free, 1)]);
    assert!(0x40 + runs.len() <= len);
    let id = [r[p + 14], r[p + 15]];
    let mut na = vec![0u8; len];
    na[0..4].copy_from_slice(&0xC0u32.to_le_bytes());
    na[4..8].copy_from_slice(&(len as u32).to_le_bytes());
    na[8] = 1;
    na[10..12].copy_from_slice(&0x40u16.to_le_bytes());
    na[14..16].copy_from_slice(&id);
    na[0x20..0x22].copy_from_slice(&0x40u16.to_le_bytes());
    na[0x28..0x30].copy_from_slice(&f.cluster.to_le_bytes());
    na[0x30..0x38].copy_from_slice(&(vlen as u64).to_le_bytes());
    na[0x38..0x40].copy_from_slice(&(vlen as u64).to_le_bytes());
    na[0x40..0x40 + runs.len()].copy_from_slice(&runs);
    r[p..p + len].copy_from_slice(&na);
    fix(&mut r);
    img[at..at + rs].copy_from_slice(&r);

    let (a, _) = walk(img);
    let inv = a.inventory.as_ref().unwrap();
    let i = (0..inv.len())
        .find(|&i| inv.path(i) == "symlink.txt")
        .unwrap();
    assert_eq!(inv.info(i).reparse_tag, Some(0xA000_000C));
    // The cluster is now owned but free in $Bitmap: that is the only damage.
    assert_eq!(
        codes(&a),
        BTreeSet::from(["ntfs.bitmap-free-in-use"]),
        "{:#?}",
        a.findings
    );
}

#[test]
fn a_file_known_only_by_its_dos_name_is_listed() {
    let f = fixture();
    let mut img = f.img.clone();
    let (d, c) = (f.record_of("a/b/c/d/e"), f.record_of("a/b/c/d/e/deep.txt"));
    let at = f.rec(d);
    let rec = &f.img[at..at + f.record_size];
    let want = f.reference(c);
    let o = (0..rec.len() - 8).find(|&i| rec[i..i + 8] == want).unwrap();
    let ns = at + o + 16 + 0x41;
    assert!((ns - at) % 512 < 510);
    assert_ne!(img[ns], 2);
    img[ns] = 2; // the DOS namespace
    let (a, lines) = walk(img);
    assert!(lines.iter().any(|l| l == "a/b/c/d/e/deep.txt"), "{lines:?}");
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
}
