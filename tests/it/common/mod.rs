//! Shared test helpers.
//!
//! Tests that need an external tool, root, or the `../shared` test data call
//! [`require`]. On a developer's machine a missing prerequisite skips the test
//! with a message; with `IE_PREFLIGHT_NO_SKIP=1` (set by `.ci/run`) it fails.

pub mod cli;
pub mod failing;
pub mod images;
pub mod loopdev;
pub mod manifest;
pub mod ntfs;
pub mod report;
pub mod schema;

use std::path::{Path, PathBuf};
use std::process::Command;

/// True when the test may run; otherwise prints why it is skipped, or panics
/// when skips are forbidden.
pub fn require(ok: bool, what: &str) -> bool {
    if ok {
        return true;
    }
    if std::env::var_os("IE_PREFLIGHT_NO_SKIP").is_some_and(|v| v == "1") {
        panic!("prerequisite missing and IE_PREFLIGHT_NO_SKIP=1: {what}");
    }
    eprintln!("SKIPPED: {what} (set IE_PREFLIGHT_NO_SKIP=1 to make this a failure)");
    false
}

/// Is `tool` on PATH?
pub fn have_tool(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool} >/dev/null 2>&1"))
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Require an external tool (`debian` names the package that has it).
pub fn require_tool(tool: &str, debian: &str) -> bool {
    require(
        have_tool(tool),
        &format!("`{tool}` not installed (Debian package `{debian}`)"),
    )
}

pub fn is_root() -> bool {
    // SAFETY-free way: the effective uid from /proc.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

pub fn require_root(why: &str) -> bool {
    require(is_root(), &format!("needs root: {why}"))
}

/// The repository's `testdata/` folder.
pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// UTF-16 with a byte order mark, either order.
pub fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for u in text.encode_utf16() {
        out.extend(if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

/// `check` of an import drive read from `reader` (an in-memory image, a
/// source that fails on purpose), named `name`, with `content` options.
pub fn check_import(
    name: &str,
    reader: std::sync::Arc<dyn ie_preflight::source::ReadAt>,
    content: Option<ie_preflight::pipeline::ContentOptions>,
) -> ie_preflight::pipeline::CheckReport {
    let src = ie_preflight::source::OpenedSource {
        path: name.into(),
        reader,
        device: None,
    };
    let opts = ie_preflight::pipeline::Options {
        credentials: ie_preflight::bitlocker::Credentials::none(),
        job_type: ie_preflight::pipeline::JobType::Import,
        sector_size: None,
        strict: false,
        rules: Default::default(),
        content,
    };
    ie_preflight::pipeline::run(&src, &opts).report
}
