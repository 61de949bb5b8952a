//! Where the bytes come from: an image file or a block device, always opened
//! read-only and always read by position (`pread`), never through a file cursor.
//!
//! Everything above this module sees a [`ReadAt`]; a BitLocker view or a
//! partition [`Window`] is just another `ReadAt`.

mod blockdev;
mod file;
mod identity;
mod mounts;
mod os;
pub mod profile;
pub mod retry;
mod window;

pub use blockdev::{
    block_device_name, list_block_devices, list_partitions, same_serial, BlockDeviceFacts,
};
pub use file::open;
pub use file::OpenedSource;
pub use identity::SourceIdentity;
pub use mounts::mounted_paths_for;
pub use window::Window;

use std::io;

/// The stable finding codes about the drive itself and its reads (`disk.*`, `read.error`); the check pipeline raises them from the facts this module gathers.
pub mod codes {
    crate::finding_codes! {
        DISK_SECTOR_SIZE = "disk.sector-size";
        DISK_USB = "disk.usb";
        DISK_REMOVABLE = "disk.removable";
        DISK_SIZE = "disk.size";
        DISK_IS_PARTITION = "disk.is-partition";
        DISK_MOUNTED = "disk.mounted";
        READ_ERROR = "read.error";
    }
}

/// Positional, read-only access to a byte range of known length.
///
/// Implementations must be usable from several threads at once (`pread` is).
pub trait ReadAt: Send + Sync {
    /// Fill `buf` with the bytes starting at `offset`. Reading past [`ReadAt::len`]
    /// is an `UnexpectedEof` error.
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()>;

    /// Length in bytes.
    fn len(&self) -> u64;

    /// True when the source holds no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T: ReadAt + ?Sized> ReadAt for &T {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        (**self).read_exact_at(buf, offset)
    }
    fn len(&self) -> u64 {
        (**self).len()
    }
}

impl<T: ReadAt + ?Sized> ReadAt for std::sync::Arc<T> {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        (**self).read_exact_at(buf, offset)
    }
    fn len(&self) -> u64 {
        (**self).len()
    }
}

impl ReadAt for [u8] {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let start = usize::try_from(offset).map_err(|_| eof(offset, buf.len()))?;
        let end = start
            .checked_add(buf.len())
            .filter(|&e| e <= <[u8]>::len(self))
            .ok_or_else(|| eof(offset, buf.len()))?;
        buf.copy_from_slice(&self[start..end]);
        Ok(())
    }
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
}

impl ReadAt for Vec<u8> {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.as_slice().read_exact_at(buf, offset)
    }
    fn len(&self) -> u64 {
        self.as_slice().len() as u64
    }
}

/// A source shared between stages and threads.
pub type SharedSource = std::sync::Arc<dyn ReadAt>;

/// A failed read, with the byte range it was for.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {len} bytes at byte offset {offset}: {source}")]
pub struct ReadError {
    pub offset: u64,
    pub len: usize,
    #[source]
    pub source: io::Error,
}

impl ReadError {
    /// The OS error number, when the failure came from the OS.
    pub fn errno(&self) -> Option<i32> {
        self.source.raw_os_error()
    }
}

/// Read `len` bytes at `offset` into a new buffer, or say which range failed.
pub fn read_vec(src: &dyn ReadAt, offset: u64, len: usize) -> Result<Vec<u8>, ReadError> {
    let mut buf = vec![0u8; len];
    src.read_exact_at(&mut buf, offset)
        .map_err(|source| ReadError {
            offset,
            len,
            source,
        })?;
    Ok(buf)
}

/// Like [`read_vec`], but `None` when the range lies (partly) past the end.
pub fn read_vec_if_inside(
    src: &dyn ReadAt,
    offset: u64,
    len: usize,
) -> Result<Option<Vec<u8>>, ReadError> {
    match offset.checked_add(len as u64) {
        Some(end) if end <= src.len() => read_vec(src, offset, len).map(Some),
        _ => Ok(None),
    }
}

pub(crate) fn eof(offset: u64, len: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("{len} bytes at offset {offset} run past the end"),
    )
}
