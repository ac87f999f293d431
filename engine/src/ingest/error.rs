//! The typed errors of [`read_table`](super::read_table) and [`retype`](super::retype).

use crate::table::{ColumnError, ColumnType, TableError};

/// Why a file could not be read as a table, or a column could not be re-typed.
///
/// Every message names the numbers involved, so it can be shown to the user as-is.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The file has no bytes (or only a byte-order mark).
    #[error("the file is empty ({bytes} bytes{})", if *bom { ", only a byte-order mark" } else { "" })]
    Empty {
        /// Size of the file in bytes.
        bytes: usize,
        /// Whether the only content was a byte-order mark.
        bom: bool,
    },
    /// The bytes are not text in any encoding we read (NUL or other control bytes).
    #[error(
        "this is not a text file: {control_bytes} of its first {sampled} bytes are control characters \
         (the first at byte {first_offset}); expected a CSV exported as text"
    )]
    Binary {
        /// Control bytes (other than tab, line feed, carriage return, form feed) in the sample.
        control_bytes: usize,
        /// Bytes examined.
        sampled: usize,
        /// 0-based offset of the first control byte.
        first_offset: usize,
    },
    /// A UTF-16 byte-order mark was found but the rest is not valid UTF-16.
    #[error("the file starts with a {encoding} byte-order mark but is not valid {encoding} ({bytes} bytes)")]
    InvalidUtf16 {
        /// `"UTF-16LE"` or `"UTF-16BE"`.
        encoding: &'static str,
        /// Size of the file in bytes.
        bytes: usize,
    },
    /// The file has lines, but all of them are blank.
    #[error("the file has no columns: all {lines} lines are blank")]
    NoColumns {
        /// Number of lines in the file.
        lines: usize,
    },
    /// The file is text with no recognisable table structure.
    #[error(
        "this does not look like a delimited table: no line splits on any of , ; tab | \
         and the {lines} lines sampled average {mean_length} characters; {hint}"
    )]
    NotDelimited {
        /// Lines examined.
        lines: usize,
        /// Mean length of those lines, in characters (rounded).
        mean_length: usize,
        /// What the text looks like instead.
        hint: &'static str,
    },
    /// The file looks like another text format (JSON, HTML/XML).
    #[error("this looks like {format}, not a CSV table; export the data as CSV first")]
    OtherFormat {
        /// `"JSON"` or `"HTML/XML"`.
        format: &'static str,
    },
    /// The delimiter given in the options cannot separate CSV fields.
    #[error("{delimiter:?} cannot be a field delimiter (a quote, line break or non-ASCII byte); use , ; tab or |")]
    InvalidDelimiter {
        /// The rejected delimiter, as a character.
        delimiter: char,
    },
    /// The file has column names (or a line taken for them) but no data row.
    #[error(
        "the file has no data rows: only a header line ({columns} column{}: {names}){}",
        if *columns == 1 { "" } else { "s" },
        if *guessed {
            "; if that line is a customer rather than column names, read the file as having no header row"
        } else {
            "; export the file again with its customer rows"
        }
    )]
    NoDataRows {
        /// Columns in the header.
        columns: usize,
        /// The first few column names, comma-separated.
        names: String,
        /// Whether the header line was only a guess (it could be the one customer).
        guessed: bool,
    },
    /// Every data row is bad (ragged or broken quoting), so nothing is left even after skipping them.
    #[error(
        "none of the {rows_in_file} rows can be read as-is, first at line{} {} ({first_problem}); \
         check the delimiter and quoting of the file, or export it again",
        if first_lines.len() == 1 { "" } else { "s" },
        join_lines(first_lines)
    )]
    AllRowsBad {
        /// Number of data rows in the file.
        rows_in_file: usize,
        /// 1-based line numbers of the first few.
        first_lines: Vec<u64>,
        /// What is wrong with the first of them.
        first_problem: String,
    },
    /// Under [`BadRowPolicy::Fail`](super::BadRowPolicy::Fail), at least one row was ragged or unreadable.
    #[error(
        "{count} of {rows_in_file} rows could not be read as-is (wrong number of fields or broken quoting), \
         first at line{} {} ({first_problem}); fix those lines, or leave them out (they are then listed)",
        if first_lines.len() == 1 { "" } else { "s" },
        join_lines(first_lines)
    )]
    BadRows {
        /// Number of bad rows in the whole file.
        count: usize,
        /// Number of data rows in the file (excluding the header and blank lines).
        rows_in_file: usize,
        /// 1-based line numbers of the first few bad rows.
        first_lines: Vec<u64>,
        /// What is wrong with the first of them (its row issue message).
        first_problem: String,
    },
    /// A type override names a column the table does not have.
    #[error(
        "cannot set the type of column {name:?}: the table has no such column ({columns} columns)"
    )]
    UnknownColumn {
        /// The name given.
        name: String,
        /// Number of columns in the table.
        columns: usize,
    },
    /// No present value of the column can be read under the requested type.
    #[error(
        "column {column:?} cannot be {to:?}: none of its {present} present values can be read that way \
         (e.g. {})",
        quote_examples(examples)
    )]
    IncompatibleType {
        /// Column name.
        column: String,
        /// The requested type.
        to: ColumnType,
        /// Rows with a present (non-missing) value.
        present: usize,
        /// A few of the values that could not be read.
        examples: Vec<String>,
    },
    /// A binary column needs at most two distinct present values.
    #[error("column {column:?} cannot be binary: it has {distinct} distinct present values, at most 2 allowed")]
    TooManyValuesForBinary {
        /// Column name.
        column: String,
        /// Number of distinct present values (after trimming, case-insensitive).
        distinct: usize,
    },
    /// [`ColumnType::Empty`] describes data; it cannot be chosen.
    #[error("column {column:?} cannot be set to Empty; exclude the column instead")]
    EmptyIsNotChoosable {
        /// Column name.
        column: String,
    },
    /// A column could not be assembled (an internal invariant failed).
    #[error(transparent)]
    Column(#[from] ColumnError),
    /// The table could not be assembled (an internal invariant failed).
    #[error(transparent)]
    Table(#[from] TableError),
}

fn join_lines(lines: &[u64]) -> String {
    let list: Vec<String> = lines.iter().map(u64::to_string).collect();
    list.join(", ")
}

fn quote_examples(examples: &[String]) -> String {
    let list: Vec<String> = examples.iter().map(|e| format!("{e:?}")).collect();
    list.join(", ")
}
