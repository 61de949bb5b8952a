//! Loop devices of test images (root): attached with the given `losetup`
//! options (`-r` read-only, `-P` partition scan, `-b 4096`, …), detached on drop.

use std::path::{Path, PathBuf};
use std::process::Command;

/// An attached loop device: its path (`/dev/loopN`).
pub struct Loop(pub PathBuf);

impl Loop {
    pub fn attach(file: &Path, options: &[&str]) -> Loop {
        let out = Command::new("losetup")
            .args(options)
            .args(["-f", "--show"])
            .arg(file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "losetup failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Loop(PathBuf::from(String::from_utf8(out.stdout).unwrap().trim()))
    }

    /// The device's path as text.
    pub fn name(&self) -> &str {
        self.0.to_str().unwrap_or_default()
    }
}

impl Drop for Loop {
    fn drop(&mut self) {
        let _ = Command::new("losetup").arg("-d").arg(&self.0).status();
    }
}

/// Can loop devices be attached here (root and losetup)?
pub fn available() -> bool {
    super::require_root("attaching loop devices") && super::require_tool("losetup", "mount")
}
