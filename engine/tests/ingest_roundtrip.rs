//! Property tests: random tables written by the `csv` crate (random delimiters, quoting and line ends)
//! read back cell for cell, bad rows are reported at their exact lines, and the counts add up.

use audience_engine::export::write_clustered_csv;
use audience_engine::ingest::{read_table, HeaderMode, IngestOptions, Ingested, RowIssueKind};
use csv::{QuoteStyle, Terminator, WriterBuilder};
use proptest::prelude::*;

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// A field: any mix of letters, digits, spaces, quotes, line breaks, accents and `extra` characters.
fn field(extra: &'static str) -> impl Strategy<Value = String> {
    let alphabet: Vec<char> = format!("abcXYZ019 .-\"\r\néü€{extra}").chars().collect();
    prop::collection::vec(prop::sample::select(alphabet), 0..8)
        .prop_map(|c| c.into_iter().collect())
}

/// A row whose first field starts with a letter, so no row is blank.
fn row(fields: usize, extra: &'static str) -> impl Strategy<Value = Vec<String>> {
    (
        prop::sample::select(vec!['a', 'q', 'Z']),
        prop::collection::vec(field(extra), fields),
    )
        .prop_map(|(first, mut fields)| {
            fields[0].insert(0, first);
            fields
        })
}

fn table(extra: &'static str) -> impl Strategy<Value = (Vec<String>, Vec<Vec<String>>)> {
    (2usize..6).prop_flat_map(move |columns| {
        let names = (0..columns).map(|j| format!("col{j}")).collect::<Vec<_>>();
        (
            Just(names),
            prop::collection::vec(row(columns, extra), 1..25),
        )
    })
}

fn style() -> impl Strategy<Value = (QuoteStyle, Terminator)> {
    (
        prop::sample::select(vec![
            QuoteStyle::Necessary,
            QuoteStyle::Always,
            QuoteStyle::NonNumeric,
        ]),
        prop::sample::select(vec![Terminator::CRLF, Terminator::Any(b'\n')]),
    )
}

/// Line breaks as an editor counts them: `\n`, `\r\n` and a lone `\r` (also inside quoted fields).
fn line_breaks(bytes: &[u8]) -> u64 {
    let lone_cr = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
    (0..bytes.len())
        .filter(|&i| bytes[i] == b'\n' || lone_cr(i))
        .count() as u64
}

/// Writes records one by one; returns the bytes and the 1-based line where each record starts.
fn write(
    records: &[Vec<String>],
    delimiter: u8,
    (quote, terminator): (QuoteStyle, Terminator),
) -> (Vec<u8>, Vec<u64>) {
    let mut writer = WriterBuilder::new()
        .delimiter(delimiter)
        .quote_style(quote)
        .terminator(terminator)
        .flexible(true)
        .from_writer(Vec::new());
    let mut lines = Vec::new();
    for record in records {
        writer.flush().unwrap();
        lines.push(1 + line_breaks(writer.get_ref()));
        writer.write_record(record).unwrap();
    }
    (writer.into_inner().unwrap(), lines)
}

fn assert_same_cells(ingested: &Ingested, names: &[String], rows: &[Vec<String>]) {
    let table = &ingested.table;
    assert_eq!(table.n_rows(), rows.len());
    let read_names: Vec<&str> = table.columns().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(read_names, names);
    for (r, row) in rows.iter().enumerate() {
        for (column, text) in table.columns().iter().zip(row) {
            assert_eq!(column.text(r), text, "row {r}, column {}", column.name);
        }
    }
}

fn header_only() -> IngestOptions {
    IngestOptions {
        header: HeaderMode::Present,
        ..IngestOptions::default()
    }
}

proptest! {
    #[test]
    fn any_delimiter_and_quoting_reads_back_identically(
        (names, rows) in table(",;\t|"),
        delimiter in prop::sample::select(DELIMITERS.to_vec()),
        style in style(),
    ) {
        let mut records = vec![names.clone()];
        records.extend(rows.iter().cloned());
        let (bytes, _) = write(&records, delimiter, style);
        let options = IngestOptions { delimiter: Some(delimiter), ..header_only() };
        let ingested = read_table(&bytes, &options).unwrap();
        let report = &ingested.report;
        prop_assert_eq!(report.rows_in_file, rows.len());
        prop_assert_eq!(report.rows_in_file, report.rows_kept + report.rows_skipped);
        prop_assert_eq!(report.rows_skipped, 0);
        prop_assert_eq!(report.blank_lines, 0);
        assert_same_cells(&ingested, &names, &rows);

        // And through the clustered-CSV export, with a segment column, again.
        let segment = |row: usize| (row % 3).to_string();
        let mut out = Vec::new();
        write_clustered_csv(&ingested.table, delimiter, &[("segment", &segment)], &mut out).unwrap();
        let again = read_table(&out, &options).unwrap();
        let mut names_again = names.clone();
        names_again.push("segment".into());
        let rows_again: Vec<Vec<String>> = rows
            .iter()
            .enumerate()
            .map(|(r, row)| row.iter().cloned().chain([segment(r)]).collect())
            .collect();
        assert_same_cells(&again, &names_again, &rows_again);
    }

    #[test]
    fn the_delimiter_is_detected_when_fields_hold_no_other_candidate(
        (names, rows) in table(""),
        delimiter in prop::sample::select(DELIMITERS.to_vec()),
        style in style(),
        with_delimiter_in_fields in any::<bool>(),
    ) {
        // Fields may hold the file's own delimiter (quoted), never another candidate.
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|row| row.into_iter().enumerate().map(|(j, mut f)| {
                if with_delimiter_in_fields && j == 1 { f.push(char::from(delimiter)); }
                f
            }).collect())
            .collect();
        let mut records = vec![names.clone()];
        records.extend(rows.iter().cloned());
        let (bytes, _) = write(&records, delimiter, style);
        let ingested = read_table(&bytes, &header_only()).unwrap();
        prop_assert_eq!(ingested.report.delimiter, char::from(delimiter));
        assert_same_cells(&ingested, &names, &rows);
    }

    #[test]
    fn ragged_rows_are_reported_at_their_lines_and_counts_add_up(
        (names, rows) in table(",;\t|"),
        ragged in prop::collection::vec((0usize..30, 1usize..8), 0..6),
        delimiter in prop::sample::select(DELIMITERS.to_vec()),
        style in style(),
    ) {
        let columns = names.len();
        // Insert ragged rows (never more than the good ones, so the usual width stays `columns`).
        let mut records: Vec<(bool, Vec<String>)> = rows.iter().map(|r| (false, r.clone())).collect();
        for &(at, width) in ragged.iter().take(rows.len().saturating_sub(1)) {
            let width = if width == columns { columns + 1 } else { width };
            let bad: Vec<String> = (0..width).map(|j| format!("r{j}")).collect();
            records.insert(at.min(records.len()), (true, bad));
        }
        let mut all = vec![names.clone()];
        all.extend(records.iter().map(|(_, r)| r.clone()));
        let (bytes, lines) = write(&all, delimiter, style);
        let expected_lines: Vec<u64> = records
            .iter()
            .zip(&lines[1..])
            .filter(|((bad, _), _)| *bad)
            .map(|(_, &line)| line)
            .collect();
        let options = IngestOptions { delimiter: Some(delimiter), ..header_only() };
        let ingested = read_table(&bytes, &options).unwrap();
        let report = &ingested.report;
        prop_assert_eq!(report.rows_in_file, records.len());
        prop_assert_eq!(report.rows_in_file, report.rows_kept + report.rows_skipped);
        prop_assert_eq!(report.rows_skipped, expected_lines.len());
        let issue_lines: Vec<u64> = report.issues.iter().map(|i| i.line).collect();
        prop_assert_eq!(issue_lines, expected_lines);
        prop_assert!(report.issues.iter().all(|i| i.kind == RowIssueKind::Ragged));
        let kept: Vec<Vec<String>> = records.into_iter().filter(|(bad, _)| !bad).map(|(_, r)| r).collect();
        assert_same_cells(&ingested, &names, &kept);
    }
}
