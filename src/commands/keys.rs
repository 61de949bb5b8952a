//! The BitLocker key options, read once: files (or stdin, typed with echo
//! off at a terminal) into zeroizing buffers. Errors name the file, never
//! what is in it. One drive takes one `--recovery-key-file FILE`; several
//! drives checked at once take `--recovery-key-file SERIAL=FILE` per drive.

use crate::bitlocker::Credentials;
use crate::cli::KeyArgs;
use crate::pipeline::drives::SourceArg;
use crate::secrets;
use crate::source::same_serial;
use std::path::{Path, PathBuf};

/// One `--recovery-key-file`: `FILE`, or `SERIAL=FILE` (a file of that
/// name that exists is a file, not a serial).
struct KeyFile {
    serial: Option<String>,
    path: PathBuf,
}

fn key_files(k: &KeyArgs) -> Vec<KeyFile> {
    k.recovery_key_file
        .iter()
        .map(|p| {
            let arg = SourceArg::parse(&p.to_string_lossy());
            match arg.serial {
                Some(serial) if !p.exists() => KeyFile {
                    serial: Some(serial),
                    path: arg.path,
                },
                _ => KeyFile {
                    serial: None,
                    path: p.clone(),
                },
            }
        })
        .collect()
}

/// The usage error of a single-drive command given per-drive keys.
pub fn one_drive_only(k: &KeyArgs) -> Result<(), String> {
    let files = key_files(k);
    if files.len() > 1 || files.iter().any(|f| f.serial.is_some()) {
        return Err("--recovery-key-file SERIAL=FILE (and more than one --recovery-key-file) is for checking several drives at once; for one drive give one --recovery-key-file FILE".into());
    }
    Ok(())
}

/// Read every key given, for one drive.
pub fn credentials(k: &KeyArgs) -> Result<Credentials, String> {
    let mut c = shared(k)?;
    if let Some(f) = key_files(k).first() {
        c.recovery_password = Some(recovery_password(&f.path)?);
    }
    if let Some(key) = k.recovery_key.clone() {
        super::warn("a key on the command line is visible to other users and stays in shell history; prefer --recovery-key-file");
        c.recovery_password = Some(zeroize::Zeroizing::new(key));
    }
    Ok(c)
}

/// Several drives: `check` refuses before any reading when a key is not
/// named for a drive (`Err` is a usage error).
pub struct PerDrive {
    /// Password and startup key: the same for every drive.
    shared: Credentials,
    /// Each drive's recovery password, by serial.
    by_serial: Vec<(String, zeroize::Zeroizing<String>)>,
}

impl PerDrive {
    /// The usage error, when a recovery key is not named for a drive.
    pub fn usage(k: &KeyArgs) -> Option<String> {
        if k.recovery_key.is_some() {
            return Some("--recovery-key cannot be used with several drives: give --recovery-key-file SERIAL=FILE for each".into());
        }
        let unnamed = key_files(k).into_iter().find(|f| f.serial.is_none())?;
        Some(format!(
            "--recovery-key-file {}: with several drives, name the drive each key is for: --recovery-key-file SERIAL=FILE",
            unnamed.path.display()
        ))
    }

    /// Read every key file (stdin only for one of them).
    pub fn read(k: &KeyArgs) -> Result<PerDrive, String> {
        let shared = shared(k)?;
        let mut by_serial = Vec::new();
        for f in key_files(k) {
            if let Some(serial) = f.serial {
                by_serial.push((serial, recovery_password(&f.path)?));
            }
        }
        Ok(PerDrive { shared, by_serial })
    }

    /// The serials keys were given for.
    pub fn serials(&self) -> impl Iterator<Item = &str> {
        self.by_serial.iter().map(|(s, _)| s.as_str())
    }

    /// The keys for the drive with this serial (the shared ones only, when
    /// no recovery key names it).
    pub fn for_serial(&self, serial: Option<&str>) -> Credentials {
        let recovery_password = serial.and_then(|sn| {
            self.by_serial
                .iter()
                .find(|(s, _)| same_serial(s, sn))
                .map(|(_, k)| k.clone())
        });
        Credentials {
            recovery_password,
            password: self.shared.password.clone(),
            bek: self.shared.bek.clone(),
        }
    }
}

/// The password and the startup key (one of each, for every drive).
fn shared(k: &KeyArgs) -> Result<Credentials, String> {
    let mut c = Credentials::none();
    let stdin = Path::new("-");
    let key_on_stdin = key_files(k).iter().filter(|f| f.path == stdin).count();
    let password_on_stdin = usize::from(k.password_file.as_deref() == Some(stdin));
    if key_on_stdin + password_on_stdin > 1 {
        return Err(
            "more than one key option reads stdin (`-`); give all but one of them a file".into(),
        );
    }
    if let Some(p) = &k.password_file {
        let text =
            secrets::read_secret_text(p, "BitLocker password: ").map_err(|e| e.to_string())?;
        c.password = Some(text);
    }
    if let Some(p) = &k.bek {
        c.bek = Some(secrets::read_secret_bytes(p, None).map_err(|e| e.to_string())?);
    }
    Ok(c)
}

fn recovery_password(path: &Path) -> Result<zeroize::Zeroizing<String>, String> {
    let text = secrets::read_secret_text(path, "BitLocker recovery password (48 digits): ")
        .map_err(|e| e.to_string())?;
    Ok(secrets::recovery_password_in(&text))
}
