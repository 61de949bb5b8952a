//! [`Sha256Lanes`]: N SHA-256 streams, one `sha2` stream per lane (SHA-NI
//! where the CPU has it: measured faster than multi-buffer lanes there).

use super::Backend;
use sha2::{Digest, Sha256};

/// True when the CPU has the SHA extensions `sha2` uses (SHA-NI).
pub(super) fn has_sha_ni() -> bool {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    {
        std::arch::is_x86_feature_detected!("sha") && std::arch::is_x86_feature_detected!("sse4.1")
    }
    #[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
    {
        false
    }
}

/// N independent SHA-256 streams ("lanes"), numbered `0..N`; the same calls
/// as [`Md5Lanes`](super::Md5Lanes).
pub struct Sha256Lanes {
    lanes: Vec<Sha256>,
}

impl Sha256Lanes {
    /// `lanes` streams on the process's backend ([`Backend::from_env`]).
    pub fn new(lanes: usize) -> Self {
        Self::with_backend(Backend::from_env(), lanes)
    }

    /// `lanes` streams on backend `b`. Every backend is `sha2` per lane today
    /// (see the module doc); the parameter keeps the call the same as MD5's.
    pub fn with_backend(_b: Backend, lanes: usize) -> Self {
        Sha256Lanes {
            lanes: vec![Sha256::new(); lanes],
        }
    }

    /// How many streams.
    pub fn lanes(&self) -> usize {
        self.lanes.len()
    }

    /// Append each `bytes` to stream `lane`, in the order given.
    ///
    /// # Panics
    /// If a lane is `>= self.lanes()`.
    pub fn update(&mut self, feed: &[(usize, &[u8])]) {
        for &(lane, bytes) in feed {
            self.lanes[lane].update(bytes);
        }
    }

    /// The digests of the streams `lanes`; each of them starts again empty.
    ///
    /// # Panics
    /// If a lane is `>= self.lanes()`.
    pub fn finish(&mut self, lanes: &[usize]) -> Vec<[u8; 32]> {
        lanes
            .iter()
            .map(|&k| self.lanes[k].finalize_reset().into())
            .collect()
    }
}

/// SHA-256 of each of `msgs` (whole messages, e.g. files that fit in one read
/// buffer), on the process's backend.
pub fn sha256_many(msgs: &[&[u8]]) -> Vec<[u8; 32]> {
    sha256_many_with(Backend::from_env(), msgs)
}

/// SHA-256 of each of `msgs` on backend `b`: `portable` is `sha2` one message
/// after the other; every other backend is `tape-sha256`'s multi-buffer
/// `hash_many` with its own runtime detection (SHA-NI 4 streams interleaved,
/// AVX-512 16 lanes, AVX2 8 lanes, else scalar). Its kernels cannot be
/// forced one by one without `unsafe`, which this crate does not allow.
pub fn sha256_many_with(b: Backend, msgs: &[&[u8]]) -> Vec<[u8; 32]> {
    let mut out = vec![[0u8; 32]; msgs.len()];
    if b == Backend::Portable {
        for (o, m) in out.iter_mut().zip(msgs) {
            *o = Sha256::digest(m).into();
        }
    } else {
        tape_sha256::hash_many(msgs, &mut out);
    }
    out
}
