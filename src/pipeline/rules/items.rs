//! The rules over a list of entries (the drive's inventory or a local
//! folder's), under one destination (`--dest`, `--files`) or each row of a
//! `--dataset`.

use super::{Mode, RulesRun, DATASET_PATH_MISSING};
use crate::azure::dataset::DatasetRow;
use crate::azure::{
    judge_entries, Collisions, Destination, EntryRef, Judge, Mapped, ObjectKind, Target, FIRST_N,
};
use crate::ntfs_volume::Inventory;
use crate::report::{DriveStatus, Finding};

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
pub(super) fn volume_relative(base_path: &str) -> Option<String> {
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
pub(super) fn below<'p>(path: &'p str, dir: &str) -> Option<&'p str> {
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
    let mut out = Judged {
        runs: Vec::new(),
        findings: Vec::new(),
        subject_prefix,
    };
    match mode {
        Mode::None | Mode::Manifest => {}
        Mode::Dest(dest) => {
            let (destination, target) = describe(dest);
            let report = judge_entries(items.iter().map(Item::as_entry), dest);
            out.add(RulesRun {
                source: source.to_string(),
                dataset_line: None,
                base_path: String::new(),
                destination,
                target,
                report,
            });
        }
        Mode::Dataset(rows) => judge_dataset(items, source, rows, &mut out),
    }
    (out.runs, out.findings)
}

/// The runs so far, and the findings in the order they were found.
struct Judged<'a> {
    runs: Vec<RulesRun>,
    findings: Vec<Finding>,
    subject_prefix: &'a str,
}

impl Judged<'_> {
    /// A run, and its findings with the subjects prefixed.
    fn add(&mut self, run: RulesRun) {
        let prefix = self.subject_prefix;
        self.findings
            .extend(run.report.findings.iter().cloned().map(|mut f| {
                f.subject = format!("{prefix}{}", f.subject);
                f
            }));
        self.runs.push(run);
    }
}

/// Each dataset row judged on its own part of the items; the container
/// limit and the name collisions are across all rows.
fn judge_dataset(items: &[Item], source: &str, rows: &[DatasetRow], out: &mut Judged) {
    let dests = || {
        rows.iter().filter_map(|r| {
            r.destination
                .as_ref()
                .or(r.file_destination.as_ref().map(|(d, _)| d))
        })
    };
    let containers: std::collections::HashSet<&str> =
        dests().filter_map(Destination::container).collect();
    let prefix = out.subject_prefix;
    out.findings.extend(
        crate::azure::rules::too_many_containers(containers.len() as u64)
            .into_iter()
            .map(|mut f| {
                f.subject = format!("{prefix}dataset destinations");
                f
            }),
    );
    // Rows writing into one container/share collide with each other
    // too (a dataset is all blobs or all Azure Files).
    let files = dests().any(|d| d.target() == Target::Files);
    let mut ctx = RowContext {
        items,
        source,
        files,
        across: Collisions::across_groups(files),
    };
    for row in rows {
        let subject = format!("{source}: dataset line {}", row.line);
        let Some(rel) = volume_relative(&row.base_path) else {
            out.findings.push(missing(
                subject,
                format!(
                    "BasePath {} is not on a drive letter, so it was not checked here",
                    row.base_path
                ),
            ));
            continue;
        };
        let run = if let Some(dest) = &row.destination {
            ctx.folder_row(row, dest, rel)
        } else if let Some((dest, name)) = &row.file_destination {
            ctx.file_row(row, dest, name, rel)
        } else {
            continue; // an invalid destination: a dataset finding already
        };
        match run {
            Some(run) => out.add(run),
            None => out
                .findings
                .push(missing_path(subject, &row.base_path, source)),
        }
    }
}

/// What every row of a dataset is judged against.
struct RowContext<'a> {
    items: &'a [Item],
    source: &'a str,
    /// The dataset is for Azure Files (destination prefixes make folders).
    files: bool,
    across: Collisions,
}

impl RowContext<'_> {
    fn judge(&mut self, dest: &Destination, line: usize) -> Judge {
        let mut judge = Judge::new(dest, FIRST_N);
        if self.files {
            prefix_folders(dest, line, &mut self.across, &mut judge);
        }
        judge
    }

    /// A folder row: everything below it, relative to it; `None` when the
    /// folder is not there.
    fn folder_row(
        &mut self,
        row: &DatasetRow,
        dest: &Destination,
        rel: String,
    ) -> Option<RulesRun> {
        let found = rel.is_empty()
            || self
                .items
                .iter()
                .any(|i| i.is_dir && same_path(&i.path, &rel));
        if !found {
            return None;
        }
        let mut judge = self.judge(dest, row.line);
        for i in self.items {
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
                judge.report(p, self.across.check(m, &i.path, i.is_dir, row.line));
            }
            // `azure.long-path` counts from the drive root, not from BasePath.
            judge.entry(e, m, &i.path);
        }
        let (destination, target) = describe(dest);
        Some(RulesRun {
            source: self.source.to_string(),
            dataset_line: Some(row.line),
            base_path: rel,
            destination,
            target,
            report: judge.finish(),
        })
    }

    /// A file row, judged under the name it gets: `dest` + `name`; `None`
    /// when the file is not there.
    fn file_row(
        &mut self,
        row: &DatasetRow,
        dest: &Destination,
        name: &str,
        rel: String,
    ) -> Option<RulesRun> {
        let item = self
            .items
            .iter()
            .find(|i| !i.is_dir && same_path(&i.path, &rel))?;
        let one = EntryRef {
            path: name,
            ..item.as_entry()
        };
        let mut judge = self.judge(dest, row.line);
        let m = dest.map(&one);
        let imported = !(item.is_reparse_point || item.is_encrypted);
        if let (Some(m), true) = (&m, imported) {
            judge.report(name, self.across.check(m, &item.path, false, row.line));
        }
        judge.entry(one, m, &item.path);
        let (destination, target) = describe(dest);
        Some(RulesRun {
            source: self.source.to_string(),
            dataset_line: Some(row.line),
            base_path: rel,
            destination: format!("{destination}{name}"),
            target,
            report: judge.finish(),
        })
    }
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
