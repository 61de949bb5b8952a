//! Running the `ie-preflight` binary: [`ie_preflight`] for a command line of
//! one argument type, [`Cmd`] to build one of mixed types (words and paths).

use serde_json::Value;
use std::ffi::{OsStr, OsString};
use std::io::Write;

/// How one run of the binary ended.
#[derive(Debug)]
pub struct Run {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// stdout parsed, when it is JSON.
    pub json: Option<Value>,
}

impl Run {
    /// The JSON on stdout; fails the test, showing both streams, when stdout is not JSON.
    pub fn report(&self) -> &Value {
        match &self.json {
            Some(v) => v,
            None => {
                let e = serde_json::from_str::<Value>(&self.stdout).unwrap_err();
                panic!(
                    "not JSON ({e}), exit {}: {}\nstderr: {}",
                    self.code, self.stdout, self.stderr
                )
            }
        }
    }

    /// Fails the test when the binary panicked.
    pub fn assert_no_panic(self) -> Run {
        assert!(!self.stderr.contains("panicked"), "panic: {}", self.stderr);
        self
    }
}

/// `ie-preflight ARGS...`, run to its end.
pub fn ie_preflight<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = assert_cmd::Command::cargo_bin("ie-preflight")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    Run {
        code: out.status.code().unwrap_or(-1),
        json: serde_json::from_str(&stdout).ok(),
        stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// An `ie-preflight` command line built up argument by argument (words,
/// paths, secrets in files); [`Cmd::run`] runs it with [`ie_preflight`].
#[derive(Default)]
pub struct Cmd {
    args: Vec<OsString>,
    /// The files of [`Cmd::key_file`], removed when the `Cmd` is dropped.
    files: Vec<tempfile::NamedTempFile>,
}

impl Cmd {
    pub fn new<I, S>(args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Cmd::default().args(args)
    }

    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Cmd {
        self.args.push(a.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// `FLAG FILE`, with FILE a temp file holding the line `secret` (a key
    /// file: `--recovery-key-file`, `--password-file`).
    pub fn key_file(mut self, flag: &str, secret: &str) -> Cmd {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "{secret}").unwrap();
        self = self.arg(flag).arg(f.path());
        self.files.push(f);
        self
    }

    pub fn run(&self) -> Run {
        ie_preflight(&self.args)
    }
}
