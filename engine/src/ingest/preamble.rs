//! Lines before the header that are not part of the table: Excel's `sep=;` line, `#` comments and title
//! lines ("Customer export – December"). They are skipped and reported, never taken as the header.
//!
//! The rules, on at most the first [`MAX_PREAMBLE_LINES`] lines:
//! 1. the first non-blank line `sep=X` (any case, optionally quoted, X one character) is Excel's delimiter
//!    hint: skipped, and X is the delimiter unless one is forced;
//! 2. then, given the table's usual number of fields `F ≥ 2` (the most common count in the sample), each
//!    leading line that starts with `#` and does not split into `F` fields with at least two of them
//!    filled is a comment, and any other leading line with at most one filled field, or fewer than
//!    `F - 1` fields, is a title line. The first line that is neither, or that opens a quoted field
//!    continuing on the next line, starts the table (the header or the first row). A header line of
//!    `F - 1` names (R's `write.csv` with row names) is not a title; lines of delimiters only are blank.
//! 3. If nothing but preamble would be left, there is no preamble.

use csv::ReaderBuilder;
use serde::{Deserialize, Serialize};

/// Lines examined for a preamble.
pub(crate) const MAX_PREAMBLE_LINES: usize = 20;
/// Characters of a preamble line kept in the report.
const KEPT_CHARS: usize = 80;

/// What a skipped line before the table was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreambleKind {
    /// Excel's `sep=;` delimiter line.
    Separator,
    /// A line starting with `#`.
    Comment,
    /// A title or note line with (at most) one filled field.
    Title,
}

/// A line before the table that was skipped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreambleLine {
    /// 1-based line of the file.
    pub line: u64,
    /// What it was taken for.
    pub kind: PreambleKind,
    /// Its text (at most 80 characters).
    pub text: String,
}

/// The lines of `text` with their byte ranges (line break excluded), breaks as in `lines.rs`.
fn lines_with_ranges(text: &str, max: usize) -> Vec<(usize, usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() && out.len() < max {
        match bytes[i] {
            b'\n' => {
                out.push((start, i, i + 1));
                start = i + 1;
            }
            b'\r' => {
                let next = if bytes.get(i + 1) == Some(&b'\n') {
                    i + 2
                } else {
                    i + 1
                };
                out.push((start, i, next));
                start = next;
                i = next;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if out.len() < max && start < bytes.len() {
        out.push((start, bytes.len(), bytes.len()));
    }
    out
}

/// The delimiter of an Excel `sep=X` line, if `line` is one.
fn separator_line(line: &str) -> Option<u8> {
    let trimmed = line.trim_matches(|c: char| c == ' ' || c == '\r' || c == '\n');
    let unquoted = trimmed
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(trimmed);
    let rest = unquoted
        .get(..4)?
        .eq_ignore_ascii_case("sep=")
        .then(|| &unquoted[4..])?;
    match rest.as_bytes() {
        [d] if d.is_ascii() && !matches!(d, b'"' | b'\n' | b'\r') => Some(*d),
        _ => None,
    }
}

/// The fields of one line under `delimiter` (quotes honoured within the line).
fn fields(line: &str, delimiter: u8) -> Vec<String> {
    let mut reader = ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(line.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => record.iter().map(str::to_owned).collect(),
        _ => vec![line.to_owned()],
    }
}

fn kept(text: &str) -> String {
    text.chars().take(KEPT_CHARS).collect()
}

/// The `sep=` line, if the first non-blank line is one: (its report entry, the byte where the rest
/// starts, its delimiter).
pub(crate) fn separator(text: &str) -> Option<(PreambleLine, usize, u8)> {
    for (number, (start, end, next)) in lines_with_ranges(text, MAX_PREAMBLE_LINES)
        .into_iter()
        .enumerate()
    {
        let line = &text[start..end];
        if line.trim().is_empty() {
            continue;
        }
        let delimiter = separator_line(line)?;
        let entry = PreambleLine {
            line: number as u64 + 1,
            kind: PreambleKind::Separator,
            text: kept(line),
        };
        return Some((entry, next, delimiter));
    }
    None
}

/// Comment and title lines at the start of `text` (see the module docs), given the delimiter and the
/// usual field count: their entries (lines numbered from `first_line`) and the byte where the table
/// starts (0 when there is no preamble).
pub(crate) fn comments_and_titles(
    text: &str,
    delimiter: u8,
    usual_fields: usize,
    first_line: u64,
) -> (Vec<PreambleLine>, usize) {
    if usual_fields < 2 {
        return (Vec::new(), 0);
    }
    let mut entries = Vec::new();
    let mut end_byte = 0;
    for (number, (start, end, next)) in lines_with_ranges(text, MAX_PREAMBLE_LINES)
        .into_iter()
        .enumerate()
    {
        let line = &text[start..end];
        if line.trim().is_empty() {
            continue;
        }
        if line.bytes().filter(|&b| b == b'"').count() % 2 == 1 {
            break; // a quoted field continues on the next line: a record, not a preamble line
        }
        let split = fields(line, delimiter);
        let filled = split.iter().filter(|f| !f.trim().is_empty()).count();
        if filled == 0 {
            continue; // `,,,`: a blank line, as in the table
        }
        let kind = if line.trim_start().starts_with('#')
            && !(split.len() == usual_fields && filled >= 2)
        {
            PreambleKind::Comment
        } else if filled <= 1 || split.len() + 1 < usual_fields {
            PreambleKind::Title
        } else {
            break;
        };
        entries.push(PreambleLine {
            line: first_line + number as u64,
            kind,
            text: kept(line),
        });
        end_byte = next;
    }
    if text[end_byte..].trim().is_empty() {
        return (Vec::new(), 0);
    }
    (entries, end_byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_separator_lines_are_recognised_in_any_case_and_quoted() {
        assert_eq!(separator_line("sep=;"), Some(b';'));
        assert_eq!(separator_line("\"SEP=|\""), Some(b'|'));
        assert_eq!(separator_line("sep=\t"), Some(b'\t'));
        assert_eq!(separator_line("sep=;;"), None);
        assert_eq!(separator_line("separator"), None);
        let (entry, rest, delimiter) = separator("\nsep=;\na;b\n1;2\n").unwrap();
        assert_eq!((entry.line, rest, delimiter), (2, 7, b';'));
    }

    #[test]
    fn titles_and_comments_before_the_header_are_found_and_the_header_is_not() {
        let text = "Customer export\n# generated by CRM\n\nname,age,city\nAnn,34,Paris\n";
        let (entries, start) = comments_and_titles(text, b',', 3, 1);
        let found: Vec<(u64, PreambleKind)> = entries.iter().map(|e| (e.line, e.kind)).collect();
        assert_eq!(
            found,
            [(1, PreambleKind::Title), (2, PreambleKind::Comment)]
        );
        assert!(text[start..].starts_with("\nname,age,city"));
        // A header of F - 1 names (row names in the data) is not a title.
        assert_eq!(comments_and_titles("a,b\n1,2,3\n4,5,6\n", b',', 3, 1).1, 0);
        // A quoted header name spanning two lines is the header, not a title.
        assert_eq!(
            comments_and_titles("\"name,\nage\",x\n1,2\n", b',', 2, 1).1,
            0
        );
        // A one-column file has no detectable preamble.
        assert_eq!(comments_and_titles("Title\nx\ny\n", b',', 1, 1).1, 0);
    }
}
