//! `ie-preflight dataset dataset.csv [driveset.csv]`: WAImportExport v2 CSVs validated.

use super::file_report::finish;
use super::{fail, input, Exit};
use crate::azure::dataset::{validate_dataset, validate_driveset};
use crate::cli::DatasetArgs;
use crate::report::DriveStatus;
use crate::sniff;
use std::path::Path;

pub fn run(a: &DatasetArgs) -> Exit {
    let csv = |path: &Path, what: &str, other: &'static str| {
        input::read_text(path, input::MAX_LIST_FILE, what, sniff::csv_not(other))
    };
    let mut per_file = Vec::new();
    match csv(&a.dataset, "a dataset CSV", "a driveset CSV") {
        Ok(t) => per_file.push((a.dataset.clone(), validate_dataset(&t).0)),
        Err(e) => return fail(Exit::Incomplete, &e, a.json),
    }
    if let Some(d) = &a.driveset {
        match csv(d, "a driveset CSV", "a dataset CSV") {
            Ok(t) => per_file.push((d.clone(), validate_driveset(&t))),
            Err(e) => return fail(Exit::Incomplete, &e, a.json),
        }
    }
    finish(
        DriveStatus::UnsupportedData,
        per_file,
        None,
        a.json,
        a.strict,
    )
}
