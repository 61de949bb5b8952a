//! What the report says about a BitLocker volume. Never holds a key.

use super::decrypt::Method;
use super::header::Variant;
use super::inner::InnerFs;
use super::protectors::{ProtectorFact, ProtectorKind};
use crate::guid::Guid;
use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct BitLockerFacts {
    /// `None` when the volume is not BitLocker at all.
    pub variant: Option<Variant>,
    /// True for the "EOW" identifier (encryption not finished).
    pub eow_identifier: bool,
    pub sector_size: u16,
    pub volume_size: u64,
    pub method: Option<Method>,
    /// The raw method code, also for unknown methods (e.g. `0x8004`).
    pub method_code: Option<String>,
    pub volume_guid: Option<Guid>,
    pub description: Option<String>,
    /// Creation time, UTC, ISO 8601.
    pub creation_time: Option<String>,
    pub state: Option<State>,
    pub encrypted_size: Option<u64>,
    pub protectors: Vec<ProtectorFact>,
    pub metadata_copies: Vec<CopyFact>,
    /// 1-based index of the copy the facts come from.
    pub metadata_copy_used: Option<usize>,
    /// Entries this reader does not understand (listed, skipped).
    pub unknown_entries: Vec<String>,
    /// One line per credential tried.
    pub unlock_attempts: Vec<UnlockFact>,
    /// The protector whose VMK decrypts the volume.
    pub opened_by: Option<OpenedBy>,
    /// True when a decrypted view is available.
    pub decrypted: bool,
    /// The file system found inside, when decrypted.
    pub inner: Option<InnerFs>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct State {
    pub current: u16,
    pub current_name: &'static str,
    pub next: u16,
    pub next_name: &'static str,
}

impl State {
    pub fn new(current: u16, next: u16) -> State {
        State {
            current,
            current_name: state_name(current),
            next,
            next_name: state_name(next),
        }
    }
}

pub fn state_name(v: u16) -> &'static str {
    match v {
        1 => "decrypted",
        2 => "conversion in progress",
        3 => "EOW activated",
        4 => "encrypted",
        5 => "conversion paused",
        _ => "unknown",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyFact {
    pub index: usize,
    pub offset: u64,
    pub ok: bool,
    /// Why the copy is not usable; empty when it is.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub problem: String,
    /// SHA-256 authentication under the VMK, when a VMK was found.
    pub authenticated: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnlockFact {
    pub credential: ProtectorKind,
    /// Protectors of that kind that were tried.
    pub protectors_tried: usize,
    pub opened: Option<Guid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenedBy {
    pub kind: ProtectorKind,
    pub guid: Guid,
}

/// FILETIME (100 ns since 1601-01-01 UTC) → `YYYY-MM-DDTHH:MM:SSZ`.
pub fn filetime_to_iso(ft: u64) -> String {
    let secs = ft / 10_000_000;
    let days = (secs / 86_400) as i64 - 134_774; // 1601-01-01 → 1970-01-01
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn filetime() {
        assert_eq!(super::filetime_to_iso(0), "1601-01-01T00:00:00Z");
        // 2019-07-04 12:00:00 UTC
        assert_eq!(
            super::filetime_to_iso(132_067_152_000_000_000),
            "2019-07-04T12:00:00Z"
        );
    }
}
