//! The whole table's figures, applied to a model fitted on a sample of it: the robust ranges of numeric
//! columns and the type and levels of text columns, as `audience segment` would find them on every row.
//!
//! Spark counts them where the rows are (distinct texts with their row counts; exact ranks for the
//! ranges); here they become the model's encoding ([`global_encoding`]), under which the sample is then
//! encoded and fitted again ([`crate::segment::segment_with_globals`]).

use audience_engine::encode::{encode, robust_range, DimKind, SelectedVariable, Selection};
use audience_engine::ingest::{column_from_counts, IngestOptions};
use audience_engine::model::{Encoding, LevelValue, ModelVariable};
use audience_engine::table::{Cell, ColumnType, Table};
use serde::Deserialize;

use crate::error::{Failure, FailureKind};

/// The whole table's figures for some of the columns (JSON from the Python side).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Globals {
    /// `(column, low, high)`: robust ranges of numeric columns.
    pub ranges: Vec<(String, f64, f64)>,
    /// `(column, [(text, rows)])`: every distinct text of a text column with its row count.
    pub texts: Vec<(String, Vec<(String, u64)>)>,
}

/// The encoding of `variable`'s column as reading all its rows would make it, from its distinct texts and
/// their row counts: `(column type, encoding)`, with the variable's weight. `None` when every value is
/// missing (the sample's encoding is kept).
pub fn global_encoding(
    variable: &ModelVariable,
    values: &[(String, u64)],
) -> Result<Option<(ColumnType, Encoding)>, Failure> {
    let texts: Vec<String> = values.iter().map(|(t, _)| t.clone()).collect();
    let counts: Vec<usize> = values.iter().map(|&(_, c)| c as usize).collect();
    let options = IngestOptions::default();
    let column = column_from_counts(&variable.name, texts, &counts, &options)
        .map_err(|e| Failure::new(FailureKind::Encode, e.to_string()))?;
    let column_type = column.column_type();
    let levels = |binary: bool| -> Vec<LevelValue> {
        column
            .levels()
            .iter()
            .enumerate()
            .map(|(index, level)| {
                let position = level
                    .position
                    .filter(|p| p.is_finite())
                    .unwrap_or(index as f64);
                LevelValue {
                    label: level.label.clone(),
                    value: if binary {
                        f64::from(u8::from(position > 0.0))
                    } else {
                        position
                    },
                }
            })
            .collect()
    };
    // One row per distinct text: the dimensions (kinds, labels, weights) are those of the whole table,
    // whose every level is present; ranges are taken from the counts below.
    let distinct = column.dictionary().len();
    let numbers: Vec<Option<f64>> = column
        .cells()
        .iter()
        .map(|cell| match cell {
            Cell::Number(x) if x.is_finite() => Some(x),
            Cell::Level(level) => Some(
                column.levels()[level as usize]
                    .position
                    .filter(|p| p.is_finite())
                    .unwrap_or(f64::from(level)),
            ),
            _ => None,
        })
        .collect();
    if numbers
        .iter()
        .zip(&counts)
        .all(|(n, &c)| n.is_none() || c == 0)
    {
        return Ok(None);
    }
    let name = column.name.clone();
    let table = Table::new(vec![column.clone()])
        .map_err(|e| Failure::new(FailureKind::Encode, e.to_string()))?;
    let selection = Selection {
        variables: vec![SelectedVariable {
            column: 0,
            weight: variable.weight,
            force: column_type == ColumnType::Identifier,
        }],
    };
    let matrix = encode(&table, &selection).map_err(|e| {
        Failure::new(
            FailureKind::Encode,
            format!("column {name:?} ({distinct} distinct values in the whole table): {e}"),
        )
    })?;
    let first = &matrix.dims[0];
    let encoding = match first.kind {
        DimKind::OneHot => Encoding::OneHot {
            levels: matrix
                .dims
                .iter()
                .map(|d| d.level_label.clone().unwrap_or_default())
                .collect(),
            value_weight: first.value_weight,
            rescale_weight: first.rescale_weight,
        },
        DimKind::Binary => Encoding::Binary {
            levels: levels(true),
            value_weight: first.value_weight,
            rescale_weight: first.rescale_weight,
        },
        DimKind::Numeric | DimKind::Date | DimKind::Ordinal => {
            let range = robust_range(&numbers, &counts);
            Encoding::Scaled {
                low: range.low,
                high: range.high,
                value_weight: first.value_weight,
                rescale_weight: first.rescale_weight,
                levels: if first.kind == DimKind::Ordinal {
                    levels(false)
                } else {
                    Vec::new()
                },
            }
        }
        DimKind::AllMissing => return Ok(None),
    };
    Ok(Some((column_type, encoding)))
}

/// Applies `globals` to the variables of a model; returns whether anything changed. Ranges replace those
/// of plain numeric columns; text columns get their whole-table type and encoding ([`global_encoding`]).
pub fn apply(variables: &mut [ModelVariable], globals: &Globals) -> Result<bool, Failure> {
    let mut changed = false;
    for variable in variables.iter_mut() {
        if let Some(&(_, new_low, new_high)) = globals.ranges.iter().find(|r| r.0 == variable.name)
        {
            if let Encoding::Scaled {
                low, high, levels, ..
            } = &mut variable.encoding
            {
                let plain = levels.is_empty() && variable.column_type == ColumnType::Numeric;
                if plain && new_low.is_finite() && new_high.is_finite() && new_low <= new_high {
                    changed |= (*low, *high) != (new_low, new_high);
                    (*low, *high) = (new_low, new_high);
                }
            }
        }
        if let Some((_, values)) = globals.texts.iter().find(|t| t.0 == variable.name) {
            if let Some((column_type, encoding)) = global_encoding(variable, values)? {
                changed |= (column_type, &encoding) != (variable.column_type, &variable.encoding);
                variable.column_type = column_type;
                variable.encoding = encoding;
            }
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variable(name: &str) -> ModelVariable {
        ModelVariable {
            name: name.into(),
            column_type: ColumnType::Binary,
            weight: 1.0,
            encoding: Encoding::Binary {
                levels: vec![],
                value_weight: 1.0,
                rescale_weight: 1.0,
            },
        }
    }

    fn counts(values: &[(&str, u64)]) -> Vec<(String, u64)> {
        values.iter().map(|&(t, c)| (t.to_string(), c)).collect()
    }

    #[test]
    fn a_level_the_sample_never_saw_gets_its_one_hot_dimension_in_count_order() {
        let values = counts(&[
            ("basic", 500),
            ("plus", 300),
            ("premium", 200),
            ("legacy", 1),
        ]);
        let (column_type, encoding) = global_encoding(&variable("plan"), &values)
            .unwrap()
            .unwrap();
        assert_eq!(column_type, ColumnType::Categorical);
        assert_eq!(
            encoding,
            Encoding::OneHot {
                levels: vec![
                    "basic".into(),
                    "plus".into(),
                    "premium".into(),
                    "legacy".into()
                ],
                value_weight: 0.5,
                rescale_weight: 0.25,
            }
        );
    }

    #[test]
    fn text_numbers_get_the_robust_range_of_all_their_rows() {
        // 1,000 rows: the 1st percentile (rank 9) is 2 and the 99th (rank 990) is 9, so the outliers 1
        // and 1000 are clipped; with five more rows at 5 in place of the 9s, both percentiles are 5 and
        // the full range is used.
        let values = counts(&[("1", 5), ("2", 10), ("5", 970), ("9", 10), ("1000", 5)]);
        let (column_type, encoding) = global_encoding(&variable("visits"), &values)
            .unwrap()
            .unwrap();
        assert_eq!(column_type, ColumnType::Numeric);
        assert!(
            matches!(encoding, Encoding::Scaled { low, high, .. } if (low, high) == (2.0, 9.0))
        );
        let values = counts(&[("1", 5), ("5", 990), ("1000", 5)]);
        let (_, encoding) = global_encoding(&variable("visits"), &values)
            .unwrap()
            .unwrap();
        assert!(
            matches!(encoding, Encoding::Scaled { low, high, .. } if (low, high) == (1.0, 1000.0))
        );
    }
}
