//! Protectors = VMK entries (`docs/formats/bitlocker.md`, "Protectors"): what kind, which GUID, and the
//! material needed to try them.

use super::entries::{entry_type, CcmBlob, Entry, Value};
use crate::guid::Guid;
use serde::Serialize;
use zeroize::Zeroizing;

/// Protection type (u16 at VMK payload + 26).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProtectorKind {
    ClearKey,
    Tpm,
    StartupKey,
    TpmPin,
    RecoveryPassword,
    SmartCard,
    Password,
    Unknown,
}

impl ProtectorKind {
    pub fn from_code(code: u16) -> Self {
        match code {
            0x0000 => Self::ClearKey,
            0x0100 => Self::Tpm,
            0x0200 => Self::StartupKey,
            0x0500 => Self::TpmPin,
            0x0800 => Self::RecoveryPassword,
            0x1000 => Self::SmartCard,
            0x2000 => Self::Password,
            _ => Self::Unknown,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::ClearKey => "clear key (protection suspended)",
            Self::Tpm => "TPM",
            Self::StartupKey => "startup key (.BEK)",
            Self::TpmPin => "TPM + PIN",
            Self::RecoveryPassword => "recovery password",
            Self::SmartCard => "smart card",
            Self::Password => "password",
            Self::Unknown => "unknown protector",
        }
    }
}

/// One protector, with what an offline unlock needs.
#[derive(Debug, Clone)]
pub struct Protector {
    pub guid: Guid,
    pub code: u16,
    pub kind: ProtectorKind,
    /// Byte offset of the VMK entry.
    pub offset: u64,
    /// Salt of the stretch-key child (recovery password, password).
    pub salt: Option<[u8; 16]>,
    /// The direct AES-CCM child: the wrapped VMK.
    pub wrapped_vmk: Option<CcmBlob>,
    /// The key child in the clear (clear-key protector only).
    pub clear_key: Option<Zeroizing<Vec<u8>>>,
}

impl Protector {
    /// Can this protector be opened offline with what the volume holds plus a credential?
    pub fn supported(&self) -> bool {
        self.wrapped_vmk.is_some()
            && match self.kind {
                ProtectorKind::RecoveryPassword | ProtectorKind::Password => self.salt.is_some(),
                ProtectorKind::ClearKey => self.clear_key.as_ref().is_some_and(|k| k.len() == 32),
                ProtectorKind::StartupKey => true,
                _ => false,
            }
    }

    pub fn fact(&self) -> ProtectorFact {
        ProtectorFact {
            kind: self.kind,
            protection_code: format!("{:#06x}", self.code),
            guid: self.guid,
            supported: self.supported(),
        }
    }
}

/// The report's view of a protector (never a key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProtectorFact {
    pub kind: ProtectorKind,
    pub protection_code: String,
    pub guid: Guid,
    pub supported: bool,
}

/// Every top-level VMK entry, in on-disk order.
pub fn list(entries: &[Entry]) -> Vec<Protector> {
    entries
        .iter()
        .filter(|e| e.entry_type == entry_type::VMK)
        .filter_map(|e| match &e.value {
            Value::Vmk {
                guid,
                protection,
                children,
                ..
            } => Some(Protector {
                guid: *guid,
                code: *protection,
                kind: ProtectorKind::from_code(*protection),
                offset: e.offset,
                salt: children.iter().find_map(|c| match c.value {
                    Value::StretchKey { salt, .. } => Some(salt),
                    _ => None,
                }),
                wrapped_vmk: e.direct_ccm().cloned(),
                clear_key: children.iter().find_map(|c| match &c.value {
                    Value::Key { key, .. } => Some(key.clone()),
                    _ => None,
                }),
            }),
            _ => None,
        })
        .collect()
}
