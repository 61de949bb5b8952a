//! Streaming parse and structural validation of a drive manifest (§1.2).

use super::{base64_decoded_len, codes, parse_md5_hex, MAX_BLOCKS, MAX_RANGE};
use crate::bloblist::{positioned, LineIndex};
use crate::report::{DriveStatus, Finding};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use zeroize::Zeroizing;

/// Deeper nesting is refused (the format is six levels deep).
const MAX_DEPTH: usize = 16;
/// Text kept per element; paths and ids are far shorter.
const TEXT_MAX: usize = 64 * 1024;
/// At most this many findings from one manifest.
pub const MAX_FINDINGS: usize = 10_000;
/// Largest page blob (S-FAQ: 8 TiB).
const MAX_PAGE_BLOB: u64 = 8 << 40;

/// One block or page range: what its MD5 must be over `offset..offset+len` of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub offset: u64,
    pub len: u64,
    pub md5: Option<[u8; 16]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlobKind {
    Block,
    Page,
    /// Neither list (already a finding).
    Unknown,
}

/// A `MetadataPath` / `PropertiesPath` reference.
#[derive(Debug, Clone)]
pub struct SideFile {
    pub path: String,
    pub md5: Option<[u8; 16]>,
    /// "line L, column C" of the element.
    pub at: String,
    pub metadata: bool,
}

#[derive(Debug, Clone)]
pub struct Blob {
    pub blob_path: String,
    pub file_path: String,
    pub length: Option<u64>,
    pub kind: BlobKind,
    pub ranges: Vec<Range>,
    pub metadata: Option<SideFile>,
    pub properties: Option<SideFile>,
    /// "line L, column C" of `<Blob>`.
    pub at: String,
}

#[derive(Debug, Clone, Default)]
pub struct BlobList {
    pub metadata: Option<SideFile>,
    pub properties: Option<SideFile>,
    pub blobs: Vec<Blob>,
}

/// What the manifest says; the account key / SAS is only noted by name.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    pub version: Option<String>,
    pub drive_id: Option<String>,
    /// `StorageAccountKey` or `ContainerSas` (never the value).
    pub credential: Option<&'static str>,
    pub client_creator: Option<String>,
    pub blob_lists: Vec<BlobList>,
}

/// What the Azure rules need of one `<Blob>`: where it comes from and where it
/// goes, without its block or page-range list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobTarget {
    /// `FilePath` as written (`\dir\file`).
    pub file_path: String,
    /// `BlobPath` as written (`container/blob`).
    pub blob_path: String,
    pub kind: BlobKind,
    pub length: Option<u64>,
}

impl Manifest {
    /// Every `<Blob>` with a `BlobPath` and a `FilePath`, in manifest order.
    pub fn blob_targets(&self) -> Vec<BlobTarget> {
        self.blobs()
            .filter(|b| !b.blob_path.is_empty() && !b.file_path.is_empty())
            .map(|b| BlobTarget {
                file_path: b.file_path.clone(),
                blob_path: b.blob_path.clone(),
                kind: b.kind,
                length: b.length,
            })
            .collect()
    }

    pub fn blobs(&self) -> impl Iterator<Item = &Blob> {
        self.blob_lists.iter().flat_map(|l| l.blobs.iter())
    }
    /// Every metadata/properties reference (list defaults and per-blob).
    pub fn side_files(&self) -> impl Iterator<Item = &SideFile> {
        self.blob_lists.iter().flat_map(|l| {
            l.metadata.iter().chain(l.properties.iter()).chain(
                l.blobs
                    .iter()
                    .flat_map(|b| b.metadata.iter().chain(b.properties.iter())),
            )
        })
    }
}

fn err(code: &'static str, msg: impl Into<String>) -> Finding {
    Finding::error(code, DriveStatus::ManifestFileError, "", msg)
}
fn warn(code: &'static str, msg: impl Into<String>) -> Finding {
    Finding::warning(code, DriveStatus::ManifestFileError, "", msg)
}

#[derive(Default)]
struct BlobBuild {
    blob_path: Option<String>,
    file_path: Option<String>,
    length: Option<u64>,
    has_blocks: bool,
    has_pages: bool,
    ranges: Vec<Range>,
    metadata: Option<SideFile>,
    properties: Option<SideFile>,
    pos: usize,
    with_id: usize,
    without_id: usize,
    id_len: Option<usize>,
    id_len_reported: bool,
    /// Blocks: where the next one must start. Pages: end of the previous one.
    next: u64,
    count: usize,
    too_many_reported: bool,
}

struct Parser<'a> {
    ix: &'a LineIndex<'a>,
    stack: Vec<String>,
    text: String,
    secret: Zeroizing<String>,
    found: Vec<(usize, Finding)>,
    m: Manifest,
    root_ok: bool,
    seen_drive: bool,
    drive_pos: usize,
    drive_id_pos: Option<usize>,
    blob_list_seen: bool,
    cred_count: usize,
    list: Option<(BlobList, usize)>,
    blob: Option<BlobBuild>,
    side: Option<(bool, Option<[u8; 16]>, usize)>,
    blob_paths: std::collections::HashSet<String>,
    blob_children: Vec<&'static str>,
    /// The container a ContainerSas is for (not secret; the token is).
    sas_container: Option<String>,
}

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
    fn add(&mut self, pos: usize, f: Finding) {
        self.found.push((pos, f));
    }

    fn parent(&self) -> &str {
        self.stack.last().map(String::as_str).unwrap_or("")
    }

    fn hash_attr(
        &mut self,
        e: &BytesStart<'_>,
        pos: usize,
        what: &str,
        required: bool,
    ) -> Option<[u8; 16]> {
        match attr(e, "Hash") {
            Ok(Some(h)) => match parse_md5_hex(&h) {
                Some(md5) => Some(md5),
                None => {
                    self.add(
                        pos,
                        err(
                            codes::HASH_FORMAT,
                            format!(
                                "{what} Hash \"{}\" is not an MD5 in Base16 (32 hex digits)",
                                h.chars().take(80).collect::<String>()
                            ),
                        ),
                    );
                    None
                }
            },
            Ok(None) => {
                if required {
                    self.add(
                        pos,
                        err(codes::HASH_MISSING, format!("{what} has no Hash attribute")),
                    );
                }
                None
            }
            Err(x) => {
                self.add(pos, err(codes::XML, x));
                None
            }
        }
    }

    fn num_attr(&mut self, e: &BytesStart<'_>, pos: usize, what: &str, name: &str) -> Option<u64> {
        match attr(e, name) {
            Ok(Some(v)) => match v.trim().parse::<u64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    self.add(
                        pos,
                        err(
                            codes::NUMBER,
                            format!(
                                "{what} {name}=\"{}\" is not a byte count",
                                v.chars().take(40).collect::<String>()
                            ),
                        ),
                    );
                    None
                }
            },
            Ok(None) => {
                self.add(
                    pos,
                    err(codes::NUMBER, format!("{what} has no {name} attribute")),
                );
                None
            }
            Err(x) => {
                self.add(pos, err(codes::XML, x));
                None
            }
        }
    }

    fn open(&mut self, e: &BytesStart<'_>, pos: usize) {
        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        self.text.clear();
        let parent = self.parent().to_string();
        match (parent.as_str(), name.as_str()) {
            ("", _) => {
                if name == "DriveManifest" {
                    self.root_ok = true;
                    match attr(e, "Version") {
                        Ok(Some(v)) => {
                            if v != "2014-11-01" && v != "2011-10-01" {
                                self.add(pos, Finding::info(codes::VERSION, DriveStatus::ManifestFileError, "", format!("manifest Version \"{}\" is not one seen in Microsoft's documents (2014-11-01, 2011-10-01)", v.chars().take(40).collect::<String>())));
                            }
                            self.m.version = Some(v);
                        }
                        Ok(None) => self.add(
                            pos,
                            warn(codes::VERSION, "<DriveManifest> has no Version attribute"),
                        ),
                        Err(x) => self.add(pos, err(codes::XML, x)),
                    }
                } else {
                    self.add(
                        pos,
                        err(
                            codes::ROOT,
                            format!("root element is <{name}>, not <DriveManifest>"),
                        ),
                    );
                }
            }
            ("DriveManifest", "Drive") => {
                if self.seen_drive {
                    self.add(
                        pos,
                        err(
                            codes::DUPLICATE_ELEMENT,
                            "a second <Drive>: a manifest describes one drive",
                        ),
                    );
                }
                self.seen_drive = true;
                self.drive_pos = pos;
            }
            ("Drive", "DriveId") | ("Drive", "ClientCreator") => {
                if name == "DriveId" {
                    if self.drive_id_pos.is_some() {
                        self.add(pos, err(codes::DUPLICATE_ELEMENT, "a second <DriveId>"));
                    }
                    if self.blob_list_seen {
                        self.add(
                            pos,
                            err(
                                codes::DRIVE_ID_ORDER,
                                "<DriveId> must come before every <BlobList>",
                            ),
                        );
                    }
                    self.drive_id_pos = Some(pos);
                }
            }
            ("Drive", "StorageAccountKey") | ("Drive", "ContainerSas") => {
                self.cred_count += 1;
                if self.cred_count == 2 {
                    self.add(pos, err(codes::CREDENTIALS_BOTH, "the manifest has both <StorageAccountKey> and <ContainerSas> (or one twice); exactly one is allowed"));
                }
                self.secret.clear();
            }
            ("Drive", "BlobList") => {
                if self.drive_id_pos.is_none() && !self.blob_list_seen {
                    self.add(
                        pos,
                        err(
                            codes::DRIVE_ID_ORDER,
                            "<BlobList> before <DriveId>: the DriveId must come first",
                        ),
                    );
                }
                self.blob_list_seen = true;
                self.list = Some((BlobList::default(), pos));
            }
            ("BlobList", "MetadataPath")
            | ("BlobList", "PropertiesPath")
            | ("Blob", "MetadataPath")
            | ("Blob", "PropertiesPath") => {
                let md5 = self.hash_attr(e, pos, &format!("<{name}>"), true);
                self.side = Some((name == "MetadataPath", md5, pos));
            }
            ("BlobList", "Blob") => {
                self.blob = Some(BlobBuild {
                    pos,
                    ..Default::default()
                });
                self.blob_children.clear();
            }
            ("Blob", child) => {
                const KNOWN: [&str; 8] = [
                    "BlobPath",
                    "FilePath",
                    "ClientData",
                    "Snapshot",
                    "Length",
                    "ImportDisposition",
                    "BlockList",
                    "PageRangeList",
                ];
                match KNOWN.iter().find(|k| **k == child) {
                    Some(k) => {
                        if self.blob_children.contains(k) {
                            self.add(
                                pos,
                                err(
                                    codes::DUPLICATE_ELEMENT,
                                    format!("a second <{child}> in one <Blob>"),
                                ),
                            );
                        }
                        self.blob_children.push(k);
                        if let Some(b) = self.blob.as_mut() {
                            match child {
                                "BlockList" => b.has_blocks = true,
                                "PageRangeList" => b.has_pages = true,
                                _ => {}
                            }
                            if child == "BlockList" || child == "PageRangeList" {
                                b.next = 0;
                                b.count = 0;
                            }
                        }
                        if child == "Snapshot" {
                            self.add(pos, warn(codes::SNAPSHOT, "<Snapshot> belongs to export manifests; an import manifest does not use it"));
                        }
                    }
                    None => self.add(
                        pos,
                        warn(
                            codes::UNKNOWN_ELEMENT,
                            format!("unknown element <{child}> in <Blob>"),
                        ),
                    ),
                }
            }
            ("BlockList", "Block") => self.block(e, pos),
            ("PageRangeList", "PageRange") => self.page(e, pos),
            (p, _) if !self.root_ok && p.is_empty() => {}
            (p, _) => {
                if self.root_ok {
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
        self.stack.push(name);
    }

    fn block(&mut self, e: &BytesStart<'_>, pos: usize) {
        let off = self.num_attr(e, pos, "<Block>", "Offset");
        let len = self.num_attr(e, pos, "<Block>", "Length");
        let md5 = self.hash_attr(e, pos, "<Block>", true);
        let id = match attr(e, "Id") {
            Ok(v) => v,
            Err(x) => {
                self.add(pos, err(codes::XML, x));
                None
            }
        };
        let mut out = Vec::new();
        let Some(b) = self.blob.as_mut() else { return };
        b.count += 1;
        if b.count > MAX_BLOCKS && !b.too_many_reported {
            b.too_many_reported = true;
            out.push(err(
                codes::TOO_MANY_BLOCKS,
                format!("more than {MAX_BLOCKS} blocks in one blob"),
            ));
        }
        match &id {
            Some(id) => {
                b.with_id += 1;
                match base64_decoded_len(id.trim()) {
                    None => out.push(err(
                        codes::BLOCK_ID_BASE64,
                        format!(
                            "block Id \"{}\" is not Base64",
                            id.chars().take(80).collect::<String>()
                        ),
                    )),
                    Some(n) if n > 64 => out.push(err(
                        codes::BLOCK_ID_LENGTH,
                        format!("block Id decodes to {n} bytes; at most 64 are allowed"),
                    )),
                    Some(_) => match b.id_len {
                        None => b.id_len = Some(id.trim().len()),
                        Some(l) if l != id.trim().len() && !b.id_len_reported => {
                            b.id_len_reported = true;
                            out.push(err(codes::BLOCK_ID_LENGTH, "block Ids of one blob have different lengths; Azure requires them all the same length"));
                        }
                        Some(_) => {}
                    },
                }
            }
            None => b.without_id += 1,
        }
        if let (Some(off), Some(len)) = (off, len) {
            if len > MAX_RANGE {
                out.push(err(codes::BLOCK_TOO_LARGE, format!("block of {len} bytes at offset {off}: blocks are at most {MAX_RANGE} bytes (4 MiB)")));
            }
            if len == 0 {
                out.push(warn(
                    codes::BLOCK_EMPTY,
                    format!("empty block at offset {off}"),
                ));
            }
            if off > b.next {
                out.push(err(codes::BLOCK_GAP, format!("gap: block starts at {off} but the previous one ends at {}; blocks must be contiguous", b.next)));
            } else if off < b.next {
                out.push(err(codes::BLOCK_OVERLAP, format!("block at {off} starts before the previous one ends ({}); blocks must be in order without overlap", b.next)));
            }
            b.next = off.saturating_add(len);
            b.ranges.push(Range {
                offset: off,
                len,
                md5,
            });
        }
        for f in out {
            self.add(pos, f);
        }
    }

    fn page(&mut self, e: &BytesStart<'_>, pos: usize) {
        let off = self.num_attr(e, pos, "<PageRange>", "Offset");
        let len = self.num_attr(e, pos, "<PageRange>", "Length");
        let md5 = self.hash_attr(e, pos, "<PageRange>", true);
        let mut out = Vec::new();
        let Some(b) = self.blob.as_mut() else { return };
        if let (Some(off), Some(len)) = (off, len) {
            if off % 512 != 0 || len % 512 != 0 {
                out.push(err(codes::PAGE_ALIGN, format!("page range at {off}, {len} bytes: offset and length must be multiples of 512")));
            }
            if len > MAX_RANGE {
                out.push(err(
                    codes::PAGE_TOO_LARGE,
                    format!("page range of {len} bytes: at most {MAX_RANGE} bytes (4 MiB)"),
                ));
            }
            if b.count > 0 && off < b.next {
                out.push(err(codes::PAGE_OVERLAP, format!("page range at {off} overlaps (or comes before) the previous one, which ends at {}", b.next)));
            }
            b.count += 1;
            b.next = b.next.max(off.saturating_add(len));
            b.ranges.push(Range {
                offset: off,
                len,
                md5,
            });
        }
        for f in out {
            self.add(pos, f);
        }
    }

    fn take_text(&mut self) -> String {
        std::mem::take(&mut self.text).trim().to_string()
    }

    fn close(&mut self) {
        let Some(name) = self.stack.pop() else { return };
        let parent = self.parent().to_string();
        match (parent.as_str(), name.as_str()) {
            ("Drive", "DriveId") => {
                let t = self.take_text();
                if t.is_empty() {
                    let p = self.drive_id_pos.unwrap_or(0);
                    self.add(p, err(codes::DRIVE_ID_MISSING, "<DriveId> is empty"));
                } else if t.contains(char::is_whitespace) {
                    let p = self.drive_id_pos.unwrap_or(0);
                    self.add(p, warn(codes::DRIVE_ID_MISMATCH, "<DriveId> contains spaces; the service compares it with the drive serial number without spaces"));
                }
                self.m.drive_id = Some(t);
            }
            ("Drive", "ClientCreator") => self.m.client_creator = Some(self.take_text()),
            ("Drive", "StorageAccountKey") => {
                self.m.credential = Some("StorageAccountKey");
                let ok = base64_decoded_len(self.secret.trim()).is_some_and(|n| n == 64);
                self.secret.clear();
                if !ok {
                    let p = self.stack_pos();
                    self.add(p, Finding::error(codes::ACCOUNT_KEY_FORMAT, DriveStatus::BlobAccessForbidden, "", "<StorageAccountKey> is not a storage account key (88 Base64 characters, 64 bytes); its value is not shown").with_hint("copy the key from the storage account's \"Access keys\" page"));
                }
            }
            ("Drive", "ContainerSas") => {
                self.m.credential = Some("ContainerSas");
                let s = self.secret.trim();
                let ok = match s.split_once('?') {
                    Some((c, q)) => {
                        crate::azure::rules::is_valid_container_name(c)
                            && q.split('&')
                                .any(|kv| kv.starts_with("sig=") && kv.len() > 4)
                    }
                    None => false,
                };
                if ok {
                    self.sas_container = s.split_once('?').map(|(c, _)| c.to_string());
                }
                self.secret.clear();
                if !ok {
                    let p = self.stack_pos();
                    self.add(p, Finding::error(codes::SAS_FORMAT, DriveStatus::BlobAccessForbidden, "", "<ContainerSas> is not `<container>?<SAS token with sig=>`; its value is not shown"));
                }
            }
            ("BlobList" | "Blob", "MetadataPath" | "PropertiesPath") => {
                let path = self.take_text();
                let Some((metadata, md5, pos)) = self.side.take() else {
                    return;
                };
                if path.is_empty() {
                    self.add(pos, err(codes::SIDE_PATH, format!("<{name}> is empty")));
                }
                let sf = SideFile {
                    path,
                    md5,
                    at: self.ix.subject(pos),
                    metadata,
                };
                let slot = if parent == "Blob" {
                    self.blob.as_mut().map(|b| {
                        if metadata {
                            &mut b.metadata
                        } else {
                            &mut b.properties
                        }
                    })
                } else {
                    self.list.as_mut().map(|(l, _)| {
                        if metadata {
                            &mut l.metadata
                        } else {
                            &mut l.properties
                        }
                    })
                };
                let dup = slot.is_some_and(|slot| slot.replace(sf).is_some());
                if dup {
                    self.add(
                        pos,
                        err(codes::DUPLICATE_ELEMENT, format!("a second <{name}>")),
                    );
                }
            }
            ("Blob", "BlobPath") => {
                let t = self.take_text();
                if let Some(b) = self.blob.as_mut() {
                    b.blob_path = Some(t);
                }
            }
            ("Blob", "FilePath") => {
                let t = self.take_text();
                if let Some(b) = self.blob.as_mut() {
                    b.file_path = Some(t);
                }
            }
            ("Blob", "Length") => {
                let t = self.take_text();
                let p = self.blob.as_ref().map_or(0, |b| b.pos);
                match t.parse::<u64>() {
                    Ok(n) => {
                        if let Some(b) = self.blob.as_mut() {
                            b.length = Some(n);
                        }
                    }
                    Err(_) => self.add(
                        p,
                        err(
                            codes::NUMBER,
                            format!(
                                "<Length> \"{}\" is not a byte count",
                                t.chars().take(40).collect::<String>()
                            ),
                        ),
                    ),
                }
            }
            ("Blob", "ImportDisposition") => {
                let t = self.take_text();
                if !matches!(t.as_str(), "no-overwrite" | "overwrite" | "rename") {
                    let p = self.blob.as_ref().map_or(0, |b| b.pos);
                    self.add(p, err(codes::DISPOSITION, format!("<ImportDisposition> \"{}\" is not no-overwrite, overwrite or rename", t.chars().take(40).collect::<String>())));
                }
            }
            ("BlobList", "Blob") => {
                if let Some(b) = self.blob.take() {
                    self.finish_blob(b);
                }
            }
            ("Drive", "BlobList") => {
                if let Some((l, pos)) = self.list.take() {
                    if l.blobs.is_empty() {
                        self.add(pos, err(codes::EMPTY_BLOB_LIST, "<BlobList> has no <Blob>"));
                    }
                    self.m.blob_lists.push(l);
                }
            }
            ("DriveManifest", "Drive") => {
                let p = self.drive_pos;
                if self.drive_id_pos.is_none() {
                    self.add(p, err(codes::DRIVE_ID_MISSING, "<Drive> has no <DriveId>"));
                }
                if self.cred_count == 0 {
                    self.add(p, err(codes::CREDENTIALS_MISSING, "<Drive> has neither <StorageAccountKey> nor <ContainerSas>; an import manifest needs exactly one"));
                }
                if !self.blob_list_seen {
                    self.add(
                        p,
                        err(
                            codes::NO_BLOB_LIST,
                            "<Drive> has no <BlobList>: nothing would be imported",
                        ),
                    );
                }
            }
            _ => {}
        }
    }

    /// Position of the innermost open element that has one recorded (the Drive's).
    fn stack_pos(&self) -> usize {
        self.drive_pos
    }

    fn finish_blob(&mut self, b: BlobBuild) {
        let pos = b.pos;
        let mut out = Vec::new();
        let blob_path = b.blob_path.unwrap_or_default();
        let file_path = b.file_path.unwrap_or_default();
        if blob_path.is_empty() {
            out.push(err(
                codes::BLOB_PATH,
                "<Blob> has no (or an empty) <BlobPath>",
            ));
        } else {
            if blob_path.starts_with('/') {
                out.push(err(codes::BLOB_PATH, format!("BlobPath \"{blob_path}\" starts with '/'; it must start with the container name")));
            } else {
                let container = blob_path.split('/').next().unwrap_or("");
                if container != "$root" && !crate::azure::rules::is_valid_container_name(container)
                {
                    out.push(err(
                        codes::BLOB_PATH,
                        format!(
                            "BlobPath \"{blob_path}\" does not start with a valid container name"
                        ),
                    ));
                }
                if let Some(sc) = &self.sas_container {
                    if container != sc {
                        out.push(Finding::error(codes::SAS_CONTAINER, DriveStatus::BlobAccessForbidden, "", format!("BlobPath \"{blob_path}\" is outside the container the ContainerSas is for ({sc})")));
                    }
                }
                if !blob_path.contains('/') {
                    out.push(err(
                        codes::BLOB_PATH,
                        format!("BlobPath \"{blob_path}\" names only a container, no blob"),
                    ));
                }
            }
            if !self.blob_paths.insert(blob_path.clone()) {
                out.push(err(
                    codes::DUPLICATE_BLOB,
                    format!("BlobPath \"{blob_path}\" appears twice"),
                ));
            }
        }
        if file_path.is_empty() {
            out.push(err(
                codes::FILE_PATH,
                "<Blob> has no (or an empty) <FilePath>",
            ));
        }
        let length = b.length;
        if length.is_none() {
            out.push(err(codes::LENGTH, "<Blob> has no valid <Length>"));
        }
        let kind = match (b.has_blocks, b.has_pages) {
            (true, false) => BlobKind::Block,
            (false, true) => BlobKind::Page,
            (true, true) => {
                out.push(err(
                    codes::BOTH_RANGE_LISTS,
                    "<Blob> has both <BlockList> and <PageRangeList>",
                ));
                BlobKind::Unknown
            }
            (false, false) => {
                out.push(err(
                    codes::NO_RANGE_LIST,
                    "<Blob> has neither <BlockList> nor <PageRangeList>",
                ));
                BlobKind::Unknown
            }
        };
        if let Some(len) = length {
            match kind {
                BlobKind::Block => {
                    let end = b.next;
                    if b.count > 0 || len > 0 {
                        if end < len {
                            out.push(err(codes::BLOCKS_SHORT, format!("the blocks cover {end} of the {len} bytes; they must cover the whole file")));
                        } else if end > len {
                            out.push(err(
                                codes::BLOCKS_PAST_END,
                                format!("the blocks end at {end}, past the blob Length {len}"),
                            ));
                        }
                    }
                    if b.with_id > 0 && b.without_id > 0 {
                        out.push(err(codes::BLOCK_ID_MIXED, format!("{} blocks have an Id and {} do not; all blocks or none must carry one", b.with_id, b.without_id)));
                    }
                }
                BlobKind::Page => {
                    if len % 512 != 0 {
                        out.push(err(
                            codes::PAGE_BLOB_LENGTH,
                            format!("page blob Length {len} is not a multiple of 512"),
                        ));
                    }
                    if len > MAX_PAGE_BLOB {
                        out.push(err(
                            codes::LENGTH,
                            format!("page blob Length {len} exceeds the 8 TiB page blob maximum"),
                        ));
                    }
                    if b.next > len {
                        out.push(err(
                            codes::PAGE_PAST_END,
                            format!(
                                "the page ranges end at {}, past the blob Length {len}",
                                b.next
                            ),
                        ));
                    }
                }
                BlobKind::Unknown => {}
            }
        }
        for f in out {
            self.add(pos, f);
        }
        let at = self.ix.subject(pos);
        if let Some((l, _)) = self.list.as_mut() {
            l.blobs.push(Blob {
                blob_path,
                file_path,
                length,
                kind,
                ranges: b.ranges,
                metadata: b.metadata,
                properties: b.properties,
                at,
            });
        }
    }

    fn push_text(&mut self, s: &str) {
        match self.parent() {
            "StorageAccountKey" | "ContainerSas" => {
                if self.secret.len() < TEXT_MAX {
                    self.secret.push_str(s);
                }
            }
            _ => {
                if self.text.len() < TEXT_MAX {
                    self.text.push_str(s);
                }
            }
        }
    }
}

/// Parse and check a manifest. Findings carry "line L, column C" subjects.
/// Returns `None` for the manifest when it could not be read at all.
pub fn parse_manifest(bytes: &[u8]) -> (Option<Manifest>, Vec<Finding>) {
    let at_start = |f: Finding| {
        let mut f = f;
        f.subject = "line 1, column 1".into();
        (None, vec![f])
    };
    if bytes.len() as u64 > super::MAX_BYTES {
        return at_start(err(
            codes::TOO_LARGE,
            format!(
                "{} bytes is more than the {} this tool reads",
                bytes.len(),
                super::MAX_BYTES
            ),
        ));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return at_start(warn(
            codes::ENCODING,
            "UTF-16 manifests are not checked by this version",
        ));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        Err(e) => {
            let good = std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or("");
            let mut f = err(codes::ENCODING, "not valid UTF-8");
            f.subject = LineIndex::new(good).subject(good.len());
            return (None, vec![f]);
        }
    };
    let ix = LineIndex::new(text);
    let mut p = Parser {
        ix: &ix,
        stack: Vec::new(),
        text: String::new(),
        secret: Zeroizing::new(String::new()),
        found: Vec::new(),
        m: Manifest::default(),
        root_ok: false,
        seen_drive: false,
        drive_pos: 0,
        drive_id_pos: None,
        blob_list_seen: false,
        cred_count: 0,
        list: None,
        blob: None,
        side: None,
        blob_paths: Default::default(),
        blob_children: Vec::new(),
        sas_container: None,
    };
    let mut reader = Reader::from_str(text);
    let mut fatal = false;
    loop {
        let pos = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if p.stack.len() >= MAX_DEPTH {
                    p.add(
                        pos,
                        err(
                            codes::XML,
                            format!("elements nested deeper than {MAX_DEPTH}"),
                        ),
                    );
                    fatal = true;
                    break;
                }
                p.open(&e, pos);
            }
            Ok(Event::Empty(e)) => {
                p.open(&e, pos);
                p.close();
            }
            Ok(Event::End(_)) => p.close(),
            Ok(Event::Text(t)) => match t.xml10_content() {
                Ok(s) => p.push_text(&s),
                Err(e) => p.add(pos, err(codes::XML, e.to_string())),
            },
            Ok(Event::CData(t)) => match t.decode() {
                Ok(s) => p.push_text(&s),
                Err(e) => p.add(pos, err(codes::XML, e.to_string())),
            },
            Ok(Event::GeneralRef(r)) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    Ok(None) => match r.decode().ok().as_deref() {
                        Some("lt") => Some('<'),
                        Some("gt") => Some('>'),
                        Some("amp") => Some('&'),
                        Some("apos") => Some('\''),
                        Some("quot") => Some('"'),
                        _ => None,
                    },
                    Err(_) => None,
                };
                match c {
                    Some(c) => p.push_text(c.encode_utf8(&mut [0; 4])),
                    None => {
                        p.add(pos, err(codes::XML, "undefined entity or bad character reference (entities are never resolved)"));
                        fatal = true;
                        break;
                    }
                }
            }
            Ok(Event::DocType(_)) => {
                p.add(
                    pos,
                    err(
                        codes::DOCTYPE,
                        "a DOCTYPE is not allowed in a drive manifest; it is not processed",
                    ),
                );
            }
            Ok(Event::Decl(_)) | Ok(Event::PI(_)) | Ok(Event::Comment(_)) => {}
            Ok(Event::Eof) => {
                if !p.stack.is_empty() {
                    p.add(
                        text.len(),
                        err(codes::XML, "the document ends inside an element"),
                    );
                    fatal = true;
                } else if !p.root_ok && p.found.is_empty() {
                    p.add(
                        0,
                        err(codes::ROOT, "no root element; expected <DriveManifest>"),
                    );
                } else if p.root_ok && !p.seen_drive {
                    p.add(
                        0,
                        err(codes::DRIVE_MISSING, "<DriveManifest> has no <Drive>"),
                    );
                }
                break;
            }
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                p.add(at, err(codes::XML, format!("malformed XML: {e}")));
                fatal = true;
                break;
            }
        }
        if p.found.len() > MAX_FINDINGS {
            break;
        }
    }
    let found = std::mem::take(&mut p.found);
    let out = positioned(
        found,
        &ix,
        MAX_FINDINGS,
        codes::TOO_MANY_FINDINGS,
        DriveStatus::ManifestFileError,
    );
    let m = if p.root_ok && !fatal { Some(p.m) } else { None };
    (m, out)
}
