//! Export blob-list XML validation (S-EXPDRV, S-FROMBLOBS, S-DBEXP in `docs/sources.md`; Data Box
//! export uses the same format): predicts
//! "Export blob list format invalid".
//!
//! Streaming (quick-xml), bounded: input size, text per entry and the number
//! of findings are capped; DTDs are reported and never processed, and only the
//! five predefined entities and character references are resolved.

mod entries;
pub mod inventory;

use crate::xml::at_line_col;
pub use crate::xml::{positioned, LineIndex};
pub use entries::{check_entry, Entry, EntryKind};

use crate::report::{DriveStatus, Finding};
use crate::xml::reader::{self, Problem, Sink};
use quick_xml::events::BytesStart;

/// The stable finding codes of the blob-list validator.
pub mod codes {
    crate::finding_codes! {
        TOO_LARGE = "bloblist.too-large";
        EMPTY = "bloblist.empty";
        ENCODING = "bloblist.encoding";
        XML = "bloblist.xml";
        TOO_LONG = "bloblist.text-too-long";
        DOCTYPE = "bloblist.doctype";
        ROOT = "bloblist.root";
        ELEMENT_CASE = "bloblist.element-case";
        UNKNOWN_ELEMENT = "bloblist.unknown-element";
        AZURE_FILE_LIST = "bloblist.azure-file-list";
        ATTRIBUTE = "bloblist.attribute";
        TEXT = "bloblist.text";
        EMPTY_LIST = "bloblist.empty-list";
        EMPTY_ENTRY = "bloblist.empty-entry";
        WHITESPACE = "bloblist.whitespace";
        PREFIX_NO_SLASH = "bloblist.prefix-no-slash";
        PATH_LEADING_SLASH = "bloblist.path-leading-slash";
        PATH_CONTAINER_ONLY = "bloblist.path-container-only";
        CONTAINER_NAME = "bloblist.container-name";
        ROOT_SLASH = "bloblist.root-slash";
        BLOB_NAME = "bloblist.blob-name";
        DUPLICATE = "bloblist.duplicate";
        COVERED = "bloblist.covered";
        TOO_MANY_FINDINGS = "bloblist.too-many-findings";
        // `--inventory` (see `inventory`).
        NTFS_NAME = "bloblist.ntfs-name";
        ARCHIVE_TIER = "bloblist.archive-tier";
        BLOB_TOO_LARGE = "bloblist.blob-too-large";
        SELECTS_NOTHING = "bloblist.selects-nothing";
    }
}

/// Larger lists are not checked (the service's own limit is unconfirmed).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// At most this many findings; then one `bloblist.too-many-findings`.
pub const MAX_FINDINGS: usize = 10_000;
/// A blob list is two levels deep; deeper nesting is refused (bounds memory).
pub const MAX_DEPTH: usize = 32;

const ROOT_NAME: &str = "BlobList";
const PATH_NAME: &str = "BlobPath";
const PREFIX_NAME: &str = "BlobPathPrefix";
/// Data Box's list of Azure Files to export.
const AZURE_FILE_LIST_NAME: &str = "AzureFileList";

fn err(code: &'static str, msg: impl Into<String>) -> Finding {
    Finding::error(code, DriveStatus::ExportBlobListInvalid, "", msg)
}

fn warn(code: &'static str, msg: impl Into<String>) -> Finding {
    Finding::warning(code, DriveStatus::ExportBlobListInvalid, "", msg)
}

enum Frame {
    /// The root; `valid` when it is `<BlobList>`; `entries` seen inside.
    Root {
        valid: bool,
        pos: usize,
        entries: usize,
    },
    Entry(Entry),
    /// Anything else; its content is not checked.
    Other,
}

#[derive(Default)]
struct Parser {
    stack: Vec<Frame>,
    root_done: bool,
    entries: Vec<Entry>,
    found: Vec<(usize, Finding)>,
}

impl Parser {
    fn add(&mut self, pos: usize, f: Finding) {
        self.found.push((pos, f));
    }

    /// The blob-list format has no attributes: each one is a warning, a
    /// malformed one an error (and the rest are not looked at).
    fn check_attributes(&mut self, e: &BytesStart<'_>, name: &str, pos: usize) {
        for a in e.attributes() {
            match a {
                Ok(a) => {
                    let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                    self.add(
                        pos,
                        warn(
                            codes::ATTRIBUTE,
                            format!(
                                "attribute `{key}` on <{name}> is not part of the blob-list format"
                            ),
                        ),
                    );
                }
                Err(x) => {
                    self.add(
                        pos,
                        err(codes::XML, format!("malformed attribute on <{name}>: {x}")),
                    );
                    break;
                }
            }
        }
    }

    /// The frame of a top-level element: the root (valid when `<BlobList>`),
    /// or, after the root, an error.
    fn root_frame(&mut self, name: &str, pos: usize) -> Frame {
        if name == AZURE_FILE_LIST_NAME {
            // Data Box's export list puts <AzureFileList> beside <BlobList>
            // (two top-level elements): the blob part still applies.
            self.add(
                pos,
                warn(
                    codes::AZURE_FILE_LIST,
                    "<AzureFileList> beside <BlobList> is Data Box's export list layout; Import/Export does not export Azure Files, so only the <BlobList> part is used",
                ),
            );
            return Frame::Other;
        }
        if self.root_done {
            self.add(
                pos,
                err(
                    codes::XML,
                    format!("<{name}> after the root element: an XML document has one root"),
                ),
            );
            return Frame::Other;
        }
        if name == ROOT_NAME {
            return Frame::Root {
                valid: true,
                pos,
                entries: 0,
            };
        }
        let msg = if name.eq_ignore_ascii_case(ROOT_NAME) {
            format!("root element <{name}> must be spelled <BlobList> (names are case-sensitive)")
        } else {
            format!("root element is <{name}>, not <BlobList>")
        };
        self.add(pos, err(codes::ROOT, msg));
        Frame::Root {
            valid: false,
            pos,
            entries: 0,
        }
    }

    /// The frame of an element inside a valid `<BlobList>`: an entry, counted
    /// in the root, or anything else with its finding (a misspelt name is an
    /// error, an unknown one a warning).
    fn entry_frame(&mut self, name: &str, pos: usize) -> Frame {
        let kind = match name {
            PATH_NAME => Some(EntryKind::Path),
            PREFIX_NAME => Some(EntryKind::Prefix),
            _ => None,
        };
        if let Some(kind) = kind {
            if let Some(Frame::Root { entries, .. }) = self.stack.last_mut() {
                *entries += 1;
            }
            return Frame::Entry(Entry {
                kind,
                text: String::new(),
                pos,
            });
        }
        let f = if let Some(good) = [PATH_NAME, PREFIX_NAME]
            .iter()
            .find(|g| g.eq_ignore_ascii_case(name))
        {
            err(
                codes::ELEMENT_CASE,
                format!("<{name}> must be spelled <{good}> (names are case-sensitive)"),
            )
        } else if name == AZURE_FILE_LIST_NAME {
            warn(
                codes::AZURE_FILE_LIST,
                "<AzureFileList> is for Data Box; Import/Export does not export Azure Files",
            )
        } else {
            warn(codes::UNKNOWN_ELEMENT, format!("unknown element <{name}>; only <BlobPath> and <BlobPathPrefix> belong in <BlobList>"))
        };
        self.add(pos, f);
        Frame::Other
    }
}

impl Sink for Parser {
    fn depth(&self) -> usize {
        self.stack.len()
    }

    fn findings(&self) -> usize {
        self.found.len()
    }

    fn open(&mut self, e: &BytesStart<'_>, pos: usize) {
        let raw = e.name();
        let name = String::from_utf8_lossy(raw.as_ref()).into_owned();
        self.check_attributes(e, &name, pos);
        let frame = match self.stack.last() {
            None => self.root_frame(&name, pos),
            Some(Frame::Root { valid: true, .. }) => self.entry_frame(&name, pos),
            Some(Frame::Entry(en)) => {
                let parent = en.kind.element();
                self.add(
                    pos,
                    warn(
                        codes::UNKNOWN_ELEMENT,
                        format!("element <{name}> inside <{parent}>, which holds only text"),
                    ),
                );
                Frame::Other
            }
            Some(Frame::Root { valid: false, .. }) | Some(Frame::Other) => Frame::Other,
        };
        self.stack.push(frame);
    }

    fn close(&mut self) {
        match self.stack.pop() {
            Some(Frame::Entry(e)) => self.entries.push(e),
            Some(Frame::Root {
                valid,
                pos,
                entries,
            }) => {
                self.root_done = true;
                if valid && entries == 0 {
                    self.add(pos, err(codes::EMPTY_LIST, "<BlobList> has no <BlobPath> or <BlobPathPrefix>: nothing would be exported"));
                }
            }
            Some(Frame::Other) | None => {}
        }
    }

    fn text(&mut self, s: &str, pos: usize) {
        match self.stack.last_mut() {
            // The reader bounds an element's text.
            Some(Frame::Entry(e)) => e.text.push_str(s),
            _ if s.trim().is_empty() => {}
            None => self.add(pos, err(codes::XML, "text outside the root element")),
            Some(Frame::Root { valid: true, .. }) => self.add(
                pos,
                warn(
                    codes::TEXT,
                    "text directly inside <BlobList> is not an entry",
                ),
            ),
            Some(_) => {}
        }
    }

    fn problem(&mut self, pos: usize, p: Problem) {
        let f = match p {
            Problem::Doctype => warn(
                codes::DOCTYPE,
                "a DOCTYPE is not expected; it is not processed and the service may reject it",
            ),
            Problem::TooDeep => err(
                codes::XML,
                format!("elements nested deeper than {MAX_DEPTH}; not checked further"),
            ),
            Problem::BadReference(msg) | Problem::Syntax(msg) => err(codes::XML, msg),
            Problem::TooLong(n) => {
                let what = match self.stack.last() {
                    None => "text outside the root element".to_string(),
                    Some(Frame::Root { .. }) => "the root element's own text".to_string(),
                    Some(Frame::Other) => "an element's text".to_string(),
                    Some(Frame::Entry(e)) => format!("<{}>", e.kind.element()),
                };
                // A cut entry is not judged nor kept: only this finding.
                if let Some(f @ Frame::Entry(_)) = self.stack.last_mut() {
                    *f = Frame::Other;
                }
                err(
                    codes::TOO_LONG,
                    reader::too_long_message(&what, n, "blob-list entry"),
                )
            }
        };
        self.add(pos, f);
    }

    fn eof(&mut self, end: usize) {
        if let Some(open) = self.stack.iter().rev().find_map(|f| match f {
            Frame::Root { .. } => Some(ROOT_NAME),
            _ => None,
        }) {
            self.add(
                end,
                err(
                    codes::XML,
                    format!("the document ends before <{open}> is closed"),
                ),
            );
        } else if self.stack.is_empty() && !self.root_done {
            self.add(0, err(codes::ROOT, "no root element; expected <BlobList>"));
        } else if !self.stack.is_empty() {
            self.add(end, err(codes::XML, "the document ends inside an element"));
        }
    }
}

/// Validate an export blob list. Every finding's subject is "line L, column C"
/// (columns count characters) of the markup it is about.
pub fn validate_blob_list(bytes: &[u8]) -> Vec<Finding> {
    parse_blob_list(bytes).0
}

/// [`validate_blob_list`], and the entries read (empty when the list could not be read).
pub fn parse_blob_list(bytes: &[u8]) -> (Vec<Finding>, Vec<Entry>) {
    let mut entries = Vec::new();
    let found = validate_into(bytes, &mut entries);
    (found, entries)
}

fn validate_into(bytes: &[u8], entries_out: &mut Vec<Entry>) -> Vec<Finding> {
    let at_start = |code, msg: &str| vec![at_line_col(err(code, msg), (1, 1))];
    if bytes.len() > MAX_BYTES {
        let f = Finding::warning(
            codes::TOO_LARGE,
            DriveStatus::ExportBlobListInvalid,
            "",
            format!(
                "{} bytes is more than the {MAX_BYTES} this tool checks; not checked",
                bytes.len()
            ),
        );
        return vec![at_line_col(f, (1, 1))];
    }
    // A UTF-16 blob list is decoded and checked like any other; whether the
    // service reads UTF-16 is not known, so that alone is a warning.
    let (text, utf16) = match reader::text(bytes) {
        Ok(t) => t,
        Err((at, why)) => return vec![at_line_col(err(codes::ENCODING, why), at)],
    };
    let text: &str = &text;
    if text.trim().is_empty() {
        return at_start(codes::EMPTY, "the blob list is empty");
    }
    let ix = LineIndex::new(text);
    let mut p = Parser::default();
    reader::read(text, MAX_DEPTH, MAX_FINDINGS, &mut p);
    // An entry still open at a syntax error is not checked: its text is partial.
    let mut found = std::mem::take(&mut p.found);
    if utf16 {
        let f = warn(codes::ENCODING, reader::utf16_message("blob list"))
            .with_hint("save the blob list as UTF-8");
        found.insert(0, (0, f));
    }
    for e in &p.entries {
        found.extend(check_entry(e).into_iter().map(|f| (e.pos, f)));
    }
    found.extend(
        entries::check_set(&p.entries, |pos| ix.subject(pos))
            .into_iter()
            .map(|(i, f)| (p.entries[i].pos, f)),
    );
    let out = positioned(
        found,
        &ix,
        MAX_FINDINGS,
        codes::TOO_MANY_FINDINGS,
        DriveStatus::ExportBlobListInvalid,
    );
    *entries_out = p.entries;
    out
}
