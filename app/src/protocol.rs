//! Messages between the page and the engine worker.
//!
//! Every request carries an id; the worker answers each with exactly one [`Response`] carrying the same id.
//! File contents never travel inside these types: the page hands the worker the `File`/`Blob` object itself
//! (structured clone, no copy on the main thread) and the worker reads its bytes.

use audience_engine::table::ColumnType;
use serde::{Deserialize, Serialize};

/// What the page asks the worker to do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Read and type the file attached to the message.
    LoadFile {
        /// The file's name, for messages.
        file_name: String,
    },
}

/// What the worker answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Response {
    /// The worker has started and accepts requests (sent once, unsolicited, with id 0).
    Ready,
    /// The file was read.
    Loaded(DatasetPreview),
    /// The request failed; the message is meant for the user.
    Failed(Failure),
}

/// A request that could not be carried out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// A specific, user-readable explanation.
    pub message: String,
}

/// What the page shows about a freshly read file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetPreview {
    /// The file's name.
    pub file_name: String,
    /// Data rows kept.
    pub n_rows: usize,
    /// Number of columns.
    pub n_columns: usize,
    /// Each column's name, inferred type and missing count.
    pub columns: Vec<ColumnPreview>,
    /// The first rows, cell texts as in the file.
    pub rows: Vec<Vec<String>>,
    /// How the file was read: encoding, delimiter, header.
    pub format: String,
    /// Rows that could not be read as-is, and other things the user should know.
    pub notes: Vec<String>,
}

/// One column in the preview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnPreview {
    /// Header text.
    pub name: String,
    /// The inferred type.
    pub column_type: ColumnType,
    /// Number of missing cells.
    pub missing: usize,
}
