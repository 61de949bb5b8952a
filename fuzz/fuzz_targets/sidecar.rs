//! Blob metadata and properties XML files (the manifest's MetadataPath /
//! PropertiesPath, dataset MetadataFile / PropertiesFile).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = ie_preflight::manifest::check_metadata(data, "metadata.xml");
    let _ = ie_preflight::manifest::check_properties(data, "properties.xml");
});
