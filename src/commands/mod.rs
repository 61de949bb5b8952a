//! The command layer: the only code that reads the files named on the
//! command line, prints, and picks an exit code. One module per subcommand;
//! each takes its clap arguments (from [`crate::cli`]) and returns an [`Exit`].
//! Below this layer nothing prints: the pipeline and the domain return
//! reports and findings.

mod blob_list;
mod check;
mod dataset;
mod devices;
mod drive_list;
mod drives;
mod file_report;
mod generate;
mod input;
mod keys;
mod log;
#[doc(hidden)]
pub mod ls;
mod manifest;
mod outputs;
mod progress;
mod status;
pub mod style;
mod unlock;

use crate::cli::{Cli, Command};
use serde::Serialize;

/// The process exit codes, in one place (as fd's `exit_codes.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: ready to ship (warnings allowed); the command did what was asked.
    Ready,
    /// 1: the drive (or file, or job) would fail.
    WouldFail,
    /// 2: the request cannot be carried out as given; said before any work.
    Usage,
    /// 3: the check could not be completed (unreadable source, wrong input).
    Incomplete,
    /// 130: interrupted by Ctrl-C (or SIGTERM/SIGHUP); nothing half-written is left.
    Interrupted,
}

impl Exit {
    pub fn code(self) -> i32 {
        match self {
            Exit::Ready => 0,
            Exit::WouldFail => 1,
            Exit::Usage => 2,
            Exit::Incomplete => 3,
            Exit::Interrupted => 130,
        }
    }

    /// The exit a report asks for (reports carry their code as a JSON field).
    pub fn of_report(code: i32) -> Exit {
        match code {
            0 => Exit::Ready,
            1 => Exit::WouldFail,
            2 => Exit::Usage,
            _ => Exit::Incomplete,
        }
    }

    fn verdict(self) -> &'static str {
        match self {
            Exit::Ready => "ready",
            Exit::WouldFail => "would-fail",
            Exit::Usage => "usage-error",
            Exit::Incomplete | Exit::Interrupted => "incomplete",
        }
    }
}

impl From<crate::report::Verdict> for Exit {
    fn from(v: crate::report::Verdict) -> Exit {
        Exit::of_report(v.exit_code())
    }
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> Exit {
    style::init(cli.color, cli.quiet);
    match cli.command {
        Command::Check(a) => check::run(a),
        Command::Devices(a) => devices::run(&a),
        Command::BlobList(a) => blob_list::run(&a),
        Command::Dataset(a) => dataset::run(&a),
        Command::Log(a) => log::run(&a),
        Command::Status(a) => status::run(&a),
        Command::Ls(a) => ls::run(&a),
        Command::Unlock(a) => unlock::run(&a),
        Command::Manifest(a) => manifest::run(&a),
        Command::Generate(a) => generate::run(a.what),
    }
}

/// The one way a command says it stops: `ie-preflight: error: MSG` on
/// stderr and, under `--json`, an error document on stdout.
pub(crate) fn fail(exit: Exit, msg: &str, json: bool) -> Exit {
    eprintln!("ie-preflight: error: {msg}");
    if json {
        print_error_document(exit, msg);
    }
    exit
}

/// The error document (`docs/schema/error.schema.json`).
fn print_error_document(exit: Exit, msg: &str) {
    print_json(&serde_json::json!({
        "schema": crate::report::SCHEMA,
        "verdict": exit.verdict(),
        "exit_code": exit.code(),
        "error": msg,
    }));
}

/// Ctrl-C, SIGTERM or SIGHUP: remove the outputs being written, give the
/// terminal its echo back, say so.
pub fn interrupted() -> Exit {
    crate::output::remove_temporary_files();
    crate::tty::restore_terminal();
    eprintln!("ie-preflight: interrupted");
    Exit::Interrupted
}

/// A command line clap refused (or `--help`, `--version`): clap's text as
/// clap prints it and, for a usage error with `--json` among `args`, the
/// error document on stdout too.
pub fn parse_error(e: &clap::Error, args: &[std::ffi::OsString]) -> Exit {
    // Help and version go to stdout and are not errors.
    if !e.use_stderr() {
        if let Err(err) = e.print() {
            eprintln!("ie-preflight: error: cannot write to stdout: {err}");
        }
        return Exit::Ready;
    }
    if let Err(err) = e.print() {
        eprintln!("ie-preflight: error: cannot write to stderr: {err}");
    }
    let json = args
        .iter()
        .skip(1)
        .take_while(|a| a.as_os_str() != "--")
        .any(|a| a.as_os_str() == "--json");
    if json {
        let text = e.render().to_string();
        let first = text.lines().next().unwrap_or("");
        let msg = first.strip_prefix("error: ").unwrap_or(first).trim();
        print_error_document(Exit::Usage, msg);
    }
    Exit::Usage
}

/// Something the user should know that does not stop the command.
pub(crate) fn warn(msg: &str) {
    eprintln!("ie-preflight: warning: {msg}");
}

/// What the command did besides its report (a file written).
pub(crate) fn note(msg: &str) {
    eprintln!("ie-preflight: {msg}");
}

/// One JSON document on stdout.
pub(crate) fn print_json<T: Serialize>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => write_stdout(format!("{s}\n").as_bytes()),
        Err(e) => eprintln!("ie-preflight: error: cannot write JSON: {e}"),
    }
}

/// Write to stdout; a closed pipe (`| head`) is not an error worth a word
/// (`print!` would panic on it).
pub(crate) fn write_stdout(bytes: &[u8]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("ie-preflight: error: cannot write to stdout: {e}");
        }
    }
}
