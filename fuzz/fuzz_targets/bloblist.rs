//! Export blob-list XML (`blob-list LIST.xml`), and with a NUL byte after
//! the XML, the rest as an `az storage blob list -o json` inventory resolved
//! against the list (`--inventory`, `--drive-size`).
#![no_main]
use ie_preflight::bloblist::{self, inventory};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (xml, json) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let (_findings, entries) = bloblist::parse_blob_list(xml);
    let Some(json) = json.and_then(|j| std::str::from_utf8(j).ok()) else {
        return;
    };
    if let Ok(blobs) = inventory::parse_inventory(json, Some("music")) {
        let size = json.len() as u64 * 1_000_000_007;
        let _ = inventory::resolve(&entries, &blobs, Some(size), |e| format!("{e:?}"));
    }
});
