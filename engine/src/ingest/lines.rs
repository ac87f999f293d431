//! Line numbers as a text editor shows them: `\n`, `\r\n` and a lone `\r` each end a line (the `csv`
//! crate ends records at all three, so a file with old Mac `\r` line endings, or stray carriage returns,
//! still gets one line number per line).

/// The byte offset where each line of a text starts (the reference [`LineCursor`] is tested against).
#[cfg(test)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    /// Lines in the text; a last line without a line break counts, an empty tail after the last break
    /// does not.
    pub total: usize,
}

#[cfg(test)]
impl LineIndex {
    /// Indexes the lines of `text`.
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        let breaks = starts.len() - 1;
        let total = breaks + usize::from(starts.last().is_some_and(|&s| s < bytes.len()));
        LineIndex { starts, total }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> u64 {
        self.starts.partition_point(|&start| start <= offset) as u64
    }
}

/// Line numbers of increasing byte offsets, found by counting line breaks forward from the last offset
/// asked (no index of every line is kept; an earlier offset counts again from the start).
pub(crate) struct LineCursor<'a> {
    bytes: &'a [u8],
    /// Byte offset reached.
    at: usize,
    /// Line breaks in `bytes[..at]`.
    breaks: usize,
}

impl<'a> LineCursor<'a> {
    /// A cursor at the start of `text`.
    pub fn new(text: &'a str) -> LineCursor<'a> {
        LineCursor {
            bytes: text.as_bytes(),
            at: 0,
            breaks: 0,
        }
    }

    /// The 1-based line holding byte `offset` (as [`LineIndex::line_of`]).
    pub fn line_of(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.bytes.len());
        if offset < self.at {
            self.at = 0;
            self.breaks = 0;
        }
        self.breaks += breaks_in(self.bytes, self.at, offset);
        self.at = offset;
        1 + self.breaks as u64
    }

    /// Lines in the text (as [`LineIndex::total`]).
    pub fn total(&mut self) -> usize {
        let breaks = self.line_of(self.bytes.len()) as usize - 1;
        let open_tail = self.bytes.last().is_some_and(|&b| b != b'\n' && b != b'\r');
        breaks + usize::from(open_tail)
    }
}

/// Line breaks starting in `bytes[from..to]` (a `\r` counts unless a `\n` follows it, looking past `to`).
fn breaks_in(bytes: &[u8], from: usize, to: usize) -> usize {
    let next = |i: usize| bytes.get(i + 1).copied().unwrap_or(0);
    bytes[from..to]
        .iter()
        .enumerate()
        .map(|(j, &b)| usize::from(b == b'\n' || (b == b'\r' && next(from + j) != b'\n')))
        .sum()
}

/// Line breaks in `text` under the same rule (`\r\n` counts once).
pub(crate) fn count_breaks(text: &str) -> usize {
    let bytes = text.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lf_crlf_and_lone_cr_each_end_one_line() {
        let text = "a\nb\r\nc\rd";
        let index = LineIndex::new(text);
        assert_eq!(index.total, 4);
        let lines: Vec<u64> = ["a", "b", "c", "d"]
            .iter()
            .map(|s| index.line_of(text.find(s).unwrap()))
            .collect();
        assert_eq!(lines, [1, 2, 3, 4]);
        assert_eq!(count_breaks(text), 3);
        assert_eq!(LineIndex::new("a\n").total, 1);
        assert_eq!(LineIndex::new("a\n\n").total, 2);
        assert_eq!(LineIndex::new("").total, 0);
    }

    #[test]
    fn the_cursor_gives_the_lines_and_total_of_the_index_at_every_offset() {
        for text in [
            "a\nb\r\nc\rd",
            "a\n",
            "a\n\n",
            "",
            "\r\n\r",
            "x\r\n\ny\rz\r",
        ] {
            let index = LineIndex::new(text);
            let mut cursor = LineCursor::new(text);
            for offset in 0..=text.len() {
                assert_eq!(
                    cursor.line_of(offset),
                    index.line_of(offset),
                    "{text:?} at {offset}"
                );
            }
            assert_eq!(cursor.total(), index.total, "{text:?}");
            // Going back counts again from the start.
            assert_eq!(cursor.line_of(0), 1);
            assert_eq!(LineCursor::new(text).total(), index.total, "{text:?}");
        }
    }
}
