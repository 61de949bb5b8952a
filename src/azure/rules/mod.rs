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
    crate::finding_codes! {
        CONTAINER_NAME = "azure.container-name";
        CONTAINER_RESERVED = "azure.container-reserved";
        SHARE_NAME = "azure.share-name";
        BLOB_NAME_LENGTH = "azure.blob-name-length";
        BLOB_SEGMENTS = "azure.blob-segments";
        BLOB_FORBIDDEN_CHAR = "azure.blob-forbidden-char";
        BLOB_TRAILING = "azure.blob-trailing";
        BLOB_SEGMENT_DOT = "azure.blob-segment-dot";
        BLOB_BACKSLASH = "azure.blob-backslash";
        FILE_NAME_RESERVED = "azure.file-name-reserved";
        FILE_NAME_RESERVED_EXT = "azure.file-name-reserved-ext";
        FILE_FORBIDDEN_CHAR = "azure.file-forbidden-char";
        FILE_CONTROL_CHAR = "azure.file-control-char";
        FILE_TRAILING = "azure.file-trailing";
        FILE_NAME_LENGTH = "azure.file-name-length";
        FILE_PATH_LENGTH = "azure.file-path-length";
        FILE_DEPTH = "azure.file-depth";
        PAGE_BLOB_ALIGNMENT = "azure.page-blob-alignment";
        SIZE_LIMIT = "azure.size-limit";
        FILE_SIZE = "azure.file-size";
        METADATA_NAME = "azure.metadata-name";
        METADATA_DUPLICATE = "azure.metadata-duplicate";
        METADATA_SIZE = "azure.metadata-size";
        // Per destination (see `judge`).
        NAME_COLLISION = "azure.name-collision";
        FILE_DIR_COLLISION = "azure.file-dir-collision";
        TOO_MANY_CONTAINERS = "azure.too-many-containers";
        LONG_PATH = "azure.long-path";
        REPARSE_POINT = "azure.reparse-point";
        EFS_ENCRYPTED = "azure.efs-encrypted";
        EMPTY_DIRECTORY = "azure.empty-directory";
        ROOT_SUBDIR = "azure.root-subdir";
        FILE_OUTSIDE_SHARE = "azure.file-outside-share";
        /// A dataset row's source path is not on the volume (raised by the
        /// check's rules stage).
        DATASET_PATH_MISSING = "azure.dataset-path-missing";
        // Local staging folder (see `local`).
        LOCAL_UNREADABLE = "azure.local-unreadable";
        LOCAL_NOT_UNICODE = "azure.local-not-unicode";
    }
}
