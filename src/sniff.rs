//! What kind of file the user gave, from its first bytes, so that a command
//! given a file of another kind (a manifest to `log`, a CSV to `status`, an
//! empty file) refuses it in one line that says what the file looks like
//! instead and which command reads it, rather than summarising nonsense.
//!
//! Only the kinds this tool reads are recognised; a file of an expected
//! family with an unknown root (a misspelt `<DriveManifst>`) is left to the
//! command's own parser, which reports it with line and column.

/// What a file looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputKind {
    /// No bytes, or only whitespace (and a BOM).
    Empty,
    /// Too short to be any of the formats (one or a few bytes).
    Fragment(usize),
    /// NUL bytes in the text: a disk image or other binary data.
    Binary,
    /// XML whose first element is the given name.
    Xml(String),
    /// JSON (an object or an array).
    Json,
    /// A WAImportExport journal (`[BeginUpdateRecord]...`).
    Journal,
    /// Comma-separated text whose first line is the given header.
    Csv(String),
    /// Other text.
    Text,
}

/// The XML roots of the formats this tool reads, with what they are and the
/// command that reads them.
const XML_KINDS: &[(&str, &str, &str)] = &[
    ("DriveManifest", "a drive manifest", "manifest"),
    ("BlobList", "an export blob list", "blob-list"),
    ("DriveLog", "a classic copy log (DriveLog)", "log"),
    ("ErroredEntity", "a Data Box copy log", "log"),
    ("CopyLog", "a Data Box copy log", "log"),
    ("File", "a Data Box verbose log", "log"),
    ("Drive", "a _DriveInfo_ file", "status"),
    ("Metadata", "a blob metadata file", "manifest"),
    ("Properties", "a blob properties file", "manifest"),
];

/// Roots of the service's copy logs (classic and Data Box).
pub const LOG_ROOTS: &[&str] = &["DriveLog", "ErroredEntity", "CopyLog", "File"];

/// Recognise `bytes` (a UTF-8 or UTF-16 BOM is allowed).
pub fn sniff(bytes: &[u8]) -> InputKind {
    let head = decoded_head(bytes);
    let text = head.trim_start_matches('\u{feff}').trim_start();
    if text.is_empty() {
        return InputKind::Empty;
    }
    if text.contains('\0') {
        return InputKind::Binary;
    }
    if text.trim_end().len() < 4 {
        return InputKind::Fragment(bytes.len());
    }
    if text.starts_with('<') {
        return match first_element(text) {
            Some(name) => InputKind::Xml(name),
            None => InputKind::Text,
        };
    }
    if text.starts_with('{') || text.starts_with('[') {
        if text.starts_with("[BeginUpdateRecord]") {
            return InputKind::Journal;
        }
        return InputKind::Json;
    }
    let first = text.lines().next().unwrap_or("").trim();
    if first.contains(',') {
        return InputKind::Csv(first.to_string());
    }
    InputKind::Text
}

impl InputKind {
    /// "the root element is DriveManifest, a drive manifest; try `ie-preflight manifest`".
    pub fn describe(&self) -> String {
        match self {
            InputKind::Empty => "the file is empty".into(),
            InputKind::Fragment(n) => format!(
                "the file holds only {n} byte{}",
                if *n == 1 { "" } else { "s" }
            ),
            InputKind::Binary => {
                "the file is binary data (a disk image? try `ie-preflight check`)".into()
            }
            InputKind::Xml(root) => match XML_KINDS.iter().find(|(r, _, _)| r == root) {
                Some((_, what, cmd)) => {
                    format!("the root element is {root}, {what}; try `ie-preflight {cmd}`")
                }
                None => format!("the root element is {root}, not a format this tool reads"),
            },
            InputKind::Json => "the file is JSON (a job record? try `ie-preflight status`)".into(),
            InputKind::Journal => {
                "the file is a WAImportExport journal; try `ie-preflight status`".into()
            }
            InputKind::Csv(header) => match csv_kind(header) {
                Some(what) => format!("the file is {what}; try `ie-preflight dataset`"),
                None => "the file is comma-separated text".into(),
            },
            InputKind::Text => "the file is plain text in no format this tool reads".into(),
        }
    }

    /// XML with one of these roots?
    pub fn is_xml_root(&self, roots: &[&str]) -> bool {
        matches!(self, InputKind::Xml(r) if roots.contains(&r.as_str()))
    }

    /// XML with a root of one of the formats this tool knows?
    pub fn is_known_xml(&self) -> bool {
        matches!(self, InputKind::Xml(r) if XML_KINDS.iter().any(|(k, _, _)| k == r))
    }
}

/// `Err("not a copy log: the root element is DriveManifest, ...")` when
/// `bytes` is not what a command reads (`what`, e.g. "a copy log").
pub fn expect(
    bytes: &[u8],
    what: &str,
    accepts: impl Fn(&InputKind) -> bool,
) -> Result<(), String> {
    let kind = sniff(bytes);
    if accepts(&kind) {
        Ok(())
    } else {
        Err(format!("not {what}: {}", kind.describe()))
    }
}

/// An XML format read by its own parser: its root, or an unknown root (a
/// misspelt one, reported by the parser with its position).
pub fn xml_of(root: &'static str) -> impl Fn(&InputKind) -> bool {
    move |k| k.is_xml_root(&[root]) || matches!(k, InputKind::Xml(_)) && !k.is_known_xml()
}

/// A CSV (or one-column text) that is not the other of dataset/driveset.
pub fn csv_not(other: &'static str) -> impl Fn(&InputKind) -> bool {
    move |k| match k {
        InputKind::Csv(h) => csv_kind(h) != Some(other),
        InputKind::Text => true,
        _ => false,
    }
}

/// "a dataset CSV" / "a driveset CSV" from the header line.
fn csv_kind(header: &str) -> Option<&'static str> {
    let first = header
        .split(',')
        .next()?
        .trim()
        .trim_matches('"')
        .to_ascii_lowercase();
    match first.as_str() {
        "basepath" => Some("a dataset CSV"),
        "driveletter" => Some("a driveset CSV"),
        _ => None,
    }
}

/// The first few KiB as text: UTF-16 by its BOM, else UTF-8 (lossy).
fn decoded_head(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(8192)];
    let utf16 = |be: bool, rest: &[u8]| -> String {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| {
                if be {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    if let Some(rest) = head.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(false, rest);
    }
    if let Some(rest) = head.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(true, rest);
    }
    String::from_utf8_lossy(head).into_owned()
}

/// The name of the first element, skipping the XML declaration, processing
/// instructions, comments and a DOCTYPE.
fn first_element(mut text: &str) -> Option<String> {
    loop {
        text = text.trim_start();
        let rest = text.strip_prefix('<')?;
        if rest.starts_with('?') {
            text = &rest[rest.find("?>")? + 2..];
        } else if let Some(c) = rest.strip_prefix("!--") {
            text = &c[c.find("-->")? + 3..];
        } else if rest.starts_with('!') {
            text = &rest[rest.find('>')? + 1..];
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .collect();
            return (!name.is_empty()).then_some(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_kind() {
        assert_eq!(sniff(b""), InputKind::Empty);
        assert_eq!(sniff(b"\xEF\xBB\xBF \n"), InputKind::Empty);
        assert_eq!(sniff(b"x"), InputKind::Fragment(1));
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?>\n<!-- c -->\n<DriveManifest Version=\"1\">"),
            InputKind::Xml("DriveManifest".into())
        );
        assert_eq!(
            sniff(b"<!DOCTYPE x><BlobList/>"),
            InputKind::Xml("BlobList".into())
        );
        assert_eq!(sniff(b"  {\"name\": 1}"), InputKind::Json);
        assert_eq!(sniff(b"[BeginUpdateRecord][2024]"), InputKind::Journal);
        assert_eq!(
            sniff(b"BasePath,DstBlobPathOrPrefix\n"),
            InputKind::Csv("BasePath,DstBlobPathOrPrefix".into())
        );
        assert_eq!(sniff(b"EB\x00\x00NTFS    "), InputKind::Binary);
        assert_eq!(sniff(b"hello there"), InputKind::Text);
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("<DriveLog>".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(sniff(&utf16), InputKind::Xml("DriveLog".into()));
    }

    #[test]
    fn says_what_the_file_is_and_which_command_reads_it() {
        let d = sniff(b"<DriveManifest/>").describe();
        assert_eq!(
            d,
            "the root element is DriveManifest, a drive manifest; try `ie-preflight manifest`"
        );
        assert!(sniff(b"DriveLetter,FormatOption\n")
            .describe()
            .contains("driveset"));
        assert_eq!(sniff(b"x").describe(), "the file holds only 1 byte");
    }
}
