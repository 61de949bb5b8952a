//! Partition layout (MBR, EBR chain, GPT with backup) and the choice of the
//! first data volume, as `check` and `ls` read them; both sector sizes.
#![no_main]
use ie_preflight::layout;
use ie_preflight::source::{ReadAt, SharedSource};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let disk: SharedSource = common::image(data);
    let inferred = layout::infer_sector_size(disk.as_ref());
    for ss in [512u32, 4096] {
        let mut findings = Vec::new();
        if let Ok(l) = layout::read_layout(disk.as_ref(), ss, &mut findings) {
            let _ = layout::first_data_volume(&l, disk.len(), &mut findings);
        }
        if ss == inferred.bytes {
            if let Ok(Some((_, vol))) = layout::first_data_volume_of(&disk, ss) {
                let mut b = [0u8; 16];
                let _ = vol.read_exact_at(&mut b, vol.len().saturating_sub(16));
            }
        }
    }
});
