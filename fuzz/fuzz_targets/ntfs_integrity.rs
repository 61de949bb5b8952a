//! The NTFS stage of `check`: open, inventory, the consistency checks
//! ($MFTMirr, $Bitmap, cross-links, $UpCase, $Volume), the free-cluster runs,
//! and a read of the first files' content.
#![no_main]
use ie_preflight::ntfs_volume;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let vol = common::image(data);
    let a = ntfs_volume::analyze(vol);
    if let (Some(v), Some(inv)) = (&a.volume, &a.inventory) {
        let _ = v.free_runs(inv);
        for i in 0..inv.len().min(64) {
            if let Ok(r) = v.content(inv, i) {
                let _ = r.for_each_chunk(64 << 10, |_| {});
            }
        }
    }
});
