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
    /// Writing CSV failed (usually an I/O error of the destination).
    #[error("could not write the CSV: {0}")]
    Csv(#[from] csv::Error),
    /// Writing failed at the destination.
    #[error("could not write the output: {0}")]
    Io(#[from] std::io::Error),
}
