//! Whitespace-aligned files: columns separated by runs of spaces (or tabs mixed with spaces), often with
//! leading spaces, as printed by fixed-width reports and old order-log exports:
//!
//! ```text
//!   customer_id      date  quantity   amount
//!         00001  19970101         1    11.77
//! ```
//!
//! Tried only when none of `,` `;` tab `|` splits the file into two or more columns. The sample (the
//! first 64 KiB, at most 200 non-blank lines) is whitespace-aligned when at least 90% of its lines start
//! with a space or hold a run of two or more spaces or a tab, and at least 90% of them split into the same
//! number (two or more) of fields. Such a file is rewritten, line by line, with each run of spaces and tabs
//! between two values turned into one tab and spaces at the start and end of a line removed; line breaks
//! are kept, so line numbers in the report are the file's. A value that itself contains a space is split in
//! two (its row then has too many fields and is reported as a bad row).

/// Sample size, as for delimiter detection.
const SAMPLE_BYTES: usize = 64 * 1024;
const SAMPLE_LINES: usize = 200;
/// Share of sampled lines that must look aligned and share one field count.
const ALIGNED_SHARE: f64 = 0.9;

/// The fields of a line split on runs of spaces and tabs.
fn fields(line: &str) -> usize {
    line.split([' ', '\t']).filter(|f| !f.is_empty()).count()
}

/// Whether the text looks whitespace-aligned (see the module docs).
pub(crate) fn is_aligned(text: &str) -> bool {
    let mut end = text.len().min(SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let lines: Vec<&str> = text[..end]
        .split(['\n', '\r'])
        .filter(|l| !l.trim().is_empty())
        .take(SAMPLE_LINES)
        .collect();
    if lines.len() < 2 {
        return false;
    }
    let n = lines.len() as f64;
    let looks_aligned = lines
        .iter()
        .filter(|l| l.starts_with(' ') || l.contains("  ") || l.contains('\t'))
        .count();
    if (looks_aligned as f64) < ALIGNED_SHARE * n {
        return false;
    }
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for line in &lines {
        let f = fields(line);
        match counts.iter_mut().find(|(k, _)| *k == f) {
            Some((_, c)) => *c += 1,
            None => counts.push((f, 1)),
        }
    }
    counts
        .iter()
        .any(|&(f, c)| f >= 2 && c as f64 >= ALIGNED_SHARE * n)
}

/// The text with each run of spaces and tabs between values turned into one tab, and the spaces at the
/// start and end of each line removed; line breaks unchanged.
pub(crate) fn to_tab_separated(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    Aligner::default().rewrite(text.as_bytes(), &mut out);
    // Only ASCII spaces, tabs and line breaks are dropped or added: the text stays UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// [`to_tab_separated`] on a text given in pieces cut anywhere (the rewrite only looks at ASCII bytes, so
/// a multi-byte character cut in two is rewritten as if whole).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Aligner {
    /// A run of spaces follows a value on this line.
    gap: bool,
    /// No value yet on this line.
    line_start: bool,
}

impl Default for Aligner {
    fn default() -> Self {
        Aligner {
            gap: false,
            line_start: true,
        }
    }
}

impl Aligner {
    /// Appends the rewrite of the next piece to `out`.
    pub(crate) fn rewrite(&mut self, piece: &[u8], out: &mut Vec<u8>) {
        for &b in piece {
            match b {
                b' ' | b'\t' => self.gap = !self.line_start,
                b'\n' | b'\r' => {
                    self.gap = false;
                    self.line_start = true;
                    out.push(b);
                }
                _ => {
                    if self.gap {
                        out.push(b'\t');
                        self.gap = false;
                    }
                    self.line_start = false;
                    out.push(b);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_columns_become_tab_separated_with_line_breaks_kept() {
        let text =
            "  id      date  amount\r\n 00001  19970101   11.77\n\n 00002  19970102    9.5\n";
        assert!(is_aligned(text));
        assert_eq!(
            to_tab_separated(text),
            "id\tdate\tamount\r\n00001\t19970101\t11.77\n\n00002\t19970102\t9.5\n"
        );
    }

    #[test]
    fn a_text_rewritten_in_pieces_cut_anywhere_is_rewritten_as_whole() {
        let text = "  id   city      amount\r\n 001  Genève    11.77\n\n  002\tŁódź   9.5  \n";
        let whole = to_tab_separated(text);
        assert_eq!(
            whole,
            "id\tcity\tamount\r\n001\tGenève\t11.77\n\n002\tŁódź\t9.5\n"
        );
        let bytes = text.as_bytes();
        for cut in 0..=bytes.len() {
            let mut aligner = Aligner::default();
            let mut out = Vec::new();
            aligner.rewrite(&bytes[..cut], &mut out);
            aligner.rewrite(&bytes[cut..], &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), whole, "cut at byte {cut}");
        }
    }

    #[test]
    fn single_spaced_words_and_one_value_per_line_are_not_aligned() {
        // Full names in one column: single spaces, no padding.
        assert!(!is_aligned("name\nAnn Lee\nBob Stone\nCy Young\n"));
        // Padded, but one value per line.
        assert!(!is_aligned("  id\n  001\n  002\n"));
        // Prose: word counts vary from line to line.
        assert!(!is_aligned(
            "This is  a line.\nAnd  another, longer line here.\n"
        ));
    }
}
