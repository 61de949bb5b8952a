//! Every Azure limit the rules use, in one versioned table.
//!
//! The docs disagree across versions (block blob "~4.7 TiB" vs "190.7 TiB",
//! page blob "1 TB" vs "8 TiB", Azure Files "1 TiB" vs "4 TiB"), so each entry
//! names the source tag of `docs/sources.md` its number
//! comes from and whether that source states it for Import/Export. Rules read
//! the numbers from here and nowhere else; a rule backed by an unconfirmed
//! entry reports a warning, never an error.

use serde::Serialize;

/// Bump when a number, a source or a confirmation changes.
pub const TABLE_VERSION: &str = "2024.1 (azure-import-export.md, peers.md)";

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;
const TIB: u64 = 1024 * GIB;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Characters,
    Segments,
    Bytes,
    Count,
}

/// One limit: `value` in `unit`, with where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limit {
    pub name: &'static str,
    pub value: u64,
    pub unit: Unit,
    /// Source tag(s) of `docs/sources.md`.
    pub source: &'static str,
    /// The source states this number for what Import/Export does.
    pub confirmed: bool,
    pub note: &'static str,
}

macro_rules! limits {
    ($($id:ident = $name:literal, $value:expr, $unit:ident, $source:literal, $confirmed:literal, $note:literal;)*) => {
        $(pub const $id: Limit = Limit {
            name: $name, value: $value, unit: Unit::$unit, source: $source,
            confirmed: $confirmed, note: $note,
        };)*
        /// The whole table, in declaration order.
        pub const ALL: &[Limit] = &[$($id),*];
    };
}

limits! {
    CONTAINER_NAME_MIN = "container-name-min", 3, Characters, "S-NAMEBLOB", true, "also shares (S-NAMEFILE)";
    CONTAINER_NAME_MAX = "container-name-max", 63, Characters, "S-NAMEBLOB", true, "also shares (S-NAMEFILE)";
    BLOB_NAME_MAX = "blob-name-max", 1024, Characters, "S-NAMEBLOB", true, "at least 1 character";
    BLOB_SEGMENTS_MAX = "blob-segments-max", 254, Segments, "S-NAMEBLOB", true, "non-HNS accounts";
    FILE_COMPONENT_MAX = "file-component-max", 255, Characters, "S-NAMEFILE", true, "each directory or file name";
    FILE_PATH_MAX = "file-path-max", 2048, Characters, "S-NAMEFILE", true, "whole path within the share";
    FILE_DEPTH_MAX = "file-depth-max", 250, Count, "S-NAMEFILE", true, "directory depth within the share";
    BLOCK_BLOB_MAX = "block-blob-max", 5_000_000 * MIB, Bytes, "S-FAQ", true, "≈4.768 TiB (5,000,000 MB) for Import/Export; generic Azure allows 190.7 TiB (S-BLOBSCALE)";
    PAGE_BLOB_MAX = "page-blob-max", 8 * TIB, Bytes, "S-FAQ, S-BLOBSCALE", true, "the 2017 overview said 1 TB (S-SVC)";
    PAGE_BLOB_ALIGNMENT = "page-blob-alignment", 512, Bytes, "S-PREP1, S-DBLIM", true, "page blob length is a multiple of this";
    AZURE_FILE_MAX = "azure-file-max", 4 * TIB, Bytes, "S-FILESCALE", false, "generic Azure Files cap; what Import/Export enforces is unconfirmed";
    AZURE_FILE_CONSERVATIVE = "azure-file-conservative", TIB, Bytes, "S-FILESCALE (older), S-DBLIM", false, "older docs' 1 TiB cap: warn above it";
    CONTAINERS_MAX = "containers-max", 512, Count, "S-DBLIM", false, "Data Box Disk limit on containers/shares; not stated for Import/Export";
    METADATA_TOTAL_MAX = "metadata-total-max", 8 * KIB, Bytes, "S-NAMEBLOB", true, "names plus values";
    PREP_PATH_MAX = "prep-path-max", 256, Characters, "S-TOBLOBS, S-TOFILES", true, "longer local paths need Windows long-path support on the preparing machine";
    MANIFEST_BLOCK_MAX = "manifest-block-max", 4 * MIB, Bytes, "S-MAN", true, "Block/@Length and PageRange/@Length";
    MANIFEST_BLOCKS_MAX = "manifest-blocks-max", 50_000, Count, "S-MAN", true, "blocks per blob";
    JOURNAL_UPLOAD_MAX = "journal-upload-max", 2_000_000, Bytes, "S-TOBLOBS, S-PVSTEPS", false, "portal upload limit \"2 MB\"; unit (MB vs MiB) unconfirmed";
    DRIVES_PER_JOB = "drives-per-job", 10, Count, "S-REQ, S-RP", true, "";
    DRIVE_SIZE_WARN = "drive-size-warn", 10_000_000_000_000, Bytes, "S-M365", false, "\"up to 10 TB\"; current docs say any size";
}

/// Look a limit up by its `name`.
pub fn by_name(name: &str) -> Option<&'static Limit> {
    ALL.iter().find(|l| l.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_unique_and_sources_given() {
        for (i, a) in ALL.iter().enumerate() {
            assert!(!a.source.is_empty(), "{}", a.name);
            assert!(ALL[i + 1..].iter().all(|b| b.name != a.name), "{}", a.name);
        }
        assert_eq!(by_name("blob-name-max"), Some(&BLOB_NAME_MAX));
    }

    #[test]
    fn documented_numbers() {
        assert_eq!(BLOCK_BLOB_MAX.value, 5_242_880_000_000);
        assert_eq!(PAGE_BLOB_MAX.value, 8_796_093_022_208);
        assert_eq!(AZURE_FILE_MAX.value, 4_398_046_511_104);
    }
}
