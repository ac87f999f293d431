//! The typed error shared by the exports.

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The delimiter cannot separate CSV fields.
    #[error("{delimiter:?} cannot be a field delimiter (a quote, line break or non-ASCII byte); use , ; tab or |")]
    InvalidDelimiter {
        /// The rejected delimiter, as a character.
        delimiter: char,
    },
    /// An extra column would repeat a name already in the output.
    #[error("cannot add column {name:?}: the output already has a column of that name (column {position} of {columns})")]
    DuplicateColumn {
        /// The repeated name.
        name: String,
        /// 1-based position of the existing column.
        position: usize,
        /// Columns in the output so far.
        columns: usize,
    },
    /// The segment labels are not one per row.
    #[error("{labels} segment labels for {rows} rows; give one label per row")]
    LabelCount {
        /// Labels given.
        labels: usize,
        /// Rows in the table.
        rows: usize,
    },
    /// No segment was chosen for export.
    #[error("no segment chosen: choose at least one segment to export")]
    NoSegmentsChosen,
    /// A chosen segment has no rows.
    #[error(
        "segment {} has no rows: the file's {present} segments are numbered up to {}; choose one of those",
        .segment + 1, .highest + 1
    )]
    EmptySegment {
        /// The chosen segment's index (its number − 1).
        segment: u32,
        /// Distinct segment ids in the labels.
        present: usize,
        /// Highest segment index in the labels.
        highest: u32,
    },
    /// A chosen segment has no row left to upload (every member held out or filtered out).
    #[error(
        "segment {} has no customers to upload (all of them are held out or filtered out); choose another segment or a smaller holdout",
        .segment.wrapping_add(1)
    )]
    NoUploadRows {
        /// The chosen segment's index (its number − 1).
        segment: u32,
    },
    /// No identifier column was given for a customer-match file.
    #[error("no identifier column: map at least one e-mail, phone or name + ZIP + country column")]
    NoIdentifierColumns,
    /// An identifier column index is past the table's last column.
    #[error("identifier column {column} does not exist: the table has {columns} columns")]
    ColumnOutOfRange {
        /// The index given.
        column: usize,
        /// Columns in the table.
        columns: usize,
    },
    /// The default country is not a known country.
    #[error(
        "{value:?} is not a known country: give an ISO 3166-1 alpha-2 code such as US, GB or DE"
    )]
    UnknownCountry {
        /// The text given.
        value: String,
    },
    /// Writing CSV failed (usually an I/O error of the destination).
    #[error("could not write the CSV: {0}")]
    Csv(#[from] csv::Error),
    /// A JSON document could not be written or read (the message says why).
    #[error("personas JSON: {0}")]
    Json(String),
    /// Writing failed at the destination.
    #[error("could not write the output: {0}")]
    Io(#[from] std::io::Error),
}
