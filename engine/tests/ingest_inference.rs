//! Type inference for codes that look like numbers (issue #14 point 7, issue #17 item 1): zero-padded ids,
//! ZIP codes, compact `YYYYMMDD` dates, integer category codes, and whitespace-aligned files.

use audience_engine::ingest::{read_notes, read_table, IngestOptions, Ingested};
use audience_engine::table::ColumnType;

fn read(text: &str) -> Ingested {
    read_table(text.as_bytes(), &IngestOptions::default()).unwrap()
}

fn type_of(ingested: &Ingested, name: &str) -> ColumnType {
    ingested.table.column(name).unwrap().column_type()
}

fn notes(ingested: &Ingested) -> Vec<String> {
    read_notes(&ingested.report, "rerun with --header no")
}

#[test]
fn zero_padded_ids_are_identifiers_and_keep_their_text() {
    // 30 rows, 10 customers repeated three times: not mostly distinct, but the name says id.
    let mut text = String::from("customer_id,spend\n");
    for i in 0..30 {
        text += &format!("{:05},{}.5\n", i % 10 + 1, i * 3 % 17);
    }
    let ingested = read(&text);
    assert_eq!(type_of(&ingested, "customer_id"), ColumnType::Identifier);
    assert_eq!(
        ingested.table.column("customer_id").unwrap().text(0),
        "00001"
    );
    assert_eq!(type_of(&ingested, "spend"), ColumnType::Numeric);
    let notes = notes(&ingested);
    assert!(
        notes.iter().any(|n| n.contains("customer_id: values such as 00001")
            && n.contains("leading zeros")),
        "{notes:?}"
    );
}

#[test]
fn a_few_zero_padded_codes_are_categories_and_unpadded_numbers_stay_numeric() {
    let ingested = read("store,visits\n01,1\n02,10\n01,3\n12,7\n");
    assert_eq!(type_of(&ingested, "store"), ColumnType::Categorical);
    assert_eq!(type_of(&ingested, "visits"), ColumnType::Numeric);
    // A lone leading zero narrower than the other values is not padding: "07" among three-digit numbers.
    let ingested = read("amount\n07\n120\n355\n");
    assert_eq!(type_of(&ingested, "amount"), ColumnType::Numeric);
}

#[test]
fn zip_codes_are_never_numbers() {
    let ingested = read("zip,spend\n02134,1\n90210,2\n10001,3\n02134,4\n");
    assert_eq!(type_of(&ingested, "zip"), ColumnType::Categorical);
    // Five-digit ZIPs without any leading zero, known by the name.
    let ingested = read("Postal code,spend\n90210,1\n10001,2\n90210,3\n");
    assert_eq!(type_of(&ingested, "Postal code"), ColumnType::Categorical);
    // ZIPs whose leading zeros a spreadsheet dropped.
    let ingested = read("ZIP,spend\n2134,1\n90210,2\n2134,3\n");
    assert_eq!(type_of(&ingested, "ZIP"), ColumnType::Categorical);
    // ZIP+4, which would otherwise read as a range.
    let ingested = read("where,spend\n02134-1234,1\n90210-0001,2\n90210,3\n");
    assert_eq!(type_of(&ingested, "where"), ColumnType::Categorical);
    let labels: Vec<&str> = ingested
        .table
        .column("where")
        .unwrap()
        .levels()
        .iter()
        .map(|l| l.label.as_str())
        .collect();
    assert_eq!(labels, ["02134-1234", "90210", "90210-0001"]);
}

#[test]
fn compact_dates_are_dates_only_when_every_value_is_one() {
    let ingested = read("date,amount\n19970101,1\n19970215,2\n19980630,3\n");
    assert_eq!(type_of(&ingested, "date"), ColumnType::Date);
    let date = ingested.table.column("date").unwrap();
    assert_eq!(date.number(0), Some(9_862.0)); // 1997-01-01
    assert_eq!(date.number(1), Some(9_907.0)); // 1997-02-15
    let notes = notes(&ingested);
    assert!(
        notes.iter().any(|n| n.contains("date: eight-digit values")),
        "{notes:?}"
    );
    // One eight-digit value that is no date (month 13) keeps the column numeric.
    let ingested = read("n\n19970101\n19971301\n19980630\n");
    assert_eq!(type_of(&ingested, "n"), ColumnType::Numeric);
    // A typo that is not a number is one unparsable date among 20.
    let mut text = String::from("date\n1997013X\n");
    for d in 1..=19 {
        text += &format!("199701{d:02}\n");
    }
    let ingested = read(&text);
    assert_eq!(type_of(&ingested, "date"), ColumnType::Date);
    assert_eq!(ingested.report.columns[0].unparsable_examples, ["1997013X"]);
}

#[test]
fn integer_category_codes_are_flagged_and_amounts_are_not() {
    let mut text = String::from("MOSTYPE,age,visits,kids\n");
    for i in 0..82u32 {
        let code = i % 41 + 1;
        let age = 18 + (i * 7) % 40;
        let visits = if i % 3 == 0 { 1 + i % 12 } else { 1 };
        let kids = i % 4;
        text += &format!("{code},{age},{visits},{kids}\n");
    }
    // Make 33 the most common code, as in the insurance file.
    text += "33,40,1,0\n33,41,1,0\n";
    let ingested = read(&text);
    let summary = |name: &str| {
        ingested
            .report
            .columns
            .iter()
            .find(|c| c.name == name)
            .unwrap()
    };
    assert_eq!(summary("MOSTYPE").column_type, ColumnType::Numeric);
    assert!(summary("MOSTYPE").integer_codes);
    for name in ["age", "visits", "kids"] {
        assert!(!summary(name).integer_codes, "{name}");
    }
    let notes = notes(&ingested);
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("MOSTYPE holds 41 different whole numbers")),
        "{notes:?}"
    );
}

#[test]
fn integer_codes_are_flagged_by_a_code_like_spread_without_a_code_like_name() {
    // 1..12, every value present, most common 7: no name hint needed.
    let mut text = String::from("answer\n");
    for i in 0..60u32 {
        text += &format!("{}\n", if i % 2 == 0 { 7 } else { (i / 2) % 12 + 1 });
    }
    let ingested = read(&text);
    assert!(ingested.report.columns[0].integer_codes);
}

#[test]
fn a_whitespace_aligned_file_is_read_as_columns() {
    let text = "  customer_id      date  quantity   amount\n\
                \x20       00001  19970101         1    11.77\n\
                \x20       00002  19970112         5    77.00\n\
                \x20       00002  19970112         2    20.76\n\
                \x20       00003  19970102         2    20.76\n";
    let ingested = read(text);
    let report = &ingested.report;
    assert!(report.whitespace_aligned);
    let names: Vec<&str> = report.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["customer_id", "date", "quantity", "amount"]);
    assert_eq!(report.rows_kept, 4);
    assert_eq!(type_of(&ingested, "customer_id"), ColumnType::Identifier);
    assert_eq!(type_of(&ingested, "date"), ColumnType::Date);
    assert_eq!(type_of(&ingested, "amount"), ColumnType::Numeric);
    assert_eq!(
        ingested.table.column("amount").unwrap().number(1),
        Some(77.0)
    );
    let notes = notes(&ingested);
    assert!(
        notes[0].starts_with("read the file as 4 columns separated by runs of spaces"),
        "{notes:?}"
    );
}

#[test]
fn a_value_with_a_space_in_an_aligned_file_is_a_reported_bad_row() {
    let mut text = String::from("   name   city\n");
    for (i, name) in [
        "Ann", "Bob", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ida", "Jo",
    ]
    .iter()
    .enumerate()
    {
        let city = if i == 1 { "New York" } else { "Oslo" };
        text += &format!("   {name:<6} {city}\n");
    }
    let ingested = read(&text);
    assert!(ingested.report.whitespace_aligned);
    assert_eq!(ingested.report.rows_skipped, 1);
    assert_eq!(ingested.report.issues[0].line, 3);
}
