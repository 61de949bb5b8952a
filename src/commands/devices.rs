//! `ie-preflight devices`: the machine's block devices, like `lsblk`, with the
//! facts the checks use and what the first data volume holds. Partitions are
//! listed under their disk; `-o` picks the columns, `-b` gives sizes in bytes,
//! device arguments list only those.

use super::{print_json, Exit};
use crate::cli::{DevicesArgs, DEVICE_COLUMNS};
use crate::layout;
use crate::probe;
use crate::report::human;
use crate::source::{self, BlockDeviceFacts};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Serialize)]
struct DeviceRow {
    path: String,
    #[serde(flatten)]
    facts: BlockDeviceFacts,
    partition_table: Option<layout::TableKind>,
    first_data_volume: Option<String>,
    /// Why the device could not be opened or read, if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// A disk's partitions, each a row of its own (never nested further).
    #[serde(skip_serializing_if = "Option::is_none")]
    partitions: Option<Vec<DeviceRow>>,
}

/// Partition table and first-volume type, reading only a few sectors.
fn peek(path: &Path) -> Result<(layout::TableKind, Option<String>), String> {
    let opened = source::open(path).map_err(|e| e.to_string())?;
    let ss = opened
        .device
        .as_ref()
        .map(|d| d.logical_sector_size)
        .filter(|&s| s != 0)
        .unwrap_or(512);
    let mut ignored = Vec::new();
    let table = layout::read_layout(opened.reader.as_ref(), ss, &mut ignored)
        .map_err(|e| e.to_string())?
        .table;
    let kind = match layout::first_data_volume_of(&opened.reader, ss).map_err(|e| e.to_string())? {
        Some((c, vol)) => {
            let t = probe::probe(vol.as_ref()).map_err(|e| e.to_string())?;
            Some(match c.partition {
                Some(n) => format!("{} (partition {n})", t.describe()),
                None => t.describe().to_string(),
            })
        }
        None => None,
    };
    Ok((table, kind))
}

fn row(path: PathBuf, facts: BlockDeviceFacts, partitions: Option<Vec<DeviceRow>>) -> DeviceRow {
    let (table, first, error) = match peek(&path) {
        Ok((t, k)) => (Some(t), k, None),
        Err(e) => (None, None, Some(e)),
    };
    DeviceRow {
        path: path.display().to_string(),
        facts,
        partition_table: table,
        first_data_volume: first,
        error,
        partitions,
    }
}

/// The disks with their partitions; with `only` (kernel names), the disks
/// named (with every partition) and the partitions named (alone).
fn rows(only: Option<&[String]>) -> Vec<DeviceRow> {
    let wanted = |name: &str| only.is_none_or(|o| o.iter().any(|n| n == name));
    let mut out = Vec::new();
    for (path, facts) in source::list_block_devices() {
        let parts = source::list_partitions(&facts.name);
        if wanted(&facts.name) {
            let children = parts.into_iter().map(|(p, f)| row(p, f, None)).collect();
            out.push(row(path, facts, Some(children)));
        } else {
            out.extend(
                parts
                    .into_iter()
                    .filter(|(_, f)| wanted(&f.name))
                    .map(|(p, f)| row(p, f, None)),
            );
        }
    }
    out
}

pub fn run(args: &DevicesArgs) -> Exit {
    let only = match names(&args.devices) {
        Ok(n) => n,
        Err(msg) => return super::fail(Exit::Usage, &msg, args.json),
    };
    let rows = rows(only.as_deref());
    if json_or_empty(&rows, args.json) {
        return Exit::Ready;
    }
    let cols: Vec<&str> = if args.columns.is_empty() {
        DEVICE_COLUMNS.to_vec()
    } else {
        args.columns.iter().map(String::as_str).collect()
    };
    let mut table = vec![cols.iter().map(|c| c.to_string()).collect::<Vec<_>>()];
    for r in &rows {
        table.push(cells(r, &cols, "", args.bytes));
        let kids = r.partitions.as_deref().unwrap_or_default();
        for (i, p) in kids.iter().enumerate() {
            let branch = if i + 1 == kids.len() {
                "└─"
            } else {
                "├─"
            };
            table.push(cells(p, &cols, branch, args.bytes));
        }
    }
    super::write_stdout(layout_table(&table).as_bytes());
    Exit::Ready
}

/// The kernel names of the device arguments; `None` without arguments.
fn names(devices: &[PathBuf]) -> Result<Option<Vec<String>>, String> {
    if devices.is_empty() {
        return Ok(None);
    }
    devices
        .iter()
        .map(|d| {
            source::block_device_name(d)
                .ok_or_else(|| format!("{}: not a block device", d.display()))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// `--json`, or the note that there is nothing to list: true when printed.
fn json_or_empty(rows: &[DeviceRow], json: bool) -> bool {
    if json {
        print_json(&serde_json::json!({ "schema": crate::report::SCHEMA, "devices": rows }));
        return true;
    }
    if rows.is_empty() {
        super::style::print_report("no block devices found in /sys/block\n");
        return true;
    }
    false
}

/// The cells of one row, in the order of `cols`; `branch` prefixes NAME.
fn cells(r: &DeviceRow, cols: &[&str], branch: &str, bytes: bool) -> Vec<String> {
    let f = &r.facts;
    let yn = |b: Option<bool>| b.map_or("?", |v| if v { "1" } else { "0" }).to_string();
    let text = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    cols.iter()
        .map(|c| match *c {
            "NAME" => format!("{branch}{}", r.path),
            "SIZE" if bytes => f.size_bytes.to_string(),
            "SIZE" => human::size(f.size_bytes)
                .split(" (")
                .next()
                .unwrap_or("")
                .to_string(),
            "LOG" => f.logical_sector_size.to_string(),
            "PHY" => f.physical_sector_size.to_string(),
            "TRAN" => text(&f.transport),
            "ROTA" => yn(f.rotational),
            "RM" => yn(f.removable),
            "RO" => yn(f.read_only),
            "MODEL" => text(&f.model),
            "SERIAL" => text(&f.serial),
            "TABLE" => r
                .partition_table
                .map_or("?".into(), |t| format!("{t:?}").to_lowercase()),
            "VOLUME" => match (&r.first_data_volume, &r.error) {
                (Some(k), _) => k.clone(),
                (None, Some(e)) => format!("(cannot read: {e})"),
                (None, None) => "-".into(),
            },
            "MOUNTPOINTS" if f.mounted_at.is_empty() => "-".into(),
            "MOUNTPOINTS" => f.mounted_at.join(","),
            _ => String::new(),
        })
        .collect()
}

/// Columns padded to their widest cell; the last one is not padded.
fn layout_table(rows: &[Vec<String>]) -> String {
    let n = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..n)
        .map(|i| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(c);
            } else {
                let pad = widths[i].saturating_sub(c.chars().count());
                line.push_str(c);
                line.push_str(&" ".repeat(pad + 1));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_padded_to_the_widest_cell() {
        let t = vec![
            vec!["NAME".to_string(), "SIZE".into()],
            vec!["/dev/sda".into(), "1 GiB".into()],
            vec!["└─/dev/sda1".into(), "2".into()],
        ];
        assert_eq!(
            layout_table(&t),
            "NAME        SIZE\n/dev/sda    1 GiB\n└─/dev/sda1 2\n"
        );
    }
}
