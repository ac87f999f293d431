//! Building the customer table's columns from per-customer values, read by the ingest rules so they
//! behave exactly as if the table had been read from a file.

use rustc_hash::FxHashMap;

use super::RollupError;
use crate::ingest::{retype, IngestOptions};
use crate::table::{Cell, Column, ColumnType};

/// `v` as text: whole numbers without decimals, others with `decimals` (or as they print).
pub(super) fn number_text(v: f64, decimals: Option<usize>) -> String {
    match decimals {
        Some(d) => format!("{v:.d$}"),
        None if v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", v as i64),
        None => v.to_string(),
    }
}

/// A numeric column of `values` written with `decimals` decimals (0: whole numbers).
pub(super) fn numbers(name: &str, values: &[f64], decimals: usize) -> Result<Column, RollupError> {
    let decimals = (decimals > 0).then_some(decimals);
    column(
        name,
        ColumnType::Numeric,
        values.iter().map(|&v| number_text(v, decimals)).collect(),
    )
}

/// A column of `texts` read as `ty` (by the ingest rules, so it behaves as if read from a file).
pub(super) fn column(
    name: &str,
    ty: ColumnType,
    texts: Vec<String>,
) -> Result<Column, RollupError> {
    let mut index: FxHashMap<String, u32> = FxHashMap::default();
    let mut dictionary: Vec<String> = Vec::new();
    let codes: Vec<u32> = texts
        .into_iter()
        .map(|text| {
            *index.entry(text).or_insert_with_key(|text| {
                dictionary.push(text.clone());
                (dictionary.len() - 1) as u32
            })
        })
        .collect();
    let cells = vec![Cell::Text; dictionary.len()];
    let raw = Column::new(
        name,
        ColumnType::Identifier,
        codes,
        dictionary,
        cells,
        Vec::new(),
    )?;
    if ty == ColumnType::Identifier {
        return Ok(raw);
    }
    Ok(retype(&raw, ty, &IngestOptions::default())?)
}
