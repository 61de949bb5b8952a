//! Run every rule over an inventory under one destination and summarise.

use super::destination::{Destination, EntryRef, Mapped, ObjectKind, Target};
use super::rules::{self, codes};
use crate::report::Finding;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Default number of findings and paths kept per code for a human report.
pub const FIRST_N: usize = 10;

/// The rules' verdict on a whole inventory.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RulesReport {
    pub entries: u64,
    pub files: u64,
    pub directories: u64,
    pub bytes: u64,
    pub containers: u64,
    /// How many findings each code made.
    pub counts: BTreeMap<&'static str, u64>,
    /// The first `first_n` offending paths per code.
    pub first_paths: BTreeMap<&'static str, Vec<String>>,
    /// Every offending path per code (for JSON).
    pub all_paths: BTreeMap<&'static str, Vec<String>>,
    /// The first `first_n` findings per code, in inventory order.
    pub findings: Vec<Finding>,
    #[serde(skip)]
    first_n: usize,
}

impl RulesReport {
    fn add(&mut self, path: &str, found: Vec<Finding>) {
        for mut f in found {
            f.subject = path.to_string();
            let n = self.counts.entry(f.code).or_insert(0);
            *n += 1;
            let all = self.all_paths.entry(f.code).or_default();
            if all.last().map(String::as_str) != Some(path) {
                all.push(path.to_string());
                let first = self.first_paths.entry(f.code).or_default();
                if first.len() < self.first_n {
                    first.push(path.to_string());
                }
            }
            if *n as usize <= self.first_n {
                self.findings.push(f);
            }
        }
    }

    /// An empty report keeping `first_n` findings and paths per code.
    pub fn with_first_n(first_n: usize) -> RulesReport {
        RulesReport {
            first_n,
            ..RulesReport::default()
        }
    }

    /// Total findings of `code`.
    pub fn count(&self, code: &str) -> u64 {
        self.counts.get(code).copied().unwrap_or(0)
    }
}

/// The key two entries collide on: the name Azure stores, case-folded for
/// Azure Files (case-insensitive there).
fn collision_key(m: &Mapped, files: bool) -> String {
    if files {
        let parts: Vec<String> = m
            .name
            .split('/')
            .map(|s| rules::predicted_file_name(s).to_lowercase())
            .collect();
        format!("{}/{}", m.container, parts.join("/"))
    } else {
        let n = m.name.replace('\\', "/");
        format!("{}/{}", m.container, n.trim_end_matches(['.', '/']))
    }
}

fn name_rules(m: &Mapped, is_dir: bool, target: Target) -> Vec<Finding> {
    let own = m.name.rsplit('/').next().unwrap_or("");
    let mut v = Vec::new();
    match target {
        Target::Files => {
            v.extend(rules::file_component(own));
            v.extend(rules::file_path_length(&m.name));
            v.extend(rules::file_depth(&m.name, is_dir));
        }
        // A folder's own problems are reported once, on the folder.
        Target::Blob(_) if is_dir => {
            v.extend(rules::blob_forbidden_chars(own));
            v.extend(rules::segment_dot(own));
            v.extend(rules::blob_backslash(own));
        }
        Target::Blob(_) => {
            v.extend(rules::blob_name_length(&m.name));
            v.extend(rules::blob_segments(&m.name));
            v.extend(rules::blob_forbidden_chars(own));
            v.extend(rules::blob_trailing(&m.name));
            v.extend(rules::blob_backslash(own));
        }
    }
    v
}

fn container_rules(container: &str, target: Target) -> Vec<Finding> {
    match target {
        Target::Files => rules::share_name(container),
        Target::Blob(_) => rules::container_name(container),
    }
}

/// The rules over entries as they arrive, one destination (or, for a drive
/// manifest, one pre-mapped object per entry) at a time.
pub struct Judge {
    target: Target,
    r: RulesReport,
    containers: HashSet<String>,
    seen: Collisions,
    dirs: Vec<String>,
    parents: HashSet<String>,
    /// Manifest blobs: their folders exist only in their names; each is judged once.
    folders: Option<HashSet<String>>,
}

impl Judge {
    /// A judge for `dest`: its container and prefix are judged at once.
    pub fn new(dest: &Destination, first_n: usize) -> Judge {
        let mut j = Judge::bare(dest.target(), first_n);
        let target = dest.target();
        if let Some(c) = dest.container() {
            j.containers.insert(c.to_string());
            let subject = format!("destination {c}/{}", dest.prefix());
            j.r.add(&subject, container_rules(c, target));
        }
        if !dest.prefix().is_empty() {
            let p = dest.prefix().trim_end_matches('/');
            let subject = format!("destination prefix {p}/");
            let found = match target {
                Target::Files => rules::file_path(p, true),
                Target::Blob(_) => p.split('/').flat_map(rules::segment_dot).collect(),
            };
            j.r.add(&subject, found);
        }
        j
    }

    /// A judge for blobs whose container and name each entry brings (a drive
    /// manifest's `BlobPath`): the folders in the names are judged once each.
    pub fn for_mapped_blobs(first_n: usize) -> Judge {
        let mut j = Judge::bare(Target::Blob(None), first_n);
        j.folders = Some(HashSet::new());
        j
    }

    fn bare(target: Target, first_n: usize) -> Judge {
        Judge {
            target,
            r: RulesReport::with_first_n(first_n),
            containers: HashSet::new(),
            seen: Collisions::new(target == Target::Files),
            dirs: Vec::new(),
            parents: HashSet::new(),
            folders: None,
        }
    }

    /// Findings made elsewhere about `path` (e.g. collisions across dataset rows).
    pub fn report(&mut self, path: &str, found: Vec<Finding>) {
        self.r.add(path, found);
    }

    /// Judge one entry mapped to `mapped` (`None`: it has no place, see
    /// [`Destination::map`]). `drive_path` is the entry's path from the root of
    /// the drive or folder (for `azure.long-path`); `e.path` is the subject.
    pub fn entry(&mut self, e: EntryRef<'_>, mapped: Option<Mapped>, drive_path: &str) {
        let r = &mut self.r;
        let path = e.path.strip_prefix('/').unwrap_or(e.path);
        if path.is_empty() {
            return;
        }
        r.entries += 1;
        if let Some((parent, _)) = path.rsplit_once('/') {
            self.parents.insert(parent.to_string());
        }
        if e.is_dir {
            r.directories += 1;
        } else {
            r.files += 1;
            r.bytes = r.bytes.saturating_add(e.size);
        }
        let drive_path = drive_path.strip_prefix('/').unwrap_or(drive_path);
        let mut long = rules::long_path(drive_path);
        for f in &mut long {
            f.subject = path.to_string();
        }
        r.add(path, long);
        if e.is_reparse_point {
            r.add(path, rules::reparse_point(path));
            return;
        }
        if e.is_encrypted && !e.is_dir {
            r.add(path, rules::efs_encrypted(path));
            return;
        }
        if e.is_dir {
            self.dirs.push(path.to_string());
        }
        let Some(m) = mapped else {
            r.add(path, rules::file_outside_share(path));
            return;
        };
        if self.containers.insert(m.container.clone()) {
            r.add(path, container_rules(&m.container, self.target));
        }
        if m.name.is_empty() {
            return; // the container's own folder
        }
        if m.container == "$root" && m.name.contains('/') {
            if !e.is_dir {
                r.add(path, rules::root_subdir(path));
            }
            return;
        }
        if let Some(folders) = &mut self.folders {
            // A blob name's folders: what a folder entry would have been judged for.
            let segs: Vec<&str> = m.name.split('/').collect();
            let mut end = 0;
            for seg in &segs[..segs.len() - 1] {
                end += seg.len() + 1;
                let key = format!("{}/{}", m.container, &m.name[..end]);
                if folders.insert(key) {
                    let mut v = rules::blob_forbidden_chars(seg);
                    v.extend(rules::segment_dot(seg));
                    v.extend(rules::blob_backslash(seg));
                    r.add(path, v);
                }
            }
        }
        r.add(path, name_rules(&m, e.is_dir, self.target));
        r.add(path, self.seen.check(&m, path, e.is_dir, 0));
        if !e.is_dir {
            if m.kind == ObjectKind::PageBlob {
                r.add(path, rules::page_blob_alignment(path, e.size));
            }
            r.add(path, rules::size_limit(path, e.size, m.kind));
        }
    }

    /// The report: container count and limit, empty folders.
    pub fn finish(mut self) -> RulesReport {
        let r = &mut self.r;
        r.containers = self.containers.len() as u64;
        r.add("destination", rules::too_many_containers(r.containers));
        self.dirs.sort();
        for d in self
            .dirs
            .iter()
            .filter(|d| !self.parents.contains(d.as_str()))
        {
            r.add(d, rules::empty_directory(d));
        }
        debug_assert!(r.counts.keys().all(|c| codes::ALL.contains(c)));
        self.r
    }
}

/// Two entries that get one Azure name: `azure.name-collision` or
/// `azure.file-dir-collision`. Entries carry a group (a dataset row); with
/// [`Collisions::across_groups`] only entries of different groups collide, and
/// two folders of one name merge (Azure Files) instead of colliding.
pub struct Collisions {
    files: bool,
    across: bool,
    seen: HashMap<String, (String, bool, usize)>,
}

impl Collisions {
    /// Within one destination: every pair collides.
    pub fn new(files: bool) -> Collisions {
        Collisions {
            files,
            across: false,
            seen: HashMap::new(),
        }
    }

    /// Across groups (dataset rows) writing into the same containers/shares.
    pub fn across_groups(files: bool) -> Collisions {
        Collisions {
            across: true,
            ..Collisions::new(files)
        }
    }

    /// Record `m` (from `path`, in `group`); the findings when it takes a name
    /// already taken. `other_label` names the earlier entry in the message.
    pub fn check(&mut self, m: &Mapped, path: &str, is_dir: bool, group: usize) -> Vec<Finding> {
        // Blob folders are only prefixes: a blob never collides with one.
        if m.name.is_empty() || (is_dir && !self.files) {
            return Vec::new();
        }
        let key = collision_key(m, self.files);
        match self.seen.get(&key) {
            Some((other, other_dir, other_group)) => {
                if self.across && (*other_group == group || (*other_dir && is_dir)) {
                    return Vec::new();
                }
                let other = if self.across {
                    format!("{other} (dataset line {other_group})")
                } else {
                    other.clone()
                };
                rules::collision(path, &other, *other_dir, is_dir, self.files)
            }
            None => {
                self.seen.insert(key, (path.to_string(), is_dir, group));
                Vec::new()
            }
        }
    }
}

/// [`judge_entries_with`] keeping [`FIRST_N`] findings per code.
pub fn judge_entries<'a, I>(entries: I, dest: &Destination) -> RulesReport
where
    I: IntoIterator<Item = EntryRef<'a>>,
{
    judge_entries_with(entries, dest, FIRST_N)
}

/// Map every entry to its destination and run every rule on it.
pub fn judge_entries_with<'a, I>(entries: I, dest: &Destination, first_n: usize) -> RulesReport
where
    I: IntoIterator<Item = EntryRef<'a>>,
{
    let mut j = Judge::new(dest, first_n);
    for e in entries {
        j.entry(e, dest.map(&e), e.path);
    }
    j.finish()
}
