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
    /// Write the decrypted BitLocker volume to a new file (like dislocker-file)
    #[command(
        after_help = "Examples:\n  ie-preflight unlock /dev/sdb --recovery-key-file key.txt -o plain.img\n  ie-preflight unlock disk.img --bek 4381F759-....BEK -o plain.img\n\nExit codes: 0 written, 1 the volume cannot be unlocked (the reason is printed),\n            2 usage error, 3 could not be completed. The source is only read."
    )]
    Unlock(UnlockArgs),
}

#[derive(Debug, clap::Args)]
pub struct UnlockArgs {
    /// Block device or raw disk image holding the BitLocker volume
    pub source: PathBuf,
    /// The new file to write the decrypted volume to
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Overwrite the output file if it exists (never the source)
    #[arg(long)]
    pub force: bool,
    /// Logical sector size of an image, when it cannot be inferred
    #[arg(long, value_parser = parse_sector_size)]
    pub sector_size: Option<u32>,
    #[command(flatten)]
    pub keys: KeyArgs,
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
    /// Keys to list the NTFS inside a BitLocker volume
    #[command(flatten)]
    pub keys: KeyArgs,
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
        Command::Ls(a) => match a.keys.credentials() {
            Ok(credentials) => crate::ls::run(crate::ls::Args {
                source: &a.source,
                json: a.json,
                system: a.system,
                sector_size: a.sector_size,
                credentials,
            }),
            Err(e) => could_not_complete(&e, false),
        },
        Command::Unlock(a) => run_unlock(a),
    }
}

fn run_unlock(a: UnlockArgs) -> i32 {
    let credentials = match a.keys.credentials() {
        Ok(c) => c,
        Err(e) => return could_not_complete(&e, false),
    };
    crate::unlock_cmd::run(crate::unlock_cmd::Args {
        source: &a.source,
        output: &a.output,
        force: a.force,
        sector_size: a.sector_size,
        credentials,
    })
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
    let report = check::run(&opened, &opts);
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
