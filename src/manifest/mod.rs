//! The drive manifest (`\DriveManifest.xml`, reference §1.2–1.5): a streaming,
//! bounded parser, every structural rule of §1.2, the metadata/properties
//! files of §1.5, and the cross-check against a drive's inventory.
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
    pub const TOO_LARGE: &str = "manifest.too-large";
    pub const ENCODING: &str = "manifest.encoding";
    pub const XML: &str = "manifest.xml";
    pub const TOO_LONG: &str = "manifest.text-too-long";
    pub const DOCTYPE: &str = "manifest.doctype";
    pub const ROOT: &str = "manifest.root";
    pub const VERSION: &str = "manifest.version";
    pub const UNKNOWN_ELEMENT: &str = "manifest.unknown-element";
    pub const DUPLICATE_ELEMENT: &str = "manifest.duplicate-element";
    pub const DRIVE_MISSING: &str = "manifest.drive-missing";
    pub const DRIVE_ID_MISSING: &str = "manifest.drive-id-missing";
    pub const DRIVE_ID_ORDER: &str = "manifest.drive-id-order";
    pub const DRIVE_ID_FORMAT: &str = "manifest.drive-id-format";
    pub const DRIVE_ID_MISMATCH: &str = "manifest.drive-id-mismatch";
    pub const CREDENTIALS_MISSING: &str = "manifest.credentials-missing";
    pub const CREDENTIALS_BOTH: &str = "manifest.credentials-both";
    pub const ACCOUNT_KEY_FORMAT: &str = "manifest.account-key-format";
    pub const SAS_FORMAT: &str = "manifest.sas-format";
    pub const SAS_CONTAINER: &str = "manifest.sas-container";
    pub const NO_BLOB_LIST: &str = "manifest.no-blob-list";
    pub const EMPTY_BLOB_LIST: &str = "manifest.empty-blob-list";
    pub const BLOB_PATH: &str = "manifest.blob-path";
    pub const FILE_PATH: &str = "manifest.file-path";
    pub const DUPLICATE_BLOB: &str = "manifest.duplicate-blob";
    pub const LENGTH: &str = "manifest.length";
    pub const NUMBER: &str = "manifest.number";
    pub const SNAPSHOT: &str = "manifest.snapshot";
    pub const DISPOSITION: &str = "manifest.disposition";
    pub const NO_RANGE_LIST: &str = "manifest.no-range-list";
    pub const BOTH_RANGE_LISTS: &str = "manifest.both-range-lists";
    pub const HASH_MISSING: &str = "manifest.hash-missing";
    pub const HASH_FORMAT: &str = "manifest.hash-format";
    pub const BLOCK_TOO_LARGE: &str = "manifest.block-too-large";
    pub const BLOCK_EMPTY: &str = "manifest.block-empty";
    pub const BLOCK_GAP: &str = "manifest.block-gap";
    pub const BLOCK_OVERLAP: &str = "manifest.block-overlap";
    pub const BLOCKS_SHORT: &str = "manifest.blocks-short";
    pub const BLOCKS_PAST_END: &str = "manifest.blocks-past-end";
    pub const TOO_MANY_BLOCKS: &str = "manifest.too-many-blocks";
    pub const BLOCK_ID_BASE64: &str = "manifest.block-id-base64";
    pub const BLOCK_ID_MIXED: &str = "manifest.block-id-mixed";
    pub const BLOCK_ID_LENGTH: &str = "manifest.block-id-length";
    pub const PAGE_ALIGN: &str = "manifest.page-range-alignment";
    pub const PAGE_TOO_LARGE: &str = "manifest.page-range-too-large";
    pub const PAGE_OVERLAP: &str = "manifest.page-range-overlap";
    pub const PAGE_PAST_END: &str = "manifest.page-range-past-end";
    pub const PAGE_BLOB_LENGTH: &str = "manifest.page-blob-length";
    pub const SIDE_PATH: &str = "manifest.side-file-path";
    pub const TOO_MANY_FINDINGS: &str = "manifest.too-many-findings";
    // Against the drive.
    pub const NOT_FOUND: &str = "manifest.not-found";
    pub const UNREADABLE: &str = "manifest.unreadable";
    pub const HASH_MISMATCH: &str = "manifest.manifest-hash-mismatch";
    pub const HASH_ARG: &str = "manifest.manifest-hash-argument";
    pub const FILE_MISSING: &str = "manifest.file-missing";
    pub const FILE_IS_DIR: &str = "manifest.file-is-directory";
    pub const LENGTH_MISMATCH: &str = "manifest.length-mismatch";
    pub const BLOCK_HASH_MISMATCH: &str = "manifest.block-hash-mismatch";
    pub const SIDE_MISSING: &str = "manifest.side-file-missing";
    pub const SIDE_HASH_MISMATCH: &str = "manifest.side-file-hash-mismatch";
    pub const SIDE_FORMAT: &str = "manifest.side-file-format";
    pub const NOT_COVERED: &str = "manifest.file-not-covered";

    pub const ALL: &[&str] = &[
        TOO_LARGE,
        ENCODING,
        XML,
        TOO_LONG,
        DOCTYPE,
        ROOT,
        VERSION,
        UNKNOWN_ELEMENT,
        DUPLICATE_ELEMENT,
        DRIVE_MISSING,
        DRIVE_ID_MISSING,
        DRIVE_ID_ORDER,
        DRIVE_ID_FORMAT,
        DRIVE_ID_MISMATCH,
        CREDENTIALS_MISSING,
        CREDENTIALS_BOTH,
        ACCOUNT_KEY_FORMAT,
        SAS_FORMAT,
        SAS_CONTAINER,
        NO_BLOB_LIST,
        EMPTY_BLOB_LIST,
        BLOB_PATH,
        FILE_PATH,
        DUPLICATE_BLOB,
        LENGTH,
        NUMBER,
        SNAPSHOT,
        DISPOSITION,
        NO_RANGE_LIST,
        BOTH_RANGE_LISTS,
        HASH_MISSING,
        HASH_FORMAT,
        BLOCK_TOO_LARGE,
        BLOCK_EMPTY,
        BLOCK_GAP,
        BLOCK_OVERLAP,
        BLOCKS_SHORT,
        BLOCKS_PAST_END,
        TOO_MANY_BLOCKS,
        BLOCK_ID_BASE64,
        BLOCK_ID_MIXED,
        BLOCK_ID_LENGTH,
        PAGE_ALIGN,
        PAGE_TOO_LARGE,
        PAGE_OVERLAP,
        PAGE_PAST_END,
        PAGE_BLOB_LENGTH,
        SIDE_PATH,
        TOO_MANY_FINDINGS,
        NOT_FOUND,
        UNREADABLE,
        HASH_MISMATCH,
        HASH_ARG,
        FILE_MISSING,
        FILE_IS_DIR,
        LENGTH_MISMATCH,
        BLOCK_HASH_MISMATCH,
        SIDE_MISSING,
        SIDE_HASH_MISMATCH,
        SIDE_FORMAT,
        NOT_COVERED,
    ];
}

/// Manifests larger than this are not read (4 GiB of XML is ~30 million blocks).
pub const MAX_BYTES: u64 = 1 << 30;
/// 4 MiB: the largest block or page range (§1.2).
pub const MAX_RANGE: u64 = 4 << 20;
/// Blocks per blob (§1.2).
pub const MAX_BLOCKS: usize = 50_000;
/// The default manifest location on the volume (§1.1, §1.3).
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
