//! Rules on each `BlobPath` / `BlobPathPrefix` value (S-EXPDRV, S-DBEXP in `docs/sources.md`), and on
//! the set of them (duplicates, prefixes that cover other entries).
//!
//! The valid-prefix table is CONFIRMED; everything it does not say outright
//! (leading slashes, never-matching containers, …) is INFERRED: warnings.

use super::codes;
use crate::azure::limits::CONTAINER_NAME_MAX;
use crate::azure::rules::{self, container_name_problem, is_valid_container_name, show};
use crate::report::{DriveStatus, Finding};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    Path,
    Prefix,
}

impl EntryKind {
    pub fn element(self) -> &'static str {
        match self {
            EntryKind::Path => "BlobPath",
            EntryKind::Prefix => "BlobPathPrefix",
        }
    }
}

/// One list entry: its kind, text, and the byte offset of its start tag.
#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: EntryKind,
    pub text: String,
    pub pos: usize,
}

fn warn(code: &'static str, msg: String) -> Finding {
    Finding::warning(code, DriveStatus::ExportBlobListInvalid, "", msg)
}

/// Can `part` begin a valid container name (a `/book` prefix)?
fn can_start_container(part: &str) -> bool {
    if "$root".starts_with(part) {
        return true;
    }
    part.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !part.starts_with('-')
        && !part.contains("--")
        && part.chars().count() as u64 <= CONTAINER_NAME_MAX.value
}

/// The entry's text without its leading `/`, the form entries are compared in.
pub fn canonical(e: &Entry) -> &str {
    e.text.strip_prefix('/').unwrap_or(&e.text)
}

fn container_problem(container: &str) -> Option<Finding> {
    if is_valid_container_name(container) {
        return None;
    }
    let why = match container_name_problem(container) {
        Some(_) if container.starts_with('$') => "is not `$root` or a valid container name",
        _ => "is not a valid container name (3-63 lowercase letters, digits, single '-')",
    };
    Some(warn(
        codes::CONTAINER_NAME,
        format!(
            "container {} {why}, so this entry can never match a blob",
            show(container)
        ),
    ))
}

/// Blob-name rules that make an entry match nothing.
fn blob_part(blob: &str, is_prefix: bool) -> Vec<Finding> {
    let mut v = rules::blob_forbidden_chars(blob);
    if !blob.is_empty() {
        v.extend(rules::blob_name_length(blob));
    }
    v.extend(rules::blob_segments(blob));
    if !is_prefix {
        v.extend(rules::blob_trailing(blob));
    }
    v.into_iter()
        .map(|f| {
            warn(
                codes::BLOB_NAME,
                format!("{}; no blob can have this name", f.message),
            )
        })
        .collect()
}

/// Rules on one entry alone. Findings have an empty subject.
pub fn check_entry(e: &Entry) -> Vec<Finding> {
    let mut v = Vec::new();
    let text = e.text.as_str();
    if text.trim().is_empty() {
        v.push(warn(
            codes::EMPTY_ENTRY,
            format!("empty <{}>: it selects nothing", e.kind.element()),
        ));
        return v;
    }
    if text.trim() != text {
        v.push(warn(
            codes::WHITESPACE,
            format!(
                "<{}> has leading or trailing whitespace, which becomes part of the name",
                e.kind.element()
            ),
        ));
    }
    let body = canonical(e);
    match e.kind {
        EntryKind::Prefix => {
            if !text.starts_with('/') {
                v.push(warn(
                    codes::PREFIX_NO_SLASH,
                    format!(
                        "prefix {} does not start with '/' (e.g. `/music/`)",
                        show(text)
                    ),
                ));
            }
            match body.split_once('/') {
                None if !can_start_container(body) => v.push(warn(
                    codes::CONTAINER_NAME,
                    format!(
                        "no valid container name starts with {}, so this prefix matches nothing",
                        show(body)
                    ),
                )),
                None => {}
                Some((container, blob)) => {
                    v.extend(container_problem(container));
                    if container == "$root" && blob.contains('/') {
                        v.push(warn(
                            codes::ROOT_SLASH,
                            "blobs in `$root` cannot contain '/', so this matches nothing".into(),
                        ));
                    }
                    v.extend(blob_part(blob, true));
                }
            }
        }
        EntryKind::Path => {
            if text.starts_with('/') {
                v.push(warn(
                    codes::PATH_LEADING_SLASH,
                    format!("blob path {} starts with '/'; paths start with the container name (e.g. `videos/story.mp4`)", show(text)),
                ));
            }
            match body.split_once('/') {
                Some((container, blob)) if !blob.is_empty() => {
                    v.extend(container_problem(container));
                    if container == "$root" && blob.contains('/') {
                        v.push(warn(codes::ROOT_SLASH, "blobs in `$root` cannot contain '/', so this matches nothing".into()));
                    }
                    v.extend(blob_part(blob, false));
                }
                _ => v.push(warn(
                    codes::PATH_CONTAINER_ONLY,
                    format!("blob path {} names only a container; use <BlobPathPrefix>/{}/</BlobPathPrefix> for a whole container", show(text), body.trim_end_matches('/')),
                )),
            }
        }
    }
    v
}

/// FNV-1a, fed one byte at a time so every prefix of a string is hashed in
/// one pass (keeps the coverage check linear in the entry's length).
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
fn fnv_step(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
}
fn fnv(s: &str) -> u64 {
    s.bytes().fold(FNV_OFFSET, fnv_step)
}

/// Duplicates and entries covered by a prefix. Returns (entry index, finding).
pub fn check_set(entries: &[Entry], subject: impl Fn(usize) -> String) -> Vec<(usize, Finding)> {
    let mut out = Vec::new();
    let mut first: HashMap<(EntryKind, &str), usize> = HashMap::new();
    // Prefix hash → indices of prefix entries with that hash (first occurrence first).
    let mut prefixes: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        if e.kind == EntryKind::Prefix {
            prefixes.entry(fnv(canonical(e))).or_default().push(i);
        }
    }
    let lookup = |p: &str, h: u64| {
        prefixes
            .get(&h)
            .and_then(|v| v.iter().copied().find(|&j| canonical(&entries[j]) == p))
    };
    for (i, e) in entries.iter().enumerate() {
        let c = canonical(e);
        if c.trim().is_empty() && e.kind == EntryKind::Path {
            continue;
        }
        if let Some(&j) = first.get(&(e.kind, c)) {
            out.push((
                i,
                warn(
                    codes::DUPLICATE,
                    format!(
                        "duplicate of the <{}> at {}",
                        e.kind.element(),
                        subject(entries[j].pos)
                    ),
                ),
            ));
            continue;
        }
        first.insert((e.kind, c), i);
        // Every prefix of `c` on a character boundary, shortest first; a
        // prefix entry does not cover itself.
        let mut h = FNV_OFFSET;
        let whole_account = e.kind == EntryKind::Prefix && c.is_empty();
        let mut cover = if whole_account { None } else { lookup("", h) };
        for (k, b) in c.bytes().enumerate() {
            if cover.is_some() {
                break;
            }
            h = fnv_step(h, b);
            let end = k + 1;
            if c.is_char_boundary(end) && !(e.kind == EntryKind::Prefix && end == c.len()) {
                cover = lookup(&c[..end], h);
            }
        }
        if let Some(j) = cover {
            out.push((
                i,
                warn(
                    codes::COVERED,
                    format!(
                        "already selected by the <BlobPathPrefix>{}</BlobPathPrefix> at {}",
                        show(&entries[j].text),
                        subject(entries[j].pos)
                    ),
                ),
            ));
        }
    }
    out
}
