//! Rules about an inventory entry itself rather than its Azure name.

use super::codes;
use super::show;
use crate::azure::limits::{CONTAINERS_MAX, PREP_PATH_MAX};
use crate::report::{DriveStatus, Finding};

/// Rule `azure.long-path`: as `X:\path` on the preparing machine, longer than
/// 256 characters needs Windows long-path support (S-TOBLOBS, S-TOFILES).
pub fn long_path(path: &str) -> Vec<Finding> {
    let n = path.chars().count() as u64 + 3; // "X:\"
    if n <= PREP_PATH_MAX.value {
        return Vec::new();
    }
    vec![Finding::warning(
        codes::LONG_PATH,
        DriveStatus::UnsupportedData,
        path,
        format!(
            "as a Windows path (X:\\…) this is {n} characters; WAImportExport fails on paths over {} unless long paths are enabled",
            PREP_PATH_MAX.value
        ),
    )
    .with_hint("enable Win32 long paths on the preparing machine, or shorten the path")]
}

/// Rule `azure.reparse-point`: symlinks, junctions and other reparse points are
/// not imported (Data Box `REPARSE_POINT_ERROR`, S-DBTRBL).
pub fn reparse_point(path: &str) -> Vec<Finding> {
    vec![Finding::error(
        codes::REPARSE_POINT,
        DriveStatus::UnsupportedData,
        path,
        "a symbolic link, junction or other reparse point cannot be imported",
    )
    .with_hint("replace the link with the data it points to, or remove it")]
}

/// Rule `azure.efs-encrypted`: the service cannot read a file encrypted with
/// the owner's EFS certificate (INFERRED: the service reads the volume without the owner's key).
pub fn efs_encrypted(path: &str) -> Vec<Finding> {
    vec![Finding::error(
        codes::EFS_ENCRYPTED,
        DriveStatus::UnsupportedData,
        path,
        "the file is EFS-encrypted; the datacenter cannot read it",
    )
    .with_hint("decrypt it (cipher /d) before preparing the drive; BitLocker protects the drive")]
}

/// Rule `azure.empty-directory`: empty folders are not imported (S-DBLIM).
pub fn empty_directory(path: &str) -> Vec<Finding> {
    vec![Finding::info(
        codes::EMPTY_DIRECTORY,
        DriveStatus::CopiedWithWarnings,
        path,
        "empty folder: nothing is imported for it",
    )]
}

/// Rule `azure.root-subdir`: blobs in `$root` cannot contain '/', so files in
/// sub-folders are not copied (S-PREP1).
pub fn root_subdir(path: &str) -> Vec<Finding> {
    vec![Finding::warning(
        codes::ROOT_SUBDIR,
        DriveStatus::UnsupportedData,
        path,
        "the destination is `$root`, whose blob names cannot contain '/'; files in sub-folders are not copied",
    )
    .with_hint("import sub-folders into a named container")]
}

/// Rule `azure.file-outside-share`: with each top-level folder a share, a file
/// at the top level has no share (Data Box: it fails; UNCONFIRMED here).
pub fn file_outside_share(path: &str) -> Vec<Finding> {
    vec![Finding::warning(
        codes::FILE_OUTSIDE_SHARE,
        DriveStatus::UnsupportedData,
        path,
        "a file at the top level belongs to no share; it is not imported as a file",
    )
    .with_hint("move it into a folder named after the share")]
}

/// Rule `azure.too-many-containers`: more than 512 containers or shares
/// (Data Box Disk limit, S-DBLIM; not stated for Import/Export).
pub fn too_many_containers(count: u64) -> Vec<Finding> {
    if count <= CONTAINERS_MAX.value {
        return Vec::new();
    }
    vec![Finding::warning(
        codes::TOO_MANY_CONTAINERS,
        DriveStatus::UnsupportedData,
        "destination",
        format!(
            "{count} containers/shares; Data Box allows at most {} per account",
            CONTAINERS_MAX.value
        ),
    )
    .with_hint("group top-level folders")]
}

/// Rule `azure.name-collision` / `azure.file-dir-collision`: two entries that
/// end up with the same Azure name (the later overwrites or fails).
pub fn collision(
    path: &str,
    other: &str,
    other_is_dir: bool,
    is_dir: bool,
    files: bool,
) -> Vec<Finding> {
    let (code, what) = if other_is_dir != is_dir {
        (
            codes::FILE_DIR_COLLISION,
            "a file and a folder get the same name",
        )
    } else if files {
        (
            codes::NAME_COLLISION,
            "two names collide (Azure Files names are case-insensitive; trailing dots are dropped)",
        )
    } else {
        (
            codes::NAME_COLLISION,
            "two files get the same blob name once trailing dots are dropped",
        )
    };
    vec![Finding::warning(
        code,
        DriveStatus::UnsupportedData,
        path,
        format!("{what}: this one and {}; one of them is lost", show(other)),
    )
    .with_hint("rename one of them")]
}
