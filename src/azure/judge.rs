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
    let target = dest.target();
    let files = target == Target::Files;
    let mut r = RulesReport {
        first_n,
        ..RulesReport::default()
    };
    let mut containers: HashSet<String> = HashSet::new();
    if let Some(c) = dest.container() {
        containers.insert(c.to_string());
        let subject = format!("destination {c}/{}", dest.prefix());
        r.add(&subject, container_rules(c, target));
    }
    if !dest.prefix().is_empty() {
        let p = dest.prefix().trim_end_matches('/');
        let subject = format!("destination prefix {p}/");
        let found = match target {
            Target::Files => rules::file_path(p, true),
            Target::Blob(_) => p.split('/').flat_map(rules::segment_dot).collect(),
        };
        r.add(&subject, found);
    }
    let mut seen: HashMap<String, (String, bool)> = HashMap::new();
    let mut dirs: Vec<String> = Vec::new();
    let mut parents: HashSet<String> = HashSet::new();

    for e in entries {
        let path = e.path.strip_prefix('/').unwrap_or(e.path);
        if path.is_empty() {
            continue;
        }
        r.entries += 1;
        if let Some((parent, _)) = path.rsplit_once('/') {
            parents.insert(parent.to_string());
        }
        if e.is_dir {
            r.directories += 1;
        } else {
            r.files += 1;
            r.bytes = r.bytes.saturating_add(e.size);
        }
        r.add(path, rules::long_path(path));
        if e.is_reparse_point {
            r.add(path, rules::reparse_point(path));
            continue;
        }
        if e.is_encrypted && !e.is_dir {
            r.add(path, rules::efs_encrypted(path));
            continue;
        }
        if e.is_dir {
            dirs.push(path.to_string());
        }
        let Some(m) = dest.map(&e) else {
            r.add(path, rules::file_outside_share(path));
            continue;
        };
        if containers.insert(m.container.clone()) {
            r.add(path, container_rules(&m.container, target));
        }
        if m.name.is_empty() {
            continue; // the container's own folder
        }
        if m.container == "$root" && m.name.contains('/') {
            if !e.is_dir {
                r.add(path, rules::root_subdir(path));
            }
            continue;
        }
        r.add(path, name_rules(&m, e.is_dir, target));
        if files || !e.is_dir {
            let key = collision_key(&m, files);
            match seen.get(&key) {
                Some((other, other_dir)) => {
                    let found = rules::collision(path, other, *other_dir, e.is_dir, files);
                    r.add(path, found);
                }
                None => {
                    seen.insert(key, (path.to_string(), e.is_dir));
                }
            }
        }
        if !e.is_dir {
            if m.kind == ObjectKind::PageBlob {
                r.add(path, rules::page_blob_alignment(path, e.size));
            }
            r.add(path, rules::size_limit(path, e.size, m.kind));
        }
    }
    r.containers = containers.len() as u64;
    r.add("destination", rules::too_many_containers(r.containers));
    dirs.sort();
    for d in dirs.iter().filter(|d| !parents.contains(d.as_str())) {
        r.add(d, rules::empty_directory(d));
    }
    debug_assert!(r.counts.keys().all(|c| codes::ALL.contains(c)));
    r
}
