//! After the volume stages: `--surface` (the free clusters and the space
//! outside partitions), and the rows that say how much of the drive's data
//! was read ("Hardware error", "Disk corrupted", "Manifest file error").

use super::{ContentOptions, State};
use crate::report::{Checklist, DriveStatus};
use crate::scan::surface::{self, SurfaceFacts, SurfaceRange, DISK, VOLUME};
use crate::source::ReadAt;

/// The scan read the files' data; `--surface` reads the rest that matters.
pub(super) fn stage(
    st: &mut State,
    disk: &dyn ReadAt,
    content: Option<&ContentOptions>,
    subject: &str,
) -> Option<SurfaceFacts> {
    let plan = content
        .filter(|c| c.surface)
        .map(|_| surface_ranges(disk.len(), st));
    let read_all = plan
        .as_ref()
        .is_some_and(|r| r.iter().any(|r| r.owner == VOLUME || r.owner == DISK));
    let facts = plan.map(|r| surface::surface_read(disk, &r, subject, &mut st.findings));
    let scanned = st
        .volume
        .as_ref()
        .and_then(|v| v.ntfs.as_ref())
        .and_then(|n| n.content.as_ref());
    match scanned {
        Some(c) if c.manifest.is_some() => st.list.checked(DriveStatus::ManifestFileError),
        // Rows already set (export: n/a; locked BitLocker: its own reason) stay.
        _ if content.is_some() && !st.list.covers(DriveStatus::ManifestFileError) => st
            .list
            .not_checked(
                DriveStatus::ManifestFileError,
                "no NTFS volume could be read (see the other rows), so the drive manifest was not looked for",
            ),
        _ => {}
    }
    let files_hashed = scanned.map(|c| c.scan.is_some());
    data_coverage(&mut st.list, files_hashed, facts.is_some(), read_all);
    facts
}

/// "Hardware error" and "Disk corrupted" as far as file data was read.
/// `files_hashed`: `None` when the volume was not walked, `Some(false)` with
/// `--no-hash`. `surface_all`: the surface read covered whole volumes (no
/// `$Bitmap` free map), used clusters too. Findings override these rows.
fn data_coverage(
    list: &mut Checklist,
    files_hashed: Option<bool>,
    surface: bool,
    surface_all: bool,
) {
    if files_hashed == Some(false) {
        // Structure ran; data decoding and the manifest's block MD5s did not.
        list.not_checked(
            DriveStatus::DiskCorrupted,
            "file data not hashed (--no-hash): the partition table, boot sector and NTFS structure were checked (and the manifest's metadata and properties files), but the files' data was not read, so no block MD5 of the drive manifest was verified",
        );
    }
    if files_hashed == Some(true) || surface_all {
        list.checked(DriveStatus::HardwareError);
    } else if surface {
        list.not_checked(
            DriveStatus::HardwareError,
            "the files' data was not read (the volume's files could not be listed); the space --surface reads (free space, outside partitions) had no read errors",
        );
    } else {
        list.not_checked(
            DriveStatus::HardwareError,
            "only the sectors these checks need were read (no read errors there); the hash scan reads every file, --surface the free space and the space outside partitions",
        );
    }
}

/// What `--surface` reads: the space outside partitions (outside the chosen
/// volume when there is no partition table), and the NTFS volume's free
/// clusters (the whole volume when `$Bitmap` was not read). Without a volume,
/// the whole disk. A BitLocker volume's free clusters are read at the same
/// offsets on the disk (encryption keeps offsets).
fn surface_ranges(disk_len: u64, st: &State) -> Vec<SurfaceRange> {
    let Some(v) = &st.volume else {
        return vec![SurfaceRange {
            offset: 0,
            len: disk_len,
            owner: DISK,
        }];
    };
    let mut areas: Vec<(u64, u64)> = st
        .layout
        .as_ref()
        .map(|l| l.partitions.iter().map(|p| (p.offset, p.size)).collect())
        .unwrap_or_default();
    if areas.is_empty() {
        areas.push((v.offset, v.size));
    }
    let mut ranges = surface::outside(disk_len, &areas);
    match &st.free_runs {
        Some((cluster, runs)) => {
            ranges.extend(surface::free_space(v.offset, v.size, *cluster, runs))
        }
        None => ranges.push(SurfaceRange {
            offset: v.offset,
            len: v.size,
            owner: VOLUME,
        }),
    }
    ranges
}
