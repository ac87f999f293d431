//! Test helper: a [`Table`] from CSV text with the column types given by the test (so the profile tests do
//! not depend on type inference). Cells `""` and `NA` are missing; categorical levels follow first
//! appearance; ordinal levels are sorted by the midpoint of the numbers in their label; binary levels are
//! `[negative, positive]` read from 0/1, no/yes, false/true.

use crate::table::{Cell, Column, ColumnType, Level, Table};

fn midpoint(label: &str) -> f64 {
    let numbers: Vec<f64> = label
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|part| part.parse().ok())
        .collect();
    match numbers.as_slice() {
        [] => 0.0,
        [one] => *one,
        [a, b, ..] => (a + b) / 2.0,
    }
}

fn column(name: &str, column_type: ColumnType, texts: &[String]) -> Column {
    let mut dictionary: Vec<String> = Vec::new();
    let codes: Vec<u32> = texts
        .iter()
        .map(|text| match dictionary.iter().position(|d| d == text) {
            Some(i) => i as u32,
            None => {
                dictionary.push(text.clone());
                dictionary.len() as u32 - 1
            }
        })
        .collect();
    let missing = |text: &str| text.trim().is_empty() || text.trim() == "NA";
    let mut labels: Vec<String> = Vec::new();
    for text in &dictionary {
        if !missing(text) && !labels.contains(text) {
            labels.push(text.clone());
        }
    }
    let levels: Vec<Level> = match column_type {
        ColumnType::Categorical => labels
            .iter()
            .map(|label| Level {
                label: label.clone(),
                position: None,
            })
            .collect(),
        ColumnType::Ordinal => {
            labels.sort_by(|a, b| midpoint(a).total_cmp(&midpoint(b)));
            labels
                .iter()
                .map(|label| Level {
                    label: label.clone(),
                    position: Some(midpoint(label)),
                })
                .collect()
        }
        ColumnType::Binary => {
            let positive =
                |l: &str| matches!(l.to_lowercase().as_str(), "1" | "yes" | "true" | "y");
            labels.sort_by_key(|l| positive(l));
            labels
                .iter()
                .map(|label| Level {
                    label: label.clone(),
                    position: Some(if positive(label) { 1.0 } else { 0.0 }),
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let cells = dictionary
        .iter()
        .map(|text| {
            if missing(text) {
                return Cell::Missing;
            }
            match column_type {
                ColumnType::Numeric => text.trim().parse().map_or(Cell::Missing, Cell::Number),
                ColumnType::Identifier => Cell::Text,
                ColumnType::Empty | ColumnType::Date => Cell::Missing,
                _ => Cell::Level(levels.iter().position(|l| &l.label == text).unwrap() as u32),
            }
        })
        .collect();
    Column::new(name, column_type, codes, dictionary, cells, levels).unwrap()
}

/// Builds a table from CSV text (with a header row) and one type per column.
pub(crate) fn table(csv_text: &str, types: &[ColumnType]) -> Table {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(headers.len(), types.len(), "one type per column");
    let mut texts: Vec<Vec<String>> = vec![Vec::new(); headers.len()];
    for record in reader.records() {
        let record = record.unwrap();
        for (i, field) in record.iter().enumerate() {
            texts[i].push(field.to_string());
        }
    }
    Table::new(
        headers
            .iter()
            .zip(types)
            .zip(&texts)
            .map(|((name, &t), texts)| column(name, t, texts))
            .collect(),
    )
    .unwrap()
}

/// Segment labels read from a column of numbers.
pub(crate) fn labels(table: &Table, name: &str) -> Vec<u32> {
    let column = table.column(name).unwrap();
    (0..table.n_rows())
        .map(|row| column.text(row).trim().parse().unwrap())
        .collect()
}
