//! BitLocker: detect it, check the FVE metadata, prove a credential opens the
//! volume, and present the decrypted volume as a [`ReadAt`](crate::source::ReadAt).
//! Format and key derivation: `docs/formats/bitlocker.md`.
//!
//! ```text
//! detect(vol)               cheap signature test for the volume probe
//! assess(vol, &credentials) metadata facts + findings + the decrypted view
//! ```

mod assess;
pub mod bek;
pub mod decrypt;
pub mod entries;
pub mod error;
pub mod facts;
pub(crate) mod findings;
pub mod header;
pub mod inner;
pub mod keys;
pub mod metadata;
pub mod protectors;

/// The stable finding codes of the BitLocker stage (`bitlocker.*`).
pub mod codes {
    crate::finding_codes! {
        NOT_FOUND = "bitlocker.not-found";
        NOT_ACTIVATED = "bitlocker.not-activated";
        PROTECTION_SUSPENDED = "bitlocker.protection-suspended";
        NO_RECOVERY_PROTECTOR = "bitlocker.no-recovery-protector";
        KEY_MALFORMED = "bitlocker.key-malformed";
        KEY_MISMATCH = "bitlocker.key-mismatch";
        KEY_UNUSED = "bitlocker.key-unused";
        NO_KEY = "bitlocker.no-key";
        UNSUPPORTED_METHOD = "bitlocker.unsupported-method";
        UNSUPPORTED_VARIANT = "bitlocker.unsupported-variant";
        METADATA_UNUSABLE = "bitlocker.metadata-unusable";
        UNLOCK_FAILED = "bitlocker.unlock-failed";
        METADATA_DAMAGED = "bitlocker.metadata-damaged";
        INNER_NOT_NTFS = "bitlocker.inner-not-ntfs";
        READ_ERROR = "bitlocker.read-error";
    }
}
#[cfg(test)]
mod testutil;
pub mod unlock;
pub mod view;

pub use assess::assess;
pub use error::Error;
pub use facts::BitLockerFacts;
pub use header::Variant;
pub use view::DecryptedVolume;

use crate::report::Finding;
use crate::source::{read_vec_if_inside, ReadAt};
use std::fmt;
use zeroize::Zeroizing;

/// Cheap test for the volume probe: is this a BitLocker volume, and which kind?
/// A To Go volume also needs an FVE block signature where its header points.
pub fn detect(vol: &dyn ReadAt) -> Option<Variant> {
    let s = read_vec_if_inside(vol, 0, 512).ok()??;
    let h = header::parse(&s, 512).ok()?;
    if h.variant == Variant::ToGo {
        let sig = read_vec_if_inside(vol, h.fve_offsets[0], 8).ok()??;
        if sig != header::FVE_SIGNATURE {
            return None;
        }
    }
    Some(h.variant)
}

/// What the user gave to open the volume. Secrets are zeroed on drop and never
/// printed (`Debug` shows only which are present).
#[derive(Default)]
pub struct Credentials {
    /// The 48-digit recovery password, as typed.
    pub recovery_password: Option<Zeroizing<String>>,
    /// A user password.
    pub password: Option<Zeroizing<String>>,
    /// The bytes of a `.BEK` startup key file.
    pub bek: Option<Zeroizing<Vec<u8>>>,
}

impl Credentials {
    pub fn none() -> Self {
        Self::default()
    }

    /// Was any key given?
    pub fn is_given(&self) -> bool {
        self.recovery_password.is_some() || self.password.is_some() || self.bek.is_some()
    }

    pub fn recovery_password(rp: &str) -> Self {
        Credentials {
            recovery_password: Some(Zeroizing::new(rp.to_string())),
            ..Self::default()
        }
    }

    pub fn password(pw: &str) -> Self {
        Credentials {
            password: Some(Zeroizing::new(pw.to_string())),
            ..Self::default()
        }
    }

    pub fn bek(bytes: Vec<u8>) -> Self {
        Credentials {
            bek: Some(Zeroizing::new(bytes)),
            ..Self::default()
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("recovery_password", &self.recovery_password.is_some())
            .field("password", &self.password.is_some())
            .field("bek", &self.bek.is_some())
            .finish()
    }
}

/// Everything the BitLocker stage found.
pub struct Assessment {
    pub facts: BitLockerFacts,
    pub findings: Vec<Finding>,
    /// The plain volume, when a credential (or the clear key) opened it and the
    /// volume is fully encrypted with a supported method.
    pub unlocked: Option<DecryptedVolume>,
}

impl fmt::Debug for Assessment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Assessment")
            .field("facts", &self.facts)
            .field("findings", &self.findings)
            .field("unlocked", &self.unlocked.is_some())
            .finish()
    }
}
