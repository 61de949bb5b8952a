//! WAImportExport v2 `dataset.csv` (reference §3.3, §3.5).
