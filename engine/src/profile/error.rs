//! Why a profiling run could not start. Problems with the *data* (a target with five values, a column that
//! is entirely missing, a segment too small for traits) are not errors: they become [`Note`](super::Note)s
//! in the report, and the rest of the report is still computed.

/// A profiling run that cannot be carried out with these inputs.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ProfileError {
    /// The table has no data rows.
    #[error("the table has no data rows to profile")]
    EmptyTable,
    /// The segment labels do not cover the table row for row.
    #[error("{labels} segment labels for {rows} rows: every row needs exactly one label")]
    LabelCountMismatch {
        /// Number of labels given.
        labels: usize,
        /// Number of rows in the table.
        rows: usize,
    },
    /// A column named in the settings does not exist.
    #[error("{role} {column:?} is not a column of this file (columns: {})", available.join(", "))]
    UnknownColumn {
        /// What the column was asked for (target, code column, geography, …).
        role: String,
        /// The name given.
        column: String,
        /// The table's column names.
        available: Vec<String>,
    },
    /// A support-rule setting is out of range.
    #[error("support setting {what} = {value} is out of range (min_records ≥ 1, 0 ≤ min_share ≤ 1, min_lift ≥ 1)")]
    InvalidSupport {
        /// Which setting.
        what: &'static str,
        /// Its value.
        value: f64,
    },
}
