//! Metadata and properties files referenced by the manifest (S-MP in `docs/sources.md`).
//! Flat XML: a root and text-only children. Bounded, no DTD, no entities.

use super::codes;
use crate::report::{DriveStatus, Finding};
use quick_xml::events::{BytesRef, Event};
use quick_xml::Reader;

/// Larger side files are not metadata (Azure caps metadata at 8 KB).
const MAX_SIDE: usize = 1 << 20;

const PROPERTIES: [&str; 8] = [
    "Last-Modified",
    "Etag",
    "Content-Length",
    "Content-Type",
    "Content-MD5",
    "Content-Encoding",
    "Content-Language",
    "Cache-Control",
];
const EXPORT_ONLY: [&str; 3] = ["Last-Modified", "Etag", "Content-Length"];

fn bad(subject: &str, msg: impl Into<String>) -> Finding {
    Finding::error(
        codes::SIDE_FORMAT,
        DriveStatus::ManifestFileError,
        subject,
        msg,
    )
}

/// The text of a side file: at most [`MAX_SIDE`] bytes of UTF-8, without its BOM.
fn side_text<'b>(bytes: &'b [u8], root: &str, subject: &str) -> Result<&'b str, Finding> {
    if bytes.len() > MAX_SIDE {
        return Err(bad(
            subject,
            format!("{} bytes is far larger than any {root} file", bytes.len()),
        ));
    }
    let body = crate::bytes::strip_utf8_bom(bytes);
    std::str::from_utf8(body)
        .map_err(|_| bad(subject, "not UTF-8 (the service reports XmlReadFailed)"))
}

/// Parse `<Root><Name>value</Name>...</Root>` into pairs.
fn flat_pairs(bytes: &[u8], root: &str, subject: &str) -> Result<Vec<(String, String)>, Finding> {
    let text = side_text(bytes, root, subject)?;
    let mut r = Reader::from_str(text);
    let mut depth = 0usize;
    let mut pairs = Vec::new();
    let mut cur: Option<(String, String)> = None;
    let mut seen_root = false;
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                depth += 1;
                match depth {
                    1 if name == root && !seen_root => seen_root = true,
                    1 => {
                        return Err(bad(
                            subject,
                            format!("root element is <{name}>, not <{root}>"),
                        ))
                    }
                    2 => cur = Some((name, String::new())),
                    _ => {
                        return Err(bad(
                            subject,
                            format!("<{name}> nested inside a {root} value"),
                        ))
                    }
                }
            }
            Ok(Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                match depth {
                    0 if name == root && !seen_root => seen_root = true,
                    1 => pairs.push((name, String::new())),
                    _ => return Err(bad(subject, format!("unexpected <{name}/>"))),
                }
            }
            Ok(Event::End(_)) => {
                if depth == 2 {
                    if let Some(p) = cur.take() {
                        pairs.push(p);
                    }
                }
                depth = depth.saturating_sub(1);
            }
            Ok(Event::Text(t)) => {
                let s = t.xml10_content().map_err(|e| bad(subject, e.to_string()))?;
                if let Some((_, v)) = cur.as_mut() {
                    v.push_str(&s);
                }
            }
            Ok(Event::GeneralRef(g)) => {
                let c = referenced_char(&g).ok_or_else(|| {
                    bad(subject, "undefined entity (entities are never resolved)")
                })?;
                if let Some((_, v)) = cur.as_mut() {
                    v.push(c);
                }
            }
            Ok(Event::DocType(_)) => return Err(bad(subject, "a DOCTYPE is not allowed")),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(bad(
                    subject,
                    format!("malformed XML (the service reports XmlReadFailed): {e}"),
                ))
            }
        }
    }
    if !seen_root || depth != 0 {
        return Err(bad(subject, format!("no complete <{root}> element")));
    }
    Ok(pairs)
}

/// The character a reference stands for: a character reference, or one of
/// XML's five predefined entities (no other entity is ever resolved).
fn referenced_char(g: &BytesRef<'_>) -> Option<char> {
    match g.resolve_char_ref() {
        Ok(Some(c)) => Some(c),
        _ => match g.decode().ok().as_deref() {
            Some("lt") => Some('<'),
            Some("gt") => Some('>'),
            Some("amp") => Some('&'),
            Some("apos") => Some('\''),
            Some("quot") => Some('"'),
            _ => None,
        },
    }
}

/// A metadata file: root `<Metadata>`, names valid C# identifiers, ≤ 8 KB in all.
pub fn check_metadata(bytes: &[u8], subject: &str) -> Vec<Finding> {
    let pairs = match flat_pairs(bytes, "Metadata", subject) {
        Ok(p) => p,
        Err(f) => return vec![f],
    };
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let mut out = crate::azure::rules::metadata_set(subject, &refs);
    for (n, _) in &pairs {
        out.extend(crate::azure::rules::metadata_name(n));
    }
    for f in &mut out {
        f.subject = subject.to_string();
    }
    out
}

/// A properties file: root `<Properties>` with only the known property names.
pub fn check_properties(bytes: &[u8], subject: &str) -> Vec<Finding> {
    let pairs = match flat_pairs(bytes, "Properties", subject) {
        Ok(p) => p,
        Err(f) => return vec![f],
    };
    let mut out = Vec::new();
    for (n, _) in &pairs {
        if !PROPERTIES.contains(&n.as_str()) {
            out.push(bad(
                subject,
                format!(
                    "<{n}> is not a blob property the service sets (allowed: {})",
                    PROPERTIES.join(", ")
                ),
            ));
        } else if EXPORT_ONLY.contains(&n.as_str()) {
            out.push(Finding::warning(
                codes::SIDE_FORMAT,
                DriveStatus::ManifestFileError,
                subject,
                format!("<{n}> is written on export only; it is ignored on import"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_ok_and_bad() {
        assert!(
            check_metadata(b"<Metadata><DataSetName>x</DataSetName></Metadata>", "m").is_empty()
        );
        assert!(!check_metadata(b"<Metadata><1bad>x</1bad></Metadata>", "m").is_empty());
        assert!(!check_metadata(b"<Meta/>", "m").is_empty());
        assert!(!check_metadata(b"<Metadata><a>", "m").is_empty());
    }

    #[test]
    fn properties() {
        assert!(check_properties(
            b"<Properties><Content-Type>text/plain</Content-Type></Properties>",
            "p"
        )
        .is_empty());
        assert_eq!(
            check_properties(b"<Properties><Foo>1</Foo></Properties>", "p").len(),
            1
        );
    }
}
