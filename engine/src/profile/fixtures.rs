//! Test helpers: a [`Table`] read from CSV text by the real ingest, and segment labels from a column.

use crate::ingest::{read_table, IngestOptions};
use crate::table::Table;

/// Reads CSV text with the default ingest options.
pub(crate) fn table(csv_text: &str) -> Table {
    read_table(csv_text.as_bytes(), &IngestOptions::default())
        .expect("fixture CSV reads")
        .table
}

/// Segment labels read from a column of small whole numbers.
pub(crate) fn labels(table: &Table, name: &str) -> Vec<u32> {
    let column = table.column(name).unwrap();
    (0..table.n_rows())
        .map(|row| column.text(row).trim().parse().unwrap())
        .collect()
}
