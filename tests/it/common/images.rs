//! The test images in `testdata/`: decompressed once per test run into the
//! target's temp dir, and the facts `testdata/expected.json` records for each.

use super::testdata;
use serde_json::Value;
use std::fs;
use std::path::PathBuf;
use std::sync::Mutex;

static LOCK: Mutex<()> = Mutex::new(());

/// Path to the raw image for a committed name (`mbr-ntfs.img.xz` or `sample-drive.img`).
pub fn image(committed: &str) -> PathBuf {
    let src = testdata().join(committed);
    let Some(raw_name) = committed.strip_suffix(".xz") else {
        return src;
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("images");
    let out = dir.join(raw_name);
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let stale = match (fs::metadata(&out), fs::metadata(&src)) {
        (Ok(o), Ok(s)) => o.modified().ok() < s.modified().ok(),
        _ => true,
    };
    if stale {
        fs::create_dir_all(out.parent().unwrap_or(&dir)).unwrap();
        let mut input = std::io::BufReader::new(fs::File::open(&src).unwrap());
        let mut bytes = Vec::new();
        lzma_rs::xz_decompress(&mut input, &mut bytes).unwrap();
        // Another test run (debug and release share the target dir) may race:
        // write aside, then rename into place.
        let tmp = dir.join(format!("{raw_name}.{}.tmp", std::process::id()));
        fs::create_dir_all(tmp.parent().unwrap_or(&dir)).unwrap();
        fs::write(&tmp, &bytes).unwrap();
        fs::rename(&tmp, &out).unwrap();
    }
    out
}

/// `testdata/expected.json`.
pub fn expected() -> serde_json::Map<String, Value> {
    let text = fs::read_to_string(testdata().join("expected.json")).unwrap();
    match serde_json::from_str(&text).unwrap() {
        Value::Object(m) => m,
        _ => panic!("expected.json is not an object"),
    }
}
