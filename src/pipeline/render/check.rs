//! The text form of a [`CheckReport`].

use crate::pipeline::{CheckReport, ContentReport, JobType, VolumeReport};
use crate::report::human::{self, Fact};

pub fn check(r: &CheckReport, strict: bool) -> String {
    let mut out = format!(
        "ie-preflight {} — pre-shipping check of {} ({} drive)\n\nChecklist\n",
        r.tool_version,
        r.disk.path,
        match r.job_type {
            JobType::Import => "import",
            JobType::Export => "export",
        }
    );
    out.push_str(&human::checklist(&r.outcome.checklist, &r.outcome.findings));
    out.push_str(&super::rules(&r.rules));
    out.push_str("\nDrive\n");
    out.push_str(&human::facts(&drive_facts(r)));
    if let Some(v) = &r.volume {
        out.push_str("\nFirst data volume\n");
        out.push_str(&human::facts(&volume_facts(v)));
        if let Some(c) = r.content() {
            out.push_str("\nManifest and hash scan\n");
            out.push_str(&human::facts(&content_facts(c)));
        }
    }
    if let Some(s) = &r.surface {
        out.push_str("\nSurface read (--surface)\n");
        out.push_str(&human::facts(&surface_facts(s)));
    }
    out.push_str(&human::outcome_end(&r.outcome, strict));
    out
}

pub(super) fn volume_facts(v: &VolumeReport) -> Vec<Fact> {
    let mut f: Vec<Fact> = vec![
        (
            "partition",
            v.partition
                .map_or("none (volume at sector 0)".into(), |n| n.to_string()),
        ),
        ("chosen because", v.chosen_because.clone()),
        ("offset", v.offset.to_string()),
        ("size", human::size(v.size)),
        ("holds", v.kind.describe().to_string()),
    ];
    let Some(n) = &v.ntfs else { return f };
    if let Some(l) = &n.label {
        f.push(("NTFS label", l.clone()));
    }
    if let Some(ver) = &n.version {
        f.push(("NTFS version", ver.clone()));
    }
    if let (Some(files), Some(dirs)) = (n.files, n.directories) {
        f.push(("files / directories", format!("{files} / {dirs}")));
    }
    if let Some(b) = n.bytes_in_use {
        f.push(("bytes in use", human::size(b)));
    }
    if let Some(m) = n.mft_size {
        f.push(("$MFT size", human::size(m)));
    }
    let b = &n.boot;
    f.push(("NTFS serial", b.serial.clone()));
    f.push(("cluster size", b.cluster_size.to_string()));
    f.push((
        "NTFS sectors",
        format!("{} of {} bytes", b.total_sectors, b.bytes_per_sector),
    ));
    f.push(("$MFT at cluster", b.mft_lcn.to_string()));
    f.push(("boot sector used", b.boot_sector.to_string()));
    f
}

/// The manifest and the hash scan.
pub(super) fn content_facts(c: &ContentReport) -> Vec<Fact> {
    let mut f = Vec::new();
    if let Some(m) = &c.manifest {
        if m.found {
            f.push(("manifest", m.path.clone()));
            if let Some(md5) = &m.md5 {
                f.push(("manifest MD5", md5.clone()));
            }
            if let Some(d) = &m.drive_id {
                f.push(("manifest DriveId", d.clone()));
            }
            f.push((
                "blobs / files found",
                format!("{} / {}", m.blobs, m.files_found),
            ));
        } else {
            f.push(("manifest", format!("{} not found", m.path)));
        }
    }
    if let Some(s) = &c.scan {
        f.push((
            "files read",
            format!(
                "{} ({}) in {:.2} s, {} MB/s, {}",
                s.files,
                human::size(s.bytes),
                s.seconds,
                s.mb_per_s,
                human::count(s.threads as u64, "thread")
            ),
        ));
        f.push(("manifest ranges verified", s.ranges_checked.to_string()));
        let hashes = if s.file_hashes.is_empty() {
            "none (give --hashes FILE for a sha256sum inventory)".to_string()
        } else {
            s.file_hashes.join(", ")
        };
        f.push(("file hashes", hashes));
        if s.incomplete_files > 0 {
            f.push(("files not fully readable", s.incomplete_files.to_string()));
        }
    }
    f
}

pub(super) fn drive_facts(r: &CheckReport) -> Vec<Fact> {
    let d = &r.disk;
    let mut f: Vec<Fact> = vec![
        ("path", d.path.clone()),
        ("kind", d.kind.to_string()),
        ("size", human::size(d.size)),
        (
            "logical sector",
            format!(
                "{} bytes (from {})",
                d.logical_sector_size,
                d.sector_size_source.describe()
            ),
        ),
    ];
    if let Some(p) = d.physical_sector_size {
        f.push(("physical sector", format!("{p} bytes")));
    }
    if let Some(dev) = &d.device {
        let or_unknown = |o: &Option<String>| o.clone().unwrap_or_else(|| "unknown".into());
        f.push(("model", or_unknown(&dev.model)));
        f.push(("vendor", or_unknown(&dev.vendor)));
        f.push(("serial", or_unknown(&dev.serial)));
        f.push(("transport", or_unknown(&dev.transport)));
        let yn = |b: Option<bool>| {
            b.map_or("unknown", |v| if v { "yes" } else { "no" })
                .to_string()
        };
        f.push(("rotational", yn(dev.rotational)));
        f.push(("removable", yn(dev.removable)));
    }
    if let Some(h) = &d.health {
        f.push(("SMART health", h.summary()));
    }
    let table = match d.partition_table {
        crate::layout::TableKind::Gpt => "GPT",
        crate::layout::TableKind::Mbr => "MBR",
        crate::layout::TableKind::None => "none",
    };
    f.push(("partition table", table.to_string()));
    for p in &d.partitions {
        f.push((
            "partition",
            format!(
                "{}: sectors {}+{} ({}), {} {}{}",
                p.number,
                p.start_lba,
                p.sectors,
                human::size(p.size),
                p.type_code,
                p.type_name,
                p.name
                    .as_ref()
                    .map(|n| format!(" \"{n}\""))
                    .unwrap_or_default()
            ),
        ));
    }
    f
}

/// What `--surface` read beyond the files, and what it could not read.
pub(super) fn surface_facts(s: &crate::scan::surface::SurfaceFacts) -> Vec<Fact> {
    vec![
        (
            "bytes read",
            format!("{} in {:.2} s", human::size(s.bytes), s.seconds),
        ),
        ("free space", human::size(s.free_space_bytes)),
        (
            "outside partitions",
            human::size(s.outside_partitions_bytes),
        ),
        (
            "read errors",
            if s.unreadable_ranges == 0 {
                "none".to_string()
            } else {
                format!(
                    "{} unreadable ({})",
                    human::size(s.unreadable_bytes),
                    human::count(s.unreadable_ranges, "range")
                )
            },
        ),
    ]
}
