//! Command-line definitions (clap) and dispatch to the library.

use crate::check::{self, JobType};
use crate::output::{self, OutputError, OutputRequest, PendingOutput};
use crate::scan::hashes::Inventory;
use crate::source::SourceIdentity;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

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
    #[command(after_help = "Examples:\n  ie-preflight check /dev/sdb\n  ie-preflight check disk.img --json\n  ie-preflight check disk.img --job-type export\n  ie-preflight check /dev/sdb --recovery-key-file key.txt --dest mycontainer/2024/\n  ie-preflight check /dev/sdb --recovery-key-file key.txt --dataset dataset.csv\n  ie-preflight check --source-dir /srv/staging --dest mycontainer/ --blob-type page\n\n".to_owned() + AFTER_HELP)]
    Check(CheckArgs),
    /// List this machine's block devices with the facts the checks use
    Devices(DevicesArgs),
    /// List every file of the first data volume (NTFS), like `fls -r -p`
    #[command(
        after_help = "Each line: type, MFT record, path, size (tab-separated).\nExamples:\n  ie-preflight ls /dev/sdb\n  ie-preflight ls disk.img --json > inventory.json"
    )]
    Ls(LsArgs),
    /// Validate an export blob-list XML (BlobPath / BlobPathPrefix), with line and column
    #[command(
        name = "blob-list",
        after_help = "Examples:\n  ie-preflight blob-list list.xml\n  az storage blob list --account-name ACCOUNT --container-name music -o json > music.json\n  ie-preflight blob-list list.xml --inventory music.json --drive-size 8TB"
    )]
    BlobList(BlobListArgs),
    /// Validate WAImportExport v2 dataset.csv (and driveset.csv)
    Dataset(DatasetArgs),
    /// Explain a job's and its drives' states like the portal, with what to do next
    #[command(
        after_help = "JOB.json: the REST job resource, `az import-export show` output, or a bare driveList array.\nExit code 1 when the job or a drive failed."
    )]
    Status(StatusArgs),
    /// Summarise a service copy log (classic DriveLog XML or the current databoxcopylog format)
    Log(LogArgs),
    /// Write the decrypted BitLocker volume to a new file (like dislocker-file)
    #[command(
        after_help = "Examples:\n  ie-preflight unlock /dev/sdb --recovery-key-file key.txt -o plain.img\n  ie-preflight unlock disk.img --bek 4381F759-....BEK -o plain.img\n\nExit codes: 0 written, 1 the volume cannot be unlocked (the reason is printed),\n            2 usage error, 3 could not be completed. The source is only read."
    )]
    Unlock(UnlockArgs),
    /// Validate a drive manifest (DriveManifest.xml), with line and column; with
    /// --source, also check it against the drive (files, lengths, block MD5s)
    #[command(
        after_help = "Examples:\n  ie-preflight manifest DriveManifest.xml\n  ie-preflight manifest DriveManifest.xml --source disk.img --recovery-key-file key.txt"
    )]
    Manifest(ManifestArgs),
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
    /// The job record (JSON)
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
#[command(mut_args(needs_source))]
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
    fn options(&self) -> crate::scan::ContentOptions {
        crate::scan::ContentOptions {
            manifest: true,
            manifest_file: None,
            manifest_hash: self.manifest_hash.clone(),
            drive_id: self.drive_id.clone(),
            external_manifest: None,
            no_hash: self.no_hash,
            threads: self.threads.map(|n| n as usize),
            rotational: false, // set from the device by `check::run`
            label: None,       // the drive, set by `check::run`
            hashes_in_json: self.hashes_in_json,
            file_md5: self.hashes_md5.is_some(),
            surface: self.surface,
        }
    }

    /// The inventory files asked for.
    fn output_requests(&self) -> Vec<(OutputRequest<'_>, Inventory)> {
        let sha = self.hashes.as_deref().map(|path| {
            let r = OutputRequest {
                option: "--hashes",
                path,
                mode: 0o644,
            };
            (r, Inventory::Sha256)
        });
        let md5 = self.hashes_md5.as_deref().map(|path| {
            let r = OutputRequest {
                option: "--hashes-md5",
                path,
                mode: 0o644,
            };
            (r, Inventory::Md5)
        });
        sha.into_iter().chain(md5).collect()
    }

    /// Check the inventory outputs against the sources and create them, before any reading.
    fn prepare_outputs(&self, sources: &[&Path]) -> Result<HashOutputs, OutputError> {
        let wanted = self.output_requests();
        let (requests, kinds): (Vec<_>, Vec<_>) = wanted.into_iter().unzip();
        let ids: Vec<_> = sources.iter().map(|s| SourceIdentity::of(s)).collect();
        let pending = output::prepare(&requests, &ids, self.force)?;
        Ok(pending.into_iter().zip(kinds).collect())
    }
}

/// The inventory files being written, each with what it holds.
type HashOutputs = Vec<(PendingOutput, Inventory)>;

/// Write the inventories from the scan's hashes and rename them into place.
/// No scan (no NTFS volume read): nothing is written, and stderr says so.
fn write_hash_outputs(report: &check::CheckReport, outputs: HashOutputs) -> Result<(), String> {
    let content = report
        .volume
        .as_ref()
        .and_then(|v| v.ntfs.as_ref())
        .and_then(|n| n.content.as_ref());
    let Some(content) = content.filter(|c| c.scan.is_some()) else {
        for (p, _) in &outputs {
            eprintln!(
                "ie-preflight: warning: {} not written: no file of the drive was read and hashed (see the report)",
                p.path().display()
            );
        }
        return Ok(());
    };
    let lines = if content.hashes.is_empty() {
        &content.all_hashes
    } else {
        &content.hashes
    };
    for (p, kind) in outputs {
        let mut w = std::io::BufWriter::new(p.file());
        let written = crate::scan::hashes::write_inventory(&mut w, lines, kind)
            .and_then(|()| w.into_inner().map(|_| ()).map_err(|e| e.into_error()))
            .and_then(|()| {
                let final_path = p.path().to_path_buf();
                p.commit().map(|()| final_path)
            });
        match written {
            Ok(path) => eprintln!("ie-preflight: wrote {}", path.display()),
            Err(e) => return Err(format!("cannot write the inventory file: {e}")),
        }
    }
    Ok(())
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
    /// with --job, SERIAL=IMAGE pairs an image with a job drive
    #[arg(required_unless_present = "source_dir")]
    pub source: Option<PathBuf>,
    /// With --job: the other drives of the job (devices, or SERIAL=IMAGE)
    #[arg(requires = "job", value_name = "MORE")]
    pub more: Vec<PathBuf>,
    /// Check every drive of an import job at once: the job JSON (REST or `az import-export show`),
    /// the WAImportExport journal (.jrn) or a _DriveInfo_<serial>.xml. Each drive's key comes from it.
    #[arg(long, value_name = "FILE")]
    pub job: Option<PathBuf>,
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
    /// Where the drive manifest is on the volume (the job's manifestFile) [default: \\DriveManifest.xml]
    #[arg(long, value_name = "PATH")]
    pub manifest_file: Option<String>,
    #[command(flatten)]
    pub content: ContentArgs,
    #[command(flatten)]
    pub keys: KeyArgs,
    #[command(flatten)]
    pub rules: RulesArgs,
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

/// A usage error (exit 2) or an unreadable file (exit 3).
enum RulesArgError {
    Usage(String),
    Unreadable(String),
}

impl RulesArgs {
    fn options(&self) -> Result<check::rules_stage::RulesOptions, RulesArgError> {
        use crate::azure::{BlobType, Destination, Target};
        use check::rules_stage::{Mode, RulesOptions};
        let mut o = RulesOptions {
            source_dir: self.source_dir.clone(),
            ..RulesOptions::default()
        };
        if let Some(path) = &self.dataset {
            let text = crate::file_check::text(path).map_err(RulesArgError::Unreadable)?;
            let (findings, rows) = crate::azure::dataset::validate_dataset(&text);
            o.dataset_findings = findings
                .into_iter()
                .map(|mut f| {
                    f.subject = format!("{}: {}", path.display(), f.subject);
                    f
                })
                .collect();
            o.mode = Mode::Dataset(rows);
        } else if self.dest.is_some() || self.files {
            let target = if self.files {
                Target::Files
            } else {
                Target::Blob(self.blob_type.map(|b| match b {
                    BlobTypeArg::Block => BlobType::Block,
                    BlobTypeArg::Page => BlobType::Page,
                }))
            };
            let dest = self.dest.as_deref().unwrap_or("");
            let d = Destination::parse(target, dest)
                .map_err(|e| RulesArgError::Usage(format!("--dest {dest}: {e}")))?;
            o.mode = Mode::Dest(d);
        } else if self.dest_from_manifest {
            o.mode = Mode::Manifest;
        }
        Ok(o)
    }
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
    pub fn credentials(&self) -> Result<crate::bitlocker::Credentials, String> {
        use crate::secrets;
        let mut c = crate::bitlocker::Credentials::none();
        let stdin = std::path::Path::new("-");
        if self.recovery_key_file.as_deref() == Some(stdin)
            && self.password_file.as_deref() == Some(stdin)
        {
            return Err("--recovery-key-file - and --password-file - both read stdin; give one of them a file".into());
        }
        if let Some(p) = &self.recovery_key_file {
            let text = secrets::read_secret_text(p, "BitLocker recovery password (48 digits): ")
                .map_err(|e| e.to_string())?;
            c.recovery_password = Some(secrets::recovery_password_in(&text));
        }
        if let Some(k) = self.recovery_key.clone() {
            eprintln!("ie-preflight: warning: a key on the command line is visible to other users and stays in shell history; prefer --recovery-key-file");
            c.recovery_password = Some(zeroize::Zeroizing::new(k));
        }
        if let Some(p) = &self.password_file {
            c.password = Some(
                secrets::read_secret_text(p, "BitLocker password: ").map_err(|e| e.to_string())?,
            );
        }
        if let Some(p) = &self.bek {
            c.bek = Some(secrets::read_secret_bytes(p, None).map_err(|e| e.to_string())?);
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

/// The options of `manifest` that act on a drive (the scan's, the sector
/// size, the BitLocker keys) need `--source`: a usage error without it, and
/// their help says so. The manifest's own (hash, drive id) are left as they are.
fn needs_source(a: clap::Arg) -> clap::Arg {
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

/// Run a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Check(a) => run_check(a),
        Command::Devices(a) => crate::devices::run(a.json),
        Command::BlobList(a) => crate::file_check::blob_list(
            &a.file,
            &crate::file_check::InventoryArgs {
                files: &a.inventory,
                container: a.container.as_deref(),
                drive_size: a.drive_size,
            },
            a.json,
            a.strict,
        ),
        Command::Dataset(a) => {
            crate::file_check::dataset(&a.dataset, a.driveset.as_deref(), a.json, a.strict)
        }
        Command::Log(a) => crate::job::log::run(&a.file, a.hashes.as_deref(), a.json),
        Command::Status(a) => crate::job::run_status(&a.job, a.json),
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
        Command::Manifest(a) => run_manifest(a),
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
    if let Some(opt) = import_only_option(&a) {
        return usage_error(
            &format!(
                "--job-type export cannot be used with {opt}: {opt} acts only on import drives (export drives get only the disk checks)"
            ),
            a.json,
        );
    }
    if let Some(job) = &a.job {
        return run_job_check(job, &a);
    }
    let rules = match rules_options(&a) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let Some(source) = &a.source else {
        let Some(dir) = &rules.source_dir else {
            return could_not_complete("give a SOURCE drive or --source-dir", a.json);
        };
        return match check::rules_stage::run_local(dir, &rules, a.job_type, a.strict) {
            Ok(report) => {
                if a.json {
                    print_json(&report);
                } else {
                    print!("{}", check::rules_stage::human_local(&report, a.strict));
                }
                report.outcome.exit_code
            }
            Err(e) => could_not_complete(&e, a.json),
        };
    };
    let outputs = match a.content.prepare_outputs(&[source]) {
        Ok(o) => o,
        Err(e) => return usage_error(&e.to_string(), a.json),
    };
    let mut content = a.content.options();
    content.manifest = a.job_type == JobType::Import;
    // An explicit --manifest-file that is missing is an error; the default a warning.
    content.manifest_file = a.manifest_file.clone();
    let run = CheckRun {
        source,
        keys: &a.keys,
        json: a.json,
        strict: a.strict,
        outputs,
    };
    run.check_and_print(|credentials| check::Options {
        credentials,
        job_type: a.job_type,
        sector_size: a.sector_size,
        strict: a.strict,
        rules,
        content: Some(content),
    })
}

/// An option given with `--job-type export` that acts only on import drives.
fn import_only_option(a: &CheckArgs) -> Option<&'static str> {
    if a.job_type != JobType::Export {
        return None;
    }
    let c = &a.content;
    let r = &a.rules;
    [
        ("--hashes", c.hashes.is_some()),
        ("--hashes-md5", c.hashes_md5.is_some()),
        ("--hashes-in-json", c.hashes_in_json),
        ("--manifest-file", a.manifest_file.is_some()),
        ("--manifest-hash", c.manifest_hash.is_some()),
        ("--drive-id", c.drive_id.is_some() && a.job.is_none()),
        ("--dest", r.dest.is_some()),
        ("--files", r.files),
        ("--dataset", r.dataset.is_some()),
        ("--dest-from-manifest", r.dest_from_manifest),
    ]
    .into_iter()
    .find_map(|(name, given)| given.then_some(name))
}

/// One drive to check, with what the command line asked for around it.
struct CheckRun<'a> {
    source: &'a Path,
    keys: &'a KeyArgs,
    json: bool,
    strict: bool,
    outputs: HashOutputs,
}

impl CheckRun<'_> {
    /// Open the source, run the check with the options `make` builds from
    /// the keys, write the inventories, print the report; returns the exit code.
    fn check_and_print(
        self,
        make: impl FnOnce(crate::bitlocker::Credentials) -> check::Options,
    ) -> i32 {
        let json = self.json;
        let opened = match crate::source::open(self.source) {
            Ok(o) => o,
            Err(e) => return could_not_complete(&e.to_string(), json),
        };
        if opened.reader.is_empty() {
            let msg = format!(
                "{} is empty (0 bytes): nothing to check",
                self.source.display()
            );
            return could_not_complete(&msg, json);
        }
        let credentials = match self.keys.credentials() {
            Ok(c) => c,
            Err(e) => return could_not_complete(&e, json),
        };
        let report = check::run(&opened, &make(credentials));
        let written = write_hash_outputs(&report, self.outputs);
        if json {
            print_json(&report);
        } else {
            print!("{}", check::render::human(&report, self.strict));
        }
        match written {
            Ok(()) => report.outcome.exit_code,
            Err(e) => {
                eprintln!("ie-preflight: error: {e}");
                3
            }
        }
    }
}

fn run_manifest(a: ManifestArgs) -> i32 {
    let outputs = match &a.source {
        Some(source) => match a.content.prepare_outputs(&[source]) {
            Ok(o) => o,
            Err(e) => return usage_error(&e.to_string(), a.json),
        },
        None => Vec::new(),
    };
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
    let manifest = crate::sniff::xml_of("DriveManifest");
    if let Err(e) = crate::sniff::expect(&bytes, "a drive manifest", manifest) {
        return could_not_complete(&format!("{}: {e}", a.file.display()), a.json);
    }
    let Some(source) = &a.source else {
        return crate::file_check::manifest_alone(
            &a.file,
            &bytes,
            &a.content.options(),
            a.json,
            a.strict,
        );
    };
    let mut content = a.content.options();
    content.external_manifest = Some((a.file.display().to_string(), bytes));
    let run = CheckRun {
        source,
        keys: &a.keys,
        json: a.json,
        strict: a.strict,
        outputs,
    };
    run.check_and_print(|credentials| check::Options {
        credentials,
        job_type: JobType::Import,
        sector_size: a.sector_size,
        strict: a.strict,
        rules: Default::default(),
        content: Some(content),
    })
}

/// The Azure rules options, or the exit code for why they are unusable.
fn rules_options(a: &CheckArgs) -> Result<check::rules_stage::RulesOptions, i32> {
    a.rules.options().map_err(|e| match e {
        RulesArgError::Usage(e) => usage_error(&e, a.json),
        RulesArgError::Unreadable(e) => could_not_complete(&e, a.json),
    })
}

/// `check --job`: every drive, each with its own key from the job.
fn run_job_check(job_path: &std::path::Path, a: &CheckArgs) -> i32 {
    use crate::job::multi;
    // One inventory file cannot hold several drives' files (paths are
    // relative to each volume's root).
    if let Some((r, _)) = a.content.output_requests().first() {
        return usage_error(
            &format!(
                "{} cannot be used with --job: an inventory holds one drive; check each drive alone with {}",
                r.option, r.option
            ),
            a.json,
        );
    }
    let job = match crate::job::load(job_path) {
        Ok(j) => j,
        Err(e) => return could_not_complete(&e, a.json),
    };
    let sources: Vec<multi::SourceArg> = a
        .source
        .iter()
        .chain(&a.more)
        .map(|p| multi::SourceArg::parse(&p.to_string_lossy()))
        .collect();
    let rules = match rules_options(a) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let base = a.content.options();
    let options_for = |d: &crate::job::Drive| check::Options {
        rules: rules.clone(),
        content: Some(crate::scan::ContentOptions {
            manifest: a.job_type == JobType::Import,
            manifest_file: d.manifest_file.clone(),
            manifest_hash: d.manifest_hash.clone(),
            drive_id: Some(d.drive_id.clone()),
            ..base.clone()
        }),
        credentials: crate::bitlocker::Credentials {
            recovery_password: d.bitlocker_key.clone(),
            ..crate::bitlocker::Credentials::none()
        },
        job_type: a.job_type,
        sector_size: a.sector_size,
        strict: a.strict,
    };
    let r = multi::check_job(&job, &sources, a.content.drive_id.as_deref(), &options_for);
    if a.json {
        print_json(&r);
    } else {
        print!("{}", multi::render(&r, a.strict));
    }
    r.exit_code
}

/// A request that cannot be carried out as given (exit 2): said before any work.
fn usage_error(msg: &str, json: bool) -> i32 {
    eprintln!("ie-preflight: error: {msg}");
    if json {
        print_json(&serde_json::json!({
            "schema": crate::report::SCHEMA,
            "verdict": "usage-error",
            "exit_code": 2,
            "error": msg,
        }));
    }
    2
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
