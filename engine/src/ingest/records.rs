//! Streaming the records of a decoded file into dictionary-encoded columns.
//!
//! One pass of the `csv-core` parser over bytes pushed in pieces ([`RecordReader`]); each cell is looked up in its column's dictionary, so memory grows with
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

use crate::table::{CodeStore, Dictionary};

use super::columns::{column_threads, Columns};
use super::lines::count_breaks;
use super::trim::trim;
use super::{RowIssue, RowIssueKind, RowLines};

/// Bad-row line numbers kept for an error message.
pub(crate) const FIRST_BAD_LINES: usize = 5;

/// Everything one pass over the records produces.
#[derive(Debug, Default)]
pub(crate) struct Records {
    /// Header fields when the file has a header.
    pub header: Option<Vec<String>>,
    /// (dictionary, codes) per column.
    pub columns: Vec<(Dictionary, CodeStore)>,
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
    /// Lines of the text read (a last line without a line break counts).
    pub text_lines: usize,
    /// Lines covered by the header and data records (`blank_lines` is `text_lines` less these, or 0).
    pub covered_lines: usize,
    /// The reader reached the end of the text.
    pub(crate) finished: bool,
}

/// How to read the records.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    pub delimiter: u8,
    pub has_header: bool,
    /// The most common field count of the data rows (from the sample).
    pub body_fields: usize,
    pub max_issues: usize,
    /// Expected number of data rows (memory is reserved for them up front).
    pub rows_hint: usize,
    /// Lines of the file before the table (a skipped preamble), added to every line number.
    pub line_offset: u64,
    /// Threads that fill the columns while the parser goes on; `None`: as many as
    /// [`column_threads`] gives for the table's size.
    pub column_threads: Option<usize>,
}

/// Reads every record of `text` (see the module docs): [`RecordReader`] fed the whole text at once.
#[cfg(test)]
pub(crate) fn read_records(text: &str, layout: &Layout) -> Records {
    let mut reader = RecordReader::new(layout.clone());
    reader.push(text.as_bytes());
    reader.finish()
}

/// Field texts of one record: the record's bytes and where each field ends.
struct Fields<'a> {
    text: &'a str,
    ends: &'a [usize],
}

impl<'a> Fields<'a> {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        let text = self.text;
        self.ends.iter().scan(0, move |start, &end| {
            let field = text.get(*start..end).unwrap_or("");
            *start = end;
            Some(field)
        })
    }
}

/// The current record's raw statistics, gathered while its bytes go by.
#[derive(Clone, Copy, Default)]
struct RawRecord {
    /// Line breaks before the record's first byte (its line is one more), once that byte was seen.
    start_breaks: Option<u64>,
    /// Quote characters in the record's raw bytes.
    quotes: usize,
    /// Whether a quote opens a field (the record's first byte, or right after a delimiter).
    quote_opens_field: bool,
}

impl RawRecord {
    /// [`unterminated_quote`] on the record's raw bytes.
    fn unterminated(&self) -> bool {
        self.quotes % 2 == 1 && self.quote_opens_field
    }
}

/// How field bytes become text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TextMode {
    /// UTF-8, checked record by record; the first record that is not valid UTF-8 switches the file to
    /// Windows-1252 (the texts read so far are re-read from their bytes).
    Utf8,
    /// Windows-1252.
    Windows1252,
}

/// A record held back until it is known whether it ends the file (only records that open a quoted field
/// that never closes, whose fate depends on that).
struct Pending {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    raw: RawRecord,
}

/// Reads records from bytes pushed in pieces cut anywhere (see the module docs); [`RecordReader::finish`]
/// gives what one pass over the concatenated bytes gives. The bytes are UTF-8 (NUL bytes are removed from
/// the fields); a record that is not UTF-8 switches the whole file to Windows-1252.
pub(crate) struct RecordReader {
    layout: Layout,
    core: csv_core::Reader,
    /// The record being read: its bytes so far and its field ends.
    fields: Vec<u8>,
    ends: Vec<usize>,
    out_len: usize,
    ends_len: usize,
    raw: RawRecord,
    /// The raw byte before the next one in the current record (for fields opened by a quote); `None`
    /// before the record's first byte.
    previous: Option<u8>,
    /// A `\r` ended the last piece: a line break unless the next piece starts with `\n`.
    carriage_return: bool,
    /// Line breaks (`\n`, `\r\n`, lone `\r`) and `\n` bytes seen.
    breaks: u64,
    newlines: u64,
    /// The last byte seen.
    last: Option<u8>,
    mode: TextMode,
    /// Scratch for records that need decoding (Windows-1252, NUL bytes).
    decoded: String,
    decoded_ends: Vec<usize>,
    pending: Option<Pending>,
    state: Scan,
}

/// What the pass has found so far.
struct Scan {
    out: Records,
    header_key: Option<Vec<String>>,
    columns: Columns,
    expected: usize,
    started: bool,
    covered_lines: usize,
}

impl RecordReader {
    /// A reader for a table laid out as `layout`.
    pub(crate) fn new(layout: Layout) -> RecordReader {
        let core = csv_core::ReaderBuilder::new()
            .delimiter(layout.delimiter)
            .build();
        let expected = layout.body_fields;
        RecordReader {
            layout,
            core,
            fields: vec![0; 1024],
            ends: vec![0; 64],
            out_len: 0,
            ends_len: 0,
            raw: RawRecord::default(),
            previous: None,
            carriage_return: false,
            breaks: 0,
            newlines: 0,
            last: None,
            mode: TextMode::Utf8,
            decoded: String::new(),
            decoded_ends: Vec::new(),
            pending: None,
            state: Scan {
                out: Records::default(),
                header_key: None,
                columns: Columns::default(),
                expected,
                started: false,
                covered_lines: 0,
            },
        }
    }

    /// A reader of the same table's records from the start of a later line (the rows after a split, see
    /// [`super::split`]): its first record is a data record, compared with this reader's header as any
    /// later record is, and its line numbers count from that line (1) with no preamble. `None` before
    /// this reader has read the header (or first row). Memory is reserved for the rows of `tail_bytes`
    /// of the `text_bytes` this reader's layout expected.
    pub(crate) fn continuation(
        &self,
        tail_bytes: usize,
        text_bytes: usize,
    ) -> Option<RecordReader> {
        if !self.state.started {
            return None;
        }
        let rows_hint = (self.layout.rows_hint as u128 * tail_bytes as u128
            / text_bytes.max(1) as u128) as usize;
        let layout = Layout {
            line_offset: 0,
            rows_hint,
            ..self.layout.clone()
        };
        let mut reader = RecordReader::new(layout);
        let scan = &mut reader.state;
        scan.started = true;
        scan.header_key = self.state.header_key.clone();
        scan.expected = self.state.expected;
        let threads = reader
            .layout
            .column_threads
            .unwrap_or_else(|| column_threads(scan.expected, rows_hint));
        scan.columns = Columns::new(scan.expected, rows_hint, threads);
        Some(reader)
    }

    /// Whether the bytes so far end with a whole record and its line break, and the next byte would start
    /// a record as it starts a [`Self::continuation`]'s: no record begun or held back, no `\r` waiting
    /// for a `\n`, the text still read as UTF-8.
    pub(crate) fn at_record_start(&self) -> bool {
        self.state.started
            && self.pending.is_none()
            && self.raw.start_breaks.is_none()
            && self.out_len == 0
            && self.ends_len == 0
            && !self.carriage_return
            && self.last == Some(b'\n')
            && self.mode == TextMode::Utf8
    }

    /// The header's key (trimmed fields) when the table has a header, and the fields a row has.
    pub(crate) fn shape(&self) -> (Option<&[String]>, usize) {
        (self.state.header_key.as_deref(), self.state.expected)
    }

    /// Ends the text where another reader's rows begin (this reader [`at_record_start`]) and gives what
    /// one pass over both gives: the other's counts added, its rows' lines moved down by this text's
    /// lines (in its bad rows' messages too), its columns appended to these. `None`, with this reader
    /// untouched, when the other's rows are not as wide as this table's or this reader is not at a
    /// record's start.
    ///
    /// [`at_record_start`]: Self::at_record_start
    pub(crate) fn finish_before(&mut self, later: &Records) -> Option<Records> {
        if later.header.is_some()
            || !self.at_record_start()
            || later.columns.len() != self.state.expected
        {
            return None;
        }
        let lines_before = self.breaks;
        let covered = self.state.covered_lines + later.covered_lines;
        let total = lines_before as usize + later.text_lines;
        let columns = std::mem::take(&mut self.state.columns)
            .finish_appending(&later.columns)
            .expect("one column of the later rows per column");
        let mut out = std::mem::take(&mut self.state.out);
        out.columns = columns;
        out.rows_in_file += later.rows_in_file;
        out.row_lines.append(
            &later.row_lines,
            out.rows_kept,
            lines_before + self.layout.line_offset,
        );
        out.rows_kept += later.rows_kept;
        out.empty_records += later.empty_records;
        // The later rows' reports, their lines moved down, after these up to the same limits.
        let down = lines_before + self.layout.line_offset;
        let max_issues = self.layout.max_issues;
        out.rows_skipped += later.rows_skipped;
        for issue in &later.issues {
            if out.issues.len() < max_issues {
                out.issues.push(RowIssue {
                    line: issue.line + down,
                    kind: issue.kind,
                    message: moved_down(&issue.message, issue.line, down),
                });
            }
        }
        if out.first_bad_message.is_none() {
            if let (Some(message), Some(&line)) =
                (&later.first_bad_message, later.first_bad_lines.first())
            {
                out.first_bad_message = Some(moved_down(message, line, down));
            }
        }
        for &line in &later.first_bad_lines {
            if out.first_bad_lines.len() < FIRST_BAD_LINES {
                out.first_bad_lines.push(line + down);
            }
        }
        out.repeated_headers += later.repeated_headers;
        for &line in &later.repeated_header_lines {
            if out.repeated_header_lines.len() < max_issues {
                out.repeated_header_lines.push(line + down);
            }
        }
        out.blank_lines = total.saturating_sub(covered);
        out.text_lines = total;
        out.covered_lines = covered;
        out.finished = true;
        Some(out)
    }

    /// `\n` bytes in the bytes pushed so far.
    pub(crate) fn newlines(&self) -> u64 {
        self.newlines
    }

    /// Whether a record that was not UTF-8 switched the file to Windows-1252.
    pub(crate) fn switched_to_windows_1252(&self) -> bool {
        self.mode == TextMode::Windows1252
    }

    /// Reads the records in the next piece of the text. NUL bytes are left out (a damaged export's stray
    /// ones; the caller counts them).
    pub(crate) fn push(&mut self, input: &[u8]) {
        if input.is_empty() {
            return;
        }
        if input.contains(&0) {
            let kept: Vec<u8> = input.iter().copied().filter(|&b| b != 0).collect();
            self.push_text(&kept);
        } else {
            self.push_text(input);
        }
    }

    fn push_text(&mut self, mut input: &[u8]) {
        if input.is_empty() {
            return;
        }
        if let Some(pending) = self.pending.take() {
            // More bytes follow: the held-back record does not end the file.
            self.record_from(&pending.bytes, &pending.ends, pending.raw, false);
        }
        while !input.is_empty() {
            let consumed = self.read(input);
            input = &input[consumed..];
        }
    }

    /// Ends the text and gives what the pass found (the reader keeps its counts of line breaks and its
    /// text mode, not its records).
    pub(crate) fn finish(&mut self) -> Records {
        if let Some(pending) = self.pending.take() {
            self.record_from(&pending.bytes, &pending.ends, pending.raw, true);
        }
        // The end of input makes the reader give the last record (no line break after it) and stop; a
        // field end that does not fit grows the buffers once more.
        for _ in 0..8 {
            if self.state.out.finished {
                break;
            }
            self.read(&[]);
        }
        let total = self.total_lines();
        let mut out = std::mem::take(&mut self.state.out);
        out.blank_lines = total.saturating_sub(self.state.covered_lines);
        out.covered_lines = self.state.covered_lines;
        out.columns = std::mem::take(&mut self.state.columns).finish();
        out.text_lines = total;
        out
    }

    /// Lines of the text so far as if it ended here (a last line without a line break counts).
    fn total_lines(&self) -> usize {
        let open_tail = self.last.is_some_and(|b| b != b'\n' && b != b'\r');
        (self.breaks + u64::from(self.carriage_return)) as usize + usize::from(open_tail)
    }

    /// One call of the CSV reader on `input` (empty: the end); returns the bytes it consumed.
    fn read(&mut self, input: &[u8]) -> usize {
        use csv_core::ReadRecordResult::*;
        let (result, nin, nout, nend) = self.core.read_record(
            input,
            &mut self.fields[self.out_len..],
            &mut self.ends[self.ends_len..],
        );
        self.scan(&input[..nin]);
        self.out_len += nout;
        self.ends_len += nend;
        match result {
            InputEmpty => {}
            OutputFull => {
                let grown = self.fields.len() * 2;
                self.fields.resize(grown, 0);
            }
            OutputEndsFull => {
                let grown = self.ends.len() * 2;
                self.ends.resize(grown, 0);
            }
            Record => {
                let raw = std::mem::take(&mut self.raw);
                let (out_len, ends_len) = (self.out_len, self.ends_len);
                self.out_len = 0;
                self.ends_len = 0;
                let at_end = input.is_empty();
                let more_here = nin < input.len();
                if raw.unterminated() && !at_end && !more_here {
                    // Whether this record ends the file is known only when the next piece comes.
                    self.pending = Some(Pending {
                        bytes: self.fields[..out_len].to_vec(),
                        ends: self.ends[..ends_len].to_vec(),
                        raw,
                    });
                } else {
                    let (bytes, ends) = (
                        std::mem::take(&mut self.fields),
                        std::mem::take(&mut self.ends),
                    );
                    self.record_from(&bytes[..out_len], &ends[..ends_len], raw, at_end);
                    self.fields = bytes;
                    self.ends = ends;
                }
            }
            End => self.state.out.finished = true,
        }
        nin
    }

    /// Line breaks, the record's first byte and its quotes, in the raw bytes just consumed.
    fn scan(&mut self, bytes: &[u8]) {
        let delimiter = self.layout.delimiter;
        let mut at = 0;
        // The record's first byte: past the line ends left from the previous record.
        if self.raw.start_breaks.is_none() {
            while at < bytes.len() {
                let b = bytes[at];
                if self.carriage_return {
                    self.carriage_return = false;
                    if b != b'\n' {
                        self.breaks += 1;
                    }
                }
                match b {
                    b'\n' => {
                        self.breaks += 1;
                        self.newlines += 1;
                    }
                    b'\r' => self.carriage_return = true,
                    _ => {
                        self.raw.start_breaks = Some(self.breaks);
                        self.previous = None;
                        break;
                    }
                }
                at += 1;
            }
        }
        let rest = &bytes[at..];
        if rest.is_empty() {
            if let Some(&b) = bytes.last() {
                self.last = Some(b);
            }
            return;
        }
        if self.carriage_return {
            self.carriage_return = false;
            if rest[0] != b'\n' {
                self.breaks += 1;
            }
        }
        let newlines = rest.iter().filter(|&&b| b == b'\n').count() as u64;
        self.newlines += newlines;
        self.breaks += newlines;
        if rest.contains(&b'\r') {
            for (i, &b) in rest.iter().enumerate() {
                if b == b'\r' {
                    match rest.get(i + 1) {
                        Some(&b'\n') => {}
                        Some(_) => self.breaks += 1,
                        None => self.carriage_return = true,
                    }
                }
            }
        }
        let quotes = rest.iter().filter(|&&b| b == b'"').count();
        if quotes > 0 {
            self.raw.quotes += quotes;
            if !self.raw.quote_opens_field {
                let mut previous = self.previous;
                for &b in rest {
                    if b == b'"' && previous.is_none_or(|p| p == delimiter) {
                        self.raw.quote_opens_field = true;
                        break;
                    }
                    previous = Some(b);
                }
            }
        }
        self.previous = rest.last().copied();
        self.last = self.previous;
    }

    /// One record's bytes, as text under the file's encoding, then read.
    fn record_from(&mut self, bytes: &[u8], ends: &[usize], raw: RawRecord, at_end: bool) {
        let line = raw.start_breaks.unwrap_or(self.breaks) + 1 + self.layout.line_offset;
        let total_lines = self.total_lines();
        if self.mode == TextMode::Utf8 {
            if let Ok(text) = std::str::from_utf8(bytes) {
                if ends.iter().all(|&end| text.is_char_boundary(end)) {
                    let fields = Fields { text, ends };
                    self.state
                        .record(&fields, line, &raw, at_end, &self.layout, total_lines);
                    return;
                }
            }
            // Not UTF-8: the file is Windows-1252, from its first byte.
            self.mode = TextMode::Windows1252;
            self.state.reread_as_windows_1252();
        }
        let mut decoded = std::mem::take(&mut self.decoded);
        let mut decoded_ends = std::mem::take(&mut self.decoded_ends);
        decoded.clear();
        decoded_ends.clear();
        let mut start = 0;
        for &end in ends {
            decoded.push_str(&windows_1252(bytes.get(start..end).unwrap_or_default()));
            decoded_ends.push(decoded.len());
            start = end;
        }
        let fields = Fields {
            text: &decoded,
            ends: &decoded_ends,
        };
        self.state
            .record(&fields, line, &raw, at_end, &self.layout, total_lines);
        self.decoded = decoded;
        self.decoded_ends = decoded_ends;
    }
}

/// Bytes read as Windows-1252 (every byte decodes).
fn windows_1252(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0
}

impl Scan {
    /// The texts read so far (UTF-8 bytes of a file that turned out not to be UTF-8) read again as
    /// Windows-1252: each text's bytes are the file's bytes, so this is what reading them as
    /// Windows-1252 from the start gives.
    fn reread_as_windows_1252(&mut self) {
        fn reread(text: &str) -> String {
            windows_1252(text.as_bytes()).into_owned()
        }
        if let Some(header) = &mut self.out.header {
            for name in header.iter_mut() {
                *name = reread(name);
            }
        }
        if let Some(key) = &mut self.header_key {
            for name in key.iter_mut() {
                *name = reread(name);
            }
        }
        self.columns.reread(reread);
    }

    /// Reads one record (see the module docs). `total_lines` is the lines of the text so far (all of
    /// it when `at_end`).
    fn record(
        &mut self,
        record: &Fields<'_>,
        line: u64,
        raw: &RawRecord,
        at_end: bool,
        layout: &Layout,
        total_lines: usize,
    ) {
        let out = &mut self.out;
        if record.iter().all(|field| trim(field).is_empty()) {
            out.empty_records += 1;
            return;
        }
        self.covered_lines += 1 + record_breaks(record);
        if !self.started {
            self.started = true;
            self.expected = if layout.has_header {
                let header = header_fields(record, layout.body_fields);
                self.header_key = Some(key(record));
                let fields = header.len();
                out.header = Some(header);
                fields
            } else {
                layout.body_fields.max(1)
            };
            let threads = layout
                .column_threads
                .unwrap_or_else(|| column_threads(self.expected, layout.rows_hint));
            self.columns = Columns::new(self.expected, layout.rows_hint, threads);
            if layout.has_header {
                return;
            }
        }
        if self
            .header_key
            .as_deref()
            .is_some_and(|k| is_repeated_header(record, k))
        {
            out.repeated_headers += 1;
            if out.repeated_header_lines.len() < layout.max_issues {
                out.repeated_header_lines.push(line);
            }
            return;
        }
        out.rows_in_file += 1;
        if at_end && raw.unterminated() {
            // Lines of the text from this record's first to the last (the reader is at the end).
            let first = (line - layout.line_offset) as usize;
            let spanned = total_lines.saturating_sub(first) + 1;
            let message = format!(
                "line {line}: a quoted field opened on this line is never closed, so the last {spanned} line{} \
                 were read as one row; close the quote (\") or remove it",
                if spanned == 1 { "" } else { "s" }
            );
            bad_row(out, layout, line, RowIssueKind::UnterminatedQuote, message);
            return;
        }
        let expected = self.expected;
        if record.len() != expected {
            let message = format!(
                "line {line}: {} field{}, expected {expected}",
                record.len(),
                if record.len() == 1 { "" } else { "s" }
            );
            bad_row(out, layout, line, RowIssueKind::Ragged, message);
            return;
        }
        self.columns.push_row(record.iter());
        out.rows_kept += 1;
        out.row_lines.push(out.rows_kept - 1, line);
    }
}

/// A bad row's message, which starts with its line `line`, with that line moved down by `down`.
fn moved_down(message: &str, line: u64, down: u64) -> String {
    match message.strip_prefix(&format!("line {line}:")) {
        Some(rest) => format!("line {}:{rest}", line + down),
        None => message.to_owned(),
    }
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
fn header_fields(record: &Fields<'_>, body_fields: usize) -> Vec<String> {
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
fn key(record: &Fields<'_>) -> Vec<String> {
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
fn is_repeated_header(record: &Fields<'_>, key: &[String]) -> bool {
    let mut fields = record
        .iter()
        .map(|f| trim(f.trim_start_matches('\u{feff}')));
    key.iter().all(|k| fields.next() == Some(k.as_str())) && fields.all(str::is_empty)
}

/// Line breaks inside a record's fields (quoted line breaks), counted field by field; one scan of the
/// record's bytes answers the usual case of none.
fn record_breaks(record: &Fields<'_>) -> usize {
    let any = record
        .text
        .bytes()
        .fold(false, |any, b| any | (b == b'\n') | (b == b'\r'));
    if any {
        record.iter().map(count_breaks).sum()
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_header_matches_with_trimmed_fields_and_trailing_empty_ones_only() {
        let key = vec!["id".to_owned(), "name".to_owned()];
        let record = |fields: &[&str]| -> bool {
            let text = fields.concat();
            let ends: Vec<usize> = fields
                .iter()
                .scan(0, |end, field| {
                    *end += field.len();
                    Some(*end)
                })
                .collect();
            is_repeated_header(
                &Fields {
                    text: &text,
                    ends: &ends,
                },
                &key,
            )
        };
        assert!(record(&["id", " name "]));
        assert!(record(&["\u{feff}id", "name", "", " "]));
        assert!(!record(&["id", "name", "x"]));
        assert!(!record(&["id"]));
        assert!(!record(&["id", "nam"]));
    }

    fn layout(delimiter: u8) -> Layout {
        Layout {
            delimiter,
            has_header: true,
            body_fields: 3,
            max_issues: 100,
            rows_hint: 0,
            line_offset: 0,
            column_threads: Some(0),
        }
    }

    /// What a pass found, as comparable values.
    fn summary(records: &Records) -> String {
        format!(
            "{:?} {:?} {} {} {} {} {:?} {:?} {} {:?} {} {:?}",
            records.header,
            records.columns,
            records.rows_in_file,
            records.rows_kept,
            records.rows_skipped,
            records.blank_lines,
            records.issues,
            records.repeated_header_lines,
            records.empty_records,
            (0..records.rows_kept)
                .map(|row| records.row_lines.line(row))
                .collect::<Vec<_>>(),
            records.text_lines,
            records.first_bad_message,
        )
    }

    #[test]
    fn records_read_from_pieces_cut_at_any_byte_equal_one_pass_over_the_text() {
        let text = "a,b,c\r\n1,\"x,\"\"y\"\"\",Zoë\r\n\r\n2,\"two\nlines\",😀\r3,ragged\n,,\n\
                    a,b,c\n4,5,6\r\n7,8,\"open";
        let whole = read_records(text, &layout(b','));
        assert_eq!(whole.rows_kept, 3);
        assert_eq!(whole.rows_skipped, 2);
        assert_eq!(whole.repeated_headers, 1);
        assert_eq!(whole.empty_records, 1);
        let expected = summary(&whole);
        let bytes = text.as_bytes();
        for (cut, threads) in (0..=bytes.len()).zip([0, 1, 2].into_iter().cycle()) {
            for second in [cut, (cut + 3).min(bytes.len())] {
                let layout = Layout {
                    column_threads: Some(threads),
                    ..layout(b',')
                };
                let mut reader = RecordReader::new(layout);
                reader.push(&bytes[..cut]);
                reader.push(&bytes[cut..second]);
                reader.push(&bytes[second..]);
                assert_eq!(
                    summary(&reader.finish()),
                    expected,
                    "cuts at {cut} and {second}"
                );
            }
        }
    }

    #[test]
    fn columns_filled_on_threads_are_the_columns_read_on_one_even_when_the_file_turns_out_windows_1252(
    ) {
        // Several batches of rows for the column threads; a Windows-1252 byte (è = E8) far down switches
        // the file after many rows were handed over.
        let mut bytes = b"id,city,amount\n".to_vec();
        for row in 0..10_000 {
            let city = ["Zoë", "Ann Arbor", "a city whose name is long"][row % 3];
            bytes.extend_from_slice(format!("{row},{city},{}\n", row % 97).as_bytes());
            if row == 9_000 {
                bytes.extend_from_slice(b"x,Gen\xE8ve,1\n");
            }
        }
        let read = |threads: usize, piece: usize| {
            let mut reader = RecordReader::new(Layout {
                column_threads: Some(threads),
                ..layout(b',')
            });
            bytes.chunks(piece).for_each(|piece| reader.push(piece));
            assert!(reader.switched_to_windows_1252());
            summary(&reader.finish())
        };
        let expected = read(0, bytes.len());
        assert!(expected.contains("ZoÃ«") && expected.contains("Genève"));
        for (threads, piece) in [(1, 4_096), (2, 777), (3, bytes.len())] {
            assert_eq!(read(threads, piece), expected, "{threads} threads");
        }
    }

    #[test]
    fn record_lines_are_the_lines_an_editor_shows() {
        let text = "a,b,c\n1,2,3\r\n\r\n4,\"x\r\ny\",6\r7,8,9\r\n\n10,11,12";
        let records = read_records(text, &layout(b','));
        let index = super::super::lines::LineIndex::new(text);
        let starts =
            ["1,2,3", "4,", "7,8", "10,"].map(|row| index.line_of(text.find(row).unwrap()));
        let lines: Vec<Option<u64>> = (0..4).map(|row| records.row_lines.line(row)).collect();
        assert_eq!(lines, starts.map(Some));
        assert_eq!(lines, [Some(2), Some(4), Some(6), Some(8)]);
        assert_eq!(records.text_lines, index.total);
        assert_eq!(records.blank_lines, 2);
    }
}
