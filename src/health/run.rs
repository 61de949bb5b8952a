//! Running `smartctl --json -x DEVICE` (read-only: it only asks the drive for
//! its SMART data and logs) and decoding its exit status.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A drive that does not answer in this time is reported as not checked.
const TIMEOUT: Duration = Duration::from_secs(120);

/// What one run gave: its stdout and exit status.
#[derive(Debug)]
pub struct Ran {
    pub stdout: Vec<u8>,
    /// `None` when it was killed by a signal.
    pub exit_status: Option<i32>,
}

/// `smartctl` in a directory of `PATH`, if there is one.
pub fn find_on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("smartctl"))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Run `PROGRAM --json -x DEVICE`, with a timeout.
pub fn run(program: &Path, device: &Path) -> Result<Ran, String> {
    let mut child = Command::new(program)
        .arg("--json")
        .arg("-x")
        .arg(device)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let Some(mut out) = child.stdout.take() else {
        let _ = child.kill();
        let _ = child.wait();
        return Err("smartctl's output could not be read".into());
    };
    // Read while it runs: `-x` prints more than a pipe holds.
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        out.read_to_end(&mut buf).map(|_| buf)
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "smartctl gave no answer in {} s",
                    TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("waiting for smartctl failed: {e}")),
        }
    };
    let stdout = reader
        .join()
        .map_err(|_| "reading smartctl's output failed".to_string())?
        .map_err(|e| format!("reading smartctl's output failed: {e}"))?;
    Ok(Ran {
        stdout,
        exit_status: status.code(),
    })
}

/// The bits of smartctl's exit status (smartctl(8), "RETURN VALUES").
pub const EXIT_BITS: [&str; 8] = [
    "the command line did not parse",
    "the device could not be opened, did not identify itself, or is in a low-power mode",
    "a SMART or other command to the device failed, or a SMART data structure has a checksum error",
    "the SMART status check returned \"DISK FAILING\"",
    "prefail attributes are at or below their threshold",
    "the SMART status is OK, but usage or prefail attributes have been at or below their threshold in the past",
    "the device error log contains records of errors",
    "the device self-test log contains records of errors",
];

/// The meaning of each bit set in `status`, lowest first.
pub fn decode_exit(status: u64) -> Vec<&'static str> {
    EXIT_BITS
        .iter()
        .enumerate()
        .filter(|(i, _)| status & (1 << i) != 0)
        .map(|(_, m)| *m)
        .collect()
}

/// Bits 0 and 1: smartctl could not talk SMART with the device at all.
pub fn could_not_query(status: u64) -> bool {
    status & 0b11 != 0
}

/// Bit 3: the drive itself says it is failing.
pub fn disk_failing(status: u64) -> bool {
    status & 0b1000 != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_is_a_bit_mask() {
        assert!(decode_exit(0).is_empty());
        assert_eq!(decode_exit(1), [EXIT_BITS[0]]);
        assert_eq!(
            decode_exit(0b1100_1000),
            [EXIT_BITS[3], EXIT_BITS[6], EXIT_BITS[7]]
        );
        assert!(could_not_query(2) && !could_not_query(4));
        assert!(disk_failing(8 | 64) && !disk_failing(64));
    }

    #[test]
    fn a_missing_program_is_an_error_not_a_panic() {
        let e = run(Path::new("/nonexistent/smartctl"), Path::new("/dev/null")).unwrap_err();
        assert!(e.contains("cannot run"), "{e}");
    }
}
