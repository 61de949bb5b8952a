//! Metadata names and total size (S-NAMEBLOB, S-NAMEFILE, S-MP).

use super::codes;
use super::show;
use crate::azure::limits::METADATA_TOTAL_MAX;
use crate::report::{DriveStatus, Finding};
use std::collections::HashMap;

/// C# keywords cannot be identifiers (without `@`, which Azure does not allow).
const KEYWORDS: &[&str] = &[
    "abstract",
    "as",
    "base",
    "bool",
    "break",
    "byte",
    "case",
    "catch",
    "char",
    "checked",
    "class",
    "const",
    "continue",
    "decimal",
    "default",
    "delegate",
    "do",
    "double",
    "else",
    "enum",
    "event",
    "explicit",
    "extern",
    "false",
    "finally",
    "fixed",
    "float",
    "for",
    "foreach",
    "goto",
    "if",
    "implicit",
    "in",
    "int",
    "interface",
    "internal",
    "is",
    "lock",
    "long",
    "namespace",
    "new",
    "null",
    "object",
    "operator",
    "out",
    "override",
    "params",
    "private",
    "protected",
    "public",
    "readonly",
    "ref",
    "return",
    "sbyte",
    "sealed",
    "short",
    "sizeof",
    "stackalloc",
    "static",
    "string",
    "struct",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "uint",
    "ulong",
    "unchecked",
    "unsafe",
    "ushort",
    "using",
    "virtual",
    "void",
    "volatile",
    "while",
];

/// Rule `azure.metadata-name`: a C# identifier. Metadata travels as
/// `x-ms-meta-<name>` HTTP headers, so we also require ASCII (INFERRED).
pub fn metadata_name(name: &str) -> Vec<Finding> {
    let mut chars = name.chars();
    let ok_start = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let ok_rest = chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    let why = if !ok_start || !ok_rest {
        "is not a C# identifier (a letter or '_', then letters, digits or '_')"
    } else if KEYWORDS.contains(&name) {
        "is a C# keyword"
    } else {
        return Vec::new();
    };
    vec![Finding::error(
        codes::METADATA_NAME,
        DriveStatus::UnsupportedData,
        name,
        format!("metadata name {} {why}", show(name)),
    )
    .with_hint("rename the metadata element")]
}

/// Rules `azure.metadata-name` for each name, `azure.metadata-duplicate`
/// (names are case-insensitive) and `azure.metadata-size` (8 KB in total).
pub fn metadata_set(subject: &str, pairs: &[(&str, &str)]) -> Vec<Finding> {
    let mut v = Vec::new();
    let mut seen: HashMap<String, &str> = HashMap::new();
    let mut total: u64 = 0;
    for (name, value) in pairs {
        v.extend(metadata_name(name).into_iter().map(|mut f| {
            f.subject = subject.to_string();
            f
        }));
        if let Some(first) = seen.insert(name.to_ascii_lowercase(), name) {
            v.push(Finding::error(
                codes::METADATA_DUPLICATE,
                DriveStatus::UnsupportedData,
                subject,
                format!(
                    "metadata names {} and {} differ only in case; Azure treats them as one",
                    show(first),
                    show(name)
                ),
            ));
        }
        total = total.saturating_add((name.len() + value.len()) as u64);
    }
    if total > METADATA_TOTAL_MAX.value {
        v.push(Finding::error(
            codes::METADATA_SIZE,
            DriveStatus::UnsupportedData,
            subject,
            format!(
                "metadata is {total} bytes (names and values); at most {}",
                METADATA_TOTAL_MAX.value
            ),
        ));
    }
    v
}
