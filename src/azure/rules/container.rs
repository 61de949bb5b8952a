//! Container and share names (S-NAMEBLOB, S-NAMEFILE, S-DBTRBL).
//!
//! An invalid name is renamed by the service (copy-log `ContainerRenamed` /
//! `ShareRenamed` → `DataBox-<GUID>`, S-LOGNEW, S-CLSAMPLE), so it predicts "Data copy
//! completed with warnings" and says the predicted new name.

use super::codes;
use super::show;
use crate::azure::limits::{CONTAINER_NAME_MAX, CONTAINER_NAME_MIN};
use crate::report::{DriveStatus, Finding};

/// Why a name is not a valid container/share name (the Data Box validator's cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    /// Not 3–63 characters (`ERROR_CONTAINER_OR_SHARE_NAME_LENGTH`).
    Length,
    /// A character other than `a-z`, `0-9`, `-` (`…_ALPHA_NUMERIC_DASH`).
    Character,
    /// Starts or ends with `-`, or has `--` (`…_IMPROPER_DASH`).
    Dash,
}

/// The first problem with `name` as a container/share name, if any
/// (`$root` and the other `$` names are not handled here).
pub fn container_name_problem(name: &str) -> Option<NameProblem> {
    let len = name.chars().count() as u64;
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Some(NameProblem::Character);
    }
    if !(CONTAINER_NAME_MIN.value..=CONTAINER_NAME_MAX.value).contains(&len) {
        return Some(NameProblem::Length);
    }
    if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        return Some(NameProblem::Dash);
    }
    None
}

/// Valid as a container name: the DNS-label form or `$root`.
pub fn is_valid_container_name(name: &str) -> bool {
    name == "$root" || container_name_problem(name).is_none()
}

/// What the service is predicted to call an invalid container/share: the
/// lowercased name when that alone makes it valid (Data Box Disk lowercases,
/// S-DBLIM; not confirmed for Import/Export), else a generated `DataBox-<GUID>`.
pub fn predicted_container_name(name: &str) -> String {
    let lower = name.to_lowercase();
    if container_name_problem(&lower).is_none() {
        lower
    } else {
        "DataBox-<GUID>".to_string()
    }
}

fn problem_text(p: NameProblem) -> &'static str {
    match p {
        NameProblem::Length => "is not 3 to 63 characters long",
        NameProblem::Character => "may only hold lowercase letters, digits and '-'",
        NameProblem::Dash => "must start and end with a letter or digit and have no '--'",
    }
}

fn dns_name(code: &'static str, what: &str, renamed: &str, name: &str) -> Vec<Finding> {
    match container_name_problem(name) {
        None => Vec::new(),
        Some(p) => vec![Finding::warning(
            code,
            DriveStatus::CopiedWithWarnings,
            name,
            format!(
                "{what} name {} {}; the service renames it ({renamed}) to {}",
                show(name),
                problem_text(p),
                show(&predicted_container_name(name))
            ),
        )
        .with_hint(format!(
            "rename the source folder to a valid {what} name (e.g. lowercase, '-' instead of spaces)"
        ))],
    }
}

/// Rule `azure.container-name` / `azure.container-reserved`.
pub fn container_name(name: &str) -> Vec<Finding> {
    match name {
        "$root" => Vec::new(),
        // System containers: whether Import/Export writes into them is unconfirmed (`docs/sources.md`).
        "$web" | "$logs" => vec![Finding::warning(
            codes::CONTAINER_RESERVED,
            DriveStatus::UnsupportedData,
            name,
            format!(
                "{} is a system container; whether Import/Export imports into it is unconfirmed",
                show(name)
            ),
        )
        .with_hint("import into an ordinary container and copy server-side afterwards")],
        _ => dns_name(codes::CONTAINER_NAME, "container", "ContainerRenamed", name),
    }
}

/// Rule `azure.share-name`: shares follow the container rules, with no `$root`.
pub fn share_name(name: &str) -> Vec<Finding> {
    dns_name(codes::SHARE_NAME, "share", "ShareRenamed", name)
}
