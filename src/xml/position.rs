//! Byte offset → 1-based line and column (columns count characters).

use crate::report::{DriveStatus, Finding};

/// Start offsets of every line of one text.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// The last answer (line start, position, column): queries in increasing
    /// order on one long line then cost only the distance between them.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            text,
            starts,
            last: std::cell::Cell::new((0, 0, 0)),
        }
    }

    /// Line and column of byte `pos` (clamped to the text; a position inside
    /// a character counts as that character).
    pub fn line_col(&self, pos: usize) -> (usize, usize) {
        let pos = pos.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= pos).max(1);
        let start = self.starts[line - 1];
        let (l_start, l_pos, l_col) = self.last.get();
        let (from, base) = if l_start == start && l_pos <= pos && self.text.is_char_boundary(l_pos)
        {
            (l_pos, l_col)
        } else {
            (start, 0)
        };
        let col = base
            + self
                .text
                .get(from..)
                .unwrap_or("")
                .char_indices()
                .take_while(|(i, _)| from + i < pos)
                .count();
        if self.text.is_char_boundary(pos) {
            self.last.set((start, pos, col));
        }
        (line, col + 1)
    }

    /// The subject of a finding at `pos`: "line L, column C".
    pub fn subject(&self, pos: usize) -> String {
        let (l, c) = self.line_col(pos);
        format!("line {l}, column {c}")
    }

    /// `f` placed at byte `pos`: its subject "line L, column C" and its
    /// location.
    pub fn place(&self, f: Finding, pos: usize) -> Finding {
        at_line_col(f, self.line_col(pos))
    }
}

/// `f` placed at 1-based `line` and `column`: its subject
/// "line L, column C" and its location.
pub fn at_line_col(f: Finding, (line, column): (usize, usize)) -> Finding {
    let mut f = f.at_line(line, column);
    f.subject = format!("line {line}, column {column}");
    f
}

/// Findings found at byte positions of `ix`'s text: sorted by position, each
/// given its "line L, column C" subject, at most `max` of them and then one
/// `too_many` info finding saying the rest were left out.
pub fn positioned(
    mut found: Vec<(usize, Finding)>,
    ix: &LineIndex<'_>,
    max: usize,
    too_many: &'static str,
    predicts: DriveStatus,
) -> Vec<Finding> {
    found.sort_by_key(|(pos, _)| *pos);
    let total = found.len();
    let mut out: Vec<Finding> = found
        .into_iter()
        .take(max)
        .map(|(pos, f)| ix.place(f, pos))
        .collect();
    if total > max {
        out.push(at_line_col(
            Finding::info(
                too_many,
                predicts,
                "",
                format!("only the first {max} findings are shown"),
            ),
            (1, 1),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn lines_and_columns() {
        let t = "ab\ncdé\nf";
        let ix = LineIndex::new(t);
        assert_eq!(ix.line_col(0), (1, 1));
        assert_eq!(ix.line_col(2), (1, 3));
        assert_eq!(ix.line_col(3), (2, 1));
        assert_eq!(ix.line_col(7), (2, 4)); // after the 2-byte é
        assert_eq!(ix.line_col(8), (3, 1));
        assert_eq!(ix.line_col(999), (3, 2));
        assert_eq!(ix.subject(4), "line 2, column 2");
    }
}
