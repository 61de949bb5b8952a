//! `ie-preflight`: checks a drive, read-only, the way the Azure Import/Export
//! service will, and predicts the drive state it would end in.
//!
//! Layers, one-way: [`commands`] (the only layer that prints or picks an exit
//! code; [`cli`] defines the flags) → the check pipeline ([`pipeline`]) → the
//! domain ([`layout`], [`probe`], [`bitlocker`], [`ntfs_volume`], [`manifest`], …)
//! → [`report`] / [`source`]. See docs/layout.md.
#![deny(unsafe_code)]

pub mod azure;
pub mod bitlocker;
pub mod bloblist;
pub mod bytes;
pub mod cli;
pub mod commands;
pub mod guid;
pub mod hash;
pub mod health;
pub mod job;
pub mod layout;
pub mod manifest;
pub mod ntfs_volume;
pub mod output;
pub mod pipeline;
pub mod probe;
pub mod recovery_password;
pub mod report;
pub mod scan;
pub mod secrets;
pub mod sniff;
pub mod source;
pub mod tty;
pub mod xml;
