//! Sector 0 of a BitLocker volume (`docs/formats/bitlocker.md`, "Volume header"): which variant, sector
//! size, and where the three FVE metadata blocks are.

use super::error::{Error, Result};
use crate::bytes::{array_at, u16_at, u64_at};
use crate::guid::Guid;
use serde::Serialize;

/// Normal BitLocker identifier `4967d63b-2e29-4ad8-8399-f6a339e3d001`.
pub const ID_NORMAL: Guid = Guid([
    0x3b, 0xd6, 0x67, 0x49, 0x29, 0x2e, 0xd8, 0x4a, 0x83, 0x99, 0xf6, 0xa3, 0x39, 0xe3, 0xd0, 0x01,
]);
/// "EOW" identifier `92a84d3b-dd80-4d0e-9e4e-b1e3284eaed8`: conversion not finished
/// ("Conversion in progress" in `docs/formats/bitlocker.md`).
pub const ID_EOW: Guid = Guid([
    0x3b, 0x4d, 0xa8, 0x92, 0x80, 0xdd, 0x0e, 0x4d, 0x9e, 0x4e, 0xb1, 0xe3, 0x28, 0x4e, 0xae, 0xd8,
]);

pub const FVE_SIGNATURE: &[u8; 8] = b"-FVE-FS-";

/// Which kind of BitLocker volume header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Variant {
    /// Windows Vista ("version 1"); FVE offsets from the `$MFTMirr` field.
    #[serde(rename = "vista")]
    Vista,
    /// Windows 7 and later.
    #[serde(rename = "win7+")]
    Win7,
    /// BitLocker To Go: a FAT32 "discovery volume" in front.
    #[serde(rename = "to-go")]
    ToGo,
}

/// What sector 0 says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeHeader {
    pub variant: Variant,
    /// True for the EOW identifier (encryption not finished).
    pub eow: bool,
    pub bytes_per_sector: u16,
    pub sectors_per_cluster: u8,
    /// Byte offsets of FVE metadata blocks 1–3 (Vista: only the first is known here).
    pub fve_offsets: [u64; 3],
}

/// Parse the first 512 bytes of a volume. `fallback_sector_size` is used when the
/// boot sector says 0 (reported on some exFAT volumes).
pub fn parse(s: &[u8], fallback_sector_size: u16) -> Result<VolumeHeader> {
    let jump: [u8; 3] = array_at(s, 0).ok_or(Error::NotBitLocker("shorter than a sector"))?;
    let oem: [u8; 8] = array_at(s, 3).ok_or(Error::NotBitLocker("shorter than a sector"))?;
    let (variant, id_off) = match (jump, &oem) {
        ([0xEB, 0x52, 0x90], FVE_SIGNATURE) => (Variant::Vista, None),
        ([0xEB, 0x58, 0x90], FVE_SIGNATURE) => (Variant::Win7, Some(160)),
        ([0xEB, 0x58, 0x90], b"MSWIN4.1") => (Variant::ToGo, Some(424)),
        _ => {
            return Err(Error::NotBitLocker(
                "no -FVE-FS- or To Go signature in sector 0",
            ))
        }
    };
    let eow = match id_off {
        None => false,
        Some(off) => {
            let id = Guid::from_disk(s.get(off..).unwrap_or_default())
                .ok_or(Error::NotBitLocker("shorter than a sector"))?;
            if id == ID_NORMAL {
                false
            } else if id == ID_EOW {
                true
            } else {
                return Err(Error::NotBitLocker("unknown BitLocker identifier"));
            }
        }
    };
    let bps = match u16_at(s, 11).unwrap_or(0) {
        0 => fallback_sector_size,
        v => v,
    };
    if !matches!(bps, 512 | 1024 | 2048 | 4096) {
        return Err(Error::BadSectorSize(bps));
    }
    let spc = s.get(13).copied().unwrap_or(0);
    let at = |o| u64_at(s, o).ok_or(Error::NotBitLocker("shorter than a sector"));
    let fve_offsets = match variant {
        Variant::Win7 => [at(176)?, at(184)?, at(192)?],
        Variant::ToGo => [at(440)?, at(448)?, at(456)?],
        Variant::Vista => {
            let cluster = at(56)?;
            let off = cluster
                .checked_mul(u64::from(spc))
                .and_then(|v| v.checked_mul(u64::from(bps)))
                .ok_or(Error::NotBitLocker("Vista FVE offset overflows"))?;
            [off, 0, 0]
        }
    };
    Ok(VolumeHeader {
        variant,
        eow,
        bytes_per_sector: bps,
        sectors_per_cluster: spc,
        fve_offsets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn win7() -> Vec<u8> {
        let mut s = vec![0u8; 512];
        s[..3].copy_from_slice(&[0xEB, 0x58, 0x90]);
        s[3..11].copy_from_slice(FVE_SIGNATURE);
        s[11..13].copy_from_slice(&512u16.to_le_bytes());
        s[13] = 8;
        s[160..176].copy_from_slice(&ID_NORMAL.0);
        s[176..184].copy_from_slice(&0x200_0000u64.to_le_bytes());
        s[510] = 0x55;
        s[511] = 0xAA;
        s
    }

    #[test]
    fn identifiers_print_as_documented() {
        assert_eq!(
            ID_NORMAL.to_string().to_lowercase(),
            "4967d63b-2e29-4ad8-8399-f6a339e3d001"
        );
        assert_eq!(
            ID_EOW.to_string().to_lowercase(),
            "92a84d3b-dd80-4d0e-9e4e-b1e3284eaed8"
        );
    }

    #[test]
    fn win7_header() {
        let h = parse(&win7(), 512).unwrap();
        assert_eq!(h.variant, Variant::Win7);
        assert!(!h.eow);
        assert_eq!(h.fve_offsets[0], 0x200_0000);
    }

    #[test]
    fn eow_and_unknown_identifier() {
        let mut s = win7();
        s[160..176].copy_from_slice(&ID_EOW.0);
        assert!(parse(&s, 512).unwrap().eow);
        s[160] ^= 1;
        assert!(parse(&s, 512).is_err());
    }

    #[test]
    fn plain_fat_is_not_to_go() {
        let mut s = win7();
        s[3..11].copy_from_slice(b"MSWIN4.1");
        assert!(parse(&s, 512).is_err());
        s[424..440].copy_from_slice(&ID_NORMAL.0);
        assert_eq!(parse(&s, 512).unwrap().variant, Variant::ToGo);
    }

    #[test]
    fn sector_size() {
        let mut s = win7();
        s[11..13].copy_from_slice(&0u16.to_le_bytes());
        assert_eq!(parse(&s, 4096).unwrap().bytes_per_sector, 4096);
        s[11..13].copy_from_slice(&520u16.to_le_bytes());
        assert!(matches!(parse(&s, 512), Err(Error::BadSectorSize(520))));
        assert!(parse(&s[..100], 512).is_err());
    }
}
