//! The Azure rules inside `check` (issue 4 §5): every file of the drive's NTFS
//! inventory and/or of a local staging folder is mapped to its destination
//! (`--dest`/`--blob-type`/`--files`, or each row of a v2 `--dataset`) and
//! judged by [`crate::azure::judge_entries`].
//!
//! Runs after [`super::run`]: [`apply`] takes the inventory the NTFS walk kept,
//! adds its findings and fills the "Unsupported data" and "Data copy completed
//! with warnings" rows. [`run_local`] checks a local folder without a drive.

use super::JobType;
use crate::azure::dataset::DatasetRow;
use crate::azure::local::walk_local;
use crate::azure::{judge_entries, Destination, EntryRef, RulesReport, Target};
use crate::ntfs_volume::Inventory;
use crate::report::{Checklist, DriveStatus, Finding, Row, Verdict, SCHEMA};
use serde::Serialize;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Code of a dataset row whose `BasePath` is not on the drive / in the folder.
pub const DATASET_PATH_MISSING: &str = "azure.dataset-path-missing";

/// Why the rule rows are not checked when no destination is given.
pub const NO_DESTINATION: &str = "give --dest, --dataset or --files";

/// Windows makes these in every NTFS root; they are never imported.
const WINDOWS_ROOT_FOLDERS: [&str; 2] = ["System Volume Information", "$RECYCLE.BIN"];

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
    /// `blob (v2 default: .vhd/.vhdx as page blobs)`, `block blob`, `page blob` or `azure files`.
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

fn windows_root_folder(path: &str) -> bool {
    let top = path.split('/').next().unwrap_or("");
    WINDOWS_ROOT_FOLDERS
        .iter()
        .any(|w| w.eq_ignore_ascii_case(top))
}

/// The inventory as rule entries: NTFS metadata files and Windows' own root
/// folders skipped; reparse points and EFS from the MFT flags.
pub fn items_from_inventory(inv: &Inventory) -> Vec<Item> {
    (0..inv.len())
        .filter(|&i| !inv.is_system(i))
        .filter_map(|i| {
            let info = inv.info(i);
            if info.path.is_empty() || windows_root_folder(&info.path) {
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
        Mode::None => {}
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
            let containers: std::collections::HashSet<&str> = rows
                .iter()
                .filter_map(|r| {
                    r.destination
                        .as_ref()
                        .or(r.file_destination.as_ref().map(|(d, _)| d))
                })
                .filter_map(Destination::container)
                .collect();
            findings.extend(
                crate::azure::rules::too_many_containers(containers.len() as u64)
                    .into_iter()
                    .map(|mut f| {
                        f.subject = format!("{subject_prefix}dataset destinations");
                        f
                    }),
            );
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
                    let sub: Vec<Item> = items
                        .iter()
                        .filter_map(|i| {
                            below(&i.path, &rel).map(|p| Item {
                                path: p.to_string(),
                                ..i.clone()
                            })
                        })
                        .collect();
                    let (destination, target) = describe(dest);
                    RulesRun {
                        source: source.to_string(),
                        dataset_line: Some(row.line),
                        base_path: rel,
                        destination,
                        target,
                        report: judge_entries(sub.iter().map(Item::as_entry), dest),
                    }
                } else if let Some((dest, name)) = &row.file_destination {
                    let Some(item) = items.iter().find(|i| !i.is_dir && same_path(&i.path, &rel))
                    else {
                        findings.push(missing_path(subject, &row.base_path, source));
                        continue;
                    };
                    // Judged under the name it gets: `dest` + `name`.
                    let one = Item {
                        path: name.clone(),
                        ..item.clone()
                    };
                    let (destination, target) = describe(dest);
                    RulesRun {
                        source: source.to_string(),
                        dataset_line: Some(row.line),
                        base_path: rel,
                        destination: format!("{destination}{name}"),
                        target,
                        report: judge_entries(std::iter::once(one.as_entry()), dest),
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
    if !matches!(mode, Mode::None) {
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
    job_type: JobType,
    opts: &RulesOptions,
    findings: &mut Vec<Finding>,
    list: &mut Checklist,
) -> Vec<RulesRun> {
    let mut runs = Vec::new();
    findings.extend(opts.dataset_findings.iter().cloned());
    if matches!(opts.mode, Mode::None) {
        set_both(list, |l, s| l.not_checked(s, NO_DESTINATION));
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
    pub verdict: Verdict,
    pub exit_code: i32,
    pub checklist: Vec<Row>,
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incomplete: Vec<String>,
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
    let (runs, mut findings) = if matches!(opts.mode, Mode::None) {
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
    let verdict = list.verdict(&findings, strict);
    Ok(LocalReport {
        schema: SCHEMA,
        tool_version: env!("CARGO_PKG_VERSION"),
        job_type,
        verdict,
        exit_code: verdict.exit_code(),
        checklist: list.rows(&findings),
        incomplete: list.incomplete_reasons().to_vec(),
        findings,
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
    out.push_str(&crate::report::human::checklist(&r.checklist, &r.findings));
    out.push_str(&human_rules(&r.rules));
    if !r.incomplete.is_empty() {
        out.push_str("\nNot completed\n");
        for i in &r.incomplete {
            let _ = writeln!(out, "  - {i}");
        }
    }
    let _ = write!(
        out,
        "\n{}\n",
        crate::report::human::verdict_line(r.verdict, strict)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths_map_to_the_volume() {
        assert_eq!(volume_relative("F:\\folder\\").as_deref(), Some("folder"));
        assert_eq!(volume_relative("F:\\").as_deref(), Some(""));
        assert_eq!(volume_relative("f:\\a\\b.vhd").as_deref(), Some("a/b.vhd"));
        assert_eq!(volume_relative("\\\\srv\\share\\"), None);
        assert_eq!(below("Folder/x", "folder"), Some("x"));
        assert_eq!(below("folderx/y", "folder"), None);
        assert_eq!(below("a", ""), Some("a"));
        assert_eq!(below("é", "e"), None);
    }

    #[test]
    fn dataset_rows_judge_their_own_part() {
        let csv = "BasePath,DstBlobPathOrPrefix,BlobType,Disposition,MetadataFile,PropertiesFile\n\
                   \"F:\\data\\\",\"data-c1/\",BlockBlob,rename,None,None\n\
                   \"F:\\disk.vhd\",\"vhd-c2/d.vhd\",PageBlob,rename,None,None\n\
                   \"F:\\gone\\\",\"gone-c3/\",BlockBlob,rename,None,None\n";
        let (f, rows) = crate::azure::dataset::validate_dataset(csv);
        assert!(f.is_empty(), "{f:?}");
        let item = |p: &str, d: bool, s: u64| Item {
            path: p.into(),
            is_dir: d,
            size: s,
            is_reparse_point: false,
            is_encrypted: false,
        };
        let items = vec![
            item("data", true, 0),
            item("data/ok.txt", false, 5),
            item("data/bad.", false, 5),
            item("disk.vhd", false, 1000),
        ];
        let (runs, found) = judge_items(&items, "drive", "", &Mode::Dataset(rows));
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].report.count("azure.blob-trailing"), 1);
        assert_eq!(runs[0].report.files, 2);
        assert_eq!(runs[1].report.count("azure.page-blob-alignment"), 1);
        assert_eq!(runs[1].destination, "vhd-c2/d.vhd");
        let codes: Vec<&str> = found.iter().map(|f| f.code).collect();
        assert!(codes.contains(&DATASET_PATH_MISSING), "{codes:?}");
    }

    #[test]
    fn dataset_container_limit_counts_every_row() {
        let mut csv = String::from(
            "BasePath,DstBlobPathOrPrefix,BlobType,Disposition,MetadataFile,PropertiesFile\n",
        );
        for n in 0..513 {
            csv.push_str(&format!(
                "\"F:\\d{n}\\\",\"cont{n}/\",BlockBlob,rename,None,None\n"
            ));
        }
        let (f, rows) = crate::azure::dataset::validate_dataset(&csv);
        assert!(f.is_empty(), "{:?}", f.first());
        let items: Vec<Item> = (0..513)
            .map(|n| Item {
                path: format!("d{n}"),
                is_dir: true,
                size: 0,
                is_reparse_point: false,
                is_encrypted: false,
            })
            .collect();
        let (runs, found) = judge_items(&items, "drive", "", &Mode::Dataset(rows));
        assert_eq!(runs.len(), 513);
        let too_many: Vec<&Finding> = found
            .iter()
            .filter(|f| f.code == "azure.too-many-containers")
            .collect();
        assert_eq!(too_many.len(), 1);
        assert_eq!(too_many[0].subject, "dataset destinations");
    }
}
