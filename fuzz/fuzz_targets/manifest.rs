//! Drive manifest XML (DriveManifest.xml): parse and every rule, as
//! `manifest FILE` and the content stage of `check` run them.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (m, _findings) = ie_preflight::manifest::parse_manifest(data);
    if let Some(m) = m {
        if let Some(id) = &m.drive_id {
            let _ = ie_preflight::manifest::check_drive_id("WD-WMATV123456", id, "DriveId");
        }
    }
});
