//! `_DriveInfo_<serial>.xml` (WAImportExport v1 drive info), as `check --job` reads it.
#![no_main]
use ie_preflight::job::{journal, status};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = journal::drives_from_xml(text);
    if let Ok(j) = ie_preflight::job::parse_any(text) {
        let _ = status::render(&status::report(&j));
    }
});
