//! The reader loop shared by the XML validators (blob list, drive manifest):
//! input decoding, then quick-xml events handed to a [`Sink`], bounded in
//! nesting depth and in findings.

use super::LineIndex;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

/// An XML file's text, or why it has none.
enum Decoded<'a> {
    /// UTF-8, without its byte order mark.
    Text(&'a str),
    /// A UTF-16 byte order mark (dropped): the rest, for [`utf16_text`].
    Utf16 { body: &'a [u8], big_endian: bool },
    /// Not UTF-8: line and column of the first bad byte.
    NotUtf8((usize, usize)),
}

fn decode(bytes: &[u8]) -> Decoded<'_> {
    if let Some(body) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return Decoded::Utf16 {
            body,
            big_endian: false,
        };
    }
    if let Some(body) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return Decoded::Utf16 {
            body,
            big_endian: true,
        };
    }
    let body = crate::bytes::strip_utf8_bom(bytes);
    match std::str::from_utf8(body) {
        Ok(t) => Decoded::Text(t),
        Err(e) => {
            let good = std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or("");
            Decoded::NotUtf8(LineIndex::new(good).line_col(good.len()))
        }
    }
}

/// UTF-16 text (after its byte order mark) as a `String`; the error is the
/// line and column of the first invalid code unit (an unpaired surrogate or
/// a last odd byte), counted in the text decoded up to there.
fn utf16_text(body: &[u8], big_endian: bool) -> Result<String, (usize, usize)> {
    // An odd last byte is half a code unit: invalid after what precedes it.
    let (even, odd) = body.split_at(body.len() & !1);
    let units = even.chunks_exact(2).map(|c| {
        let pair = [c[0], c[1]];
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    let mut out = String::with_capacity(even.len() / 2);
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => out.push(c),
            Err(_) => return Err(LineIndex::new(&out).line_col(out.len())),
        }
    }
    if odd.is_empty() {
        Ok(out)
    } else {
        Err(LineIndex::new(&out).line_col(out.len()))
    }
}

/// Where decoding failed (line, column) and why.
pub type DecodeError = ((usize, usize), &'static str);

/// An XML file's text: UTF-8 (its byte order mark dropped) as it is, UTF-16
/// (known by its byte order mark) decoded, with whether it was UTF-16; or
/// the line and column of the first byte that cannot be decoded, and why.
/// Findings on decoded UTF-16 count lines and columns in the decoded text
/// (the characters an editor shows).
pub fn text(bytes: &[u8]) -> Result<(std::borrow::Cow<'_, str>, bool), DecodeError> {
    match decode(bytes) {
        Decoded::Text(t) => Ok((std::borrow::Cow::Borrowed(t), false)),
        Decoded::Utf16 { body, big_endian } => utf16_text(body, big_endian)
            .map(|t| (std::borrow::Cow::Owned(t), true))
            .map_err(|at| {
                let why = "not valid UTF-16 (an unpaired surrogate, or an odd number of bytes)";
                (at, why)
            }),
        Decoded::NotUtf8(at) => Err((at, "not valid UTF-8")),
    }
}

/// The message of a [`Problem::TooLong`]: `what` (an element) of `doc` (a
/// "manifest", a "blob-list entry") is `n` bytes.
pub fn too_long_message(what: &str, n: usize, doc: &str) -> String {
    format!(
        "{what} is {n} bytes, more than the {} KiB any {doc} needs; it is not used",
        TEXT_MAX / 1024
    )
}

/// The warning text for a UTF-16 `doc` ("manifest", "blob list"), checked as
/// decoded: no source says whether the service reads UTF-16 (`docs/sources.md`,
/// "What the sources do not settle"), so a warning, not an error.
pub fn utf16_message(doc: &str) -> String {
    format!("the {doc} is UTF-16; it was checked as decoded, but whether the service accepts UTF-16 is unconfirmed (the Microsoft tools write UTF-8)")
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
    /// The message may quote the input (quick-xml's own wording).
    Syntax(String),
    /// The open element's text (or, outside any element, one text event) is
    /// this many bytes, over [`TEXT_MAX`]: none of it was handed over past the
    /// bound. Raised at the element's start, just before it closes.
    TooLong(usize),
}

/// The most text one element may hold (all its text, CDATA and references,
/// its children's and whitespace-only runs not counted). No manifest or blob-list value comes near it;
/// text past it is measured, never copied.
pub const TEXT_MAX: usize = 64 * 1024;

/// What a validator does with each event; positions are byte offsets.
pub trait Sink {
    /// How many elements are open.
    fn depth(&self) -> usize;
    fn findings(&self) -> usize;
    fn open(&mut self, e: &BytesStart<'_>, pos: usize);
    fn close(&mut self);
    /// Text, CDATA or a resolved reference; `pos` is where text stops being
    /// whitespace. An element's text comes to at most [`TEXT_MAX`] bytes.
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

/// Text bytes of each open element: where it starts, how many so far.
struct Sizes(Vec<(usize, usize)>);

impl Sizes {
    /// Whether `n` more bytes of text at `pos` may be handed over: not once the
    /// element is over the bound. Outside every element an over-long text
    /// event is reported at once (there is no end tag to wait for). `blank`
    /// text (whitespace only: the indentation between a list's children, which
    /// grows with the list) is not counted; a blank run over the bound on its
    /// own is dropped, as it carries nothing.
    fn admit(&mut self, n: usize, blank: bool, pos: usize, sink: &mut impl Sink) -> bool {
        if blank {
            return n <= TEXT_MAX;
        }
        match self.0.last_mut() {
            Some((_, len)) => {
                *len = len.saturating_add(n);
                *len <= TEXT_MAX
            }
            None if n > TEXT_MAX => {
                sink.problem(pos, Problem::TooLong(n));
                false
            }
            None => true,
        }
    }

    /// The innermost element ends: its size problem, if any, then the close.
    fn close(&mut self, sink: &mut impl Sink) {
        if let Some((start, len)) = self.0.pop() {
            if len > TEXT_MAX {
                sink.problem(start, Problem::TooLong(len));
            }
        }
        sink.close();
    }
}

/// Feed `text` to `sink` until its end, a fatal error or `max_findings`.
/// Events borrow from `text`; only text within [`TEXT_MAX`] is decoded.
pub fn read(text: &str, max_depth: usize, max_findings: usize, sink: &mut impl Sink) -> Ended {
    let mut reader = Reader::from_str(text);
    let mut sizes = Sizes(Vec::new());
    loop {
        let pos = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if sink.depth() >= max_depth {
                    sink.problem(pos, Problem::TooDeep);
                    return Ended::Error;
                }
                sink.open(&e, pos);
                sizes.0.push((pos, 0));
            }
            Ok(Event::Empty(e)) => {
                sink.open(&e, pos);
                sink.close();
            }
            Ok(Event::End(_)) => sizes.close(sink),
            Ok(Event::Text(t)) => {
                let blank = t.iter().all(|b| b.is_ascii_whitespace());
                if sizes.admit(t.len(), blank, pos, sink) {
                    match t.xml10_content() {
                        Ok(s) => sink.text(
                            &s,
                            pos + t.iter().take_while(|b| b.is_ascii_whitespace()).count(),
                        ),
                        Err(e) => sink.problem(pos, Problem::Syntax(e.to_string())),
                    }
                }
            }
            Ok(Event::CData(t)) => {
                if sizes.admit(t.len(), false, pos, sink) {
                    match t.decode() {
                        Ok(s) => sink.text(&s, pos),
                        Err(e) => sink.problem(pos, Problem::Syntax(e.to_string())),
                    }
                }
            }
            Ok(Event::GeneralRef(r)) => match resolve(&r) {
                Ok(c) => {
                    if sizes.admit(c.len_utf8(), false, pos, sink) {
                        sink.text(c.encode_utf8(&mut [0; 4]), pos);
                    }
                }
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
