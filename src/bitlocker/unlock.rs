//! Trying a credential against every protector of the matching kind
//! (`docs/formats/bitlocker.md`, "Keys", unlock order). First AES-CCM tag success wins.

use super::bek::StartupKey;
use super::keys::{self, Vmk};
use super::protectors::{Protector, ProtectorKind};
use crate::guid::Guid;
use zeroize::Zeroizing;

/// One credential, already decoded.
pub enum Credential<'a> {
    /// The 16-byte key of a form-checked recovery password.
    RecoveryKey(&'a [u8; 16]),
    Password(&'a str),
    StartupKey(&'a StartupKey),
    /// No secret: the clear-key protector.
    ClearKey,
}

impl Credential<'_> {
    pub fn kind(&self) -> ProtectorKind {
        match self {
            Credential::RecoveryKey(_) => ProtectorKind::RecoveryPassword,
            Credential::Password(_) => ProtectorKind::Password,
            Credential::StartupKey(_) => ProtectorKind::StartupKey,
            Credential::ClearKey => ProtectorKind::ClearKey,
        }
    }
}

/// The protector that opened, and the VMK it gave.
pub struct Opened {
    pub guid: Guid,
    pub kind: ProtectorKind,
    pub vmk: Vmk,
}

/// Result of one credential: the opened protector (if any) and how many
/// protectors of its kind were tried.
pub struct Attempt {
    pub opened: Option<Opened>,
    pub tried: usize,
}

pub fn try_credential(protectors: &[Protector], cred: &Credential<'_>) -> Attempt {
    let candidates: Vec<&Protector> = protectors
        .iter()
        .filter(|p| p.kind == cred.kind() && p.supported())
        .filter(|p| match cred {
            Credential::StartupKey(k) => p.guid == k.guid,
            _ => true,
        })
        .collect();
    let initial: Option<Zeroizing<[u8; 32]>> = match cred {
        Credential::RecoveryKey(k16) => Some(keys::recovery_initial(k16)),
        Credential::Password(pw) => Some(keys::password_initial(pw)),
        _ => None,
    };
    let mut tried = 0;
    for p in &candidates {
        let Some(wrapped) = &p.wrapped_vmk else {
            continue;
        };
        tried += 1;
        let wrapping: Option<Zeroizing<[u8; 32]>> = match (cred, &initial, p.salt) {
            (Credential::StartupKey(k), _, _) => Some(k.key.clone()),
            (Credential::ClearKey, _, _) => p
                .clear_key
                .as_ref()
                .and_then(|k| <[u8; 32]>::try_from(k.as_slice()).ok())
                .map(Zeroizing::new),
            (_, Some(init), Some(salt)) => Some(keys::stretch(init, &salt)),
            _ => None,
        };
        let Some(wk) = wrapping else { continue };
        if let Some(vmk) = keys::unwrap_vmk(&wk, wrapped) {
            return Attempt {
                opened: Some(Opened {
                    guid: p.guid,
                    kind: p.kind,
                    vmk,
                }),
                tried,
            };
        }
    }
    Attempt {
        opened: None,
        tried,
    }
}
