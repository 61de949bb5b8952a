//! Findings, the checklist of drive states, and how the report is rendered.

mod checklist;
mod codes;
mod finding;
pub mod human;

pub use checklist::{Checklist, Coverage, Outcome, Row, RowResult, Verdict};
pub use finding::{DriveStatus, Finding, Location, Severity};

/// Version of the JSON document `--json` prints.
pub const SCHEMA: &str = "ie-preflight/1";
