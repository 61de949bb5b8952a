//! Hashing many independent messages at once: the MD5 of every manifest block
//! and the SHA-256 of every file, in lanes (issue 14, point 2).
//!
//! One MD5 or SHA-256 stream is serial: each 64-byte block depends on the one
//! before, so a single stream keeps a core's vector units idle. A drive offers
//! many independent streams (every 4 MiB manifest block has its own MD5, every
//! file its own SHA-256), and those can run side by side in SIMD lanes. A lane
//! set ([`Md5Lanes`], [`Sha256Lanes`]) holds N such streams; the scan feeds it
//! `(lane, bytes)` pieces as its 1 MiB reads complete and finishes a lane when
//! its block or file ends. Pieces fed to several lanes in one
//! [`update`](Md5Lanes::update) call are hashed together: that is where the
//! lanes pay off, so feed one piece per lane per call.
//!
//! Which code does the hashing, chosen once per process ([`Backend`],
//! measured in `BENCHMARKS.md`, "Hash engine"):
//! - MD5: the crate `md5-many` (runtime CPU detection through `fearless_simd`:
//!   AVX-512 16 lanes, AVX2 8, SSE2 4; streaming `Md5State` + `update_many`
//!   with a different length per lane). It was the only candidate with an
//!   incremental multi-lane API; `md-5` (RustCrypto, one stream per lane) is
//!   the portable fallback and the reference the tests compare with.
//! - SHA-256: `sha2` (RustCrypto) per lane: it detects SHA-NI itself, and one
//!   SHA-NI stream per lane measured faster here than the multi-buffer crate
//!   `tape-sha256`, which has no streaming multi-lane API (whole messages
//!   only, so a file would have to be held whole). For whole messages
//!   ([`sha256_many`]: files no bigger than a read buffer) `tape-sha256`'s
//!   `hash_many` is used: 1.5–2× `sha2` with SHA-NI (4 streams interleaved),
//!   ~8× on AVX2 where the CPU has no SHA-NI.
//!
//! `IE_PREFLIGHT_HASH_BACKEND` forces a backend for the whole process
//! (`portable`, `sse2`, `avx2`, `avx512`, `best`; docs/testing.md), so the test
//! suite can run on each. A backend the CPU lacks falls back to the next one
//! below it, never to an instruction the CPU does not have.
//!
//! No `unsafe` here: the SIMD kernels and their CPU checks are the crates'.

mod md5_lanes;
mod sha256_lanes;
#[cfg(test)]
mod tests;

pub use md5_lanes::Md5Lanes;
pub use sha256_lanes::{sha256_many, sha256_many_with, Sha256Lanes};

use std::sync::OnceLock;

/// The environment variable that forces a [`Backend`].
pub const BACKEND_ENV: &str = "IE_PREFLIGHT_HASH_BACKEND";

/// Which code hashes the lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// RustCrypto `md-5` and `sha2`, one stream per lane, lanes one after the
    /// other (`sha2` still uses SHA-NI where the CPU has it).
    Portable,
    /// `md5-many` at x86-64's baseline (SSE2, 4 lanes).
    Sse2,
    /// `md5-many` with AVX2 (8 lanes).
    Avx2,
    /// `md5-many` with AVX-512 (16 lanes).
    Avx512,
    /// The best this CPU has, detected at run time.
    Best,
}

impl Backend {
    /// Every backend, in the order `best` tries them.
    pub const ALL: [Backend; 5] = [
        Backend::Best,
        Backend::Avx512,
        Backend::Avx2,
        Backend::Sse2,
        Backend::Portable,
    ];

    /// The name `IE_PREFLIGHT_HASH_BACKEND` takes.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Portable => "portable",
            Backend::Sse2 => "sse2",
            Backend::Avx2 => "avx2",
            Backend::Avx512 => "avx512",
            Backend::Best => "best",
        }
    }

    /// The backend named `s` (case-insensitive).
    pub fn parse(s: &str) -> Option<Backend> {
        let s = s.trim();
        Backend::ALL
            .into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(s))
    }

    /// The backend this process uses: `IE_PREFLIGHT_HASH_BACKEND` when it is
    /// set to a known name, else [`Backend::Best`]; read once.
    pub fn from_env() -> Backend {
        static CHOSEN: OnceLock<Backend> = OnceLock::new();
        *CHOSEN.get_or_init(|| {
            let Ok(v) = std::env::var(BACKEND_ENV) else {
                return Backend::Best;
            };
            Backend::parse(&v).unwrap_or_else(|| {
                eprintln!(
                    "ie-preflight: {BACKEND_ENV}={v:?} is not one of portable, sse2, avx2, avx512, best; using best"
                );
                Backend::Best
            })
        })
    }

    /// What this backend runs as on this CPU: itself, or the next one below it
    /// that the CPU has (`portable` at the end).
    pub fn effective(self) -> Backend {
        let lanes = md5_lanes::level(self).map_or(1, md5_lanes::level_lanes);
        match (self, lanes) {
            (_, 1) => Backend::Portable,
            (Backend::Best, _) if !cfg!(target_arch = "x86_64") => Backend::Best,
            (Backend::Best, 16) => Backend::Avx512,
            (Backend::Best, 8) => Backend::Avx2,
            (Backend::Best, _) => Backend::Sse2,
            (b, _) => b,
        }
    }

    /// The MD5 lanes this backend hashes at once on this CPU (1: one stream
    /// at a time).
    pub fn md5_lanes(self) -> usize {
        md5_lanes::level(self).map_or(1, md5_lanes::level_lanes)
    }

    /// True when the CPU can run this backend as itself, without falling back.
    pub fn available(self) -> bool {
        matches!(self, Backend::Best | Backend::Portable) || self.effective() == self
    }
}

/// One line for logs and benchmarks: the backend asked for and what it runs as.
pub fn describe() -> String {
    let b = Backend::from_env();
    let e = b.effective();
    format!(
        "{} (runs as {}: MD5 {} lanes via {}; SHA-256 via sha2{})",
        b.name(),
        e.name(),
        e.md5_lanes(),
        if e == Backend::Portable {
            "md-5"
        } else {
            "md5-many"
        },
        if sha256_lanes::has_sha_ni() {
            " with SHA-NI"
        } else {
            ""
        },
    )
}
pub use md5_lanes::{md5_many, md5_many_with};
