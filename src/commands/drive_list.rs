//! `check --drive-list FILE`: the job's drive list computed from the drives
//! themselves — each drive whose first volume holds a readable manifest gives
//! `driveId` (its serial), `manifestFile`, `manifestHash` (the MD5 of the
//! manifest as read on the drive) and, with `--include-keys` only, the
//! `bitLockerKey` that opened it. A hand-typed manifestHash is a "Manifest
//! file error" at the datacenter weeks later; this one is what the drive holds.
//! Shapes: the REST `driveList` array (`classic`), or the Data Box
//! `importDiskDetailsCollection` map keyed by serial (`databox`).

use super::{note, outputs, warn};
use crate::cli::DriveListFormatArg;
use crate::output::PendingOutput;
use crate::pipeline::CheckReport;
use crate::report::{DriveStatus, RowResult};
use serde::Serialize;
use std::collections::BTreeMap;
use zeroize::Zeroizing;

pub(super) struct DriveListOutput {
    pub out: PendingOutput,
    pub format: DriveListFormatArg,
    pub include_keys: bool,
}

/// One checked drive, as the drive list sees it.
pub(super) struct Drive<'a> {
    /// The serial the job will name it by (`--drive-id`, `SERIAL=`, the device's).
    pub serial: Option<String>,
    pub source: &'a str,
    pub report: Option<&'a CheckReport>,
    /// The recovery password given for it, if any.
    pub key: Option<Zeroizing<String>>,
}

/// A REST `driveList` entry.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClassicEntry<'a> {
    drive_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    bit_locker_key: Option<&'a str>,
    manifest_file: &'a str,
    manifest_hash: &'a str,
}

/// A Data Box `importDiskDetailsCollection` value.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DataBoxEntry<'a> {
    manifest_file: &'a str,
    manifest_hash: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    bit_locker_key: Option<&'a str>,
}

/// What one drive contributes: serial, manifest path, manifest MD5, key.
struct Entry<'a> {
    serial: &'a str,
    manifest_file: &'a str,
    manifest_hash: &'a str,
    key: Option<&'a str>,
}

/// The entry of a drive, or why it has none (said on stderr).
fn entry<'a>(d: &'a Drive<'a>, include_keys: bool) -> Result<Entry<'a>, String> {
    let r = d.report.ok_or("it could not be checked")?;
    let m = r
        .content()
        .and_then(|c| c.manifest.as_ref())
        .filter(|m| m.found);
    let (m, md5) = match m.and_then(|m| Some((m, m.md5.as_deref()?))) {
        Some(x) => x,
        None => return Err("its first volume holds no readable drive manifest".into()),
    };
    let serial = d
        .serial
        .as_deref()
        .ok_or("its serial is not known (give --drive-id, or SERIAL=IMAGE)")?;
    let key = if include_keys {
        unlocking_key(d, r)
    } else {
        None
    };
    Ok(Entry {
        serial,
        manifest_file: &m.path,
        manifest_hash: md5,
        key,
    })
}

/// The recovery password, only when it is what opened the volume.
fn unlocking_key<'a>(d: &'a Drive<'a>, r: &CheckReport) -> Option<&'a str> {
    let opened = r.volume.as_ref().and_then(|v| v.inner_type.as_deref()) != Some("locked")
        && r.outcome.checklist.iter().any(|row| {
            row.status == DriveStatus::BitLockerKeyInvalid && row.result == RowResult::Pass
        });
    let key = d.key.as_ref().map(|k| k.as_str());
    if key.is_some() && !opened {
        warn(&format!(
            "{}: the key given did not open the volume, so it is not in the drive list",
            d.source
        ));
    }
    key.filter(|_| opened)
}

/// Write the drive list of `drives`; the drives left out are named on stderr.
pub(super) fn write(o: DriveListOutput, drives: &[Drive<'_>]) -> Result<(), String> {
    let mut entries = Vec::new();
    for d in drives {
        match entry(d, o.include_keys) {
            Ok(e) => entries.push(e),
            Err(why) => warn(&format!("{} is not in the drive list: {why}", d.source)),
        }
    }
    let text = match o.format {
        DriveListFormatArg::Classic => {
            let list: Vec<ClassicEntry> = entries
                .iter()
                .map(|e| ClassicEntry {
                    drive_id: e.serial,
                    bit_locker_key: e.key,
                    manifest_file: e.manifest_file,
                    manifest_hash: e.manifest_hash,
                })
                .collect();
            serde_json::to_string_pretty(&list)
        }
        DriveListFormatArg::Databox => {
            let map: BTreeMap<&str, DataBoxEntry> = entries
                .iter()
                .map(|e| {
                    let v = DataBoxEntry {
                        manifest_file: e.manifest_file,
                        manifest_hash: e.manifest_hash,
                        bit_locker_key: e.key,
                    };
                    (e.serial, v)
                })
                .collect();
            serde_json::to_string_pretty(&map)
        }
    }
    .map_err(|e| e.to_string())?;
    let text = Zeroizing::new(text + "\n");
    if entries.iter().any(|e| e.key.is_some()) {
        note("the drive list holds BitLocker keys: keep it secret (it was created readable by you only)");
    }
    outputs::commit(o.out, |w| std::io::Write::write_all(w, text.as_bytes()))
}
