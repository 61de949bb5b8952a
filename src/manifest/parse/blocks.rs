//! `<BlockList>`/`<Block>` and `<PageRangeList>`/`<PageRange>`: MD5 hashes,
//! ≤ 4 MiB ranges; blocks in order, contiguous and covering the file, at most
//! 50,000, Base64 ids on all or none; page ranges 512-aligned, in order
//! without overlap, within the blob.

use super::{clip, codes, err, warn, BlobKind, Parser};
use crate::manifest::{base64_decoded_len, MAX_BLOCKS, MAX_RANGE};
use crate::report::Finding;
use quick_xml::events::BytesStart;

/// Largest page blob (S-FAQ: 8 TiB).
const MAX_PAGE_BLOB: u64 = 8 << 40;

/// One block or page range: what its MD5 must be over `offset..offset+len` of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub offset: u64,
    pub len: u64,
    pub md5: Option<[u8; 16]>,
}

/// A blob's block or page ranges as read so far.
#[derive(Default)]
pub(super) struct Ranges {
    has_blocks: bool,
    has_pages: bool,
    list: Vec<Range>,
    with_id: usize,
    without_id: usize,
    /// Length of the first valid block Id; the others must match it.
    id_len: Option<usize>,
    id_len_reported: bool,
    /// Blocks: where the next one must start. Pages: end of the previous one.
    next: u64,
    /// Ranges in the current list.
    count: usize,
    too_many_reported: bool,
}

impl Ranges {
    /// A `<BlockList>` (`blocks`) or `<PageRangeList>` opens: order checks restart.
    pub(super) fn start(&mut self, blocks: bool) {
        if blocks {
            self.has_blocks = true;
        } else {
            self.has_pages = true;
        }
        self.next = 0;
        self.count = 0;
    }

    pub(super) fn into_list(self) -> Vec<Range> {
        self.list
    }

    fn block_id(&mut self, id: &str, out: &mut Vec<Finding>) {
        self.with_id += 1;
        let trimmed = id.trim();
        match base64_decoded_len(trimmed) {
            None => out.push(err(
                codes::BLOCK_ID_BASE64,
                format!("block Id \"{}\" is not Base64", clip(id, 80)),
            )),
            Some(n) if n > 64 => out.push(err(
                codes::BLOCK_ID_LENGTH,
                format!("block Id decodes to {n} bytes; at most 64 are allowed"),
            )),
            Some(_) => match self.id_len {
                None => self.id_len = Some(trimmed.len()),
                Some(l) if l != trimmed.len() && !self.id_len_reported => {
                    self.id_len_reported = true;
                    out.push(err(codes::BLOCK_ID_LENGTH, "block Ids of one blob have different lengths; Azure requires them all the same length"));
                }
                Some(_) => {}
            },
        }
    }

    fn block(&mut self, range: RangeAttrs, id: Option<&str>) -> Vec<Finding> {
        let mut out = Vec::new();
        self.count += 1;
        if self.count > MAX_BLOCKS && !self.too_many_reported {
            self.too_many_reported = true;
            out.push(err(
                codes::TOO_MANY_BLOCKS,
                format!("more than {MAX_BLOCKS} blocks in one blob"),
            ));
        }
        match id {
            Some(id) => self.block_id(id, &mut out),
            None => self.without_id += 1,
        }
        let (Some(off), Some(len), md5) = range else {
            return out;
        };
        if len > MAX_RANGE {
            out.push(err(codes::BLOCK_TOO_LARGE, format!("block of {len} bytes at offset {off}: blocks are at most {MAX_RANGE} bytes (4 MiB)")));
        }
        if len == 0 {
            out.push(warn(
                codes::BLOCK_EMPTY,
                format!("empty block at offset {off}"),
            ));
        }
        if off > self.next {
            out.push(err(codes::BLOCK_GAP, format!("gap: block starts at {off} but the previous one ends at {}; blocks must be contiguous", self.next)));
        } else if off < self.next {
            out.push(err(codes::BLOCK_OVERLAP, format!("block at {off} starts before the previous one ends ({}); blocks must be in order without overlap", self.next)));
        }
        self.next = off.saturating_add(len);
        self.list.push(Range {
            offset: off,
            len,
            md5,
        });
        out
    }

    fn page(&mut self, range: RangeAttrs) -> Vec<Finding> {
        let mut out = Vec::new();
        let (Some(off), Some(len), md5) = range else {
            return out;
        };
        if off % 512 != 0 || len % 512 != 0 {
            out.push(err(
                codes::PAGE_ALIGN,
                format!(
                    "page range at {off}, {len} bytes: offset and length must be multiples of 512"
                ),
            ));
        }
        if len > MAX_RANGE {
            out.push(err(
                codes::PAGE_TOO_LARGE,
                format!("page range of {len} bytes: at most {MAX_RANGE} bytes (4 MiB)"),
            ));
        }
        if self.count > 0 && off < self.next {
            out.push(err(codes::PAGE_OVERLAP, format!("page range at {off} overlaps (or comes before) the previous one, which ends at {}", self.next)));
        }
        self.count += 1;
        self.next = self.next.max(off.saturating_add(len));
        self.list.push(Range {
            offset: off,
            len,
            md5,
        });
        out
    }

    /// Block or page blob, by which list it has; neither or both is a finding.
    pub(super) fn kind(&self, out: &mut Vec<Finding>) -> BlobKind {
        match (self.has_blocks, self.has_pages) {
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
        }
    }

    /// The rules over the whole list, against the blob's `Length`.
    pub(super) fn against_length(&self, kind: BlobKind, len: u64, out: &mut Vec<Finding>) {
        match kind {
            BlobKind::Block => {
                let end = self.next;
                if self.count > 0 || len > 0 {
                    if end < len {
                        out.push(err(codes::BLOCKS_SHORT, format!("the blocks cover {end} of the {len} bytes; they must cover the whole file")));
                    } else if end > len {
                        out.push(err(
                            codes::BLOCKS_PAST_END,
                            format!("the blocks end at {end}, past the blob Length {len}"),
                        ));
                    }
                }
                if self.with_id > 0 && self.without_id > 0 {
                    out.push(err(
                        codes::BLOCK_ID_MIXED,
                        format!(
                            "{} blocks have an Id and {} do not; all blocks or none must carry one",
                            self.with_id, self.without_id
                        ),
                    ));
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
                if self.next > len {
                    out.push(err(
                        codes::PAGE_PAST_END,
                        format!(
                            "the page ranges end at {}, past the blob Length {len}",
                            self.next
                        ),
                    ));
                }
            }
            BlobKind::Unknown => {}
        }
    }
}

/// `Offset`, `Length` and `Hash` of a `<Block>` or `<PageRange>`.
type RangeAttrs = (Option<u64>, Option<u64>, Option<[u8; 16]>);

impl Parser<'_> {
    fn range_attrs(&mut self, e: &BytesStart<'_>, pos: usize, what: &str) -> RangeAttrs {
        let off = self.num_attr(e, pos, what, "Offset");
        let len = self.num_attr(e, pos, what, "Length");
        let md5 = self.hash_attr(e, pos, what);
        (off, len, md5)
    }

    pub(super) fn block(&mut self, e: &BytesStart<'_>, pos: usize) {
        let range = self.range_attrs(e, pos, "<Block>");
        let id = self.read_attr(e, pos, "Id").unwrap_or(None);
        if let Some(b) = self.blob.as_mut() {
            let out = b.ranges.block(range, id.as_deref());
            self.add_all(pos, out);
        }
    }

    pub(super) fn page(&mut self, e: &BytesStart<'_>, pos: usize) {
        let range = self.range_attrs(e, pos, "<PageRange>");
        if let Some(b) = self.blob.as_mut() {
            let out = b.ranges.page(range);
            self.add_all(pos, out);
        }
    }
}
