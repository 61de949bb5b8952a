//! Jobs: the job record (REST / az CLI / drive list), and what its states mean.

pub mod journal;
pub mod log;
pub mod model;
pub mod states;
pub mod status;

pub use model::{parse_job, Drive, Job, JobError};

/// A job from a job JSON, a journal, or a DriveInfo XML, told apart by content.
pub fn parse_any(text: &str) -> Result<Job, String> {
    let t = text.trim_start();
    if t.starts_with('{') || t.starts_with('[') && !t.starts_with("[BeginUpdateRecord]") {
        parse_job(text).map_err(|e| e.to_string())
    } else {
        journal::job_from_text(text).map_err(|e| e.to_string())
    }
}
