//! Shared by the image targets: the input as a `ReadAt` in memory.
#![allow(dead_code)]

use ie_preflight::source::ReadAt;
use std::sync::{Arc, Mutex};

/// The input as an `Arc<dyn ReadAt>` (what the pipeline takes), in a buffer
/// kept from one run to the next: a fresh 256 KiB `Vec` per input costs an
/// mmap, page faults and an munmap under ASan, more than some targets' work.
/// The returned `Arc` must be dropped before the next call (each target
/// drops everything at the end of a run).
pub fn image(data: &[u8]) -> Arc<dyn ReadAt> {
    static BUF: Mutex<Option<Arc<Vec<u8>>>> = Mutex::new(None);
    let mut slot = BUF.lock().unwrap_or_else(|e| e.into_inner());
    let arc = slot.get_or_insert_with(|| Arc::new(Vec::new()));
    match Arc::get_mut(arc) {
        Some(v) => {
            v.clear();
            v.extend_from_slice(data);
        }
        // Still shared (cannot happen in a target that drops its volume):
        // a new buffer.
        None => *arc = Arc::new(data.to_vec()),
    }
    arc.clone()
}
