//! The whole `check` pipeline on an in-memory image, as `check IMAGE` runs
//! it for an import drive: layout, probe, BitLocker (no secret), NTFS boot
//! sector, MFT walk and integrity checks, manifest look-up, the hash scan
//! (one thread) and the Azure rules; then the text and JSON reports.
#![no_main]
use ie_preflight::bitlocker::Credentials;
use ie_preflight::pipeline::{self, ContentOptions, JobType, Options};
use ie_preflight::source::OpenedSource;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let reader = common::image(data);
    let src = OpenedSource {
        path: "fuzz.img".into(),
        reader,
        device: None,
    };
    let opts = Options {
        credentials: Credentials::none(),
        job_type: JobType::Import,
        sector_size: None,
        strict: false,
        rules: Default::default(),
        content: Some(ContentOptions {
            manifest: true,
            threads: Some(1),
            ..ContentOptions::default()
        }),
    };
    let report = pipeline::run(&src, &opts).report;
    let _ = pipeline::render::check(&report, false);
    let _ = serde_json::to_vec(&report);
});
