//! Typed errors of the NTFS stage; each carries the byte position it is about.

use crate::source::ReadError;

#[derive(Debug, thiserror::Error)]
pub enum NtfsError {
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The boot sector does not describe a usable NTFS volume (from the `ntfs` crate).
    #[error("not a usable NTFS volume: {0}")]
    NotNtfs(String),
    /// A structure on disk is malformed.
    #[error("{what} (at byte {offset})")]
    Corrupt { offset: u64, what: String },
    /// LZNT1 data that does not decode.
    #[error("LZNT1 data of compression unit at byte {offset}: {what}")]
    Decompress { offset: u64, what: &'static str },
}

impl NtfsError {
    pub(crate) fn corrupt(offset: u64, what: impl Into<String>) -> Self {
        NtfsError::Corrupt {
            offset,
            what: what.into(),
        }
    }

    /// The byte offset this error is about, when there is one.
    pub fn offset(&self) -> Option<u64> {
        match self {
            NtfsError::Read(e) => Some(e.offset),
            NtfsError::Corrupt { offset, .. } | NtfsError::Decompress { offset, .. } => {
                Some(*offset)
            }
            NtfsError::NotNtfs(_) => None,
        }
    }
}
