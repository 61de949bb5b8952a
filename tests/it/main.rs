//! The integration tests: one test binary, one module per area.
//!
//! Shared helpers live in `common` (running the binary, reading its report,
//! the test images, skipping on missing prerequisites) and `bitlk` (the
//! Windows-made BitLocker images and the fixture encryptor).

mod bitlk;
mod common;

mod azure_dataset;
mod azure_judge;
mod azure_local;
mod azure_props;
mod azure_rules;
mod bad_input;
mod bitlocker_fixtures;
mod bitlocker_fuzz;
mod bitlocker_images;
mod bitlocker_kat;
mod bitlocker_pipeline;
mod bloblist;
mod bloblist_inventory;
mod block_device;
mod check_bitlocker;
mod check_images;
mod check_job;
mod check_manifest_dest;
mod check_many;
mod check_ntfs;
mod check_rules;
mod cross_check;
mod devices;
mod drive_list;
mod file_commands;
mod fuzz_regressions;
mod health;
mod html_report;
mod input_kinds;
mod json_schema;
mod log;
mod ls;
mod manifest_drive;
mod manifest_rules;
mod ntfs_content;
mod ntfs_edits;
mod ntfs_fixtures;
mod ntfs_fuzz;
mod output_safety;
mod rule_codes_doc;
mod scan_work;
mod status;
mod status_jobs;
mod unlock;
