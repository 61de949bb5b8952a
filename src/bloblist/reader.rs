//! The reader loop shared by the XML validators (blob list, drive manifest):
//! input decoding, then quick-xml events handed to a [`Sink`], bounded in
//! nesting depth and in findings.

use super::LineIndex;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

/// An XML file's text, or why it has none.
pub enum Decoded<'a> {
    /// UTF-8, without its byte order mark.
    Text(&'a str),
    /// A UTF-16 byte order mark: not read.
    Utf16,
    /// Not UTF-8: "line L, column C" of the first bad byte.
    NotUtf8(String),
}

pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Decoded::Utf16;
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(t) => Decoded::Text(t),
        Err(e) => {
            let good = std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or("");
            Decoded::NotUtf8(LineIndex::new(good).subject(good.len()))
        }
    }
}

/// A character reference or one of the five predefined entities; nothing else
/// is resolved. The error says why not.
pub fn resolve(r: &BytesRef<'_>) -> Result<char, String> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Ok(c),
        Ok(None) => match r.decode().map_err(|e| e.to_string())?.as_ref() {
            "lt" => Ok('<'),
            "gt" => Ok('>'),
            "amp" => Ok('&'),
            "apos" => Ok('\''),
            "quot" => Ok('"'),
            other => Err(format!(
                "undefined entity `&{other};` (entities are never resolved)"
            )),
        },
        Err(e) => Err(format!("bad character reference: {e}")),
    }
}

/// A problem of the XML layer; each validator words its own finding.
pub enum Problem {
    /// A DOCTYPE, which is never processed.
    Doctype,
    /// An element past the depth limit; reading stops.
    TooDeep,
    /// A reference [`resolve`] refuses, and why; reading stops.
    BadReference(String),
    /// Undecodable text or CDATA; or malformed markup, and reading stops.
    Syntax(String),
}

/// What a validator does with each event; positions are byte offsets.
pub trait Sink {
    /// How many elements are open.
    fn depth(&self) -> usize;
    fn findings(&self) -> usize;
    fn open(&mut self, e: &BytesStart<'_>, pos: usize);
    fn close(&mut self);
    /// Text, CDATA or a resolved reference; `pos` is where text stops being whitespace.
    fn text(&mut self, s: &str, pos: usize);
    /// A problem of the XML layer at `pos`.
    fn problem(&mut self, pos: usize, p: Problem);
    /// The end of the document, `end` bytes long.
    fn eof(&mut self, end: usize);
}

/// Why reading stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Eof,
    /// At a fatal error (malformed XML, too deep, a bad reference).
    Error,
    /// More than the allowed number of findings.
    TooManyFindings,
}

/// Feed `text` to `sink` until its end, a fatal error or `max_findings`.
pub fn read(text: &str, max_depth: usize, max_findings: usize, sink: &mut impl Sink) -> Ended {
    let mut reader = Reader::from_str(text);
    loop {
        let pos = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if sink.depth() >= max_depth {
                    sink.problem(pos, Problem::TooDeep);
                    return Ended::Error;
                }
                sink.open(&e, pos);
            }
            Ok(Event::Empty(e)) => {
                sink.open(&e, pos);
                sink.close();
            }
            Ok(Event::End(_)) => sink.close(),
            Ok(Event::Text(t)) => match t.xml10_content() {
                Ok(s) => sink.text(
                    &s,
                    pos + t.iter().take_while(|b| b.is_ascii_whitespace()).count(),
                ),
                Err(e) => sink.problem(pos, Problem::Syntax(e.to_string())),
            },
            Ok(Event::CData(t)) => match t.decode() {
                Ok(s) => sink.text(&s, pos),
                Err(e) => sink.problem(pos, Problem::Syntax(e.to_string())),
            },
            Ok(Event::GeneralRef(r)) => match resolve(&r) {
                Ok(c) => sink.text(c.encode_utf8(&mut [0; 4]), pos),
                Err(why) => {
                    sink.problem(pos, Problem::BadReference(why));
                    return Ended::Error;
                }
            },
            Ok(Event::DocType(_)) => sink.problem(pos, Problem::Doctype),
            Ok(Event::Decl(_)) | Ok(Event::PI(_)) | Ok(Event::Comment(_)) => {}
            Ok(Event::Eof) => {
                sink.eof(text.len());
                return Ended::Eof;
            }
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                sink.problem(at, Problem::Syntax(format!("malformed XML: {e}")));
                return Ended::Error;
            }
        }
        if sink.findings() > max_findings {
            return Ended::TooManyFindings;
        }
    }
}
