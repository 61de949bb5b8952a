//! WAImportExport v2 dataset.csv and driveset.csv (`dataset`, `check --dataset`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = ie_preflight::azure::dataset::validate_dataset(text);
    let _ = ie_preflight::azure::dataset::validate_driveset(text);
});
