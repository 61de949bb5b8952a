//! What the first data volume holds, by its on-disk signature.

pub mod ntfs_boot;

use crate::bytes::{has_at, u16_at, u32_at};
use crate::source::{read_vec, ReadAt, ReadError};
use serde::Serialize;

/// The stable finding codes of the volume probe: the NTFS boot sector (`ntfs.boot-*`) and a data partition that is not NTFS (`volume.not-ntfs`, raised by the check pipeline).
pub mod codes {
    crate::finding_codes! {
        VOLUME_NOT_NTFS = "volume.not-ntfs";
        NTFS_BOOT_SECTOR_INVALID = "ntfs.boot-sector-invalid";
        NTFS_BOOT_BACKUP_MISMATCH = "ntfs.boot-backup-mismatch";
        NTFS_BOOT_BACKUP_MISSING = "ntfs.boot-backup-missing";
        NTFS_BOOT_SIZE = "ntfs.boot-size";
        NTFS_BOOT_MFT_LOCATION = "ntfs.boot-mft-location";
    }
}

/// File systems and containers we can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VolumeType {
    Ntfs,
    /// Windows 7 and later (`-FVE-FS-`).
    Bitlocker,
    BitlockerToGo,
    BitlockerVista,
    Fat12,
    Fat16,
    Fat32,
    Exfat,
    Refs,
    Ext2,
    Ext3,
    Ext4,
    Xfs,
    Btrfs,
    Hfsplus,
    Apfs,
    Luks,
    /// The start of the volume is all zero bytes.
    Zero,
    Unknown,
}

impl VolumeType {
    pub fn describe(self) -> &'static str {
        match self {
            VolumeType::Ntfs => "NTFS",
            VolumeType::Bitlocker => "BitLocker (Windows 7 or later)",
            VolumeType::BitlockerToGo => "BitLocker To Go",
            VolumeType::BitlockerVista => "BitLocker (Windows Vista)",
            VolumeType::Fat12 => "FAT12",
            VolumeType::Fat16 => "FAT16",
            VolumeType::Fat32 => "FAT32",
            VolumeType::Exfat => "exFAT",
            VolumeType::Refs => "ReFS",
            VolumeType::Ext2 => "ext2",
            VolumeType::Ext3 => "ext3",
            VolumeType::Ext4 => "ext4",
            VolumeType::Xfs => "XFS",
            VolumeType::Btrfs => "Btrfs",
            VolumeType::Hfsplus => "HFS+",
            VolumeType::Apfs => "APFS",
            VolumeType::Luks => "LUKS (Linux encryption)",
            VolumeType::Zero => "nothing (all zero bytes)",
            VolumeType::Unknown => "an unknown format",
        }
    }

    pub fn is_bitlocker(self) -> bool {
        matches!(
            self,
            VolumeType::Bitlocker | VolumeType::BitlockerToGo | VolumeType::BitlockerVista
        )
    }
}

/// How many leading bytes decide "all zero".
const ZERO_PROBE: usize = 128 * 1024;

/// Identify the volume from its first bytes (up to 128 KiB, and the ext/Btrfs
/// superblocks further in).
pub fn probe(vol: &dyn ReadAt) -> Result<VolumeType, ReadError> {
    let head_len = vol.len().min(ZERO_PROBE as u64) as usize;
    let head = read_vec(vol, 0, head_len)?;
    identify(&head, vol)
}

fn identify(head: &[u8], vol: &dyn ReadAt) -> Result<VolumeType, ReadError> {
    use crate::bitlocker::Variant;
    match crate::bitlocker::detect(vol) {
        Some(Variant::Win7) => return Ok(VolumeType::Bitlocker),
        Some(Variant::ToGo) => return Ok(VolumeType::BitlockerToGo),
        Some(Variant::Vista) => return Ok(VolumeType::BitlockerVista),
        None => {}
    }
    let oem = head.get(3..11).unwrap_or(&[]);
    // The signature without a valid header is still BitLocker, just damaged:
    // the BitLocker stage says what is wrong with it.
    if oem == b"-FVE-FS-" {
        return Ok(VolumeType::Bitlocker);
    }
    if oem == b"NTFS    " {
        return Ok(VolumeType::Ntfs);
    }
    if oem == b"EXFAT   " {
        return Ok(VolumeType::Exfat);
    }
    if has_at(head, 3, b"ReFS\0\0\0\0") {
        return Ok(VolumeType::Refs);
    }
    if has_at(head, 0, b"XFSB") {
        return Ok(VolumeType::Xfs);
    }
    if has_at(head, 0, b"LUKS\xba\xbe") || has_at(head, 0, b"SKUL\xba\xbe") {
        return Ok(VolumeType::Luks);
    }
    if has_at(head, 32, b"NXSB") {
        return Ok(VolumeType::Apfs);
    }
    if has_at(head, 1024, b"H+") || has_at(head, 1024, b"HX") {
        return Ok(VolumeType::Hfsplus);
    }
    if u16_at(head, 1024 + 56) == Some(0xEF53) {
        return Ok(ext_kind(head));
    }
    if let Some(fat) = fat_kind(head) {
        return Ok(fat);
    }
    if vol.len() >= 65536 + 72 {
        let sb = read_vec(vol, 65536 + 64, 8)?;
        if sb == b"_BHRfS_M" {
            return Ok(VolumeType::Btrfs);
        }
    }
    if head.iter().all(|&b| b == 0) {
        return Ok(VolumeType::Zero);
    }
    Ok(VolumeType::Unknown)
}

/// ext2/3/4 by superblock feature flags.
fn ext_kind(head: &[u8]) -> VolumeType {
    let compat = u32_at(head, 1024 + 92).unwrap_or(0);
    let incompat = u32_at(head, 1024 + 96).unwrap_or(0);
    // extents, 64bit, flex_bg, huge files: ext4-only features.
    if incompat & (0x40 | 0x80 | 0x200) != 0 {
        VolumeType::Ext4
    } else if compat & 0x4 != 0 {
        VolumeType::Ext3
    } else {
        VolumeType::Ext2
    }
}

/// FAT by the file-system type string, confirmed by a sane BPB.
fn fat_kind(head: &[u8]) -> Option<VolumeType> {
    if !has_at(head, 510, &[0x55, 0xAA]) {
        return None;
    }
    let bps = u16_at(head, 11)?;
    let spc = *head.get(13)?;
    if !matches!(bps, 512 | 1024 | 2048 | 4096) || spc == 0 || !spc.is_power_of_two() {
        return None;
    }
    if has_at(head, 82, b"FAT32   ") {
        return Some(VolumeType::Fat32);
    }
    if has_at(head, 54, b"FAT16   ") {
        return Some(VolumeType::Fat16);
    }
    if has_at(head, 54, b"FAT12   ") {
        return Some(VolumeType::Fat12);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vol_with(patch: &[(usize, &[u8])]) -> Vec<u8> {
        let mut v = vec![0u8; 256 * 1024];
        for (off, b) in patch {
            v[*off..*off + <[u8]>::len(b)].copy_from_slice(b);
        }
        v
    }

    #[test]
    fn signatures() {
        let t = |v: Vec<u8>| probe(&v).unwrap();
        assert_eq!(t(vol_with(&[])), VolumeType::Zero);
        assert_eq!(t(vol_with(&[(3, b"NTFS    ")])), VolumeType::Ntfs);
        assert_eq!(
            t(vol_with(&[(0, &[0xEB, 0x58, 0x90]), (3, b"-FVE-FS-")])),
            VolumeType::Bitlocker
        );
        assert_eq!(
            t(vol_with(&[(0, &[0xEB, 0x52, 0x90]), (3, b"-FVE-FS-")])),
            VolumeType::BitlockerVista
        );
        assert_eq!(t(vol_with(&[(3, b"EXFAT   ")])), VolumeType::Exfat);
        assert_eq!(t(vol_with(&[(0, b"XFSB")])), VolumeType::Xfs);
        assert_eq!(
            t(vol_with(&[(1080, &[0x53, 0xEF]), (1120, &[0x40])])),
            VolumeType::Ext4
        );
        assert_eq!(t(vol_with(&[(65600, b"_BHRfS_M")])), VolumeType::Btrfs);
        assert_eq!(t(vol_with(&[(100, &[1])])), VolumeType::Unknown);
        let fat32 = vol_with(&[
            (11, &[0, 2]),
            (13, &[8]),
            (82, b"FAT32   "),
            (510, &[0x55, 0xAA]),
        ]);
        assert_eq!(t(fat32), VolumeType::Fat32);
    }

    #[test]
    fn tiny_volumes_do_not_panic() {
        for n in 0..1100 {
            let v = vec![0xFFu8; n];
            let _ = probe(&v);
        }
    }
}
