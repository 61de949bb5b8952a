//! What `ie-preflight ls` prints: one line per entry like `fls -r -p`, named
//! streams as `path:stream`, and serialisable entries for `--json`.

use super::inventory::{EntryInfo, Inventory};
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, Default)]
pub struct LsOptions {
    /// Include NTFS metadata files (`$MFT`, `$Extend/...`), like `fls` does.
    pub system: bool,
}

/// One listed line: a file, a directory, or a named stream (`path:name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LsLine {
    pub path: String,
    pub size: u64,
    pub is_dir: bool,
    pub record: u64,
}

impl LsLine {
    /// `r/r 64:\tpath\tsize` (`d/d` for directories), the `fls -r -p` shape plus the size.
    pub fn write_to(&self, w: &mut impl Write) -> io::Result<()> {
        let t = if self.is_dir { "d/d" } else { "r/r" };
        writeln!(w, "{t} {}:\t{}\t{}", self.record, self.path, self.size)
    }
}

/// The lines of the listing, in directory walk order.
pub fn fls_lines(inv: &Inventory, opts: LsOptions) -> impl Iterator<Item = LsLine> + '_ {
    (0..inv.len())
        .filter(move |&i| opts.system || !inv.is_system(i))
        .flat_map(move |i| {
            let path = inv.path(i);
            let is_dir = inv.is_dir(i);
            let record = inv.record(i);
            let streams: Vec<LsLine> = inv
                .streams(i)
                .into_iter()
                .map(|s| LsLine {
                    path: format!("{path}:{}", s.name),
                    size: s.size,
                    is_dir: false,
                    record,
                })
                .collect();
            let size = if is_dir { 0 } else { inv.size(i) };
            std::iter::once(LsLine {
                path,
                size,
                is_dir,
                record,
            })
            .chain(streams)
        })
}

/// Write the listing of [`fls_lines`] to `w`, reusing one line buffer (the `ls` hot path).
pub fn write_fls(inv: &Inventory, opts: LsOptions, w: &mut impl Write) -> io::Result<()> {
    let mut line = String::new();
    let mut path = String::new();
    let mut parts = Vec::new();
    for i in 0..inv.len() {
        if !opts.system && inv.is_system(i) {
            continue;
        }
        path.clear();
        inv.path_into(i, &mut path, &mut parts);
        let is_dir = inv.is_dir(i);
        let record = inv.record(i);
        let size = if is_dir { 0 } else { inv.size(i) };
        line.clear();
        push_line(&mut line, is_dir, record, &path, None, size);
        for s in inv.streams(i) {
            push_line(&mut line, false, record, &path, Some(s.name), s.size);
        }
        w.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// `r/r 64:\tpath[:stream]\tsize\n`, as [`LsLine::write_to`] writes it.
fn push_line(
    line: &mut String,
    is_dir: bool,
    record: u64,
    path: &str,
    stream: Option<&str>,
    size: u64,
) {
    line.push_str(if is_dir { "d/d " } else { "r/r " });
    push_u64(line, record);
    line.push_str(":\t");
    line.push_str(path);
    if let Some(name) = stream {
        line.push(':');
        line.push_str(name);
    }
    line.push('\t');
    push_u64(line, size);
    line.push('\n');
}

fn push_u64(s: &mut String, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        s.push(d as char);
    }
}

/// Full entries for `--json` (serialise them one by one to keep memory flat).
pub fn json_entries(inv: &Inventory, opts: LsOptions) -> impl Iterator<Item = EntryInfo<'_>> + '_ {
    (0..inv.len())
        .filter(move |&i| opts.system || !inv.is_system(i))
        .map(move |i| inv.info(i))
}
