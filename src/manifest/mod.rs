//! The drive manifest (`\DriveManifest.xml`; S-MAN and S-MP in
//! `docs/sources.md`): a streaming, bounded parser, every structural rule of
//! the manifest format, the metadata/properties files it names, and the cross-check against a drive's inventory.
//!
//! The parser keeps no XML tree: each `<Blob>` is checked as soon as it closes
//! and only what the cross-check needs (path, length, 16-byte MD5 per range) is
//! kept. The account key / SAS is never stored, printed or put in JSON.
//! A DOCTYPE is refused and never processed; only the five predefined entities
//! and character references are resolved.

mod drive;
mod parse;
mod sidecar;

pub use drive::{
    cross_check, drive_read, find_entry, lookup_path, read_small, DriveCheck, Small, WholeFile,
};
pub use parse::{parse_manifest, Blob, BlobKind, BlobList, BlobTarget, Manifest, Range, SideFile};
pub use sidecar::{check_metadata, check_properties};

/// The stable finding codes of the manifest stage.
pub mod codes {
    crate::finding_codes! {
        TOO_LARGE = "manifest.too-large";
        ENCODING = "manifest.encoding";
        XML = "manifest.xml";
        TOO_LONG = "manifest.text-too-long";
        DOCTYPE = "manifest.doctype";
        ROOT = "manifest.root";
        VERSION = "manifest.version";
        UNKNOWN_ELEMENT = "manifest.unknown-element";
        DUPLICATE_ELEMENT = "manifest.duplicate-element";
        DRIVE_MISSING = "manifest.drive-missing";
        DRIVE_ID_MISSING = "manifest.drive-id-missing";
        DRIVE_ID_ORDER = "manifest.drive-id-order";
        DRIVE_ID_FORMAT = "manifest.drive-id-format";
        DRIVE_ID_MISMATCH = "manifest.drive-id-mismatch";
        CREDENTIALS_MISSING = "manifest.credentials-missing";
        CREDENTIALS_BOTH = "manifest.credentials-both";
        ACCOUNT_KEY_FORMAT = "manifest.account-key-format";
        SAS_FORMAT = "manifest.sas-format";
        SAS_CONTAINER = "manifest.sas-container";
        NO_BLOB_LIST = "manifest.no-blob-list";
        EMPTY_BLOB_LIST = "manifest.empty-blob-list";
        BLOB_PATH = "manifest.blob-path";
        FILE_PATH = "manifest.file-path";
        DUPLICATE_BLOB = "manifest.duplicate-blob";
        LENGTH = "manifest.length";
        NUMBER = "manifest.number";
        SNAPSHOT = "manifest.snapshot";
        DISPOSITION = "manifest.disposition";
        NO_RANGE_LIST = "manifest.no-range-list";
        BOTH_RANGE_LISTS = "manifest.both-range-lists";
        HASH_MISSING = "manifest.hash-missing";
        HASH_FORMAT = "manifest.hash-format";
        BLOCK_TOO_LARGE = "manifest.block-too-large";
        BLOCK_EMPTY = "manifest.block-empty";
        BLOCK_GAP = "manifest.block-gap";
        BLOCK_OVERLAP = "manifest.block-overlap";
        BLOCKS_SHORT = "manifest.blocks-short";
        BLOCKS_PAST_END = "manifest.blocks-past-end";
        TOO_MANY_BLOCKS = "manifest.too-many-blocks";
        BLOCK_ID_BASE64 = "manifest.block-id-base64";
        BLOCK_ID_MIXED = "manifest.block-id-mixed";
        BLOCK_ID_LENGTH = "manifest.block-id-length";
        PAGE_ALIGN = "manifest.page-range-alignment";
        PAGE_TOO_LARGE = "manifest.page-range-too-large";
        PAGE_OVERLAP = "manifest.page-range-overlap";
        PAGE_PAST_END = "manifest.page-range-past-end";
        PAGE_BLOB_LENGTH = "manifest.page-blob-length";
        SIDE_PATH = "manifest.side-file-path";
        TOO_MANY_FINDINGS = "manifest.too-many-findings";
        // Against the drive.
        NOT_FOUND = "manifest.not-found";
        UNREADABLE = "manifest.unreadable";
        HASH_MISMATCH = "manifest.manifest-hash-mismatch";
        HASH_ARG = "manifest.manifest-hash-argument";
        FILE_MISSING = "manifest.file-missing";
        FILE_IS_DIR = "manifest.file-is-directory";
        LENGTH_MISMATCH = "manifest.length-mismatch";
        BLOCK_HASH_MISMATCH = "manifest.block-hash-mismatch";
        SIDE_MISSING = "manifest.side-file-missing";
        SIDE_HASH_MISMATCH = "manifest.side-file-hash-mismatch";
        SIDE_FORMAT = "manifest.side-file-format";
        NOT_COVERED = "manifest.file-not-covered";
    }
}

/// Manifests larger than this are not read (4 GiB of XML is ~30 million blocks).
pub const MAX_BYTES: u64 = 1 << 30;
/// 4 MiB: the largest block or page range (S-MAN).
pub const MAX_RANGE: u64 = 4 << 20;
/// Blocks per blob (S-MAN).
pub const MAX_BLOCKS: usize = 50_000;
/// The default manifest location on the volume (S-TOBLOBS, S-CRIMP: the job names the manifest file, `\DriveManifest.xml` by default).
pub const DEFAULT_PATH: &str = "\\DriveManifest.xml";

/// Parse a Base16 MD5 (32 hex digits, any case, surrounding whitespace allowed).
pub fn parse_md5_hex(s: &str) -> Option<[u8; 16]> {
    let s = s.trim();
    if s.len() != 32 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// `--manifest-hash` (the job's `manifestHash`) against the manifest's MD5:
/// a finding when it is not an MD5 or does not match. `subject` names the manifest.
pub fn compare_manifest_hash(
    given: &str,
    md5: &[u8; 16],
    subject: &str,
) -> Option<crate::report::Finding> {
    use crate::report::{DriveStatus, Finding};
    match parse_md5_hex(given) {
        None => Some(Finding::error(
            codes::HASH_ARG,
            DriveStatus::ManifestFileError,
            "--manifest-hash",
            "the given manifest hash is not an MD5 in Base16 (32 hex digits)",
        )),
        Some(want) if want != *md5 => Some(
            Finding::error(
                codes::HASH_MISMATCH,
                DriveStatus::ManifestFileError,
                subject,
                format!(
                    "the manifest's MD5 is {} but the job says {} (the service reports ManifestCorrupted)",
                    hex_upper(md5),
                    hex_upper(&want)
                ),
            )
            .with_hint("the manifest was changed after the journal was written: restore it, or prepare the drive again"),
        ),
        Some(_) => None,
    }
}

/// Uppercase Base16, as the manifest writes hashes.
pub fn hex_upper(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// Lowercase Base16, as `sha256sum` writes hashes.
pub fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Decoded length of a strict Base64 string (padding required), or `None`.
pub fn base64_decoded_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() % 4 != 0 {
        return None;
    }
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    if pad > 2 {
        return None;
    }
    let body = &b[..b.len() - pad];
    if !body
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
    {
        return None;
    }
    Some(b.len() / 4 * 3 - pad)
}

/// A volume-relative path (`\dir\file`, `dir/file`) as the inventory spells it
/// (`dir/file`), lowercased for NTFS's case-insensitive lookup.
pub fn normalize_path(p: &str) -> String {
    p.trim()
        .replace('\\', "/")
        .trim_start_matches('/')
        .to_lowercase()
}

/// The manifest's `DriveId` must be the drive's serial (else the service
/// reports `ManifestDriveIdMismatch`).
pub fn check_drive_id(
    want: &str,
    have: &str,
    subject: impl Into<String>,
) -> Option<crate::report::Finding> {
    (!crate::source::same_serial(want, have)).then(|| {
        crate::report::Finding::error(
            codes::DRIVE_ID_MISMATCH,
            crate::report::DriveStatus::ManifestFileError,
            subject,
            format!("the manifest's DriveId is {have} but the drive is {want} (the service reports ManifestDriveIdMismatch)"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_hex() {
        assert!(parse_md5_hex(" 700CE7E21ED55525977FAF7AAA9E546b").is_some());
        assert!(parse_md5_hex("700CE7E21ED55525977FAF7AAA9E546").is_none());
        assert!(parse_md5_hex("700CE7E21ED55525977FAF7AAA9E546G").is_none());
    }

    #[test]
    fn base64() {
        assert_eq!(base64_decoded_len("AAAAAA=="), Some(4));
        assert_eq!(base64_decoded_len("MD5/cAzn4h7VVSWXf696qp5Uaw=="), Some(19));
        assert_eq!(base64_decoded_len("AAAAAA="), None);
        assert_eq!(base64_decoded_len("AA!A"), None);
        assert_eq!(base64_decoded_len(""), None);
    }

    #[test]
    fn paths() {
        assert_eq!(normalize_path("\\Data\\A.bin"), "data/a.bin");
        assert_eq!(normalize_path("data/a.bin"), "data/a.bin");
    }
}
