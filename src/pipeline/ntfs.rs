//! The NTFS stage: the boot sector, and for import drives the MFT walk with
//! its consistency checks (a read-only chkdsk), then the content stage on
//! the walked volume.

use super::{content, ContentOptions, NtfsReport, State};
use crate::probe;
use crate::source::{ReadAt, ReadError};
use std::sync::Arc;

/// Boot sector (and, when `walk_it`, the MFT walk) of a volume that may be
/// NTFS; `None` when it has no NTFS boot sector at all.
pub(super) fn examine_plain(
    st: &mut State,
    vol: Arc<dyn ReadAt>,
    vol_start: u64,
    walk_it: bool,
    content: Option<&ContentOptions>,
) -> Result<Option<NtfsReport>, ReadError> {
    let boot = probe::ntfs_boot::check(vol.as_ref(), vol_start, &mut st.findings)?;
    let Some(b) = boot.boot else { return Ok(None) };
    // A volume that does not fit its partition is already a finding; walking it adds noise.
    let walk = walk_it && b.boot_sector == "primary" && b.volume_bytes() <= vol.len();
    let mut report = NtfsReport::from_boot(b);
    if walk {
        walk_volume(st, vol, &mut report, content);
    }
    Ok(Some(report))
}

/// Walk the MFT, run the consistency checks, then the content stage; the
/// inventory is kept for the rules stage.
fn walk_volume(
    st: &mut State,
    vol: Arc<dyn ReadAt>,
    report: &mut NtfsReport,
    content: Option<&ContentOptions>,
) {
    let analysis = crate::ntfs_volume::analyze(vol);
    if let Some(f) = &analysis.facts {
        report.add_facts(f);
    }
    st.findings.extend(analysis.findings);
    if let (Some(c), Some(v), Some(inv)) = (content, &analysis.volume, &analysis.inventory) {
        let out = content::run(v, inv, c, &mut st.findings);
        report.content = Some(out.report);
        st.blob_targets = out.blob_targets;
        st.free_runs = out.free_runs;
        st.hashes = out.hashes;
    }
    st.inventory = analysis.inventory;
}
