//! Where each inventory entry lands in Azure, under a plain destination prefix
//! like WAImportExport v1's `/dstdir:` (S-PREP1, S-PREP2, S-TOFILES, S-DBDISK in `docs/sources.md`).
//!
//! The mapping never rewrites names: a name the rules accept arrives in Azure
//! exactly as it is on the drive. What the service would change is predicted
//! by the rules, not here.

use thiserror::Error;

/// One file or directory, from the NTFS inventory or a local folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryRef<'a> {
    /// Volume-relative, `/`-separated, no leading `/` (one is tolerated).
    pub path: &'a str,
    pub is_dir: bool,
    pub size: u64,
    pub is_reparse_point: bool,
    pub is_encrypted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum BlobType {
    Block,
    Page,
}

/// What the data becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Blobs of this type; `None` = WAImportExport v2's default: block blobs,
    /// but `.vhd`/`.vhdx` files become page blobs (S-PREP2).
    Blob(Option<BlobType>),
    /// Azure Files (v2 `DstItemPathOrPrefix`, S-TOFILES).
    Files,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ObjectKind {
    BlockBlob,
    PageBlob,
    AzureFile,
    /// A folder: a virtual directory of blobs, or an Azure Files directory.
    Directory,
}

/// A destination that cannot be used as given (a usage error, not a finding).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DestError {
    #[error("the destination starts with the container or share name, not '/' (e.g. `mycontainer/dir/`)")]
    LeadingSlash,
    #[error("the destination is a folder and must end with '/' (e.g. `mycontainer/` or `mycontainer/dir/`)")]
    NoTrailingSlash,
    #[error("the destination has an empty container or share name or an empty folder name")]
    EmptySegment,
    #[error("blobs in `$root` cannot contain '/', so `$root/` takes no folder after it")]
    RootWithDirectory,
}

/// Where a tree is imported to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    target: Target,
    /// `None`: each top-level folder is a container/share (Data Box Disk layout).
    container: Option<String>,
    /// Folder inside the container/share: empty or ending with `/`.
    prefix: String,
}

/// One entry's Azure object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    /// Container or share name.
    pub container: String,
    /// Blob name, or path within the share; empty for the container folder itself.
    pub name: String,
    pub kind: ObjectKind,
}

fn is_vhd(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".vhd") || lower.ends_with(".vhdx")
}

impl Destination {
    /// `dest` as for `/dstdir:`: `container/` or `container/dir/…/`; `""` or
    /// `"/"` make each top-level folder a container/share.
    pub fn parse(target: Target, dest: &str) -> Result<Self, DestError> {
        if dest.is_empty() || dest == "/" {
            return Ok(Destination {
                target,
                container: None,
                prefix: String::new(),
            });
        }
        if dest.starts_with('/') {
            return Err(DestError::LeadingSlash);
        }
        if !dest.ends_with('/') {
            return Err(DestError::NoTrailingSlash);
        }
        if dest[..dest.len() - 1].split('/').any(str::is_empty) {
            return Err(DestError::EmptySegment);
        }
        let (container, prefix) = dest.split_once('/').unwrap_or((dest, ""));
        if container == "$root" && !prefix.is_empty() {
            return Err(DestError::RootWithDirectory);
        }
        Ok(Destination {
            target,
            container: Some(container.to_string()),
            prefix: prefix.to_string(),
        })
    }

    pub fn target(&self) -> Target {
        self.target
    }

    /// The one container/share, when the destination names it.
    pub fn container(&self) -> Option<&str> {
        self.container.as_deref()
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn file_kind(&self, path: &str) -> ObjectKind {
        match self.target {
            Target::Files => ObjectKind::AzureFile,
            Target::Blob(Some(BlobType::Block)) => ObjectKind::BlockBlob,
            Target::Blob(Some(BlobType::Page)) => ObjectKind::PageBlob,
            Target::Blob(None) if is_vhd(path) => ObjectKind::PageBlob,
            Target::Blob(None) => ObjectKind::BlockBlob,
        }
    }

    /// The entry's Azure object; `None` for a file at the top level when each
    /// top-level folder is a share (such files have no share to go to).
    pub fn map(&self, entry: &EntryRef<'_>) -> Option<Mapped> {
        let path = entry.path.strip_prefix('/').unwrap_or(entry.path);
        let kind = if entry.is_dir {
            ObjectKind::Directory
        } else {
            self.file_kind(path)
        };
        let (container, rest) = match &self.container {
            Some(c) => (c.clone(), path),
            None => match path.split_once('/') {
                Some((c, rest)) => (c.to_string(), rest),
                None if entry.is_dir => (path.to_string(), ""),
                // Data Box Disk: top-level files go to `$root`, as block blobs.
                None => match self.target {
                    Target::Files => return None,
                    Target::Blob(_) => {
                        return Some(Mapped {
                            container: "$root".into(),
                            name: path.to_string(),
                            kind: ObjectKind::BlockBlob,
                        })
                    }
                },
            },
        };
        let name = if rest.is_empty() {
            String::new()
        } else {
            format!("{}{rest}", self.prefix)
        };
        Some(Mapped {
            container,
            name,
            kind,
        })
    }
}
