//! `<DriveManifest>`, `<Drive>` and the drive's own children: `DriveId`, the
//! credential (`StorageAccountKey` or `ContainerSas`), `ClientCreator`.

use super::{clip, codes, err, warn, Blob, BlobKind, BlobList, Parser};
use crate::manifest::base64_decoded_len;
use crate::report::{DriveStatus, Finding};
use quick_xml::events::BytesStart;
use zeroize::Zeroizing;

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
    pub fn side_files(&self) -> impl Iterator<Item = &super::SideFile> {
        self.blob_lists.iter().flat_map(|l| {
            l.metadata.iter().chain(l.properties.iter()).chain(
                l.blobs
                    .iter()
                    .flat_map(|b| b.metadata.iter().chain(b.properties.iter())),
            )
        })
    }
}

/// The root and drive-level state of the parse.
#[derive(Default)]
pub(super) struct RootState {
    /// The root element is `<DriveManifest>`.
    pub(super) root_ok: bool,
    seen_drive: bool,
    /// Where `<Drive>` opened; drive-level findings point there.
    pub(super) drive_pos: usize,
    pub(super) drive_id_pos: Option<usize>,
    pub(super) blob_list_seen: bool,
    cred_count: usize,
    /// Where the open credential element starts; its format findings point
    /// there (at the tag, never into the value).
    cred_pos: usize,
    /// The credential's text, wiped when dropped; never quoted.
    pub(super) secret: Zeroizing<String>,
    /// The container a ContainerSas is for (not secret; the token is).
    pub(super) sas_container: Option<String>,
}

/// The container of a `<container>?<SAS token with sig=>`, if it is one.
fn sas_container(s: &str) -> Option<String> {
    let (c, q) = s.split_once('?')?;
    let ok = crate::azure::rules::is_valid_container_name(c)
        && q.split('&')
            .any(|kv| kv.starts_with("sig=") && kv.len() > 4);
    ok.then(|| c.to_string())
}

impl Parser<'_> {
    pub(super) fn open_root(&mut self, e: &BytesStart<'_>, pos: usize, name: &str) {
        if name != "DriveManifest" {
            self.add(
                pos,
                err(
                    codes::ROOT,
                    format!("root element is <{name}>, not <DriveManifest>"),
                ),
            );
            return;
        }
        self.root.root_ok = true;
        match self.read_attr(e, pos, "Version") {
            Ok(Some(v)) => {
                if v != "2014-11-01" && v != "2011-10-01" {
                    self.add(pos, Finding::info(codes::VERSION, DriveStatus::ManifestFileError, "", format!("manifest Version \"{}\" is not one seen in Microsoft's documents (2014-11-01, 2011-10-01)", clip(&v, 40))));
                }
                self.m.version = Some(v);
            }
            Ok(None) => self.add(
                pos,
                warn(codes::VERSION, "<DriveManifest> has no Version attribute"),
            ),
            Err(()) => {}
        }
    }

    pub(super) fn open_drive(&mut self, pos: usize) {
        if self.root.seen_drive {
            self.add(
                pos,
                err(
                    codes::DUPLICATE_ELEMENT,
                    "a second <Drive>: a manifest describes one drive",
                ),
            );
        }
        self.root.seen_drive = true;
        self.root.drive_pos = pos;
    }

    pub(super) fn open_drive_id(&mut self, pos: usize) {
        if self.root.drive_id_pos.is_some() {
            self.add(pos, err(codes::DUPLICATE_ELEMENT, "a second <DriveId>"));
        }
        if self.root.blob_list_seen {
            self.add(
                pos,
                err(
                    codes::DRIVE_ID_ORDER,
                    "<DriveId> must come before every <BlobList>",
                ),
            );
        }
        self.root.drive_id_pos = Some(pos);
    }

    pub(super) fn open_credential(&mut self, pos: usize) {
        self.root.cred_count += 1;
        if self.root.cred_count == 2 {
            self.add(pos, err(codes::CREDENTIALS_BOTH, "the manifest has both <StorageAccountKey> and <ContainerSas> (or one twice); exactly one is allowed"));
        }
        self.root.cred_pos = pos;
        self.root.secret.clear();
    }

    pub(super) fn close_drive_id(&mut self) {
        // Over the bound (already a finding): no DriveId to judge or compare.
        let Some(t) = self.take_text() else { return };
        let p = self.root.drive_id_pos.unwrap_or(0);
        if t.is_empty() {
            self.add(p, err(codes::DRIVE_ID_MISSING, "<DriveId> is empty"));
        } else if t.contains(char::is_whitespace) {
            self.add(p, warn(codes::DRIVE_ID_FORMAT, "<DriveId> contains spaces; the service compares it with the drive serial number without spaces"));
        }
        self.m.drive_id = Some(t);
    }

    /// Checks the key or SAS format, then forgets the value. Reported at the
    /// credential's start tag: a finding must not point into the secret.
    pub(super) fn close_credential(&mut self, name: &'static str) {
        self.m.credential = Some(name);
        let s = self.root.secret.trim();
        let bad = if self.over_long {
            None // already a finding; a cut value is not judged
        } else if name == "StorageAccountKey" {
            (base64_decoded_len(s) != Some(64)).then(|| Finding::error(codes::ACCOUNT_KEY_FORMAT, DriveStatus::BlobAccessForbidden, "", "<StorageAccountKey> is not a storage account key (88 Base64 characters, 64 bytes); its value is not shown").with_hint("copy the key from the storage account's \"Access keys\" page"))
        } else {
            match sas_container(s) {
                Some(c) => {
                    self.root.sas_container = Some(c);
                    None
                }
                None => Some(Finding::error(codes::SAS_FORMAT, DriveStatus::BlobAccessForbidden, "", "<ContainerSas> is not `<container>?<SAS token with sig=>`; its value is not shown")),
            }
        };
        self.root.secret.clear();
        if let Some(f) = bad {
            self.add(self.root.cred_pos, f);
        }
    }

    pub(super) fn close_drive(&mut self) {
        let p = self.root.drive_pos;
        if self.root.drive_id_pos.is_none() {
            self.add(p, err(codes::DRIVE_ID_MISSING, "<Drive> has no <DriveId>"));
        }
        if self.root.cred_count == 0 {
            self.add(p, err(codes::CREDENTIALS_MISSING, "<Drive> has neither <StorageAccountKey> nor <ContainerSas>; an import manifest needs exactly one"));
        }
        if !self.root.blob_list_seen {
            self.add(
                p,
                err(
                    codes::NO_BLOB_LIST,
                    "<Drive> has no <BlobList>: nothing would be imported",
                ),
            );
        }
    }

    /// The document ended with every element closed.
    pub(super) fn end_of_document(&mut self) {
        if !self.root.root_ok && self.found.is_empty() {
            self.add(
                0,
                err(codes::ROOT, "no root element; expected <DriveManifest>"),
            );
        } else if self.root.root_ok && !self.root.seen_drive {
            self.add(
                0,
                err(codes::DRIVE_MISSING, "<DriveManifest> has no <Drive>"),
            );
        }
    }
}
