//! `ie-preflight`: checks a drive, read-only, the way the Azure Import/Export
//! service will, and predicts the drive state it would end in.
//!
//! Data flow (see `design.md`): [`source`] → [`layout`] → [`probe`] → … → [`report`].
#![deny(unsafe_code)]

pub mod bitlocker;
pub mod recovery_password;
pub mod report;
pub mod source;
