//! A local staging folder as inventory entries (walked with `walkdir`, links
//! not followed), so a folder can be checked before it is copied to the drive.

use super::destination::EntryRef;
use super::rules::{codes, show};
use crate::report::{DriveStatus, Finding};
use std::path::{Path, PathBuf};
use thiserror::Error;
use walkdir::WalkDir;

/// One entry with owned path; borrow it as an [`EntryRef`] with [`LocalEntry::as_ref`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalEntry {
    /// Relative to the walked root, `/`-separated.
    pub path: String,
    pub is_dir: bool,
    pub size: u64,
    /// A symbolic link (the only kind of reparse point a Unix folder has).
    pub is_reparse_point: bool,
}

impl LocalEntry {
    pub fn as_ref(&self) -> EntryRef<'_> {
        EntryRef {
            path: &self.path,
            is_dir: self.is_dir,
            size: self.size,
            is_reparse_point: self.is_reparse_point,
            is_encrypted: false,
        }
    }
}

/// The walked folder: entries sorted by path, plus what could not be read.
#[derive(Debug, Clone, Default)]
pub struct LocalTree {
    pub entries: Vec<LocalEntry>,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Error)]
pub enum LocalError {
    #[error("{0} is not a readable folder: {1}")]
    NotAFolder(PathBuf, #[source] std::io::Error),
    #[error("{0} is not a folder")]
    NotADirectory(PathBuf),
}

/// Walk `root` (not following links). Unreadable entries and names that are
/// not Unicode become findings; the walk goes on.
pub fn walk_local(root: &Path) -> Result<LocalTree, LocalError> {
    let meta =
        std::fs::metadata(root).map_err(|e| LocalError::NotAFolder(root.to_path_buf(), e))?;
    if !meta.is_dir() {
        return Err(LocalError::NotADirectory(root.to_path_buf()));
    }
    let mut tree = LocalTree::default();
    let walk = WalkDir::new(root)
        .follow_links(false)
        .min_depth(1)
        .sort_by_file_name();
    for item in walk {
        let entry = match item {
            Ok(e) => e,
            Err(err) => {
                let p = err
                    .path()
                    .and_then(|p| p.strip_prefix(root).ok())
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default();
                tree.findings.push(Finding::warning(
                    codes::LOCAL_UNREADABLE,
                    DriveStatus::UnsupportedData,
                    p,
                    format!("could not be read, so it was not checked: {err}"),
                ));
                continue;
            }
        };
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let lossy = rel.to_string_lossy();
        let path: String = lossy.replace(std::path::MAIN_SEPARATOR, "/");
        if rel.to_str().is_none() {
            tree.findings.push(Finding::warning(
                codes::LOCAL_NOT_UNICODE,
                DriveStatus::UnsupportedData,
                path.clone(),
                format!(
                    "the name {} is not valid Unicode; NTFS and Azure cannot hold it as is",
                    show(&path)
                ),
            ));
        }
        let ft = entry.file_type();
        let size = if ft.is_file() {
            entry.metadata().map(|m| m.len()).unwrap_or(0)
        } else {
            0
        };
        tree.entries.push(LocalEntry {
            path,
            is_dir: ft.is_dir(),
            size,
            is_reparse_point: ft.is_symlink(),
        });
    }
    Ok(tree)
}
