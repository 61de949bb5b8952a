//! `ie-preflight devices`: the machine's block devices, like `lsblk`, with the
//! facts the checks use and what the first data volume holds.

use super::{print_json, Exit};
use crate::layout;
use crate::probe;
use crate::report::human;
use crate::source::{self, BlockDeviceFacts};
use serde::Serialize;

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
}

/// Partition table and first-volume type, reading only a few sectors.
fn peek(path: &std::path::Path) -> Result<(layout::TableKind, Option<String>), String> {
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

pub fn run(json: bool) -> Exit {
    let rows: Vec<DeviceRow> = source::list_block_devices()
        .into_iter()
        .map(|(path, facts)| {
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
            }
        })
        .collect();
    if json {
        print_json(&serde_json::json!({ "schema": crate::report::SCHEMA, "devices": rows }));
        return Exit::Ready;
    }
    if rows.is_empty() {
        super::style::print_report("no block devices found in /sys/block\n");
        return Exit::Ready;
    }
    let mut text = format!(
        "{:<14} {:>22} {:>5} {:>5} {:<8} {:>4} {:>3} {:<20} {:<20} {:<5} FIRST DATA VOLUME",
        "DEVICE", "SIZE", "LOG", "PHY", "TRAN", "ROTA", "RM", "MODEL", "SERIAL", "TABLE"
    );
    text.push('\n');
    for r in &rows {
        let f = &r.facts;
        let yn = |b: Option<bool>| b.map_or("?", |v| if v { "1" } else { "0" });
        let table = r
            .partition_table
            .map_or("?".into(), |t| format!("{t:?}").to_lowercase());
        let first = match (&r.first_data_volume, &r.error) {
            (Some(k), _) => k.clone(),
            (None, Some(e)) => format!("(cannot read: {e})"),
            (None, None) => "-".into(),
        };
        let mut line = format!(
            "{:<14} {:>22} {:>5} {:>5} {:<8} {:>4} {:>3} {:<20} {:<20} {:<5} {}",
            r.path,
            human::size(f.size_bytes).split(" (").next().unwrap_or(""),
            f.logical_sector_size,
            f.physical_sector_size,
            f.transport.as_deref().unwrap_or("?"),
            yn(f.rotational),
            yn(f.removable),
            f.model.as_deref().unwrap_or("-"),
            f.serial.as_deref().unwrap_or("-"),
            table,
            first
        );
        if !f.mounted_at.is_empty() {
            line.push_str(&format!("  [mounted: {}]", f.mounted_at.join(", ")));
        }
        text.push_str(&line);
        text.push('\n');
    }
    super::write_stdout(text.as_bytes());
    Exit::Ready
}
