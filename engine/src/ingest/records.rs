//! Streaming the records of a decoded file into dictionary-encoded columns.
//!
//! One pass with the `csv` crate; each cell is looked up in its column's dictionary, so memory grows with
//! the number of rows (one `u32` per cell) and of distinct texts, never with a `String` per cell.
//!
//! Line numbers are 1-based lines of the decoded file as an editor shows them (`\n`, `\r\n` and a lone
//! `\r` each end a line; a record with a quoted line break spans several lines and is reported at its
//! first). A record whose fields are all empty or whitespace (an empty line, `   `, or `,,,`) is a *blank
//! line*: it is not a row, and it is counted in
//! [`IngestReport::blank_lines`](super::IngestReport::blank_lines) by the lines it spans; such records
//! that are not empty lines (`   `, `,,,`) are also counted in
//! [`IngestReport::empty_records`](super::IngestReport::empty_records).
//!
//! With a header, a later record whose fields equal the header's (concatenated exports) is a *repeated
//! header*: not a row, counted and listed by line in the report.

use csv::{ReaderBuilder, StringRecord};
use rustc_hash::FxHashMap;

use super::lines::{count_breaks, LineCursor};
use super::{RowIssue, RowIssueKind, RowLines};

/// Bad-row line numbers kept for an error message.
pub(crate) const FIRST_BAD_LINES: usize = 5;

/// A column being filled: the dictionary of distinct texts and one code per row.
///
/// Texts of at most 15 bytes (most cells: numbers, codes, dates, short labels) are looked up as one
/// `u128` (length and bytes), which hashes and compares in a few instructions; longer texts by string.
#[derive(Default)]
struct ColumnBuilder {
    short: FxHashMap<(u64, u64), u32>,
    long: FxHashMap<String, u32>,
    codes: Vec<u32>,
}

/// `text` as a `u128` key when it is at most 15 bytes long: the bytes, then the length in the last byte.
/// Built in registers (a byte copy into a stack array followed by a wide load stalls the CPU).
fn short_key(text: &str) -> Option<u128> {
    let bytes = text.as_bytes();
    if bytes.len() > 15 {
        return None;
    }
    let mut key = (bytes.len() as u128) << 120;
    for (i, &b) in bytes.iter().enumerate() {
        key |= u128::from(b) << (8 * i);
    }
    Some(key)
}

/// The text of a [`short_key`].
fn short_text(key: u128) -> String {
    let key = key.to_le_bytes();
    let len = usize::from(key[15]).min(15);
    String::from_utf8_lossy(&key[..len]).into_owned()
}

impl ColumnBuilder {
    fn push(&mut self, text: &str) {
        let next = (self.short.len() + self.long.len()) as u32;
        let code = match short_key(text) {
            Some(key) => *self
                .short
                .entry(((key >> 64) as u64, key as u64))
                .or_insert(next),
            None => match self.long.get(text) {
                Some(&code) => code,
                None => {
                    self.long.insert(text.to_owned(), next);
                    next
                }
            },
        };
        self.codes.push(code);
    }

    /// The dictionary in first-seen order, and the codes.
    fn finish(self) -> (Vec<String>, Vec<u32>) {
        let mut dictionary = vec![String::new(); self.short.len() + self.long.len()];
        for ((high, low), code) in self.short {
            dictionary[code as usize] = short_text((u128::from(high) << 64) | u128::from(low));
        }
        for (text, code) in self.long {
            dictionary[code as usize] = text;
        }
        (dictionary, self.codes)
    }
}

/// Everything one pass over the records produces.
pub(crate) struct Records {
    /// Header fields when the file has a header.
    pub header: Option<Vec<String>>,
    /// (dictionary, codes) per column.
    pub columns: Vec<(Vec<String>, Vec<u32>)>,
    /// Data records (not blank, not the header).
    pub rows_in_file: usize,
    /// Data records kept.
    pub rows_kept: usize,
    /// Data records not kept.
    pub rows_skipped: usize,
    /// Lines covered by no header or data record.
    pub blank_lines: usize,
    /// Issues, at most `max_issues` of them.
    pub issues: Vec<RowIssue>,
    /// Lines of the first few bad rows.
    pub first_bad_lines: Vec<u64>,
    /// The message of the first bad row.
    pub first_bad_message: Option<String>,
    /// Records equal to the header after the first line.
    pub repeated_headers: usize,
    /// Lines of the repeated headers, at most `max_issues` of them.
    pub repeated_header_lines: Vec<u64>,
    /// Records with every field empty or whitespace that are not empty lines.
    pub empty_records: usize,
    /// The 1-based line of each kept row.
    pub row_lines: RowLines,
}

/// How to read the records.
pub(crate) struct Layout {
    pub delimiter: u8,
    pub has_header: bool,
    /// The most common field count of the data rows (from the sample).
    pub body_fields: usize,
    pub max_issues: usize,
    /// Expected number of data rows (memory is reserved for them up front).
    pub rows_hint: usize,
    /// Lines of the file before `text` (a skipped preamble), added to every line number.
    pub line_offset: u64,
}

/// Reads every record of `text` (see the module docs).
pub(crate) fn read_records(text: &str, layout: &Layout) -> Records {
    let bytes = text.as_bytes();
    let mut index = LineCursor::new(text);
    let offset = layout.line_offset;
    let mut reader = ReaderBuilder::new()
        .delimiter(layout.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = StringRecord::new();
    let mut out = Records {
        header: None,
        columns: Vec::new(),
        rows_in_file: 0,
        rows_kept: 0,
        rows_skipped: 0,
        blank_lines: 0,
        issues: Vec::new(),
        first_bad_lines: Vec::new(),
        first_bad_message: None,
        repeated_headers: 0,
        repeated_header_lines: Vec::new(),
        empty_records: 0,
        row_lines: RowLines::default(),
    };
    let mut header_key: Option<Vec<String>> = None;
    let mut builders: Vec<ColumnBuilder> = Vec::new();
    let mut expected = layout.body_fields;
    let mut started = false;
    let mut covered_lines = 0usize;
    loop {
        let (line, start_byte) = match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => match record.position() {
                Some(position) => {
                    let start = true_start(bytes, position.byte() as usize);
                    (index.line_of(start) + offset, start)
                }
                None => (0, bytes.len()),
            },
            Err(error) => {
                let line = error
                    .position()
                    .map_or(0, |p| index.line_of(p.byte() as usize) + offset);
                out.rows_in_file += 1;
                bad_row(
                    &mut out,
                    layout,
                    line,
                    RowIssueKind::Unreadable,
                    error.to_string(),
                );
                continue;
            }
        };
        if record.iter().all(|field| field.trim().is_empty()) {
            out.empty_records += 1;
            continue;
        }
        covered_lines += 1 + record_breaks(&record);
        if !started {
            started = true;
            expected = if layout.has_header {
                let header = header_fields(&record, layout.body_fields);
                header_key = Some(key(&record));
                let fields = header.len();
                out.header = Some(header);
                fields
            } else {
                layout.body_fields.max(1)
            };
            builders = (0..expected).map(|_| ColumnBuilder::default()).collect();
            for builder in &mut builders {
                builder.codes.reserve(layout.rows_hint);
            }
            if layout.has_header {
                continue;
            }
        }
        if header_key
            .as_deref()
            .is_some_and(|k| is_repeated_header(&record, k))
        {
            out.repeated_headers += 1;
            if out.repeated_header_lines.len() < layout.max_issues {
                out.repeated_header_lines.push(line);
            }
            continue;
        }
        out.rows_in_file += 1;
        let at_end = reader.position().byte() as usize >= bytes.len();
        if at_end && unterminated_quote(&bytes[start_byte..], layout.delimiter) {
            let spanned = index.total().saturating_sub((line - offset) as usize) + 1;
            let message = format!(
                "line {line}: a quoted field opened on this line is never closed, so the last {spanned} line{} \
                 were read as one row; close the quote (\") or remove it",
                if spanned == 1 { "" } else { "s" }
            );
            bad_row(
                &mut out,
                layout,
                line,
                RowIssueKind::UnterminatedQuote,
                message,
            );
            continue;
        }
        if record.len() != expected {
            let message = format!(
                "line {line}: {} field{}, expected {expected}",
                record.len(),
                if record.len() == 1 { "" } else { "s" }
            );
            bad_row(&mut out, layout, line, RowIssueKind::Ragged, message);
            continue;
        }
        for (builder, field) in builders.iter_mut().zip(record.iter()) {
            builder.push(field);
        }
        out.rows_kept += 1;
        out.row_lines.push(out.rows_kept - 1, line);
    }
    out.blank_lines = index.total().saturating_sub(covered_lines);
    out.columns = builders.into_iter().map(ColumnBuilder::finish).collect();
    out
}

fn bad_row(out: &mut Records, layout: &Layout, line: u64, kind: RowIssueKind, message: String) {
    out.rows_skipped += 1;
    if out.first_bad_lines.len() < FIRST_BAD_LINES {
        out.first_bad_lines.push(line);
    }
    if out.first_bad_message.is_none() {
        out.first_bad_message = Some(message.clone());
    }
    if out.issues.len() < layout.max_issues {
        out.issues.push(RowIssue {
            line,
            kind,
            message,
        });
    }
}

/// The header's fields, fitted to the data: padded with empty names when the data rows are wider, and
/// without trailing empty names when the data rows are narrower. Byte-order marks at the start of a name
/// (left by joining UTF-8 files) are dropped: a written name must read back the same.
fn header_fields(record: &StringRecord, body_fields: usize) -> Vec<String> {
    let mut fields: Vec<String> = record
        .iter()
        .map(|f| f.trim_start_matches('\u{feff}').to_owned())
        .collect();
    if body_fields > fields.len() {
        fields.resize(body_fields, String::new());
    }
    while fields.len() > body_fields.max(1) && fields.last().is_some_and(|f| f.trim().is_empty()) {
        fields.pop();
    }
    fields
}

/// A record compared with the header: trimmed fields, trailing empty ones left out.
fn key(record: &StringRecord) -> Vec<String> {
    let mut fields: Vec<String> = record
        .iter()
        .map(|f| f.trim_start_matches('\u{feff}').trim().to_owned())
        .collect();
    while fields.last().is_some_and(String::is_empty) {
        fields.pop();
    }
    fields
}

/// Whether a record's trimmed fields equal the header's `key` (see [`key`]), without allocating: the
/// first `key.len()` fields match and any further fields are empty.
fn is_repeated_header(record: &StringRecord, key: &[String]) -> bool {
    let mut fields = record
        .iter()
        .map(|f| f.trim_start_matches('\u{feff}').trim());
    key.iter().all(|k| fields.next() == Some(k.as_str())) && fields.all(str::is_empty)
}

/// Line breaks inside a record's fields (quoted line breaks), counted field by field; one scan of the
/// record's bytes answers the usual case of none.
fn record_breaks(record: &StringRecord) -> usize {
    let any = record
        .as_slice()
        .bytes()
        .fold(false, |any, b| any | (b == b'\n') | (b == b'\r'));
    if any {
        record.iter().map(count_breaks).sum()
    } else {
        0
    }
}

/// The csv crate reports a record at the position where it started looking for it, before skipped empty
/// lines; move past those to the record's own first byte.
fn true_start(bytes: &[u8], mut byte: usize) -> usize {
    while byte < bytes.len() && matches!(bytes[byte], b'\r' | b'\n') {
        byte += 1;
    }
    byte
}

/// Whether the raw text of the file's last record opens a quoted field that never closes: an odd number
/// of quote characters, one of them at the start of a field.
fn unterminated_quote(raw: &[u8], delimiter: u8) -> bool {
    let quotes = raw.iter().filter(|&&b| b == b'"').count();
    quotes % 2 == 1
        && raw
            .iter()
            .enumerate()
            .any(|(i, &b)| b == b'"' && (i == 0 || raw[i - 1] == delimiter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_around_the_short_key_length_get_their_own_codes_in_first_seen_order() {
        let texts = [
            "a",
            "a ",
            "",
            "fifteen bytes!!",
            "sixteen bytes!!!",
            "fifteen bytes!",
            "Zoë",
            "a",
            "sixteen bytes!!!",
            "fifteen bytes!!",
            "Genève–Zürich ok",
        ];
        let mut builder = ColumnBuilder::default();
        for text in texts {
            builder.push(text);
        }
        let (dictionary, codes) = builder.finish();
        assert_eq!(
            dictionary,
            [
                "a",
                "a ",
                "",
                "fifteen bytes!!",
                "sixteen bytes!!!",
                "fifteen bytes!",
                "Zoë",
                "Genève–Zürich ok"
            ]
        );
        assert_eq!(codes, [0, 1, 2, 3, 4, 5, 6, 0, 4, 3, 7]);
    }

    #[test]
    fn a_repeated_header_matches_with_trimmed_fields_and_trailing_empty_ones_only() {
        let key = vec!["id".to_owned(), "name".to_owned()];
        let record = |fields: &[&str]| StringRecord::from(fields.to_vec());
        assert!(is_repeated_header(&record(&["id", " name "]), &key));
        assert!(is_repeated_header(
            &record(&["\u{feff}id", "name", "", " "]),
            &key
        ));
        assert!(!is_repeated_header(&record(&["id", "name", "x"]), &key));
        assert!(!is_repeated_header(&record(&["id"]), &key));
        assert!(!is_repeated_header(&record(&["id", "nam"]), &key));
    }
}
