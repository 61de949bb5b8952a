//! Every file `check` (and `manifest --source`) writes, checked against the
//! sources and created in one go before anything is read (so two options
//! cannot name one file, and an unwritable directory is refused at once):
//! the inventories, the drive list, the HTML report.

use super::drive_list::{self, DriveListOutput};
use super::{note, warn};
use crate::cli::{ContentArgs, DriveListFormatArg, ShipArgs};
use crate::output::{self, OutputError, OutputRequest, PendingOutput};
use crate::pipeline::render::{HtmlDrive, RunInfo};
use crate::report::Verdict;
use crate::scan::{hashes::Inventory, FileHashLine};
use crate::source::SourceIdentity;
use std::path::Path;

/// The files being written.
#[derive(Default)]
pub(super) struct Outputs {
    /// The inventories, each with what it holds (one drive only).
    pub hashes: Vec<(PendingOutput, Inventory)>,
    pub drive_list: Option<DriveListOutput>,
    /// `--report FILE.html`.
    pub report: Option<PendingOutput>,
    /// When the command started (for the report).
    pub started: Option<std::time::SystemTime>,
}

/// What each requested file is.
enum Kind {
    Hashes(Inventory),
    DriveList(DriveListFormatArg, bool),
    Report,
}

fn requests<'a>(c: &'a ContentArgs, ship: Option<&'a ShipArgs>) -> Vec<(OutputRequest<'a>, Kind)> {
    let request = |option, path, mode| OutputRequest { option, path, mode };
    let mut out = Vec::new();
    if let Some(p) = c.hashes.as_deref() {
        out.push((
            request("--hashes", p, 0o644),
            Kind::Hashes(Inventory::Sha256),
        ));
    }
    if let Some(p) = c.hashes_md5.as_deref() {
        out.push((
            request("--hashes-md5", p, 0o644),
            Kind::Hashes(Inventory::Md5),
        ));
    }
    if let Some((s, p)) = ship.and_then(|s| Some((s, s.drive_list.as_deref()?))) {
        // Keys make the file a secret: readable by its owner only.
        let mode = if s.include_keys { 0o600 } else { 0o644 };
        out.push((
            request("--drive-list", p, mode),
            Kind::DriveList(s.drive_list_format, s.include_keys),
        ));
    }
    if let Some(p) = ship.and_then(|s| s.report.as_deref()) {
        out.push((request("--report", p, 0o644), Kind::Report));
    }
    out
}

/// Check the outputs against the sources and create them, before any reading.
pub(super) fn prepare(
    c: &ContentArgs,
    ship: Option<&ShipArgs>,
    sources: &[&Path],
) -> Result<Outputs, OutputError> {
    let (requests, kinds): (Vec<_>, Vec<_>) = requests(c, ship).into_iter().unzip();
    let ids: Vec<_> = sources.iter().map(|s| SourceIdentity::of(s)).collect();
    let pending = output::prepare(&requests, &ids, c.force)?;
    let mut out = Outputs {
        started: Some(std::time::SystemTime::now()),
        ..Outputs::default()
    };
    for (p, kind) in pending.into_iter().zip(kinds) {
        match kind {
            Kind::Hashes(inv) => out.hashes.push((p, inv)),
            Kind::DriveList(format, include_keys) => {
                out.drive_list = Some(DriveListOutput {
                    out: p,
                    format,
                    include_keys,
                })
            }
            Kind::Report => out.report = Some(p),
        }
    }
    Ok(out)
}

/// Write `w` into a prepared output and rename it into place.
pub(super) fn commit(
    p: PendingOutput,
    w: impl FnOnce(&mut std::io::BufWriter<&std::fs::File>) -> std::io::Result<()>,
) -> Result<(), String> {
    let final_path = p.path().to_path_buf();
    let mut bw = std::io::BufWriter::new(p.file());
    w(&mut bw)
        .and_then(|()| bw.into_inner().map(|_| ()).map_err(|e| e.into_error()))
        .and_then(|()| p.commit())
        .map_err(|e| format!("cannot write {}: {e}", final_path.display()))?;
    note(&format!("wrote {}", final_path.display()));
    Ok(())
}

/// Write the inventories from the scan's hashes and rename them into place.
/// No scan (no NTFS volume read): nothing is written, and stderr says so.
pub(super) fn write_hashes(
    hashes: Option<&[FileHashLine]>,
    outputs: Vec<(PendingOutput, Inventory)>,
) -> Result<(), String> {
    let Some(lines) = hashes else {
        for (p, _) in &outputs {
            let shown = p.path().display();
            warn(&format!(
                "{shown} not written: no file of the drive was read and hashed (see the report)"
            ));
        }
        return Ok(());
    };
    for (p, kind) in outputs {
        commit(p, |w| crate::scan::hashes::write_inventory(w, lines, kind))?;
    }
    Ok(())
}

/// Write every output after the check of one or more drives.
pub(super) fn write_after(
    outputs: Outputs,
    hashes: Option<&[FileHashLine]>,
    drives: &[drive_list::Drive<'_>],
    page: &[HtmlDrive<'_>],
    overall: Verdict,
) -> Result<(), String> {
    write_hashes(hashes, outputs.hashes)?;
    if let Some(d) = outputs.drive_list {
        drive_list::write(d, drives)?;
    }
    if let Some(p) = outputs.report {
        let run = run_info(outputs.started);
        let text = crate::pipeline::render::html(&run, page, overall);
        commit(p, |w| std::io::Write::write_all(w, text.as_bytes()))?;
    }
    Ok(())
}

/// The run, for the report: version, host, times, the command line with
/// the one option that carries a secret on it (`--recovery-key`) redacted.
fn run_info(started: Option<std::time::SystemTime>) -> RunInfo {
    let now = std::time::SystemTime::now();
    let time = |t: std::time::SystemTime| humantime::format_rfc3339_seconds(t).to_string();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown".into());
    RunInfo {
        tool_version: env!("CARGO_PKG_VERSION"),
        host,
        started: time(started.unwrap_or(now)),
        ended: time(now),
        command_line: redacted(std::env::args_os().map(|a| a.to_string_lossy().into_owned())),
    }
}

fn redacted(args: impl Iterator<Item = String>) -> String {
    let mut out = Vec::new();
    let mut hide_next = false;
    for a in args {
        if hide_next {
            out.push("(redacted)".to_string());
            hide_next = false;
        } else if a == "--recovery-key" {
            out.push(a);
            hide_next = true;
        } else if a.starts_with("--recovery-key=") {
            out.push("--recovery-key=(redacted)".into());
        } else {
            out.push(a);
        }
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_key_on_the_command_line_is_redacted() {
        let args = [
            "ie-preflight",
            "check",
            "a.img",
            "--recovery-key",
            "111111-2",
            "--recovery-key=3",
        ];
        let got = super::redacted(args.iter().map(|s| s.to_string()));
        assert_eq!(
            got,
            "ie-preflight check a.img --recovery-key (redacted) --recovery-key=(redacted)"
        );
    }
}
