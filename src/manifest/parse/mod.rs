//! Streaming parse and structural validation of a drive manifest (format: S-MAN in `docs/sources.md`).
//!
//! One module per element level: `root` (`DriveManifest`, `Drive` and its
//! direct children), `blob_list` (`BlobList`, metadata/properties references),
//! `blob` (`Blob` and its children), `blocks` (block and page ranges). This
//! module is the entry point, the dispatch on (parent, element) for the
//! shared reader loop (`crate::xml::reader`) and the helpers the levels
//! share.

mod blob;
mod blob_list;
mod blocks;
mod root;

pub use blob::{Blob, BlobKind};
pub use blob_list::{BlobList, SideFile};
pub use blocks::Range;
pub use root::{BlobTarget, Manifest};

use super::{codes, parse_md5_hex};
use crate::report::{DriveStatus, Finding};
use crate::xml::reader::{self, Ended, Problem, Sink};
use crate::xml::{at_line_col, positioned, LineIndex};
use quick_xml::events::BytesStart;

/// Deeper nesting is refused (the format is six levels deep).
const MAX_DEPTH: usize = 16;
/// At most this many findings from one manifest.
pub const MAX_FINDINGS: usize = 10_000;

fn err(code: &'static str, msg: impl Into<String>) -> Finding {
    Finding::error(code, DriveStatus::ManifestFileError, "", msg)
}
fn warn(code: &'static str, msg: impl Into<String>) -> Finding {
    Finding::warning(code, DriveStatus::ManifestFileError, "", msg)
}
/// The first `n` characters of a value quoted in a message (input may be huge).
fn clip(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

struct Parser<'a> {
    ix: &'a LineIndex<'a>,
    /// Names of the open elements.
    stack: Vec<String>,
    /// Text of the innermost element (a credential's goes to `root.secret`).
    text: String,
    /// The innermost element's text was over the bound: its value is unusable.
    over_long: bool,
    found: Vec<(usize, Finding)>,
    m: Manifest,
    root: root::RootState,
    /// The open `<BlobList>` and its position.
    list: Option<(BlobList, usize)>,
    /// The open `<MetadataPath>`/`<PropertiesPath>`: (metadata?, hash, position).
    side: Option<(bool, Option<[u8; 16]>, usize)>,
    blob: Option<blob::BlobBuild>,
    blob_paths: std::collections::HashSet<String>,
    /// Per open `<Blob>` (wherever it is, misplaced or nested too): whether it
    /// is a real one (directly in a `<BlobList>`), and its known children seen
    /// so far (duplicates): each `<Blob>` starts with none.
    blob_children: Vec<(bool, Vec<&'static str>)>,
}

/// The credential element `name` is (whose content is secret), in any case:
/// a misspelt `<ContainerSAS>` is an unknown element, but still holds a SAS.
fn credential_name(name: &str) -> Option<&'static str> {
    ["StorageAccountKey", "ContainerSas"]
        .into_iter()
        .find(|c| c.eq_ignore_ascii_case(name))
}

/// Attribute `name` of `e`, normalized; the error is a finding's message.
fn attr(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, String> {
    for a in e.attributes() {
        let a = a.map_err(|x| format!("malformed attribute: {x}"))?;
        if a.key.as_ref() == name.as_bytes() {
            let v = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|x| format!("attribute {name}: {x}"))?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

impl<'a> Parser<'a> {
    fn new(ix: &'a LineIndex<'a>) -> Self {
        Parser {
            ix,
            stack: Vec::new(),
            text: String::new(),
            over_long: false,
            found: Vec::new(),
            m: Manifest::default(),
            root: Default::default(),
            list: None,
            side: None,
            blob: None,
            blob_paths: Default::default(),
            blob_children: Vec::new(),
        }
    }

    fn add(&mut self, pos: usize, f: Finding) {
        self.found.push((pos, f));
    }

    fn add_all(&mut self, pos: usize, fs: Vec<Finding>) {
        self.found.extend(fs.into_iter().map(|f| (pos, f)));
    }

    fn parent(&self) -> &str {
        self.stack.last().map(String::as_str).unwrap_or("")
    }

    /// Attribute `name`, `Ok(None)` when absent; `Err` once a malformed
    /// attribute list has been reported.
    fn read_attr(
        &mut self,
        e: &BytesStart<'_>,
        pos: usize,
        name: &str,
    ) -> Result<Option<String>, ()> {
        attr(e, name).map_err(|x| self.add(pos, err(codes::XML, x)))
    }

    /// The required `Hash` attribute: an MD5 in Base16.
    fn hash_attr(&mut self, e: &BytesStart<'_>, pos: usize, what: &str) -> Option<[u8; 16]> {
        let f = match self.read_attr(e, pos, "Hash") {
            Ok(Some(h)) => match parse_md5_hex(&h) {
                Some(md5) => return Some(md5),
                None => err(
                    codes::HASH_FORMAT,
                    format!(
                        "{what} Hash \"{}\" is not an MD5 in Base16 (32 hex digits)",
                        clip(&h, 80)
                    ),
                ),
            },
            Ok(None) => err(codes::HASH_MISSING, format!("{what} has no Hash attribute")),
            Err(()) => return None,
        };
        self.add(pos, f);
        None
    }

    /// A required byte-count attribute.
    fn num_attr(&mut self, e: &BytesStart<'_>, pos: usize, what: &str, name: &str) -> Option<u64> {
        let f = match self.read_attr(e, pos, name) {
            Ok(Some(v)) => match v.trim().parse::<u64>() {
                Ok(n) => return Some(n),
                Err(_) => err(
                    codes::NUMBER,
                    format!("{what} {name}=\"{}\" is not a byte count", clip(&v, 40)),
                ),
            },
            Ok(None) => err(codes::NUMBER, format!("{what} has no {name} attribute")),
            Err(()) => return None,
        };
        self.add(pos, f);
        None
    }

    /// True inside a `<Blob>` that is directly in a `<BlobList>` (the
    /// innermost open `<Blob>`).
    fn in_real_blob(&self) -> bool {
        self.blob_children.last().is_some_and(|(real, _)| *real)
    }

    /// The closing element's text; `None` when it was over the bound (that
    /// has its own finding, and a cut value must not be judged).
    fn take_text(&mut self) -> Option<String> {
        let t = std::mem::take(&mut self.text);
        (!self.over_long).then(|| t.trim().to_string())
    }

    /// The credential element the parser is inside, at any depth. Nothing
    /// inside one (names, text, attributes) may appear in a finding.
    fn credential(&self) -> Option<&'static str> {
        self.stack.iter().find_map(|n| credential_name(n))
    }

    /// How a finding names the innermost open element: inside a credential,
    /// only the credential (a nested "name" may be part of the secret).
    fn shown_element(&self) -> String {
        match self.credential() {
            Some(c) => format!("the content of <{c}>"),
            None if self.stack.is_empty() => "text outside the root element".into(),
            None => format!("<{}>", self.parent()),
        }
    }
}

impl Sink for Parser<'_> {
    fn depth(&self) -> usize {
        self.stack.len()
    }

    fn findings(&self) -> usize {
        self.found.len()
    }

    fn open(&mut self, e: &BytesStart<'_>, pos: usize) {
        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        self.text.clear();
        self.over_long = false;
        let parent = self.parent().to_string();
        if let Some(c) = self.credential() {
            // Never read nor named: a stray `<` in a key makes an "element"
            // of the secret's own characters.
            if credential_name(&parent).is_some() {
                self.add(pos, warn(codes::UNKNOWN_ELEMENT, format!("an element inside <{c}>, which holds only the key or SAS (its content is not shown: it is a secret)")));
            }
            self.stack.push(name);
            return;
        }
        match (parent.as_str(), name.as_str()) {
            // A misplaced or nested `<Blob>` has its warning; what it holds
            // must not change the blob it sits in.
            ("Blob", _) | ("BlockList" | "PageRangeList", _) if !self.in_real_blob() => {}
            ("", _) => self.open_root(e, pos, &name),
            ("DriveManifest", "Drive") => self.open_drive(pos),
            ("Drive", "DriveId") => self.open_drive_id(pos),
            ("Drive", "ClientCreator") => {}
            ("Drive", "StorageAccountKey" | "ContainerSas") => self.open_credential(pos),
            ("Drive", "BlobList") => self.open_blob_list(pos),
            ("BlobList" | "Blob", "MetadataPath" | "PropertiesPath") => {
                self.open_side_file(e, pos, &name)
            }
            ("BlobList", "Blob") => self.open_blob(pos),
            ("Blob", child) => self.open_blob_child(pos, child),
            ("BlockList", "Block") => self.block(e, pos),
            ("PageRangeList", "PageRange") => self.page(e, pos),
            (p, _) => {
                if self.root.root_ok {
                    self.add(
                        pos,
                        warn(
                            codes::UNKNOWN_ELEMENT,
                            format!("unknown element <{name}> in <{p}>"),
                        ),
                    );
                }
            }
        }
        if name == "Blob" {
            self.blob_children.push((parent == "BlobList", Vec::new()));
        }
        self.stack.push(name);
    }

    fn close(&mut self) {
        let Some(name) = self.stack.pop() else { return };
        // Inside a credential nothing was opened but the name (see `open`).
        if self.credential().is_some() {
            self.over_long = false;
            return;
        }
        if name == "Blob" {
            self.blob_children.pop();
        }
        let parent = self.parent().to_string();
        match (parent.as_str(), name.as_str()) {
            ("Blob", _) | ("BlockList" | "PageRangeList", _) if !self.in_real_blob() => {}
            ("Drive", "DriveId") => self.close_drive_id(),
            ("Drive", "ClientCreator") => self.m.client_creator = self.take_text(),
            ("Drive", "StorageAccountKey") => self.close_credential("StorageAccountKey"),
            ("Drive", "ContainerSas") => self.close_credential("ContainerSas"),
            ("BlobList" | "Blob", "MetadataPath" | "PropertiesPath") => {
                self.close_side_file(parent == "Blob", &name)
            }
            ("Blob", child) => self.close_blob_child(child),
            ("BlobList", "Blob") => {
                if let Some(b) = self.blob.take() {
                    self.finish_blob(b);
                }
            }
            ("Drive", "BlobList") => self.close_blob_list(),
            ("DriveManifest", "Drive") => self.close_drive(),
            _ => {}
        }
        self.text.clear();
        self.over_long = false;
    }

    /// Credentials go to the secret buffer, wiped when dropped. Only the open
    /// element's own text is kept: the reader bounds it, not the sum of many
    /// elements' (text nested in a credential or outside the root is unused).
    fn text(&mut self, s: &str, _pos: usize) {
        // Only a credential spelt right is judged (see `close`); text in a
        // misspelt one is dropped with the rest of what a credential holds.
        if matches!(self.parent(), "StorageAccountKey" | "ContainerSas") {
            self.root.secret.push_str(s);
        } else if self.credential().is_none() && !self.stack.is_empty() {
            self.text.push_str(s);
        }
    }

    fn problem(&mut self, pos: usize, p: Problem) {
        // quick-xml's wording quotes names and text: not from inside a secret.
        if let (Some(c), Problem::Syntax(_) | Problem::BadReference(_)) = (self.credential(), &p) {
            let msg =
                format!("malformed XML inside <{c}> (its content is not shown: it is a secret)");
            self.add(pos, err(codes::XML, msg));
            return;
        }
        let f = match p {
            Problem::Doctype => err(
                codes::DOCTYPE,
                "a DOCTYPE is not allowed in a drive manifest; it is not processed",
            ),
            Problem::TooDeep => err(
                codes::XML,
                format!("elements nested deeper than {MAX_DEPTH}"),
            ),
            Problem::BadReference(_) => err(
                codes::XML,
                "undefined entity or bad character reference (entities are never resolved)",
            ),
            Problem::Syntax(msg) => err(codes::XML, msg),
            Problem::TooLong(n) => {
                // The partial value is dropped: only the finding remains.
                self.over_long = true;
                self.text.clear();
                if credential_name(self.parent()).is_some() {
                    self.root.secret.clear();
                }
                err(
                    codes::TOO_LONG,
                    reader::too_long_message(&self.shown_element(), n, "manifest element"),
                )
            }
        };
        self.add(pos, f);
    }

    fn eof(&mut self, end: usize) {
        if !self.stack.is_empty() {
            self.add(end, err(codes::XML, "the document ends inside an element"));
        } else {
            self.end_of_document();
        }
    }
}

/// Parse and check a manifest. Findings carry "line L, column C" subjects.
/// Returns `None` for the manifest when it could not be read at all.
pub fn parse_manifest(bytes: &[u8]) -> (Option<Manifest>, Vec<Finding>) {
    let only = |f: Finding, at: (usize, usize)| (None, vec![at_line_col(f, at)]);
    const START: (usize, usize) = (1, 1);
    if bytes.len() as u64 > super::MAX_BYTES {
        return only(
            err(
                codes::TOO_LARGE,
                format!(
                    "{} bytes is more than the {} this tool reads",
                    bytes.len(),
                    super::MAX_BYTES
                ),
            ),
            START,
        );
    }
    // A UTF-16 manifest is decoded and checked like any other.
    let (text, utf16) = match reader::text(bytes) {
        Ok(t) => t,
        Err((at, why)) => return only(err(codes::ENCODING, why), at),
    };
    let ix = LineIndex::new(&text);
    let mut p = Parser::new(&ix);
    if utf16 {
        let f = warn(codes::ENCODING, reader::utf16_message("manifest"))
            .with_hint("save the manifest as UTF-8");
        p.add(0, f);
    }
    // A manifest cut short (an XML error, elements left open) is not returned:
    // its last blob or list is partial. One with too many findings is: what
    // was read up to there (the rest is one finding saying so).
    let fatal = match reader::read(&text, MAX_DEPTH, MAX_FINDINGS, &mut p) {
        Ended::Eof => !p.stack.is_empty(),
        Ended::Error => true,
        Ended::TooManyFindings => false,
    };
    let out = positioned(
        p.found,
        &ix,
        MAX_FINDINGS,
        codes::TOO_MANY_FINDINGS,
        DriveStatus::ManifestFileError,
    );
    let m = if p.root.root_ok && !fatal {
        Some(p.m)
    } else {
        None
    };
    (m, out)
}
