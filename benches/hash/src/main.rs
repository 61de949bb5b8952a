//! MB/s of the SHA-256 and MD5 candidates of issue 14, for `benches/hash.sh`.
//!
//! Two workloads, each on one thread and on every core (the same work on
//! `nproc` threads at once, MB/s summed):
//! - `stream`: one 16 MiB message fed in 1 MiB `update` calls (APIs without
//!   streaming take the message whole; marked `whole`);
//! - `many N`: N independent 4 MiB messages (N = 1, 2, 4, 8, 16), the way a
//!   drive manifest's blocks are: batch APIs get all N at once, lane APIs get
//!   them in 1 MiB rounds (each lane one 1 MiB piece per call, as reads
//!   complete), one-stream APIs hash them one after the other.
//!
//! Every implementation is checked against `sha2` / `md-5` before it is timed.
//! Rounds interleave the implementations (A B C … A B C …) and the best of
//! `ROUNDS` is kept, so a load spike hits every implementation alike.
//!
//!   hash-bench [ROUNDS] [FILTER]

use ie_preflight::hash::{self, Backend};
use md5::{Digest as _, Md5};
use sha2::Sha256;
use std::time::Instant;

const MIB: usize = 1 << 20;
const STREAM: usize = 16 * MIB;
const BLOCK: usize = 4 * MIB;
const NS: [usize; 5] = [1, 2, 4, 8, 16];

type Out = Vec<Vec<u8>>;

/// How an implementation hashes `msgs` (each a message); `chunk` is the
/// piece size for streaming APIs.
struct Imp {
    name: &'static str,
    algo: Algo,
    /// Takes messages only whole (no streaming API).
    whole: bool,
    run: fn(&[&[u8]]) -> Out,
}

#[derive(Clone, Copy, PartialEq)]
enum Algo {
    Md5,
    Sha256,
}

fn chunks(m: &[u8]) -> std::slice::Chunks<'_, u8> {
    m.chunks(MIB)
}

fn sha2_seq(msgs: &[&[u8]]) -> Out {
    msgs.iter()
        .map(|m| {
            let mut h = Sha256::new();
            chunks(m).for_each(|c| h.update(c));
            h.finalize().to_vec()
        })
        .collect()
}

fn md5_seq(msgs: &[&[u8]]) -> Out {
    msgs.iter()
        .map(|m| {
            let mut h = Md5::new();
            chunks(m).for_each(|c| h.update(c));
            h.finalize().to_vec()
        })
        .collect()
}

fn ring_seq(msgs: &[&[u8]]) -> Out {
    msgs.iter()
        .map(|m| {
            let mut h = ring::digest::Context::new(&ring::digest::SHA256);
            chunks(m).for_each(|c| h.update(c));
            h.finish().as_ref().to_vec()
        })
        .collect()
}

#[cfg(feature = "aws-lc")]
fn awslc_seq(msgs: &[&[u8]]) -> Out {
    msgs.iter()
        .map(|m| {
            let mut h = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
            chunks(m).for_each(|c| h.update(c));
            h.finish().as_ref().to_vec()
        })
        .collect()
}

fn tape_stream(msgs: &[&[u8]]) -> Out {
    msgs.iter()
        .map(|m| {
            let mut h = tape_sha256::Sha256::new();
            chunks(m).for_each(|c| h.update(c));
            h.finish().to_vec()
        })
        .collect()
}

fn tape_many(msgs: &[&[u8]]) -> Out {
    let mut out = vec![[0u8; 32]; msgs.len()];
    tape_sha256::hash_many(msgs, &mut out);
    out.iter().map(|d| d.to_vec()).collect()
}

/// tape-sha256's AVX2 8-lane kernel forced: what a CPU without SHA-NI gets.
fn tape_avx2(msgs: &[&[u8]]) -> Out {
    let mut out = vec![[0u8; 32]; msgs.len()];
    if is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        unsafe { tape_sha256::backends::avx2_8_slices(&[], msgs, &mut out) }
    } else {
        tape_sha256::hash_many(msgs, &mut out);
    }
    out.iter().map(|d| d.to_vec()).collect()
}

/// tape-sha256's scalar kernel forced (one message at a time).
fn tape_serial(msgs: &[&[u8]]) -> Out {
    let mut out = vec![[0u8; 32]; msgs.len()];
    tape_sha256::backends::serial_slices(&[], msgs, &mut out);
    out.iter().map(|d| d.to_vec()).collect()
}

fn md5many_whole(msgs: &[&[u8]]) -> Out {
    let mut out = vec![[0u8; 16]; msgs.len()];
    md5_many::Md5Many::new().hash_many(msgs, &mut out);
    out.iter().map(|d| d.to_vec()).collect()
}

fn md5many_sse2_whole(msgs: &[&[u8]]) -> Out {
    let mut out = vec![[0u8; 16]; msgs.len()];
    md5_many::Md5Many::from_level(fearless_simd::Level::baseline()).hash_many(msgs, &mut out);
    out.iter().map(|d| d.to_vec()).collect()
}

fn md5_pair(msgs: &[&[u8]]) -> Out {
    use ie_preflight::scan::md5_pair::Md5Pair;
    let mut out = Vec::new();
    for two in msgs.chunks(2) {
        let mut p = Md5Pair::new();
        let (a, b) = (two[0], two.get(1).copied().unwrap_or(&[]));
        for k in (0..a.len().max(b.len())).step_by(MIB) {
            let piece = |m: &[u8]| m.get(k..(k + MIB).min(m.len())).unwrap_or(&[]).to_vec();
            p.update(&piece(a), &piece(b));
        }
        let [x, y] = p.finalize();
        out.push(x.to_vec());
        if two.len() == 2 {
            out.push(y.to_vec());
        }
    }
    out
}

/// The lane sets of `ie_preflight::hash`: every message a lane, fed in 1 MiB
/// rounds (lane k gets its k-th MiB in round k), finalised at the end.
fn lanes<const MD5: bool>(backend: Backend, msgs: &[&[u8]]) -> Out {
    let longest = msgs.iter().map(|m| m.len()).max().unwrap_or(0);
    let rounds = longest.div_ceil(MIB).max(1);
    if MD5 {
        let mut set = hash::Md5Lanes::with_backend(backend, msgs.len());
        for r in 0..rounds {
            let feed: Vec<(usize, &[u8])> = msgs
                .iter()
                .enumerate()
                .filter_map(|(k, m)| Some((k, m.get(r * MIB..((r + 1) * MIB).min(m.len()))?)))
                .collect();
            set.update(&feed);
        }
        let all: Vec<usize> = (0..msgs.len()).collect();
        set.finish(&all).iter().map(|d| d.to_vec()).collect()
    } else {
        let mut set = hash::Sha256Lanes::with_backend(backend, msgs.len());
        for r in 0..rounds {
            let feed: Vec<(usize, &[u8])> = msgs
                .iter()
                .enumerate()
                .filter_map(|(k, m)| Some((k, m.get(r * MIB..((r + 1) * MIB).min(m.len()))?)))
                .collect();
            set.update(&feed);
        }
        let all: Vec<usize> = (0..msgs.len()).collect();
        set.finish(&all).iter().map(|d| d.to_vec()).collect()
    }
}

fn imps() -> Vec<Imp> {
    #[allow(unused_mut)] // pushed to only with the `aws-lc` feature
    let mut v = vec![
        Imp {
            name: "sha2 (SHA-256)",
            algo: Algo::Sha256,
            whole: false,
            run: sha2_seq,
        },
        Imp {
            name: "ring SHA-256",
            algo: Algo::Sha256,
            whole: false,
            run: ring_seq,
        },
        Imp {
            name: "tape-sha256 Sha256 (1 stream)",
            algo: Algo::Sha256,
            whole: false,
            run: tape_stream,
        },
        Imp {
            name: "tape-sha256 hash_many",
            algo: Algo::Sha256,
            whole: true,
            run: tape_many,
        },
        Imp {
            name: "tape-sha256 avx2-8 forced",
            algo: Algo::Sha256,
            whole: true,
            run: tape_avx2,
        },
        Imp {
            name: "tape-sha256 serial forced",
            algo: Algo::Sha256,
            whole: true,
            run: tape_serial,
        },
        Imp {
            name: "hash::Sha256Lanes best",
            algo: Algo::Sha256,
            whole: false,
            run: |m| lanes::<false>(Backend::Best, m),
        },
        Imp {
            name: "hash::Sha256Lanes portable",
            algo: Algo::Sha256,
            whole: false,
            run: |m| lanes::<false>(Backend::Portable, m),
        },
        Imp {
            name: "md-5 asm (MD5)",
            algo: Algo::Md5,
            whole: false,
            run: md5_seq,
        },
        Imp {
            name: "Md5Pair (src/scan)",
            algo: Algo::Md5,
            whole: false,
            run: md5_pair,
        },
        Imp {
            name: "md5-many hash_many",
            algo: Algo::Md5,
            whole: true,
            run: md5many_whole,
        },
        Imp {
            name: "md5-many hash_many SSE2",
            algo: Algo::Md5,
            whole: true,
            run: md5many_sse2_whole,
        },
        Imp {
            name: "hash::Md5Lanes best",
            algo: Algo::Md5,
            whole: false,
            run: |m| lanes::<true>(Backend::Best, m),
        },
        Imp {
            name: "hash::Md5Lanes portable",
            algo: Algo::Md5,
            whole: false,
            run: |m| lanes::<true>(Backend::Portable, m),
        },
    ];
    #[cfg(feature = "aws-lc")]
    v.insert(
        2,
        Imp {
            name: "aws-lc-rs SHA-256",
            algo: Algo::Sha256,
            whole: false,
            run: awslc_seq,
        },
    );
    v
}

/// Pseudo-random bytes (xorshift), so no two messages are alike.
fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len.div_ceil(8))
        .flat_map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()
        })
        .take(len)
        .collect()
}

/// Seconds for `threads` threads each running `imp` on `msgs`.
fn time(imp: &Imp, msgs: &[&[u8]], threads: usize) -> f64 {
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| std::hint::black_box((imp.run)(std::hint::black_box(msgs))));
        }
    });
    t.elapsed().as_secs_f64()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(3);
    let filter = args.get(2).cloned().unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let imps: Vec<Imp> = imps()
        .into_iter()
        .filter(|i| i.name.contains(&filter))
        .collect();
    let stream = data(STREAM, 99);
    let blocks: Vec<Vec<u8>> = (0..16).map(|k| data(BLOCK, k + 1)).collect();
    let mut cases: Vec<(String, Vec<&[u8]>)> = vec![("stream 16 MiB".into(), vec![&stream[..]])];
    for n in NS {
        cases.push((
            format!("many {n}×4 MiB"),
            blocks[..n].iter().map(|b| &b[..]).collect(),
        ));
    }
    println!(
        "hash backend chosen: {}; tape-sha256 backend: {}",
        hash::describe(),
        tape_sha256::backend()
    );
    for imp in &imps {
        for (name, msgs) in &cases {
            let want = match imp.algo {
                Algo::Md5 => md5_seq(msgs),
                Algo::Sha256 => sha2_seq(msgs),
            };
            assert!((imp.run)(msgs) == want, "{} is wrong on {name}", imp.name);
        }
    }
    print!("| implementation |");
    for (name, _) in &cases {
        print!(" {name} 1 core | {name} {cores} cores |");
    }
    println!();
    println!("|---|{}", "---:|".repeat(2 * cases.len()));
    // best[i][c][t]
    let mut best = vec![vec![[f64::INFINITY; 2]; cases.len()]; imps.len()];
    for _ in 0..rounds {
        for (c, (_, msgs)) in cases.iter().enumerate() {
            for (i, imp) in imps.iter().enumerate() {
                for (t, threads) in [1, cores].into_iter().enumerate() {
                    let s = time(imp, msgs, threads);
                    best[i][c][t] = best[i][c][t].min(s);
                }
            }
        }
    }
    for (i, imp) in imps.iter().enumerate() {
        print!(
            "| {}{} |",
            imp.name,
            if imp.whole { " (whole)" } else { "" }
        );
        for (c, (_, msgs)) in cases.iter().enumerate() {
            let bytes: usize = msgs.iter().map(|m| m.len()).sum();
            for (t, threads) in [1, cores].into_iter().enumerate() {
                print!(" {:.0} |", (bytes * threads) as f64 / 1e6 / best[i][c][t]);
            }
        }
        println!();
    }
}
