//! One file's rows read by two readers at once: the rows before a byte offset by one, the rows after it
//! by the other.
//!
//! Each parses half of the file and looks up every cell of its rows in the columns' dictionaries; the
//! first then adds the second's distinct texts to its dictionaries and its rows' codes to its columns.
//! (Round 15 of #21 had both readers parse every record, each looking up half of the columns: the
//! parsing, about a third of a read's time, was done twice.)
//!
//! The file is cut at the first line feed at or after the split offset (the middle of the file, say):
//! - the reader of the rows after it ([`StreamingReader::read_rows_after`]) plans the file from its start
//!   as any reader does, then reads from the byte after that line feed to the end and sends what it read
//!   as a [`RowPart`] ([`RowPart::to_bytes`], a transferable buffer);
//! - the reader of the rows before it ([`StreamingReader::stop_at`]) takes the bytes up to that line feed
//!   and finishes the table with the part ([`StreamingReader::finish_with_rows`]): the same table and
//!   report, bit for bit, as one reader of the whole file.
//!
//! The cut is a guess: a line feed inside a quoted field does not end a record. The first reader knows
//! when it gets there whether a record ended at the cut, and uses the part only then and only when the
//! part read the rows as this file's (the same header and width, UTF-8 text without NUL bytes). Otherwise
//! it reads the rest of the file itself: slower, never different. The part's lines are numbered from the
//! cut; the first reader moves them down by its own (in the bad rows' messages too).
//!
//! [`StreamingReader::read_rows_after`]: super::StreamingReader::read_rows_after
//! [`StreamingReader::stop_at`]: super::StreamingReader::stop_at
//! [`StreamingReader::finish_with_rows`]: super::StreamingReader::finish_with_rows

use thiserror::Error;

use super::records::Records;
use super::{RowIssue, RowIssueKind, RowLines};
use crate::table::{CodeStore, Codes, Dictionary};

/// Why bytes are not a [`RowPart`] (they were cut short or are not what [`RowPart::to_bytes`] writes).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("the other reader's rows could not be read: {0}")]
pub struct RowPartError(&'static str);

/// The rows of a file after a cut, read by a second reader while a first reads the rows before it.
///
/// The cut is the first line feed at or after a byte offset (the file's middle, say). The second reader
/// plans the file from its start, then reads the rows after the cut
/// ([`StreamingReader::read_rows_after`], [`StreamingReader::finish_rows`]); the first stops at the cut
/// ([`StreamingReader::stop_at`]) and finishes the table with this part
/// ([`StreamingReader::finish_with_rows`]): the same table and report, bit for bit, as one reader of
/// the whole file, or a refusal when no record ended at the cut (a quoted line break), after which the
/// first reader reads the rest itself.
///
/// [`StreamingReader::read_rows_after`]: super::StreamingReader::read_rows_after
/// [`StreamingReader::finish_rows`]: super::StreamingReader::finish_rows
/// [`StreamingReader::stop_at`]: super::StreamingReader::stop_at
/// [`StreamingReader::finish_with_rows`]: super::StreamingReader::finish_with_rows
#[derive(Debug)]
pub struct RowPart {
    /// The file offset of its first byte (the one after the cut's line feed).
    pub(crate) start: usize,
    /// Its bytes, from `start` to the end of the file.
    pub(crate) text_bytes: usize,
    /// The header's trimmed fields, when the file has a header.
    pub(crate) header_key: Option<Vec<String>>,
    /// Fields in a row.
    pub(crate) width: usize,
    /// `\n` bytes in its bytes.
    pub(crate) newlines: u64,
    /// Its last byte.
    pub(crate) last: Option<u8>,
    /// Offset from `start` of its first control byte.
    pub(crate) first_control: Option<usize>,
    /// What it read, its lines counted from its first (1).
    pub(crate) records: Records,
}

/// The first bytes of [`RowPart::to_bytes`], with the format's version.
const MAGIC: &[u8; 8] = b"ABROWS01";

/// An absent value in the bytes.
const NONE: usize = usize::MAX;

impl RowPart {
    /// Rows it kept.
    pub fn rows(&self) -> usize {
        self.records.rows_kept
    }

    /// The file offset where its rows begin.
    pub fn start(&self) -> usize {
        self.start
    }

    /// The part in one buffer, little-endian: its figures, the header, the bad rows, the rows' lines,
    /// then per column its code width, codes, the ends of its texts and the texts.
    pub fn to_bytes(&self) -> Vec<u8> {
        let records = &self.records;
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        let figures = [
            self.start,
            self.text_bytes,
            self.width,
            self.newlines as usize,
            self.last.map_or(NONE, usize::from),
            self.first_control.unwrap_or(NONE),
            records.rows_in_file,
            records.rows_kept,
            records.empty_records,
            records.text_lines,
            records.blank_lines,
            records.covered_lines,
            records.rows_skipped,
            records.repeated_headers,
        ];
        figures.iter().for_each(|&figure| put(&mut out, figure));
        put(&mut out, records.issues.len());
        for issue in &records.issues {
            put(&mut out, issue.line as usize);
            put(&mut out, kind_number(issue.kind));
            put_text(&mut out, &issue.message);
        }
        put_lines(&mut out, &records.first_bad_lines);
        match &records.first_bad_message {
            None => put(&mut out, NONE),
            Some(message) => put_text(&mut out, message),
        }
        put_lines(&mut out, &records.repeated_header_lines);
        match &self.header_key {
            None => put(&mut out, NONE),
            Some(key) => {
                put(&mut out, key.len());
                key.iter().for_each(|name| put_text(&mut out, name));
            }
        }
        put(&mut out, records.row_lines.rows as usize);
        put(&mut out, records.row_lines.runs.len());
        for &(first, line) in &records.row_lines.runs {
            put(&mut out, first as usize);
            put(&mut out, line as usize);
        }
        for (dictionary, codes) in &records.columns {
            put_column(&mut out, dictionary, codes);
        }
        out
    }

    /// Reads what [`Self::to_bytes`] wrote, checking every length, code and text boundary.
    ///
    /// # Errors
    /// [`RowPartError`] when the bytes are cut short, too long, or not a part's.
    pub fn from_bytes(bytes: &[u8]) -> Result<RowPart, RowPartError> {
        let not_rows = || RowPartError("not the rows after a cut");
        let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or_else(not_rows)?;
        let mut input = Input(rest);
        let mut figures = [0usize; 14];
        for figure in &mut figures {
            *figure = input.number()?;
        }
        let [start, text_bytes, width, newlines, last, first_control, rows_in_file, rows_kept, empty_records, text_lines, blank_lines, covered_lines, rows_skipped, repeated_headers] =
            figures;
        let issue_count = input.number()?;
        let mut issues = Vec::with_capacity(issue_count.min(input.0.len() / 24));
        for _ in 0..issue_count {
            let line = input.number()? as u64;
            let kind = kind_of(input.number()?)?;
            let message = take_text(&mut input)?;
            issues.push(RowIssue {
                line,
                kind,
                message,
            });
        }
        let first_bad_lines = take_lines(&mut input)?;
        let first_bad_message = match input.number()? {
            NONE => None,
            len => Some(text_of(input.take(len)?)?),
        };
        let repeated_header_lines = take_lines(&mut input)?;
        let optional = |value: usize| (value != NONE).then_some(value);
        let last = match optional(last) {
            None => None,
            Some(byte) => Some(u8::try_from(byte).map_err(|_| not_rows())?),
        };
        let header_key = match optional(input.number()?) {
            None => None,
            Some(names) => {
                let mut key = Vec::with_capacity(names.min(input.0.len() / 8));
                for _ in 0..names {
                    key.push(take_text(&mut input)?);
                }
                Some(key)
            }
        };
        let rows = input.number()? as u64;
        let run_count = input.number()?;
        let mut runs = Vec::with_capacity(run_count.min(input.0.len() / 16));
        for _ in 0..run_count {
            let first = input.number()? as u64;
            let line = input.number()? as u64;
            if first >= rows || runs.last().is_some_and(|&(before, _)| before >= first) {
                return Err(RowPartError("row lines out of order"));
            }
            runs.push((first, line));
        }
        if rows != rows_kept as u64 || (rows > 0 && runs.first().map(|run| run.0) != Some(0)) {
            return Err(RowPartError("row lines that are not the rows'"));
        }
        if blank_lines > text_lines || width > input.0.len() / 24 {
            return Err(RowPartError("figures that do not add up"));
        }
        let columns = (0..width)
            .map(|_| take_column(&mut input, rows_kept))
            .collect::<Result<Vec<_>, _>>()?;
        if !input.0.is_empty() {
            return Err(RowPartError("bytes after the last column"));
        }
        Ok(RowPart {
            start,
            text_bytes,
            header_key,
            width,
            newlines: newlines as u64,
            last,
            first_control: optional(first_control),
            records: Records {
                columns,
                rows_in_file,
                rows_kept,
                empty_records,
                row_lines: RowLines { runs, rows },
                text_lines,
                blank_lines,
                covered_lines,
                rows_skipped,
                repeated_headers,
                issues,
                first_bad_lines,
                first_bad_message,
                repeated_header_lines,
                ..Records::default()
            },
        })
    }
}

/// Appends a column: its code width, codes, the ends of its texts and the texts.
fn put_column(out: &mut Vec<u8>, dictionary: &Dictionary, codes: &CodeStore) {
    match codes.view() {
        Codes::U8(codes) => {
            put(out, 1);
            out.extend_from_slice(codes);
        }
        Codes::U16(codes) => {
            put(out, 2);
            codes
                .iter()
                .for_each(|code| out.extend_from_slice(&code.to_le_bytes()));
        }
        Codes::U32(codes) => {
            put(out, 4);
            codes
                .iter()
                .for_each(|code| out.extend_from_slice(&code.to_le_bytes()));
        }
    }
    let (text, ends) = dictionary.parts();
    put(out, ends.len());
    ends.iter().for_each(|&end| put(out, end));
    put_text(out, text);
}

/// Reads what [`put_column`] wrote for `rows` rows, checking that every code has a text.
fn take_column(
    input: &mut Input<'_>,
    rows: usize,
) -> Result<(Dictionary, CodeStore), RowPartError> {
    let code_width = input.number()?;
    let raw = input.take(rows.checked_mul(code_width).ok_or(TOO_LONG)?)?;
    let codes = match code_width {
        1 => CodeStore::U8(raw.to_vec()),
        2 => CodeStore::U16(
            raw.chunks_exact(2)
                .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                .collect(),
        ),
        4 => CodeStore::U32(
            raw.chunks_exact(4)
                .map(|four| u32::from_le_bytes([four[0], four[1], four[2], four[3]]))
                .collect(),
        ),
        _ => return Err(RowPartError("a code width that is not 1, 2 or 4 bytes")),
    };
    let entries = input.number()?;
    let raw_ends = input.take(entries.checked_mul(8).ok_or(TOO_LONG)?)?;
    let ends: Vec<usize> = raw_ends
        .chunks_exact(8)
        .map(|eight| u64::from_le_bytes(eight.try_into().expect("8 bytes")) as usize)
        .collect();
    let text = take_text(input)?;
    let dictionary = Dictionary::from_parts(text, ends)
        .ok_or(RowPartError("text ends out of order or inside a character"))?;
    let below = |code: usize| code < dictionary.len();
    let codes_fit = match codes.view() {
        Codes::U8(codes) => codes.iter().all(|&c| below(usize::from(c))),
        Codes::U16(codes) => codes.iter().all(|&c| below(usize::from(c))),
        Codes::U32(codes) => codes.iter().all(|&c| below(c as usize)),
    };
    if !codes_fit {
        return Err(RowPartError("a code with no text"));
    }
    Ok((dictionary, codes))
}

const TOO_LONG: RowPartError = RowPartError("a length too large");

/// The bytes of a part not read yet.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], RowPartError> {
        if len > self.0.len() {
            return Err(RowPartError("the bytes end too soon"));
        }
        let (taken, rest) = self.0.split_at(len);
        self.0 = rest;
        Ok(taken)
    }

    fn number(&mut self) -> Result<usize, RowPartError> {
        let bytes = self.take(8)?;
        usize::try_from(u64::from_le_bytes(bytes.try_into().expect("8 bytes")))
            .map_err(|_| TOO_LONG)
    }
}

/// Appends `value` as 8 little-endian bytes.
fn put(out: &mut Vec<u8>, value: usize) {
    out.extend_from_slice(&(value as u64).to_le_bytes());
}

/// Appends a text: its length, then its bytes.
fn put_text(out: &mut Vec<u8>, text: &str) {
    put(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

/// Appends line numbers: how many, then each.
fn put_lines(out: &mut Vec<u8>, lines: &[u64]) {
    put(out, lines.len());
    lines.iter().for_each(|&line| put(out, line as usize));
}

/// Reads what [`put_text`] wrote.
fn take_text(input: &mut Input<'_>) -> Result<String, RowPartError> {
    let len = input.number()?;
    text_of(input.take(len)?)
}

/// Bytes that must be UTF-8, as a text.
fn text_of(bytes: &[u8]) -> Result<String, RowPartError> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| RowPartError("a text that is not UTF-8"))
}

/// Reads what [`put_lines`] wrote.
fn take_lines(input: &mut Input<'_>) -> Result<Vec<u64>, RowPartError> {
    let count = input.number()?;
    let mut lines = Vec::with_capacity(count.min(input.0.len() / 8));
    for _ in 0..count {
        lines.push(input.number()? as u64);
    }
    Ok(lines)
}

/// A bad row's kind as a number in the bytes.
fn kind_number(kind: RowIssueKind) -> usize {
    match kind {
        RowIssueKind::Ragged => 0,
        RowIssueKind::UnterminatedQuote => 1,
        RowIssueKind::Unreadable => 2,
    }
}

/// What [`kind_number`] wrote.
fn kind_of(number: usize) -> Result<RowIssueKind, RowPartError> {
    match number {
        0 => Ok(RowIssueKind::Ragged),
        1 => Ok(RowIssueKind::UnterminatedQuote),
        2 => Ok(RowIssueKind::Unreadable),
        _ => Err(RowPartError("a bad row of no known kind")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{read_table, IngestError, IngestOptions, Ingested, StreamingReader};

    /// A file long enough to be read as it comes (over 128 KiB), with CRLF line ends: unique ids, repeated
    /// labels, quoted fields with the delimiter and with line breaks (some of them a lone `\n`), blank
    /// lines, a row of empty fields, multi-byte characters; a ragged row and a repeated header near the
    /// end when `bad_rows`; no line break after the last row.
    fn file(bad_rows: bool) -> Vec<u8> {
        let mut text = String::from("id,city,amount,note,flag\r\n");
        for row in 0..20_000 {
            let city = ["Zoë", "Ann Arbor", "\"Paris, TX\""][row % 3];
            let note = match row % 500 {
                7 => "\"two\r\nlines\"",
                8 => "\"one\nline feed\"",
                _ => "",
            };
            let flag = row % 2 == 0;
            text.push_str(&format!(
                "C{row},{city},{}.{:02},{note},{flag}\r\n",
                row % 977,
                row % 100
            ));
            if row % 4_000 == 11 {
                text.push_str("\r\n,,,,\r\n");
            }
            if bad_rows && row == 18_000 {
                text.push_str("too,few\r\nid,city,amount,note,flag\r\n");
            }
        }
        text.pop();
        text.pop();
        text.into_bytes()
    }

    /// The file read by two readers cut at `split`, each pushed pieces of `piece` bytes, the rows after
    /// the cut sent through their bytes; and whether the reader of the rows before the cut used them.
    fn read_split(
        bytes: &[u8],
        split: usize,
        piece: usize,
    ) -> (Result<Ingested, IngestError>, bool) {
        let options = IngestOptions::default();
        let mut after = StreamingReader::with_capacity(options.clone(), bytes.len());
        let mut planned = 0;
        while !after.is_streaming() && planned < split {
            let end = (planned + piece).min(split);
            after.push(&bytes[planned..end]);
            planned = end;
        }
        let part = after.read_rows_after(split).then(|| {
            bytes[split..]
                .chunks(piece)
                .for_each(|chunk| after.push(chunk));
            after.finish_rows()
        });
        let part = part
            .flatten()
            .map(|part| RowPart::from_bytes(&part.to_bytes()).expect("its own bytes read back"));
        let mut before = StreamingReader::with_capacity(options, bytes.len());
        before.stop_at(split);
        for chunk in bytes.chunks(piece) {
            before.push(chunk);
            if before.stopped_at().is_some() {
                break;
            }
        }
        // As the app does: a cut inside a quoted field is known before the other reader answers.
        let part = part.filter(|_| before.ends_with_a_record());
        let mut rest = match (before.stopped_at(), part) {
            (Some(_), Some(part)) => match before.finish_with_rows(&part) {
                Ok(read) => return (read, true),
                Err(reader) => *reader,
            },
            (Some(_), None) => {
                before.resume();
                before
            }
            (None, _) => before,
        };
        let from = rest.bytes_received();
        bytes[from..]
            .chunks(piece)
            .for_each(|chunk| rest.push(chunk));
        (rest.finish(), false)
    }

    /// The file offset of the byte after the first line feed at or after `split`.
    fn after_line_feed(bytes: &[u8], split: usize) -> usize {
        split + bytes[split..].iter().position(|&b| b == b'\n').unwrap() + 1
    }

    #[test]
    fn a_file_cut_anywhere_reads_as_the_whole_file_with_the_rows_after_the_cut_used() {
        let bytes = file(false);
        let whole = read_table(&bytes, &IngestOptions::default()).unwrap();
        assert_eq!(whole.table.n_rows(), 20_000);
        assert_eq!(whole.report.blank_lines, 10);
        assert_eq!(whole.report.empty_records, 5);
        assert!(bytes.len() > 400_000, "{}", bytes.len());
        let mut used = 0;
        for (step, piece) in [(0.31, 4_096), (0.5, 1 << 20), (0.77, 777), (0.93, 65_536)] {
            let split = (bytes.len() as f64 * step) as usize;
            // The cut as chosen, and cut just before and just after a line feed.
            let line_end = after_line_feed(&bytes, split);
            for split in [split, line_end - 1, line_end, line_end + 1] {
                let (read, with_part) = read_split(&bytes, split, piece);
                assert_eq!(
                    read.unwrap(),
                    whole,
                    "cut at {split}, pieces of {piece} bytes"
                );
                used += usize::from(with_part);
            }
        }
        assert!(
            used >= 12,
            "the rows after the cut were used {used} times of 16"
        );
    }

    #[test]
    fn a_cut_inside_a_quoted_field_is_read_by_the_first_reader_and_bad_rows_after_a_cut_keep_their_lines(
    ) {
        let bytes = file(true);
        let whole = read_table(&bytes, &IngestOptions::default()).unwrap();
        assert_eq!(whole.report.rows_skipped, 1);
        assert_eq!(whole.report.repeated_headers, 1);
        // A line feed inside a quoted field: the record does not end there.
        let half = bytes.len() / 2;
        let quoted = half
            + bytes[half..]
                .windows(5)
                .position(|w| w == b"\"one\n")
                .unwrap()
            + 4;
        let mut before = StreamingReader::with_capacity(IngestOptions::default(), bytes.len());
        before.stop_at(quoted);
        bytes.chunks(4_096).for_each(|chunk| before.push(chunk));
        assert_eq!(before.stopped_at(), Some(quoted + 1));
        assert!(!before.ends_with_a_record());
        let (read, with_part) = read_split(&bytes, quoted, 4_096);
        assert!(
            !with_part,
            "the cut at a quoted line feed is not a record's end"
        );
        assert_eq!(read.unwrap(), whole);
        // The bad row and the repeated header after the cut (their lines moved down) or before it.
        for split in [bytes.len() / 2, bytes.len() - 2_000] {
            let (read, with_part) = read_split(&bytes, split, 4_096);
            assert!(with_part);
            assert_eq!(read.unwrap(), whole);
        }
    }

    #[test]
    fn many_bad_rows_on_both_sides_of_the_cut_are_reported_up_to_the_same_limits() {
        // A title and a blank line before the header: every line number counts them.
        let mut text = String::from("Customer export December 2026\n\nid,segment,score\n");
        for row in 0..25_000 {
            match row % 613 {
                5 => text.push_str(&format!("{row},ragged\n")),
                9 if row % 3 == 0 => text.push_str("id,segment,score\n"),
                _ => text.push_str(&format!("{row},s{},{}.{}\n", row % 7, row % 50, row % 9)),
            }
        }
        // A quote opened in the last row and never closed.
        text.push_str("25000,\"open,1\n25001,x,2\n");
        let bytes = text.into_bytes();
        let whole = read_table(&bytes, &IngestOptions::default()).unwrap();
        assert_eq!(
            whole.report.preamble.len(),
            1,
            "{:?}",
            whole.report.preamble
        );
        assert!(
            whole.report.rows_skipped > 40,
            "{}",
            whole.report.rows_skipped
        );
        assert!(whole.report.repeated_headers > 10);
        for step in [0.45, 0.6, 0.97] {
            let split = (bytes.len() as f64 * step) as usize;
            let (read, with_part) = read_split(&bytes, split, 16_384);
            assert!(with_part, "cut at {split}");
            assert_eq!(read.unwrap(), whole, "cut at {split}");
        }
    }

    #[test]
    fn a_file_without_a_header_or_with_windows_1252_text_reads_as_whole() {
        let mut text = String::new();
        for row in 0..30_000 {
            text.push_str(&format!(
                "{row},{}.5,{}\n",
                row % 91,
                ["a", "b", "c"][row % 3]
            ));
        }
        let options = IngestOptions::default();
        let plain = text.clone().into_bytes();
        let whole = read_table(&plain, &options).unwrap();
        assert!(whole.table.columns().len() == 3);
        let (read, with_part) = read_split(&plain, plain.len() / 2, 8_192);
        assert!(with_part);
        assert_eq!(read.unwrap(), whole);
        // A Windows-1252 byte after the start switches the whole file's encoding: the first reader reads on.
        let mut latin = plain.clone();
        let at = latin.len() * 3 / 4;
        let at = after_line_feed(&latin, at);
        latin.splice(at..at, b"1,caf\xe9,a\n".iter().copied());
        let whole = read_table(&latin, &options).unwrap();
        let (read, with_part) = read_split(&latin, latin.len() / 2, 8_192);
        assert!(!with_part);
        assert_eq!(read.unwrap(), whole);
    }

    #[test]
    fn a_part_cut_short_or_changed_is_refused() {
        let bytes = file(false);
        let mut after = StreamingReader::with_capacity(IngestOptions::default(), bytes.len());
        after.push(&bytes[..200_000]);
        assert!(after.read_rows_after(300_000));
        after.push(&bytes[300_000..]);
        let part = after.finish_rows().unwrap();
        assert_eq!(part.start(), after_line_feed(&bytes, 300_000));
        let written = part.to_bytes();
        let read = RowPart::from_bytes(&written).unwrap();
        assert_eq!(read.rows(), part.rows());
        assert_eq!(read.to_bytes(), written);
        for cut in [0, 8, 100, written.len() / 2, written.len() - 1] {
            assert!(
                RowPart::from_bytes(&written[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        let mut longer = written.clone();
        longer.push(0);
        assert!(RowPart::from_bytes(&longer).is_err());
    }
}
