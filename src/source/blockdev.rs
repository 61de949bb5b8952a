//! Facts about a block device from the kernel (ioctls) and sysfs.

use super::os::BlockGeometry;
use serde::Serialize;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// What the kernel tells about a block device.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BlockDeviceFacts {
    /// Kernel name, e.g. `sdb` or `loop3`.
    pub name: String,
    /// Bytes; `size` in JSON, as the check report's `disk.size`.
    #[serde(rename = "size")]
    pub size_bytes: u64,
    pub logical_sector_size: u32,
    pub physical_sector_size: u32,
    pub model: Option<String>,
    pub vendor: Option<String>,
    pub serial: Option<String>,
    /// `usb`, `sata`, `nvme`, `scsi`, `virtio`, `loop`, … (from the sysfs device path).
    pub transport: Option<String>,
    pub rotational: Option<bool>,
    pub removable: Option<bool>,
    pub read_only: Option<bool>,
    /// The device is a partition of `parent`, not a whole disk.
    pub partition_of: Option<String>,
    /// For loop devices: the file behind it.
    pub backing_file: Option<String>,
    /// Mount points of the device or any of its partitions.
    pub mounted_at: Vec<String>,
}

impl BlockDeviceFacts {
    pub fn is_usb(&self) -> bool {
        self.transport.as_deref() == Some("usb")
    }
}

/// Serial numbers as the service compares them: without spaces, any case
/// (the job's `driveId` has no spaces; sysfs may pad the serial).
pub fn same_serial(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect::<String>()
    };
    norm(a) == norm(b)
}

fn read_trim(p: &Path) -> Option<String> {
    let s = fs::read_to_string(p).ok()?;
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn read_u64(p: &Path) -> Option<u64> {
    read_trim(p)?.parse().ok()
}

fn read_flag(p: &Path) -> Option<bool> {
    read_u64(p).map(|v| v != 0)
}

/// The sysfs directory of a device number, resolved (`/sys/devices/...`).
fn sysfs_dir_for(rdev: u64) -> Option<PathBuf> {
    let (maj, min) = (libc::major(rdev), libc::minor(rdev));
    fs::canonicalize(format!("/sys/dev/block/{maj}:{min}")).ok()
}

/// Guess the transport from where the device hangs in the sysfs tree.
fn transport_from_path(sys: &Path, name: &str) -> Option<String> {
    let p = sys.to_string_lossy();
    let t = if p.contains("/usb") {
        "usb"
    } else if name.starts_with("loop") {
        "loop"
    } else if p.contains("/nvme") {
        "nvme"
    } else if p.contains("/virtio") {
        "virtio"
    } else if p.contains("/ata") {
        "sata"
    } else if p.contains("/host") && p.contains("/target") {
        "scsi"
    } else if p.contains("/virtual/") {
        "virtual"
    } else {
        return None;
    };
    Some(t.to_string())
}

/// Serial number: the device's own attribute, else the unit serial VPD page.
fn serial_of(dev_dir: &Path) -> Option<String> {
    if let Some(s) = read_trim(&dev_dir.join("serial")) {
        return Some(s);
    }
    // VPD page 0x80: 4-byte header, then the ASCII serial.
    let raw = fs::read(dev_dir.join("vpd_pg80")).ok()?;
    let body = raw.get(4..)?;
    let s = String::from_utf8_lossy(body).trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// Facts from sysfs for the whole-disk or partition directory `sys`.
fn facts_from_sysfs(sys: &Path) -> BlockDeviceFacts {
    let name = sys
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let is_partition = sys.join("partition").exists();
    // Hardware attributes live on the whole disk.
    let disk = if is_partition {
        sys.parent().unwrap_or(sys).to_path_buf()
    } else {
        sys.to_path_buf()
    };
    let dev_dir = disk.join("device");
    BlockDeviceFacts {
        size_bytes: read_u64(&sys.join("size")).unwrap_or(0).saturating_mul(512),
        logical_sector_size: read_u64(&disk.join("queue/logical_block_size"))
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0),
        physical_sector_size: read_u64(&disk.join("queue/physical_block_size"))
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0),
        model: read_trim(&dev_dir.join("model")),
        vendor: read_trim(&dev_dir.join("vendor")),
        serial: serial_of(&dev_dir),
        transport: transport_from_path(&disk, &name),
        rotational: read_flag(&disk.join("queue/rotational")),
        removable: read_flag(&disk.join("removable")),
        read_only: read_flag(&sys.join("ro")),
        partition_of: is_partition.then(|| {
            disk.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        }),
        backing_file: read_trim(&disk.join("loop/backing_file")),
        mounted_at: Vec::new(),
        name,
    }
}

/// `major:minor` of the device in `sys` and of each of its partitions.
fn dev_numbers_with_partitions(sys: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = read_trim(&sys.join("dev")) {
        out.push(d);
    }
    if let Ok(entries) = fs::read_dir(sys) {
        for e in entries.flatten() {
            let p = e.path();
            if p.join("partition").exists() {
                if let Some(d) = read_trim(&p.join("dev")) {
                    out.push(d);
                }
            }
        }
    }
    out
}

/// Facts for an opened block device; the kernel's geometry wins over sysfs.
pub(super) fn facts_for(path: &Path, meta: &fs::Metadata, geo: BlockGeometry) -> BlockDeviceFacts {
    let rdev = meta.rdev();
    let sys = sysfs_dir_for(rdev);
    let mut facts = sys
        .as_deref()
        .map(facts_from_sysfs)
        .unwrap_or_else(|| BlockDeviceFacts {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            ..Default::default()
        });
    facts.size_bytes = geo.size_bytes;
    facts.logical_sector_size = geo.logical_sector;
    facts.physical_sector_size = geo.physical_sector;
    let devs = match sys.as_deref() {
        Some(s) => dev_numbers_with_partitions(s),
        None => vec![format!("{}:{}", libc::major(rdev), libc::minor(rdev))],
    };
    facts.mounted_at = super::mounts::mounted_paths_for(&devs);
    facts
}

/// Every block device the kernel lists in `/sys/block` (whole disks only),
/// without opening them. RAM disks and zram are left out.
pub fn list_block_devices() -> Vec<(PathBuf, BlockDeviceFacts)> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir("/sys/block") else {
        return out;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("ram") || name.starts_with("zram") {
            continue;
        }
        let Ok(sys) = fs::canonicalize(e.path()) else {
            continue;
        };
        let mut facts = facts_from_sysfs(&sys);
        if facts.size_bytes == 0 {
            continue; // unattached loop devices, empty card readers
        }
        facts.mounted_at = super::mounts::mounted_paths_for(&dev_numbers_with_partitions(&sys));
        out.push((PathBuf::from(format!("/dev/{name}")), facts));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The partitions of the whole disk `disk` (a name of [`list_block_devices`]),
/// from its sysfs directory, in the order of their numbers.
pub fn list_partitions(disk: &str) -> Vec<(PathBuf, BlockDeviceFacts)> {
    let Ok(sys) = fs::canonicalize(Path::new("/sys/block").join(disk)) else {
        return Vec::new();
    };
    let Ok(entries) = fs::read_dir(&sys) else {
        return Vec::new();
    };
    let mut out: Vec<(u64, PathBuf, BlockDeviceFacts)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("partition").exists())
        .map(|p| {
            let number = read_u64(&p.join("partition")).unwrap_or(0);
            let mut facts = facts_from_sysfs(&p);
            facts.mounted_at = super::mounts::mounted_paths_for(&dev_numbers_with_partitions(&p));
            (number, PathBuf::from(format!("/dev/{}", facts.name)), facts)
        })
        .collect();
    out.sort_by_key(|(n, _, _)| *n);
    out.into_iter().map(|(_, p, f)| (p, f)).collect()
}

/// The kernel name (`sdb`, `sdb1`) of the block device at `path`, or `None`
/// when it is not a block device.
pub fn block_device_name(path: &Path) -> Option<String> {
    use std::os::unix::fs::FileTypeExt;
    let meta = fs::metadata(path).ok()?;
    if !meta.file_type().is_block_device() {
        return None;
    }
    let sys = sysfs_dir_for(meta.rdev())?;
    Some(sys.file_name()?.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_guess() {
        let p = Path::new("/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdb");
        assert_eq!(transport_from_path(p, "sdb").as_deref(), Some("usb"));
        let p = Path::new("/sys/devices/virtual/block/loop0");
        assert_eq!(transport_from_path(p, "loop0").as_deref(), Some("loop"));
        let p = Path::new(
            "/sys/devices/pci0000:00/0000:00:17.0/ata3/host2/target2:0:0/2:0:0:0/block/sda",
        );
        assert_eq!(transport_from_path(p, "sda").as_deref(), Some("sata"));
    }
}
