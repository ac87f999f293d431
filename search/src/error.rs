//! The catalog's error type.

/// Why a catalog, an embedding table or an index could not be loaded, or a search could not run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CatalogError {
    /// A JSON Lines record is not valid JSON or does not have the catalog's fields.
    #[error("catalog line {line}: {message}")]
    Jsonl {
        /// 1-based line number in the file.
        line: usize,
        /// What the JSON reader said.
        message: String,
    },
    /// A CSV record could not be read.
    #[error("catalog CSV record {record}: {message}")]
    Csv {
        /// 1-based data record number (the header is record 0).
        record: usize,
        /// What the CSV reader said.
        message: String,
    },
    /// A required column is missing from a CSV catalog's header.
    #[error("catalog CSV header has no {column:?} column (columns found: {found})")]
    MissingColumn {
        /// The required column.
        column: &'static str,
        /// The header as read, comma-separated.
        found: String,
    },
    /// A required field is empty.
    #[error("catalog record {record}: the {field:?} field is empty")]
    EmptyField {
        /// 1-based record number.
        record: usize,
        /// The field.
        field: &'static str,
    },
    /// A `data_type` or `availability` value is not one the format defines.
    #[error("catalog record {record}: {field} {value:?} is not one of {allowed}")]
    UnknownValue {
        /// 1-based record number.
        record: usize,
        /// The field.
        field: &'static str,
        /// The value found.
        value: String,
        /// The values allowed.
        allowed: &'static str,
    },
    /// A numeric range whose minimum exceeds its maximum, or that is not a number.
    #[error("catalog record {record}: range [{min}, {max}] is not a valid range")]
    BadRange {
        /// 1-based record number.
        record: usize,
        /// Lower end as written.
        min: String,
        /// Upper end as written.
        max: String,
    },
    /// Two records share a code.
    #[error("catalog records {first} and {second} both have code {code:?}")]
    DuplicateCode {
        /// The code.
        code: String,
        /// 1-based record number of the first.
        first: usize,
        /// 1-based record number of the second.
        second: usize,
    },
    /// The catalog has no records.
    #[error("the catalog has no variables")]
    EmptyCatalog,
    /// The bytes are neither UTF-8 JSON Lines nor CSV.
    #[error("the catalog is not UTF-8 text: invalid byte at offset {offset}")]
    NotUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// The static embedding table is malformed.
    #[error("embedding table: {0}")]
    EmbeddingTable(String),
    /// The vocabulary and the embedding table disagree.
    #[error("embedding vocabulary has {vocab} tokens but the table has {rows} rows")]
    VocabularySize {
        /// Tokens in the vocabulary file.
        vocab: usize,
        /// Rows in the table.
        rows: usize,
    },
    /// The serialized HNSW index is malformed.
    #[error("HNSW index: {0}")]
    IndexFormat(String),
    /// The packed (binary) catalog is malformed.
    #[error("packed catalog: {0}")]
    PackedFormat(String),
    /// The serialized HNSW index was built for a different catalog or embedding table.
    #[error("HNSW index was built for {index_items} items of {index_dims} dims (fingerprint {index_fingerprint:016x}), but the catalog has {items} items of {dims} dims (fingerprint {fingerprint:016x}); rebuild the index")]
    IndexMismatch {
        /// Items in the index.
        index_items: usize,
        /// Vector dimensions in the index.
        index_dims: usize,
        /// Fingerprint of what the index's item vectors were computed from (the catalog's texts
        /// and the embedding table), or of the vectors themselves when that is not known.
        index_fingerprint: u64,
        /// Items in the catalog.
        items: usize,
        /// Vector dimensions of the embedding table.
        dims: usize,
        /// The same fingerprint of the catalog's item vectors.
        fingerprint: u64,
    },
    /// The synonym lexicon has a malformed line.
    #[error("synonym lexicon line {line}: {message}")]
    Lexicon {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}
