//! The clustered CSV: the input rows, unchanged and in order, plus extra columns.

use std::io::Write;

use csv::{QuoteStyle, Terminator, WriterBuilder};

use super::ExportError;
use crate::table::Table;

/// Writes `table` as CSV to `out`: a header row of the column names followed by each extra column's name,
/// then every row in table order with each cell's text exactly as it was read (quoted only where the
/// delimiter, a quote or a line break requires it) followed by `value(row)` of each extra column.
///
/// Rows end with `\n`. The header is always written (a file read without one gets its generated
/// `column_N` names).
///
/// # Errors
/// [`ExportError::InvalidDelimiter`] for a quote, line break or non-ASCII delimiter;
/// [`ExportError::DuplicateColumn`] when an extra column's name is already taken; [`ExportError::Csv`] or
/// [`ExportError::Io`] when `out` fails.
///
/// # Example
/// ```
/// use audience_engine::export::write_clustered_csv;
/// use audience_engine::ingest::{read_table, IngestOptions};
///
/// let table = read_table(b"name,city\nAnn,\"Paris, FR\"\nBob,Rome\n", &IngestOptions::default())
///     .unwrap()
///     .table;
/// let segments = [3, 1];
/// let segment = |row: usize| segments[row].to_string();
/// let mut out = Vec::new();
/// write_clustered_csv(&table, b',', &[("segment", &segment)], &mut out).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), "name,city,segment\nAnn,\"Paris, FR\",3\nBob,Rome,1\n");
/// ```
pub fn write_clustered_csv<W: Write>(
    table: &Table,
    delimiter: u8,
    extra_columns: &[(&str, &dyn Fn(usize) -> String)],
    out: W,
) -> Result<(), ExportError> {
    if !delimiter.is_ascii() || matches!(delimiter, b'"' | b'\n' | b'\r') {
        return Err(ExportError::InvalidDelimiter {
            delimiter: char::from(delimiter),
        });
    }
    let mut names: Vec<&str> = table.columns().iter().map(|c| c.name.as_str()).collect();
    for (name, _) in extra_columns {
        if let Some(position) = names.iter().position(|n| n == name) {
            return Err(ExportError::DuplicateColumn {
                name: (*name).to_owned(),
                position: position + 1,
                columns: names.len(),
            });
        }
        names.push(name);
    }
    let mut writer = WriterBuilder::new()
        .delimiter(delimiter)
        .quote_style(QuoteStyle::Necessary)
        .terminator(Terminator::Any(b'\n'))
        .from_writer(out);
    writer.write_record(&names)?;
    let mut extras: Vec<String> = Vec::with_capacity(extra_columns.len());
    for row in 0..table.n_rows() {
        extras.clear();
        extras.extend(extra_columns.iter().map(|(_, value)| value(row)));
        let cells = table.columns().iter().map(|c| c.text(row));
        writer.write_record(cells.chain(extras.iter().map(String::as_str)))?;
    }
    writer.flush()?;
    Ok(())
}
