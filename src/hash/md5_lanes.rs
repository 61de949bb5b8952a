//! [`Md5Lanes`]: N MD5 streams, hashed side by side by `md5-many` (or one
//! after the other by `md-5`, the portable backend).

use super::Backend;
use fearless_simd::Level;
use md5::{Digest, Md5};
use md5_many::{Md5Many, Md5State};

/// The `fearless_simd` level of a backend on this CPU (the next lower one the
/// CPU has when it lacks the one asked for); `None`: the portable backend.
pub(super) fn level(b: Backend) -> Option<Level> {
    let best = Level::new();
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    {
        let avx2 = || best.as_avx2().map(Level::Avx2);
        match b {
            Backend::Portable => None,
            Backend::Sse2 => Some(Level::baseline()),
            Backend::Avx2 => Some(avx2().unwrap_or(Level::baseline())),
            Backend::Avx512 => Some(
                best.as_avx512()
                    .map(Level::Avx512)
                    .or_else(avx2)
                    .unwrap_or(Level::baseline()),
            ),
            Backend::Best => Some(best),
        }
    }
    #[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
    match b {
        Backend::Best => Some(best),
        _ => None,
    }
}

/// MD5 lanes `md5-many` hashes at once at `level` (4, 8 or 16; 1 where it
/// has no SIMD).
pub(super) fn level_lanes(level: Level) -> usize {
    if level.is_fallback() {
        1
    } else {
        Md5Many::from_level(level).lanes()
    }
}

enum Engine {
    Portable(Vec<Md5>),
    Many {
        many: Md5Many,
        states: Vec<Md5State>,
    },
}

/// N independent MD5 streams ("lanes"), numbered `0..N`.
///
/// ```
/// use ie_preflight::hash::Md5Lanes;
/// let mut set = Md5Lanes::new(2);
/// set.update(&[(0, b"message ".as_slice()), (1, b"a".as_slice())]);
/// set.update(&[(0, b"digest".as_slice())]);
/// let d = set.finish(&[0, 1]);
/// assert_eq!(d[0][..4], [0xf9, 0x6b, 0x69, 0x7d]);
/// assert_eq!(d[1][..4], [0x0c, 0xc1, 0x75, 0xb9]);
/// ```
pub struct Md5Lanes {
    engine: Engine,
}

impl Md5Lanes {
    /// `lanes` streams on the process's backend ([`Backend::from_env`]).
    pub fn new(lanes: usize) -> Self {
        Self::with_backend(Backend::from_env(), lanes)
    }

    /// `lanes` streams on backend `b` (or the next one below it this CPU has).
    pub fn with_backend(b: Backend, lanes: usize) -> Self {
        let engine = match level(b) {
            Some(l) if level_lanes(l) > 1 => Engine::Many {
                many: Md5Many::from_level(l),
                states: vec![Md5State::new(); lanes],
            },
            _ => Engine::Portable(vec![Md5::new(); lanes]),
        };
        Md5Lanes { engine }
    }

    /// How many streams.
    pub fn lanes(&self) -> usize {
        match &self.engine {
            Engine::Portable(v) => v.len(),
            Engine::Many { states, .. } => states.len(),
        }
    }

    /// Append each `bytes` to stream `lane`, in the order given (a lane may
    /// come more than once). Pieces of different lanes in one call are hashed
    /// together; any lengths are correct.
    ///
    /// # Panics
    /// If a lane is `>= self.lanes()` (a bug of the caller, not of the data).
    pub fn update(&mut self, feed: &[(usize, &[u8])]) {
        match &mut self.engine {
            Engine::Portable(v) => {
                for &(lane, bytes) in feed {
                    v[lane].update(bytes);
                }
            }
            Engine::Many { many, states } => {
                let mut inputs: Vec<&[u8]> = vec![&[]; states.len()];
                let mut pending = false;
                for &(lane, bytes) in feed {
                    if !inputs[lane].is_empty() {
                        // The lane's earlier piece goes first.
                        many.update_many(states, &inputs);
                        inputs.iter_mut().for_each(|i| *i = &[]);
                    }
                    inputs[lane] = bytes;
                    pending = true;
                }
                if pending {
                    many.update_many(states, &inputs);
                }
            }
        }
    }

    /// The digests of the streams `lanes` (in that order); each of them starts
    /// again empty.
    ///
    /// # Panics
    /// If a lane is `>= self.lanes()`.
    pub fn finish(&mut self, lanes: &[usize]) -> Vec<[u8; 16]> {
        match &mut self.engine {
            Engine::Portable(v) => lanes
                .iter()
                .map(|&k| v[k].finalize_reset().into())
                .collect(),
            Engine::Many { many, states } => {
                let picked: Vec<Md5State> = lanes.iter().map(|&k| states[k]).collect();
                let mut out = vec![[0u8; 16]; picked.len()];
                many.finalize_many(&picked, &mut out);
                for &k in lanes {
                    states[k] = Md5State::new();
                }
                out
            }
        }
    }
}

/// MD5 of each of `msgs` (whole messages), on the process's backend.
pub fn md5_many(msgs: &[&[u8]]) -> Vec<[u8; 16]> {
    md5_many_with(Backend::from_env(), msgs)
}

/// MD5 of each of `msgs` on backend `b`.
pub fn md5_many_with(b: Backend, msgs: &[&[u8]]) -> Vec<[u8; 16]> {
    match level(b) {
        Some(l) if level_lanes(l) > 1 => {
            let mut out = vec![[0u8; 16]; msgs.len()];
            Md5Many::from_level(l).hash_many(msgs, &mut out);
            out
        }
        _ => msgs.iter().map(|m| Md5::digest(m).into()).collect(),
    }
}
