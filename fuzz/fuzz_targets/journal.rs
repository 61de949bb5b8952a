//! WAImportExport journal (`.jrn`: `[BeginUpdateRecord]` sections), as
//! `check --job FILE.jrn` and `status` read it.
#![no_main]
use ie_preflight::job::{journal, status};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = journal::drives_from_journal(text);
    if let Ok(j) = journal::job_from_text(text) {
        let _ = status::render(&status::report(&j));
    }
});
