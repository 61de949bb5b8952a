//! The Azure rules inside `check`: every file of the drive's NTFS
//! inventory and/or of a local staging folder is mapped to its destination
//! (`--dest`/`--blob-type`/`--files`, or each row of a v2 `--dataset`) and
//! judged by [`crate::azure::Judge`]. Without a destination option, an import
//! drive's own manifest gives each file's destination: every `<Blob>`'s
//! `BlobPath` is judged with its `FilePath` as the subject ([`judge_manifest`]).
//!
//! [`stage`] runs last in [`super::run`], on the inventory the NTFS walk kept:
//! it adds its findings and fills the "Unsupported data" and "Data copy
//! completed with warnings" rows. [`run_local`] checks a local folder without
//! a drive. [`items`] judges entries under a destination or a dataset,
//! [`manifest`] the drive manifest's `BlobPath`s.

mod items;
mod local;
mod manifest;

pub use items::{items_from_inventory, judge_items, Item};
pub use local::{run_local, LocalReport};
pub use manifest::judge_manifest;

use super::JobType;
use crate::azure::dataset::DatasetRow;
use crate::azure::{Destination, RulesReport};
use crate::manifest::BlobTarget;
use crate::ntfs_volume::Inventory;
use crate::report::{Checklist, DriveStatus, Finding};
use serde::Serialize;
use std::path::PathBuf;

/// Code of a dataset row whose `BasePath` is not on the drive / in the folder.
pub const DATASET_PATH_MISSING: &str = "azure.dataset-path-missing";

/// Why the rule rows are not checked when no destination is given.
pub const NO_DESTINATION: &str = "give --dest, --dataset or --files";

/// Why a drive's rule rows are not checked: no destination and no manifest.
pub const NO_DESTINATION_OR_MANIFEST: &str =
    "give --dest, --dataset or --files (the drive has no readable manifest whose BlobPaths could be judged)";

/// `destination` of the run that judges the drive manifest's `BlobPath`s.
pub const MANIFEST_DESTINATION: &str = "each Blob's BlobPath in the drive manifest";

/// Where the data goes.
#[derive(Debug, Clone, Default)]
pub enum Mode {
    /// No destination given: the rules do not run.
    #[default]
    None,
    /// `--dest` / `--blob-type` / `--files`: one destination for everything.
    Dest(Destination),
    /// `--dataset`: each row's `BasePath` to its own destination.
    Dataset(Vec<DatasetRow>),
    /// `--dest-from-manifest`: each drive manifest `Blob`'s `BlobPath` (also
    /// what [`Mode::None`] does when the content stage parsed a manifest).
    Manifest,
}

#[derive(Debug, Clone, Default)]
pub struct RulesOptions {
    pub mode: Mode,
    /// What validating the `--dataset` CSV itself found (subjects name the file).
    pub dataset_findings: Vec<Finding>,
    /// `--source-dir`: a local staging folder to judge too (or instead of a drive).
    pub source_dir: Option<PathBuf>,
}

/// One source judged under one destination (`rules` in JSON).
#[derive(Debug, Clone, Serialize)]
pub struct RulesRun {
    /// `drive` or the local folder's path.
    pub source: String,
    /// The dataset row this run is for (`--dataset`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset_line: Option<usize>,
    /// The folder or file judged, relative to the source (`""` = all of it).
    pub base_path: String,
    /// `container/prefix/`, or `each top-level folder`.
    pub destination: String,
    /// `blob (v2 default: .vhd/.vhdx as page blobs)`, `block blob`, `page blob`,
    /// `azure files`, or `blob (type from the manifest)`.
    pub target: &'static str,
    #[serde(flatten)]
    pub report: RulesReport,
}

pub(super) fn set_both(list: &mut Checklist, f: impl Fn(&mut Checklist, DriveStatus)) {
    f(list, DriveStatus::UnsupportedData);
    f(list, DriveStatus::CopiedWithWarnings);
}

/// Run the rules over the drive's inventory (kept by the NTFS walk) and the
/// `--source-dir` folder: their findings go to `findings`, the coverage of the
/// two rule rows to `list`; returns what each source/destination pair found.
pub fn stage(
    inventory: Option<&Inventory>,
    manifest: Option<&[BlobTarget]>,
    job_type: JobType,
    opts: &RulesOptions,
    findings: &mut Vec<Finding>,
    list: &mut Checklist,
) -> Vec<RulesRun> {
    let mut runs = Vec::new();
    findings.extend(opts.dataset_findings.iter().cloned());
    let from_manifest = match opts.mode {
        Mode::Manifest => true,
        Mode::None => manifest.is_some() && job_type == JobType::Import,
        Mode::Dest(_) | Mode::Dataset(_) => false,
    };
    if from_manifest {
        if job_type == JobType::Export {
            set_both(list, |l, s| {
                l.not_applicable(s, "export drives are written by the service")
            });
        } else if let Some(targets) = manifest {
            set_both(list, |l, s| l.checked(s));
            let run = judge_manifest(targets, inventory);
            findings.extend(run.report.findings.iter().cloned());
            runs.push(run);
        } else {
            let why = "--dest-from-manifest: no drive manifest was read from the drive (see the manifest findings), so no BlobPath was judged";
            set_both(list, |l, s| l.blocked(s, why));
        }
        if let Some(dir) = &opts.source_dir {
            list.incomplete(format!(
                "{}: a local folder has no manifest; give --dest, --files or --dataset to judge it",
                dir.display()
            ));
        }
        return runs;
    }
    if matches!(opts.mode, Mode::None) {
        set_both(list, |l, s| l.not_checked(s, NO_DESTINATION_OR_MANIFEST));
    } else if job_type == JobType::Export && opts.source_dir.is_none() {
        set_both(list, |l, s| {
            l.not_applicable(s, "export drives are written by the service")
        });
    } else {
        set_both(list, |l, s| l.checked(s));
        match (inventory, job_type) {
            (Some(inv), JobType::Import) => {
                let items = items_from_inventory(inv);
                let (r, found) = judge_items(&items, "drive", "", &opts.mode);
                runs.extend(r);
                findings.extend(found);
            }
            (_, JobType::Export) => {}
            (None, JobType::Import) => {
                let why = "the drive's NTFS volume was not walked (see above), so its files were not judged";
                set_both(list, |l, s| l.blocked(s, why));
            }
        }
    }
    if let Some(dir) = &opts.source_dir {
        match local::judge_local(dir, &opts.mode) {
            Ok((r, found)) => {
                runs.extend(r);
                findings.extend(found);
            }
            Err(e) => {
                let why = format!("the local folder was not checked: {e}");
                set_both(list, |l, s| l.blocked(s, why.clone()));
            }
        }
    }
    runs
}

#[cfg(test)]
mod tests;
