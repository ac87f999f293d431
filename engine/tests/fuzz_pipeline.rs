//! Fuzz harness on stable Rust (issue #12): proptest over ingest and the whole pipeline (ingest → encode →
//! segment → profile → exports) with arbitrary bytes and with structured near-CSV text.
//!
//! Checked on every input: no panic; `rows_in_file == rows_kept + rows_skipped`; on line-per-record input,
//! every non-blank line is accounted for (header + preamble + repeated headers + rows = non-blank lines);
//! when segmentation succeeds, every row has a segment and every segment's share is within the bounds;
//! the clustered CSV reads back with every kept row's fields identical.
//!
//! A normal `cargo test` runs 64 cases per property. The fixed fuzzing budget (see the README):
//!
//! ```text
//! PROPTEST_CASES=20000 cargo test --release -p audience-engine --test fuzz_pipeline
//! ```

use audience_engine::cluster::{KChoice, KMediansParams, ShareBounds};
use audience_engine::encode::{default_selection, encode};
use audience_engine::export::personas_json::personas_json;
use audience_engine::export::summary_csv::write_summary_csv;
use audience_engine::export::write_clustered_csv;
use audience_engine::ingest::{read_table, HeaderMode, IngestOptions, Ingested};
use audience_engine::profile::{profile_segments, ProfileParams};
use proptest::prelude::*;

const MIN_SHARE: f64 = 0.2;
const MAX_SHARE: f64 = 0.8;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        // Shrunk failures are printed; nothing is written next to the sources.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn header_mode() -> impl Strategy<Value = HeaderMode> {
    prop::sample::select(vec![
        HeaderMode::Auto,
        HeaderMode::Present,
        HeaderMode::Absent,
    ])
}

/// Report invariants that hold for every successful read.
fn check_report(ingested: &Ingested) -> Result<(), TestCaseError> {
    let report = &ingested.report;
    prop_assert_eq!(report.rows_in_file, report.rows_kept + report.rows_skipped);
    prop_assert_eq!(ingested.table.n_rows(), report.rows_kept);
    prop_assert!(
        report.rows_in_file > 0,
        "a read without data rows must fail"
    );
    prop_assert_eq!(report.has_header, report.header.has_header);
    prop_assert_eq!(report.columns.len(), ingested.table.columns().len());
    Ok(())
}

/// Encode → segment (k = 2, shares 0.2..0.8) → profile → exports; the exported clustered CSV reads back.
fn run_pipeline(ingested: &Ingested) -> Result<(), TestCaseError> {
    let table = &ingested.table;
    let n = table.n_rows();
    let selection = default_selection(table, None);
    if n < 2 || selection.variables.is_empty() {
        return Ok(());
    }
    let Ok(matrix) = encode(table, &selection) else {
        return Ok(());
    };
    let params = KMediansParams::new()
        .with_k(KChoice::Fixed(2))
        .with_bounds(Some(ShareBounds {
            min: MIN_SHARE,
            max: MAX_SHARE,
        }))
        .with_restarts(1)
        .with_seed(7);
    let Ok(segmentation) = params.fit(&matrix) else {
        return Ok(());
    };
    prop_assert_eq!(segmentation.labels.len(), n);
    let mut sizes = vec![0usize; segmentation.k];
    for &label in &segmentation.labels {
        sizes[label as usize] += 1;
    }
    prop_assert_eq!(&sizes, &segmentation.sizes);
    for &size in &sizes {
        let share = size as f64 / n as f64;
        prop_assert!(
            (MIN_SHARE - 1e-9..=MAX_SHARE + 1e-9).contains(&share),
            "a segment of {} of {} rows",
            size,
            n
        );
    }
    if let Ok(report) = profile_segments(table, &segmentation.labels, &ProfileParams::new()) {
        personas_json(&report).expect("personas JSON");
        write_summary_csv(&report, Vec::new()).expect("summary CSV");
    }
    let delimiter = ingested.report.delimiter as u8;
    let labels = &segmentation.labels;
    let segment = |row: usize| (labels[row] + 1).to_string();
    let mut out = Vec::new();
    if write_clustered_csv(table, delimiter, &[("segment", &segment)], &mut out).is_err() {
        return Ok(()); // a `segment` column already there: refused, not overwritten
    }
    let options = IngestOptions {
        delimiter: Some(delimiter),
        header: HeaderMode::Present,
        ..IngestOptions::default()
    };
    let again = read_table(&out, &options).expect("the clustered CSV reads back");
    prop_assert_eq!(again.table.n_rows(), n);
    for (column, back) in table.columns().iter().zip(again.table.columns()) {
        prop_assert_eq!(&column.name, &back.name);
        for row in 0..n {
            prop_assert_eq!(column.text(row), back.text(row));
        }
    }
    Ok(())
}

/// A field of a line-per-record file: no quotes and no line breaks.
fn plain_field() -> impl Strategy<Value = String> {
    let pieces = vec![
        "",
        " ",
        "a",
        "Ann",
        "Paris",
        "yes",
        "no",
        "1",
        "2.5",
        "-3",
        "1,5",
        "NA",
        "=1+1",
        "#",
        "sep=;",
        "é",
        "€",
        "2024-03-01",
        "x y",
        "\t",
        ";",
        "|",
    ];
    prop::collection::vec(prop::sample::select(pieces), 1..3).prop_map(|p| p.concat())
}

/// Lines of fields joined by one delimiter, with optional title/comment/`sep=` lines and repeated headers.
fn line_file() -> impl Strategy<Value = (Vec<String>, u8, String)> {
    (
        prop::sample::select(vec![b',', b';', b'\t', b'|']),
        2usize..5,
        prop::collection::vec(prop::collection::vec(plain_field(), 1..6), 0..30),
        prop::collection::vec(
            prop::sample::select(vec!["Report", "# note", "sep=;", "", "   "]),
            0..3,
        ),
        prop::sample::select(vec!["\n", "\r\n", "\r"]),
    )
        .prop_map(|(delimiter, width, rows, preamble, ending)| {
            let d = char::from(delimiter).to_string();
            let mut lines: Vec<String> = preamble.iter().map(|s| s.to_string()).collect();
            let header: Vec<String> = (0..width).map(|j| format!("col{j}")).collect();
            lines.push(header.join(&d));
            for (i, row) in rows.iter().enumerate() {
                // Rows are mostly `width` wide; a few are ragged, and every 7th line repeats the header.
                let fields: Vec<String> = if i % 5 == 4 {
                    row.clone()
                } else {
                    (0..width)
                        .map(|j| row.get(j).cloned().unwrap_or_default())
                        .collect()
                };
                lines.push(fields.join(&d));
                if i % 7 == 6 {
                    lines.push(header.join(&d));
                }
            }
            (lines, delimiter, ending.to_string())
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic_and_counts_add_up(
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        header in header_mode(),
    ) {
        let options = IngestOptions { header, ..IngestOptions::default() };
        if let Ok(ingested) = read_table(&bytes, &options) {
            check_report(&ingested)?;
            run_pipeline(&ingested)?;
        }
    }

    #[test]
    fn near_csv_text_never_panics_and_counts_add_up(
        pieces in prop::collection::vec(
            prop::sample::select(vec![
                "a", "1", "2.5", ",", ";", "\t", "|", "\"", "\"\"", "\n", "\r\n", "\r", " ", "#", "sep=,",
                "\u{0}", "é", "\u{feff}", "NA", "=SUM(A1)", "yes", "no", "2024-01-31", "name,age\n",
            ]),
            0..120,
        ),
        header in header_mode(),
    ) {
        let text: String = pieces.concat();
        let options = IngestOptions { header, ..IngestOptions::default() };
        if let Ok(ingested) = read_table(text.as_bytes(), &options) {
            check_report(&ingested)?;
            run_pipeline(&ingested)?;
        }
    }

    #[test]
    fn every_line_of_a_line_per_record_file_is_accounted_for(
        (lines, delimiter, ending) in line_file(),
        header in header_mode(),
        force_delimiter in any::<bool>(),
    ) {
        let text = lines.iter().map(|l| format!("{l}{ending}")).collect::<String>();
        let options = IngestOptions {
            header,
            delimiter: force_delimiter.then_some(delimiter),
            ..IngestOptions::default()
        };
        let Ok(ingested) = read_table(text.as_bytes(), &options) else {
            return Ok(());
        };
        check_report(&ingested)?;
        let report = &ingested.report;
        let d = report.delimiter;
        let non_blank = lines
            .iter()
            .filter(|l| l.split(d).any(|f| !f.trim().is_empty()))
            .count();
        prop_assert_eq!(
            usize::from(report.has_header)
                + report.preamble.len()
                + report.repeated_headers
                + report.rows_in_file,
            non_blank,
            "header {} + preamble {} + repeated headers {} + rows {}",
            report.has_header,
            report.preamble.len(),
            report.repeated_headers,
            report.rows_in_file
        );
        run_pipeline(&ingested)?;
    }
}
