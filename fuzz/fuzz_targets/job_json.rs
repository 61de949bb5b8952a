//! Job JSON (REST resource, `az import-export show`, a bare driveList) and the
//! `status` report built from it, text and JSON.
#![no_main]
use ie_preflight::job::{self, status};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(j) = job::parse_job(text) {
        let r = status::report(&j);
        let _ = status::render(&r);
        let _ = serde_json::to_vec(&r);
    }
    let _ = job::parse_any(text);
});
