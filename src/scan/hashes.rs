//! `sha256sum` output: `<hex>  <path>` per line, paths relative to the volume
//! root; names with a backslash or newline are escaped the way GNU coreutils
//! does (line starts with `\`), so `sha256sum -c` reads them back.

use serde::Serialize;
use std::io::{self, Write};

/// One hashed file: its path on the volume, size and the hashes asked for (hex).
#[derive(Debug, Clone, Serialize)]
pub struct FileHashLine {
    pub path: String,
    pub size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
}

/// One `sha256sum` line (with its newline).
pub fn line(hex: &str, path: &str) -> String {
    if path.contains('\\') || path.contains('\n') || path.contains('\r') {
        let esc = path
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r");
        format!("\\{hex}  {esc}\n")
    } else {
        format!("{hex}  {path}\n")
    }
}

/// Write `(hex, path)` pairs to `w`.
pub fn write_all<'a>(
    w: &mut impl Write,
    items: impl Iterator<Item = (&'a str, &'a str)>,
) -> io::Result<()> {
    for (h, p) in items {
        w.write_all(line(h, p).as_bytes())?;
    }
    w.flush()
}

/// Which hash of each [`FileHashLine`] an output holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inventory {
    /// `--hashes`: `sha256sum` format.
    Sha256,
    /// `--hashes-md5`: `md5sum` format (files hashed whole with MD5).
    Md5,
}

/// Write the inventory of `lines` in `sha256sum`/`md5sum` format.
pub fn write_inventory(
    w: &mut impl Write,
    lines: &[FileHashLine],
    kind: Inventory,
) -> io::Result<()> {
    let items = lines.iter().filter_map(|l| {
        let hex = match kind {
            Inventory::Sha256 => l.sha256.as_deref()?,
            Inventory::Md5 => l.md5.as_deref()?,
        };
        Some((hex, l.path.as_str()))
    });
    write_all(w, items)
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(super::line("ab", "a/b c"), "ab  a/b c\n");
        assert_eq!(super::line("ab", "a\\b\nc"), "\\ab  a\\\\b\\nc\n");
    }
}
