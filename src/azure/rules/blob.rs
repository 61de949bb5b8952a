//! Blob names (S-NAMEBLOB, S-DBNAME, S-DBTRBL).

use super::codes;
use super::show;
use crate::azure::limits::{BLOB_NAME_MAX, BLOB_SEGMENTS_MAX};
use crate::report::{DriveStatus, Finding};

/// A code point no blob name may hold, even escaped: C0 and C1 controls and
/// the Unicode specials/noncharacters of S-NAMEBLOB's table. The table skips
/// some C1 controls and plane-4/8/12/16 noncharacters; we reject all of them
/// (the reference's "safe choice", INFERRED).
pub fn is_forbidden_blob_char(c: char) -> bool {
    let u = c as u32;
    u < 0x20
        || (0x80..=0x9F).contains(&u)
        || (0xFDD0..=0xFDEF).contains(&u)
        || (0xFFF0..=0xFFFF).contains(&u)
        || (u & 0xFFFE) == 0xFFFE
}

/// Rule `azure.blob-name-length`: 1–1,024 characters.
pub fn blob_name_length(name: &str) -> Vec<Finding> {
    let n = name.chars().count() as u64;
    if (1..=BLOB_NAME_MAX.value).contains(&n) {
        return Vec::new();
    }
    let what = if n == 0 {
        "is empty".to_string()
    } else {
        format!("has {n} characters (at most {})", BLOB_NAME_MAX.value)
    };
    vec![Finding::warning(
        codes::BLOB_NAME_LENGTH,
        DriveStatus::CopiedWithWarnings,
        name,
        format!(
            "blob name {} {what}; the service renames it (BlobRenamed) to `DataBox-<GUID>`",
            show(name)
        ),
    )
    .with_hint("shorten the folder/file names or the destination prefix")]
}

/// Rule `azure.blob-segments`: at most 254 `/`-separated segments.
pub fn blob_segments(name: &str) -> Vec<Finding> {
    let n = name.split('/').count() as u64;
    if n <= BLOB_SEGMENTS_MAX.value {
        return Vec::new();
    }
    vec![Finding::warning(
        codes::BLOB_SEGMENTS,
        DriveStatus::CopiedWithWarnings,
        name,
        format!(
            "blob name {} has {n} path segments (at most {}); the service renames it (BlobRenamed) to `DataBox-<GUID>`",
            show(name),
            BLOB_SEGMENTS_MAX.value
        ),
    )
    .with_hint("flatten the folder tree")]
}

/// Rule `azure.blob-forbidden-char`: the service cannot create the blob at all,
/// and most of these code points cannot even be written into the manifest XML.
pub fn blob_forbidden_chars(name: &str) -> Vec<Finding> {
    match name.chars().find(|&c| is_forbidden_blob_char(c)) {
        None => Vec::new(),
        Some(c) => vec![Finding::error(
            codes::BLOB_FORBIDDEN_CHAR,
            DriveStatus::UnsupportedData,
            name,
            format!(
                "name {} holds U+{:04X}, which no blob name may contain",
                show(name),
                c as u32
            ),
        )
        .with_hint("rename the file without control or noncharacter code points")],
    }
}

/// Rule `azure.blob-trailing`: a name ending in `.`, `/` or `\`. Azure drops
/// trailing dots (S-TRAIL), so the predicted name is the trimmed one.
pub fn blob_trailing(name: &str) -> Vec<Finding> {
    if !name.ends_with(['.', '/', '\\']) {
        return Vec::new();
    }
    let trimmed = name.trim_end_matches(['.', '/', '\\']);
    vec![Finding::warning(
        codes::BLOB_TRAILING,
        DriveStatus::CopiedWithWarnings,
        name,
        format!(
            "blob name {} ends with '.', '/' or '\\'; Azure stores it as {}",
            show(name),
            show(trimmed)
        ),
    )
    .with_hint("rename the file without the trailing dot")]
}

fn segment_dot_finding(subject: &str, what: String) -> Finding {
    Finding::warning(
        codes::BLOB_SEGMENT_DOT,
        DriveStatus::CopiedWithWarnings,
        subject,
        format!("{what}, which blob names must avoid; the service may change the name"),
    )
    .with_hint("rename the folder without the trailing dot")
}

/// The same rule for one folder name that becomes a path segment.
pub fn segment_dot(segment: &str) -> Vec<Finding> {
    if !segment.ends_with('.') {
        return Vec::new();
    }
    vec![segment_dot_finding(
        segment,
        format!("folder name {} ends with '.'", show(segment)),
    )]
}

/// Rule `azure.blob-segment-dot`: a segment other than the last ending in `.`.
pub fn blob_segment_dot(name: &str) -> Vec<Finding> {
    let mut segs = name.split('/');
    segs.next_back();
    if !segs.any(|s| s.ends_with('.')) {
        return Vec::new();
    }
    vec![segment_dot_finding(
        name,
        format!(
            "blob name {} has a path segment ending with '.'",
            show(name)
        ),
    )]
}

/// Rule `azure.blob-backslash`: Azure turns `\` into `/` (S-TRAIL), so the
/// blob lands under a different virtual directory than the file's name says.
pub fn blob_backslash(name: &str) -> Vec<Finding> {
    if !name.contains('\\') || name.ends_with('\\') {
        return Vec::new();
    }
    vec![Finding::warning(
        codes::BLOB_BACKSLASH,
        DriveStatus::CopiedWithWarnings,
        name,
        format!(
            "blob name {} holds '\\'; Azure stores it as {}",
            show(name),
            show(&name.replace('\\', "/"))
        ),
    )]
}

/// Every blob-name rule on a whole blob name (after the container).
pub fn blob_name(name: &str) -> Vec<Finding> {
    let mut v = blob_name_length(name);
    v.extend(blob_segments(name));
    v.extend(blob_forbidden_chars(name));
    v.extend(blob_trailing(name));
    v.extend(blob_segment_dot(name));
    v.extend(blob_backslash(name));
    v
}
