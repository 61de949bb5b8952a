//! Jobs: the job record (REST / az CLI / drive list), and what its states mean.

pub mod log;
pub mod model;
pub mod states;
pub mod status;

pub use model::{parse_job, Drive, Job, JobError};

/// `ie-preflight status JOB.json`; returns the exit code.
pub fn run_status(path: &std::path::Path, json: bool) -> i32 {
    let text = match read_job_file(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("ie-preflight: error: {e}");
            return 3;
        }
    };
    let job = match parse_job(&text) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("ie-preflight: error: {}: {e}", path.display());
            return 3;
        }
    };
    let r = status::report(&job);
    if json {
        crate::cli::print_json(&r);
    } else {
        print!("{}", status::render(&r));
    }
    r.exit_code
}

/// A job file, bounded (job records are small), read as UTF-8 (a BOM is dropped).
pub fn read_job_file(path: &std::path::Path) -> Result<String, String> {
    const MAX: u64 = 16 << 20;
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.len() > MAX {
        return Err(format!(
            "{} is larger than {MAX} bytes; it is not a job file",
            path.display()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(bytes.to_vec()).map_err(|_| format!("{} is not UTF-8 text", path.display()))
}
