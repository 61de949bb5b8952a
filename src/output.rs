//! Every file the tool writes (`--hashes`, `--hashes-md5`, `unlock -o`, ...)
//! goes through here, so one function decides whether a path may be written.
//!
//! A path is refused, before any source is read, when it resolves (symlinks
//! followed) to a source, to any device, or to a file on a file system that
//! lives on a source ([`SourceIdentity`]); an existing file is refused unless
//! `--force`. The file is then created at once as a temporary file in the same
//! directory (so an unwritable directory is found in a second, not after
//! hours of reading) and renamed into place only when it is whole. An
//! interrupted run (Ctrl-C, SIGTERM, SIGHUP) removes its temporary files.

use crate::source::SourceIdentity;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

/// One output a command was asked to write.
pub struct OutputRequest<'a> {
    /// The option that names it, for messages (`--hashes`, `-o`).
    pub option: &'static str,
    pub path: &'a Path,
    /// File mode of the new file (0o600 for secrets, 0o644 otherwise; umask applies).
    pub mode: u32,
}

/// Why an output path is refused. Every case is a usage error (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(
        "{option} {path}: that is the source {source_path}; nothing is ever written to the source"
    )]
    IsSource {
        option: &'static str,
        path: PathBuf,
        source_path: PathBuf,
    },
    #[error("{option} {path}: that is a device; outputs are regular files and nothing is ever written to a device")]
    IsDevice { option: &'static str, path: PathBuf },
    #[error("{option} {path}: that is on {mount}, a file system on the source {source_path}; write it to another drive")]
    OnSource {
        option: &'static str,
        path: PathBuf,
        mount: String,
        source_path: PathBuf,
    },
    #[error("{option} {path} exists; give --force to overwrite it")]
    Exists { option: &'static str, path: PathBuf },
    #[error("{option} {path} exists and is not a regular file")]
    NotRegularFile { option: &'static str, path: PathBuf },
    #[error(
        "{option} {path} is a symbolic link to a file that does not exist; name the file itself"
    )]
    DanglingLink { option: &'static str, path: PathBuf },
    #[error("{option} and {other} both name {path}; give each output its own file")]
    Twice {
        option: &'static str,
        other: &'static str,
        path: PathBuf,
    },
    #[error("{option} {path}: cannot create a file in {dir}: {err}")]
    Create {
        option: &'static str,
        path: PathBuf,
        dir: PathBuf,
        err: io::Error,
    },
}

/// An output being written: a temporary file beside its final path. It is
/// renamed into place by [`PendingOutput::commit`]; dropped without that, it is
/// removed.
#[derive(Debug)]
pub struct PendingOutput {
    final_path: PathBuf,
    temp_path: PathBuf,
    file: File,
    committed: bool,
}

impl PendingOutput {
    pub fn file(&self) -> &File {
        &self.file
    }
    /// The path the output will have once committed.
    pub fn path(&self) -> &Path {
        &self.final_path
    }

    /// Flush to disk and rename into place.
    pub fn commit(mut self) -> io::Result<()> {
        self.file.sync_all()?;
        std::fs::rename(&self.temp_path, &self.final_path)?;
        self.committed = true;
        forget_temp(&self.temp_path);
        // The rename is durable once the directory is synced (best effort).
        if let Some(dir) = self.final_path.parent() {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for PendingOutput {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp_path);
            forget_temp(&self.temp_path);
        }
    }
}

/// Check every requested output against every source and against each
/// other, then create them all (as temporary files). Nothing is created
/// unless every request is acceptable.
pub fn prepare(
    requests: &[OutputRequest<'_>],
    sources: &[SourceIdentity],
    force: bool,
) -> Result<Vec<PendingOutput>, OutputError> {
    let mut resolved: Vec<(PathBuf, &OutputRequest<'_>)> = Vec::new();
    for r in requests {
        let target = resolve(r, sources, force)?;
        if let Some((_, first)) = resolved.iter().find(|(p, _)| *p == target) {
            return Err(OutputError::Twice {
                option: first.option,
                other: r.option,
                path: r.path.to_path_buf(),
            });
        }
        resolved.push((target, r));
    }
    resolved
        .into_iter()
        .map(|(target, r)| create_temp(r, target))
        .collect()
}

/// The final path `r` will be written to, or why it may not be.
fn resolve(
    r: &OutputRequest<'_>,
    sources: &[SourceIdentity],
    force: bool,
) -> Result<PathBuf, OutputError> {
    let path = r.path.to_path_buf();
    let option = r.option;
    let existing = match std::fs::metadata(&path) {
        Ok(m) => Some(m),
        Err(_) if std::fs::symlink_metadata(&path).is_ok() => {
            return Err(OutputError::DanglingLink { option, path });
        }
        Err(_) => None,
    };
    if let Some(m) = &existing {
        let ft = m.file_type();
        if ft.is_block_device() || ft.is_char_device() {
            return Err(OutputError::IsDevice { option, path });
        }
        if let Some(s) = sources
            .iter()
            .find(|s| s.inodes.contains(&(m.dev(), m.ino())))
        {
            return Err(OutputError::IsSource {
                option,
                path,
                source_path: s.path.clone(),
            });
        }
    }
    let target = match &existing {
        Some(_) => std::fs::canonicalize(&path).map_err(|err| create_error(r, err))?,
        None => {
            let name = path
                .file_name()
                .ok_or_else(|| create_error(r, io::Error::other("the path names no file")))?;
            let dir = parent_of(&path);
            std::fs::canonicalize(&dir)
                .map_err(|err| create_error(r, err))?
                .join(name)
        }
    };
    let dir = parent_of(&target);
    let dir_dev = std::fs::metadata(&dir)
        .map_err(|err| create_error(r, err))?
        .dev();
    let file_dev = existing.as_ref().map(|m| m.dev());
    for s in sources {
        let on = [Some(dir_dev), file_dev]
            .into_iter()
            .flatten()
            .find_map(|d| s.holds_file_system(d));
        if let Some(mount) = on {
            return Err(OutputError::OnSource {
                option,
                path,
                mount: mount.to_string(),
                source_path: s.path.clone(),
            });
        }
    }
    if let Some(m) = &existing {
        if !m.is_file() {
            return Err(OutputError::NotRegularFile { option, path });
        }
        if !force {
            return Err(OutputError::Exists { option, path });
        }
    }
    Ok(target)
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn create_error(r: &OutputRequest<'_>, err: io::Error) -> OutputError {
    OutputError::Create {
        option: r.option,
        path: r.path.to_path_buf(),
        dir: parent_of(r.path),
        err,
    }
}

fn create_temp(r: &OutputRequest<'_>, target: PathBuf) -> Result<PendingOutput, OutputError> {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp_path = parent_of(&target).join(format!(
        ".{name}.ie-preflight-{}-{}.tmp",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    // Registered before it exists, so a signal between the two cannot leave it.
    remember_temp(&temp_path);
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(r.mode)
        .open(&temp_path)
        .map_err(|err| {
            forget_temp(&temp_path);
            create_error(r, err)
        })?;
    Ok(PendingOutput {
        final_path: target,
        temp_path,
        file,
        committed: false,
    })
}

/// Temporary files not yet committed, for the interrupt handler.
static TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn remember_temp(p: &Path) {
    if let Ok(mut t) = TEMPS.lock() {
        t.push(p.to_path_buf());
    }
}

fn forget_temp(p: &Path) {
    if let Ok(mut t) = TEMPS.lock() {
        t.retain(|x| x != p);
    }
}

/// Remove every uncommitted temporary file (the interrupt handler calls this).
pub fn remove_temporary_files() {
    let temps = match TEMPS.lock() {
        Ok(mut t) => std::mem::take(&mut *t),
        Err(p) => std::mem::take(&mut *p.into_inner()),
    };
    for p in temps {
        let _ = std::fs::remove_file(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(path: &Path) -> OutputRequest<'_> {
        OutputRequest {
            option: "--hashes",
            path,
            mode: 0o644,
        }
    }

    #[test]
    fn writes_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("h.txt");
        let p = prepare(&[req(&out)], &[], false).unwrap();
        assert!(!out.exists(), "nothing at the final path before commit");
        drop(p);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let p = prepare(&[req(&out)], &[], false).unwrap().remove(0);
        std::io::Write::write_all(&mut p.file(), b"x").unwrap();
        p.commit().unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"x");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn refuses_the_source_and_existing_files() {
        let dir = tempfile::tempdir().unwrap();
        let img = dir.path().join("v.img");
        std::fs::write(&img, b"image").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&img, &link).unwrap();
        let src = [SourceIdentity::of(&img)];
        for p in [&img, &link] {
            let e = prepare(&[req(p)], &src, true).unwrap_err();
            assert!(matches!(e, OutputError::IsSource { .. }), "{e}");
        }
        let other = dir.path().join("other");
        std::fs::write(&other, b"").unwrap();
        let e = prepare(&[req(&other)], &src, false).unwrap_err();
        assert!(matches!(e, OutputError::Exists { .. }), "{e}");
        assert!(prepare(&[req(&other)], &src, true).is_ok());
        let e = prepare(&[req(Path::new("/dev/null"))], &src, true).unwrap_err();
        assert!(matches!(e, OutputError::IsDevice { .. }), "{e}");
        assert_eq!(std::fs::read(&img).unwrap(), b"image");
    }

    #[test]
    fn refuses_one_file_for_two_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("h.txt");
        let two = [
            req(&out),
            OutputRequest {
                option: "--hashes-md5",
                path: &out,
                mode: 0o644,
            },
        ];
        let e = prepare(&two, &[], false).unwrap_err();
        assert!(matches!(e, OutputError::Twice { .. }), "{e}");
    }
}
