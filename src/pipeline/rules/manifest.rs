//! The rules over the drive manifest: each `<Blob>`'s `BlobPath` judged,
//! with its `FilePath` as the subject.

use super::{RulesRun, MANIFEST_DESTINATION};
use crate::azure::{EntryRef, Judge, Mapped, ObjectKind, FIRST_N};
use crate::manifest::{normalize_path, BlobKind, BlobTarget};
use crate::ntfs_volume::Inventory;

/// Judge every manifest `<Blob>`: its `BlobPath` (container and blob name),
/// the blob type of its `BlockList`/`PageRangeList`, its `Length` (else the
/// file's size on the drive); reparse points and EFS from the drive's entry
/// for its `FilePath`. The subject is the `FilePath` as written.
pub fn judge_manifest(targets: &[BlobTarget], inventory: Option<&Inventory>) -> RulesRun {
    use std::collections::{HashMap, HashSet};
    // (size, reparse point, EFS) of each file the manifest names.
    let mut on_drive: HashMap<String, (u64, bool, bool)> = HashMap::new();
    if let Some(inv) = inventory {
        let wanted: HashSet<String> = targets
            .iter()
            .map(|t| normalize_path(&t.file_path))
            .collect();
        let mut path = String::new();
        let mut parts = Vec::new();
        for i in (0..inv.len()).filter(|&i| !inv.is_system(i) && !inv.is_dir(i)) {
            path.clear();
            inv.path_into(i, &mut path, &mut parts);
            let key = path.to_lowercase();
            if wanted.contains(&key) {
                let info = inv.info(i);
                on_drive.insert(key, (info.size, info.reparse_tag.is_some(), info.encrypted));
            }
        }
    }
    let mut judge = Judge::for_mapped_blobs(FIRST_N);
    for t in targets {
        let subject = t.file_path.trim();
        let rel = normalize_path(subject);
        let disk = on_drive.get(&rel).copied();
        let Some((container, name)) = t.blob_path.split_once('/') else {
            continue; // names only a container: a manifest finding already
        };
        if container.is_empty() {
            continue; // starts with '/': a manifest finding already
        }
        let e = EntryRef {
            path: subject,
            is_dir: false,
            size: t.length.or(disk.map(|d| d.0)).unwrap_or(0),
            is_reparse_point: disk.is_some_and(|d| d.1),
            is_encrypted: disk.is_some_and(|d| d.2),
        };
        let m = Mapped {
            container: container.to_string(),
            name: name.to_string(),
            kind: match t.kind {
                BlobKind::Page => ObjectKind::PageBlob,
                // No list at all is a manifest finding; judged as a block blob.
                BlobKind::Block | BlobKind::Unknown => ObjectKind::BlockBlob,
            },
        };
        // Measured from the drive root: `X:\` + FilePath.
        let drive_path = subject.replace('\\', "/");
        judge.entry(e, Some(m), &drive_path);
    }
    RulesRun {
        source: "drive".to_string(),
        dataset_line: None,
        base_path: String::new(),
        destination: MANIFEST_DESTINATION.to_string(),
        target: "blob (type from the manifest's BlockList / PageRangeList)",
        report: judge.finish(),
    }
}
