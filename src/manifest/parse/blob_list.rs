//! `<BlobList>` and the `<MetadataPath>`/`<PropertiesPath>` references it (as
//! the list's default) or one of its blobs carries.

use super::{codes, err, Blob, Parser};
use quick_xml::events::BytesStart;

/// A `MetadataPath` / `PropertiesPath` reference.
#[derive(Debug, Clone)]
pub struct SideFile {
    pub path: String,
    pub md5: Option<[u8; 16]>,
    /// "line L, column C" of the element.
    pub at: String,
    pub metadata: bool,
}

#[derive(Debug, Clone, Default)]
pub struct BlobList {
    pub metadata: Option<SideFile>,
    pub properties: Option<SideFile>,
    pub blobs: Vec<Blob>,
}

/// The metadata or the properties slot of a list or blob.
fn slot<'a>(
    metadata: bool,
    m: &'a mut Option<SideFile>,
    p: &'a mut Option<SideFile>,
) -> &'a mut Option<SideFile> {
    if metadata {
        m
    } else {
        p
    }
}

impl Parser<'_> {
    pub(super) fn open_blob_list(&mut self, pos: usize) {
        if self.root.drive_id_pos.is_none() && !self.root.blob_list_seen {
            self.add(
                pos,
                err(
                    codes::DRIVE_ID_ORDER,
                    "<BlobList> before <DriveId>: the DriveId must come first",
                ),
            );
        }
        self.root.blob_list_seen = true;
        self.list = Some((BlobList::default(), pos));
    }

    pub(super) fn close_blob_list(&mut self) {
        if let Some((l, pos)) = self.list.take() {
            if l.blobs.is_empty() {
                self.add(pos, err(codes::EMPTY_BLOB_LIST, "<BlobList> has no <Blob>"));
            }
            self.m.blob_lists.push(l);
        }
    }

    pub(super) fn open_side_file(&mut self, e: &BytesStart<'_>, pos: usize, name: &str) {
        let md5 = self.hash_attr(e, pos, &format!("<{name}>"));
        self.side = Some((name == "MetadataPath", md5, pos));
    }

    /// Stores the reference in the open `<Blob>` (`in_blob`) or `<BlobList>`.
    pub(super) fn close_side_file(&mut self, in_blob: bool, name: &str) {
        let path = self.take_text();
        let Some((metadata, md5, pos)) = self.side.take() else {
            return;
        };
        // Over the bound (already a finding): no reference is kept.
        let Some(path) = path else { return };
        if path.is_empty() {
            self.add(pos, err(codes::SIDE_PATH, format!("<{name}> is empty")));
        }
        let sf = SideFile {
            path,
            md5,
            at: self.ix.subject(pos),
            metadata,
        };
        let target = if in_blob {
            self.blob
                .as_mut()
                .map(|b| slot(metadata, &mut b.metadata, &mut b.properties))
        } else {
            self.list
                .as_mut()
                .map(|(l, _)| slot(metadata, &mut l.metadata, &mut l.properties))
        };
        if target.is_some_and(|t| t.replace(sf).is_some()) {
            self.add(
                pos,
                err(codes::DUPLICATE_ELEMENT, format!("a second <{name}>")),
            );
        }
    }
}
