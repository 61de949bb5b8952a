//! Finding and parsing the Windows-made BitLocker images of `../shared/testdata/bitlk/`.

pub mod encrypt;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// One `[section]` of `images.conf`.
#[derive(Debug, Clone)]
pub struct Image {
    pub name: String,
    pub path: PathBuf,
    pub conf: BTreeMap<String, String>,
}

impl Image {
    /// A non-empty value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.conf
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// The directory holding the extracted images and `images.conf`:
/// `$IE_PREFLIGHT_BITLK_DIR`, else the shared tarball extracted once into
/// `target/bitlk-images`. `None` (after `common::require`) when absent.
pub fn dir() -> Option<PathBuf> {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match DIR.get_or_init(locate) {
        Ok(p) => Some(p.clone()),
        Err(why) => {
            crate::common::require(false, why);
            None
        }
    }
}

fn locate() -> Result<PathBuf, String> {
    if let Some(d) = std::env::var_os("IE_PREFLIGHT_BITLK_DIR") {
        let d = PathBuf::from(d);
        return if d.join("images.conf").is_file() {
            Ok(d)
        } else {
            Err(format!(
                "IE_PREFLIGHT_BITLK_DIR={} holds no images.conf",
                d.display()
            ))
        };
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tarball = manifest.join("../shared/testdata/bitlk/bitlk-images.tar.xz");
    if !tarball.is_file() {
        return Err(format!(
            "BitLocker test images not found: set IE_PREFLIGHT_BITLK_DIR or provide {}",
            tarball.display()
        ));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("target"));
    let dest = target.join("bitlk-images");
    if dest.join("images.conf").is_file() {
        return Ok(dest);
    }
    // Extract into a private directory, then rename: test runs at the same time
    // (a debug and a release one share target/) race safely.
    let tmp = target.join(format!("bitlk-images.tmp.{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| format!("mkdir {}: {e}", tmp.display()))?;
    let ok = Command::new("tar")
        .arg("-xJf")
        .arg(&tarball)
        .arg("-C")
        .arg(&tmp)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    let inner = tmp.join("bitlk-images");
    let result = if !ok || !inner.join("images.conf").is_file() {
        Err(format!("could not extract {}", tarball.display()))
    } else if std::fs::rename(&inner, &dest).is_ok() || dest.join("images.conf").is_file() {
        Ok(dest)
    } else {
        Err(format!("could not move the images to {}", dest.display()))
    };
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

/// All images of `images.conf`, in file order.
pub fn images() -> Option<Vec<Image>> {
    let dir = dir()?;
    let text = std::fs::read_to_string(dir.join("images.conf")).ok()?;
    let mut out: Vec<Image> = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            out.push(Image {
                name: name.to_string(),
                path: dir.join(format!("{name}.img")),
                conf: BTreeMap::new(),
            });
        } else if let (Some((k, v)), Some(img)) = (line.split_once('='), out.last_mut()) {
            img.conf.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    Some(out)
}

pub fn image(name: &str) -> Option<Image> {
    let img = images()?.into_iter().find(|i| i.name == name);
    assert!(img.is_some(), "images.conf has no [{name}]");
    img
}

/// A still ÷11-valid but wrong recovery password: group 1 changed by 11.
pub fn wrong_recovery_password(rp: &str) -> String {
    let (g1, rest) = rp.split_once('-').unwrap();
    let v: u32 = g1.parse().unwrap();
    let w = if v + 11 < 720_896 { v + 11 } else { v - 11 };
    format!("{w:06}-{rest}")
}
