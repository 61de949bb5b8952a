//! The Azure rules inside `check`: every file of the drive's NTFS
//! inventory and/or of a local staging folder is mapped to its destination
//! (`--dest`/`--blob-type`/`--files`, or each row of a v2 `--dataset`) and
//! judged by [`crate::azure::Judge`]. Without a destination option, an import
//! drive's own manifest gives each file's destination: every `<Blob>`'s
//! `BlobPath` is judged with its `FilePath` as the subject ([`judge_manifest`]).
//!
//! Runs after [`super::run`]: [`apply`] takes the inventory the NTFS walk kept,
//! adds its findings and fills the "Unsupported data" and "Data copy completed
//! with warnings" rows. [`run_local`] checks a local folder without a drive.

use super::JobType;
use crate::azure::dataset::DatasetRow;
use crate::azure::local::walk_local;
use crate::azure::{
    judge_entries, Collisions, Destination, EntryRef, Judge, Mapped, ObjectKind, RulesReport,
    Target, FIRST_N,
};
use crate::manifest::{normalize_path, BlobKind, BlobTarget};
use crate::ntfs_volume::Inventory;
use crate::report::{Checklist, DriveStatus, Finding, Outcome, SCHEMA};
use serde::Serialize;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Code of a dataset row whose `BasePath` is not on the drive / in the folder.
pub const DATASET_PATH_MISSING: &str = "azure.dataset-path-missing";

/// Why the rule rows are not checked when no destination is given.
pub const NO_DESTINATION: &str = "give --dest, --dataset or --files";

/// Why a drive's rule rows are not checked: no destination and no manifest.
pub const NO_DESTINATION_OR_MANIFEST: &str =
    "give --dest, --dataset or --files (the drive has no readable manifest whose BlobPaths could be judged)";

/// `destination` of the run that judges the drive manifest's `BlobPath`s.
pub const MANIFEST_DESTINATION: &str = "each Blob's BlobPath in the drive manifest";

/// The NTFS walk's inventory, carried in the report (never serialized).
#[derive(Default)]
pub struct HeldInventory(pub Option<Inventory>);

impl std::fmt::Debug for HeldInventory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(inv) => write!(f, "Inventory({} entries)", inv.len()),
            None => f.write_str("None"),
        }
    }
}

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

/// One entry with an owned path (from the NTFS inventory or a local folder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub path: String,
    pub is_dir: bool,
    pub size: u64,
    pub is_reparse_point: bool,
    pub is_encrypted: bool,
}

impl Item {
    fn as_entry(&self) -> EntryRef<'_> {
        EntryRef {
            path: &self.path,
            is_dir: self.is_dir,
            size: self.size,
            is_reparse_point: self.is_reparse_point,
            is_encrypted: self.is_encrypted,
        }
    }
}

/// The inventory as rule entries: NTFS metadata files and Windows' own root
/// folders skipped; reparse points and EFS from the MFT flags.
pub fn items_from_inventory(inv: &Inventory) -> Vec<Item> {
    (0..inv.len())
        .filter(|&i| !inv.is_system(i))
        .filter_map(|i| {
            let info = inv.info(i);
            if info.path.is_empty() || crate::ntfs_volume::in_windows_root_folder(&info.path) {
                return None;
            }
            Some(Item {
                is_dir: info.is_dir,
                size: if info.is_dir { 0 } else { info.size },
                is_reparse_point: info.reparse_tag.is_some(),
                is_encrypted: info.encrypted,
                path: info.path,
            })
        })
        .collect()
}

fn describe(dest: &Destination) -> (String, &'static str) {
    let where_ = match dest.container() {
        Some(c) => format!("{c}/{}", dest.prefix()),
        None => "each top-level folder".to_string(),
    };
    let target = match dest.target() {
        Target::Files => "azure files",
        Target::Blob(None) => "blob (v2 default: .vhd/.vhdx as page blobs)",
        Target::Blob(Some(crate::azure::BlobType::Block)) => "block blob",
        Target::Blob(Some(crate::azure::BlobType::Page)) => "page blob",
    };
    (where_, target)
}

/// `F:\dir\sub\` → `dir/sub`; `None` for a UNC path (not on a drive).
fn volume_relative(base_path: &str) -> Option<String> {
    let b = base_path.as_bytes();
    let rest = if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        &base_path[2..]
    } else {
        return None;
    };
    let rel = rest.replace('\\', "/");
    Some(rel.trim_matches('/').to_string())
}

/// `path` below `dir` (case-insensitive, as Windows paths are), relative to it.
fn below<'p>(path: &'p str, dir: &str) -> Option<&'p str> {
    if dir.is_empty() {
        return Some(path);
    }
    let head = path.get(..dir.len())?;
    if !head.eq_ignore_ascii_case(dir) && head.to_lowercase() != dir.to_lowercase() {
        return None;
    }
    path[dir.len()..].strip_prefix('/')
}

fn same_path(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase()
}

/// Judge `items` (from `source`) under the mode; returns the runs and the
/// findings to add (first ones per code, subjects prefixed with `subject_prefix`).
pub fn judge_items(
    items: &[Item],
    source: &str,
    subject_prefix: &str,
    mode: &Mode,
) -> (Vec<RulesRun>, Vec<Finding>) {
    let mut runs = Vec::new();
    let mut findings = Vec::new();
    let mut push = |run: RulesRun, findings: &mut Vec<Finding>| {
        findings.extend(run.report.findings.iter().cloned().map(|mut f| {
            f.subject = format!("{subject_prefix}{}", f.subject);
            f
        }));
        runs.push(run);
    };
    match mode {
        Mode::None | Mode::Manifest => {}
        Mode::Dest(dest) => {
            let (destination, target) = describe(dest);
            let report = judge_entries(items.iter().map(Item::as_entry), dest);
            push(
                RulesRun {
                    source: source.to_string(),
                    dataset_line: None,
                    base_path: String::new(),
                    destination,
                    target,
                    report,
                },
                &mut findings,
            );
        }
        Mode::Dataset(rows) => {
            // Each row is judged on its own; the container limit is for all of them.
            let dests = || {
                rows.iter().filter_map(|r| {
                    r.destination
                        .as_ref()
                        .or(r.file_destination.as_ref().map(|(d, _)| d))
                })
            };
            let containers: std::collections::HashSet<&str> =
                dests().filter_map(Destination::container).collect();
            findings.extend(
                crate::azure::rules::too_many_containers(containers.len() as u64)
                    .into_iter()
                    .map(|mut f| {
                        f.subject = format!("{subject_prefix}dataset destinations");
                        f
                    }),
            );
            // Rows writing into one container/share collide with each other
            // too (a dataset is all blobs or all Azure Files).
            let files = dests().any(|d| d.target() == Target::Files);
            let mut across = Collisions::across_groups(files);
            for row in rows {
                let subject = format!("{source}: dataset line {}", row.line);
                let Some(rel) = volume_relative(&row.base_path) else {
                    findings.push(missing(
                        subject,
                        format!(
                            "BasePath {} is not on a drive letter, so it was not checked here",
                            row.base_path
                        ),
                    ));
                    continue;
                };
                let run = if let Some(dest) = &row.destination {
                    // A folder row: everything below it, relative to it.
                    let found = rel.is_empty()
                        || items.iter().any(|i| i.is_dir && same_path(&i.path, &rel));
                    if !found {
                        findings.push(missing_path(subject, &row.base_path, source));
                        continue;
                    }
                    let mut judge = Judge::new(dest, FIRST_N);
                    if files {
                        prefix_folders(dest, row.line, &mut across, &mut judge);
                    }
                    for i in items {
                        let Some(p) = below(&i.path, &rel) else {
                            continue;
                        };
                        let e = EntryRef {
                            path: p,
                            ..i.as_entry()
                        };
                        let m = dest.map(&e);
                        // Reparse points and EFS files are not imported: they take no name.
                        let imported = !(i.is_reparse_point || (i.is_encrypted && !i.is_dir));
                        if let (Some(m), true) = (&m, imported) {
                            judge.report(p, across.check(m, &i.path, i.is_dir, row.line));
                        }
                        // `azure.long-path` counts from the drive root, not from BasePath.
                        judge.entry(e, m, &i.path);
                    }
                    let (destination, target) = describe(dest);
                    RulesRun {
                        source: source.to_string(),
                        dataset_line: Some(row.line),
                        base_path: rel,
                        destination,
                        target,
                        report: judge.finish(),
                    }
                } else if let Some((dest, name)) = &row.file_destination {
                    let Some(item) = items.iter().find(|i| !i.is_dir && same_path(&i.path, &rel))
                    else {
                        findings.push(missing_path(subject, &row.base_path, source));
                        continue;
                    };
                    // Judged under the name it gets: `dest` + `name`.
                    let one = EntryRef {
                        path: name,
                        ..item.as_entry()
                    };
                    let mut judge = Judge::new(dest, FIRST_N);
                    if files {
                        prefix_folders(dest, row.line, &mut across, &mut judge);
                    }
                    let m = dest.map(&one);
                    let imported = !(item.is_reparse_point || item.is_encrypted);
                    if let (Some(m), true) = (&m, imported) {
                        judge.report(name, across.check(m, &item.path, false, row.line));
                    }
                    judge.entry(one, m, &item.path);
                    let (destination, target) = describe(dest);
                    RulesRun {
                        source: source.to_string(),
                        dataset_line: Some(row.line),
                        base_path: rel,
                        destination: format!("{destination}{name}"),
                        target,
                        report: judge.finish(),
                    }
                } else {
                    continue; // an invalid destination: a dataset finding already
                };
                push(run, &mut findings);
            }
        }
    }
    (runs, findings)
}

/// The folders a row's destination prefix makes in its share (`share/a/b/`:
/// `a` and `a/b`): a file of another row with one of these names collides.
fn prefix_folders(dest: &Destination, line: usize, across: &mut Collisions, judge: &mut Judge) {
    let Some(container) = dest.container() else {
        return;
    };
    let prefix = dest.prefix().trim_end_matches('/');
    if prefix.is_empty() {
        return;
    }
    let mut end = 0;
    for seg in prefix.split('/') {
        end += seg.len();
        let name = &prefix[..end];
        end += 1;
        let m = Mapped {
            container: container.to_string(),
            name: name.to_string(),
            kind: ObjectKind::Directory,
        };
        let subject = format!("destination prefix {name}/");
        let label = format!("{container}/{name}/ (destination prefix)");
        judge.report(&subject, across.check(&m, &label, true, line));
    }
}

/// Judge every manifest `<Blob>`: its `BlobPath` (container and blob name),
/// the blob type of its `BlockList`/`PageRangeList`, its `Length` (else the
/// file's size on the drive); reparse points and EFS from the drive's entry
/// for its `FilePath`. The subject is the `FilePath` as written.
pub fn judge_manifest(targets: &[BlobTarget], inventory: Option<&Inventory>) -> RulesRun {
    use std::collections::{HashMap, HashSet};
    // (size, reparse point, EFS) of each file the manifest names.
    let mut on_drive: HashMap<String, (u64, bool, bool)> = HashMap::new();
    if let Some(inv) = inventory {
        let wanted: HashSet<String> = targets
            .iter()
            .map(|t| normalize_path(&t.file_path))
            .collect();
        let mut path = String::new();
        let mut parts = Vec::new();
        for i in (0..inv.len()).filter(|&i| !inv.is_system(i) && !inv.is_dir(i)) {
            path.clear();
            inv.path_into(i, &mut path, &mut parts);
            let key = path.to_lowercase();
            if wanted.contains(&key) {
                let info = inv.info(i);
                on_drive.insert(key, (info.size, info.reparse_tag.is_some(), info.encrypted));
            }
        }
    }
    let mut judge = Judge::for_mapped_blobs(FIRST_N);
    for t in targets {
        let subject = t.file_path.trim();
        let rel = normalize_path(subject);
        let disk = on_drive.get(&rel).copied();
        let Some((container, name)) = t.blob_path.split_once('/') else {
            continue; // names only a container: a manifest finding already
        };
        if container.is_empty() {
            continue; // starts with '/': a manifest finding already
        }
        let e = EntryRef {
            path: subject,
            is_dir: false,
            size: t.length.or(disk.map(|d| d.0)).unwrap_or(0),
            is_reparse_point: disk.is_some_and(|d| d.1),
            is_encrypted: disk.is_some_and(|d| d.2),
        };
        let m = Mapped {
            container: container.to_string(),
            name: name.to_string(),
            kind: match t.kind {
                BlobKind::Page => ObjectKind::PageBlob,
                // No list at all is a manifest finding; judged as a block blob.
                BlobKind::Block | BlobKind::Unknown => ObjectKind::BlockBlob,
            },
        };
        // Measured from the drive root: `X:\` + FilePath.
        let drive_path = subject.replace('\\', "/");
        judge.entry(e, Some(m), &drive_path);
    }
    RulesRun {
        source: "drive".to_string(),
        dataset_line: None,
        base_path: String::new(),
        destination: MANIFEST_DESTINATION.to_string(),
        target: "blob (type from the manifest's BlockList / PageRangeList)",
        report: judge.finish(),
    }
}

fn missing(subject: String, msg: String) -> Finding {
    Finding::warning(
        DATASET_PATH_MISSING,
        DriveStatus::UnsupportedData,
        subject,
        msg,
    )
    .with_hint("check the dataset row's BasePath against what is on the drive")
}

fn missing_path(subject: String, base_path: &str, source: &str) -> Finding {
    missing(
        subject,
        format!("BasePath {base_path} is not on the {source}, so nothing of this row was checked"),
    )
}

/// Walk the local folder and judge it; `Err` when it cannot be walked at all.
fn judge_local(dir: &Path, mode: &Mode) -> Result<(Vec<RulesRun>, Vec<Finding>), String> {
    let tree = walk_local(dir).map_err(|e| e.to_string())?;
    let items: Vec<Item> = tree
        .entries
        .iter()
        .map(|e| Item {
            path: e.path.clone(),
            is_dir: e.is_dir,
            size: e.size,
            is_reparse_point: e.is_reparse_point,
            is_encrypted: false,
        })
        .collect();
    let shown = dir.display().to_string();
    let prefix = format!("{shown}: ");
    let (runs, mut findings) = judge_items(&items, &shown, &prefix, mode);
    if !matches!(mode, Mode::None | Mode::Manifest) {
        findings.extend(tree.findings.into_iter().map(|mut f| {
            f.subject = format!("{prefix}{}", f.subject);
            f
        }));
    }
    Ok((runs, findings))
}

fn set_both(list: &mut Checklist, f: impl Fn(&mut Checklist, DriveStatus)) {
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
        match judge_local(dir, &opts.mode) {
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

/// `check --source-dir DIR` without a drive.
#[derive(Debug, Serialize)]
pub struct LocalReport {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub job_type: JobType,
    #[serde(flatten)]
    pub outcome: Outcome,
    pub source_dir: String,
    pub rules: Vec<RulesRun>,
}

/// Check a local staging folder alone; `Err` when it is not a readable folder.
pub fn run_local(
    dir: &Path,
    opts: &RulesOptions,
    job_type: JobType,
    strict: bool,
) -> Result<LocalReport, String> {
    let mut list = Checklist::default();
    for s in DriveStatus::ALL {
        list.not_applicable(s, "no drive given: only the local folder was checked");
    }
    let (runs, mut findings) = if matches!(opts.mode, Mode::None | Mode::Manifest) {
        // A folder is checked only against the rules: without them nothing was.
        set_both(&mut list, |l, s| l.blocked(s, NO_DESTINATION));
        // Still prove the folder is there and readable.
        walk_local(dir).map_err(|e| e.to_string())?;
        (Vec::new(), Vec::new())
    } else {
        set_both(&mut list, |l, s| l.checked(s));
        judge_local(dir, &opts.mode)?
    };
    findings.splice(0..0, opts.dataset_findings.iter().cloned());
    Ok(LocalReport {
        schema: SCHEMA,
        tool_version: env!("CARGO_PKG_VERSION"),
        job_type,
        outcome: list.outcome(findings, strict),
        source_dir: dir.display().to_string(),
        rules: runs,
    })
}

/// The human "Azure rules" section: per run, counts per code and the first paths.
pub fn human_rules(runs: &[RulesRun]) -> String {
    let mut out = String::new();
    if runs.is_empty() {
        return out;
    }
    out.push_str("\nAzure rules\n");
    for run in runs {
        let r = &run.report;
        let line = run
            .dataset_line
            .map(|l| format!(" (dataset line {l})"))
            .unwrap_or_default();
        let base = if run.base_path.is_empty() {
            String::new()
        } else {
            format!(" {}", run.base_path)
        };
        let _ = writeln!(
            out,
            "  {}{base} → {} as {}{line}: {} files, {} folders, {}, {} containers",
            run.source,
            run.destination,
            run.target,
            r.files,
            r.directories,
            crate::report::human::size(r.bytes),
            r.containers
        );
        if r.counts.is_empty() {
            let _ = writeln!(out, "      no findings");
        }
        for (code, n) in &r.counts {
            let _ = writeln!(out, "      {code}: {n}");
            if let Some(paths) = r.first_paths.get(code) {
                for p in paths {
                    let _ = writeln!(out, "        {p}");
                }
                let all = r.all_paths.get(code).map_or(0, Vec::len);
                if all > paths.len() {
                    let _ = writeln!(
                        out,
                        "        … and {} more (all of them with --json)",
                        all - paths.len()
                    );
                }
            }
        }
    }
    out
}

/// The human form of a [`LocalReport`].
pub fn human_local(r: &LocalReport, strict: bool) -> String {
    let mut out = format!(
        "ie-preflight {} — check of the local folder {}\n\nChecklist\n",
        r.tool_version, r.source_dir
    );
    out.push_str(&crate::report::human::checklist(
        &r.outcome.checklist,
        &r.outcome.findings,
    ));
    out.push_str(&human_rules(&r.rules));
    out.push_str(&crate::report::human::outcome_end(&r.outcome, strict));
    out
}

#[cfg(test)]
mod tests;
