//! The command line: every flag defined once (clap), converted into the
//! pipeline's options where no file has to be read. The commands
//! ([`crate::commands`]) read files, run, print and pick the exit code.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit codes: 0 ready to ship (warnings allowed), 1 the drive would fail,
            2 usage error, 3 the check could not be completed, 130 interrupted.
The source is only ever opened read-only; nothing is written to it.
Example: ie-preflight check /dev/sdb --recovery-key-file key.txt";

const CHECK_HELP: &str = "\
Examples:
  ie-preflight check /dev/sdb --recovery-key-file key.txt
  ie-preflight check disk.img --json
  ie-preflight check disk.img --job-type export
  ie-preflight check /dev/sdb --recovery-key-file key.txt --hashes inventory.sha256
  ie-preflight check /dev/sdb --recovery-key-file key.txt --dest mycontainer/2024/
  ie-preflight check --job job.json /dev/sdb /dev/sdc
  ie-preflight check --source-dir /srv/staging --dest mycontainer/ --blob-type page

Exit codes: 0 ready to ship (warnings allowed), 1 the drive would fail,
            2 usage error, 3 the check could not be completed, 130 interrupted.
The source is only ever opened read-only: no output may be the source, a device,
or on a file system of the source.";

const DEVICES_HELP: &str = "\
Partitions are listed under their disk, like lsblk.
Examples:
  ie-preflight devices
  ie-preflight devices -o NAME,SIZE,SERIAL -b /dev/sdb

Exit codes: 0 listed, 2 usage error.";

const LS_HELP: &str = "\
Each line: type, MFT record, path, size (tab-separated).
Examples:
  ie-preflight ls /dev/sdb --recovery-key-file key.txt
  ie-preflight ls disk.img --json > inventory.json

Exit codes: 0 listed, 2 usage error, 3 could not list (the reason is printed).";

const BLOB_LIST_HELP: &str = "\
Examples:
  ie-preflight blob-list list.xml
  az storage blob list --account-name ACCOUNT --container-name music -o json > music.json
  ie-preflight blob-list list.xml --inventory music.json --drive-size 8TB

Exit codes: 0 valid, 1 the service would reject it, 2 usage error,
            3 unreadable or not a blob list.";

const DATASET_HELP: &str = "\
Example:
  ie-preflight dataset dataset.csv driveset.csv

Exit codes: 0 valid, 1 the service would reject it, 2 usage error,
            3 unreadable or not a dataset CSV.";

const STATUS_HELP: &str = "\
JOB is any of: the job JSON (the REST resource, `az import-export show` output, a list
response, or a bare driveList array), the WAImportExport journal (.jrn), or a
_DriveInfo_<serial>.xml. Keys in them are never printed.
Example:
  az import-export show -g GROUP -n JOB > job.json && ie-preflight status job.json

Exit codes: 0 nothing failed, 1 the job or a drive failed, 2 usage error,
            3 unreadable or not a job record.";

const LOG_HELP: &str = "\
Example:
  ie-preflight log mydrive_CopyLog.xml --hashes inventory.sha256

Exit codes: 0 nothing failed, 1 the log reports failures (or files were not copied),
            2 usage error, 3 unreadable or not a copy log.";

const UNLOCK_HELP: &str = "\
Examples:
  ie-preflight unlock /dev/sdb --recovery-key-file key.txt -o plain.img
  ie-preflight unlock disk.img --bek 4381F759-....BEK -o plain.img

Exit codes: 0 written, 1 the volume cannot be unlocked (the reason is printed),
            2 usage error, 3 could not be completed, 130 interrupted.
The source is only read; the output may not be the source, a device, or on a file
system of the source, and is renamed into place only when whole.";

const MANIFEST_HELP: &str = "\
Examples:
  ie-preflight manifest DriveManifest.xml --manifest-hash 109B2110... --drive-id 9CA995BB
  ie-preflight manifest DriveManifest.xml --source disk.img --recovery-key-file key.txt

Exit codes: 0 valid, 1 the drive (or manifest) would fail, 2 usage error,
            3 could not be completed (unreadable, or not a manifest).";

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
    /// When to colour the text output: auto (a terminal, unless NO_COLOR is set), always, never
    #[arg(
        long,
        value_enum,
        default_value = "auto",
        global = true,
        value_name = "WHEN"
    )]
    pub color: ColorArg,
    /// Print only the verdict line (the exit code says the same)
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

// Parsed once per run: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check one drive (or every drive of a job) and print a pre-shipping checklist
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
    /// List this machine's block devices with the facts the checks use
    #[command(after_help = DEVICES_HELP)]
    Devices(DevicesArgs),
    /// List every file of the first data volume (NTFS), like `fls -r -p`
    #[command(after_help = LS_HELP)]
    Ls(LsArgs),
    /// Validate an export blob-list XML (BlobPath / BlobPathPrefix), with line and column
    #[command(name = "blob-list", after_help = BLOB_LIST_HELP)]
    BlobList(BlobListArgs),
    /// Validate WAImportExport v2 dataset.csv (and driveset.csv)
    #[command(after_help = DATASET_HELP)]
    Dataset(DatasetArgs),
    /// Explain a job's and its drives' states like the portal, with what to do next
    #[command(after_help = STATUS_HELP)]
    Status(StatusArgs),
    /// Summarise a service copy log (classic DriveLog XML or the current databoxcopylog format)
    #[command(after_help = LOG_HELP)]
    Log(LogArgs),
    /// Write the decrypted BitLocker volume to a new file (like dislocker-file)
    #[command(after_help = UNLOCK_HELP)]
    Unlock(UnlockArgs),
    /// Validate a drive manifest (DriveManifest.xml), with line and column; with
    /// --source, also check it against the drive (files, lengths, block MD5s)
    #[command(after_help = MANIFEST_HELP)]
    Manifest(ManifestArgs),
    /// Print shell completions or the man page (for packagers)
    #[command(hide = true)]
    Generate(GenerateArgs),
}

/// `generate`: what to print.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// bash, zsh or fish completions, or the man page (roff)
    #[arg(value_enum)]
    pub what: Generated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Generated {
    Bash,
    Zsh,
    Fish,
    Man,
}

#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// The copy log, error log or verbose log (XML)
    pub file: PathBuf,
    /// A `sha256sum`-format file from `check --hashes`: list the files the log does not report as copied
    #[arg(long, value_name = "FILE")]
    pub hashes: Option<PathBuf>,
    /// Print JSON (every path) instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The job record: job JSON, a WAImportExport journal (.jrn) or a _DriveInfo_<serial>.xml
    pub job: PathBuf,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
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
    /// Logical sector size of an image, when it cannot be inferred (512 or 4096)
    #[arg(long, value_parser = parse_sector_size)]
    pub sector_size: Option<u32>,
    #[command(flatten)]
    pub keys: KeyArgs,
}

// The drive options mean something only against a drive: without --source
// they would be silently ignored, so clap refuses them.
#[derive(Debug, clap::Args)]
#[command(mut_args(manifest_arg))]
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
    /// Logical sector size of an image, when it cannot be inferred (512 or 4096)
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
    /// The drive's serial number (driveId), compared with the manifest's DriveId;
    /// with --job, the job drive a single image stands for
    #[arg(long, value_name = "SERIAL")]
    pub drive_id: Option<String>,
    /// Check metadata only: do not read and hash the files' data
    #[arg(long, conflicts_with_all = ["hashes", "hashes_md5", "hashes_in_json", "surface"])]
    pub no_hash: bool,
    /// Hashing threads (default: one per core; one reader on a rotational drive)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
    pub threads: Option<u32>,
    /// Write every file's SHA-256 in `sha256sum` format (paths relative to the volume root)
    #[arg(long, value_name = "FILE")]
    pub hashes: Option<PathBuf>,
    /// Also hash every whole file with MD5 and write the MD5s in `md5sum` format
    #[arg(long, value_name = "FILE")]
    pub hashes_md5: Option<PathBuf>,
    /// Put every file's SHA-256 (and MD5 with --hashes-md5) in the JSON report (needs --json)
    #[arg(long, requires = "json")]
    pub hashes_in_json: bool,
    /// Overwrite existing --hashes/--hashes-md5 files (never the source, never a device)
    #[arg(long)]
    pub force: bool,
    /// Also read the free clusters and the space outside partitions for read errors (files are read by the hash scan)
    #[arg(long)]
    pub surface: bool,
}

impl ContentArgs {
    /// The scan's options as given (the command sets the drive's own facts).
    pub fn options(&self) -> crate::pipeline::ContentOptions {
        crate::pipeline::ContentOptions {
            manifest: true,
            manifest_file: None,
            manifest_hash: self.manifest_hash.clone(),
            drive_id: self.drive_id.clone(),
            external_manifest: None,
            no_hash: self.no_hash,
            threads: self.threads.map(|n| n as usize),
            rotational: false, // set from the device by `pipeline::run`
            label: None,       // the drive, set by `pipeline::run`
            hashes_in_json: self.hashes_in_json,
            file_sha256: self.hashes.is_some() || self.hashes_in_json,
            file_md5: self.hashes_md5.is_some(),
            surface: self.surface,
            progress: None, // drawn by the commands on a terminal
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct BlobListArgs {
    /// The blob list XML file
    pub file: PathBuf,
    /// JSON printed by `az storage blob list -o json` (one or more files): resolve what the
    /// list selects (count, bytes, names NTFS cannot hold, Archive-tier blobs); give LIST.xml first
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub inventory: Vec<PathBuf>,
    /// Container of the blobs of an --inventory file whose objects have no `container` field
    #[arg(long, value_name = "NAME", requires = "inventory")]
    pub container: Option<String>,
    /// Size of one export drive, decimal units as WAImportExport PreviewExport
    /// (1 TB = 10^12 bytes), e.g. 8TB: how many drives the export needs
    #[arg(long, value_name = "SIZE", requires = "inventory", value_parser = crate::bloblist::inventory::parse_drive_size)]
    pub drive_size: Option<u64>,
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
    /// Logical sector size of an image, when it cannot be inferred (512 or 4096)
    #[arg(long, value_parser = parse_sector_size)]
    pub sector_size: Option<u32>,
    /// Keys to list the NTFS inside a BitLocker volume
    #[command(flatten)]
    pub keys: KeyArgs,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Block device (e.g. /dev/sdb) or raw disk image file (optional with --source-dir);
    /// with several drives or --job, SERIAL=IMAGE names an image's serial
    #[arg(required_unless_present = "source_dir")]
    pub source: Option<PathBuf>,
    /// More drives, checked at once (devices, or SERIAL=IMAGE), with one summary at the end
    #[arg(value_name = "MORE")]
    pub more: Vec<PathBuf>,
    /// Check every drive of a job at once: the job JSON (Import/Export or Data Box customer disk:
    /// REST body, `az import-export show`, `az databox job show`), the WAImportExport journal (.jrn)
    /// or a _DriveInfo_<serial>.xml. Each drive's key comes from it (or from --job-keys).
    #[arg(long, value_name = "FILE")]
    pub job: Option<PathBuf>,
    /// With --job: where the drives' BitLocker keys are when the job record hides them: the
    /// Data Box `listCredentials` response or the Import/Export `listBitLockerKeys` response
    #[arg(long, value_name = "FILE", requires = "job")]
    pub job_keys: Option<PathBuf>,
    /// Print one JSON document (schema "ie-preflight/1") on stdout instead of the checklist
    #[arg(long)]
    pub json: bool,
    /// Treat warnings as failures (exit code 1)
    #[arg(long)]
    pub strict: bool,
    /// What the drive is for: import drives must be BitLocker + NTFS; export drives get only the disk checks
    #[arg(long, value_enum, default_value = "import")]
    pub job_type: JobTypeArg,
    /// Logical sector size of an image, when it cannot be inferred (512 or 4096)
    #[arg(long, value_parser = parse_sector_size)]
    pub sector_size: Option<u32>,
    /// Where the drive manifest is on the volume (the job's manifestFile) [default: \\DriveManifest.xml]
    #[arg(long, value_name = "PATH")]
    pub manifest_file: Option<String>,
    #[command(flatten)]
    pub content: ContentArgs,
    #[command(flatten)]
    pub keys: KeyArgs,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub ship: ShipArgs,
}

/// What the lab keeps and submits after the check.
#[derive(Debug, clap::Args)]
pub struct ShipArgs {
    /// Write the job's drive list computed from the drives: driveId (serial), manifestFile,
    /// manifestHash (MD5 of the manifest read on the drive) for each drive with a manifest
    #[arg(long, value_name = "FILE.json")]
    pub drive_list: Option<PathBuf>,
    /// The drive list's shape: the REST/az `driveList` array, or Data Box's `importDiskDetailsCollection`
    #[arg(long, value_enum, default_value = "classic", requires = "drive_list")]
    pub drive_list_format: DriveListFormatArg,
    /// Put each drive's BitLocker recovery password in the drive list (a secret: the file is
    /// created readable by its owner only)
    #[arg(long, requires = "drive_list")]
    pub include_keys: bool,
    /// Write one self-contained HTML page to attach to the shipment: the run, each drive's
    /// verdict, checklist, findings and facts, and its read speed across the disk
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
}

/// `--drive-list-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DriveListFormatArg {
    Classic,
    Databox,
}

/// Where the data goes, so every file can be judged by Azure's naming and size rules.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Destination of the whole drive/folder, like WAImportExport v1's /dstdir:
    /// `container/` or `container/dir/`; `/` (or "") makes each top-level folder a container
    #[arg(long, value_name = "CONTAINER/PREFIX/")]
    pub dest: Option<String>,
    /// Blob type for every file (default: block blobs, but .vhd/.vhdx as page blobs, as v2)
    #[arg(long, value_enum, requires = "dest", conflicts_with = "files")]
    pub blob_type: Option<BlobTypeArg>,
    /// The destination is Azure Files: --dest names the share (without --dest each top-level folder is a share)
    #[arg(long)]
    pub files: bool,
    /// WAImportExport v2 dataset.csv: each row's BasePath (`F:\dir\` or `F:\file`) on the drive is judged under its own destination
    #[arg(long, value_name = "dataset.csv", conflicts_with_all = ["dest", "files", "blob_type"])]
    pub dataset: Option<PathBuf>,
    /// A local staging folder to judge too (walked, links not followed); SOURCE may then be left out
    #[arg(long, value_name = "DIR")]
    pub source_dir: Option<PathBuf>,
    /// Judge each drive manifest Blob's BlobPath, with its FilePath as the subject (the default
    /// for an import drive with a manifest when no --dest/--files/--dataset is given; with this
    /// flag, a drive without a readable manifest makes the check incomplete)
    #[arg(long, conflicts_with_all = ["dest", "files", "blob_type", "dataset", "source_dir"])]
    pub dest_from_manifest: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BlobTypeArg {
    Block,
    Page,
}

impl From<BlobTypeArg> for crate::azure::BlobType {
    fn from(b: BlobTypeArg) -> Self {
        match b {
            BlobTypeArg::Block => crate::azure::BlobType::Block,
            BlobTypeArg::Page => crate::azure::BlobType::Page,
        }
    }
}

/// `--job-type`: what the drive is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum JobTypeArg {
    Import,
    Export,
}

impl From<JobTypeArg> for crate::pipeline::JobType {
    fn from(j: JobTypeArg) -> Self {
        match j {
            JobTypeArg::Import => crate::pipeline::JobType::Import,
            JobTypeArg::Export => crate::pipeline::JobType::Export,
        }
    }
}

/// How to give BitLocker keys. Files keep secrets out of the process list and shell history.
#[derive(Debug, clap::Args)]
pub struct KeyArgs {
    /// File holding the 48-digit BitLocker recovery password (`-` reads stdin); Windows' saved
    /// recovery-key .txt files work as they are. Checking several drives at once: SERIAL=FILE,
    /// once per drive
    #[arg(long, value_name = "FILE", action = clap::ArgAction::Append)]
    pub recovery_key_file: Vec<PathBuf>,
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

/// The columns of `devices`, in their default order (`-o` picks some).
pub const DEVICE_COLUMNS: [&str; 13] = [
    "NAME",
    "SIZE",
    "LOG",
    "PHY",
    "TRAN",
    "ROTA",
    "RM",
    "RO",
    "MODEL",
    "SERIAL",
    "TABLE",
    "VOLUME",
    "MOUNTPOINTS",
];

#[derive(Debug, clap::Args)]
pub struct DevicesArgs {
    /// Print JSON instead of a table (every field; -o and -b shape only the table)
    #[arg(long)]
    pub json: bool,
    /// The columns to show, comma-separated, in the order given: NAME, SIZE, LOG (logical
    /// sector), PHY (physical sector), TRAN, ROTA, RM, RO, MODEL, SERIAL, TABLE (partition
    /// table), VOLUME (what the first data volume holds), MOUNTPOINTS
    #[arg(
        short = 'o',
        long = "output",
        value_name = "COL,COL",
        value_delimiter = ',',
        ignore_case = true,
        value_parser = clap::builder::TypedValueParser::map(
            clap::builder::PossibleValuesParser::new(DEVICE_COLUMNS),
            |s: String| s.to_ascii_uppercase(),
        ),
    )]
    pub columns: Vec<String>,
    /// Sizes in bytes
    #[arg(short = 'b', long)]
    pub bytes: bool,
    /// Only these devices (a disk with its partitions, or one partition)
    #[arg(value_name = "DEVICE")]
    pub devices: Vec<PathBuf>,
}

/// The options of `manifest` that act on a drive (the scan's, the sector
/// size, the BitLocker keys) need `--source`: a usage error without it, and
/// their help says so. The manifest's own (hash, drive id) are left as they are.
fn manifest_arg(a: clap::Arg) -> clap::Arg {
    if a.get_id() == "drive_id" {
        // The shared help also says what it does with --job, which `manifest` has not.
        return a.help("The drive's serial number (driveId), compared with the manifest's DriveId");
    }
    const DRIVE_ONLY: [&str; 12] = [
        "threads",
        "hashes",
        "hashes_md5",
        "hashes_in_json",
        "surface",
        "no_hash",
        "force",
        "sector_size",
        "recovery_key_file",
        "recovery_key",
        "password_file",
        "bek",
    ];
    if !DRIVE_ONLY.contains(&a.get_id().as_str()) {
        return a;
    }
    let help = a
        .get_help()
        .map(|h| format!("{h} (needs --source)"))
        .unwrap_or_else(|| "needs --source".into());
    a.requires("source").help(help)
}

fn parse_sector_size(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(v @ (512 | 4096)) => Ok(v),
        _ => Err(format!("{s} is not a sector size; use 512 or 4096")),
    }
}
