//! Azure Files directory and file names (S-NAMEFILE, S-DBNAME).
//!
//! Invalid names are renamed by the service (`FileRenamed`, S-LOGNEW), so these
//! are warnings predicting "Data copy completed with warnings"; only code
//! points that no request can carry are errors.

use super::codes;
use super::show;
use crate::azure::limits::{FILE_COMPONENT_MAX, FILE_DEPTH_MAX, FILE_PATH_MAX};
use crate::report::{DriveStatus, Finding};

const RESERVED: &[&str] = &["PRN", "AUX", "NUL", "CON", "CLOCK$"];
const FORBIDDEN: &[char] = &['"', '\\', '/', ':', '|', '<', '>', '*', '?'];

fn is_reserved(name: &str) -> bool {
    let up = name.to_ascii_uppercase();
    if name == "." || name == ".." || RESERVED.contains(&up.as_str()) {
        return true;
    }
    // LPT1–LPT9, COM1–COM9.
    let b = up.as_bytes();
    b.len() == 4
        && (up.starts_with("LPT") || up.starts_with("COM"))
        && (b'1'..=b'9').contains(&b[3])
}

fn renamed(code: &'static str, name: &str, what: String) -> Finding {
    Finding::warning(
        code,
        DriveStatus::CopiedWithWarnings,
        name,
        format!("{what}; the service renames it (FileRenamed) to `DataBox-<GUID>`"),
    )
}

/// Rule `azure.file-name-reserved` (exact names, CONFIRMED) and
/// `azure.file-name-reserved-ext` (`CON.txt`: UNCONFIRMED, S-NAMEFILE).
pub fn file_name_reserved(name: &str) -> Vec<Finding> {
    if is_reserved(name) {
        return vec![renamed(
            codes::FILE_NAME_RESERVED,
            name,
            format!("{} is a reserved name in Azure Files", show(name)),
        )
        .with_hint("rename it, e.g. add a suffix")];
    }
    match name.split_once('.') {
        Some((base, _)) if !base.is_empty() && is_reserved(base) => vec![Finding::warning(
            codes::FILE_NAME_RESERVED_EXT,
            DriveStatus::CopiedWithWarnings,
            name,
            format!(
                "{} starts with the reserved name {}; whether Azure Files accepts it is unconfirmed",
                show(name),
                show(base)
            ),
        )
        .with_hint("rename it to be safe")],
        _ => Vec::new(),
    }
}

/// Rule `azure.file-forbidden-char`: `" \ / : | < > * ?`.
pub fn file_forbidden_chars(name: &str) -> Vec<Finding> {
    match name.chars().find(|c| FORBIDDEN.contains(c)) {
        None => Vec::new(),
        Some(c) => vec![renamed(
            codes::FILE_FORBIDDEN_CHAR,
            name,
            format!(
                "{} holds '{c}', which Azure Files names may not contain",
                show(name)
            ),
        )
        .with_hint("rename it without \" \\ / : | < > * ?")],
    }
}

/// Rule `azure.file-control-char`: C0/C1 control characters cannot be sent.
pub fn file_control_chars(name: &str) -> Vec<Finding> {
    match name
        .chars()
        .find(|&c| (c as u32) < 0x20 || (0x80..=0x9F).contains(&(c as u32)))
    {
        None => Vec::new(),
        Some(c) => vec![Finding::error(
            codes::FILE_CONTROL_CHAR,
            DriveStatus::UnsupportedData,
            name,
            format!("{} holds control character U+{:04X}", show(name), c as u32),
        )
        .with_hint("rename it without control characters")],
    }
}

/// The name Azure Files is predicted to store: trailing dots dropped
/// (S-NAMEFILE, unless `x-ms-allow-trailing-dot` is used).
pub fn predicted_file_name(name: &str) -> &str {
    name.trim_end_matches('.')
}

/// Rule `azure.file-trailing`: trailing dot (dropped, CONFIRMED) or trailing
/// space (UNCONFIRMED, S-NAMEFILE).
pub fn file_trailing(name: &str) -> Vec<Finding> {
    if name == "." || name == ".." {
        return Vec::new(); // reserved, reported there
    }
    let msg = if name.ends_with('.') {
        format!(
            "{} ends with '.'; Azure Files drops trailing dots and stores it as {}",
            show(name),
            show(predicted_file_name(name))
        )
    } else if name.ends_with(' ') {
        format!(
            "{} ends with a space; how the service treats it is unconfirmed",
            show(name)
        )
    } else {
        return Vec::new();
    };
    vec![Finding::warning(
        codes::FILE_TRAILING,
        DriveStatus::CopiedWithWarnings,
        name,
        msg,
    )
    .with_hint("rename it without the trailing dot or space")]
}

/// Rule `azure.file-name-length`: at most 255 characters per component.
pub fn file_name_length(name: &str) -> Vec<Finding> {
    let n = name.chars().count() as u64;
    if n <= FILE_COMPONENT_MAX.value {
        return Vec::new();
    }
    vec![renamed(
        codes::FILE_NAME_LENGTH,
        name,
        format!(
            "{} has {n} characters (at most {})",
            show(name),
            FILE_COMPONENT_MAX.value
        ),
    )]
}

/// Rule `azure.file-path-length`: at most 2,048 characters within the share.
pub fn file_path_length(path: &str) -> Vec<Finding> {
    let n = path.chars().count() as u64;
    if n <= FILE_PATH_MAX.value {
        return Vec::new();
    }
    vec![renamed(
        codes::FILE_PATH_LENGTH,
        path,
        format!(
            "path {} has {n} characters (at most {})",
            show(path),
            FILE_PATH_MAX.value
        ),
    )
    .with_hint("shorten or flatten the folder tree")]
}

/// Rule `azure.file-depth`: at most 250 directories deep within the share.
pub fn file_depth(path: &str, is_dir: bool) -> Vec<Finding> {
    let segments = path.split('/').filter(|s| !s.is_empty()).count() as u64;
    let depth = if is_dir {
        segments
    } else {
        segments.saturating_sub(1)
    };
    if depth <= FILE_DEPTH_MAX.value {
        return Vec::new();
    }
    vec![renamed(
        codes::FILE_DEPTH,
        path,
        format!(
            "{} is {depth} directories deep (at most {})",
            show(path),
            FILE_DEPTH_MAX.value
        ),
    )
    .with_hint("flatten the folder tree")]
}

/// Every rule on one directory or file name.
pub fn file_component(name: &str) -> Vec<Finding> {
    let mut v = file_name_reserved(name);
    v.extend(file_forbidden_chars(name));
    v.extend(file_control_chars(name));
    v.extend(file_trailing(name));
    v.extend(file_name_length(name));
    v
}

/// Every rule on a path within a share (`/`-separated, no share name).
pub fn file_path(path: &str, is_dir: bool) -> Vec<Finding> {
    let mut v = file_path_length(path);
    v.extend(file_depth(path, is_dir));
    for c in path.split('/').filter(|s| !s.is_empty()) {
        v.extend(file_component(c));
    }
    v
}
