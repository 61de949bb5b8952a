//! Findings, the checklist of drive states, and how the report is rendered.

mod finding;

pub use finding::{DriveStatus, Finding, Severity};
