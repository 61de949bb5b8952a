//! The MFT walk and the inventory, printed as `ls` and `ls --json` do.
#![no_main]
use ie_preflight::ntfs_volume::{self, LsOptions, NtfsVolume};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let vol = common::image(data);
    let Ok(ntfs) = NtfsVolume::open(vol) else {
        return;
    };
    let Ok(inv) = ntfs.inventory() else {
        return;
    };
    for system in [false, true] {
        let opts = LsOptions { system };
        let _ = ntfs_volume::write_fls(&inv, opts, &mut std::io::sink());
        let _ = ie_preflight::commands::ls::write_json(&mut std::io::sink(), &inv, opts);
    }
});
