//! Test drives with a correct drive manifest: an NTFS image made with mkntfs,
//! filled through an ntfs-3g mount (root), and the manifest this helper writes
//! for it (4 MiB blocks, Base64 block IDs, MD5 per block; page blobs in 4 MiB
//! page ranges).

use md5::{Digest, Md5};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

pub const BLOCK: usize = 4 << 20;
pub const DRIVE_ID: &str = "WDWCC4N1234567";

/// One file on the test drive.
#[derive(Clone)]
pub struct FileSpec {
    /// Volume-relative, `/`-separated (`data/big.bin`).
    pub path: String,
    pub data: Vec<u8>,
    /// Described as a page blob (length a multiple of 512).
    pub page: bool,
}

impl FileSpec {
    pub fn manifest_path(&self) -> String {
        format!("\\{}", self.path.replace('/', "\\"))
    }
}

/// Deterministic pseudo-random bytes (xorshift).
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

pub fn base64(b: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for k in 0..4 {
            if k <= c.len() {
                s.push(T[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

pub fn md5_hex(b: &[u8]) -> String {
    Md5::digest(b).iter().map(|x| format!("{x:02X}")).collect()
}

/// The files of the standard test drive: one pipelined big file, a multi-block
/// file, a page blob, small and empty files in folders.
pub fn standard_files() -> Vec<FileSpec> {
    vec![
        FileSpec {
            path: "data/big.bin".into(),
            data: noise(13 * (1 << 20) + 123, 1),
            page: false,
        },
        FileSpec {
            path: "data/mid.bin".into(),
            data: noise(9 * (1 << 20) + 7, 2),
            page: false,
        },
        FileSpec {
            path: "disks/disk.vhd".into(),
            data: noise(1 << 20, 3),
            page: true,
        },
        FileSpec {
            path: "docs/readme.txt".into(),
            data: b"hello manifest\n".to_vec(),
            page: false,
        },
        FileSpec {
            path: "docs/deep/a b.txt".into(),
            data: noise(5000, 4),
            page: false,
        },
        FileSpec {
            path: "empty.dat".into(),
            data: Vec::new(),
            page: false,
        },
    ]
}

pub const METADATA_PATH: &str = "meta/default.xml";
pub const METADATA: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Metadata><DataSetName>Sample</DataSetName></Metadata>\n";

/// A correct manifest for `files` (plus the default metadata file).
pub fn build_manifest(drive_id: &str, files: &[FileSpec]) -> String {
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DriveManifest Version=\"2014-11-01\">\n  <Drive>\n");
    s.push_str(&format!("    <DriveId>{drive_id}</DriveId>\n"));
    s.push_str(&format!(
        "    <StorageAccountKey>{}</StorageAccountKey>\n",
        base64(&[7u8; 64])
    ));
    s.push_str("    <ClientCreator>ie-preflight tests</ClientCreator>\n    <BlobList>\n");
    s.push_str(&format!(
        "      <MetadataPath Hash=\"{}\">\\{}</MetadataPath>\n",
        md5_hex(METADATA.as_bytes()),
        METADATA_PATH.replace('/', "\\")
    ));
    for f in files {
        s.push_str("      <Blob>\n");
        s.push_str(&format!("        <BlobPath>backup/{}</BlobPath>\n", f.path));
        s.push_str(&format!(
            "        <FilePath>{}</FilePath>\n",
            f.manifest_path()
        ));
        s.push_str(&format!("        <Length>{}</Length>\n", f.data.len()));
        if f.page {
            s.push_str("        <PageRangeList>\n");
            for (k, c) in f.data.chunks(BLOCK).enumerate() {
                s.push_str(&format!(
                    "          <PageRange Offset=\"{}\" Length=\"{}\" Hash=\"{}\"/>\n",
                    k * BLOCK,
                    c.len(),
                    md5_hex(c)
                ));
            }
            s.push_str("        </PageRangeList>\n");
        } else {
            s.push_str("        <BlockList>\n");
            for (k, c) in f.data.chunks(BLOCK).enumerate() {
                s.push_str(&format!(
                    "          <Block Offset=\"{}\" Length=\"{}\" Id=\"{}\" Hash=\"{}\"/>\n",
                    k * BLOCK,
                    c.len(),
                    base64(&(k as u32).to_le_bytes()),
                    md5_hex(c)
                ));
            }
            s.push_str("        </BlockList>\n");
        }
        s.push_str("      </Blob>\n");
    }
    s.push_str("    </BlobList>\n  </Drive>\n</DriveManifest>\n");
    s
}

/// An ntfs-3g mount that is unmounted (and waited for) on drop.
pub struct Mount {
    pub dir: tempfile::TempDir,
    child: Option<Child>,
}

impl Mount {
    pub fn new(img: &Path, ro: bool) -> Mount {
        let dir = tempfile::tempdir().expect("mount point");
        let mut opts = "no_detach".to_string();
        if ro {
            opts.push_str(",ro");
        }
        let child = Command::new("ntfs-3g")
            .arg("-o")
            .arg(opts)
            .arg(img)
            .arg(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("run ntfs-3g");
        // Wait until the mount is there.
        for _ in 0..200 {
            let mounted = std::fs::read_to_string("/proc/mounts")
                .unwrap_or_default()
                .contains(dir.path().to_str().unwrap_or("?"));
            if mounted {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        Mount {
            dir,
            child: Some(child),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("sync").status();
        let _ = Command::new("umount").arg(self.dir.path()).status();
        if let Some(mut c) = self.child.take() {
            let _ = c.wait();
        }
    }
}

/// A fresh 64 MiB NTFS image (no partition table) holding `files`, the default
/// metadata file and, when given, `\DriveManifest.xml`.
pub fn build_drive(dir: &Path, files: &[FileSpec], manifest: Option<&str>) -> PathBuf {
    build_drive_sized(dir, files, manifest, 64 << 20)
}

/// [`build_drive`] with an image of `bytes` bytes.
pub fn build_drive_sized(
    dir: &Path,
    files: &[FileSpec],
    manifest: Option<&str>,
    bytes: u64,
) -> PathBuf {
    let img = dir.join("drive.img");
    let f = std::fs::File::create(&img).expect("image");
    f.set_len(bytes).expect("size");
    drop(f);
    let ok = Command::new("mkntfs")
        .args(["-q", "-F", "-Q", "-L", "TESTDRIVE"])
        .arg(&img)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("mkntfs")
        .success();
    assert!(ok, "mkntfs failed");
    {
        let m = Mount::new(&img, false);
        let root = m.path();
        let mut all = files.to_vec();
        all.push(FileSpec {
            path: METADATA_PATH.into(),
            data: METADATA.as_bytes().to_vec(),
            page: false,
        });
        for f in &all {
            let p = root.join(&f.path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, &f.data).expect("write file");
        }
        if let Some(text) = manifest {
            std::fs::write(root.join("DriveManifest.xml"), text).expect("write manifest");
        }
    }
    img
}

/// Can these tests run here (root, mkntfs, ntfs-3g)?
pub fn prerequisites() -> bool {
    super::require_root("builds a test drive through an ntfs-3g mount")
        && super::require_tool("mkntfs", "ntfs-3g")
        && super::require_tool("ntfs-3g", "ntfs-3g")
}
