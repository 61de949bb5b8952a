//! The NTFS volume boot sector: its geometry fields, their sanity against the
//! volume, and agreement with the backup copy at the end of the volume.

use crate::bytes::{has_at, u16_at, u64_at, u8_at};
use crate::probe::codes;
use crate::report::{DriveStatus, Finding};
use crate::source::{read_vec_if_inside, ReadAt, ReadError};
use serde::Serialize;

/// Boot-sector facts reported in `volume.ntfs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NtfsBoot {
    /// Volume serial number, 16 uppercase hex digits.
    pub serial: String,
    pub bytes_per_sector: u32,
    pub cluster_size: u32,
    pub total_sectors: u64,
    pub mft_lcn: u64,
    pub mftmirr_lcn: u64,
    pub mft_record_size: u32,
    /// Where the usable copy came from: `primary` or `backup`.
    pub boot_sector: &'static str,
}

impl NtfsBoot {
    pub fn volume_bytes(&self) -> u64 {
        self.total_sectors
            .saturating_mul(u64::from(self.bytes_per_sector))
    }
}

/// Parse the fields of an NTFS boot sector; `Err` says what is wrong.
pub fn parse(b: &[u8]) -> Result<NtfsBoot, String> {
    if !has_at(b, 3, b"NTFS    ") {
        return Err("no \"NTFS\" signature at byte 3".into());
    }
    if !has_at(b, 510, &[0x55, 0xAA]) {
        return Err("no 55 AA signature at byte 510".into());
    }
    let bps = u32::from(u16_at(b, 11).unwrap_or(0));
    if !matches!(bps, 256 | 512 | 1024 | 2048 | 4096) {
        return Err(format!(
            "bytes per sector is {bps}; NTFS allows 256 to 4096, a power of two"
        ));
    }
    let spc_raw = u8_at(b, 13).unwrap_or(0);
    // Values above 0x80 encode 2^(256 - v) (clusters larger than 64 KiB).
    let spc: u32 = match spc_raw {
        1..=0x80 if spc_raw.is_power_of_two() => u32::from(spc_raw),
        0xF4..=0xFF => 1u32 << (256 - u32::from(spc_raw)),
        _ => {
            return Err(format!(
                "sectors per cluster is {spc_raw}, not a power of two"
            ))
        }
    };
    let cluster = bps
        .checked_mul(spc)
        .filter(|&c| c <= 2 << 20)
        .ok_or("cluster size over 2 MiB")?;
    let total_sectors = u64_at(b, 40).unwrap_or(0);
    if total_sectors == 0 {
        return Err("total sectors is 0".into());
    }
    let rec_raw = u8_at(b, 64).unwrap_or(0) as i8;
    let mft_record_size = if rec_raw > 0 {
        (rec_raw as u32).checked_mul(cluster).unwrap_or(0)
    } else if (-31..=-1).contains(&rec_raw) {
        1u32 << (-(rec_raw as i32))
    } else {
        0
    };
    if !(256..=65536).contains(&mft_record_size) || !mft_record_size.is_power_of_two() {
        return Err(format!("MFT record size field ({rec_raw}) is invalid"));
    }
    Ok(NtfsBoot {
        serial: format!("{:016X}", u64_at(b, 72).unwrap_or(0)),
        bytes_per_sector: bps,
        cluster_size: cluster,
        total_sectors,
        mft_lcn: u64_at(b, 48).unwrap_or(0),
        mftmirr_lcn: u64_at(b, 56).unwrap_or(0),
        mft_record_size,
        boot_sector: "primary",
    })
}

/// Fields that place things inside the volume must fit it.
fn check_geometry(boot: &NtfsBoot, vol_len: u64, subject: &str, findings: &mut Vec<Finding>) {
    let err = |code, msg: String| {
        Finding::error(code, DriveStatus::DiskCorrupted, subject, msg)
            .with_hint("run `chkdsk /f` on Windows; if the volume does not mount, re-create it")
    };
    if boot.volume_bytes() > vol_len {
        findings.push(err(
            codes::NTFS_BOOT_SIZE,
            format!(
                "the boot sector says the volume has {} sectors ({} bytes), but the partition holds only {} bytes",
                boot.total_sectors,
                boot.volume_bytes(),
                vol_len
            ),
        ));
    }
    let cl = u64::from(boot.cluster_size);
    let clusters = boot.volume_bytes() / cl;
    for (name, lcn) in [("$MFT", boot.mft_lcn), ("$MFTMirr", boot.mftmirr_lcn)] {
        if lcn == 0 || lcn >= clusters {
            findings.push(err(
                codes::NTFS_BOOT_MFT_LOCATION,
                format!("the boot sector places {name} at cluster {lcn}, outside the volume's {clusters} clusters"),
            ));
        }
    }
}

/// The result of examining both boot sectors.
pub struct BootCheck {
    /// The usable boot sector (primary, or else backup).
    pub boot: Option<NtfsBoot>,
}

/// Parse the primary boot sector of `vol`, check it, and compare with the backup.
/// `vol_start` is the volume's byte offset on the disk (for subjects).
pub fn check(
    vol: &dyn ReadAt,
    vol_start: u64,
    findings: &mut Vec<Finding>,
) -> Result<BootCheck, ReadError> {
    let primary_bytes = read_vec_if_inside(vol, 0, 512)?.unwrap_or_default();
    let primary = parse(&primary_bytes);
    let subject = format!("NTFS boot sector at byte {vol_start}");
    let backup = find_backup(vol, primary.as_ref().ok())?;
    match (&primary, backup) {
        (Ok(p), Some((off, bytes, _))) => {
            check_geometry(p, vol.len(), &subject, findings);
            let bpb_differs = primary_bytes[..0x54] != bytes[..0x54];
            if bpb_differs {
                findings.push(
                    Finding::error(
                        codes::NTFS_BOOT_BACKUP_MISMATCH,
                        DriveStatus::DiskCorrupted,
                        subject,
                        format!(
                            "the boot sector and its backup at byte {} of the volume describe different volumes",
                            off
                        ),
                    )
                    .with_hint("run `chkdsk /f` on Windows before shipping"),
                );
            }
            Ok(BootCheck {
                boot: Some(p.clone()),
            })
        }
        (Ok(p), None) => {
            check_geometry(p, vol.len(), &subject, findings);
            findings.push(
                Finding::warning(
                    codes::NTFS_BOOT_BACKUP_MISSING,
                    DriveStatus::DiskCorrupted,
                    subject,
                    "no valid backup boot sector at the end of the volume",
                )
                .with_hint("run `chkdsk /f` on Windows; it rewrites the backup"),
            );
            Ok(BootCheck {
                boot: Some(p.clone()),
            })
        }
        (Err(why), Some((off, _, mut b))) => {
            findings.push(
                Finding::error(
                    codes::NTFS_BOOT_SECTOR_INVALID,
                    DriveStatus::DiskCorrupted,
                    subject,
                    format!(
                        "the NTFS boot sector is damaged ({why}); a valid backup is at byte {off} of the volume, so Windows will see a RAW volume until it is restored"
                    ),
                )
                .with_hint("restore the boot sector from its backup (e.g. `testdisk`, or copy the last sector of the volume over its first) and run `chkdsk /f`"),
            );
            b.boot_sector = "backup";
            check_geometry(&b, vol.len(), "NTFS backup boot sector", findings);
            Ok(BootCheck { boot: Some(b) })
        }
        (Err(_), None) => Ok(BootCheck { boot: None }),
    }
}

/// The first valid backup boot sector: (its offset, bytes, parse). The backup
/// is the sector after the last counted one, which mkntfs and Windows put in
/// the partition's last sector; look at both places.
fn find_backup(
    vol: &dyn ReadAt,
    primary: Option<&NtfsBoot>,
) -> Result<Option<(u64, Vec<u8>, NtfsBoot)>, ReadError> {
    let sector_guess = primary.map(|b| b.bytes_per_sector).unwrap_or(512);
    let mut candidates = Vec::new();
    if let Some(b) = primary {
        candidates.push(b.volume_bytes());
    }
    for ss in [sector_guess, 512, 4096] {
        candidates.push(vol.len().saturating_sub(u64::from(ss)));
    }
    candidates.dedup();
    for off in candidates {
        if let Some(bytes) = read_vec_if_inside(vol, off, 512)? {
            if let Ok(b) = parse(&bytes) {
                return Ok(Some((off, bytes, b)));
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn boot_sector(total: u64, mft: u64) -> Vec<u8> {
        let mut b = vec![0u8; 512];
        b[0..3].copy_from_slice(&[0xEB, 0x52, 0x90]);
        b[3..11].copy_from_slice(b"NTFS    ");
        b[11..13].copy_from_slice(&512u16.to_le_bytes());
        b[13] = 8;
        b[40..48].copy_from_slice(&total.to_le_bytes());
        b[48..56].copy_from_slice(&mft.to_le_bytes());
        b[56..64].copy_from_slice(&2u64.to_le_bytes());
        b[64] = 0xF6; // -10: 1024-byte records
        b[72..80].copy_from_slice(&0x1234_5678_9ABC_DEF0u64.to_le_bytes());
        b[510] = 0x55;
        b[511] = 0xAA;
        b
    }

    #[test]
    fn parses_fields() {
        let b = parse(&boot_sector(2047, 4)).unwrap();
        assert_eq!(b.serial, "123456789ABCDEF0");
        assert_eq!(b.cluster_size, 4096);
        assert_eq!(b.mft_record_size, 1024);
    }

    #[test]
    fn primary_zeroed_backup_found() {
        let mut vol = vec![0u8; 2048 * 512];
        let bs = boot_sector(2047, 4);
        vol[2047 * 512..].copy_from_slice(&bs);
        let mut f = Vec::new();
        let r = check(&vol, 0, &mut f).unwrap();
        assert_eq!(r.boot.unwrap().boot_sector, "backup");
        assert!(f.iter().any(|x| x.code == codes::NTFS_BOOT_SECTOR_INVALID));
    }

    #[test]
    fn too_big_for_partition() {
        let mut vol = vec![0u8; 1024 * 512];
        vol[..512].copy_from_slice(&boot_sector(4095, 4));
        let mut f = Vec::new();
        check(&vol, 0, &mut f).unwrap();
        assert!(f.iter().any(|x| x.code == codes::NTFS_BOOT_SIZE));
    }
}
