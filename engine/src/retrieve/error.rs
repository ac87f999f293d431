//! Why census values could not be retrieved.

/// Why [`retrieve`](super::retrieve) or loading the census assets failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RetrieveError {
    /// The manifest is not the JSON the engine expects.
    #[error("the census manifest cannot be read: {problem}")]
    Manifest {
        /// What is wrong with it.
        problem: String,
    },
    /// A binary asset (ZIP index or measure file) is damaged or of another format.
    #[error("the census file {file} cannot be read: {problem}")]
    Asset {
        /// The asset's file name.
        file: String,
        /// What is wrong with it.
        problem: String,
    },
    /// No variable was asked for.
    #[error("no census variable was asked for: name at least one catalog code, e.g. B19013_001E")]
    NoCodes,
    /// A code that no census measure answers.
    #[error(
        "{code} cannot be retrieved by ZIP code; the closest retrievable variables are: {}",
        closest.join(", ")
    )]
    NotRetrievable {
        /// The code asked for.
        code: String,
        /// Up to five retrievable variables closest to it, as `CODE (label)`.
        closest: Vec<String>,
    },
    /// The values of a measure were not handed to [`CensusData::add_measure`](super::CensusData::add_measure).
    #[error("the values of {code} ({file}) were not loaded")]
    MeasureNotLoaded {
        /// The code asked for.
        code: String,
        /// The asset file that holds its values.
        file: String,
    },
    /// No column looks like a ZIP code.
    #[error(
        "no column looks like a US ZIP code: looked for a column named {} and for one whose values are \
         mostly 5-digit ZIP codes (or ZIP+4) among the file's {columns} columns; name the column that holds \
         the ZIP codes",
        names.join(", ")
    )]
    NoZipColumn {
        /// The column names that are recognised as ZIP columns.
        names: Vec<String>,
        /// How many columns the file has.
        columns: usize,
    },
    /// The named ZIP column does not exist.
    #[error("the file has no column {column:?}; its columns are: {}", available.join(", "))]
    UnknownZipColumn {
        /// The column asked for.
        column: String,
        /// The file's column names.
        available: Vec<String>,
    },
    /// A retrieved column's name is already a column of the file.
    #[error(
        "the file already has a column named {name}; rename or remove it to retrieve {name} again"
    )]
    ColumnExists {
        /// The clashing name.
        name: String,
    },
}
