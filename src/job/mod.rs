//! Jobs: the job record (REST / az CLI / drive list), and what its states mean.

pub mod journal;
pub mod log;
pub mod model;
pub mod multi;
pub mod states;
pub mod status;

pub use model::{parse_job, Drive, Job, JobError};

/// `ie-preflight status JOB.json`; returns the exit code.
pub fn run_status(path: &std::path::Path, json: bool) -> i32 {
    let job = match load(path) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("ie-preflight: error: {e}");
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

/// A job from a job JSON, a journal, or a DriveInfo XML, told apart by content.
pub fn parse_any(text: &str) -> Result<Job, String> {
    let t = text.trim_start();
    if t.starts_with('{') || t.starts_with('[') && !t.starts_with("[BeginUpdateRecord]") {
        parse_job(text).map_err(|e| e.to_string())
    } else {
        journal::job_from_text(text).map_err(|e| e.to_string())
    }
}

/// Load a job file of any accepted kind.
pub fn load(path: &std::path::Path) -> Result<Job, String> {
    use crate::sniff::InputKind;
    let is_job = |k: &InputKind| {
        matches!(k, InputKind::Json | InputKind::Journal) || k.is_xml_root(&["Drive"])
    };
    let text = read_input(path, "a job record", is_job)?;
    parse_any(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A job file, bounded (job records are small), read as UTF-8 (a BOM is dropped).
pub fn read_job_file(path: &std::path::Path) -> Result<String, String> {
    read_input(path, "a text file", |_| true)
}

/// A small input file of the kind `what` (`accepts` decides from its first
/// bytes; another kind is refused saying what it looks like), as UTF-8 text.
pub fn read_input(
    path: &std::path::Path,
    what: &str,
    accepts: impl Fn(&crate::sniff::InputKind) -> bool,
) -> Result<String, String> {
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
    crate::sniff::expect(&bytes, what, accepts).map_err(|e| format!("{}: {e}", path.display()))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(bytes.to_vec()).map_err(|_| format!("{} is not UTF-8 text", path.display()))
}
