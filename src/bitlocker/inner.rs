//! A first look at what the decrypted volume holds: enough to say "NTFS" or
//! "FAT16 inside" and give the serial number. The full checks live elsewhere.

use crate::source::{read_vec_if_inside, ReadAt};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InnerFs {
    /// `NTFS`, `FAT12`, `FAT16`, `FAT32`, `exFAT` or `unknown`.
    #[serde(rename = "type")]
    pub fs_type: &'static str,
    /// As Windows prints it: 16 hex digits for NTFS, `XXXX-XXXX` for FAT/exFAT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
}

pub fn sniff(vol: &dyn ReadAt) -> Option<InnerFs> {
    let s = read_vec_if_inside(vol, 0, 512).ok()??;
    let oem = &s[3..11];
    let fat_serial = |at: usize| {
        let v = u32::from_le_bytes([s[at], s[at + 1], s[at + 2], s[at + 3]]);
        Some(format!("{:04X}-{:04X}", v >> 16, v & 0xFFFF))
    };
    let fs = if oem == b"NTFS    " {
        let mut b = [0u8; 8];
        b.copy_from_slice(&s[0x48..0x50]);
        InnerFs {
            fs_type: "NTFS",
            serial: Some(format!("{:016X}", u64::from_le_bytes(b))),
        }
    } else if oem == b"EXFAT   " {
        InnerFs {
            fs_type: "exFAT",
            serial: fat_serial(0x64),
        }
    } else if &s[0x52..0x5A] == b"FAT32   " {
        InnerFs {
            fs_type: "FAT32",
            serial: fat_serial(0x43),
        }
    } else if &s[0x36..0x3E] == b"FAT16   " || &s[0x36..0x3E] == b"FAT12   " {
        InnerFs {
            fs_type: if s[0x3A] == b'6' { "FAT16" } else { "FAT12" },
            serial: fat_serial(0x27),
        }
    } else {
        InnerFs {
            fs_type: "unknown",
            serial: None,
        }
    };
    Some(fs)
}
