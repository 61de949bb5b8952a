//! Reading secrets (recovery passwords, user passwords, startup key files) from
//! files or stdin. Contents are held in zeroizing buffers and never appear in
//! errors, output or logs; only the path does.

use std::io::Read;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// A key file larger than this is not a key file (a .BEK is a few hundred bytes).
const MAX_SECRET_FILE: u64 = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("cannot read key file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("key file {path} is larger than {MAX_SECRET_FILE} bytes; give the file that holds only the key")]
    TooLarge { path: PathBuf },
    #[error("key file {path} is empty")]
    Empty { path: PathBuf },
    #[error("key file {path} is not UTF-8 text (for a .BEK startup key use --bek)")]
    NotText { path: PathBuf },
    #[error("a startup key (.BEK) cannot be typed at a terminal; give the .BEK file")]
    NotTypeable,
}

/// How a secret read from `-` is asked for when stdin is a terminal: the
/// prompt, or `None` when the secret is binary and cannot be typed.
pub type TypedPrompt<'a> = Option<&'a str>;

/// Raw bytes of `path`, or of stdin when `path` is `-`: on a terminal, typed
/// after `prompt` with echo off; from a pipe, read as it comes.
pub fn read_secret_bytes(
    path: &Path,
    prompt: TypedPrompt<'_>,
) -> Result<Zeroizing<Vec<u8>>, SecretError> {
    let io = |source| SecretError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut buf = Zeroizing::new(Vec::new());
    if path == Path::new("-") && crate::tty::stdin_is_terminal() {
        let prompt = prompt.ok_or(SecretError::NotTypeable)?;
        buf = crate::tty::read_hidden_line(prompt).map_err(io)?;
    } else if path == Path::new("-") {
        std::io::stdin()
            .take(MAX_SECRET_FILE + 1)
            .read_to_end(&mut buf)
            .map_err(io)?;
    } else {
        std::fs::File::open(path)
            .map_err(io)?
            .take(MAX_SECRET_FILE + 1)
            .read_to_end(&mut buf)
            .map_err(io)?;
    }
    if buf.len() as u64 > MAX_SECRET_FILE {
        return Err(SecretError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    if buf.is_empty() {
        return Err(SecretError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(buf)
}

/// The text of a key file: a UTF-8 BOM and surrounding whitespace removed.
/// Windows tools save recovery keys as UTF-16 text; that is accepted too.
/// `prompt` is shown when `path` is `-` and stdin is a terminal.
pub fn read_secret_text(path: &Path, prompt: &str) -> Result<Zeroizing<String>, SecretError> {
    let bytes = read_secret_bytes(path, Some(prompt))?;
    let text = decode_text(&bytes).ok_or_else(|| SecretError::NotText {
        path: path.to_path_buf(),
    })?;
    let trimmed = Zeroizing::new(
        text.trim()
            .trim_start_matches('\u{feff}')
            .trim()
            .to_string(),
    );
    if trimmed.is_empty() {
        return Err(SecretError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(trimmed)
}

fn decode_text(b: &[u8]) -> Option<Zeroizing<String>> {
    if let Some(rest) = b.strip_prefix(&[0xFF, 0xFE]) {
        if rest.len() % 2 != 0 {
            return None;
        }
        let units: Zeroizing<Vec<u16>> = Zeroizing::new(
            rest.chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect(),
        );
        return String::from_utf16(&units).ok().map(Zeroizing::new);
    }
    std::str::from_utf8(b)
        .ok()
        .map(|s| Zeroizing::new(s.to_string()))
}

/// Windows saves a recovery key as a text file with a header and the key on
/// its own line; pick the line that looks like 8 groups of 6 digits, or else
/// return the whole text (so the form check can say what is wrong with it).
pub fn recovery_password_in(text: &str) -> Zeroizing<String> {
    let found = text.lines().map(str::trim).find(|l| {
        l.len() == 55
            && l.split('-').count() == 8
            && l.chars().all(|c| c.is_ascii_digit() || c == '-')
    });
    Zeroizing::new(found.unwrap_or(text).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn trims_and_decodes() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b"\xEF\xBB\xBF 123 \r\n").unwrap();
        assert_eq!(read_secret_text(f.path(), "").unwrap().as_str(), "123");
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("k1".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        f.write_all(&utf16).unwrap();
        assert_eq!(read_secret_text(f.path(), "").unwrap().as_str(), "k1");
    }

    #[test]
    fn errors_name_the_path_not_the_content() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b"\xFF\x00secret").unwrap();
        let e = read_secret_text(f.path(), "").unwrap_err().to_string();
        assert!(e.contains(&f.path().display().to_string()));
        assert!(!e.contains("secret"));
        let e = read_secret_text(Path::new("/nonexistent/key.txt"), "").unwrap_err();
        assert!(e.to_string().contains("/nonexistent/key.txt"));
    }

    #[test]
    fn finds_the_key_line_in_a_windows_recovery_file() {
        let text = "BitLocker Drive Encryption recovery key\r\n\r\nIdentifier:\r\n\tABCD\r\n\r\nRecovery Key:\r\n\t060456-014509-132033-080300-252615-584177-672089-411631\r\n";
        assert_eq!(
            recovery_password_in(text).as_str(),
            "060456-014509-132033-080300-252615-584177-672089-411631"
        );
        assert_eq!(recovery_password_in("12-34").as_str(), "12-34");
    }
}
