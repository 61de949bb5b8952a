//! Jobs: the job record (REST / az CLI / drive list), and what its states mean.

pub mod classic;
pub mod databox;
pub mod journal;
pub mod keys;
pub mod log;
pub mod model;
pub mod states;
pub mod status;
mod status_render;

pub use model::{parse_job, parse_jobs, Drive, Job, JobError, Package, Provider};

/// A job from a job JSON, a journal, or a DriveInfo XML, told apart by content.
pub fn parse_any(text: &str) -> Result<Job, String> {
    let mut jobs = parse_all(text)?;
    match jobs.len() {
        1 => jobs.pop().ok_or_else(|| JobError::Empty.to_string()),
        n => Err(JobError::Many(n).to_string()),
    }
}

/// Every job in a job JSON (a list response holds several), a journal, or a DriveInfo XML.
pub fn parse_all(text: &str) -> Result<Vec<Job>, String> {
    let t = text.trim_start();
    if t.starts_with('{') || t.starts_with('[') && !t.starts_with("[BeginUpdateRecord]") {
        parse_jobs(text).map_err(|e| e.to_string())
    } else {
        journal::job_from_text(text)
            .map(|j| vec![j])
            .map_err(|e| e.to_string())
    }
}
