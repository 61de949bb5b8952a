//! A source that fails chosen reads, for the read-error paths.

use ie_preflight::source::ReadAt;
use std::sync::Arc;

/// A source that fails reads touching chosen byte ranges (EIO): every time,
/// or with `once`, only the first such read (a transient error).
pub struct Failing {
    inner: Vec<u8>,
    bad: Vec<(u64, u64)>,
    once: bool,
    fired: std::sync::atomic::AtomicBool,
}

impl Failing {
    pub fn source(inner: Vec<u8>, bad: Vec<(u64, u64)>, once: bool) -> Arc<dyn ReadAt> {
        Arc::new(Failing {
            inner,
            bad,
            once,
            fired: false.into(),
        })
    }
}

impl ReadAt for Failing {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        let end = offset + buf.len() as u64;
        let hit = self.bad.iter().any(|&(s, e)| offset < e && s < end);
        let fired = || self.fired.swap(true, std::sync::atomic::Ordering::Relaxed);
        if hit && !(self.once && fired()) {
            return Err(std::io::Error::from_raw_os_error(5));
        }
        self.inner.read_exact_at(buf, offset)
    }
    fn len(&self) -> u64 {
        self.inner.len() as u64
    }
}
