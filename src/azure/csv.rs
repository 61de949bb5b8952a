//! A small RFC 4180 reader for WAImportExport's CSVs: quoted fields, `""`
//! escapes, CRLF or LF. Bounded by the input; no I/O.

/// One record: its 1-based line and its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Unterminated quoted field starting on `line`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: a quoted field is not closed")]
pub struct CsvError {
    pub line: usize,
}

/// All records; blank lines are skipped.
pub fn parse(text: &str) -> Result<Vec<Record>, CsvError> {
    let text = crate::bytes::strip_bom(text);
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut start = 1;
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                fields.push(std::mem::take(&mut field));
                if fields.len() > 1 || !fields[0].trim().is_empty() {
                    out.push(Record {
                        line: start,
                        fields: std::mem::take(&mut fields),
                    });
                }
                fields.clear();
                line += 1;
                start = line;
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err(CsvError { line: start });
    }
    fields.push(field);
    if fields.len() > 1 || !fields[0].trim().is_empty() {
        out.push(Record {
            line: start,
            fields,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_lines() {
        let r = parse("a,b\r\n\"x,\"\"y\"\"\",\"None\"\n\n\"multi\nline\",z").unwrap();
        assert_eq!(r[0].fields, ["a", "b"]);
        assert_eq!(
            (r[1].line, r[1].fields.clone()),
            (2, vec!["x,\"y\"".to_string(), "None".into()])
        );
        assert_eq!(r[2].line, 4);
        assert_eq!(parse("\"open,x"), Err(CsvError { line: 1 }));
    }
}
