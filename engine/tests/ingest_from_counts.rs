//! `ingest::column_from_counts`: a column typed from its distinct texts and their row counts (as a
//! distributed count gives them) gets the type, levels and level order reading every row would give.

use audience_engine::ingest::{column_from_counts, read_table, IngestOptions};
use audience_engine::table::ColumnType;

fn rows(name: &str, values: &[(&str, usize)]) -> String {
    let mut text = format!("{name}\n");
    for (value, count) in values {
        for _ in 0..*count {
            text += &format!("{value}\n");
        }
    }
    text
}

fn typed_both_ways(
    name: &str,
    values: &[(&str, usize)],
) -> (ColumnType, Vec<String>, ColumnType, Vec<String>) {
    let read = read_table(rows(name, values).as_bytes(), &IngestOptions::default()).unwrap();
    let column = &read.table.columns()[0];
    let texts = values.iter().map(|(t, _)| t.to_string()).collect();
    let counts: Vec<usize> = values.iter().map(|(_, c)| *c).collect();
    let counted = column_from_counts(name, texts, &counts, &IngestOptions::default()).unwrap();
    let labels =
        |c: &audience_engine::table::Column| c.levels().iter().map(|l| l.label.clone()).collect();
    (
        column.column_type(),
        labels(column),
        counted.column_type(),
        labels(&counted),
    )
}

#[test]
fn categorical_levels_from_counts_are_ordered_as_reading_the_rows_orders_them() {
    // Most rows first, ties by text; "NA" is a missing marker, " gold " trims to a level of its own.
    let values = [
        ("silver", 4),
        ("bronze", 7),
        ("gold", 4),
        ("NA", 9),
        ("platinum", 1),
    ];
    let (read_type, read_levels, counted_type, counted_levels) = typed_both_ways("tier", &values);
    assert_eq!(counted_type, ColumnType::Categorical);
    assert_eq!(counted_levels, ["bronze", "gold", "silver", "platinum"]);
    assert_eq!((read_type, read_levels), (counted_type, counted_levels));
}

#[test]
fn a_third_value_seen_once_makes_a_binary_looking_column_categorical_as_in_the_file() {
    let (_, _, two_type, two_levels) = typed_both_ways("newsletter", &[("yes", 40), ("no", 60)]);
    assert_eq!(
        (two_type, two_levels),
        (
            ColumnType::Binary,
            vec!["no".to_string(), "yes".to_string()]
        )
    );
    let values = [("yes", 40), ("no", 60), ("unsubscribed", 1)];
    let (read_type, read_levels, counted_type, counted_levels) =
        typed_both_ways("newsletter", &values);
    assert_eq!(counted_type, ColumnType::Categorical);
    assert_eq!(counted_levels, ["no", "yes", "unsubscribed"]);
    assert_eq!((read_type, read_levels), (counted_type, counted_levels));
}
