//! `<Blob>` and its children: `BlobPath`, `FilePath`, `ClientData`, `Length`,
//! `ImportDisposition`, the range lists (checked in `blocks`) and the
//! metadata/properties references (read in `blob_list`).

use super::blocks::Ranges;
use super::{clip, codes, err, warn, Parser, Range, SideFile};
use crate::report::{DriveStatus, Finding};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlobKind {
    Block,
    Page,
    /// Neither list (already a finding).
    Unknown,
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

/// A `<Blob>` being read; checked as a whole when it closes.
#[derive(Default)]
pub(super) struct BlobBuild {
    blob_path: Option<String>,
    file_path: Option<String>,
    length: Option<u64>,
    pub(super) ranges: Ranges,
    pub(super) metadata: Option<SideFile>,
    pub(super) properties: Option<SideFile>,
    pos: usize,
}

/// The children a `<Blob>` may have, each at most once.
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

impl Parser<'_> {
    pub(super) fn open_blob(&mut self, pos: usize) {
        self.blob = Some(BlobBuild {
            pos,
            ..Default::default()
        });
    }

    /// Where findings about the open blob's text children point: its `<Blob>`.
    fn blob_pos(&self) -> usize {
        self.blob.as_ref().map_or(0, |b| b.pos)
    }

    pub(super) fn open_blob_child(&mut self, pos: usize, child: &str) {
        let Some(k) = KNOWN.iter().find(|k| **k == child) else {
            self.add(
                pos,
                warn(
                    codes::UNKNOWN_ELEMENT,
                    format!("unknown element <{child}> in <Blob>"),
                ),
            );
            return;
        };
        // The innermost open `<Blob>`'s children (there is one: the parent).
        let dup = match self.blob_children.last_mut() {
            Some((_, seen)) if seen.contains(k) => true,
            Some((_, seen)) => {
                seen.push(k);
                false
            }
            None => false,
        };
        if dup {
            self.add(
                pos,
                err(
                    codes::DUPLICATE_ELEMENT,
                    format!("a second <{child}> in one <Blob>"),
                ),
            );
        }
        if let Some(b) = self.blob.as_mut() {
            match child {
                "BlockList" => b.ranges.start(true),
                "PageRangeList" => b.ranges.start(false),
                _ => {}
            }
        }
        if child == "Snapshot" {
            self.add(
                pos,
                warn(
                    codes::SNAPSHOT,
                    "<Snapshot> belongs to export manifests; an import manifest does not use it",
                ),
            );
        }
    }

    pub(super) fn close_blob_child(&mut self, child: &str) {
        // Over the bound: the blob is judged as if the element were absent.
        let Some(t) = self.take_text() else { return };
        match child {
            "BlobPath" => {
                if let Some(b) = self.blob.as_mut() {
                    b.blob_path = Some(t);
                }
            }
            "FilePath" => {
                if let Some(b) = self.blob.as_mut() {
                    b.file_path = Some(t);
                }
            }
            "Length" => match t.parse::<u64>() {
                Ok(n) => {
                    if let Some(b) = self.blob.as_mut() {
                        b.length = Some(n);
                    }
                }
                Err(_) => self.add(
                    self.blob_pos(),
                    err(
                        codes::NUMBER,
                        format!("<Length> \"{}\" is not a byte count", clip(&t, 40)),
                    ),
                ),
            },
            "ImportDisposition"
                if !matches!(t.as_str(), "no-overwrite" | "overwrite" | "rename") =>
            {
                self.add(
                    self.blob_pos(),
                    err(
                        codes::DISPOSITION,
                        format!(
                            "<ImportDisposition> \"{}\" is not no-overwrite, overwrite or rename",
                            clip(&t, 40)
                        ),
                    ),
                );
            }
            _ => {}
        }
    }

    /// `BlobPath` rules: a valid container (the SAS's, if any), then a blob
    /// name; each path once in the manifest.
    fn blob_path_rules(&mut self, blob_path: &str, out: &mut Vec<Finding>) {
        if blob_path.is_empty() {
            out.push(err(
                codes::BLOB_PATH,
                "<Blob> has no (or an empty) <BlobPath>",
            ));
            return;
        }
        if blob_path.starts_with('/') {
            out.push(err(codes::BLOB_PATH, format!("BlobPath \"{blob_path}\" starts with '/'; it must start with the container name")));
        } else {
            let container = blob_path.split('/').next().unwrap_or("");
            if container != "$root" && !crate::azure::rules::is_valid_container_name(container) {
                out.push(err(
                    codes::BLOB_PATH,
                    format!("BlobPath \"{blob_path}\" does not start with a valid container name"),
                ));
            }
            if let Some(sc) = &self.root.sas_container {
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
        if !self.blob_paths.insert(blob_path.to_string()) {
            out.push(err(
                codes::DUPLICATE_BLOB,
                format!("BlobPath \"{blob_path}\" appears twice"),
            ));
        }
    }

    /// `</Blob>`: the whole-blob rules, then the blob joins its list.
    pub(super) fn finish_blob(&mut self, b: BlobBuild) {
        let mut out = Vec::new();
        let blob_path = b.blob_path.unwrap_or_default();
        let file_path = b.file_path.unwrap_or_default();
        self.blob_path_rules(&blob_path, &mut out);
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
        let kind = b.ranges.kind(&mut out);
        if let Some(len) = length {
            b.ranges.against_length(kind, len, &mut out);
        }
        self.add_all(b.pos, out);
        let at = self.ix.subject(b.pos);
        if let Some((l, _)) = self.list.as_mut() {
            l.blobs.push(Blob {
                blob_path,
                file_path,
                length,
                kind,
                ranges: b.ranges.into_list(),
                metadata: b.metadata,
                properties: b.properties,
                at,
            });
        }
    }
}
