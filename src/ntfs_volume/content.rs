//! A file's unnamed data stream, read straight from its extents with large
//! positional reads: sparse runs and the tail past the initialized size read as
//! zeros, LZNT1-compressed units are decompressed.

use super::inventory::{DataRef, Inventory};
use super::lznt1::decompress_unit;
use super::mft::{self, F_RESIDENT};
use super::record::{attributes, Body, Extent, AT_DATA};
use super::{NtfsError, NtfsVolume};
use crate::source::ReadAt;

enum Kind<'a> {
    Bytes(Vec<u8>),
    Plain(&'a [Extent]),
    Compressed {
        extents: &'a [Extent],
        unit_clusters: u64,
    },
}

pub struct ContentReader<'a> {
    src: &'a dyn ReadAt,
    cluster: u64,
    size: u64,
    initialized: u64,
    kind: Kind<'a>,
}

impl<'a> ContentReader<'a> {
    /// The reader of entry `i` of `inv`.
    pub fn new(vol: &'a NtfsVolume, inv: &'a Inventory, i: usize) -> Result<Self, NtfsError> {
        Self::for_record(vol, inv, inv.record(i))
    }

    /// The reader of MFT record `rec` (which must be a base record in use).
    pub(crate) fn for_record(
        vol: &'a NtfsVolume,
        inv: &'a Inventory,
        rec: u64,
    ) -> Result<Self, NtfsError> {
        let geo = vol.geometry();
        let meta = *inv.scan.files.get(rec as usize).ok_or_else(|| {
            NtfsError::corrupt(geo.mft_offset, format!("record {rec} past the end of $MFT"))
        })?;
        let kind = match inv.data_of(&meta) {
            DataRef::None => Kind::Bytes(Vec::new()),
            DataRef::Resident { .. } => {
                debug_assert!(meta.flags & F_RESIDENT != 0);
                Kind::Bytes(resident_data(vol, inv, meta.data_first as u64)?)
            }
            DataRef::Extents { extents } if meta.cu_shift != 0 => {
                if meta.cu_shift > 8 || geo.cluster_size > 4096 {
                    return Err(NtfsError::corrupt(
                        geo.mft_offset,
                        format!(
                            "record {rec}: compression unit 2^{} clusters unsupported",
                            meta.cu_shift
                        ),
                    ));
                }
                Kind::Compressed {
                    extents,
                    unit_clusters: 1 << meta.cu_shift,
                }
            }
            DataRef::Extents { extents } => Kind::Plain(extents),
        };
        let size = match &kind {
            Kind::Bytes(b) => b.len() as u64,
            _ => meta.size,
        };
        Ok(ContentReader {
            src: &*vol.src,
            cluster: geo.cluster_size,
            size,
            initialized: meta.initialized.min(size),
            kind,
        })
    }

    /// Size of the stream in bytes.
    pub fn len(&self) -> u64 {
        self.size
    }
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// Fill `buf` from byte `offset` of the stream; returns the bytes filled
    /// (short only at the end of the stream).
    pub fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, NtfsError> {
        let n = (buf.len() as u64).min(self.size.saturating_sub(offset)) as usize;
        if n == 0 {
            return Ok(0);
        }
        let buf = &mut buf[..n];
        match &self.kind {
            Kind::Bytes(b) => buf.copy_from_slice(&b[offset as usize..offset as usize + n]),
            Kind::Plain(ext) => self.read_plain(ext, offset, buf)?,
            Kind::Compressed {
                extents,
                unit_clusters,
            } => self.read_compressed(extents, *unit_clusters, offset, buf)?,
        }
        // Bytes past the initialized size are zeros whatever the clusters hold.
        let init_end = self.initialized.saturating_sub(offset).min(n as u64) as usize;
        buf[init_end..].fill(0);
        Ok(n)
    }

    /// Hand the whole stream to `f` in pieces of at most `chunk` bytes.
    /// [`read_retrying`](crate::source::retry::read_retrying) over the file's
    /// data: a read error is retried, any other error (the file's runs cannot
    /// be decoded) ends the read.
    pub fn read_retrying(
        &self,
        at: u64,
        buf: &mut [u8],
    ) -> Result<crate::source::retry::Retried<crate::source::ReadError>, NtfsError> {
        crate::source::retry::read_retrying(buf, at, |b, o| match self.read_at(o, b) {
            Ok(_) => Ok(Ok(())),
            Err(NtfsError::Read(e)) => Ok(Err(e)),
            Err(e) => Err(e),
        })
    }

    pub fn for_each_chunk(&self, chunk: usize, mut f: impl FnMut(&[u8])) -> Result<(), NtfsError> {
        let mut buf = vec![0u8; chunk.clamp(4096, 64 << 20)];
        let mut pos = 0u64;
        while pos < self.size {
            let n = self.read_at(pos, &mut buf)?;
            f(&buf[..n]);
            pos += n as u64;
        }
        Ok(())
    }

    /// The extent holding stream byte `pos`.
    fn extent_at<'e>(&self, ext: &'e [Extent], pos: u64) -> Result<&'e Extent, NtfsError> {
        let vcn = pos / self.cluster;
        let i = ext.partition_point(|e| e.vcn.saturating_add(e.clusters) <= vcn);
        ext.get(i).filter(|e| e.vcn <= vcn).ok_or_else(|| {
            NtfsError::corrupt(
                pos,
                format!("byte {pos} of the file is not mapped by its data runs"),
            )
        })
    }

    /// Stream offset just past extent `e`.
    fn run_end(&self, e: &Extent) -> u64 {
        e.vcn
            .saturating_add(e.clusters)
            .saturating_mul(self.cluster)
    }

    /// Volume byte offset of stream byte `pos`, which extent `e` holds.
    fn volume_offset(&self, e: &Extent, pos: u64) -> Result<u64, NtfsError> {
        e.lcn
            .checked_mul(self.cluster)
            .and_then(|b| b.checked_add(pos - e.vcn * self.cluster))
            .ok_or_else(|| NtfsError::corrupt(pos, "extent past u64"))
    }

    fn read_plain(&self, ext: &[Extent], offset: u64, buf: &mut [u8]) -> Result<(), NtfsError> {
        let mut done = 0usize;
        while done < buf.len() {
            let pos = offset + done as u64;
            let e = self.extent_at(ext, pos)?;
            let take = ((self.run_end(e) - pos) as usize).min(buf.len() - done);
            let dst = &mut buf[done..done + take];
            if e.is_sparse() {
                dst.fill(0);
            } else {
                let at = self.volume_offset(e, pos)?;
                self.src.read_exact_at(dst, at).map_err(|source| {
                    NtfsError::Read(crate::source::ReadError {
                        offset: at,
                        len: take,
                        source,
                    })
                })?;
            }
            done += take;
        }
        Ok(())
    }

    fn read_compressed(
        &self,
        ext: &[Extent],
        unit: u64,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<(), NtfsError> {
        let unit_bytes = unit * self.cluster;
        let mut out = Vec::new();
        let mut done = 0usize;
        while done < buf.len() {
            let pos = offset + done as u64;
            let u = pos / unit_bytes;
            let in_unit = (pos - u * unit_bytes) as usize;
            let take = (unit_bytes as usize - in_unit).min(buf.len() - done);
            self.unit(ext, u * unit, unit, &mut out)?;
            buf[done..done + take].copy_from_slice(&out[in_unit..in_unit + take]);
            done += take;
        }
        Ok(())
    }

    /// Decode the compression unit starting at `vcn0` into `out` (exactly one unit long).
    fn unit(
        &self,
        ext: &[Extent],
        vcn0: u64,
        unit: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), NtfsError> {
        let unit_bytes = (unit * self.cluster) as usize;
        let mut stored = Vec::new();
        let mut allocated = 0u64;
        let mut first_at = 0u64;
        let i0 = ext.partition_point(|e| e.vcn.saturating_add(e.clusters) <= vcn0);
        for e in ext.get(i0..).unwrap_or(&[]) {
            if e.vcn >= vcn0 + unit {
                break;
            }
            let from = e.vcn.max(vcn0);
            let to = e.vcn.saturating_add(e.clusters).min(vcn0 + unit);
            if e.is_sparse() || to <= from {
                continue;
            }
            let at = e
                .lcn
                .saturating_add(from - e.vcn)
                .saturating_mul(self.cluster);
            if allocated == 0 {
                first_at = at;
            }
            let len = ((to - from) * self.cluster) as usize;
            let old = stored.len();
            stored.resize(old + len, 0);
            self.src
                .read_exact_at(&mut stored[old..], at)
                .map_err(|source| {
                    NtfsError::Read(crate::source::ReadError {
                        offset: at,
                        len,
                        source,
                    })
                })?;
            allocated += to - from;
        }
        if allocated == unit {
            *out = stored; // a unit that did not compress is stored as is
        } else if allocated == 0 {
            out.clear();
            out.resize(unit_bytes, 0);
        } else {
            decompress_unit(&stored, out, unit_bytes).map_err(|what| NtfsError::Decompress {
                offset: first_at,
                what,
            })?;
        }
        Ok(())
    }
}

/// The value of the resident unnamed `$DATA` held in record `holder`.
fn resident_data(vol: &NtfsVolume, inv: &Inventory, holder: u64) -> Result<Vec<u8>, NtfsError> {
    let geo = vol.geometry();
    let rec =
        mft::read_record(&*vol.src, geo, &inv.scan.mft_extents, holder)?.ok_or_else(|| {
            NtfsError::corrupt(geo.mft_offset, format!("MFT record {holder} unreadable"))
        })?;
    for a in attributes(&rec).flatten() {
        if let (AT_DATA, true, Body::Resident(v, _)) = (a.ty, a.name.is_empty(), a.body) {
            return Ok(v.to_vec());
        }
    }
    Ok(Vec::new())
}
