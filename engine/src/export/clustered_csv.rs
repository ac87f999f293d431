//! The clustered CSV: the input rows, in order, plus extra columns such as `segment` and `segment_name`.

use std::io::Write;

use csv::{QuoteStyle, Terminator, WriterBuilder};

use super::formula::{escape_formula, InputCells};
use super::ExportError;
use crate::table::Table;

/// How [`write_clustered_csv_with`] writes the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClusteredCsvOptions {
    /// Field delimiter (the input file's, usually).
    pub delimiter: u8,
    /// Input cells (and column names) that a spreadsheet would run as a formula: escaped (the default) or
    /// written unchanged. The extra columns' values are always escaped.
    pub input_cells: InputCells,
    /// An extra column whose name is already a column of the table replaces that column's values in place
    /// (same position) instead of being refused with [`ExportError::DuplicateColumn`].
    pub replace_existing: bool,
}

impl Default for ClusteredCsvOptions {
    /// Comma-delimited, formulas escaped, existing columns never replaced.
    fn default() -> Self {
        ClusteredCsvOptions {
            delimiter: b',',
            input_cells: InputCells::EscapeFormulas,
            replace_existing: false,
        }
    }
}

/// Writes `table` as CSV to `out` with every input cell exactly as it was read (no formula escaping; see
/// [`write_clustered_csv_with`] for the choices), followed by `value(row)` of each extra column.
///
/// The header row is the column names followed by each extra column's name; cells are quoted only where
/// the delimiter, a quote or a line break requires it; rows end with `\n`. The header is always written (a
/// file read without one gets its generated `column_N` names). The extra columns' values are generated, so
/// they are always made safe for spreadsheets (see [`escape_formula`](super::formula::escape_formula)).
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
    let options = ClusteredCsvOptions {
        delimiter,
        input_cells: InputCells::Unchanged,
        replace_existing: false,
    };
    write_clustered_csv_with(table, &options, extra_columns, out)
}

/// Writes `table` as CSV to `out` as `options` say: every row in table order, each input cell as it was
/// read or with formulas escaped, then `value(row)` of each extra column (always escaped) — at the end, or,
/// with [`ClusteredCsvOptions::replace_existing`], in place of the table's column of the same name.
///
/// # Errors
/// As [`write_clustered_csv`].
///
/// # Example
/// ```
/// use audience_engine::export::{write_clustered_csv_with, ClusteredCsvOptions};
/// use audience_engine::ingest::{read_table, IngestOptions};
///
/// let table = read_table(b"name,segment,spend\n=cmd(),9,-3.5\nBob,9,4\n", &IngestOptions::default())
///     .unwrap()
///     .table;
/// let segment = |row: usize| (row + 1).to_string();
/// let options = ClusteredCsvOptions { replace_existing: true, ..ClusteredCsvOptions::default() };
/// let mut out = Vec::new();
/// write_clustered_csv_with(&table, &options, &[("segment", &segment)], &mut out).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), "name,segment,spend\n'=cmd(),1,-3.5\nBob,2,4\n");
/// ```
pub fn write_clustered_csv_with<W: Write>(
    table: &Table,
    options: &ClusteredCsvOptions,
    extra_columns: &[(&str, &dyn Fn(usize) -> String)],
    out: W,
) -> Result<(), ExportError> {
    let threads = write_threads(table.n_rows());
    write_rows(
        table,
        options,
        0..table.n_rows(),
        extra_columns,
        out,
        threads,
    )
}

/// [`write_clustered_csv_with`] for the given rows only (0-based data-row indices, written in the order
/// given; indices past the table's end are skipped): e.g. the rows of the segments that match a described
/// audience ([`crate::audience::AudienceReport::matching_rows`]). `value(row)` receives the row's index in
/// the table.
///
/// ```
/// use audience_engine::export::{write_clustered_rows, ClusteredCsvOptions};
/// use audience_engine::ingest::{read_table, IngestOptions};
///
/// let table = read_table(b"name\nAnn\nBob\nCy\n", &IngestOptions::default()).unwrap().table;
/// let segment = |row: usize| ["1", "2", "1"][row].to_string();
/// let mut out = Vec::new();
/// write_clustered_rows(&table, &ClusteredCsvOptions::default(), &[0, 2], &[("segment", &segment)], &mut out)
///     .unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), "name,segment\nAnn,1\nCy,1\n");
/// ```
///
/// # Errors
/// As [`write_clustered_csv`].
pub fn write_clustered_rows<W: Write>(
    table: &Table,
    options: &ClusteredCsvOptions,
    rows: &[usize],
    extra_columns: &[(&str, &dyn Fn(usize) -> String)],
    out: W,
) -> Result<(), ExportError> {
    let n = table.n_rows();
    write_rows(
        table,
        options,
        rows.iter().copied().filter(|&row| row < n),
        extra_columns,
        out,
        write_threads(rows.len()),
    )
}

/// Rows each thread writes at a time.
const ROWS_PER_BLOCK: usize = 16_384;

/// Threads that write `rows` rows: the cores natively for a large file, else one (always one in wasm32).
fn write_threads(rows: usize) -> usize {
    if rows < crate::parallel::ROWS_FOR_THREADS {
        1
    } else {
        crate::parallel::cores()
    }
}

/// Writes the header, then `rows`: on one thread as they come, or natively on `threads` threads, block by
/// block (the extra columns' values found on this thread, the blocks' bytes written in row order), which
/// gives the same bytes.
fn write_rows<W: Write>(
    table: &Table,
    options: &ClusteredCsvOptions,
    rows: impl Iterator<Item = usize>,
    extra_columns: &[(&str, &dyn Fn(usize) -> String)],
    out: W,
    threads: usize,
) -> Result<(), ExportError> {
    let delimiter = options.delimiter;
    if !delimiter.is_ascii() || matches!(delimiter, b'"' | b'\n' | b'\r') {
        return Err(ExportError::InvalidDelimiter {
            delimiter: char::from(delimiter),
        });
    }
    let columns = table.columns();
    let input_cells = options.input_cells;
    // For each table column, the extra column that replaces it; then the extra columns appended.
    let mut replaced: Vec<Option<usize>> = vec![None; columns.len()];
    let mut appended: Vec<usize> = Vec::new();
    let mut names: Vec<String> = columns
        .iter()
        .map(|c| input_cells.apply(&c.name).into_owned())
        .collect();
    for (extra, (name, _)) in extra_columns.iter().enumerate() {
        let existing = columns.iter().position(|c| c.name == *name);
        let repeated = extra_columns[..extra].iter().any(|(n, _)| n == name);
        match existing {
            Some(position) if options.replace_existing && !repeated => {
                replaced[position] = Some(extra);
            }
            Some(position) => {
                return Err(ExportError::DuplicateColumn {
                    name: (*name).to_owned(),
                    position: position + 1,
                    columns: columns.len() + appended.len(),
                })
            }
            None if repeated => {
                let first = appended
                    .iter()
                    .position(|&e| extra_columns[e].0 == *name)
                    .unwrap_or(0);
                return Err(ExportError::DuplicateColumn {
                    name: (*name).to_owned(),
                    position: columns.len() + 1 + first,
                    columns: columns.len() + appended.len(),
                });
            }
            None => {
                appended.push(extra);
                names.push(escape_formula(name).into_owned());
            }
        }
    }
    let builder = {
        let mut builder = WriterBuilder::new();
        builder
            .delimiter(delimiter)
            .quote_style(QuoteStyle::Necessary)
            .terminator(Terminator::Any(b'\n'));
        builder
    };
    let mut writer = builder.from_writer(out);
    writer.write_record(&names)?;
    let layout = RowLayout {
        table,
        input_cells,
        replaced: &replaced,
        appended: &appended,
    };
    let mut extras: Vec<String> = Vec::with_capacity(extra_columns.len());
    if threads <= 1 {
        for row in rows {
            extras.clear();
            extras.extend(extra_columns.iter().map(|(_, value)| value(row)));
            layout.write_row(&mut writer, row, &extras)?;
        }
        writer.flush()?;
        return Ok(());
    }
    let mut out = writer
        .into_inner()
        .map_err(|error| ExportError::Io(error.into_error()))?;
    let mut rows = rows.peekable();
    let width = extra_columns.len();
    while rows.peek().is_some() {
        // A round: a block of rows per thread, with their extra values.
        let round: Vec<usize> = rows.by_ref().take(ROWS_PER_BLOCK * threads).collect();
        extras.clear();
        for &row in &round {
            extras.extend(extra_columns.iter().map(|(_, value)| value(row)));
        }
        let blocks: Vec<(&[usize], &[String])> = round
            .chunks(ROWS_PER_BLOCK)
            .enumerate()
            .map(|(block, rows)| {
                let first = block * ROWS_PER_BLOCK * width;
                (rows, &extras[first..first + rows.len() * width])
            })
            .collect();
        let written = crate::parallel::map_in_order(blocks, threads, |(rows, extras)| {
            let mut block = builder.from_writer(Vec::new());
            for (at, &row) in rows.iter().enumerate() {
                layout.write_row(&mut block, row, &extras[at * width..(at + 1) * width])?;
            }
            block
                .into_inner()
                .map_err(|error| ExportError::Io(error.into_error()))
        });
        for block in written {
            out.write_all(&block?)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Where each written field comes from: the table's cells (as read or with formulas escaped), or an extra
/// column in place of one of them, then the appended extra columns.
struct RowLayout<'a> {
    table: &'a Table,
    input_cells: InputCells,
    /// For each table column, the extra column that replaces it.
    replaced: &'a [Option<usize>],
    /// The extra columns appended, in order.
    appended: &'a [usize],
}

impl RowLayout<'_> {
    /// Writes `row`, field by field, each input cell straight from the table (a copy only when it is
    /// escaped): no `String` per cell. `extras` holds the row's extra values, one per extra column.
    fn write_row<W: Write>(
        &self,
        writer: &mut csv::Writer<W>,
        row: usize,
        extras: &[String],
    ) -> Result<(), ExportError> {
        for (column, replacement) in self.table.columns().iter().zip(self.replaced) {
            match replacement {
                Some(extra) => writer.write_field(escape_formula(&extras[*extra]).as_bytes())?,
                None => writer.write_field(self.input_cells.apply(column.text(row)).as_bytes())?,
            }
        }
        for &extra in self.appended {
            writer.write_field(escape_formula(&extras[extra]).as_bytes())?;
        }
        writer.write_record(None::<&[u8]>)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{read_table, IngestOptions};

    fn table(csv: &str) -> Table {
        read_table(csv.as_bytes(), &IngestOptions::default())
            .unwrap()
            .table
    }

    fn written(table: &Table, options: &ClusteredCsvOptions, name: &str) -> String {
        let value = |row: usize| ["=evil()", "+1+1", "-2", "Savers"][row % 4].to_string();
        let mut out = Vec::new();
        write_clustered_csv_with(table, options, &[(name, &value)], &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn input_formulas_are_escaped_by_default_and_kept_when_asked() {
        let t = table("=h,n\n=1+1,-3.5\n@x,+7\n-a,x\nb,c\n");
        assert_eq!(
            written(&t, &ClusteredCsvOptions::default(), "segment_name"),
            "'=h,n,segment_name\n'=1+1,-3.5,'=evil()\n'@x,+7,'+1+1\n'-a,x,-2\nb,c,Savers\n"
        );
        let unchanged = ClusteredCsvOptions {
            input_cells: InputCells::Unchanged,
            ..ClusteredCsvOptions::default()
        };
        // Input cells byte for byte; the generated column is escaped either way.
        assert_eq!(
            written(&t, &unchanged, "segment_name"),
            "=h,n,segment_name\n=1+1,-3.5,'=evil()\n@x,+7,'+1+1\n-a,x,-2\nb,c,Savers\n"
        );
    }

    #[test]
    fn an_existing_column_is_replaced_in_place_only_when_asked() {
        let t = table("a,segment,b\n1,old,x\n2,old,y\n3,old,z\n4,old,w\n");
        let err = write_clustered_csv_with(
            &t,
            &ClusteredCsvOptions::default(),
            &[("segment", &|_| String::new())],
            Vec::new(),
        )
        .unwrap_err();
        assert!(matches!(
            err,
            ExportError::DuplicateColumn {
                position: 2,
                columns: 3,
                ..
            }
        ));
        let replace = ClusteredCsvOptions {
            replace_existing: true,
            ..ClusteredCsvOptions::default()
        };
        assert_eq!(
            written(&t, &replace, "segment"),
            "a,segment,b\n1,'=evil(),x\n2,'+1+1,y\n3,-2,z\n4,Savers,w\n"
        );
    }

    #[test]
    fn two_extra_columns_of_one_name_are_refused() {
        let t = table("a\n1\n");
        let err = write_clustered_csv_with(
            &t,
            &ClusteredCsvOptions::default(),
            &[("s", &|_| String::new()), ("s", &|_| String::new())],
            Vec::new(),
        )
        .unwrap_err();
        assert!(matches!(
            err,
            ExportError::DuplicateColumn { position: 2, .. }
        ));
    }
    #[test]
    fn a_file_written_block_by_block_on_threads_is_the_file_written_on_one() {
        // Rounds of several blocks and a last partial one; cells to quote, formulas to escape, a column
        // replaced in place, none or two extra columns, every row or a subset in another order.
        let mut text = String::from("id,segment,note,amount\n");
        for row in 0..(2 * ROWS_PER_BLOCK * 3 + 1_234) {
            let note = ["plain", "\"quoted, with comma\"", "=HYPERLINK(x)", "Zoë"][row % 4];
            text.push_str(&format!("C{row},old,{note},{}\n", row % 977));
        }
        let t = table(&text);
        let label = |row: usize| format!("segment {}", row % 17);
        let risky = |row: usize| ["=evil()", "Savers", "a,b"][row % 3].to_string();
        let two: [(&str, &dyn Fn(usize) -> String); 2] =
            [("segment", &label), ("segment_name", &risky)];
        let options = ClusteredCsvOptions {
            replace_existing: true,
            ..ClusteredCsvOptions::default()
        };
        let subset: Vec<usize> = (0..t.n_rows()).rev().step_by(3).collect();
        let write =
            |rows: &[usize], extras: &[(&str, &dyn Fn(usize) -> String)], threads: usize| {
                let mut out = Vec::new();
                write_rows(
                    &t,
                    &options,
                    rows.iter().copied(),
                    extras,
                    &mut out,
                    threads,
                )
                .unwrap();
                String::from_utf8(out).unwrap()
            };
        let every: Vec<usize> = (0..t.n_rows()).collect();
        for (rows, extras) in [(&every, &two[..]), (&subset, &two[..]), (&every, &[][..])] {
            let on_one = write(rows, extras, 1);
            assert_eq!(on_one.lines().count(), rows.len() + 1);
            for threads in [2, 3] {
                assert_eq!(write(rows, extras, threads), on_one, "{threads} threads");
            }
        }
        let on_one = write(&every, &two, 1);
        assert!(on_one
            .starts_with("id,segment,note,amount,segment_name\nC0,segment 0,plain,0,'=evil()\n"));
        assert!(on_one.contains("\nC2,segment 2,'=HYPERLINK(x),2,\"a,b\"\n"));
    }
}
