//! `ie-preflight`: checks a drive, read-only, the way the Azure Import/Export
//! service will, and predicts the drive state it would end in.
//!
//! Data flow (see `docs/checks.md`): [`source`] → [`layout`] → [`probe`] → … → [`report`].
#![deny(unsafe_code)]

pub mod azure;
pub mod bitlocker;
pub mod bloblist;
pub mod bytes;
pub mod check;
pub mod cli;
pub mod devices;
pub mod file_check;
pub mod guid;
pub mod job;
pub mod layout;
pub mod ls;
pub mod manifest;
pub mod ntfs_volume;
pub mod output;
pub mod probe;
pub mod recovery_password;
pub mod report;
pub mod scan;
pub mod secrets;
pub mod sniff;
pub mod source;
pub mod tty;
pub mod unlock_cmd;
pub mod xml;
