//! WAImportExport v2 CSVs: `dataset.csv` (blob or Azure Files import,
//! S-PREP2, S-TOFILES) and `driveset.csv` (S-PREP2). Pure: text in, findings out.
//! Subjects are "line L" or "line L, column NAME". Problems stop the tool
//! before any drive is written, so they predict "Failed"; a destination the
//! service would rename is left to the Azure rules.

use super::csv::{self, Record};
use super::destination::{BlobType, Destination, Target};
use super::rules::{self, show};
use crate::recovery_password;
use crate::report::{DriveStatus, Finding};

pub mod codes {
    crate::finding_codes! {
        CSV = "dataset.csv";
        EMPTY = "dataset.empty";
        HEADER = "dataset.header";
        COLUMNS = "dataset.columns";
        BASE_PATH = "dataset.base-path";
        DESTINATION = "dataset.destination";
        VALUE = "dataset.value";
        DRIVE_LETTER = "driveset.drive-letter";
        DRIVESET_VALUE = "driveset.value";
        FORMAT_NEEDS_ENCRYPT = "driveset.format-needs-encrypt";
        KEY_FORBIDDEN = "driveset.key-forbidden";
        KEY_MISSING = "driveset.key-missing";
        KEY_INVALID = "driveset.key-invalid";
    }
}

const BLOB_COLS: &[&str] = &[
    "BasePath",
    "DstBlobPathOrPrefix",
    "BlobType",
    "Disposition",
    "MetadataFile",
    "PropertiesFile",
];
const FILE_COLS: &[&str] = &[
    "BasePath",
    "DstItemPathOrPrefix",
    "ItemType",
    "Disposition",
    "MetadataFile",
    "PropertiesFile",
];
const DRIVE_COLS: &[&str] = &[
    "DriveLetter",
    "FormatOption",
    "SilentOrPromptOnFormat",
    "Encryption",
    "ExistingBitLockerKey",
];

fn fail(code: &'static str, subject: String, msg: impl Into<String>) -> Finding {
    let f = Finding::error(code, DriveStatus::Failed, "", msg);
    with_subject(f, subject)
}

/// `f` about `subject`, which (like every subject here) starts with "line L",
/// the record's line; its location is that line's first column (CSV columns
/// are named in the subject, not counted in characters).
fn with_subject(mut f: Finding, subject: String) -> Finding {
    let line = subject
        .strip_prefix("line ")
        .and_then(|r| r.split(',').next())
        .and_then(|n| n.parse().ok());
    if let Some(line) = line {
        f = f.at_line(line, 1);
    }
    f.subject = subject;
    f
}

/// One validated dataset row: what it copies and where to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetRow {
    pub line: usize,
    pub base_path: String,
    /// `BasePath` ends with `\`: a folder copied recursively.
    pub is_dir: bool,
    /// For a folder row, the destination to judge its entries under.
    pub destination: Option<Destination>,
    /// For a file row, the destination folder and the blob's (or Azure file's)
    /// own name, so the file can be judged under the name it gets.
    pub file_destination: Option<(Destination, String)>,
}

/// A file row's `container/dir/name` split into the folder destination and `name`.
fn file_destination(target: Target, dst: &str) -> Option<(Destination, String)> {
    let (parent, leaf) = dst.rsplit_once('/')?;
    if leaf.is_empty() || parent.is_empty() {
        return None;
    }
    Destination::parse(target, &format!("{parent}/"))
        .ok()
        .map(|d| (d, leaf.to_string()))
}

/// Column index per expected name; header findings for missing/unknown/miscased.
fn header(
    rec: &Record,
    expected: &[&str],
    required: &[&str],
    out: &mut Vec<Finding>,
) -> Vec<Option<usize>> {
    let subject = format!("line {}", rec.line);
    for h in &rec.fields {
        let h = h.trim();
        if !expected.contains(&h) {
            let msg = match expected.iter().find(|e| e.eq_ignore_ascii_case(h)) {
                Some(e) => format!("column `{h}` must be spelled `{e}`"),
                None => format!("unknown column `{h}`; expected {}", expected.join(",")),
            };
            out.push(fail(codes::HEADER, subject.clone(), msg));
        }
    }
    let idx: Vec<Option<usize>> = expected
        .iter()
        .map(|e| rec.fields.iter().position(|h| h.trim() == *e))
        .collect();
    for (e, i) in expected.iter().zip(&idx) {
        if i.is_none() && required.contains(e) {
            out.push(fail(
                codes::HEADER,
                subject.clone(),
                format!("required column `{e}` is missing"),
            ));
        }
    }
    idx
}

fn get<'r>(rec: &'r Record, idx: &[Option<usize>], col: usize) -> &'r str {
    idx[col]
        .and_then(|i| rec.fields.get(i))
        .map(|s| s.trim())
        .unwrap_or("")
}

fn one_of(
    rec: &Record,
    value: &str,
    col: &str,
    allowed: &[&str],
    code: &'static str,
    out: &mut Vec<Finding>,
) {
    if value.is_empty() || allowed.contains(&value) {
        return;
    }
    let case = allowed.iter().find(|a| a.eq_ignore_ascii_case(value));
    let msg = match case {
        Some(a) => format!("`{value}` must be written `{a}` (values are case-sensitive)"),
        None => format!("`{}` is not one of {}", show(value), allowed.join(", ")),
    };
    out.push(fail(code, format!("line {}, column {col}", rec.line), msg));
}

fn base_path(rec: &Record, p: &str, out: &mut Vec<Finding>) {
    let subject = format!("line {}, column BasePath", rec.line);
    let b = p.as_bytes();
    let drive = b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\';
    let unc = p.starts_with("\\\\") && p.len() > 2;
    if p.is_empty() {
        out.push(fail(codes::BASE_PATH, subject, "BasePath is required"));
    } else if !drive && !unc {
        out.push(fail(
            codes::BASE_PATH,
            subject,
            format!(
                "{} is not an absolute path (`D:\\dir\\` or `\\\\server\\share\\dir\\`)",
                show(p)
            ),
        ));
    } else if p.contains(['*', '?']) {
        out.push(fail(
            codes::BASE_PATH,
            subject,
            "BasePath takes no wildcards",
        ));
    }
}

/// Destination of one row: a folder needs `container/[dir/]`, a file `container/blob`.
fn destination(
    rec: &Record,
    dst: &str,
    is_dir: bool,
    target: Target,
    out: &mut Vec<Finding>,
) -> Option<Destination> {
    let col = if target == Target::Files {
        "DstItemPathOrPrefix"
    } else {
        "DstBlobPathOrPrefix"
    };
    let subject = format!("line {}, column {col}", rec.line);
    if dst.is_empty() {
        out.push(fail(
            codes::DESTINATION,
            subject,
            format!("{col} is required"),
        ));
        return None;
    }
    let container = dst.split('/').next().unwrap_or("");
    let bad_container = match target {
        // An invalid share name is renamed by the service (ShareRenamed), as everywhere
        // else: the same warning, not an error (no source says the v2 tool refuses it).
        Target::Files => {
            let renamed = rules::share_name(container);
            let any = !container.is_empty();
            if any && dst.contains('/') {
                out.extend(
                    renamed
                        .into_iter()
                        .map(|x| with_subject(x, subject.clone())),
                );
            }
            !any
        }
        Target::Blob(_) => container != "$root" && !rules::is_valid_container_name(container),
    };
    if bad_container || !dst.contains('/') {
        out.push(fail(
            codes::DESTINATION,
            subject,
            format!(
                "{} must start with a valid lowercase container or share name and '/'",
                show(dst)
            ),
        ));
        return None;
    }
    if is_dir {
        match Destination::parse(target, dst) {
            Ok(d) => Some(d),
            Err(e) => {
                out.push(fail(codes::DESTINATION, subject, e.to_string()));
                None
            }
        }
    } else {
        let blob = dst.split_once('/').map(|(_, b)| b).unwrap_or("");
        let mut f = match target {
            Target::Files => rules::file_path(blob, false),
            Target::Blob(_) => rules::blob_name(blob),
        };
        if container == "$root" && blob.contains('/') {
            f.extend(rules::root_subdir(blob));
        }
        out.extend(f.into_iter().map(|x| with_subject(x, subject.clone())));
        None
    }
}

/// Check one row of a dataset (`files`: the Azure Files header) against the
/// header's columns `idx`; the row as read.
fn dataset_row(
    rec: &Record,
    head: &Record,
    idx: &[Option<usize>],
    files: bool,
    out: &mut Vec<Finding>,
) -> DatasetRow {
    if rec.fields.len() != head.fields.len() {
        out.push(fail(
            codes::COLUMNS,
            format!("line {}", rec.line),
            format!(
                "{} fields, the header has {}",
                rec.fields.len(),
                head.fields.len()
            ),
        ));
    }
    let bp = get(rec, idx, 0);
    base_path(rec, bp, out);
    let is_dir = bp.ends_with('\\');
    let target = if files {
        one_of(
            rec,
            get(rec, idx, 2),
            "ItemType",
            &["file"],
            codes::VALUE,
            out,
        );
        Target::Files
    } else {
        let bt = get(rec, idx, 2);
        one_of(
            rec,
            bt,
            "BlobType",
            &["block", "page", "BlockBlob", "PageBlob"],
            codes::VALUE,
            out,
        );
        Target::Blob(match bt {
            "page" | "PageBlob" => Some(BlobType::Page),
            "block" | "BlockBlob" => Some(BlobType::Block),
            _ => None, // default: block, but .vhd/.vhdx page (S-PREP2)
        })
    };
    one_of(
        rec,
        get(rec, idx, 3),
        "Disposition",
        &["rename", "no-overwrite", "overwrite"],
        codes::VALUE,
        out,
    );
    let dst = get(rec, idx, 1);
    let destination = destination(rec, dst, is_dir, target, out);
    let file_destination = if is_dir {
        None
    } else {
        file_destination(target, dst)
    };
    DatasetRow {
        line: rec.line,
        base_path: bp.to_string(),
        is_dir,
        destination,
        file_destination,
    }
}

/// Validate a `dataset.csv` (blob header or Azure Files header). Returns the
/// findings and the rows that could be read.
pub fn validate_dataset(text: &str) -> (Vec<Finding>, Vec<DatasetRow>) {
    let mut out = Vec::new();
    let records = match csv::parse(text) {
        Ok(r) => r,
        Err(e) => {
            return (
                vec![fail(codes::CSV, format!("line {}", e.line), e.to_string())],
                Vec::new(),
            )
        }
    };
    let Some((head, rows)) = records.split_first() else {
        return (
            vec![fail(
                codes::EMPTY,
                "line 1".into(),
                "the dataset CSV is empty",
            )],
            Vec::new(),
        );
    };
    let files = head
        .fields
        .iter()
        .any(|h| h.trim().eq_ignore_ascii_case("DstItemPathOrPrefix"));
    let (cols, required): (&[&str], &[&str]) = if files {
        (FILE_COLS, &["BasePath", "DstItemPathOrPrefix"])
    } else {
        (BLOB_COLS, &["BasePath", "DstBlobPathOrPrefix"])
    };
    let idx = header(head, cols, required, &mut out);
    if rows.is_empty() {
        out.push(fail(
            codes::EMPTY,
            format!("line {}", head.line),
            "the dataset has no rows",
        ));
    }
    let done: Vec<DatasetRow> = rows
        .iter()
        .map(|rec| dataset_row(rec, head, &idx, files, &mut out))
        .collect();
    (out, done)
}

/// Validate a `driveset.csv` (S-PREP2), with the tool's own wording where known.
pub fn validate_driveset(text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let records = match csv::parse(text) {
        Ok(r) => r,
        Err(e) => return vec![fail(codes::CSV, format!("line {}", e.line), e.to_string())],
    };
    let Some((head, rows)) = records.split_first() else {
        return vec![fail(
            codes::EMPTY,
            "line 1".into(),
            "the driveset CSV is empty",
        )];
    };
    let idx = header(head, DRIVE_COLS, DRIVE_COLS, &mut out);
    if rows.is_empty() {
        out.push(fail(
            codes::EMPTY,
            format!("line {}", head.line),
            "the driveset has no drives",
        ));
    }
    for rec in rows {
        check_drive_row(rec, &idx, &mut out);
    }
    out
}

/// Check one drive of a driveset against the header's columns `idx`.
fn check_drive_row(rec: &Record, idx: &[Option<usize>], out: &mut Vec<Finding>) {
    let at = |col: &str| format!("line {}, column {col}", rec.line);
    let letter = get(rec, idx, 0);
    if !(letter.len() == 1 && letter.as_bytes()[0].is_ascii_alphabetic()) {
        out.push(fail(
            codes::DRIVE_LETTER,
            at("DriveLetter"),
            format!("{} is not a drive letter (e.g. `R`)", show(letter)),
        ));
    }
    let format = get(rec, idx, 1);
    let silent = get(rec, idx, 2);
    let enc = get(rec, idx, 3);
    let key = get(rec, idx, 4);
    for (v, col, allowed) in [
        (format, "FormatOption", &["Format", "AlreadyFormatted"][..]),
        (
            silent,
            "SilentOrPromptOnFormat",
            &["SilentMode", "PromptOnFormat"][..],
        ),
        (enc, "Encryption", &["Encrypt", "AlreadyEncrypted"][..]),
    ] {
        if v.is_empty() {
            out.push(fail(
                codes::DRIVESET_VALUE,
                at(col),
                format!("Incorrect value for {col}: none"),
            ));
        } else {
            one_of(rec, v, col, allowed, codes::DRIVESET_VALUE, out);
        }
    }
    if format == "Format" && enc != "Encrypt" {
        out.push(fail(
            codes::FORMAT_NEEDS_ENCRYPT,
            at("Encryption"),
            "When Format is specified, Encrypt must also be specified",
        ));
    }
    if enc == "Encrypt" && !key.is_empty() {
        out.push(fail(
            codes::KEY_FORBIDDEN,
            at("ExistingBitLockerKey"),
            "BitLocker Key should not be specified",
        ));
    }
    if enc == "AlreadyEncrypted" {
        if key.is_empty() {
            out.push(fail(
                codes::KEY_MISSING,
                at("ExistingBitLockerKey"),
                "AlreadyEncrypted needs the drive's 48-digit recovery password",
            ));
        } else if let Err(e) = recovery_password::check_form(key) {
            // The message never carries the key itself.
            out.push(Finding::error(
                codes::KEY_INVALID,
                DriveStatus::BitLockerKeyInvalid,
                at("ExistingBitLockerKey"),
                e.to_string(),
            ));
        }
    }
}
