//! `ie-preflight unlock`: write the decrypted first data volume of a BitLocker
//! drive to a new file, like `dislocker-file`. The source is only read.
//!
//! The volume is read through [`DecryptedVolume`](crate::bitlocker::DecryptedVolume)
//! in large aligned chunks; a few worker threads each decrypt a chunk and write
//! it at its own offset (`pwrite`), so decryption runs on every core.

use super::Exit;
use crate::bitlocker;
use crate::cli::UnlockArgs;
use crate::layout;
use crate::output::{self, OutputRequest};
use crate::pipeline::sector_size;
use crate::report::Severity;
use crate::source::SourceIdentity;
use crate::source::{self, ReadAt};
use std::fs::File;
use std::io::IsTerminal;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

/// Bytes decrypted and written per step (a multiple of every sector size).
pub const CHUNK: usize = 4 << 20;

/// Exit 0 written, 1 the volume cannot be unlocked (wrong key, not
/// BitLocker, ...), 2 usage error, 3 could not be completed.
pub fn run(a: &UnlockArgs) -> Exit {
    match unlock(a) {
        Ok(()) => Exit::Ready,
        Err(Failure { exit, message }) => super::fail(exit, &message, false),
    }
}

struct Failure {
    exit: Exit,
    message: String,
}

fn failure(exit: Exit, message: impl Into<String>) -> Failure {
    Failure {
        exit,
        message: message.into(),
    }
}

fn unlock(a: &UnlockArgs) -> Result<(), Failure> {
    // Checked (and created, as a temporary file) before the source is opened.
    let request = OutputRequest {
        option: "--output",
        path: &a.output,
        // The plain volume is as secret as the key: readable by its owner only.
        mode: 0o600,
    };
    let out = output::prepare(&[request], &[SourceIdentity::of(&a.source)], a.force)
        .map_err(|e| failure(Exit::Usage, e.to_string()))?
        .remove(0);
    super::keys::one_drive_only(&a.keys).map_err(|e| failure(Exit::Usage, e))?;
    let credentials =
        super::keys::credentials(&a.keys).map_err(|e| failure(Exit::Incomplete, e))?;
    let opened = source::open(&a.source).map_err(|e| failure(Exit::Incomplete, e.to_string()))?;
    let ss = sector_size(&opened, a.sector_size).bytes;
    let (chosen, vol) = layout::first_data_volume_of(&opened.reader, ss)
        .map_err(|e| failure(Exit::Incomplete, e.to_string()))?
        .ok_or_else(|| {
            failure(
                Exit::WouldFail,
                format!(
                    "BitLocker volume not found: {} has no data volume",
                    a.source.display()
                ),
            )
        })?;
    let assessment = bitlocker::assess(vol, &credentials);
    let Some(plain) = assessment.unlocked else {
        let errors: Vec<String> = assessment
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| format!("{}: {}", f.predicts, f.message))
            .collect();
        let given = credentials.is_given();
        return Err(if !errors.is_empty() {
            failure(Exit::WouldFail, errors.join("; "))
        } else if !given {
            failure(Exit::Usage,
                "the BitLocker volume was not unlocked: give a key with --recovery-key-file, --password-file or --bek",
            )
        } else {
            failure(Exit::Incomplete, "the BitLocker volume was not unlocked")
        });
    };
    for f in &assessment.findings {
        if f.severity != Severity::Info && f.code != "bitlocker.no-key" {
            super::warn(&format!("{}: {}", f.predicts, f.message));
        }
    }
    copy_volume(&plain, out.file())?;
    out.commit().map_err(|e| {
        failure(
            Exit::Incomplete,
            format!("cannot write {}: {e}", a.output.display()),
        )
    })?;
    super::note(&format!(
        "wrote the decrypted volume (partition at byte {}, {} bytes) to {}",
        chosen.offset,
        plain.len(),
        a.output.display()
    ));
    Ok(())
}

/// Decrypt `plain` chunk by chunk into `out`, on up to 4 threads.
fn copy_volume(plain: &dyn ReadAt, out: &File) -> Result<(), Failure> {
    let len = plain.len();
    out.set_len(len)
        .map_err(|e| failure(Exit::Incomplete, format!("cannot size the output: {e}")))?;
    let chunks = len.div_ceil(CHUNK as u64);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4);
    let bar = progress_bar(len);
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let error: Mutex<Option<Failure>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                let mut buf = vec![0u8; CHUNK];
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= chunks {
                        break;
                    }
                    let off = i * CHUNK as u64;
                    // At most CHUNK, so it fits a usize.
                    let n = (len - off).min(CHUNK as u64) as usize;
                    let part = &mut buf[..n];
                    let res = plain
                        .read_exact_at(part, off)
                        .map_err(|e| {
                            failure(
                                Exit::Incomplete,
                                format!("reading the volume at byte {off} ({n} bytes) failed: {e}"),
                            )
                        })
                        .and_then(|()| {
                            out.write_all_at(part, off).map_err(|e| {
                                failure(
                                    Exit::Incomplete,
                                    format!("writing the output at byte {off} failed: {e}"),
                                )
                            })
                        });
                    match res {
                        Ok(()) => {
                            if let Some(b) = &bar {
                                b.inc(n as u64);
                            }
                        }
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            if let Ok(mut slot) = error.lock() {
                                slot.get_or_insert(e);
                            }
                        }
                    }
                }
            });
        }
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    match error.into_inner() {
        Ok(Some(e)) => Err(e),
        Ok(None) => Ok(()),
        Err(_) => Err(failure(Exit::Incomplete, "a decrypting thread failed")),
    }
}

/// A progress bar on stderr, only when stderr is a terminal.
fn progress_bar(len: u64) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}
