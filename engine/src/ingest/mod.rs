//! CSV ingest: the bytes of a messy file → a typed [`Table`] plus an [`IngestReport`] of everything that
//! could not be read as-is.
//!
//! [`read_table`] runs these steps, each in its own module:
//!
//! 1. **Encoding** ([`Encoding`]): UTF-8 (a byte-order mark is stripped), UTF-16 LE/BE, otherwise
//!    Windows-1252 / Latin-1. Binary files are refused.
//!    A few stray NUL bytes (at most 1% of the file) are removed and counted in the report.
//! 2. **Preamble**: Excel's `sep=;` line (which also sets the delimiter), then `#` comment and title lines
//!    before the table are skipped and listed in [`IngestReport::preamble`], never taken as the header.
//! 3. **Delimiter** (`,` `;` tab `|`, else runs of spaces in a whitespace-aligned file, which is
//!    read as tab-separated: [`IngestReport::whitespace_aligned`]) and **header** detection on a sample; both can be forced through
//!    [`IngestOptions`] ([`HeaderMode`]); [`IngestReport::header`] says what was decided and why, and
//!    whether it was a guess.
//! 4. **Records**: one pass with the `csv-core` parser over bytes pushed in pieces cut anywhere (quoted
//!    fields, embedded line breaks and quotes, CRLF), so a file can be read while it arrives
//!    ([`StreamingReader`]). Every cell goes into a per-column dictionary of distinct texts, so memory is one `u32`
//!    per cell plus the distinct texts. Rows with the wrong number of fields, or a quote that never closes,
//!    are *bad rows*: reported with their 1-based line numbers, then skipped or fatal according to
//!    [`BadRowPolicy`]. Blank lines (empty, whitespace only, or only delimiters) are not rows; they are
//!    counted in [`IngestReport::blank_lines`]. A line equal to the header further down (concatenated
//!    exports) is not a row either: it is counted and listed in [`IngestReport::repeated_header_lines`].
//!    Always `rows_in_file == rows_kept + rows_skipped`; a file with no data row at all is refused
//!    ([`IngestError::NoDataRows`]), and so is one whose every row is bad ([`IngestError::AllRowsBad`]).
//! 5. **Missing values**: a cell whose trimmed text is one of
//!    [`IngestOptions::missing_markers`] is [`Cell::Missing`](crate::table::Cell::Missing), never a category.
//! 6. **Typing** (rules in the `infer` module docs, summarised on [`ColumnType`]): empty, binary, date,
//!    ordinal, numeric, identifier, categorical, decided on each column's distinct texts. Values that do not
//!    read under the chosen type become missing and are counted as `unparsable` in the column's
//!    [`ColumnSummary`], with examples.
//! 7. **Overrides**: [`IngestOptions::type_overrides`] at read time, or [`retype`] afterwards.
//!
//! # Example
//! ```
//! use audience_engine::ingest::{read_table, IngestOptions};
//! use audience_engine::table::ColumnType;
//!
//! let csv = "id;age;income;member;signup\n\
//!            1;18-24;3,5;yes;2024-03-01\n\
//!            2;55+;NA;no;2024-03-02\n\
//!            3;25–34;12,25;YES;2024-03-03\n";
//! let ingested = read_table(csv.as_bytes(), &IngestOptions::default()).unwrap();
//! let report = &ingested.report;
//! assert_eq!(report.delimiter, ';');
//! assert_eq!((report.rows_in_file, report.rows_kept, report.rows_skipped), (3, 3, 0));
//!
//! let table = &ingested.table;
//! let types: Vec<ColumnType> = table.columns().iter().map(|c| c.column_type()).collect();
//! use ColumnType::*;
//! assert_eq!(types, [Numeric, Ordinal, Numeric, Binary, Date]);
//!
//! let income = table.column("income").unwrap();
//! assert_eq!(income.number(0), Some(3.5)); // decimal comma in a `;` file
//! assert!(income.is_missing(1));           // "NA"
//! assert_eq!(income.text(2), "12,25");     // the exact text is kept for export
//!
//! let age = table.column("age").unwrap();
//! let labels: Vec<&str> = age.levels().iter().map(|l| l.label.as_str()).collect();
//! assert_eq!(labels, ["18-24", "25–34", "55+"]);
//! assert_eq!(age.number(1), Some(59.5)); // 55 + half the width of 25–34
//! ```

mod aligned;
mod columns;
mod date;
mod decode;
mod error;
mod header;
mod infer;
mod lines;
mod missing;
mod notes;
mod number;
mod ordinal;
mod plan;
mod preamble;
mod records;
mod sniff;
mod split;
mod stream;
pub(crate) mod trim;

use serde::{Deserialize, Serialize};

pub use date::{iso_date, parse_date, DateFormat};
pub use decode::Encoding;
pub use error::IngestError;
pub use header::{HeaderChoice, HeaderMode, HeaderReason};
pub use missing::DEFAULT_MISSING_MARKERS;
pub use notes::read_notes;
pub use preamble::{PreambleKind, PreambleLine};
pub use split::{RowPart, RowPartError};
pub use stream::StreamingReader;

use crate::table::{Cell, Cells, Column, ColumnType, Dictionary, Table};
use infer::Entries;
use missing::MissingMarkers;
use records::{RecordReader, FIRST_BAD_LINES};

/// What to do with rows that have the wrong number of fields or broken quoting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadRowPolicy {
    /// Fail with [`IngestError::BadRows`] (count and first line numbers) if there is any.
    Fail,
    /// Leave them out of the table and list them in [`IngestReport::issues`].
    #[default]
    Skip,
}

/// How to read a file. `Default` detects everything and skips bad rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IngestOptions {
    /// Field delimiter; `None` detects one of `,` `;` tab `|`.
    pub delimiter: Option<u8>,
    /// Whether the first line (after any preamble) is a header; [`HeaderMode::Auto`] detects it.
    pub header: HeaderMode,
    /// Cell texts (compared after trimming, case-sensitive) that mean "missing". The empty string is always
    /// missing. Defaults to [`DEFAULT_MISSING_MARKERS`].
    pub missing_markers: Vec<String>,
    /// What to do with bad rows.
    pub bad_rows: BadRowPolicy,
    /// Types to force, by final column name (after de-duplication); see [`retype`] for what happens to
    /// values that do not read.
    pub type_overrides: Vec<(String, ColumnType)>,
    /// At most this many [`RowIssue`]s are listed in the report (the counts are always complete).
    pub max_issues: usize,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            delimiter: None,
            header: HeaderMode::Auto,
            missing_markers: DEFAULT_MISSING_MARKERS
                .iter()
                .map(|m| m.to_string())
                .collect(),
            bad_rows: BadRowPolicy::Skip,
            type_overrides: Vec::new(),
            max_issues: 1_000,
        }
    }
}

/// A table and the report of how it was read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ingested {
    /// The typed table, one row per kept data row, in file order.
    pub table: Table,
    /// How the file was read and what could not be.
    pub report: IngestReport,
}

/// How a file was read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IngestReport {
    /// The text encoding.
    pub encoding: Encoding,
    /// The field delimiter (a tab for a whitespace-aligned file).
    pub delimiter: char,
    /// Columns were separated by runs of spaces (a whitespace-aligned file), read as if each run were one
    /// tab (see the `aligned` module docs).
    #[serde(default)]
    pub whitespace_aligned: bool,
    /// Whether the first row was a header (the same as `header.has_header`).
    pub has_header: bool,
    /// The header decision and why it was made.
    #[serde(default)]
    pub header: HeaderChoice,
    /// Lines before the table that were skipped: Excel's `sep=` line, `#` comments, title lines.
    #[serde(default)]
    pub preamble: Vec<PreambleLine>,
    /// Lines equal to the header further down (concatenated exports): skipped, not rows.
    #[serde(default)]
    pub repeated_headers: usize,
    /// The lines of the repeated headers (at most [`IngestOptions::max_issues`]).
    #[serde(default)]
    pub repeated_header_lines: Vec<u64>,
    /// Records whose every field is empty or whitespace (`,,,`) and which are not empty lines: not rows
    /// (their lines are also counted in `blank_lines`).
    #[serde(default)]
    pub empty_records: usize,
    /// Stray NUL bytes removed from the text (a damaged export), and the line of the first.
    #[serde(default)]
    pub nul_bytes: usize,
    /// 1-based line of the first removed NUL byte.
    #[serde(default)]
    pub first_nul_line: Option<u64>,
    /// Data rows in the file: records that are neither the header, a repeated header, nor blank.
    pub rows_in_file: usize,
    /// Rows in the table.
    pub rows_kept: usize,
    /// Bad rows left out (always `rows_in_file - rows_kept`).
    pub rows_skipped: usize,
    /// Blank lines (empty, whitespace only, or only delimiters) of the table and its preamble, which are
    /// not rows.
    pub blank_lines: usize,
    /// The bad rows, in file order (at most [`IngestOptions::max_issues`]).
    pub issues: Vec<RowIssue>,
    /// Header names that were empty or repeated, and what they became.
    pub renamed_columns: Vec<ColumnRename>,
    /// One summary per column, in table order.
    pub columns: Vec<ColumnSummary>,
    /// The 1-based file line of each kept row, so later steps can name the line of a row (e.g. an
    /// unreadable date in an order log).
    #[serde(default)]
    pub row_lines: RowLines,
}

/// The 1-based file line of each row of a table, stored compactly: only the rows where the numbering does
/// not simply go on from the previous row (the first row, and rows after a skipped row, a blank line or a
/// record spanning several lines).
///
/// ```
/// use audience_engine::ingest::{read_table, IngestOptions};
///
/// let report = read_table(b"a,b\n1,2\n\n3,4\n5,6\n", &IngestOptions::default()).unwrap().report;
/// let lines: Vec<Option<u64>> = (0..4).map(|row| report.row_lines.line(row)).collect();
/// assert_eq!(lines, [Some(2), Some(4), Some(5), None]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowLines {
    /// (first row, its line) of each run of rows on consecutive lines.
    runs: Vec<(u64, u64)>,
    /// Rows covered.
    rows: u64,
}

impl RowLines {
    /// Records that row `row` (the next one, 0-based) is on line `line`.
    pub(crate) fn push(&mut self, row: usize, line: u64) {
        let row = row as u64;
        let continues = self
            .runs
            .last()
            .is_some_and(|&(first, at)| at + (row - first) == line);
        if !continues {
            self.runs.push((row, line));
        }
        self.rows = row + 1;
    }

    /// `later`'s rows after these: its row `r` is row `rows + r` here, on its line plus `lines_before`
    /// (`rows` is the number of rows here).
    pub(crate) fn append(&mut self, later: &RowLines, rows: usize, lines_before: u64) {
        for &(first, line) in &later.runs {
            self.push(rows + first as usize, line + lines_before);
        }
        self.rows = rows as u64 + later.rows;
    }

    /// The line of row `row` (0-based), or `None` past the last row.
    pub fn line(&self, row: usize) -> Option<u64> {
        let row = row as u64;
        if row >= self.rows {
            return None;
        }
        let run = self.runs.partition_point(|&(first, _)| first <= row);
        let (first, at) = self.runs[run.checked_sub(1)?];
        Some(at + (row - first))
    }
}

/// A row that could not be read as-is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowIssue {
    /// 1-based line of the file where the row starts.
    pub line: u64,
    /// What is wrong.
    pub kind: RowIssueKind,
    /// A sentence for the user, with the numbers.
    pub message: String,
}

/// What is wrong with a bad row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowIssueKind {
    /// More or fewer fields than the header (or than most rows, without a header).
    Ragged,
    /// A quoted field opens and never closes, swallowing the rest of the file.
    UnterminatedQuote,
    /// The CSV parser could not read the record.
    Unreadable,
}

/// A header name that was changed to keep names non-empty and unique.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnRename {
    /// 0-based column index.
    pub index: usize,
    /// The name in the file.
    pub from: String,
    /// The name in the table: `column_N` (1-based N) for an empty name, `name_2`, `name_3`, … for repeats.
    pub to: String,
}

/// How one column was read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    /// Column name.
    pub name: String,
    /// The column's type (after overrides).
    pub column_type: ColumnType,
    /// The type inference chose.
    pub inferred_type: ColumnType,
    /// Rows holding a missing marker.
    pub missing: usize,
    /// Rows holding a present value that does not read under the type (now missing too).
    pub unparsable: usize,
    /// Distinct values read under the type (levels for binary, ordinal and categorical columns).
    pub distinct: usize,
    /// Up to five values read under the type, most frequent first.
    pub examples: Vec<String>,
    /// Up to five of the unparsable values, most frequent first.
    pub unparsable_examples: Vec<String>,
    /// A numeric column whose values look like category codes (few distinct small whole numbers with a
    /// code-like name or spread, e.g. `MOSTYPE` 1–41; rule in the `infer` module docs): the type stays
    /// numeric, but "high" and "low" mean nothing for it, so it is best read as categories.
    #[serde(default)]
    pub integer_codes: bool,
}

const EXAMPLES: usize = 5;

/// Reads a CSV file's bytes into a typed table (see the module docs for every step).
///
/// # Example
/// ```
/// use audience_engine::ingest::{read_table, BadRowPolicy, IngestError, IngestOptions, RowIssueKind};
/// use audience_engine::table::ColumnType;
///
/// let csv = b"name,visits,vip\nAnn,3,yes\nBob,7\n\nCy,N/A,no\n";
/// let ingested = read_table(csv, &IngestOptions::default()).unwrap();
/// let report = &ingested.report;
/// // Bob's row (line 3) has 2 fields instead of 3: skipped and reported; line 4 is blank.
/// assert_eq!((report.rows_in_file, report.rows_kept, report.rows_skipped), (3, 2, 1));
/// assert_eq!(report.blank_lines, 1);
/// assert_eq!((report.issues[0].line, report.issues[0].kind), (3, RowIssueKind::Ragged));
/// let visits = ingested.table.column("visits").unwrap();
/// assert_eq!(visits.column_type(), ColumnType::Numeric);
/// assert_eq!((visits.number(0), visits.number(1)), (Some(3.0), None));
/// // The report crosses to the browser as JSON.
/// let json = serde_json::to_string(report).unwrap();
/// assert!(json.contains(r#""kind":"ragged""#));
///
/// // The same file under the Fail policy:
/// let strict = IngestOptions { bad_rows: BadRowPolicy::Fail, ..IngestOptions::default() };
/// let error = read_table(csv, &strict).unwrap_err();
/// assert!(matches!(error, IngestError::BadRows { count: 1, rows_in_file: 3, .. }));
/// assert!(error.to_string().contains("first at line 3 (line 3: 2 fields, expected 3)"));
/// ```
///
/// # Errors
/// [`IngestError`] for an empty, binary or non-tabular file, an invalid forced delimiter, bad rows under
/// [`BadRowPolicy::Fail`], or a type override that names an unknown column or cannot read the column.
pub fn read_table(bytes: &[u8], options: &IngestOptions) -> Result<Ingested, IngestError> {
    check_delimiter_option(options)?;
    let decoded = decode::decode_text(bytes)?;
    let source = Source {
        encoding: decoded.encoding,
        nul_bytes: decoded.nul_bytes,
        first_nul_line: decoded.first_nul_line,
    };
    let whole: &str = &decoded.text;
    match plan::plan(whole, plan::Gate::Whole, options)? {
        plan::Planned::Ready(plan) => {
            let mut reader = RecordReader::new(plan.layout(whole.len()));
            reader.push(&whole.as_bytes()[plan.table_start..]);
            let lines = lines_count(reader.newlines() + plan.newlines_before, whole.as_bytes());
            build(&plan, reader.finish(), options, &source, lines)
        }
        // Only a start of a text asks for more or for the whole; read those as aligned too (not reached).
        plan::Planned::Aligned | plan::Planned::NeedMore | plan::Planned::NeedsWhole => {
            // A whitespace-aligned file is read from its tab-separated rewrite (there is no `sep=` line
            // before it, since that line sets the delimiter), planned on the rewrite of its start and
            // rewritten a piece at a time, never whole.
            let mut start = whole.len().min(ALIGNED_START);
            while !whole.is_char_boundary(start) {
                start -= 1;
            }
            let plan = (start < whole.len())
                .then(|| {
                    plan::plan_rewritten_start(&aligned::to_tab_separated(&whole[..start]), options)
                })
                .flatten()
                .unwrap_or_else(|| {
                    plan::plan_rewritten(&aligned::to_tab_separated(whole), options)
                });
            let mut reader = RecordReader::new(plan.layout(whole.len()));
            let mut rewrite = AlignedPieces::new(plan.table_start);
            for piece in whole.as_bytes().chunks(ALIGNED_START) {
                reader.push(rewrite.next(piece));
            }
            let lines = reader.newlines() as usize
                + plan.newlines_before as usize
                + usize::from(rewrite.last.is_some_and(|b| b != b'\n'));
            build(&plan, reader.finish(), options, &source, lines)
        }
    }
}

/// Bytes of a whitespace-aligned file's start rewritten to plan it, and of each piece rewritten after.
const ALIGNED_START: usize = 1 << 20;

/// The tab-separated rewrite of a whitespace-aligned file, a piece at a time, from the table's start on.
pub(crate) struct AlignedPieces {
    aligner: aligned::Aligner,
    out: Vec<u8>,
    /// Rewritten bytes still to leave out (the preamble, already planned).
    skip: usize,
    /// The last rewritten byte.
    last: Option<u8>,
}

impl AlignedPieces {
    /// Leaves out the first `skip` rewritten bytes.
    pub(crate) fn new(skip: usize) -> AlignedPieces {
        AlignedPieces {
            aligner: aligned::Aligner::default(),
            out: Vec::new(),
            skip,
            last: None,
        }
    }

    /// The rewrite of the next piece (NUL bytes left out first, as from the whole text).
    pub(crate) fn next(&mut self, piece: &[u8]) -> &[u8] {
        self.out.clear();
        if piece.contains(&0) {
            let kept: Vec<u8> = piece.iter().copied().filter(|&b| b != 0).collect();
            self.aligner.rewrite(&kept, &mut self.out);
        } else {
            self.aligner.rewrite(piece, &mut self.out);
        }
        if let Some(&last) = self.out.last() {
            self.last = Some(last);
        }
        let from = self.skip.min(self.out.len());
        self.skip -= from;
        &self.out[from..]
    }
}

/// `str::lines().count()` of a text from its `\n` count and its bytes' last byte.
fn lines_count(newlines: u64, text: &[u8]) -> usize {
    newlines as usize + usize::from(text.last().is_some_and(|&b| b != b'\n'))
}

/// Refuses a forced delimiter that cannot separate fields.
fn check_delimiter_option(options: &IngestOptions) -> Result<(), IngestError> {
    if let Some(delimiter) = options.delimiter {
        if !delimiter.is_ascii() || matches!(delimiter, b'"' | b'\n' | b'\r') {
            return Err(IngestError::InvalidDelimiter {
                delimiter: char::from(delimiter),
            });
        }
    }
    Ok(())
}

/// How the bytes became text.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Source {
    encoding: Encoding,
    nul_bytes: usize,
    first_nul_line: Option<u64>,
}

/// The table and report from the records read under `plan`; `lines` is the text's line count for the
/// messages of files without columns.
fn build(
    plan: &plan::Plan,
    records: records::Records,
    options: &IngestOptions,
    source: &Source,
    lines: usize,
) -> Result<Ingested, IngestError> {
    let header = plan.header;
    if records.columns.is_empty() {
        return Err(IngestError::NoColumns { lines });
    }
    if records.rows_in_file == 0 {
        let names = records.header.clone().unwrap_or_default();
        return Err(IngestError::NoDataRows {
            columns: names.len(),
            names: names.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
            guessed: !header.confident,
        });
    }
    if records.rows_kept == 0 {
        return Err(IngestError::AllRowsBad {
            rows_in_file: records.rows_in_file,
            first_lines: records.first_bad_lines.clone(),
            first_problem: records.first_bad_message.clone().unwrap_or_default(),
        });
    }
    if options.bad_rows == BadRowPolicy::Fail && records.rows_skipped > 0 {
        return Err(IngestError::BadRows {
            count: records.rows_skipped,
            rows_in_file: records.rows_in_file,
            first_lines: records.first_bad_lines.clone(),
            first_problem: records.first_bad_message.clone().unwrap_or_default(),
        });
    }
    debug_assert!(records.first_bad_lines.len() <= FIRST_BAD_LINES);

    let raw_names: Vec<String> = match &records.header {
        Some(header) => header.clone(),
        None => vec![String::new(); records.columns.len()],
    };
    let (names, renamed_columns) = unique_names(&raw_names, records.header.is_some());
    for (name, _) in &options.type_overrides {
        if !names.contains(name) {
            return Err(IngestError::UnknownColumn {
                name: name.clone(),
                columns: names.len(),
            });
        }
    }

    let delimiter = plan.delimiter;
    let markers = MissingMarkers::new(&options.missing_markers);
    let semicolon_file = delimiter == b';';
    // Each column is typed on its own: natively, a large table's columns on every core.
    let threads = if records.rows_kept >= crate::parallel::ROWS_FOR_THREADS {
        crate::parallel::cores()
    } else {
        1
    };
    let typed_columns = crate::parallel::map_in_order(
        names.into_iter().zip(records.columns).collect(),
        threads,
        |(name, (dictionary, codes))| -> Result<_, IngestError> {
            let entries = Entries::new(&dictionary, codes.view(), &markers);
            let inferred = infer::infer_type(&name, &entries, semicolon_file);
            let chosen = options
                .type_overrides
                .iter()
                .rev()
                .find(|(n, _)| *n == name)
                .map_or(inferred, |&(_, t)| t);
            let typed = infer::interpret(&name, &entries, chosen, semicolon_file)?;
            let summary = summarize(
                &name,
                &entries,
                Cells::Cells(&typed.cells),
                typed.levels.len(),
                chosen,
                inferred,
            );
            drop(entries);
            let column = Column::from_store(
                name,
                typed.column_type,
                codes,
                dictionary,
                typed.cells,
                typed.levels,
            )?;
            Ok((column, summary))
        },
    );
    let mut columns = Vec::with_capacity(typed_columns.len());
    let mut summaries = Vec::with_capacity(typed_columns.len());
    // The first column in table order that cannot be read is the one reported, however many threads.
    for typed in typed_columns {
        let (column, summary) = typed?;
        columns.push(column);
        summaries.push(summary);
    }
    let table = Table::new(columns)?;
    let report = IngestReport {
        encoding: source.encoding,
        delimiter: char::from(delimiter),
        whitespace_aligned: plan.whitespace_aligned,
        has_header: header.has_header,
        header,
        preamble: plan.preamble.clone(),
        repeated_headers: records.repeated_headers,
        repeated_header_lines: records.repeated_header_lines,
        empty_records: records.empty_records,
        nul_bytes: source.nul_bytes,
        first_nul_line: source.first_nul_line,
        rows_in_file: records.rows_in_file,
        rows_kept: records.rows_kept,
        rows_skipped: records.rows_skipped,
        blank_lines: records.blank_lines + plan.preamble_blank_lines,
        issues: records.issues,
        renamed_columns,
        columns: summaries,
        row_lines: records.row_lines,
    };
    Ok(Ingested { table, report })
}

/// A column typed as [`read_table`] types it, from its distinct texts and their row counts instead of
/// its rows (`counts[e]` rows hold `texts[e]`; e.g. a column of a table too large for one machine, counted
/// by a distributed aggregation). Type, levels and level order are those reading all the rows would give
/// (categorical levels: most rows first, ties by text; missing markers from `options`; a type override in
/// `options` for this column wins). The column returned has one row per distinct text (codes
/// `0..texts.len()`), so its row counts are not the table's: keep `counts` for anything counted.
pub fn column_from_counts(
    name: &str,
    texts: Vec<String>,
    counts: &[usize],
    options: &IngestOptions,
) -> Result<Column, IngestError> {
    let markers = MissingMarkers::new(&options.missing_markers);
    let semicolon_file = options.delimiter == Some(b';');
    let mut counts = counts.to_vec();
    counts.resize(texts.len(), 0);
    let texts = Dictionary::from(texts);
    let entries = Entries::from_counts(&texts, counts, &markers);
    let inferred = infer::infer_type(name, &entries, semicolon_file);
    let chosen = options
        .type_overrides
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map_or(inferred, |&(_, t)| t);
    let typed = infer::interpret(name, &entries, chosen, semicolon_file)?;
    drop(entries);
    let codes = (0..texts.len() as u32).collect();
    Ok(Column::with_dictionary(
        name,
        typed.column_type,
        codes,
        texts,
        typed.cells,
        typed.levels,
    )?)
}

/// Re-reads a column's texts under another type (the user overriding inference).
///
/// Values that do not read under `to` become missing and are counted as `unparsable` by
/// [`column_summary`]. The call fails, leaving the column as it was, when the column has present values
/// and *none* of them reads under `to` ([`IngestError::IncompatibleType`]), when `to` is
/// [`ColumnType::Binary`] and there are more than two distinct values ([`IngestError::TooManyValuesForBinary`];
/// with two values that are not yes/no-like tokens, the one sorting later is level 1), or when `to` is
/// [`ColumnType::Empty`] and the column has values. `options` supplies the missing markers; a decimal comma
/// is preferred on ties when `options.delimiter` is `;`.
pub fn retype(
    column: &Column,
    to: ColumnType,
    options: &IngestOptions,
) -> Result<Column, IngestError> {
    let markers = MissingMarkers::new(&options.missing_markers);
    let entries = Entries::new(column.dictionary(), column.codes(), &markers);
    let typed = infer::interpret(&column.name, &entries, to, options.delimiter == Some(b';'))?;
    Ok(Column::with_dictionary(
        column.name.clone(),
        typed.column_type,
        column.codes().to_vec(),
        column.dictionary().clone(),
        typed.cells,
        typed.levels,
    )?)
}

/// The summary of a column as it stands (for example after [`retype`]), under `options`' missing markers.
pub fn column_summary(column: &Column, options: &IngestOptions) -> ColumnSummary {
    let markers = MissingMarkers::new(&options.missing_markers);
    let entries = Entries::new(column.dictionary(), column.codes(), &markers);
    let inferred = infer::infer_type(&column.name, &entries, options.delimiter == Some(b';'));
    summarize(
        &column.name,
        &entries,
        column.cells(),
        column.levels().len(),
        column.column_type(),
        inferred,
    )
}

fn summarize(
    name: &str,
    entries: &Entries,
    cells: Cells<'_>,
    levels: usize,
    column_type: ColumnType,
    inferred_type: ColumnType,
) -> ColumnSummary {
    let unreadable = |i: usize| !entries.is_marker(i) && matches!(cells.get(i), Cell::Missing);
    let (unparsable, unreadable_entries) = (0..cells.len())
        .filter(|&i| unreadable(i))
        .fold((0, 0), |(rows, entries_seen), i| {
            (rows + entries.count(i), entries_seen + 1)
        });
    let distinct = if column_type.has_levels() {
        levels
    } else {
        (0..cells.len())
            .filter(|&i| !matches!(cells.get(i), Cell::Missing) && entries.count(i) > 0)
            .count()
    };
    let integer_codes =
        column_type == ColumnType::Numeric && looks_like_integer_codes(name, entries, cells);
    ColumnSummary {
        integer_codes,
        name: name.to_owned(),
        column_type,
        inferred_type,
        missing: entries.missing_rows(),
        unparsable,
        distinct,
        examples: entries.examples(EXAMPLES, |i| !matches!(cells.get(i), Cell::Missing)),
        // Most columns read every text: no second scan of a million entries for examples of none.
        unparsable_examples: if unreadable_entries == 0 {
            Vec::new()
        } else {
            entries.examples(EXAMPLES, unreadable)
        },
    }
}

/// Whether a numeric column's distinct numbers look like category codes (stops at 51 distinct numbers).
fn looks_like_integer_codes(name: &str, entries: &Entries, cells: Cells<'_>) -> bool {
    let mut values: Vec<(f64, usize)> = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        let count = entries.count(i);
        let Cell::Number(v) = cell else { continue };
        if count == 0 {
            continue;
        }
        if let Some((_, c)) = values.iter_mut().find(|(x, _)| *x == v) {
            *c += count;
        } else if values.len() >= 50 {
            return false;
        } else {
            values.push((v, count));
        }
    }
    infer::integer_codes(name, &values)
}

/// Non-empty, unique column names: `column_N` for empty (or absent) names, `name_2`, `name_3`, … for
/// repeats (skipping suffixes already taken).
fn unique_names(raw: &[String], from_header: bool) -> (Vec<String>, Vec<ColumnRename>) {
    let mut names: Vec<String> = Vec::with_capacity(raw.len());
    let mut renames = Vec::new();
    let mut taken: std::collections::HashSet<String> = raw
        .iter()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    let mut seen = std::collections::HashSet::new();
    for (index, original) in raw.iter().enumerate() {
        let trimmed = original.trim();
        let name = if trimmed.is_empty() {
            let mut candidate = format!("column_{}", index + 1);
            let mut n = 2;
            while taken.contains(&candidate) {
                candidate = format!("column_{}_{n}", index + 1);
                n += 1;
            }
            candidate
        } else if seen.contains(trimmed) {
            let mut n = 2;
            let mut candidate = format!("{trimmed}_{n}");
            while taken.contains(&candidate) {
                n += 1;
                candidate = format!("{trimmed}_{n}");
            }
            candidate
        } else {
            original.clone()
        };
        seen.insert(trimmed.to_owned());
        taken.insert(name.clone());
        if from_header && name != *original {
            renames.push(ColumnRename {
                index,
                from: original.clone(),
                to: name.clone(),
            });
        }
        names.push(name);
    }
    (names, renames)
}

/// Refuses JSON and HTML/XML documents with a message that says so.
pub(crate) fn check_other_format(text: &str) -> Result<(), IngestError> {
    let trimmed = text.trim();
    let first = trimmed.chars().next().unwrap_or(' ');
    let last = trimmed.chars().last().unwrap_or(' ');
    if matches!((first, last), ('{', '}') | ('[', ']')) {
        return Err(IngestError::OtherFormat { format: "JSON" });
    }
    let lower: String = trimmed
        .chars()
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    if lower.starts_with("<?xml")
        || lower.starts_with("<!doctype")
        || lower.starts_with("<html")
        || (first == '<' && last == '>' && trimmed.chars().nth(1).is_some_and(char::is_alphabetic))
    {
        return Err(IngestError::OtherFormat { format: "HTML/XML" });
    }
    Ok(())
}

/// Mean line length (characters) above which a single-column file is prose, not a column of values.
const PROSE_MEAN_LENGTH: usize = 64;
/// Mean words per line above which a single-column file is prose.
const PROSE_MEAN_WORDS: usize = 8;

/// A file without any delimiter is accepted as one column of short values; long lines of words are not.
pub(crate) fn check_single_column(text: &str) -> Result<(), IngestError> {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(200)
        .collect();
    let n = lines.len().max(1);
    let mean_length = lines.iter().map(|l| l.chars().count()).sum::<usize>() / n;
    let mean_words = lines
        .iter()
        .map(|l| l.split_whitespace().count())
        .sum::<usize>()
        / n;
    if mean_length > PROSE_MEAN_LENGTH || mean_words > PROSE_MEAN_WORDS {
        return Err(IngestError::NotDelimited {
            lines: lines.len(),
            mean_length,
            hint: "it reads like running text rather than rows of values",
        });
    }
    Ok(())
}
