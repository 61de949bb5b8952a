//! What every stage returns: findings, each naming the drive state it predicts.

use serde::Serialize;
use std::fmt;

/// The service's drive states, spelled exactly as the Azure portal shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum DriveStatus {
    #[serde(rename = "Disk not received at datacenter")]
    DiskNotReceived,
    #[serde(rename = "Unsupported disk")]
    UnsupportedDisk,
    #[serde(rename = "Hardware error")]
    HardwareError,
    #[serde(rename = "Disk corrupted")]
    DiskCorrupted,
    #[serde(rename = "BitLocker volume not found")]
    BitLockerVolumeNotFound,
    #[serde(rename = "BitLocker key invalid")]
    BitLockerKeyInvalid,
    #[serde(rename = "BitLocker unlock volume failed")]
    BitLockerUnlockFailed,
    #[serde(rename = "NTFS volume not found")]
    NtfsVolumeNotFound,
    #[serde(rename = "Manifest file error")]
    ManifestFileError,
    #[serde(rename = "Export blob list format invalid")]
    ExportBlobListInvalid,
    #[serde(rename = "Blob access forbidden")]
    BlobAccessForbidden,
    #[serde(rename = "Storage account not accessible")]
    StorageAccountNotAccessible,
    #[serde(rename = "Unsupported data")]
    UnsupportedData,
    #[serde(rename = "Data copy completed with warnings")]
    CopiedWithWarnings,
    #[serde(rename = "Failed")]
    Failed,
}

impl DriveStatus {
    /// Every state, in checklist order (roughly the order the service meets them).
    pub const ALL: [DriveStatus; 15] = [
        DriveStatus::DiskNotReceived,
        DriveStatus::UnsupportedDisk,
        DriveStatus::HardwareError,
        DriveStatus::DiskCorrupted,
        DriveStatus::BitLockerVolumeNotFound,
        DriveStatus::BitLockerKeyInvalid,
        DriveStatus::BitLockerUnlockFailed,
        DriveStatus::NtfsVolumeNotFound,
        DriveStatus::ManifestFileError,
        DriveStatus::ExportBlobListInvalid,
        DriveStatus::BlobAccessForbidden,
        DriveStatus::StorageAccountNotAccessible,
        DriveStatus::UnsupportedData,
        DriveStatus::CopiedWithWarnings,
        DriveStatus::Failed,
    ];

    /// The portal's wording.
    pub fn as_str(self) -> &'static str {
        match self {
            DriveStatus::DiskNotReceived => "Disk not received at datacenter",
            DriveStatus::UnsupportedDisk => "Unsupported disk",
            DriveStatus::HardwareError => "Hardware error",
            DriveStatus::DiskCorrupted => "Disk corrupted",
            DriveStatus::BitLockerVolumeNotFound => "BitLocker volume not found",
            DriveStatus::BitLockerKeyInvalid => "BitLocker key invalid",
            DriveStatus::BitLockerUnlockFailed => "BitLocker unlock volume failed",
            DriveStatus::NtfsVolumeNotFound => "NTFS volume not found",
            DriveStatus::ManifestFileError => "Manifest file error",
            DriveStatus::ExportBlobListInvalid => "Export blob list format invalid",
            DriveStatus::BlobAccessForbidden => "Blob access forbidden",
            DriveStatus::StorageAccountNotAccessible => "Storage account not accessible",
            DriveStatus::UnsupportedData => "Unsupported data",
            DriveStatus::CopiedWithWarnings => "Data copy completed with warnings",
            DriveStatus::Failed => "Failed",
        }
    }
}

impl fmt::Display for DriveStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// One thing a stage found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable identifier, documented in the README (e.g. `gpt.header-crc`).
    pub code: &'static str,
    pub severity: Severity,
    pub predicts: DriveStatus,
    /// What it is about: a partition, a path, a byte offset.
    pub subject: String,
    /// Where, for a program: the byte offset or the line and column the
    /// `subject` text names, when the check knows one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    pub message: String,
    /// What to do about it; empty when there is nothing to do.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub hint: String,
}

impl Finding {
    pub fn new(
        code: &'static str,
        severity: Severity,
        predicts: DriveStatus,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            code,
            severity,
            predicts,
            subject: subject.into(),
            location: None,
            message: message.into(),
            hint: String::new(),
        }
    }

    pub fn error(
        code: &'static str,
        predicts: DriveStatus,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::new(code, Severity::Error, predicts, subject, message)
    }

    pub fn warning(
        code: &'static str,
        predicts: DriveStatus,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::new(code, Severity::Warning, predicts, subject, message)
    }

    pub fn info(
        code: &'static str,
        predicts: DriveStatus,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::new(code, Severity::Info, predicts, subject, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    /// The finding is about byte `offset` (of the disk, the volume or the
    /// file its `subject` names).
    pub fn at_byte(mut self, offset: u64) -> Self {
        self.location = Some(Location::Byte { offset });
        self
    }

    /// The finding is about 1-based `line` and `column` (in characters) of a
    /// text file.
    pub fn at_line(mut self, line: usize, column: usize) -> Self {
        self.location = Some(Location::Text { line, column });
        self
    }
}

/// A finding's place in what was read, in JSON
/// `{"byte": {"offset": N}}` or `{"text": {"line": L, "column": C}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// A byte offset.
    Byte { offset: u64 },
    /// A 1-based line and column (columns count characters).
    Text { line: usize, column: usize },
}
