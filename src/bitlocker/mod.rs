//! BitLocker: detect, check the metadata, prove a credential opens the volume,
//! and present the decrypted volume as a [`ReadAt`]. Format: `bitlocker.md`.

pub mod bek;
mod bytes;
pub mod decrypt;
pub mod entries;
pub mod error;
pub mod guid;
pub mod header;
pub mod keys;
pub mod metadata;
pub mod protectors;
#[cfg(test)]
mod testutil;
