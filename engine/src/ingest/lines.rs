//! Line numbers as a text editor shows them: `\n`, `\r\n` and a lone `\r` each end a line (the `csv`
//! crate ends records at all three, so a file with old Mac `\r` line endings, or stray carriage returns,
//! still gets one line number per line).

/// The byte offset where each line of a text starts (the reference the record reader's line numbers are tested against).
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
}
