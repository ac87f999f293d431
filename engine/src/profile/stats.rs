//! Counting values and summarising numbers over a set of rows.

use serde::{Deserialize, Serialize};

use super::records::SortedNumbers;
use crate::ingest::trim::trim;
use crate::table::{Cell, Column};

/// The distinct values of a column, as counting keys: levels for binary/ordinal/categorical columns,
/// distinct cell texts otherwise. Missing cells have no key.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueKeys {
    /// Display label of each key.
    pub labels: Vec<String>,
    key_of_code: Vec<Option<u32>>,
}

impl ValueKeys {
    /// The keys of `column`.
    pub fn of(column: &Column) -> Self {
        if column.column_type().has_levels() {
            let labels = column.levels().iter().map(|l| l.label.clone()).collect();
            let key_of_code = column
                .cells()
                .iter()
                .map(|cell| match cell {
                    Cell::Level(level) => Some(level),
                    _ => None,
                })
                .collect();
            ValueKeys {
                labels,
                key_of_code,
            }
        } else {
            let key_of_code = text_keys_of_codes(column);
            let mut labels = Vec::new();
            for (text, key) in column.dictionary().iter().zip(&key_of_code) {
                // Keys are numbered by first appearance: a key not seen yet is the next label.
                if *key == Some(labels.len() as u32) {
                    labels.push(trim(text).to_string());
                }
            }
            ValueKeys {
                labels,
                key_of_code,
            }
        }
    }

    /// [`of`](Self::of)`(column)`'s key of every dictionary entry, without the labels.
    pub(crate) fn keys_of_codes(column: &Column) -> Vec<Option<u32>> {
        if column.column_type().has_levels() {
            Self::of(column).key_of_code
        } else {
            text_keys_of_codes(column)
        }
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the column has no present value at all.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The key of `row`'s cell, `None` when missing.
    pub fn key(&self, column: &Column, row: usize) -> Option<u32> {
        self.key_of_code(column.code(row))
    }

    /// The key of the column's dictionary entry `code`, `None` when it is a missing value.
    pub fn key_of_code(&self, code: u32) -> Option<u32> {
        self.key_of_code[code as usize]
    }

    /// Counts of each key over `rows`, plus the number of missing cells.
    pub fn count(&self, column: &Column, rows: &[u32]) -> Counts {
        let mut counts = vec![0usize; self.len()];
        let mut missing = 0;
        for &row in rows {
            match self.key(column, row as usize) {
                Some(key) => counts[key as usize] += 1,
                None => missing += 1,
            }
        }
        Counts { counts, missing }
    }
}

/// The key of each dictionary entry of a column read as texts: distinct texts once trimmed, numbered by
/// first appearance; `None` for a missing entry.
///
/// The dictionary's entries are distinct texts, so where none has spaces around it each present entry is
/// a key of its own, numbered in order, and no text is looked up.
fn text_keys_of_codes(column: &Column) -> Vec<Option<u32>> {
    let dictionary = column.dictionary();
    let present = |cell: Cell| !matches!(cell, Cell::Missing);
    if dictionary.iter().all(|text| trim(text).len() == text.len()) {
        let mut next = 0u32;
        return column
            .cells()
            .iter()
            .map(|cell| {
                present(cell).then(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect();
    }
    let mut index: rustc_hash::FxHashMap<&str, u32> = rustc_hash::FxHashMap::default();
    dictionary
        .iter()
        .zip(column.cells())
        .map(|(text, cell)| {
            present(cell).then(|| {
                let next = index.len() as u32;
                *index.entry(trim(text)).or_insert(next)
            })
        })
        .collect()
}

/// Per-key counts over a set of rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counts {
    /// Count of each key.
    pub counts: Vec<usize>,
    /// Rows with a missing cell.
    pub missing: usize,
}

impl Counts {
    /// Rows with a present cell.
    pub fn present(&self) -> usize {
        self.counts.iter().sum()
    }

    /// Keys with a non-zero count, most frequent first (ties: lower key first).
    pub fn ranked(&self) -> Vec<u32> {
        let mut keys: Vec<u32> = (0..self.counts.len() as u32)
            .filter(|&k| self.counts[k as usize] > 0)
            .collect();
        keys.sort_by(|&a, &b| {
            self.counts[b as usize]
                .cmp(&self.counts[a as usize])
                .then(a.cmp(&b))
        });
        keys
    }
}

/// Five-number summary and mean of the present numbers of a group.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct NumericStats {
    /// Number of present values.
    pub count: usize,
    /// Smallest value.
    pub min: f64,
    /// First quartile.
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// Third quartile.
    pub q3: f64,
    /// Largest value.
    pub max: f64,
    /// Arithmetic mean.
    pub mean: f64,
}

impl NumericStats {
    /// Summarises `values` (sorted ascending in place). Quartiles use linear interpolation between order
    /// statistics (the `(n − 1)·p` rule, as NumPy's default and R's type 7). `None` when there are no values.
    pub fn of(values: &mut [f64]) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        // Unstable is exact here: values equal under `total_cmp` have the same bits.
        values.sort_unstable_by(f64::total_cmp);
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        Some(NumericStats {
            count: values.len(),
            min: values[0],
            q1: quantile_sorted(values, 0.25),
            median: quantile_sorted(values, 0.5),
            q3: quantile_sorted(values, 0.75),
            max: values[values.len() - 1],
            mean,
        })
    }

    /// Summarises `values` as [`of`](Self::of) does, from numbers already sorted (and possibly counted).
    pub fn of_sorted(values: &SortedNumbers) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        Some(NumericStats {
            count: values.len(),
            min: values.first(),
            q1: values.quantile(0.25),
            median: values.quantile(0.5),
            q3: values.quantile(0.75),
            max: values.last(),
            mean: values.sum() / values.len() as f64,
        })
    }
}

/// The `p`-quantile of sorted, non-empty `values` by linear interpolation at position `(n − 1)·p`.
pub fn quantile_sorted(values: &[f64], p: f64) -> f64 {
    let position = (values.len() - 1) as f64 * p;
    let lower = position.floor() as usize;
    let upper = position.ceil() as usize;
    let fraction = position - lower as f64;
    values[lower] + (values[upper] - values[lower]) * fraction
}

/// The present numbers of `column` over `rows` (numeric and date values, ordinal and binary positions).
pub fn numbers(column: &Column, rows: &[u32]) -> Vec<f64> {
    rows.iter()
        .filter_map(|&row| column.number(row as usize))
        .filter(|value| value.is_finite())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys as first defined: every present entry's trimmed text looked up, numbered by first
    /// appearance.
    fn keys_by_lookup(column: &Column) -> (Vec<String>, Vec<Option<u32>>) {
        let mut labels: Vec<String> = Vec::new();
        let keys = column
            .dictionary()
            .iter()
            .zip(column.cells())
            .map(|(text, cell)| {
                (!matches!(cell, Cell::Missing)).then(|| {
                    let trimmed = text.trim();
                    match labels.iter().position(|label| label == trimmed) {
                        Some(key) => key as u32,
                        None => {
                            labels.push(trimmed.to_string());
                            labels.len() as u32 - 1
                        }
                    }
                })
            })
            .collect();
        (labels, keys)
    }

    #[test]
    fn text_keys_are_the_trimmed_texts_numbered_by_first_appearance() {
        // Without spaces around any text (each entry its own key, no lookup), and with them (" b" and
        // "b" share a key); missing cells have none.
        for csv in [
            "id,name\n1,b\n2,\n3,a\n4,b\n5,NA\n6,c\n",
            "id,name\n1, b\n2,\n3,a\n4,b\n5,NA\n6,c \n7,c\n8,\u{a0}a\n",
        ] {
            let table = super::super::fixtures::table(csv);
            for column in table.columns() {
                let (labels, key_of_code) = keys_by_lookup(column);
                assert_eq!(text_keys_of_codes(column), key_of_code, "{csv:?}");
                // Columns with levels key by level; the others (here `id`) by text.
                if !column.column_type().has_levels() {
                    let keys = ValueKeys::of(column);
                    assert_eq!(keys.labels, labels, "{csv:?}");
                    assert_eq!(keys.key_of_code, key_of_code, "{csv:?}");
                }
                assert_eq!(
                    ValueKeys::keys_of_codes(column),
                    ValueKeys::of(column).key_of_code,
                    "{csv:?}"
                );
            }
        }
        let spaced = super::super::fixtures::table("code\n 7\n7\n3\n 7\n");
        let keys = ValueKeys::of(&spaced.columns()[0]);
        assert!(!spaced.columns()[0].column_type().has_levels());
        assert_eq!(keys.labels, ["7", "3"]);
        assert_eq!(keys.key_of_code, [Some(0), Some(0), Some(1)]);
    }

    #[test]
    fn quartiles_interpolate_between_order_statistics() {
        let mut values = vec![4.0, 1.0, 3.0, 2.0];
        let stats = NumericStats::of(&mut values).unwrap();
        assert_eq!(stats.min, 1.0);
        assert_eq!(stats.q1, 1.75);
        assert_eq!(stats.median, 2.5);
        assert_eq!(stats.q3, 3.25);
        assert_eq!(stats.max, 4.0);
        assert_eq!(stats.mean, 2.5);
    }

    #[test]
    fn no_values_give_no_stats() {
        assert_eq!(NumericStats::of(&mut []), None);
    }
}
