//! What a source *is* on this machine, so that nothing the tool writes can
//! land on it: its inode, and every block device that carries its bytes (the
//! device, its partitions, device-mapper/md holders stacked on them, loop
//! devices backed by an image file), and the file systems mounted from any of
//! those (by device number, or by the mount source a FUSE mount such as
//! ntfs-3g names in `/proc/self/mountinfo`).

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// A device number as the kernel writes it in sysfs and mountinfo: `major:minor`.
pub type DevNumber = (u32, u32);

/// Everything that aliases one source.
#[derive(Debug, Clone, Default)]
pub struct SourceIdentity {
    /// The path as given.
    pub path: PathBuf,
    /// `(st_dev, st_ino)` of the source itself (after symlinks), and of the
    /// image file behind it when it is a loop device (or a partition of one).
    pub inodes: Vec<(u64, u64)>,
    /// Block devices that hold the source's bytes (and what is stacked on them).
    pub devices: BTreeSet<DevNumber>,
    /// Device numbers (`st_dev`) of file systems mounted from the source.
    pub mounted_file_systems: BTreeSet<DevNumber>,
    /// Mount points of those file systems, to name them in errors.
    pub mount_points: Vec<(DevNumber, String)>,
}

impl SourceIdentity {
    /// Learn what aliases `path`. Never fails: what cannot be read is left out
    /// (an unreadable source is refused later by `open`).
    pub fn of(path: &Path) -> SourceIdentity {
        let mut id = SourceIdentity {
            path: path.to_path_buf(),
            ..Default::default()
        };
        let Ok(meta) = fs::metadata(path) else {
            return id;
        };
        id.inodes.push((meta.dev(), meta.ino()));
        let mut roots = Vec::new();
        if meta.file_type().is_block_device() {
            roots.push(split(meta.rdev()));
            id.inodes.extend(loop_backing_inode(split(meta.rdev())));
        } else if meta.is_file() {
            roots.extend(loop_devices_backed_by(meta.dev(), meta.ino()));
        }
        for root in roots {
            collect_stack(root, &mut id.devices, 0);
        }
        id.read_mounts(&meta);
        id
    }

    /// Is `st_dev` the device of a file system that lives on this source?
    pub fn holds_file_system(&self, st_dev: u64) -> Option<&str> {
        let d = split(st_dev);
        if !self.mounted_file_systems.contains(&d) && !self.devices.contains(&d) {
            return None;
        }
        Some(
            self.mount_points
                .iter()
                .find(|(n, _)| *n == d)
                .map(|(_, m)| m.as_str())
                .unwrap_or("a file system"),
        )
    }

    fn read_mounts(&mut self, meta: &fs::Metadata) {
        let Ok(text) = fs::read_to_string("/proc/self/mountinfo") else {
            return;
        };
        for m in super::mounts::parse_mount_lines(&text) {
            let by_number = self.devices.contains(&m.dev);
            let by_source = m.source.starts_with('/') && self.is_mount_source(&m.source, meta);
            if by_number || by_source {
                self.mounted_file_systems.insert(m.dev);
                self.mount_points.push((m.dev, m.mount_point));
            }
        }
    }

    /// A FUSE mount (ntfs-3g) names its source path: the image itself, the
    /// block device, or one of the devices stacked on it.
    fn is_mount_source(&self, mount_source: &str, meta: &fs::Metadata) -> bool {
        let Ok(m) = fs::metadata(mount_source) else {
            return false;
        };
        if m.dev() == meta.dev() && m.ino() == meta.ino() {
            return true;
        }
        m.file_type().is_block_device() && self.devices.contains(&split(m.rdev()))
    }
}

/// `st_rdev`/`st_dev` as `(major, minor)`.
pub fn split(dev: u64) -> DevNumber {
    (libc::major(dev), libc::minor(dev))
}

fn parse_dev(text: &str) -> Option<DevNumber> {
    let (a, b) = text.trim().split_once(':')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// The device, its partitions and, recursively, the holders of each (dm, md).
/// Depth-bounded: sysfs has no cycles, but a bound costs nothing.
fn collect_stack(dev: DevNumber, out: &mut BTreeSet<DevNumber>, depth: u32) {
    if depth > 8 || !out.insert(dev) {
        return;
    }
    let Ok(sys) = fs::canonicalize(format!("/sys/dev/block/{}:{}", dev.0, dev.1)) else {
        return;
    };
    let mut dirs = vec![sys.clone()];
    if let Ok(entries) = fs::read_dir(&sys) {
        for e in entries.flatten() {
            if e.path().join("partition").exists() {
                dirs.push(e.path());
            }
        }
    }
    for d in dirs {
        if let Some(n) = fs::read_to_string(d.join("dev"))
            .ok()
            .and_then(|t| parse_dev(&t))
        {
            out.insert(n);
        }
        let Ok(holders) = fs::read_dir(d.join("holders")) else {
            continue;
        };
        for h in holders.flatten() {
            if let Some(n) = fs::read_to_string(h.path().join("dev"))
                .ok()
                .and_then(|t| parse_dev(&t))
            {
                collect_stack(n, out, depth + 1);
            }
        }
    }
}

/// The image file behind a loop device, or behind the loop device a partition is on.
fn loop_backing_inode(dev: DevNumber) -> Option<(u64, u64)> {
    let sys = fs::canonicalize(format!("/sys/dev/block/{}:{}", dev.0, dev.1)).ok()?;
    let backing = [
        sys.join("loop/backing_file"),
        sys.join("../loop/backing_file"),
    ]
    .iter()
    .find_map(|p| fs::read_to_string(p).ok())?;
    let m = fs::metadata(backing.trim_end_matches('\n')).ok()?;
    Some((m.dev(), m.ino()))
}

/// Loop devices whose backing file is the inode `(dev, ino)`.
fn loop_devices_backed_by(dev: u64, ino: u64) -> Vec<DevNumber> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir("/sys/block") else {
        return out;
    };
    for e in entries.flatten() {
        let sys = e.path();
        let Ok(backing) = fs::read_to_string(sys.join("loop/backing_file")) else {
            continue;
        };
        let backing = backing.trim_end_matches('\n');
        let same = fs::metadata(backing)
            .map(|m| m.dev() == dev && m.ino() == ino)
            .unwrap_or(false);
        if !same {
            continue;
        }
        if let Some(n) = fs::read_to_string(sys.join("dev"))
            .ok()
            .and_then(|t| parse_dev(&t))
        {
            out.push(n);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_device_numbers() {
        assert_eq!(parse_dev("8:17\n"), Some((8, 17)));
        assert_eq!(parse_dev("8"), None);
        assert_eq!(parse_dev("a:b"), None);
    }

    #[test]
    fn an_image_is_its_own_inode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.img");
        fs::write(&p, b"x").unwrap();
        let id = SourceIdentity::of(&p);
        let m = fs::metadata(&p).unwrap();
        assert_eq!(id.inodes, vec![(m.dev(), m.ino())]);
        // The directory it lives in is not "on" the image.
        assert!(id.holds_file_system(m.dev()).is_none());
    }
}
