//! One pure function per Azure naming/size rule; each returns the findings it
//! makes about one name or one size. Subjects are the name checked; callers
//! that know the inventory path replace the subject with it.

mod blob;
mod container;
mod entry;
mod files;
mod metadata;
mod size;
mod text;

pub use blob::{
    blob_backslash, blob_forbidden_chars, blob_name, blob_name_length, blob_segment_dot,
    blob_segments, blob_trailing, is_forbidden_blob_char, segment_dot,
};
pub use container::{
    container_name, container_name_problem, is_valid_container_name, predicted_container_name,
    share_name,
};
pub use entry::{
    collision, efs_encrypted, empty_directory, file_outside_share, long_path, reparse_point,
    root_subdir, too_many_containers,
};
pub use files::{
    file_component, file_control_chars, file_depth, file_forbidden_chars, file_name_length,
    file_name_reserved, file_path, file_path_length, file_trailing, predicted_file_name,
};
pub use metadata::{metadata_name, metadata_set};
pub use size::{page_blob_alignment, size_limit};
pub use text::show;

/// The stable finding codes of the Azure rules (documented in `docs/rule-codes.md`).
pub mod codes {
    pub const CONTAINER_NAME: &str = "azure.container-name";
    pub const CONTAINER_RESERVED: &str = "azure.container-reserved";
    pub const SHARE_NAME: &str = "azure.share-name";
    pub const BLOB_NAME_LENGTH: &str = "azure.blob-name-length";
    pub const BLOB_SEGMENTS: &str = "azure.blob-segments";
    pub const BLOB_FORBIDDEN_CHAR: &str = "azure.blob-forbidden-char";
    pub const BLOB_TRAILING: &str = "azure.blob-trailing";
    pub const BLOB_SEGMENT_DOT: &str = "azure.blob-segment-dot";
    pub const BLOB_BACKSLASH: &str = "azure.blob-backslash";
    pub const FILE_NAME_RESERVED: &str = "azure.file-name-reserved";
    pub const FILE_NAME_RESERVED_EXT: &str = "azure.file-name-reserved-ext";
    pub const FILE_FORBIDDEN_CHAR: &str = "azure.file-forbidden-char";
    pub const FILE_CONTROL_CHAR: &str = "azure.file-control-char";
    pub const FILE_TRAILING: &str = "azure.file-trailing";
    pub const FILE_NAME_LENGTH: &str = "azure.file-name-length";
    pub const FILE_PATH_LENGTH: &str = "azure.file-path-length";
    pub const FILE_DEPTH: &str = "azure.file-depth";
    pub const PAGE_BLOB_ALIGNMENT: &str = "azure.page-blob-alignment";
    pub const SIZE_LIMIT: &str = "azure.size-limit";
    pub const FILE_SIZE: &str = "azure.file-size";
    pub const METADATA_NAME: &str = "azure.metadata-name";
    pub const METADATA_DUPLICATE: &str = "azure.metadata-duplicate";
    pub const METADATA_SIZE: &str = "azure.metadata-size";
    // Per destination (see `judge`).
    pub const NAME_COLLISION: &str = "azure.name-collision";
    pub const FILE_DIR_COLLISION: &str = "azure.file-dir-collision";
    pub const TOO_MANY_CONTAINERS: &str = "azure.too-many-containers";
    pub const LONG_PATH: &str = "azure.long-path";
    pub const REPARSE_POINT: &str = "azure.reparse-point";
    pub const EFS_ENCRYPTED: &str = "azure.efs-encrypted";
    pub const EMPTY_DIRECTORY: &str = "azure.empty-directory";
    pub const ROOT_SUBDIR: &str = "azure.root-subdir";
    pub const FILE_OUTSIDE_SHARE: &str = "azure.file-outside-share";
    // Local staging folder (see `local`).
    pub const LOCAL_UNREADABLE: &str = "azure.local-unreadable";
    pub const LOCAL_NOT_UNICODE: &str = "azure.local-not-unicode";

    /// Every code above, for documentation tests.
    pub const ALL: &[&str] = &[
        CONTAINER_NAME,
        CONTAINER_RESERVED,
        SHARE_NAME,
        BLOB_NAME_LENGTH,
        BLOB_SEGMENTS,
        BLOB_FORBIDDEN_CHAR,
        BLOB_TRAILING,
        BLOB_SEGMENT_DOT,
        BLOB_BACKSLASH,
        FILE_NAME_RESERVED,
        FILE_NAME_RESERVED_EXT,
        FILE_FORBIDDEN_CHAR,
        FILE_CONTROL_CHAR,
        FILE_TRAILING,
        FILE_NAME_LENGTH,
        FILE_PATH_LENGTH,
        FILE_DEPTH,
        PAGE_BLOB_ALIGNMENT,
        SIZE_LIMIT,
        FILE_SIZE,
        METADATA_NAME,
        METADATA_DUPLICATE,
        METADATA_SIZE,
        NAME_COLLISION,
        FILE_DIR_COLLISION,
        TOO_MANY_CONTAINERS,
        LONG_PATH,
        REPARSE_POINT,
        EFS_ENCRYPTED,
        EMPTY_DIRECTORY,
        ROOT_SUBDIR,
        FILE_OUTSIDE_SHARE,
        LOCAL_UNREADABLE,
        LOCAL_NOT_UNICODE,
    ];
}
