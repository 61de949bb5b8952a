//! Command-line definitions (clap) and dispatch to the library.

use crate::check::{self, JobType};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit codes: 0 ready to ship (warnings allowed), 1 the drive would fail,
            2 usage error, 3 the check could not be completed.
The source is only ever opened read-only; nothing is written to it.";

#[derive(Debug, Parser)]
#[command(
    name = "ie-preflight",
    version,
    about = "Check a drive before shipping it to an Azure Import/Export datacenter",
    long_about = "Checks a drive (a block device or a raw disk image), read-only, the way the Azure \
Import/Export service will, and says which drive state it would end in (\"NTFS volume not found\", \
\"Disk corrupted\", \"BitLocker volume not found\", ...), where, and what to do about it.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check one drive and print a pre-shipping checklist
    #[command(after_help = "Examples:\n  ie-preflight check /dev/sdb\n  ie-preflight check disk.img --json\n  ie-preflight check disk.img --job-type export\n\n".to_owned() + AFTER_HELP)]
    Check(CheckArgs),
    /// List this machine's block devices with the facts the checks use
    Devices(DevicesArgs),
    /// List every file of the first data volume (NTFS), like `fls -r -p`
    #[command(
        after_help = "Each line: type, MFT record, path, size (tab-separated).\nExamples:\n  ie-preflight ls /dev/sdb\n  ie-preflight ls disk.img --json > inventory.json"
    )]
    Ls(LsArgs),
    /// Validate an export blob-list XML (BlobPath / BlobPathPrefix), with line and column
    #[command(name = "blob-list")]
    BlobList(BlobListArgs),
    /// Validate WAImportExport v2 dataset.csv (and driveset.csv)
    Dataset(DatasetArgs),
    /// Validate a drive manifest (DriveManifest.xml), with line and column; with
    /// --source, also check it against the drive (files, lengths, block MD5s)
    #[command(
        after_help = "Examples:\n  ie-preflight manifest DriveManifest.xml\n  ie-preflight manifest DriveManifest.xml --source disk.img --recovery-key-file key.txt"
    )]
    Manifest(ManifestArgs),
}

#[derive(Debug, clap::Args)]
pub struct ManifestArgs {
    /// The manifest XML file
    pub file: PathBuf,
    /// Block device or image to check the manifest against
    #[arg(long)]
    pub source: Option<PathBuf>,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
    /// Treat warnings as failures
    #[arg(long)]
    pub strict: bool,
    /// Logical sector size of an image, when it cannot be inferred
    #[arg(long, value_parser = parse_sector_size)]
    pub sector_size: Option<u32>,
    #[command(flatten)]
    pub content: ContentArgs,
    #[command(flatten)]
    pub keys: KeyArgs,
}

/// The manifest and hash-scan options of `check` (and `manifest --source`).
#[derive(Debug, clap::Args)]
pub struct ContentArgs {
    /// Base16 MD5 of the manifest file, as given with the job (manifestHash)
    #[arg(long, value_name = "HEX")]
    pub manifest_hash: Option<String>,
    /// The drive's serial number (driveId), compared with the manifest's DriveId
    #[arg(long, value_name = "SERIAL")]
    pub drive_id: Option<String>,
    /// Check metadata only: do not read and hash the files' data
    #[arg(long)]
    pub no_hash: bool,
    /// Hashing threads (default: one per core; one reader on a rotational drive)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
    pub threads: Option<u32>,
    /// Write every file's SHA-256 in `sha256sum` format (paths relative to the volume root)
    #[arg(long, value_name = "FILE")]
    pub hashes: Option<PathBuf>,
    /// Put every file's SHA-256 in the JSON report (with --json)
    #[arg(long)]
    pub hashes_in_json: bool,
    /// Also read every byte of the drive (free space, outside partitions) for read errors
    #[arg(long)]
    pub surface: bool,
}

impl ContentArgs {
    fn options(
        &self,
        device: Option<&crate::source::BlockDeviceFacts>,
    ) -> crate::scan::ContentOptions {
        crate::scan::ContentOptions {
            manifest: true,
            manifest_file: None,
            manifest_hash: self.manifest_hash.clone(),
            drive_id: self.drive_id.clone(),
            external_manifest: None,
            no_hash: self.no_hash,
            threads: self.threads.map(|n| n as usize),
            rotational: device.and_then(|d| d.rotational).unwrap_or(false),
            hashes_file: self.hashes.clone(),
            hashes_in_json: self.hashes_in_json,
            file_md5: false,
            surface: self.surface,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct BlobListArgs {
    /// The blob list XML file
    pub file: PathBuf,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
    /// Treat warnings as failures
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, clap::Args)]
pub struct DatasetArgs {
    /// dataset.csv (BasePath, DstBlobPathOrPrefix / DstItemPathOrPrefix, ...)
    pub dataset: PathBuf,
    /// driveset.csv (DriveLetter, FormatOption, SilentOrPromptOnFormat, Encryption, ExistingBitLockerKey)
    pub driveset: Option<PathBuf>,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
    /// Treat warnings as failures
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, clap::Args)]
pub struct LsArgs {
    /// Block device or raw disk image
    pub source: PathBuf,
    /// Print one JSON document with every inventory entry (extents, flags, streams)
    #[arg(long)]
    pub json: bool,
    /// Include NTFS metadata files ($MFT, $Bitmap, $Extend/...)
    #[arg(long)]
    pub system: bool,
    /// Logical sector size of an image, when it cannot be inferred
    #[arg(long, value_parser = parse_sector_size)]
    pub sector_size: Option<u32>,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Block device (e.g. /dev/sdb) or raw disk image file
    pub source: PathBuf,
    /// Print one JSON document (schema "ie-preflight/1") on stdout instead of the checklist
    #[arg(long)]
    pub json: bool,
    /// Treat warnings as failures (exit code 1)
    #[arg(long)]
    pub strict: bool,
    /// What the drive is for: import drives must be BitLocker + NTFS; export drives get only the disk checks
    #[arg(long, value_enum, default_value = "import")]
    pub job_type: JobType,
    /// Logical sector size of an image, when it cannot be inferred (512 or 4096)
    #[arg(long, value_parser = parse_sector_size)]
    pub sector_size: Option<u32>,
    /// Where the drive manifest is on the volume (the job's manifestFile)
    #[arg(long, value_name = "PATH", default_value = "\\DriveManifest.xml")]
    pub manifest_file: String,
    #[command(flatten)]
    pub content: ContentArgs,
    #[command(flatten)]
    pub keys: KeyArgs,
}

/// How to give BitLocker keys. Files keep secrets out of the process list and shell history.
#[derive(Debug, clap::Args)]
pub struct KeyArgs {
    /// File holding the 48-digit BitLocker recovery password (`-` reads stdin); Windows' saved
    /// recovery-key .txt files work as they are
    #[arg(long, value_name = "FILE")]
    pub recovery_key_file: Option<PathBuf>,
    /// The recovery password itself (visible to other users and kept in shell history: prefer --recovery-key-file)
    #[arg(long, value_name = "KEY", conflicts_with = "recovery_key_file")]
    pub recovery_key: Option<String>,
    /// File holding a BitLocker user password (`-` reads stdin)
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// BitLocker startup key file (.BEK)
    #[arg(long, value_name = "FILE")]
    pub bek: Option<PathBuf>,
}

impl KeyArgs {
    /// Read every key given; errors name the file, never its content.
    pub fn credentials(self) -> Result<crate::bitlocker::Credentials, String> {
        use crate::secrets;
        let mut c = crate::bitlocker::Credentials::none();
        if let Some(p) = &self.recovery_key_file {
            let text = secrets::read_secret_text(p).map_err(|e| e.to_string())?;
            c.recovery_password = Some(secrets::recovery_password_in(&text));
        }
        if let Some(k) = self.recovery_key {
            eprintln!("ie-preflight: warning: a key on the command line is visible to other users and stays in shell history; prefer --recovery-key-file");
            c.recovery_password = Some(zeroize::Zeroizing::new(k));
        }
        if let Some(p) = &self.password_file {
            c.password = Some(secrets::read_secret_text(p).map_err(|e| e.to_string())?);
        }
        if let Some(p) = &self.bek {
            c.bek = Some(secrets::read_secret_bytes(p).map_err(|e| e.to_string())?);
        }
        Ok(c)
    }
}

#[derive(Debug, clap::Args)]
pub struct DevicesArgs {
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

fn parse_sector_size(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(v @ (512 | 1024 | 2048 | 4096)) => Ok(v),
        _ => Err(format!(
            "{s} is not a sector size; use 512, 1024, 2048 or 4096"
        )),
    }
}

/// Run a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Check(a) => run_check(a),
        Command::Devices(a) => crate::devices::run(a.json),
        Command::BlobList(a) => crate::file_check::blob_list(&a.file, a.json, a.strict),
        Command::Dataset(a) => {
            crate::file_check::dataset(&a.dataset, a.driveset.as_deref(), a.json, a.strict)
        }
        Command::Manifest(a) => run_manifest(a),
        Command::Ls(a) => crate::ls::run(crate::ls::Args {
            source: &a.source,
            json: a.json,
            system: a.system,
            sector_size: a.sector_size,
        }),
    }
}

fn run_check(a: CheckArgs) -> i32 {
    let opened = match crate::source::open(&a.source) {
        Ok(o) => o,
        Err(e) => return could_not_complete(&e.to_string(), a.json),
    };
    let credentials = match a.keys.credentials() {
        Ok(c) => c,
        Err(e) => return could_not_complete(&e, a.json),
    };
    let opts = check::Options {
        credentials,
        job_type: a.job_type,
        sector_size: a.sector_size,
        strict: a.strict,
    };
    let mut content = a.content.options(opened.device.as_ref());
    content.manifest = a.job_type == JobType::Import;
    // An explicit --manifest-file that is missing is an error; the default a warning.
    if a.manifest_file != crate::manifest::DEFAULT_PATH {
        content.manifest_file = Some(a.manifest_file.clone());
    }
    let report = check::run_with(&opened, &opts, Some(&content));
    if a.json {
        print_json(&report);
    } else {
        print!("{}", check::render::human(&report, a.strict));
    }
    report.exit_code
}

fn run_manifest(a: ManifestArgs) -> i32 {
    let bytes = match std::fs::metadata(&a.file).and_then(|m| {
        if m.len() > crate::manifest::MAX_BYTES {
            Err(std::io::Error::other(
                "larger than 1 GiB; not a manifest this tool reads",
            ))
        } else {
            std::fs::read(&a.file)
        }
    }) {
        Ok(b) => b,
        Err(e) => {
            return could_not_complete(&format!("cannot read {}: {e}", a.file.display()), a.json)
        }
    };
    let Some(source) = &a.source else {
        return crate::file_check::manifest_alone(
            &a.file,
            &bytes,
            &a.content.options(None),
            a.json,
            a.strict,
        );
    };
    let opened = match crate::source::open(source) {
        Ok(o) => o,
        Err(e) => return could_not_complete(&e.to_string(), a.json),
    };
    let credentials = match a.keys.credentials() {
        Ok(c) => c,
        Err(e) => return could_not_complete(&e, a.json),
    };
    let opts = check::Options {
        credentials,
        job_type: JobType::Import,
        sector_size: a.sector_size,
        strict: a.strict,
    };
    let mut content = a.content.options(opened.device.as_ref());
    content.external_manifest = Some((a.file.display().to_string(), bytes));
    let report = check::run_with(&opened, &opts, Some(&content));
    if a.json {
        print_json(&report);
    } else {
        print!("{}", check::render::human(&report, a.strict));
    }
    report.exit_code
}

/// The check could not start: say why (on stderr, and as JSON when asked).
fn could_not_complete(msg: &str, json: bool) -> i32 {
    eprintln!("ie-preflight: error: {msg}");
    if json {
        print_json(&serde_json::json!({
            "schema": crate::report::SCHEMA,
            "verdict": "incomplete",
            "exit_code": 3,
            "error": msg,
        }));
    }
    3
}

pub fn print_json<T: serde::Serialize>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("ie-preflight: error: cannot write JSON: {e}"),
    }
}
