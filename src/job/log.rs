//! `ie-preflight log FILE`: summarise a service copy log — the classic
//! `DriveLog` XML (error or verbose log) or the current `databoxcopylog`
//! copy/verbose logs (XML fragments without a root) — per status or error
//! category, with the affected paths and the renamed items' new names.
//! With `--hashes` (from `check --hashes`), list files the log does not
//! report as copied.

use super::states::failure_state;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How many paths to keep per category in the summary (the JSON keeps all).
const FIRST_PATHS: usize = 10;
/// Deeper nesting than this is not a service log.
const MAX_DEPTH: usize = 16;

#[derive(Debug, Default, Serialize)]
pub struct Category {
    pub count: u64,
    pub paths: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Rename {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Default, Serialize)]
pub struct LogSummary {
    /// `classic` (DriveLog) or `databox` (copy or verbose log).
    pub format: &'static str,
    pub version: Option<String>,
    pub drive_id: Option<String>,
    /// The drive status the log ends with, as written.
    pub drive_status: Option<String>,
    /// The portal's name for it, when it is a failure state.
    pub predicts: Option<&'static str>,
    /// Items per status (classic blob status) or error category (current).
    pub categories: BTreeMap<String, Category>,
    pub renamed: Vec<Rename>,
    /// Files the log reports copied (verbose logs; classic: `Completed` blobs).
    pub copied: u64,
    /// Sum of the copied files' sizes; `u64::MAX` when it saturated.
    pub copied_bytes: u64,
    /// True when the sizes in the log add up to more than `u64::MAX` bytes
    /// (`copied_bytes` is then `u64::MAX`, not a wrapped value).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub copied_bytes_saturated: bool,
    /// Summary counts the service wrote (current copy log).
    pub summary: BTreeMap<String, String>,
    #[serde(skip)]
    pub copied_paths: BTreeSet<String>,
}

impl LogSummary {
    /// Count one copied file of `size` bytes; the sums saturate (and say so).
    fn add_copied(&mut self, size: u64) {
        self.copied = self.copied.saturating_add(1);
        match self.copied_bytes.checked_add(size) {
            Some(t) => self.copied_bytes = t,
            None => {
                self.copied_bytes = u64::MAX;
                self.copied_bytes_saturated = true;
            }
        }
    }

    fn add(&mut self, category: &str, path: Option<&str>) {
        let c = self.categories.entry(category.to_string()).or_default();
        c.count = c.count.saturating_add(1);
        if let Some(p) = path {
            c.paths.push(p.to_string());
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{what} (byte {offset})")]
pub struct LogError {
    pub offset: u64,
    pub what: String,
}

/// One element being read: its name, attributes and text.
#[derive(Default)]
struct Node {
    name: String,
    attrs: BTreeMap<String, String>,
    text: String,
    children: Vec<Node>,
}

fn node(e: &BytesStart<'_>) -> Node {
    let mut attrs = BTreeMap::new();
    for a in e.attributes().flatten() {
        let k = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let v = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map(|c| c.into_owned())
            .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned());
        attrs.insert(k, v);
    }
    Node {
        name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
        attrs,
        ..Node::default()
    }
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
    fn child_text(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(|c| c.text.trim().to_string())
            .filter(|t| !t.is_empty())
    }
}

/// Normalise a drive or cloud path: `\` → `/`, no leading slash.
fn norm(p: &str) -> String {
    p.replace('\\', "/").trim_start_matches('/').to_string()
}

/// Read every top-level element (a classic log has one root; the current
/// logs are fragments with many) and hand each finished one to `f`.
/// `DriveLog`'s children are handed over one by one so a huge verbose log
/// is never held whole.
fn for_each_element(text: &str, mut f: impl FnMut(&Node, &[String])) -> Result<(), LogError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    loop {
        let offset = reader.buffer_position();
        let ev = reader.read_event().map_err(|e| LogError {
            offset,
            what: e.to_string(),
        })?;
        match ev {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(LogError {
                        offset,
                        what: format!("elements nested deeper than {MAX_DEPTH}"),
                    });
                }
                stack.push(node(&e));
            }
            Event::Empty(e) => {
                let n = node(&e);
                finish(&mut stack, n, &mut f);
            }
            Event::End(_) => {
                if let Some(n) = stack.pop() {
                    finish(&mut stack, n, &mut f);
                }
            }
            Event::Text(t) => {
                if let (Some(top), Ok(s)) = (stack.last_mut(), t.xml10_content()) {
                    top.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match r.decode().as_deref() {
                        Ok("lt") => Some('<'),
                        Ok("gt") => Some('>'),
                        Ok("amp") => Some('&'),
                        Ok("apos") => Some('\''),
                        Ok("quot") => Some('"'),
                        _ => None, // other entities are never resolved
                    },
                };
                if let (Some(top), Some(c)) = (stack.last_mut(), c) {
                    top.text.push(c);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::DocType(_) => {
                return Err(LogError {
                    offset,
                    what: "a DOCTYPE is not expected in a service log".into(),
                })
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// A finished element: children of `DriveLog` (and top-level elements) go to
/// `f`; deeper ones are attached to their parent.
fn finish(stack: &mut [Node], n: Node, f: &mut impl FnMut(&Node, &[String])) {
    let ancestors: Vec<String> = stack.iter().map(|a| a.name.clone()).collect();
    match stack.last_mut() {
        Some(parent) if parent.name != "DriveLog" => parent.children.push(n),
        _ => f(&n, &ancestors),
    }
}

/// Parse a log of either format.
pub fn summarise(text: &str) -> Result<LogSummary, LogError> {
    let mut s = LogSummary::default();
    let mut root_seen = false;
    for_each_element(text, |n, ancestors| {
        let in_drivelog = ancestors.last().is_some_and(|a| a == "DriveLog");
        match (n.name.as_str(), in_drivelog) {
            ("DriveId", true) => s.drive_id = Some(n.text.trim().to_string()),
            ("Status", true) => s.drive_status = Some(n.text.trim().to_string()),
            ("Blob", true) => classic_blob(&mut s, n),
            ("DriveLog", false) => {
                root_seen = true;
                s.version = n.attrs.get("Version").cloned();
            }
            ("ErroredEntity", false) => errored_entity(&mut s, n),
            ("CopyLog", false) => copy_log_summary(&mut s, n),
            ("File", false) => {
                s.add_copied(
                    n.attrs
                        .get("Size")
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(0),
                );
                if let Some(p) = n.attrs.get("Path") {
                    s.copied_paths.insert(norm(p));
                }
            }
            _ => {}
        }
    })?;
    // `DriveLog` itself is reported last (after its children); its Version
    // arrives then, and the format is classic if it was seen at all.
    s.format = if root_seen { "classic" } else { "databox" };
    s.predicts = s
        .drive_status
        .as_deref()
        .and_then(failure_state)
        .map(|d| d.as_str());
    Ok(s)
}

fn classic_blob(s: &mut LogSummary, b: &Node) {
    let status = b
        .attrs
        .get("Status")
        .map(String::as_str)
        .unwrap_or("Unknown");
    let file = b.child_text("FilePath").map(|p| norm(&p));
    let blob = b.child_text("BlobPath");
    let shown = file.clone().or(blob.clone());
    s.add(status, shown.as_deref());
    if status == "Completed" {
        s.add_copied(
            b.child_text("Length")
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0),
        );
        if let Some(f) = &file {
            s.copied_paths.insert(f.clone());
        }
    }
    if let Some(d) = b.child("ImportDisposition") {
        if d.attrs.get("Status").map(String::as_str) == Some("Renamed") {
            s.renamed.push(Rename {
                from: file.clone().unwrap_or_default(),
                to: blob.clone().unwrap_or_default(),
            });
        }
    }
    // Blocks/page ranges, metadata and properties that did not complete.
    for list in ["BlockList", "PageRangeList"] {
        if let Some(l) = b.child(list) {
            for r in &l.children {
                if let Some(st) = r.attrs.get("Status").filter(|st| *st != "Completed") {
                    s.add(&format!("{}/{st}", r.name), shown.as_deref());
                }
            }
        }
    }
    for part in ["Metadata", "Properties"] {
        if let Some(st) = b
            .child(part)
            .and_then(|m| m.attrs.get("Status"))
            .filter(|st| *st != "Completed")
        {
            s.add(&format!("{part}/{st}"), shown.as_deref());
        }
    }
}

fn errored_entity(s: &mut LogSummary, e: &Node) {
    let category = e.child_text("Category").unwrap_or_else(|| "Unknown".into());
    let path = e.attrs.get("Path").map(|p| norm(p));
    s.add(&category, path.as_deref());
    if category.ends_with("Renamed") {
        // "... renamed to: NEW :from: OLD :because ..."
        let msg = e.child_text("ErrorMessage").unwrap_or_default();
        let to = msg
            .split_once("renamed to:")
            .map(|(_, rest)| rest.split(":from:").next().unwrap_or("").trim().to_string());
        s.renamed.push(Rename {
            from: path.unwrap_or_default(),
            to: to.unwrap_or_default(),
        });
    }
}

fn copy_log_summary(s: &mut LogSummary, c: &Node) {
    s.version = c.child_text("DriveLogVersion");
    s.drive_id = c.child_text("DriveId");
    s.drive_status = c.child_text("Status");
    for k in ["TotalFiles_Blobs", "FilesErrored"] {
        if let Some(v) = c.child_text(k) {
            s.summary.insert(k.to_string(), v);
        }
    }
    if let Some(sum) = c.child("Summary") {
        for group in &sum.children {
            for cat in &group.children {
                if let Some(n) = cat.attrs.get("Count") {
                    s.summary
                        .insert(format!("{}/{}", group.name, cat.name), n.clone());
                }
            }
        }
    }
}

/// Paths of an `sha256sum`-format file (`HASH  PATH` or `HASH *PATH`).
pub fn hashed_paths(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let (hash, rest) = l.split_once(' ')?;
            (hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit()))
                .then(|| norm(rest.trim_start_matches([' ', '*'])))
        })
        .collect()
}

/// Files of the drive the log does not report as copied. A log path counts
/// when it equals the file's path or ends with it (current logs name the
/// destination, whose first part is the container or share).
pub fn not_copied(s: &LogSummary, files: &[String]) -> Vec<String> {
    let lower: BTreeSet<String> = s.copied_paths.iter().map(|p| p.to_lowercase()).collect();
    files
        .iter()
        .filter(|f| {
            let f = f.to_lowercase();
            !lower.contains(&f) && !lower.iter().any(|p| p.ends_with(&format!("/{f}")))
        })
        .cloned()
        .collect()
}

/// `log --json`: the summary, and the files not reported as copied (with `--hashes`).
#[derive(Serialize)]
pub struct LogReport<'a> {
    pub schema: &'static str,
    #[serde(flatten)]
    pub summary: &'a LogSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_copied: Option<Vec<String>>,
}

impl LogReport<'_> {
    /// The log reports failures, or files of the inventory were not copied.
    pub fn failed(&self) -> bool {
        let s = self.summary;
        s.predicts.is_some()
            || s.drive_status
                .as_deref()
                .is_some_and(|st| st.contains("Error") || st == "Failed")
            || self.not_copied.as_ref().is_some_and(|m| !m.is_empty())
    }
}

/// The summary as text, with the files the log does not report as copied.
pub fn render(s: &LogSummary, missing: Option<&[String]>) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} log{}",
        s.format,
        s.version
            .as_ref()
            .map(|v| format!(" (version {v})"))
            .unwrap_or_default()
    );
    if let Some(d) = &s.drive_id {
        let _ = writeln!(o, "  drive      {d}");
    }
    if let Some(st) = &s.drive_status {
        let p = s
            .predicts
            .map(|p| format!(" — portal: {p}"))
            .unwrap_or_default();
        let _ = writeln!(o, "  status     {st}{p}");
    }
    if s.copied > 0 {
        let files = crate::report::human::count(s.copied, "file");
        let bytes = if s.copied_bytes_saturated {
            format!(
                "more than {} bytes (the sizes in the log overflow a 64-bit sum)",
                s.copied_bytes
            )
        } else {
            format!("{} bytes", s.copied_bytes)
        };
        let _ = writeln!(o, "  copied     {files}, {bytes}");
    }
    for (k, v) in &s.summary {
        let _ = writeln!(o, "  {k}: {v}");
    }
    for (name, c) in &s.categories {
        let _ = writeln!(o, "\n{name}: {}", c.count);
        for p in c.paths.iter().take(FIRST_PATHS) {
            let _ = writeln!(o, "  {p}");
        }
        if c.paths.len() > FIRST_PATHS {
            let _ = writeln!(
                o,
                "  … and {} more (--json lists all)",
                c.paths.len() - FIRST_PATHS
            );
        }
    }
    if !s.renamed.is_empty() {
        let _ = writeln!(o, "\nRenamed: {}", s.renamed.len());
        for r in &s.renamed {
            let _ = writeln!(o, "  {} → {}", r.from, r.to);
        }
    }
    if let Some(m) = missing {
        let _ = writeln!(o, "\nNot reported as copied: {}", m.len());
        for p in m.iter().take(FIRST_PATHS) {
            let _ = writeln!(o, "  {p}");
        }
        if m.len() > FIRST_PATHS {
            let _ = writeln!(
                o,
                "  … and {} more (--json lists all)",
                m.len() - FIRST_PATHS
            );
        }
    }
    o
}
