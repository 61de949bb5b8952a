//! `ie-preflight blob-list LIST.xml [--inventory JSON...]`: an export blob
//! list validated, and with `--inventory`, what it selects resolved.

use super::file_report::finish;
use super::{fail, input, Exit};
use crate::bloblist::{self, inventory};
use crate::cli::BlobListArgs;
use crate::report::{DriveStatus, Finding};
use crate::sniff;
use std::path::PathBuf;

pub fn run(a: &BlobListArgs) -> Exit {
    let what = "an export blob list";
    let bytes = match input::read_bytes(
        &a.file,
        input::MAX_LIST_FILE,
        what,
        sniff::xml_of("BlobList"),
    ) {
        Ok(b) => b,
        Err(e) => return fail(Exit::Incomplete, &e, a.json),
    };
    let (mut findings, entries) = bloblist::parse_blob_list(&bytes);
    let mut per_file = Vec::new();
    let mut selection = None;
    if !a.inventory.is_empty() {
        let (sel, about_list, about_blobs) = match resolve(a, &bytes, &entries) {
            Ok(r) => r,
            Err(e) => return fail(Exit::Incomplete, &e, a.json),
        };
        findings.extend(about_list);
        let label = a
            .inventory
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        per_file.push((PathBuf::from(label), about_blobs));
        selection = Some(sel);
    }
    per_file.insert(0, (a.file.clone(), findings));
    finish(
        DriveStatus::ExportBlobListInvalid,
        per_file,
        selection.as_ref(),
        a.json,
        a.strict,
    )
}

/// What the list selects from the `--inventory` files: the selection, the
/// findings about the list's entries, and those about the blobs.
fn resolve(
    a: &BlobListArgs,
    list: &[u8],
    entries: &[bloblist::Entry],
) -> Result<(inventory::Selection, Vec<Finding>, Vec<Finding>), String> {
    let mut blobs = Vec::new();
    for f in &a.inventory {
        let text = input::read_any_text(f, input::MAX_LIST_FILE)?;
        let parsed = inventory::parse_inventory(&text, a.container.as_deref())
            .map_err(|e| format!("{}: {e}", f.display()))?;
        blobs.extend(parsed);
    }
    let body = crate::bytes::strip_utf8_bom(list);
    let list_text = String::from_utf8_lossy(body);
    let ix = bloblist::LineIndex::new(&list_text);
    let (sel, found) = inventory::resolve(entries, &blobs, a.drive_size, |e| ix.subject(e.pos));
    // Findings about entries stay with the list; those about blobs go under the inventory.
    let (about_list, about_blobs) = found
        .into_iter()
        .partition(|f| f.code == bloblist::codes::SELECTS_NOTHING);
    Ok((sel, about_list, about_blobs))
}
