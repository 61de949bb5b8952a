//! Typed errors of the BitLocker reader. Offsets are bytes from the start of
//! the BitLocker volume. No error ever carries key material.

use crate::source::ReadError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Read(#[from] ReadError),

    #[error("not a BitLocker volume: {0}")]
    NotBitLocker(&'static str),

    #[error(
        "bytes per sector at byte offset 11 is {0}; only 512, 1024, 2048 and 4096 are possible"
    )]
    BadSectorSize(u16),

    #[error("FVE metadata block at byte offset {offset}: {reason}")]
    BadBlock { offset: u64, reason: &'static str },

    #[error("FVE metadata block at byte offset {offset}: CRC-32 is {computed:#010x}, validation record says {stored:#010x}")]
    CrcMismatch {
        offset: u64,
        stored: u32,
        computed: u32,
    },

    #[error("FVE metadata entry at byte offset {offset}: {reason}")]
    BadEntry { offset: u64, reason: &'static str },

    #[error("metadata entry nesting deeper than {0} levels")]
    TooDeep(usize),

    #[error("startup key file: {0}")]
    BadStartupKey(&'static str),

    #[error("unwrapped key at byte offset {offset}: {reason}")]
    BadKeyPayload { offset: u64, reason: &'static str },
}

pub type Result<T> = std::result::Result<T, Error>;
