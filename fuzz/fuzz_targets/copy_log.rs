//! Service copy logs: classic DriveLog XML (error/verbose) and the Data Box
//! copy and verbose logs (root-less fragments), summarised, rendered as text
//! and JSON, and compared with a `sha256sum` file (`log --hashes`).
#![no_main]
use ie_preflight::job::log;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(s) = log::summarise(text) else {
        return;
    };
    let _ = serde_json::to_vec(&s);
    let files = log::hashed_paths(text);
    let missing = log::not_copied(&s, &files);
    let _ = log::render(&s, Some(&missing));
});
