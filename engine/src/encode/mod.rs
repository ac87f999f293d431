//! Selected table columns → a dense matrix in which L1 distance is a Gower-style dissimilarity.
//!
//! Every selected variable contributes at most its weight `w` to the distance between two rows:
//!
//! | column type | dimensions | encoded value of a present cell |
//! |---|---|---|
//! | numeric, date, ordinal | 1 | `w · (clamp(x, lo, hi) − lo) / (hi − lo)` (robust range, below) |
//! | binary | 1 | `w · 0` or `w · 1` (level 0 is the negative value) |
//! | categorical with `L` levels present | `L` (one-hot) | `w · 0.5` on the row's level, `0` elsewhere |
//!
//! so a categorical mismatch costs `0.5·w + 0.5·w = w` under L1, exactly what a numeric difference over the
//! whole robust range costs.
//!
//! **Robust range.** Of the `m` present values of a numeric, date or ordinal column (ordinal cells read as
//! their level's [position](crate::table::Level::position)) sorted ascending, `lo` is the value at 0-based rank
//! `⌊0.01·(m−1)⌋` and `hi` the value at rank `⌈0.99·(m−1)⌉` (1st and 99th percentiles, nearest rank). Values
//! outside `[lo, hi]` are clipped to it, so one outlier cannot squash everybody else into a corner. When
//! `lo == hi` the full range `[min, max]` is used instead; when that is a single value too, the column is
//! noted ([`EncodeNote::SingleValue`]) and encodes to 0 for every present cell.
//!
//! **Missing values** stay missing: every dimension of a missing cell is NaN. [`EncodedMatrix::distance`]
//! skips them and rescales by total over present weight; see [`distance`] for the exact rule. Each
//! dimension's [`EncodedDim::rescale_weight`] is the variable's weight `w` (split evenly over the `L` one-hot
//! dimensions of a categorical variable), so the rescaling counts variables, not dimensions.
//!
//! ```
//! use audience_engine::encode::{encode, Selection};
//! use audience_engine::table::{Cell, Column, ColumnType, Level, Table};
//!
//! let colour = Column::new(
//!     "colour", ColumnType::Categorical, vec![0, 1, 0],
//!     vec!["red".into(), "blue".into()], vec![Cell::Level(0), Cell::Level(1)],
//!     vec![Level { label: "red".into(), position: None }, Level { label: "blue".into(), position: None }],
//! ).unwrap();
//! let table = Table::new(vec![colour]).unwrap();
//! let matrix = encode(&table, &Selection::columns(&[0])).unwrap();
//! assert_eq!(matrix.n_dims, 2);
//! assert_eq!(matrix.row_distance(0, 1), 1.0); // red vs blue: a mismatch costs exactly 1
//! assert_eq!(matrix.row_distance(0, 2), 0.0);
//! ```

pub mod distance;
mod robust;
mod selection;

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::table::{Cell, Codes, Column, ColumnType, Table};

pub use robust::{robust_range, RobustRange};
pub use selection::{default_selection, is_contact_column, SelectedVariable, Selection};

/// How an encoded dimension was derived from its column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DimKind {
    /// A numeric column, robust-scaled.
    Numeric,
    /// A date column (days since 1970-01-01), robust-scaled.
    Date,
    /// An ordinal column (level positions), robust-scaled.
    Ordinal,
    /// A binary column: 0 or the weight.
    Binary,
    /// One level of a categorical column: 0.5 × weight when the row has this level, else 0.
    OneHot,
    /// A column forced into clustering although every cell is missing: always NaN.
    AllMissing,
}

/// One column of the encoded matrix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EncodedDim {
    /// Index of the source column in the [`Table`].
    pub column: usize,
    /// Source column name.
    pub name: String,
    /// How the value was derived.
    pub kind: DimKind,
    /// For [`DimKind::OneHot`]: the level index in the source column.
    pub level: Option<u32>,
    /// For one-hot dimensions the level label.
    pub level_label: Option<String>,
    /// Lower end of the robust range (scaled dimensions), else 0.
    pub low: f64,
    /// Upper end of the robust range (scaled dimensions), else 1.
    pub high: f64,
    /// Factor applied after scaling to `[0, 1]`: the variable weight (0.5 × weight for one-hot).
    pub value_weight: f32,
    /// This dimension's share of the variable weight in the missing-value rescaling of [`distance`].
    pub rescale_weight: f32,
}

/// Something worth telling the user about the encoding; not an error.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "note")]
pub enum EncodeNote {
    /// The column has a single present value: it cannot separate anybody.
    SingleValue {
        /// Column name.
        column: String,
    },
    /// The 1st and 99th percentiles coincide; the full range was used.
    FullRangeUsed {
        /// Column name.
        column: String,
    },
    /// An identifier or all-missing column was included because the caller forced it.
    Forced {
        /// Column name.
        column: String,
        /// Its type.
        column_type: ColumnType,
    },
    /// Rows with every selected variable missing: they are at distance 0 from everything and will be placed
    /// wherever the size bounds need them.
    RowsWithNothingKnown {
        /// How many.
        count: usize,
    },
}

/// The encoded matrix: `n_rows × n_dims`, row-major, NaN where a value is missing.
#[derive(Clone, Debug, PartialEq)]
pub struct EncodedMatrix {
    /// Row-major values (`data[row * n_dims + dim]`); NaN marks a missing value.
    pub data: Vec<f32>,
    /// Number of rows.
    pub n_rows: usize,
    /// Number of dimensions.
    pub n_dims: usize,
    /// What each dimension is.
    pub dims: Vec<EncodedDim>,
    /// Observations about the encoding.
    pub notes: Vec<EncodeNote>,
    layout: distance::DistanceLayout,
}

/// Why columns could not be encoded.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EncodeError {
    /// Nothing selected.
    #[error("no column selected for clustering")]
    NothingSelected,
    /// A selected column index does not exist.
    #[error("column index {index} is out of range: the table has {n_columns} columns")]
    ColumnOutOfRange {
        /// The index given.
        index: usize,
        /// Columns in the table.
        n_columns: usize,
    },
    /// The same column selected twice.
    #[error("column {name:?} is selected twice")]
    DuplicateColumn {
        /// Column name.
        name: String,
    },
    /// An identifier column selected without forcing.
    #[error("column {name:?} looks like an identifier ({distinct} distinct values in {rows} rows); it is excluded from clustering unless forced")]
    Identifier {
        /// Column name.
        name: String,
        /// Distinct texts.
        distinct: usize,
        /// Rows.
        rows: usize,
    },
    /// An all-missing column selected without forcing.
    #[error("column {name:?} is missing in all {rows} rows; it is excluded from clustering unless forced")]
    EmptyColumn {
        /// Column name.
        name: String,
        /// Rows.
        rows: usize,
    },
    /// A weight that is not a finite positive number.
    #[error("column {name:?} has weight {weight}; weights must be finite and greater than 0")]
    InvalidWeight {
        /// Column name.
        name: String,
        /// The weight given.
        weight: f64,
    },
    /// A forced identifier column with more distinct values than one-hot encoding allows.
    #[error("column {name:?} has {levels} distinct values; at most {max} can be one-hot encoded")]
    TooManyLevels {
        /// Column name.
        name: String,
        /// Distinct values.
        levels: usize,
        /// The limit.
        max: usize,
    },
}

/// The most one-hot dimensions a single forced identifier column may produce.
pub const MAX_FORCED_LEVELS: usize = 1000;

impl EncodedMatrix {
    /// A matrix of raw values (NaN = missing) in which every dimension is its own variable of weight 1,
    /// e.g. a matrix read back from a file or built in a test. Returns `None` when `data.len() != n_rows ×
    /// n_dims`.
    pub fn from_dense(data: Vec<f32>, n_rows: usize, n_dims: usize) -> Option<Self> {
        if n_rows.checked_mul(n_dims)? != data.len() {
            return None;
        }
        let dims = (0..n_dims)
            .map(|dim| EncodedDim {
                column: dim,
                name: format!("dim_{dim}"),
                kind: DimKind::Numeric,
                level: None,
                level_label: None,
                low: 0.0,
                high: 1.0,
                value_weight: 1.0,
                rescale_weight: 1.0,
            })
            .collect();
        Some(Self::assemble(data, n_rows, n_dims, dims, Vec::new()))
    }

    /// A matrix of already encoded values with the given dimensions (for example a file re-encoded under a
    /// saved [`crate::model::SegmentationModel`]): the missing-value rescaling uses each dimension's
    /// [`EncodedDim::rescale_weight`], exactly as for a matrix made by [`encode`]. Returns `None` when
    /// `data.len() != n_rows × dims.len()`.
    pub fn from_dims(
        data: Vec<f32>,
        n_rows: usize,
        dims: Vec<EncodedDim>,
        notes: Vec<EncodeNote>,
    ) -> Option<Self> {
        let n_dims = dims.len();
        if n_rows.checked_mul(n_dims)? != data.len() {
            return None;
        }
        Some(Self::assemble(data, n_rows, n_dims, dims, notes))
    }

    fn assemble(
        data: Vec<f32>,
        n_rows: usize,
        n_dims: usize,
        dims: Vec<EncodedDim>,
        notes: Vec<EncodeNote>,
    ) -> Self {
        let rescale_weights: Vec<f32> =
            dims.iter().map(|d: &EncodedDim| d.rescale_weight).collect();
        let one_hot_column: Vec<Option<usize>> = dims
            .iter()
            .map(|d| (d.kind == DimKind::OneHot).then_some(d.column))
            .collect();
        let layout = distance::DistanceLayout::new(&rescale_weights, &one_hot_column);
        EncodedMatrix {
            data,
            n_rows,
            n_dims,
            dims,
            notes,
            layout,
        }
    }

    /// Row `row` (`n_dims` values).
    pub fn row(&self, row: usize) -> &[f32] {
        &self.data[row * self.n_dims..(row + 1) * self.n_dims]
    }

    /// Per-dimension rescale weights used by [`distance`].
    pub fn rescale_weights(&self) -> &[f32] {
        self.layout.weights()
    }

    /// Sum of the rescale weights (`W` in [`distance`]).
    pub fn total_weight(&self) -> f32 {
        self.layout.total_weight()
    }

    /// How the distance sums this matrix's dimensions (one-hot groups as one term each).
    pub fn layout(&self) -> &distance::DistanceLayout {
        &self.layout
    }

    /// The missing-aware L1 distance ([`distance`]) between two points given as `n_dims` values each (rows
    /// or centers).
    #[inline]
    pub fn distance(&self, a: &[f32], b: &[f32]) -> f32 {
        self.layout.l1(a, b)
    }

    /// A matrix of the given rows (in the order given), with the same dimensions and weights.
    ///
    /// # Panics
    /// If a row index is out of range.
    pub fn select_rows(&self, rows: &[usize]) -> EncodedMatrix {
        let mut data = Vec::with_capacity(rows.len() * self.n_dims);
        for &row in rows {
            data.extend_from_slice(self.row(row));
        }
        EncodedMatrix {
            data,
            n_rows: rows.len(),
            ..self.clone_without_data()
        }
    }

    /// Puts the rows in the order `rows` in place: row `i` becomes the row that was `rows[i]`, as
    /// [`select_rows`](Self::select_rows) with a permutation would, without a second copy of the values.
    /// `rows` must be a permutation of `0..n_rows` (one row's values are held aside per cycle).
    pub(crate) fn permute_rows(&mut self, rows: &[usize]) {
        let d = self.n_dims;
        let mut placed = vec![false; self.n_rows];
        let mut held = vec![0f32; d];
        for start in 0..self.n_rows {
            if placed[start] {
                continue;
            }
            held.copy_from_slice(&self.data[start * d..(start + 1) * d]);
            let mut at = start;
            loop {
                placed[at] = true;
                let from = rows[at];
                if from == start {
                    self.data[at * d..(at + 1) * d].copy_from_slice(&held);
                    break;
                }
                self.data.copy_within(from * d..(from + 1) * d, at * d);
                at = from;
            }
        }
    }

    fn clone_without_data(&self) -> EncodedMatrix {
        EncodedMatrix {
            data: Vec::new(),
            n_rows: 0,
            n_dims: self.n_dims,
            dims: self.dims.clone(),
            notes: self.notes.clone(),
            layout: self.layout.clone(),
        }
    }

    /// [`distance`](Self::distance) between rows `a` and `b`.
    pub fn row_distance(&self, a: usize, b: usize) -> f32 {
        self.distance(self.row(a), self.row(b))
    }
}

/// Encodes the selected columns of `table`; see the [module docs](self) for the rules.
pub fn encode(table: &Table, selection: &Selection) -> Result<EncodedMatrix, EncodeError> {
    Ok(RowEncoder::new(table, selection)?.in_file_order())
}

/// The selected columns of a table, checked and planned: each row's encoded values can be written
/// anywhere, in any order, without the whole matrix (what [`encode`] writes in file order, and the
/// clustering in its fit's order).
pub struct RowEncoder<'a> {
    blocks: Vec<ColumnBlocks<'a>>,
    dims: Vec<EncodedDim>,
    notes: Vec<EncodeNote>,
    n_rows: usize,
}

impl<'a> RowEncoder<'a> {
    /// Checks and plans the selected columns of `table` (the [module docs](self) give the rules).
    pub fn new(table: &'a Table, selection: &Selection) -> Result<Self, EncodeError> {
        if selection.variables.is_empty() {
            return Err(EncodeError::NothingSelected);
        }
        let n_rows = table.n_rows();
        let mut plans: Vec<(usize, Vec<DimPlan>)> = Vec::new();
        let mut dims = Vec::new();
        let mut notes = Vec::new();
        // Table order, whatever the order of the selection: the same columns and weights give the same
        // matrix, and so the same segments, however they were listed (the page lists them by relevance).
        let mut in_table_order: Vec<Option<&SelectedVariable>> = vec![None; table.columns().len()];
        for variable in &selection.variables {
            let slot =
                in_table_order
                    .get_mut(variable.column)
                    .ok_or(EncodeError::ColumnOutOfRange {
                        index: variable.column,
                        n_columns: table.columns().len(),
                    })?;
            if slot.replace(variable).is_some() {
                return Err(EncodeError::DuplicateColumn {
                    name: table.columns()[variable.column].name.clone(),
                });
            }
        }
        for variable in in_table_order.into_iter().flatten() {
            let column = &table.columns()[variable.column];
            if !(variable.weight.is_finite() && variable.weight > 0.0) {
                return Err(EncodeError::InvalidWeight {
                    name: column.name.clone(),
                    weight: variable.weight,
                });
            }
            let column_type = column.column_type();
            let all_missing = column.missing_count() == n_rows;
            match column_type {
                ColumnType::Identifier if !variable.force => {
                    return Err(EncodeError::Identifier {
                        name: column.name.clone(),
                        distinct: column.dictionary().len(),
                        rows: n_rows,
                    })
                }
                ColumnType::Empty if !variable.force => {
                    return Err(EncodeError::EmptyColumn {
                        name: column.name.clone(),
                        rows: n_rows,
                    })
                }
                _ if all_missing && !variable.force => {
                    return Err(EncodeError::EmptyColumn {
                        name: column.name.clone(),
                        rows: n_rows,
                    })
                }
                ColumnType::Identifier | ColumnType::Empty => notes.push(EncodeNote::Forced {
                    column: column.name.clone(),
                    column_type,
                }),
                _ => {}
            }
            let column_plans =
                plan_column(variable.column, column, variable.weight as f32, &mut notes)?;
            dims.extend(column_plans.iter().map(|plan| plan.dim.clone()));
            plans.push((variable.column, column_plans));
        }
        // Each column's dimensions are consecutive: a row's values of one column are one block, looked up
        // by the row's code.
        let blocks: Vec<ColumnBlocks> = plans
            .iter()
            .scan(0, |offset, (column_index, column_plans)| {
                let blocks = ColumnBlocks::new(
                    table.columns()[*column_index].codes(),
                    *offset,
                    column_plans,
                );
                *offset += column_plans.len();
                Some(blocks)
            })
            .collect();
        Ok(RowEncoder {
            blocks,
            dims,
            notes,
            n_rows,
        })
    }

    /// The table's rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The values per row.
    pub fn n_dims(&self) -> usize {
        self.dims.len()
    }

    /// Every row encoded, in file order: the matrix [`encode`] returns.
    pub fn in_file_order(self) -> EncodedMatrix {
        let mut data = Vec::with_capacity(self.n_rows * self.n_dims());
        let nothing_known = self.in_batches(|_, values| data.extend_from_slice(values));
        self.into_matrix(data, nothing_known)
    }

    /// Encodes the table's rows in file order, [`ROWS_AT_A_TIME`] at a time, and calls
    /// `visit(first_row, values)` with each batch (`n_dims` values per row, from row `first_row` on);
    /// returns how many rows know nothing (every value missing).
    pub(crate) fn in_batches(&self, mut visit: impl FnMut(usize, &[f32])) -> usize {
        let d = self.n_dims().max(1);
        let mut values = Vec::new();
        let mut nothing_known = 0;
        for first in (0..self.n_rows).step_by(ROWS_AT_A_TIME) {
            let rows = first..self.n_rows.min(first + ROWS_AT_A_TIME);
            values.resize(rows.len() * d, 0.0);
            nothing_known += self.write_rows(rows, &mut values);
            visit(first, &values);
        }
        nothing_known
    }

    /// Writes the encoded values of `rows` into `out` (`n_dims` values each), and says how many of these
    /// rows know nothing (every value missing). The values go in column after column: one column's
    /// lookups follow each other, so the processor overlaps their cache misses.
    ///
    /// # Panics
    /// If a row is out of range or `out` does not hold `rows.len()` rows.
    fn write_rows(&self, rows: Range<usize>, out: &mut [f32]) -> usize {
        let d = self.n_dims().max(1);
        assert_eq!(out.len(), rows.len() * d, "one row of values per row");
        for column in &self.blocks {
            column.write_rows(rows.clone(), d, out);
        }
        out.chunks_exact(d)
            .filter(|values| values.iter().all(|v| v.is_nan()))
            .count()
    }

    /// The matrix of `data`, the table's rows as [`in_batches`](Self::in_batches) encodes them, in some
    /// order, `nothing_known` of which knew nothing (noted when any did).
    ///
    /// # Panics
    /// If `data` does not hold `n_rows × n_dims` values.
    pub(crate) fn into_matrix(self, data: Vec<f32>, nothing_known: usize) -> EncodedMatrix {
        let n_dims = self.n_dims();
        assert_eq!(
            data.len(),
            self.n_rows * n_dims,
            "one row of values per row"
        );
        let mut notes = self.notes;
        if nothing_known > 0 {
            notes.push(EncodeNote::RowsWithNothingKnown {
                count: nothing_known,
            });
        }
        EncodedMatrix::assemble(data, self.n_rows, n_dims, self.dims, notes)
    }
}

/// The rows [`RowEncoder`] writes at a time, column after column (at 39 dimensions, 640 KB of values).
const ROWS_AT_A_TIME: usize = 4_096;

/// One column's encoded values by dictionary entry: the values of its `width` consecutive dimensions for
/// each entry, entry after entry, and where they go in a row.
struct ColumnBlocks<'a> {
    codes: Codes<'a>,
    offset: usize,
    width: usize,
    values: Vec<f32>,
}

impl<'a> ColumnBlocks<'a> {
    fn new(codes: Codes<'a>, offset: usize, plans: &[DimPlan]) -> Self {
        let width = plans.len();
        let entries = plans.first().map_or(0, |plan| plan.per_entry.len());
        let mut values = vec![0f32; entries * width];
        for (dim, plan) in plans.iter().enumerate() {
            for (entry, &value) in plan.per_entry.iter().enumerate() {
                values[entry * width + dim] = value;
            }
        }
        ColumnBlocks {
            codes,
            offset,
            width,
            values,
        }
    }

    /// Writes this column's values of `rows` into `out`, one row after another, rows `stride` values
    /// apart.
    #[inline]
    fn write_rows(&self, rows: Range<usize>, stride: usize, out: &mut [f32]) {
        let codes = self.codes.rows(rows);
        let mut at = self.offset;
        if self.width == 1 {
            codes.for_each(|_, code| {
                out[at] = self.values[code as usize];
                at += stride;
            });
        } else {
            let width = self.width;
            codes.for_each(|_, code| {
                let start = code as usize * width;
                out[at..at + width].copy_from_slice(&self.values[start..start + width]);
                at += stride;
            });
        }
    }
}

/// One output dimension: its description and its value for each dictionary entry of the column.
struct DimPlan {
    dim: EncodedDim,
    per_entry: Vec<f32>,
}

fn plan_column(
    index: usize,
    column: &Column,
    weight: f32,
    notes: &mut Vec<EncodeNote>,
) -> Result<Vec<DimPlan>, EncodeError> {
    let column_type = column.column_type();
    let counts = entry_counts(column);
    let base = EncodedDim {
        column: index,
        name: column.name.clone(),
        kind: DimKind::Numeric,
        level: None,
        level_label: None,
        low: 0.0,
        high: 1.0,
        value_weight: weight,
        rescale_weight: weight,
    };
    if counts
        .iter()
        .zip(column.cells())
        .all(|(&n, cell)| n == 0 || cell == Cell::Missing)
    {
        return Ok(vec![DimPlan {
            dim: EncodedDim {
                kind: DimKind::AllMissing,
                ..base
            },
            per_entry: vec![f32::NAN; column.cells().len()],
        }]);
    }
    match column_type {
        ColumnType::Numeric | ColumnType::Date | ColumnType::Ordinal => {
            let numbers: Vec<Option<f64>> = column
                .cells()
                .iter()
                .map(|cell| entry_number(column, cell))
                .collect();
            let range = robust::robust_range(&numbers, &counts);
            let kind = match column_type {
                ColumnType::Numeric => DimKind::Numeric,
                ColumnType::Date => DimKind::Date,
                _ => DimKind::Ordinal,
            };
            if range.single_value {
                notes.push(EncodeNote::SingleValue {
                    column: column.name.clone(),
                });
            } else if range.full_range_used {
                notes.push(EncodeNote::FullRangeUsed {
                    column: column.name.clone(),
                });
            }
            let per_entry = numbers
                .iter()
                .map(|number| match number {
                    Some(x) => (range.unit(*x) * weight as f64) as f32,
                    None => f32::NAN,
                })
                .collect();
            Ok(vec![DimPlan {
                dim: EncodedDim {
                    kind,
                    low: range.low,
                    high: range.high,
                    ..base
                },
                per_entry,
            }])
        }
        ColumnType::Binary => {
            note_single_level(column, &counts, notes);
            let per_entry = column
                .cells()
                .iter()
                .map(|cell| match cell {
                    Cell::Level(level) => {
                        let position = column.levels()[level as usize]
                            .position
                            .unwrap_or(level as f64);
                        if position > 0.0 {
                            weight
                        } else {
                            0.0
                        }
                    }
                    _ => f32::NAN,
                })
                .collect();
            Ok(vec![DimPlan {
                dim: EncodedDim {
                    kind: DimKind::Binary,
                    ..base
                },
                per_entry,
            }])
        }
        ColumnType::Categorical => {
            note_single_level(column, &counts, notes);
            let mut used = vec![false; column.levels().len()];
            for (cell, &n) in column.cells().iter().zip(&counts) {
                if let (Cell::Level(level), true) = (cell, n > 0) {
                    used[level as usize] = true;
                }
            }
            let used_levels: Vec<u32> = (0..used.len() as u32)
                .filter(|&l| used[l as usize])
                .collect();
            let labels: Vec<String> = used_levels
                .iter()
                .map(|&l| column.levels()[l as usize].label.clone())
                .collect();
            Ok(one_hot(
                base,
                &column.cells().to_vec(),
                &used_levels,
                labels,
                weight,
                |cell| match cell {
                    Cell::Level(level) => Some(*level),
                    _ => None,
                },
            ))
        }
        ColumnType::Identifier | ColumnType::Empty => {
            // Forced: one indicator per distinct present text.
            let present: Vec<u32> = (0..column.cells().len() as u32)
                .filter(|&e| {
                    counts[e as usize] > 0 && column.cells().get(e as usize) != Cell::Missing
                })
                .collect();
            if present.len() > MAX_FORCED_LEVELS {
                return Err(EncodeError::TooManyLevels {
                    name: column.name.clone(),
                    levels: present.len(),
                    max: MAX_FORCED_LEVELS,
                });
            }
            if present.len() == 1 {
                notes.push(EncodeNote::SingleValue {
                    column: column.name.clone(),
                });
            }
            let labels = present
                .iter()
                .map(|&e| column.dictionary()[e as usize].to_owned())
                .collect();
            // Map each entry to itself as its "level" so one-hot can look it up.
            let entries: Vec<Cell> = column
                .cells()
                .iter()
                .enumerate()
                .map(|(e, cell)| match cell {
                    Cell::Missing => Cell::Missing,
                    _ => Cell::Level(e as u32),
                })
                .collect();
            Ok(one_hot(
                base,
                &entries,
                &present,
                labels,
                weight,
                |cell| match cell {
                    Cell::Level(entry) => Some(*entry),
                    _ => None,
                },
            ))
        }
    }
}

fn one_hot(
    base: EncodedDim,
    cells: &[Cell],
    levels: &[u32],
    labels: Vec<String>,
    weight: f32,
    level_of: impl Fn(&Cell) -> Option<u32>,
) -> Vec<DimPlan> {
    let share = weight / levels.len() as f32;
    levels
        .iter()
        .zip(labels)
        .map(|(&level, label)| DimPlan {
            dim: EncodedDim {
                kind: DimKind::OneHot,
                level: Some(level),
                level_label: Some(label),
                value_weight: 0.5 * weight,
                rescale_weight: share,
                ..base.clone()
            },
            per_entry: cells
                .iter()
                .map(|cell| match level_of(cell) {
                    Some(l) if l == level => 0.5 * weight,
                    Some(_) => 0.0,
                    None => f32::NAN,
                })
                .collect(),
        })
        .collect()
}

fn note_single_level(column: &Column, counts: &[usize], notes: &mut Vec<EncodeNote>) {
    let mut levels: Vec<u32> = column
        .cells()
        .iter()
        .zip(counts)
        .filter_map(|(cell, &n)| match cell {
            Cell::Level(level) if n > 0 => Some(level),
            _ => None,
        })
        .collect();
    levels.sort_unstable();
    levels.dedup();
    if levels.len() == 1 {
        notes.push(EncodeNote::SingleValue {
            column: column.name.clone(),
        });
    }
}

/// How many rows use each dictionary entry.
fn entry_counts(column: &Column) -> Vec<usize> {
    column.codes().counts(column.dictionary().len())
}

/// The number a dictionary entry stands for (ordinal levels: their position, else their index).
fn entry_number(column: &Column, cell: Cell) -> Option<f64> {
    match cell {
        Cell::Number(x) if x.is_finite() => Some(x),
        Cell::Level(level) => Some(
            column.levels()[level as usize]
                .position
                .filter(|p| p.is_finite())
                .unwrap_or(level as f64),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
