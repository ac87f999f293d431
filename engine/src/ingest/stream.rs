//! Reading a file handed over in chunks (a browser worker reading `File.slice`s, a native reader reading
//! blocks), with the same result as [`read_table`] on the whole file.
//!
//! The chunks may be cut anywhere: inside a quoted field, a multi-byte UTF-8 character, a UTF-16 code
//! unit or a CRLF. The reader keeps the start of the file until it can plan the reading (the encoding, the
//! delimiter, preamble and header, decided on the same samples [`read_table`] uses: the first 64 KiB and
//! 200 lines), then reads the records of every later chunk as it arrives, into the same dictionary-encoded
//! columns: the file's bytes are never held alongside the table being built, and
//! [`finish`](StreamingReader::finish) only types the columns.
//!
//! A whitespace-aligned file is rewritten to tab-separated text a chunk at a time as it is read.
//!
//! Files whose start cannot decide alone are kept whole and read at the end, as before: UTF-16, a start
//! with NUL or other control bytes, text that might be JSON or HTML, a start that would be refused, a file
//! shorter than its samples.
//!
//! A UTF-8 file that turns out not to be UTF-8 after its start (an invalid byte further down) is
//! Windows-1252 from its first byte, as [`read_table`] reads it: the texts read so far are re-read from
//! their bytes. The plan was then made on the start read as UTF-8; when that start is ASCII (as almost
//! every header and sample is) the plan is the same; when it holds other characters the samples' byte
//! counts differ and a decision near a threshold may differ.

use std::borrow::Cow;

use super::decode::{bomless_utf16, is_control, CONTROL_SAMPLE};
use super::plan::{self, Gate, Plan, Planned};
use super::records::{RecordReader, Records};
use super::split::RowPart;
use super::{
    build, check_delimiter_option, read_table, AlignedPieces, Encoding, IngestError, IngestOptions,
    Ingested, Source,
};

/// Bytes gathered before the first attempt to plan; doubled while the start is too short.
const FIRST_ATTEMPT: usize = 128 * 1024;

/// Reads a CSV file pushed in chunks; [`finish`](StreamingReader::finish) gives what [`read_table`] gives
/// on the concatenated chunks.
///
/// ```
/// use audience_engine::ingest::{read_table, IngestOptions, StreamingReader};
///
/// let file = "name,city\r\n\"Zoë, \"\"Z\"\"\",Genève\r\nBob,\"Le\r\nMans\"\r\n".as_bytes();
/// let mut reader = StreamingReader::new(IngestOptions::default());
/// for chunk in file.chunks(3) {
///     reader.push(chunk);
/// }
/// assert_eq!(reader.bytes_received(), file.len());
/// let streamed = reader.finish().unwrap();
/// assert_eq!(streamed, read_table(file, &IngestOptions::default()).unwrap());
/// assert_eq!(streamed.table.column("city").unwrap().text(1), "Le\r\nMans");
/// ```
#[derive(Debug)]
pub struct StreamingReader {
    options: IngestOptions,
    /// The file's size when known (0 when not).
    expected: usize,
    received: usize,
    /// Where it stops taking bytes (see [`super::split`]).
    stop: Stop,
    state: State,
}

/// Where a reader of the rows before a cut stops (see [`super::split`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    /// It takes every byte.
    Never,
    /// It takes the bytes up to the first line feed at or after this file offset.
    At(usize),
    /// It took the bytes before this file offset (the byte after the cut's line feed) and leaves the
    /// rest to another reader.
    Stopped(usize),
}

#[derive(Debug)]
enum State {
    /// The start of the file, until it can be planned.
    Head { bytes: Vec<u8>, next_attempt: usize },
    /// Every byte, read at the end.
    Whole(Vec<u8>),
    /// Records read as the chunks come.
    Reading(Box<Reading>),
}

/// A file being read chunk by chunk.
struct Reading {
    plan: Plan,
    records: RecordReader,
    encoding: Encoding,
    /// The file is Windows-1252 (known from its start): chunks are decoded before they are read.
    windows_1252: bool,
    /// Bytes after the byte-order mark.
    text_bytes: usize,
    /// Control bytes in the first 64 KiB, and how many bytes that sample had.
    sample_controls: usize,
    sampled: usize,
    /// Offset (after the byte-order mark) of the first control byte, if any.
    first_control: Option<usize>,
    nul_bytes: usize,
    first_nul_line: Option<u64>,
    /// The last byte of the text that is not NUL.
    last: Option<u8>,
    /// A whitespace-aligned file's rewrite, chunk by chunk.
    aligned: Option<AlignedPieces>,
    /// The rows after a cut are read: the bytes up to the cut's line feed are skipped.
    after_cut: Option<AfterCut>,
}

/// Where a reader of the rows after a cut is (see [`super::split`]).
#[derive(Clone, Copy, Debug)]
struct AfterCut {
    /// The file offset of the next byte pushed, until the cut's line feed is found.
    next: usize,
    /// The file offset of the byte after the cut's line feed, once found.
    start: Option<usize>,
}

impl std::fmt::Debug for Reading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reading")
            .field("encoding", &self.encoding)
            .field("text_bytes", &self.text_bytes)
            .finish_non_exhaustive()
    }
}

impl StreamingReader {
    /// A reader for a file of unknown size, read under `options`.
    pub fn new(options: IngestOptions) -> StreamingReader {
        StreamingReader::with_capacity(options, 0)
    }

    /// A reader for a file of `bytes` bytes (e.g. `File.size`), so memory for the rows it will hold is
    /// reserved once, not grown.
    pub fn with_capacity(options: IngestOptions, bytes: usize) -> StreamingReader {
        StreamingReader {
            options,
            expected: bytes,
            received: 0,
            stop: Stop::Never,
            state: State::Head {
                bytes: Vec::with_capacity(bytes.min(FIRST_ATTEMPT)),
                next_attempt: FIRST_ATTEMPT,
            },
        }
    }

    /// Adds the next chunk of the file (any length, cut anywhere; empty chunks are fine).
    pub fn push(&mut self, chunk: &[u8]) {
        let offset = self.received;
        self.received += chunk.len();
        match &mut self.state {
            State::Head {
                bytes,
                next_attempt,
            } => {
                bytes.extend_from_slice(chunk);
                if bytes.len() >= *next_attempt {
                    *next_attempt = bytes.len() * 2;
                    self.attempt();
                }
                // The start, read whole, went past the cut: no cut.
                if matches!(self.stop, Stop::At(split) if self.received > split) {
                    self.stop = Stop::Never;
                }
            }
            State::Whole(bytes) => {
                bytes.extend_from_slice(chunk);
                self.stop = Stop::Never;
            }
            State::Reading(reading) => match self.stop {
                Stop::Never => reading.push(chunk),
                Stop::Stopped(_) => {}
                Stop::At(split) => {
                    let from = split.saturating_sub(offset);
                    let line_feed = chunk
                        .get(from..)
                        .and_then(|rest| rest.iter().position(|&b| b == b'\n'));
                    match line_feed {
                        Some(at) => {
                            let end = from + at + 1;
                            reading.push(&chunk[..end]);
                            self.stop = Stop::Stopped(offset + end);
                        }
                        None => reading.push(chunk),
                    }
                }
            },
        }
    }

    /// Makes this the reader of the rows before a cut (see [`RowPart`]): it takes the bytes up to
    /// the first line feed at or after file offset `split` and no more ([`Self::stopped_at`]), then
    /// finishes with the rows after it ([`Self::finish_with_rows`]). Without effect once `split` bytes
    /// have been pushed, or when the file's start must be read whole.
    pub fn stop_at(&mut self, split: usize) {
        self.stop = if self.received <= split && !matches!(self.state, State::Whole(_)) {
            Stop::At(split)
        } else {
            Stop::Never
        };
    }

    /// The file offset of the first byte it left to the reader of the rows after the cut, once it has
    /// stopped taking bytes ([`Self::stop_at`]); the bytes pushed after that are ignored.
    pub fn stopped_at(&self) -> Option<usize> {
        match self.stop {
            Stop::Stopped(at) => Some(at),
            _ => None,
        }
    }

    /// Whether the bytes it took so far end with a whole record and its line break, read as they came:
    /// once it has [stopped](Self::stopped_at), whether the rows after the cut can finish the table
    /// ([`Self::finish_with_rows`] may still refuse a part read otherwise). When not, the cut's line
    /// break is inside a quoted field: [resume](Self::resume) without waiting for the other reader.
    pub fn ends_with_a_record(&self) -> bool {
        match &self.state {
            State::Reading(reading) => {
                !reading.windows_1252
                    && reading.aligned.is_none()
                    && reading.records.at_record_start()
            }
            State::Head { .. } | State::Whole(_) => false,
        }
    }

    /// Makes this reader, which has planned the file from its start ([`Self::is_streaming`]), the reader
    /// of the rows after a cut (see [`RowPart`]): the next bytes pushed are the file's from offset
    /// `split` on, and it reads the records after the first line feed among them; finish it with
    /// [`Self::finish_rows`]. `false` (and nothing changed) when it cannot: the file was not planned
    /// from its start, or its text is rewritten as it is read (Windows-1252, whitespace-aligned).
    pub fn read_rows_after(&mut self, split: usize) -> bool {
        let State::Reading(reading) = &mut self.state else {
            return false;
        };
        if reading.windows_1252
            || reading.aligned.is_some()
            || reading.after_cut.is_some()
            || reading.records.switched_to_windows_1252()
        {
            return false;
        }
        let tail_bytes = self.expected.saturating_sub(split);
        let Some(records) = reading
            .records
            .continuation(tail_bytes, self.expected.max(1))
        else {
            return false;
        };
        reading.records = records;
        reading.text_bytes = 0;
        reading.first_control = None;
        reading.nul_bytes = 0;
        reading.first_nul_line = None;
        reading.last = None;
        reading.after_cut = Some(AfterCut {
            next: split,
            start: None,
        });
        self.received = split;
        self.stop = Stop::Never;
        true
    }

    /// The rows this reader of the rows after a cut ([`Self::read_rows_after`]) read, for the reader of
    /// the rows before it ([`Self::finish_with_rows`]). `None` when it has none to give: it found no line
    /// feed after the cut, or its bytes hold something whose report depends on the rows before the cut
    /// (a NUL byte, text that is not UTF-8).
    pub fn finish_rows(self) -> Option<RowPart> {
        let State::Reading(mut reading) = self.state else {
            return None;
        };
        let start = reading.after_cut?.start?;
        if reading.nul_bytes > 0 || reading.records.switched_to_windows_1252() {
            return None;
        }
        let (header_key, width) = reading.records.shape();
        let (header_key, newlines) = (
            header_key.map(<[String]>::to_vec),
            reading.records.newlines(),
        );
        let records = reading.records.finish();
        Some(RowPart {
            start,
            text_bytes: reading.text_bytes,
            header_key,
            width,
            newlines,
            last: reading.last,
            first_control: reading.first_control,
            records,
        })
    }

    /// Reads the file as [`Self::finish`] does, the rows before the cut from this reader (which has
    /// [stopped](Self::stopped_at)) and the rows after it from `part`: the same table and report as one
    /// reader of the whole file.
    ///
    /// # Errors
    /// `Err(reader)` when `part` cannot finish the table: this reader stopped elsewhere or did not stop,
    /// no record ended at the cut (its line feed was inside a quoted field), or `part` read the rows
    /// otherwise (another header or width, text that is not UTF-8). Push the rest of the file to that
    /// reader, from offset [`Self::bytes_received`], and finish it.
    pub fn finish_with_rows(
        mut self,
        part: &RowPart,
    ) -> Result<Result<Ingested, IngestError>, Box<StreamingReader>> {
        let Stop::Stopped(boundary) = self.stop else {
            return Err(self.resumed());
        };
        let State::Reading(reading) = &mut self.state else {
            return Err(self.resumed());
        };
        let (header_key, width) = reading.records.shape();
        let same_file = part.start == boundary
            && !reading.windows_1252
            && reading.aligned.is_none()
            && header_key == part.header_key.as_deref()
            && width == part.width;
        if !same_file {
            return Err(self.resumed());
        }
        let Some(records) = reading.records.finish_before(&part.records) else {
            return Err(self.resumed());
        };
        if reading.first_control.is_none() {
            reading.first_control = part.first_control.map(|at| reading.text_bytes + at);
        }
        reading.text_bytes += part.text_bytes;
        reading.last = part.last.or(reading.last);
        let State::Reading(reading) = self.state else {
            unreachable!("matched above");
        };
        if let Some(binary) = reading.binary_error() {
            return Ok(Err(binary));
        }
        let options = self.options;
        let (plan, records, source, lines) = reading.finish_read(records, part.newlines);
        Ok(build(&plan, records, &options, &source, lines))
    }

    /// Takes every byte again, from where it stopped ([`Self::stopped_at`]) when it did: push it the
    /// rest of the file from offset [`Self::bytes_received`] (the rows after the cut are read here, as
    /// when the other reader has none to give).
    pub fn resume(&mut self) {
        if let Stop::Stopped(at) = self.stop {
            self.received = at;
        }
        self.stop = Stop::Never;
    }

    /// This reader, [resumed](Self::resume).
    fn resumed(mut self) -> Box<StreamingReader> {
        self.resume();
        Box::new(self)
    }

    /// Bytes pushed so far (for a progress bar).
    pub fn bytes_received(&self) -> usize {
        self.received
    }

    /// Whether the records are being read as the chunks come (the file's start was planned), rather than
    /// the file being kept for the end.
    pub fn is_streaming(&self) -> bool {
        matches!(self.state, State::Reading(_))
    }

    /// Reads the file pushed so far as if its last chunk had arrived.
    ///
    /// # Errors
    /// Those of [`read_table`] on the same bytes.
    pub fn finish(self) -> Result<Ingested, IngestError> {
        let StreamingReader { options, state, .. } = self;
        match state {
            State::Head { bytes, .. } | State::Whole(bytes) => read_table(&bytes, &options),
            State::Reading(reading) => reading.finish(&options),
        }
    }

    /// Plans the reading from the start gathered so far, when it can.
    fn attempt(&mut self) {
        let State::Head { bytes, .. } = &mut self.state else {
            return;
        };
        match start_reading(bytes, &self.options, self.expected) {
            Attempt::Wait => {}
            Attempt::Whole => {
                let mut whole = std::mem::take(bytes);
                whole.reserve(self.expected.saturating_sub(whole.len()));
                self.state = State::Whole(whole);
            }
            Attempt::Read(reading) => self.state = State::Reading(reading),
        }
    }
}

enum Attempt {
    Wait,
    Whole,
    Read(Box<Reading>),
}

/// Plans the reading of a file from its start `head` and reads the start's records.
fn start_reading(head: &[u8], options: &IngestOptions, expected: usize) -> Attempt {
    if check_delimiter_option(options).is_err() {
        return Attempt::Whole;
    }
    let (rest, bom) = match head.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, true),
        None => (head, false),
    };
    let utf16 = head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF");
    if utf16 || (!bom && bomless_utf16(head).is_some()) {
        return Attempt::Whole;
    }
    let sample = &rest[..rest.len().min(CONTROL_SAMPLE)];
    let sample_controls = sample.iter().filter(|&&b| is_control(b)).count();
    if sample_controls * 100 > sample.len() || rest.contains(&0) {
        return Attempt::Whole;
    }
    let (text, windows_1252) = match std::str::from_utf8(rest) {
        Ok(text) => (Cow::Borrowed(text), false),
        // A multi-byte character cut at the end of the start.
        Err(error) if error.error_len().is_none() => (
            Cow::Borrowed(std::str::from_utf8(&rest[..error.valid_up_to()]).unwrap_or_default()),
            false,
        ),
        Err(_) => (
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(rest)
                .0,
            true,
        ),
    };
    let encoding = match (windows_1252, bom) {
        (true, _) => Encoding::Windows1252,
        (false, true) => Encoding::Utf8Bom,
        (false, false) => Encoding::Utf8,
    };
    // The text's bytes: the start as it came (a cut character may follow the text), or decoded.
    let bytes = if windows_1252 { text.as_bytes() } else { rest };
    let (plan, records, aligned) = match plan::plan(&text, Gate::Head, options) {
        Ok(Planned::Ready(plan)) => {
            let text_size = expected
                .saturating_sub(usize::from(bom) * 3)
                .max(text.len());
            let mut records = RecordReader::new(plan.layout(text_size));
            records.push(&bytes[plan.table_start..]);
            (plan, records, None)
        }
        Ok(Planned::Aligned) => {
            let mut pieces = AlignedPieces::new(0);
            let rewritten = pieces.next(bytes).to_vec();
            let valid = match std::str::from_utf8(&rewritten) {
                Ok(valid) => valid,
                Err(error) => {
                    std::str::from_utf8(&rewritten[..error.valid_up_to()]).unwrap_or_default()
                }
            };
            let Some(plan) = plan::plan_rewritten_start(valid, options) else {
                return Attempt::Wait;
            };
            let mut records = RecordReader::new(plan.layout(expected.max(rewritten.len())));
            records.push(&rewritten[plan.table_start..]);
            (plan, records, Some(pieces))
        }
        Ok(Planned::NeedMore) => return Attempt::Wait,
        // Refusals, too, are left to the whole file (a later part may decide another refusal first).
        Ok(Planned::NeedsWhole) | Err(_) => return Attempt::Whole,
    };
    let first_control = rest.iter().position(|&b| is_control(b));
    Attempt::Read(Box::new(Reading {
        plan,
        records,
        encoding,
        windows_1252,
        text_bytes: rest.len(),
        sample_controls,
        sampled: sample.len(),
        first_control,
        nul_bytes: 0,
        first_nul_line: None,
        last: rest.last().copied(),
        aligned,
        after_cut: None,
    }))
}

impl Reading {
    fn push(&mut self, chunk: &[u8]) {
        let chunk = match &mut self.after_cut {
            Some(AfterCut { next, start: None }) => match chunk.iter().position(|&b| b == b'\n') {
                Some(at) => {
                    self.after_cut = Some(AfterCut {
                        next: *next + at + 1,
                        start: Some(*next + at + 1),
                    });
                    &chunk[at + 1..]
                }
                None => {
                    *next += chunk.len();
                    return;
                }
            },
            _ => chunk,
        };
        if chunk.is_empty() {
            return;
        }
        if self.first_control.is_none() {
            self.first_control = chunk
                .iter()
                .position(|&b| is_control(b))
                .map(|at| self.text_bytes + at);
        }
        let nuls = chunk.iter().filter(|&&b| b == 0).count();
        if nuls > 0 {
            if self.first_nul_line.is_none() {
                let at = chunk.iter().position(|&b| b == 0).unwrap_or_default();
                let before = self.plan.newlines_before
                    + self.records.newlines()
                    + chunk[..at].iter().filter(|&&b| b == b'\n').count() as u64;
                self.first_nul_line = Some(1 + before);
            }
            self.nul_bytes += nuls;
        }
        if let Some(&last) = chunk.iter().rev().find(|&&b| b != 0) {
            self.last = Some(last);
        }
        self.text_bytes += chunk.len();
        let text: Cow<'_, [u8]> = if self.windows_1252 {
            match encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(chunk)
                .0
            {
                Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
                Cow::Owned(text) => Cow::Owned(text.into_bytes()),
            }
        } else {
            Cow::Borrowed(chunk)
        };
        match &mut self.aligned {
            Some(pieces) => self.records.push(pieces.next(&text)),
            None => self.records.push(&text),
        }
    }

    fn finish(self, options: &IngestOptions) -> Result<Ingested, IngestError> {
        if let Some(binary) = self.binary_error() {
            return Err(binary);
        }
        let (plan, records, source, lines) = self.finish_records();
        build(&plan, records, options, &source, lines)
    }

    /// Whether so many NUL bytes came that the file is binary.
    fn is_binary(&self) -> bool {
        self.nul_bytes * 100 > self.text_bytes
    }

    /// The error of a binary file ([`Self::is_binary`]).
    fn binary_error(&self) -> Option<IngestError> {
        self.is_binary().then(|| IngestError::Binary {
            control_bytes: self.sample_controls.max(1),
            sampled: self.sampled,
            first_offset: self.first_control.unwrap_or_default(),
        })
    }

    /// The records read, with what [`build`] needs besides: the plan, the source and the lines.
    fn finish_records(mut self) -> (Plan, Records, Source, usize) {
        let records = self.records.finish();
        self.finish_read(records, 0)
    }

    /// [`Self::finish_records`] with the records already finished (`records`), after which the text had
    /// `more_newlines` more `\n` bytes (the rows after a cut, read by another reader).
    fn finish_read(self, records: Records, more_newlines: u64) -> (Plan, Records, Source, usize) {
        let encoding = if self.records.switched_to_windows_1252() {
            Encoding::Windows1252
        } else {
            self.encoding
        };
        let source = Source {
            encoding,
            nul_bytes: self.nul_bytes,
            first_nul_line: self.first_nul_line,
        };
        let newlines = self.plan.newlines_before + self.records.newlines() + more_newlines;
        let last = match &self.aligned {
            Some(pieces) => pieces.last,
            None => self.last,
        };
        let lines = newlines as usize + usize::from(last.is_some_and(|b| b != b'\n'));
        (self.plan, records, source, lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::IngestError;

    /// A small file with everything a chunk boundary can cut: a BOM, CRLF line ends, quoted fields with
    /// a delimiter, escaped quotes and a line break, multi-byte characters (2, 3 and 4 bytes), a blank
    /// line, a ragged row and a repeated header.
    fn tricky_file() -> Vec<u8> {
        let text = "\u{feff}name;city;spend;note\r\n\
                    Zoë;Genève;3,5;\"says \"\"hi\"\"; twice\"\r\n\
                    Bob;Le Mans;12;\"two\r\nlines\"\r\n\
                    \r\n\
                    Ana;Łódź;7,25;€ 😀\r\n\
                    Cy;Köln;1\r\n\
                    name;city;spend;note\r\n\
                    Dee;Zürich;NA;ok\r\n";
        text.as_bytes().to_vec()
    }

    fn streamed(bytes: &[u8], cuts: &[usize]) -> Result<Ingested, IngestError> {
        let mut reader = StreamingReader::new(IngestOptions::default());
        let mut from = 0;
        for &cut in cuts {
            reader.push(&bytes[from..cut]);
            from = cut;
        }
        reader.push(&bytes[from..]);
        reader.finish()
    }

    #[test]
    fn a_file_cut_at_any_byte_reads_as_the_whole_file() {
        let bytes = tricky_file();
        let whole = read_table(&bytes, &IngestOptions::default()).unwrap();
        assert_eq!(whole.report.rows_in_file, 5);
        assert_eq!(whole.report.rows_kept, 4);
        assert_eq!(whole.report.repeated_headers, 1);
        assert_eq!(whole.table.column("note").unwrap().text(1), "two\r\nlines");
        for cut in 0..=bytes.len() {
            assert_eq!(
                streamed(&bytes, &[cut]).unwrap(),
                whole,
                "cut at byte {cut}"
            );
        }
        for size in 1..=7 {
            let cuts: Vec<usize> = (size..bytes.len()).step_by(size).collect();
            assert_eq!(streamed(&bytes, &cuts).unwrap(), whole, "chunks of {size}");
        }
    }

    #[test]
    fn utf16_and_windows_1252_files_cut_anywhere_read_as_whole() {
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "id,ville\n1,Genève\n2,Zoë\n".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let latin = b"id,ville\n1,Gen\xE8ve\n2,Zo\xEB\n".to_vec();
        for bytes in [utf16, latin] {
            let whole = read_table(&bytes, &IngestOptions::default()).unwrap();
            assert_eq!(whole.table.column("ville").unwrap().text(0), "Genève");
            for cut in 0..=bytes.len() {
                assert_eq!(
                    streamed(&bytes, &[cut]).unwrap(),
                    whole,
                    "cut at byte {cut}"
                );
            }
        }
    }

    #[test]
    fn nothing_pushed_is_the_empty_file_error() {
        let reader = StreamingReader::new(IngestOptions::default());
        assert_eq!(reader.bytes_received(), 0);
        assert_eq!(
            reader.finish().unwrap_err(),
            IngestError::Empty {
                bytes: 0,
                bom: false
            }
        );
    }

    /// A file long enough to be read while it arrives (about 400 KB): CRLF line ends, quoted fields
    /// with delimiters, doubled quotes and line breaks, 2-, 3- and 4-byte characters, blank lines, ragged
    /// rows, repeated headers and a last row without a line break.
    fn long_file() -> Vec<u8> {
        let mut text = String::from("id;name;city;spend;note\r\n");
        let cities = ["Genève", "Łódź", "Köln", "Zürich", "Le Mans", "Århus"];
        for row in 0..6_000 {
            let city = cities[row % cities.len()];
            let note = match row % 97 {
                0 => "\"says \"\"hi\"\"; twice\"".to_owned(),
                1 => "\"two\r\nlines\"".to_owned(),
                2 => "€ 😀".to_owned(),
                _ => format!("n{}", row % 13),
            };
            text.push_str(&format!(
                "{row};c{};{city};{},{};{note}\r\n",
                row % 50,
                row % 300,
                row % 7
            ));
            match row % 1_009 {
                500 => text.push_str("\r\n"),
                501 => text.push_str("9;ragged\r\n"),
                502 => text.push_str("id;name;city;spend;note\r\n"),
                _ => {}
            }
        }
        text.push_str("6000;c0;Genève;1,5;last");
        text.into_bytes()
    }

    /// Pushes `bytes` in chunks of `size`; whether the records were read while the chunks came.
    fn chunked(bytes: &[u8], size: usize) -> (Result<Ingested, IngestError>, bool) {
        let mut reader = StreamingReader::with_capacity(IngestOptions::default(), bytes.len());
        for chunk in bytes.chunks(size) {
            reader.push(chunk);
        }
        let streaming = reader.is_streaming();
        (reader.finish(), streaming)
    }

    #[test]
    fn a_long_file_is_read_while_its_chunks_arrive_with_the_whole_files_result() {
        let bytes = long_file();
        let whole = read_table(&bytes, &IngestOptions::default()).unwrap();
        assert_eq!(whole.report.rows_kept, 6_001);
        assert_eq!(whole.report.rows_skipped, 6);
        assert_eq!(whole.report.repeated_headers, 6);
        assert_eq!(whole.table.column("note").unwrap().text(1), "two\r\nlines");
        assert_eq!(whole.table.column("city").unwrap().text(1), "Łódź");
        for size in [1, 2, 3, 7, 4_096, 65_539, 1 << 20] {
            let (streamed, streaming) = chunked(&bytes, size);
            assert!(streaming, "chunks of {size} were kept for the end");
            assert_eq!(streamed.unwrap(), whole, "chunks of {size}");
        }
    }

    #[test]
    fn a_long_file_cut_anywhere_near_its_start_and_end_reads_as_the_whole_file() {
        let bytes = long_file();
        let whole = read_table(&bytes, &IngestOptions::default()).unwrap();
        let end = bytes.len();
        for cut in (0..40)
            .chain(end - 60..=end)
            .chain([131_071, 131_072, 131_073])
        {
            let mut reader = StreamingReader::new(IngestOptions::default());
            reader.push(&bytes[..cut]);
            reader.push(&bytes[cut..]);
            assert_eq!(reader.finish().unwrap(), whole, "cut at byte {cut}");
        }
    }

    #[test]
    fn a_byte_that_is_not_utf8_after_the_start_makes_the_whole_file_windows_1252() {
        let mut bytes = long_file();
        // "Genève" on a row far down, in Windows-1252 (è = E8): the start stays UTF-8, the file is not.
        let at = bytes.len() - 200;
        bytes.splice(at..at, *b"Gen\xE8ve ");
        let whole = read_table(&bytes, &IngestOptions::default()).unwrap();
        assert_eq!(whole.report.encoding, Encoding::Windows1252);
        // Read as Windows-1252 from the first byte: "Genève" written in UTF-8 is "GenÃ¨ve".
        assert_eq!(whole.table.column("city").unwrap().text(0), "GenÃ¨ve");
        for size in [5, 65_536] {
            let (streamed, streaming) = chunked(&bytes, size);
            assert!(streaming);
            assert_eq!(streamed.unwrap(), whole, "chunks of {size}");
        }
    }

    #[test]
    fn a_windows_1252_start_is_read_chunk_by_chunk_as_the_whole_file() {
        let text = String::from_utf8(long_file()).unwrap();
        let latin = text.replace(['Ł', 'ó', 'ź', '€', '😀', 'Å'], "x");
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&latin);
        let whole = read_table(&bytes, &IngestOptions::default()).unwrap();
        assert_eq!(whole.report.encoding, Encoding::Windows1252);
        assert_eq!(whole.table.column("city").unwrap().text(0), "Genève");
        let (streamed, streaming) = chunked(&bytes, 1_000);
        assert!(streaming);
        assert_eq!(streamed.unwrap(), whole);
    }

    #[test]
    fn stray_nul_bytes_after_the_start_are_removed_and_counted_and_many_are_binary() {
        let mut bytes = long_file();
        let at = bytes.len() - 300;
        bytes.splice(at..at, [0, 0, 0]);
        let whole = read_table(&bytes, &IngestOptions::default()).unwrap();
        assert_eq!(whole.report.nul_bytes, 3);
        assert!(whole.report.first_nul_line.is_some());
        let (streamed, streaming) = chunked(&bytes, 10_000);
        assert!(streaming);
        assert_eq!(streamed.unwrap(), whole);

        let mut binary = long_file();
        let nuls = binary.len() / 50;
        binary.extend(std::iter::repeat_n(0, nuls));
        let refused = read_table(&binary, &IngestOptions::default()).unwrap_err();
        assert!(matches!(refused, IngestError::Binary { .. }));
        assert_eq!(chunked(&binary, 10_000).0.unwrap_err(), refused);
    }

    #[test]
    fn an_unclosed_quote_in_the_last_row_is_reported_wherever_the_chunks_end() {
        let mut bytes = long_file();
        bytes.extend_from_slice(
            "\r\n6001;c1;Köln;2;\"never closed\r\n6002;c2;Köln;3;x\r\n".as_bytes(),
        );
        let whole = read_table(&bytes, &IngestOptions::default()).unwrap();
        let last = whole.report.issues.last().unwrap();
        assert_eq!(last.kind, crate::ingest::RowIssueKind::UnterminatedQuote);
        assert!(
            last.message.contains("the last 2 lines"),
            "{}",
            last.message
        );
        let end = bytes.len();
        for cut in end - 45..=end {
            let mut reader = StreamingReader::new(IngestOptions::default());
            reader.push(&bytes[..cut]);
            reader.push(&bytes[cut..]);
            assert!(reader.is_streaming());
            assert_eq!(reader.finish().unwrap(), whole, "cut at byte {cut}");
        }
    }

    #[test]
    fn a_whitespace_aligned_file_is_rewritten_chunk_by_chunk_as_the_whole_file_is() {
        let mut text = String::from("  customer_id      date  quantity   amount\n");
        // More than the 1 MiB start that plans a whole aligned file.
        for row in 0..30_000 {
            text.push_str(&format!(
                "        {row:05}  19970101         {}    {}.77\n",
                row % 4 + 1,
                row % 90
            ));
        }
        let bytes = text.into_bytes();
        let whole = read_table(&bytes, &IngestOptions::default()).unwrap();
        assert!(whole.report.whitespace_aligned);
        assert!(bytes.len() > 1 << 20);
        assert_eq!(whole.report.rows_kept, 30_000);
        assert_eq!(whole.table.column("amount").unwrap().text(29_999), "29.77");
        for size in [7, 4_096] {
            let (streamed, streaming) = chunked(&bytes, size);
            assert!(streaming, "chunks of {size} were kept for the end");
            assert_eq!(streamed.unwrap(), whole, "chunks of {size}");
        }
    }
}
