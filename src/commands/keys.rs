//! The BitLocker key options, read once: files (or stdin, typed with echo
//! off at a terminal) into zeroizing buffers. Errors name the file, never
//! what is in it.

use crate::bitlocker::Credentials;
use crate::cli::KeyArgs;
use crate::secrets;
use std::path::Path;

/// Read every key given.
pub fn credentials(k: &KeyArgs) -> Result<Credentials, String> {
    let mut c = Credentials::none();
    let stdin = Path::new("-");
    if k.recovery_key_file.as_deref() == Some(stdin) && k.password_file.as_deref() == Some(stdin) {
        return Err(
            "--recovery-key-file - and --password-file - both read stdin; give one of them a file"
                .into(),
        );
    }
    if let Some(p) = &k.recovery_key_file {
        let text = secrets::read_secret_text(p, "BitLocker recovery password (48 digits): ")
            .map_err(|e| e.to_string())?;
        c.recovery_password = Some(secrets::recovery_password_in(&text));
    }
    if let Some(key) = k.recovery_key.clone() {
        super::warn("a key on the command line is visible to other users and stays in shell history; prefer --recovery-key-file");
        c.recovery_password = Some(zeroize::Zeroizing::new(key));
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
