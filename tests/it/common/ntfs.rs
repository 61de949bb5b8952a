//! NTFS fixture helpers: the committed xz images, decompressed in memory or to a temp file.

use std::io::Write;
use std::sync::Arc;

use ie_preflight::ntfs_volume::{analyze, Analysis};
use ie_preflight::source::ReadAt;

pub const CLEAN: [&str; 2] = ["full", "small"];
/// Damaged copies and the finding each must produce.
pub const DAMAGED: [(&str, &str); 5] = [
    ("dmg-mftmirr", "ntfs.mftmirr-mismatch"),
    ("dmg-fixup", "ntfs.mft-fixup"),
    ("dmg-crosslink", "ntfs.cross-linked"),
    ("dmg-dirty", "ntfs.dirty"),
    ("dmg-truncated", "ntfs.volume-truncated"),
];

/// The raw image bytes (decompressed once per run by `images::image`).
pub fn image(name: &str) -> Vec<u8> {
    std::fs::read(super::images::image(&format!("ntfs/{name}.img.xz"))).expect("fixture present")
}

/// The image written to a temp file (for fls and ntfs-3g).
pub fn image_file(name: &str, bytes: &[u8]) -> tempfile::TempPath {
    let mut f = tempfile::Builder::new()
        .prefix(&format!("ie-ntfs-{name}-"))
        .suffix(".img")
        .tempfile()
        .expect("temp file");
    f.write_all(bytes).expect("write image");
    f.into_temp_path()
}

pub fn analyze_bytes(bytes: Vec<u8>) -> Analysis {
    let src: Arc<dyn ReadAt> = Arc::new(bytes);
    analyze(src)
}
