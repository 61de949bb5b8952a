//! The BitLocker stage: metadata → protectors → credentials → VMK → metadata
//! authentication → FVEK → decrypted view, with the findings of issue 6.

use super::decrypt::{Method, SectorCipher};
use super::facts::{filetime_to_iso, CopyFact, OpenedBy, State, UnlockFact};
use super::findings::{self as f, SUBJECT};
use super::header::{self, Variant, VolumeHeader};
use super::metadata::{self, MetadataCopy};
use super::protectors::{self, Protector, ProtectorKind};
use super::unlock::{try_credential, Credential, Opened};
use super::view::{DecryptedVolume, Layout};
use super::{bek, entries, inner, keys, Assessment, BitLockerFacts, Credentials};
use crate::bitlocker::codes;
use crate::recovery_password;
use crate::report::{DriveStatus, Finding};
use crate::source::{read_vec_if_inside, ReadAt};
use std::sync::Arc;
use zeroize::Zeroizing;

/// Assess the BitLocker volume `vol` (a partition) with the credentials given.
pub fn assess(vol: Arc<dyn ReadAt>, creds: &Credentials) -> Assessment {
    let mut a = Assessment {
        facts: BitLockerFacts {
            volume_size: vol.len(),
            ..BitLockerFacts::default()
        },
        findings: Vec::new(),
        unlocked: None,
    };
    run(&mut a, vol, creds);
    let copies = &a.facts.metadata_copies;
    let bad: Vec<String> = copies
        .iter()
        .filter(|c| !c.ok)
        .map(|c| format!("copy {} at byte {}: {}", c.index, c.offset, c.problem))
        .collect();
    if !bad.is_empty() && bad.len() < copies.len() {
        a.findings.push(f::metadata_damaged(&bad));
    }
    a
}

/// The stages in order; each returns early, with its finding, when the next
/// one cannot run.
fn run(a: &mut Assessment, vol: Arc<dyn ReadAt>, creds: &Credentials) {
    let Some(hdr) = read_header(a, &*vol) else {
        return;
    };
    a.facts.variant = Some(hdr.variant);
    a.facts.eow_identifier = hdr.eow;
    a.facts.sector_size = hdr.bytes_per_sector;

    let offsets = metadata::copy_offsets(&*vol, hdr.fve_offsets);
    let good = read_metadata_copies(a, &*vol, offsets);
    let Some(first) = good.first() else {
        return a.findings.push(f::metadata_unusable(&problems(a)));
    };
    fill_facts(&mut a.facts, first);
    let protectors = protectors::list(&first.entries);
    a.facts.protectors = protectors.iter().map(Protector::fact).collect();
    let activation = activation_problem(&hdr, first);
    let method = Method::from_code(first.header.method);
    configuration_findings(a, &protectors, activation.as_deref(), first.header.method);

    let opened = try_credentials(a, &protectors, creds, first.header.volume_guid);
    if creds.recovery_password.is_none() {
        let other = opened.as_ref().map(|o| o.kind.describe());
        a.findings.push(f::no_key(other));
    }
    let Some(opened) = opened else { return };
    a.facts.opened_by = Some(OpenedBy {
        kind: opened.kind,
        guid: opened.guid,
    });
    let Some(used) = authenticate_copies(a, &good, &opened) else {
        return a.findings.push(f::metadata_unusable(&problems(a)));
    };
    if used.index != first.index {
        fill_facts(&mut a.facts, used);
    }
    let (Some(method), None) = (method, &activation) else {
        return;
    };
    if hdr.variant == Variant::Vista {
        return a.findings.push(f::unsupported_variant(
            "Windows Vista BitLocker: the key was checked, but decryption is not supported",
        ));
    }
    match decrypted_view(vol, &hdr, used, offsets, method, &opened) {
        Ok(view) => {
            let fs = inner::sniff(&view);
            if let Some(fs) = &fs {
                if fs.fs_type != "NTFS" {
                    a.findings.push(f::inner_not_ntfs(fs.fs_type));
                }
            }
            a.facts.inner = fs;
            a.facts.decrypted = true;
            a.unlocked = Some(view);
        }
        Err(why) => a.findings.push(f::unlock_failed(&why)),
    }
}

/// The volume header in sector 0; `None` (with a finding) when the sector
/// cannot be read or is no BitLocker header, naming the plain file system it
/// holds when it is one.
fn read_header(a: &mut Assessment, vol: &dyn ReadAt) -> Option<VolumeHeader> {
    let sector0 = match read_vec_if_inside(vol, 0, 512) {
        Ok(Some(s)) => s,
        Ok(None) => {
            a.findings.push(f::not_found("smaller than one sector"));
            return None;
        }
        Err(e) => {
            a.findings.push(Finding::error(
                codes::READ_ERROR,
                DriveStatus::HardwareError,
                SUBJECT,
                e.to_string(),
            ));
            return None;
        }
    };
    match header::parse(&sector0, 512) {
        Ok(h) => Some(h),
        Err(e) => {
            let what = match inner::sniff(&sector0) {
                Some(fs) if fs.fs_type != "unknown" => format!("it is plain {}", fs.fs_type),
                _ => e.to_string(),
            };
            a.findings.push(f::not_found(&what));
            None
        }
    }
}

/// Read the metadata copies at `offsets`, noting each in the facts; the ones
/// that pass their checks, in order.
fn read_metadata_copies(
    a: &mut Assessment,
    vol: &dyn ReadAt,
    offsets: [u64; 3],
) -> Vec<MetadataCopy> {
    let mut good: Vec<MetadataCopy> = Vec::new();
    for (i, (offset, res)) in metadata::read_all(vol, offsets).into_iter().enumerate() {
        let (ok, problem) = match res {
            Ok(c) => {
                good.push(c);
                (true, String::new())
            }
            Err(e) => (false, e.to_string()),
        };
        a.facts.metadata_copies.push(CopyFact {
            index: i + 1,
            offset,
            ok,
            problem,
            authenticated: None,
        });
    }
    good
}

/// Findings on how the volume is set up, before any key is tried: not fully
/// encrypted, an unknown method, no recovery password protector, protection
/// suspended.
fn configuration_findings(
    a: &mut Assessment,
    protectors: &[Protector],
    activation: Option<&str>,
    method_code: u16,
) {
    if let Some(d) = activation {
        a.findings.push(f::not_activated(d));
    }
    if Method::from_code(method_code).is_none() {
        a.findings.push(f::unsupported_method(method_code));
    }
    if !has(protectors, ProtectorKind::RecoveryPassword) {
        a.findings.push(f::no_recovery_protector());
    }
    if has(protectors, ProtectorKind::ClearKey) {
        a.findings.push(f::protection_suspended());
    }
}

/// SHA-256 authentication of every CRC-valid copy under the VMK, noted in the
/// facts; the first copy not found forged, which is the one used.
fn authenticate_copies<'g>(
    a: &mut Assessment,
    good: &'g [MetadataCopy],
    opened: &Opened,
) -> Option<&'g MetadataCopy> {
    let mut used: Option<&MetadataCopy> = None;
    for c in good {
        let auth = keys::authenticate(&opened.vmk, c);
        if let Some(fact) = a.facts.metadata_copies.get_mut(c.index - 1) {
            fact.authenticated = auth;
            if auth == Some(false) {
                fact.ok = false;
                fact.problem = "SHA-256 authentication under the VMK failed".into();
            }
        }
        if auth != Some(false) && used.is_none() {
            used = Some(c);
        }
    }
    used
}

fn problems(a: &Assessment) -> Vec<String> {
    a.facts
        .metadata_copies
        .iter()
        .map(|c| format!("copy {}: {}", c.index, c.problem))
        .collect()
}

fn has(ps: &[Protector], kind: ProtectorKind) -> bool {
    ps.iter().any(|p| p.kind == kind)
}

fn fill_facts(facts: &mut BitLockerFacts, c: &MetadataCopy) {
    facts.metadata_copy_used = Some(c.index);
    facts.method = Method::from_code(c.header.method);
    facts.method_code = Some(format!("{:#06x}", c.header.method));
    facts.volume_guid = Some(c.header.volume_guid);
    facts.description = c.description();
    facts.creation_time = Some(filetime_to_iso(c.header.creation_time));
    facts.state = Some(State::new(c.block.current_state, c.block.next_state));
    facts.encrypted_size = Some(c.block.encrypted_size);
    facts.unknown_entries = entries::unknown_entries(&c.entries);
}

fn activation_problem(hdr: &VolumeHeader, c: &MetadataCopy) -> Option<String> {
    let b = &c.block;
    let state = format!(
        "conversion state '{}' → '{}', {} bytes encrypted",
        super::facts::state_name(b.current_state),
        super::facts::state_name(b.next_state),
        b.encrypted_size
    );
    if hdr.eow {
        Some(format!(
            "the volume carries the EOW identifier (encryption of used space not finished; {state}); it is not decrypted"
        ))
    } else if b.current_state != 4 || b.next_state != 4 {
        Some(format!("{state}; the volume is not decrypted"))
    } else {
        None
    }
}

/// Try every credential given (and the clear key); the first that opens a
/// protector supplies the VMK.
fn try_credentials(
    a: &mut Assessment,
    protectors: &[Protector],
    creds: &Credentials,
    volume_guid: crate::guid::Guid,
) -> Option<Opened> {
    let mut chosen: Option<Opened> = None;
    let mut record = |a: &mut Assessment, cred: Credential<'_>, name: &str| {
        let attempt = try_credential(protectors, &cred);
        a.facts.unlock_attempts.push(UnlockFact {
            credential: cred.kind(),
            protectors_tried: attempt.tried,
            opened: attempt.opened.as_ref().map(|o| o.guid),
        });
        match attempt.opened {
            None if !matches!(cred, Credential::ClearKey) => {
                a.findings.push(f::key_mismatch(name, attempt.tried))
            }
            Some(o) if chosen.is_none() => chosen = Some(o),
            _ => {}
        }
    };
    if let Some(rp) = &creds.recovery_password {
        match recovery_password::parse(rp) {
            Err(e) => a.findings.push(f::key_malformed(&e.to_string())),
            Ok(k16) => {
                let k16 = Zeroizing::new(k16);
                record(a, Credential::RecoveryKey(&k16), "recovery password");
            }
        }
    }
    if let Some(pw) = &creds.password {
        record(a, Credential::Password(pw), "password");
    }
    if let Some(bytes) = &creds.bek {
        match bek::parse(bytes) {
            Err(e) => a.findings.push(f::key_malformed(&e.to_string())),
            Ok(sk) if sk.volume_guid.is_some_and(|g| g != volume_guid) => a
                .findings
                .push(f::key_mismatch("startup key (made for another volume)", 0)),
            Ok(sk) => record(a, Credential::StartupKey(&sk), "startup key"),
        }
    }
    if has(protectors, ProtectorKind::ClearKey) {
        record(a, Credential::ClearKey, "clear key");
    }
    chosen
}

fn decrypted_view(
    vol: Arc<dyn ReadAt>,
    hdr: &VolumeHeader,
    used: &MetadataCopy,
    offsets: [u64; 3],
    method: Method,
    opened: &Opened,
) -> Result<DecryptedVolume, String> {
    let fvek = keys::unwrap_fvek(&opened.vmk, used).map_err(|e| e.to_string())?;
    if fvek.method != method.code() {
        return Err(format!(
            "the FVEK is for method {:#06x}, the volume says {:#06x}",
            fvek.method,
            method.code()
        ));
    }
    let cipher = SectorCipher::new(method, &fvek.key).ok_or_else(|| {
        format!(
            "the FVEK holds {} key bytes, {method:?} needs {}",
            fvek.key.len(),
            method.fvek_len()
        )
    })?;
    let ss = u64::from(hdr.bytes_per_sector);
    let reloc = used
        .relocated_region(ss)
        .ok_or("the relocated boot sectors overflow")?;
    let layout = Layout::new(ss, vol.len(), used.block.encrypted_size, reloc, offsets)
        .map_err(|e| e.to_string())?;
    Ok(DecryptedVolume::new(vol, cipher, layout))
}
