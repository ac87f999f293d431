//! Segment labels → the rows of each segment, and segment labels read from an existing column.

use crate::table::{Cell, Column};

/// The rows of each non-empty segment, segments in ascending id order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Groups {
    /// Segment ids present in the labels, ascending.
    pub ids: Vec<u32>,
    /// `rows[i]` = the row indices (ascending) whose label is `ids[i]`.
    pub rows: Vec<Vec<u32>>,
}

impl Groups {
    /// Groups row indices by label.
    pub fn from_labels(labels: &[u32]) -> Self {
        let mut ids: Vec<u32> = labels.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut rows = vec![Vec::new(); ids.len()];
        for (row, label) in labels.iter().enumerate() {
            // `ids` holds every label, so the search always succeeds.
            if let Ok(slot) = ids.binary_search(label) {
                rows[slot].push(row as u32);
            }
        }
        Groups { ids, rows }
    }
}

/// Segment labels read from an existing column (for example a lifestyle code or an earlier segmentation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnSegments {
    /// One segment id per row.
    pub labels: Vec<u32>,
    /// The column text of each segment id (`"(missing)"` for rows with no value).
    pub names: Vec<String>,
    /// Number of rows whose value was missing (grouped into the `"(missing)"` segment).
    pub missing_rows: usize,
}

/// Reads one segment per distinct value of `column` (per level for binary, ordinal and categorical columns). Ids follow the order of first appearance, so the same
/// file always gives the same ids; rows with a missing value form one extra segment named `"(missing)"`.
///
/// ```
/// use audience_engine::profile::segments_from_column;
/// use audience_engine::table::{Cell, Column, ColumnType};
///
/// let column = Column::new(
///     "code", ColumnType::Categorical, vec![0, 1, 0, 2],
///     vec!["A".into(), "B".into(), "".into()],
///     vec![Cell::Level(0), Cell::Level(1), Cell::Missing],
///     vec![
///         audience_engine::table::Level { label: "A".into(), position: None },
///         audience_engine::table::Level { label: "B".into(), position: None },
///     ],
/// ).unwrap();
/// let segments = segments_from_column(&column);
/// assert_eq!(segments.labels, vec![0, 1, 0, 2]);
/// assert_eq!(segments.names, vec!["A", "B", "(missing)"]);
/// assert_eq!(segments.missing_rows, 1);
/// ```
pub fn segments_from_column(column: &Column) -> ColumnSegments {
    let n_levels = column.levels().len();
    let mut id_of_key: Vec<Option<u32>> = vec![None; n_levels + column.dictionary().len()];
    let mut names: Vec<String> = Vec::new();
    let mut missing_id: Option<u32> = None;
    let mut missing_rows = 0;
    let mut labels = Vec::with_capacity(column.len());
    for row in 0..column.len() {
        let (key, name) = match column.cell(row) {
            Cell::Level(level) => (
                level as usize,
                column.levels()[level as usize].label.as_str(),
            ),
            _ => (
                n_levels + column.code(row) as usize,
                &column.dictionary()[column.code(row) as usize],
            ),
        };
        let id = if column.is_missing(row) {
            missing_rows += 1;
            *missing_id.get_or_insert_with(|| {
                names.push("(missing)".to_string());
                names.len() as u32 - 1
            })
        } else {
            *id_of_key[key].get_or_insert_with(|| {
                names.push(name.trim().to_string());
                names.len() as u32 - 1
            })
        };
        labels.push(id);
    }
    ColumnSegments {
        labels,
        names,
        missing_rows,
    }
}
