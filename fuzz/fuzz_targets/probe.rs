//! Volume probe (every signature), the NTFS boot sector and its backup, and
//! `NtfsVolume::open` (the `ntfs` crate's boot-sector validation).
#![no_main]
use ie_preflight::ntfs_volume::NtfsVolume;
use ie_preflight::probe::{self, ntfs_boot};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let vol = common::image(data);
    let _ = probe::probe(vol.as_ref());
    let _ = ntfs_boot::parse(data);
    let mut findings = Vec::new();
    let _ = ntfs_boot::check(vol.as_ref(), 0, &mut findings);
    if let Ok(v) = NtfsVolume::open(vol) {
        let _ = v.geometry();
    }
});
