//! Opening a path read-only and reading it with `pread`.

use super::blockdev::{self, BlockDeviceFacts};
use super::ReadAt;
use std::fs::File;
use std::io;
use std::os::unix::fs::{FileExt, FileTypeExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An image file or block device opened `O_RDONLY`.
pub struct FileSource {
    file: File,
    len: u64,
}

impl ReadAt for FileSource {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        match offset.checked_add(buf.len() as u64) {
            Some(end) if end <= self.len => self.file.read_exact_at(buf, offset),
            _ => Err(super::eof(offset, buf.len())),
        }
    }
    fn len(&self) -> u64 {
        self.len
    }
}

/// Why a path cannot be used as a source.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot open {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path} is neither a regular file (disk image) nor a block device; give an image file or a device such as /dev/sdb")]
    NotImageOrDevice { path: PathBuf },
    #[error("cannot query block device {path}: {source}")]
    Ioctl {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// A source ready to read, with what we know about where it came from.
pub struct OpenedSource {
    pub path: PathBuf,
    pub reader: Arc<dyn ReadAt>,
    /// `Some` for block devices; images have no hardware facts.
    pub device: Option<BlockDeviceFacts>,
}

impl OpenedSource {
    pub fn is_block_device(&self) -> bool {
        self.device.is_some()
    }
}

/// Open `path` strictly read-only (`O_RDONLY`; std's `File::open`) and find its size.
pub fn open(path: &Path) -> Result<OpenedSource, OpenError> {
    let io_err = |source| OpenError::Io {
        path: path.to_path_buf(),
        source,
    };
    // Look before opening: opening a FIFO would block.
    let meta = std::fs::metadata(path).map_err(io_err)?;
    let ft = meta.file_type();
    if !(ft.is_file() || ft.is_block_device()) {
        return Err(OpenError::NotImageOrDevice {
            path: path.to_path_buf(),
        });
    }
    let file = File::open(path).map_err(io_err)?;
    if ft.is_block_device() {
        let ioctl_err = |source| OpenError::Ioctl {
            path: path.to_path_buf(),
            source,
        };
        let geometry = super::os::block_geometry(&file).map_err(ioctl_err)?;
        let facts = blockdev::facts_for(path, &meta, geometry);
        let len = geometry.size_bytes;
        Ok(OpenedSource {
            path: path.to_path_buf(),
            reader: Arc::new(FileSource { file, len }),
            device: Some(facts),
        })
    } else {
        Ok(OpenedSource {
            path: path.to_path_buf(),
            reader: Arc::new(FileSource {
                file,
                len: meta.len(),
            }),
            device: None,
        })
    }
}
