//! Known-answer fixtures for CSV ingest: every expected value below was worked out by hand.

use audience_engine::export::{write_clustered_csv, ExportError};
use audience_engine::ingest::{
    column_summary, read_table, retype, BadRowPolicy, ColumnRename, Encoding, HeaderChoice,
    HeaderMode, HeaderReason, IngestError, IngestOptions, Ingested, PreambleKind, RowIssueKind,
    DEFAULT_MISSING_MARKERS,
};
use audience_engine::table::{Cell, Column, ColumnType, Table};

fn read(text: &str) -> Ingested {
    read_bytes(text.as_bytes())
}

fn read_bytes(bytes: &[u8]) -> Ingested {
    read_table(bytes, &IngestOptions::default()).expect("fixture should read")
}

fn read_err(bytes: &[u8]) -> IngestError {
    read_table(bytes, &IngestOptions::default()).expect_err("fixture should fail")
}

fn texts(column: &Column) -> Vec<&str> {
    (0..column.len()).map(|row| column.text(row)).collect()
}

fn numbers(column: &Column) -> Vec<Option<f64>> {
    (0..column.len()).map(|row| column.number(row)).collect()
}

fn labels(column: &Column) -> Vec<&str> {
    column.levels().iter().map(|l| l.label.as_str()).collect()
}

fn positions(column: &Column) -> Vec<f64> {
    column
        .levels()
        .iter()
        .map(|l| l.position.unwrap())
        .collect()
}

fn types(table: &Table) -> Vec<ColumnType> {
    table.columns().iter().map(Column::column_type).collect()
}

fn assert_counts_add_up(ingested: &Ingested) {
    let r = &ingested.report;
    assert_eq!(r.rows_in_file, r.rows_kept + r.rows_skipped);
    assert_eq!(ingested.table.n_rows(), r.rows_kept);
}

// ---------------------------------------------------------------- delimiters, encodings, quoting

#[test]
fn each_delimiter_reads_the_same_table() {
    for delimiter in [',', ';', '\t', '|'] {
        let d = delimiter;
        let text = format!(
            "name{d}age{d}city\nAnn{d}34{d}Paris\nBob{d}41{d}\"Rome{d} IT\"\nCy{d}29{d}Oslo\n"
        );
        let ingested = read(&text);
        assert_eq!(ingested.report.delimiter, delimiter);
        assert!(ingested.report.has_header);
        let table = &ingested.table;
        assert_eq!(table.n_rows(), 3);
        assert_eq!(
            texts(table.column("city").unwrap()),
            ["Paris", &format!("Rome{d} IT"), "Oslo"]
        );
        assert_eq!(
            numbers(table.column("age").unwrap()),
            [Some(34.0), Some(41.0), Some(29.0)]
        );
        assert_counts_add_up(&ingested);
    }
}

fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect()
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        out.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    out
}

#[test]
fn each_encoding_reads_the_same_accented_text() {
    let text = "nom;ville;âge\nZoë;Genève;34\nJosé;Münster;41\n";
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    let cases = [
        (text.as_bytes().to_vec(), Encoding::Utf8),
        (bom, Encoding::Utf8Bom),
        (latin1(text), Encoding::Windows1252),
        (utf16(text, false), Encoding::Utf16Le),
        (utf16(text, true), Encoding::Utf16Be),
    ];
    for (bytes, encoding) in cases {
        let ingested = read_bytes(&bytes);
        assert_eq!(ingested.report.encoding, encoding);
        let table = &ingested.table;
        let names: Vec<&str> = table.columns().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["nom", "ville", "âge"],
            "{encoding:?}: the BOM must not stick to the first name"
        );
        assert_eq!(
            texts(table.column("ville").unwrap()),
            ["Genève", "Münster"],
            "{encoding:?}"
        );
        assert_eq!(
            texts(table.column("nom").unwrap()),
            ["Zoë", "José"],
            "{encoding:?}"
        );
    }
}

#[test]
fn windows_1252_specials_decode() {
    // 0x80 is the euro sign and 0x93/0x94 curly quotes in Windows-1252 (not in Latin-1).
    let ingested = read_bytes(b"item,price\nbook \x93new\x94,\x8010\n");
    assert_eq!(ingested.report.encoding, Encoding::Windows1252);
    assert_eq!(
        ingested.table.column("item").unwrap().text(0),
        "book \u{201C}new\u{201D}"
    );
    assert_eq!(ingested.table.column("price").unwrap().text(0), "€10");
}

#[test]
fn quoted_fields_keep_delimiters_quotes_and_line_breaks_and_crlf_is_a_line_end() {
    let text = "id,comment,n\r\n1,\"said \"\"hi\"\", left\",5\r\n2,\"two\r\nlines\",6\r\n3,plain,x,extra\r\n4,last,7\r\n";
    let ingested = read(text);
    let comment = ingested.table.column("comment").unwrap();
    assert_eq!(
        texts(comment),
        ["said \"hi\", left", "two\r\nlines", "last"]
    );
    // The ragged row starts on line 5: the quoted line break makes row 2 span lines 3–4.
    assert_eq!(ingested.report.issues.len(), 1);
    assert_eq!(ingested.report.issues[0].line, 5);
    assert_eq!(ingested.report.issues[0].kind, RowIssueKind::Ragged);
    assert_eq!(
        ingested.report.issues[0].message,
        "line 5: 4 fields, expected 3"
    );
    assert_counts_add_up(&ingested);
}

// ---------------------------------------------------------------- rows: ragged, blank, unterminated

const RAGGED: &str = "id,name,score\n1,Ann,3\n2,Bob\n3,\"Cy\n D\",5\n4,Dee,6,extra\n\n5,Eve,7\n";

#[test]
fn ragged_rows_are_skipped_and_reported_with_their_lines() {
    let ingested = read(RAGGED);
    let report = &ingested.report;
    assert_eq!(
        (report.rows_in_file, report.rows_kept, report.rows_skipped),
        (5, 3, 2)
    );
    assert_eq!(report.blank_lines, 1);
    let lines: Vec<u64> = report.issues.iter().map(|i| i.line).collect();
    assert_eq!(lines, [3, 6]);
    assert_eq!(report.issues[0].message, "line 3: 2 fields, expected 3");
    assert_eq!(report.issues[1].message, "line 6: 4 fields, expected 3");
    assert_eq!(
        texts(ingested.table.column("name").unwrap()),
        ["Ann", "Cy\n D", "Eve"]
    );
    assert_counts_add_up(&ingested);
}

#[test]
fn ragged_rows_fail_the_read_under_the_fail_policy() {
    let options = IngestOptions {
        bad_rows: BadRowPolicy::Fail,
        ..IngestOptions::default()
    };
    let error = read_table(RAGGED.as_bytes(), &options).unwrap_err();
    assert_eq!(
        error,
        IngestError::BadRows {
            count: 2,
            rows_in_file: 5,
            first_lines: vec![3, 6],
            first_problem: "line 3: 2 fields, expected 3".into(),
        }
    );
    assert_eq!(
        error.to_string(),
        "2 of 5 rows could not be read as-is (wrong number of fields or broken quoting), first at lines 3, 6 \
         (line 3: 2 fields, expected 3); fix those lines, or leave them out (they are then listed)"
    );
    // A clean file passes under Fail.
    assert!(read_table(b"a,b\n1,2\n", &options).is_ok());
}

#[test]
fn issue_list_is_capped_but_counts_are_complete() {
    let mut text = String::from("a,b\n");
    for i in 0..50 {
        text.push_str(&format!("{i},{i}\n{i}\n"));
    }
    let options = IngestOptions {
        max_issues: 10,
        ..IngestOptions::default()
    };
    let ingested = read_table(text.as_bytes(), &options).unwrap();
    assert_eq!(ingested.report.rows_skipped, 50);
    assert_eq!(ingested.report.rows_kept, 50);
    assert_eq!(ingested.report.issues.len(), 10);
    assert_eq!(ingested.report.issues[9].line, 21);
}

#[test]
fn blank_whitespace_and_delimiter_only_lines_are_counted_not_kept() {
    // lines: 1 header, 2 empty, 3 row, 4 spaces, 5 ",,", 6 row, 7 empty (after the last line feed)
    let ingested = read("a,b\n\n1,2\n   \n,,\n3,4\n\n");
    let report = &ingested.report;
    assert_eq!(
        (report.rows_in_file, report.rows_kept, report.blank_lines),
        (2, 2, 4)
    );
    assert_eq!(
        numbers(ingested.table.column("b").unwrap()),
        [Some(2.0), Some(4.0)]
    );
}

#[test]
fn a_quote_that_never_closes_is_a_bad_row() {
    let ingested = read("a,b\n1,2\n3,\"oops\n4,5\n6,7\n");
    let report = &ingested.report;
    assert_eq!(
        (report.rows_in_file, report.rows_kept, report.rows_skipped),
        (2, 1, 1)
    );
    assert_eq!(report.issues[0].line, 3);
    assert_eq!(report.issues[0].kind, RowIssueKind::UnterminatedQuote);
    assert_eq!(
        report.issues[0].message,
        "line 3: a quoted field opened on this line is never closed, so the last 3 lines were read as one \
         row; close the quote (\") or remove it"
    );
}

// ---------------------------------------------------------------- missing values

#[test]
fn every_default_missing_marker_is_missing_never_a_category() {
    let mut text = String::from("score,colour\n");
    for (i, marker) in DEFAULT_MISSING_MARKERS.iter().enumerate() {
        text.push_str(&format!("\"{marker}\",\"{marker}\"\n{},red\n", 2 * i));
    }
    let ingested = read(&text);
    let n = DEFAULT_MISSING_MARKERS.len();
    assert_eq!(
        ingested.table.n_rows(),
        2 * n - 1,
        "the all-empty row is a blank line"
    );
    let score = ingested.table.column("score").unwrap();
    assert_eq!(score.column_type(), ColumnType::Numeric);
    assert_eq!(score.missing_count(), n - 1);
    let colour = ingested.table.column("colour").unwrap();
    assert_eq!(colour.column_type(), ColumnType::Categorical);
    assert_eq!(labels(colour), ["red"]);
    assert_eq!(colour.missing_count(), n - 1);
    let summary = &ingested.report.columns[1];
    assert_eq!(
        (summary.missing, summary.unparsable, summary.distinct),
        (n - 1, 0, 1)
    );
    assert_eq!(ingested.report.blank_lines, 1);
}

#[test]
fn custom_missing_markers_replace_the_defaults() {
    let options = IngestOptions {
        missing_markers: vec!["-999".into()],
        ..IngestOptions::default()
    };
    let ingested = read_table(b"x,y\n-999,NA\n5,b\n7,a\n", &options).unwrap();
    let x = ingested.table.column("x").unwrap();
    assert_eq!(numbers(x), [None, Some(5.0), Some(7.0)]);
    let y = ingested.table.column("y").unwrap();
    assert_eq!(
        labels(y),
        ["NA", "a", "b"],
        "NA is an ordinary value now; ties sort by label"
    );
}

#[test]
fn unparsable_values_become_missing_and_are_counted_with_examples() {
    let mut text = String::from("amount\n");
    for i in 0..38 {
        text.push_str(&format!("{i}\n"));
    }
    text.push_str("error\nn.a.\n");
    let ingested = read(&text);
    let amount = ingested.table.column("amount").unwrap();
    assert_eq!(amount.column_type(), ColumnType::Numeric);
    assert!(amount.is_missing(38) && amount.is_missing(39));
    let summary = &ingested.report.columns[0];
    assert_eq!(
        (summary.missing, summary.unparsable, summary.distinct),
        (0, 2, 38)
    );
    assert_eq!(summary.unparsable_examples, ["error", "n.a."]);
}

#[test]
fn a_column_that_mostly_fails_a_type_is_not_given_it() {
    // 3 of 20 present values are not numbers (15%): categorical, not numeric with losses.
    let mut text = String::from("v\n");
    for i in 0..17 {
        text.push_str(&format!("{}\n", i % 4));
    }
    text.push_str("many\nfew\nmany\n");
    let v = &read(&text).table.columns()[0].clone();
    assert_eq!(v.column_type(), ColumnType::Categorical);
    assert_eq!(labels(v), ["0", "1", "2", "3", "many", "few"]);
}

// ---------------------------------------------------------------- typing

#[test]
fn numbers_as_spreadsheets_write_them() {
    let text = "a,b,c,d,e\n\"1,234.5\",$50,12%,-3,1e3\n\"2,000\",\"$1,250.75\",7.5%,+4,2.5E-1\n";
    let table = read(text).table;
    assert_eq!(types(&table), [ColumnType::Numeric; 5]);
    let rows: Vec<Vec<Option<f64>>> = table.columns().iter().map(numbers).collect();
    assert_eq!(
        rows,
        [
            vec![Some(1234.5), Some(2000.0)],
            vec![Some(50.0), Some(1250.75)],
            vec![Some(12.0), Some(7.5)],
            vec![Some(-3.0), Some(4.0)],
            vec![Some(1000.0), Some(0.25)],
        ]
    );
}

#[test]
fn semicolon_files_read_decimal_commas() {
    let table = read("x;y\n3,5;1.234,5\n-0,25;2\n1,234;10\n").table;
    assert_eq!(
        numbers(table.column("x").unwrap()),
        [Some(3.5), Some(-0.25), Some(1.234)]
    );
    assert_eq!(
        numbers(table.column("y").unwrap()),
        [Some(1234.5), Some(2.0), Some(10.0)]
    );
}

#[test]
fn binary_variants_map_negative_to_level_0() {
    let text = "a,b,c,d,e\nTRUE,yes,1,Y,No\nfalse,No,0,n,no\nTrue,YES,1,y,NO\n";
    let table = read(text).table;
    assert_eq!(types(&table), [ColumnType::Binary; 5]);
    let expected_labels = [
        ["false", "TRUE"],
        ["No", "YES"],
        ["0", "1"],
        ["n", "Y"],
        ["NO", "YES"],
    ];
    for (column, expected) in table.columns().iter().zip(expected_labels) {
        let levels: Vec<u32> = (0..3).map(|row| column.level(row).unwrap()).collect();
        if column.name == "e" {
            // Only negatives (No, no, NO: ties go to the first label in byte order): the positive
            // level is the counterpart in the same letter case.
            assert_eq!(labels(column), expected);
            assert_eq!(levels, [0, 0, 0]);
            continue;
        }
        assert_eq!(labels(column), expected, "column {}", column.name);
        assert_eq!(levels, [1, 0, 1], "column {}", column.name);
        assert_eq!(column.number(0), Some(1.0));
    }
}

#[test]
fn a_lone_digit_is_numeric_but_a_lone_word_is_binary() {
    let table = read("flag,ok\n1,yes\n1,yes\n,\n").table;
    assert_eq!(types(&table), [ColumnType::Numeric, ColumnType::Binary]);
    assert_eq!(labels(table.column("ok").unwrap()), ["no", "yes"]);
}

#[test]
fn every_ordinal_pattern_sorts_by_position() {
    let text = "age,income,tenure\n\
        55+,\"$50,000 to $74,999\",10+ years\n\
        18-24,\"Under $25,000\",1-2 years\n\
        25–34,\"$25,000 to $49,999\",Less than 1 year\n\
        65 and over,\"$75,000 or more\",3-5 years\n\
        35-44,,6-10 years\n\
        Under 18,\"$50,000 to $74,999\",1-2 years\n";
    let table = read(text).table;
    assert_eq!(types(&table), [ColumnType::Ordinal; 3]);

    let age = table.column("age").unwrap();
    assert_eq!(
        labels(age),
        ["Under 18", "18-24", "25–34", "35-44", "55+", "65 and over"]
    );
    // Under 18: 18 − 6/2; 55+: 55 + 9/2 (35-44 is its neighbour); 65+: 65 + 9/2 as well.
    assert_eq!(positions(age), [15.0, 21.0, 29.5, 39.5, 59.5, 69.5]);

    let income = table.column("income").unwrap();
    assert_eq!(
        labels(income),
        [
            "Under $25,000",
            "$25,000 to $49,999",
            "$50,000 to $74,999",
            "$75,000 or more"
        ]
    );
    assert_eq!(positions(income), [12_500.5, 37_499.5, 62_499.5, 87_499.5]);
    assert!(income.is_missing(4));

    let tenure = table.column("tenure").unwrap();
    assert_eq!(
        labels(tenure),
        [
            "Less than 1 year",
            "1-2 years",
            "3-5 years",
            "6-10 years",
            "10+ years"
        ]
    );
    assert_eq!(positions(tenure), [0.5, 1.5, 4.0, 8.0, 12.0]);
    assert_eq!(tenure.level(1), Some(1));
    assert_eq!(
        tenure.level(5),
        Some(1),
        "both rows of 1-2 years share a level"
    );
}

#[test]
fn short_band_forms_read_as_ordinal() {
    let table = read("inc,kids\n<30k,0\n30k-50k,1\n>50k,2\n<30k,3+\n").table;
    let inc = table.column("inc").unwrap();
    assert_eq!(inc.column_type(), ColumnType::Ordinal);
    assert_eq!(labels(inc), ["<30k", "30k-50k", ">50k"]);
    assert_eq!(positions(inc), [20_000.0, 40_000.0, 60_000.0]);
    let kids = table.column("kids").unwrap();
    assert_eq!(kids.column_type(), ColumnType::Ordinal);
    assert_eq!(positions(kids), [0.0, 1.0, 2.0, 3.0]);
}

#[test]
fn categorical_levels_by_count_then_label() {
    let table = read("colour\nb\na\nc\nb\nc\na\nd\nc\n").table;
    let c = &table.columns()[0];
    assert_eq!(labels(c), ["c", "a", "b", "d"]);
    assert_eq!(c.level(0), Some(2)); // "b"
}

#[test]
fn identifiers_are_recognised_by_uniqueness_name_or_row_numbers() {
    let mut text = String::from("email,customer_id,n,balance,plan\n");
    for i in 0..30 {
        // n counts 1..=30; balance is unique but meaningful; customer_id is unique and named like an id.
        text.push_str(&format!(
            "user{i}@example.org,{},{},{}.5,{}\n",
            1000 + 7 * i,
            i + 1,
            100 + i * i,
            ["a", "b"][i % 2]
        ));
    }
    let table = read(&text).table;
    assert_eq!(
        types(&table),
        [
            ColumnType::Identifier,
            ColumnType::Identifier,
            ColumnType::Identifier,
            ColumnType::Numeric,
            ColumnType::Categorical
        ]
    );
    assert_eq!(table.column("email").unwrap().cell(0), Cell::Text);
    // With fewer than 20 rows nothing is an identifier.
    let small = read("email\na@x.org\nb@y.org\nc@z.org\n").table;
    assert_eq!(types(&small), [ColumnType::Categorical]);
}

#[test]
fn date_formats_read_as_days_since_1970() {
    let text = "iso,us,eu,dotted\n2024-03-01,03/01/2024,01/03/2024,1.3.2024\n1970-01-02,12/31/1969,25/12/2023,31.12.1969\n";
    let table = read(text).table;
    assert_eq!(types(&table), [ColumnType::Date; 4]);
    assert_eq!(numbers(&table.columns()[0]), [Some(19_783.0), Some(1.0)]);
    assert_eq!(numbers(&table.columns()[1]), [Some(19_783.0), Some(-1.0)]);
    // 25/12 forces day-first for the whole column, so 01/03 is 1 March.
    assert_eq!(
        numbers(&table.columns()[2]),
        [Some(19_783.0), Some(19_716.0)]
    );
    assert_eq!(numbers(&table.columns()[3]), [Some(19_783.0), Some(-1.0)]);
}

#[test]
fn an_all_missing_column_is_empty() {
    let table = read("a,b\n1,\n2,NA\n").table;
    assert_eq!(types(&table), [ColumnType::Numeric, ColumnType::Empty]);
}

// ---------------------------------------------------------------- header

#[test]
fn a_file_without_header_gets_generated_names() {
    let ingested = read("34,50000,yes\n41,62000,no\n");
    assert!(!ingested.report.has_header);
    let names: Vec<&str> = ingested
        .table
        .columns()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["column_1", "column_2", "column_3"]);
    assert_eq!(ingested.table.n_rows(), 2);
    assert!(ingested.report.renamed_columns.is_empty());
}

#[test]
fn header_detection_can_be_overridden() {
    let forced = IngestOptions {
        header: HeaderMode::Absent,
        ..IngestOptions::default()
    };
    let ingested = read_table(b"name,city\nAnn,Paris\n", &forced).unwrap();
    assert_eq!(ingested.table.n_rows(), 2);
    assert_eq!(ingested.table.columns()[0].text(0), "name");
    let forced = IngestOptions {
        header: HeaderMode::Present,
        ..IngestOptions::default()
    };
    let ingested = read_table(b"1,2\n3,4\n", &forced).unwrap();
    assert_eq!(ingested.table.columns()[1].name, "2");
    assert_eq!(ingested.table.n_rows(), 1);
}

#[test]
fn empty_and_repeated_header_names_are_renamed_and_reported() {
    let ingested = read("name,,score,score,name_2\nAnn,x,1,2,3\n");
    let names: Vec<&str> = ingested
        .table
        .columns()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["name", "column_2", "score", "score_2", "name_2"]);
    assert_eq!(
        ingested.report.renamed_columns,
        [
            ColumnRename {
                index: 1,
                from: String::new(),
                to: "column_2".into()
            },
            ColumnRename {
                index: 3,
                from: "score".into(),
                to: "score_2".into()
            },
        ]
    );
}

#[test]
fn a_header_shorter_than_the_rows_is_padded() {
    let ingested = read("a,b\n1,2,x\n3,4,y\n5,6,z\n");
    assert_eq!(ingested.table.columns().len(), 3);
    assert_eq!(ingested.table.columns()[2].name, "column_3");
    assert_eq!(ingested.report.rows_kept, 3);
}

// ---------------------------------------------------------------- overrides

#[test]
fn type_overrides_apply_by_name_and_unknown_names_fail() {
    let options = IngestOptions {
        type_overrides: vec![("store".into(), ColumnType::Categorical)],
        ..IngestOptions::default()
    };
    // (A ZIP column is no longer numeric in the first place: see `ingest_inference.rs`.)
    let ingested = read_table(b"store,n\n2139,1\n10001,2\n2139,3\n", &options).unwrap();
    let store = ingested.table.column("store").unwrap();
    assert_eq!(store.column_type(), ColumnType::Categorical);
    assert_eq!(labels(store), ["2139", "10001"]);
    assert_eq!(
        ingested.report.columns[0].inferred_type,
        ColumnType::Numeric
    );
    let options = IngestOptions {
        type_overrides: vec![("nope".into(), ColumnType::Numeric)],
        ..IngestOptions::default()
    };
    assert_eq!(
        read_table(b"a\n1\n", &options).unwrap_err(),
        IngestError::UnknownColumn {
            name: "nope".into(),
            columns: 1
        }
    );
}

#[test]
fn retype_reinterprets_the_dictionary_and_counts_unparsable() {
    let table = read("v,t\n1,red\n2,blue\nx,red\nNA,green\n").table;
    let v = table.column("v").unwrap();
    assert_eq!(v.column_type(), ColumnType::Categorical);
    let options = IngestOptions::default();
    let numeric = retype(v, ColumnType::Numeric, &options).unwrap();
    assert_eq!(numbers(&numeric), [Some(1.0), Some(2.0), None, None]);
    assert_eq!(texts(&numeric), texts(v), "texts never change");
    let summary = column_summary(&numeric, &options);
    assert_eq!((summary.missing, summary.unparsable), (1, 1));
    assert_eq!(summary.unparsable_examples, ["x"]);

    let t = table.column("t").unwrap();
    let error = retype(t, ColumnType::Numeric, &options).unwrap_err();
    assert_eq!(
        error.to_string(),
        "column \"t\" cannot be Numeric: none of its 4 present values can be read that way (e.g. \"red\", \"blue\", \"green\")"
    );
    assert_eq!(
        retype(t, ColumnType::Binary, &options).unwrap_err(),
        IngestError::TooManyValuesForBinary {
            column: "t".into(),
            distinct: 3
        }
    );
    let ids = retype(t, ColumnType::Identifier, &options).unwrap();
    assert_eq!(ids.cell(0), Cell::Text);
    assert!(matches!(
        retype(t, ColumnType::Empty, &options),
        Err(IngestError::EmptyIsNotChoosable { .. })
    ));
}

#[test]
fn retype_to_binary_orders_two_arbitrary_values() {
    let table = read("g\nM\nF\nM\n").table;
    let g = retype(
        &table.columns()[0],
        ColumnType::Binary,
        &IngestOptions::default(),
    )
    .unwrap();
    assert_eq!(labels(&g), ["F", "M"]);
    assert_eq!(g.level(0), Some(1));
}

// ---------------------------------------------------------------- bad input

#[test]
fn bad_files_give_specific_errors() {
    assert_eq!(
        read_err(b""),
        IngestError::Empty {
            bytes: 0,
            bom: false
        }
    );
    assert!(matches!(
        read_err(b"\x00\x01\x02binary\x00"),
        IngestError::Binary { .. }
    ));
    assert_eq!(read_err(b"\n\n  \n"), IngestError::NoColumns { lines: 3 });
    assert_eq!(read_err(b",,,\n,,\n"), IngestError::NoColumns { lines: 2 });
    assert_eq!(
        read_err(br#"[{"a": 1, "b": 2}, {"a": 3, "b": 4}]"#),
        IngestError::OtherFormat { format: "JSON" }
    );
    assert_eq!(
        read_err(b"<!DOCTYPE html><html><body>hi</body></html>"),
        IngestError::OtherFormat { format: "HTML/XML" }
    );
    let prose = "It was a bright cold day in April and the clocks were striking thirteen\n\
                 Winston Smith his chin nuzzled into his breast in an effort to escape the vile wind\n";
    let error = read_err(prose.as_bytes());
    assert!(
        matches!(error, IngestError::NotDelimited { lines: 2, .. }),
        "{error:?}"
    );
    assert!(error
        .to_string()
        .starts_with("this does not look like a delimited table"));
    assert!(matches!(
        read_table(
            b"a,b\n",
            &IngestOptions {
                delimiter: Some(b'"'),
                ..IngestOptions::default()
            }
        ),
        Err(IngestError::InvalidDelimiter { delimiter: '"' })
    ));
}

#[test]
fn a_single_column_of_short_values_is_accepted() {
    let ingested = read("email\na@x.org\nb@y.org\n");
    assert_eq!(ingested.table.columns().len(), 1);
    assert_eq!(ingested.table.n_rows(), 2);
}

// ---------------------------------------------------------------- export round trip

#[test]
fn read_write_read_gives_the_same_cells() {
    let text = "id;name;note;age;spend\n1;Ann;\"a;b\";18-24;3,5\n2;\" Bob \";\"say \"\"x\"\"\";55+;NA\n3;Zoë;\"two\nlines\";25–34;12\n";
    let first = read(text);
    let segments = ["2", "1", "2"];
    let segment = |row: usize| segments[row].to_string();
    let name = |row: usize| format!("Segment {}", segments[row]);
    let mut out = Vec::new();
    write_clustered_csv(
        &first.table,
        b';',
        &[("segment", &segment), ("segment_name", &name)],
        &mut out,
    )
    .unwrap();
    let second = read_bytes(&out);
    assert_eq!(second.report.rows_kept, 3);
    for column in first.table.columns() {
        let again = second.table.column(&column.name).unwrap();
        assert_eq!(texts(again), texts(column), "{}", column.name);
        assert_eq!(again.column_type(), column.column_type(), "{}", column.name);
        let cells: Vec<Cell> = (0..3).map(|r| column.cell(r)).collect();
        let cells_again: Vec<Cell> = (0..3).map(|r| again.cell(r)).collect();
        assert_eq!(cells_again, cells, "{}", column.name);
    }
    assert_eq!(texts(second.table.column("segment").unwrap()), segments);
    assert_eq!(
        second.table.column("segment_name").unwrap().text(1),
        "Segment 1"
    );
}

#[test]
fn export_refuses_a_clashing_extra_column() {
    let table = read("segment,x\n1,2\n").table;
    let value = |_: usize| String::new();
    let error = write_clustered_csv(&table, b',', &[("segment", &value)], Vec::new()).unwrap_err();
    assert!(matches!(
        error,
        ExportError::DuplicateColumn {
            position: 1,
            columns: 2,
            ..
        }
    ));
}

#[test]
fn the_report_and_table_round_trip_through_json() {
    let ingested = read("name,age,vip\nAnn,18-24,yes\nBob,55+,no\n,,\nCy,25-34,yes\n");
    let json = serde_json::to_string(&ingested).unwrap();
    let back: Ingested = serde_json::from_str(&json).unwrap();
    assert_eq!(back, ingested);
    assert!(json.contains(r#""encoding":"utf8""#));
    assert!(json.contains(r#""column_type":"ordinal""#));
    assert!(!json.contains("NaN"));
}

// ---------------------------------------------------------------- issue #12: header choice, preambles, messages

const HEADERLESS_TEXT: &str = "Ann,Paris,gold\nBob,Rome,silver\nCy,Oslo,bronze\n";

#[test]
fn a_headerless_all_text_file_keeps_its_first_record_under_header_absent() {
    let absent = IngestOptions {
        header: HeaderMode::Absent,
        ..IngestOptions::default()
    };
    let ingested = read_table(HEADERLESS_TEXT.as_bytes(), &absent).unwrap();
    assert_eq!(ingested.table.n_rows(), 3);
    assert_eq!(texts(&ingested.table.columns()[0]), ["Ann", "Bob", "Cy"]);
    let names: Vec<&str> = ingested
        .table
        .columns()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["column_1", "column_2", "column_3"]);
    assert_eq!(
        ingested.report.header,
        HeaderChoice {
            mode: HeaderMode::Absent,
            has_header: false,
            reason: HeaderReason::Chosen,
            confident: true
        }
    );
}

#[test]
fn an_all_text_first_row_taken_as_header_is_reported_as_a_guess() {
    let ingested = read(HEADERLESS_TEXT);
    let header = ingested.report.header;
    assert!(header.has_header);
    assert_eq!(header.reason, HeaderReason::TextNotRepeated);
    assert!(!header.confident);
    assert!(header.explain().contains("could also be a customer"));
    // With numbers below, the same first row is a confident header.
    let ingested = read("name,city\nAnn,34\nBob,41\n");
    assert!(ingested.report.header.confident);
    assert_eq!(
        ingested.report.header.reason,
        HeaderReason::LabelsOverValues
    );
}

#[test]
fn header_present_uses_the_first_line_after_the_preamble() {
    let present = IngestOptions {
        header: HeaderMode::Present,
        ..IngestOptions::default()
    };
    let ingested = read_table(b"sep=;\n10;20\n1;2\n3;4\n", &present).unwrap();
    let names: Vec<&str> = ingested
        .table
        .columns()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["10", "20"]);
    assert_eq!(ingested.table.n_rows(), 2);
}

#[test]
fn title_and_comment_lines_are_skipped_reported_and_never_the_header() {
    let text = "Customer export - December\n# exported by CRM v2\nname,age,city\nAnn,34,Paris\nBob,41,Rome\n";
    let ingested = read(text);
    let report = &ingested.report;
    let preamble: Vec<(u64, PreambleKind)> =
        report.preamble.iter().map(|p| (p.line, p.kind)).collect();
    assert_eq!(
        preamble,
        [(1, PreambleKind::Title), (2, PreambleKind::Comment)]
    );
    assert_eq!(report.preamble[0].text, "Customer export - December");
    let names: Vec<&str> = ingested
        .table
        .columns()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["name", "age", "city"]);
    assert_eq!((report.rows_in_file, report.rows_kept), (2, 2));
    assert_eq!(report.blank_lines, 0);
}

#[test]
fn an_excel_sep_line_sets_the_delimiter_and_is_not_the_header() {
    // Commas inside the values would make `,` win the sniffing; `sep=;` says otherwise.
    let text = "sep=;\nname;income\nAnn;1,5\nBob;2,5\nCy;3,5\n";
    let ingested = read(text);
    let report = &ingested.report;
    assert_eq!(report.delimiter, ';');
    assert_eq!(report.preamble.len(), 1);
    assert_eq!(report.preamble[0].kind, PreambleKind::Separator);
    let income = ingested.table.column("income").unwrap();
    assert_eq!(numbers(income), [Some(1.5), Some(2.5), Some(3.5)]);
}

#[test]
fn bad_rows_after_a_preamble_are_reported_at_their_file_lines() {
    let text = "Title line\n\nname,age\nAnn,34\nBob\nCy,29\n";
    let report = read(text).report;
    assert_eq!(report.issues.len(), 1);
    assert_eq!(report.issues[0].line, 5);
    assert_eq!(report.issues[0].message, "line 5: 1 field, expected 2");
    assert_eq!(report.blank_lines, 1);
}

#[test]
fn a_repeated_header_is_counted_with_its_line_and_not_a_row() {
    let text = "name,age\nAnn,34\nBob,41\nname,age\nCy,29\n name , age ,\n";
    let ingested = read(text);
    let report = &ingested.report;
    assert_eq!(report.repeated_headers, 2);
    assert_eq!(report.repeated_header_lines, [4, 6]);
    assert_eq!((report.rows_in_file, report.rows_kept), (3, 3));
    assert_eq!(
        texts(ingested.table.column("name").unwrap()),
        ["Ann", "Bob", "Cy"]
    );
    assert_eq!(
        ingested.table.column("age").unwrap().column_type(),
        ColumnType::Numeric
    );
}

#[test]
fn a_header_only_file_says_no_data_rows() {
    let error = read_err(b"name,age,city\n");
    assert_eq!(
        error,
        IngestError::NoDataRows {
            columns: 3,
            names: "name, age, city".into(),
            guessed: true
        }
    );
    assert!(error.to_string().starts_with("the file has no data rows"));
    let error = read_err(b"name,age\n\n,\n");
    assert!(matches!(error, IngestError::NoDataRows { columns: 2, .. }));
}

#[test]
fn a_few_stray_nul_bytes_are_read_and_reported_not_binary() {
    let mut bytes = b"name,score\n".to_vec();
    for i in 0..60 {
        bytes.extend_from_slice(format!("customer{i},{i}\n").as_bytes());
    }
    bytes.splice(204..204, [0u8, 0, 0]);
    let ingested = read_bytes(&bytes);
    let report = &ingested.report;
    assert_eq!(report.nul_bytes, 3);
    assert_eq!(report.first_nul_line, Some(17));
    assert_eq!(report.rows_kept, 60);
    // A file that is mostly NULs is still refused.
    assert!(matches!(read_err(&[0u8; 200]), IngestError::Binary { .. }));
}

#[test]
fn an_unclosed_quote_with_a_different_field_count_is_reported_as_an_unclosed_quote() {
    // The quote on line 3 swallows lines 4-5: the swallowed row has 2 fields, not a field-count issue.
    let report = read("a,b,c\n1,2,3\n4,\"oops,6\n7,8,9\n10,11,12\n").report;
    assert_eq!(report.issues.len(), 1);
    assert_eq!(report.issues[0].kind, RowIssueKind::UnterminatedQuote);
    assert_eq!(report.issues[0].line, 3);
    assert!(report.issues[0].message.contains("never closed"));
}

#[test]
fn cr_only_line_endings_give_each_bad_row_its_own_line() {
    let mut text = String::from("a,b\r");
    for i in 0..60 {
        if i == 49 {
            text.push_str("bad\r");
        } else {
            text.push_str(&format!("{i},{i}\r"));
        }
    }
    let report = read(&text).report;
    assert_eq!(report.issues.len(), 1);
    assert_eq!(report.issues[0].line, 51);
    // A stray CR inside a CRLF file ends a line too: lines do not repeat.
    let report = read("a,b\r\n1,2\r\n3\r4,5\r\n6\r\n").report;
    let lines: Vec<u64> = report.issues.iter().map(|i| i.line).collect();
    assert_eq!(lines, [3, 5]);
}

#[test]
fn all_empty_records_are_counted() {
    let report = read("a,b\n1,2\n,\n , \n3,4\n\n").report;
    assert_eq!(report.empty_records, 2);
    assert_eq!(report.rows_in_file, 2);
    assert_eq!(report.blank_lines, 3);
}

#[test]
fn byte_order_marks_inside_the_text_do_not_hide_a_repeated_header() {
    // Two UTF-8 exports joined: the second one's BOM sits before its header, mid-file.
    let text = "\u{feff}name,age\nAnn,34\n\u{feff}name,age\nBob,41\n";
    let ingested = read(text);
    assert_eq!(ingested.report.repeated_header_lines, [3]);
    assert_eq!(
        texts(ingested.table.column("name").unwrap()),
        ["Ann", "Bob"]
    );
    // A header name that starts with a BOM character loses it.
    let ingested = read("x,\u{feff}age\nAnn,34\n");
    assert_eq!(ingested.table.columns()[1].name, "age");
}

#[test]
fn a_file_whose_every_row_is_bad_is_refused_with_the_first_problem() {
    let error = read_err(b"a,b,c\n1\n2\n3,4\n");
    assert_eq!(
        error,
        IngestError::AllRowsBad {
            rows_in_file: 3,
            first_lines: vec![2, 3, 4],
            first_problem: "line 2: 1 field, expected 3".into()
        }
    );
    assert!(error
        .to_string()
        .starts_with("none of the 3 rows can be read as-is"));
}

// ---------------------------------------------------------------- large files (read on every core)

/// A file large enough that, natively on more than one core, its cells are looked up and its columns
/// typed on threads of their own: every cell must still land in its own row and column.
#[test]
fn a_large_file_read_on_threads_keeps_every_cell_in_its_row_and_column() {
    let rows = 120_000;
    let mut text = String::from("id,tier,spend,joined,note\n");
    for row in 0..rows {
        let tier = ["gold", "silver", "bronze"][row % 3];
        let spend = if row % 1_000 == 7 {
            "n/a".to_owned()
        } else {
            format!("{}.{:02}", row % 5_000, row % 100)
        };
        let joined = format!("2024-{:02}-{:02}", row % 12 + 1, row % 28 + 1);
        let note = if row % 2 == 0 {
            ""
        } else {
            "a note that is longer than sixteen bytes"
        };
        text.push_str(&format!("C{row:07},{tier},{spend},{joined},{note}\n"));
        if row == 77_776 {
            text.push_str("ragged,row\n");
        }
    }
    let options = IngestOptions {
        bad_rows: BadRowPolicy::Skip,
        ..IngestOptions::default()
    };
    let ingested = read_table(text.as_bytes(), &options).unwrap();
    assert_counts_add_up(&ingested);
    let report = &ingested.report;
    assert_eq!((report.rows_kept, report.rows_skipped), (rows, 1));
    assert_eq!(report.issues[0].line, 77_779);
    let table = &ingested.table;
    assert_eq!(
        types(table),
        [
            ColumnType::Identifier,
            ColumnType::Categorical,
            ColumnType::Numeric,
            ColumnType::Date,
            ColumnType::Categorical
        ]
    );
    let id = table.column("id").unwrap();
    assert_eq!(id.dictionary().len(), rows);
    let spend = table.column("spend").unwrap();
    assert_eq!(spend.missing_count(), rows / 1_000);
    for row in [0, 1, 4_095, 4_096, 77_776, 77_777, 99_999, rows - 1] {
        assert_eq!(id.text(row), format!("C{row:07}"));
        assert_eq!(
            table.column("tier").unwrap().text(row),
            ["gold", "silver", "bronze"][row % 3]
        );
        let expected =
            (row % 1_000 != 7).then(|| (row % 5_000) as f64 + (row % 100) as f64 / 100.0);
        assert_eq!(spend.number(row), expected, "row {row}");
        assert_eq!(
            table.column("joined").unwrap().text(row),
            format!("2024-{:02}-{:02}", row % 12 + 1, row % 28 + 1)
        );
        assert_eq!(
            table.column("note").unwrap().text(row).is_empty(),
            row % 2 == 0
        );
    }
}
