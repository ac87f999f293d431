//! Which columns take part in clustering, with which weight.

use serde::{Deserialize, Serialize};

use crate::table::{ColumnType, Table};

/// One selected column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SelectedVariable {
    /// Column index in the [`Table`].
    pub column: usize,
    /// Weight (finite, > 0): the most this variable can add to the distance between two rows.
    pub weight: f64,
    /// Include the column even if it is an identifier or entirely missing.
    pub force: bool,
}

/// The variables to encode, in the order their dimensions appear in the matrix.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// Selected columns.
    pub variables: Vec<SelectedVariable>,
}

impl Selection {
    /// The given column indices, weight 1 each, not forced.
    pub fn columns(indices: &[usize]) -> Self {
        Selection {
            variables: indices
                .iter()
                .map(|&column| SelectedVariable {
                    column,
                    weight: 1.0,
                    force: false,
                })
                .collect(),
        }
    }
}

/// The columns clustering uses when the user has not chosen: every numeric, binary, ordinal and
/// categorical column that has at least one present value, weight 1, in table order. Identifier, empty and
/// date columns are left out, and so is `target` (the conversion column never takes part in clustering).
pub fn default_selection(table: &Table, target: Option<&str>) -> Selection {
    let indices: Vec<usize> = table
        .columns()
        .iter()
        .enumerate()
        .filter(|(_, column)| {
            matches!(
                column.column_type(),
                ColumnType::Numeric
                    | ColumnType::Binary
                    | ColumnType::Ordinal
                    | ColumnType::Categorical
            ) && Some(column.name.as_str()) != target
                && column.missing_count() < column.len()
        })
        .map(|(index, _)| index)
        .collect();
    Selection::columns(&indices)
}
