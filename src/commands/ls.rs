//! `ie-preflight ls`: list the first data volume like `fls -r -p` would.

use super::{fail, Exit};
use crate::cli::LsArgs;
use crate::layout;
use crate::ntfs_volume::{self, LsOptions, NtfsVolume};
use crate::pipeline::sector_size;
use crate::probe::{self, VolumeType};
use crate::source;
use std::io::{self, Write};

/// Exit 0 listed, 3 could not list (the error says why; under `--json`
/// also the error document, unless part of the listing was already written).
pub fn run(a: &LsArgs) -> Exit {
    if let Err(e) = super::keys::one_drive_only(&a.keys) {
        return super::fail(Exit::Usage, &e, a.json);
    }
    let listed = super::keys::credentials(&a.keys)
        .map_err(Failed::Before)
        .and_then(|c| list(a, &c));
    match listed {
        Ok(()) => Exit::Ready,
        Err(Failed::Before(msg)) => fail(Exit::Incomplete, &msg, a.json),
        Err(Failed::Writing(msg)) => fail(Exit::Incomplete, &msg, false),
    }
}

/// Why `ls` stopped: before anything was printed, or while printing.
enum Failed {
    Before(String),
    Writing(String),
}

impl From<String> for Failed {
    fn from(msg: String) -> Failed {
        Failed::Before(msg)
    }
}

fn list(a: &LsArgs, credentials: &crate::bitlocker::Credentials) -> Result<(), Failed> {
    let opened = source::open(&a.source).map_err(|e| e.to_string())?;
    let ss = sector_size(&opened, a.sector_size).bytes;
    let Some((chosen, vol)) =
        layout::first_data_volume_of(&opened.reader, ss).map_err(|e| e.to_string())?
    else {
        return Err(Failed::Before(format!(
            "{} has no data partition to list",
            a.source.display()
        )));
    };
    let mut kind = probe::probe(vol.as_ref()).map_err(|e| e.to_string())?;
    let mut vol = vol;
    if kind.is_bitlocker() {
        vol = unlock(vol, credentials, chosen.offset)?;
        kind = probe::probe(vol.as_ref()).map_err(|e| e.to_string())?;
    }
    if kind != VolumeType::Ntfs {
        return Err(Failed::Before(format!(
            "the first data volume (at byte {}) holds {}, not NTFS; `ls` lists NTFS volumes",
            chosen.offset,
            kind.describe()
        )));
    }
    let ntfs = NtfsVolume::open(vol)
        .map_err(|e| format!("cannot open the NTFS volume at byte {}: {e}", chosen.offset))?;
    let inv = ntfs
        .inventory()
        .map_err(|e| format!("cannot walk the NTFS volume at byte {}: {e}", chosen.offset))?;
    let opts = LsOptions { system: a.system };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let written = if a.json {
        write_json(&mut out, &inv, opts)
    } else {
        ntfs_volume::write_fls(&inv, opts, &mut out)
    };
    // A closed pipe (`| head`) is not an error worth reporting.
    match written.and_then(|_| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(Failed::Writing(format!("cannot write the listing: {e}")))
        }
        _ => Ok(()),
    }
}

/// The plain volume inside BitLocker, or why it cannot be opened (the
/// BitLocker findings' messages, e.g. "BitLocker key invalid: ...").
fn unlock(
    vol: source::SharedSource,
    creds: &crate::bitlocker::Credentials,
    at: u64,
) -> Result<source::SharedSource, String> {
    let a = crate::bitlocker::assess(vol, creds);
    match a.unlocked {
        Some(plain) => Ok(std::sync::Arc::new(plain)),
        None => {
            let why: Vec<String> = a
                .findings
                .iter()
                .filter(|f| f.severity != crate::report::Severity::Info)
                .map(|f| format!("{}: {}", f.predicts, f.message))
                .collect();
            Err(format!(
                "the first data volume (at byte {at}) is BitLocker and was not unlocked: {}",
                why.join("; ")
            ))
        }
    }
}

/// The `ls --json` document: one JSON document, streamed entry by entry so a
/// million files need no big buffer (public for the fuzz targets).
#[doc(hidden)]
pub fn write_json(
    out: &mut impl Write,
    inv: &ntfs_volume::Inventory,
    opts: LsOptions,
) -> io::Result<()> {
    write!(
        out,
        "{{\"schema\":\"{}\",\"entries\":[",
        crate::report::SCHEMA
    )?;
    for (i, e) in ntfs_volume::json_entries(inv, opts).enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, &e)?;
    }
    out.write_all(b"]}\n")
}
