//! Putting the rows of a file in the segments of a saved [`SegmentationModel`].
//!
//! Each column the model uses is found by name and encoded with the *training file's* figures (robust
//! ranges, level values, one-hot levels, weights), so the training file re-encodes to exactly the matrix it
//! was fitted on. What can differ in a new file is handled and reported, never matched silently:
//!
//! * a column the model needs is missing: [`ApplyError::MissingColumns`] names them all;
//! * a column now reads as another type (text where numbers were): its cells are re-read under the saved
//!   type; when more than 5 % of its filled cells do not read, [`ApplyError::Retyped`], otherwise the few
//!   that do not read count as missing and [`ApplyNote::Unreadable`] says how many;
//! * a category level the model never saw: those cells count as missing (the row is placed by its other
//!   columns) and [`ApplyNote::NewLevels`] lists the levels with their row counts.
//!
//! Rows then go to a segment by [`BoundsMode`]: the nearest center, or the saved share bounds enforced
//! exactly again by [`crate::cluster::assign::solve`] (minimum total distance with every segment's size
//! within `⌈min·n⌉..=⌊max·n⌋`), the same solver as the fit. With exact bounds the fit's last assignment
//! step is replayed ([`replay_assignment_from_distances`]: the saved centers and prices, rows in the fit's
//! [`row_order`], decided by their contents and the seed), so the training file gets its labels back
//! exactly, identical rows split as the fit split them, and the same rows in another order get the same
//! segment per customer. Customers identical on every column the model uses are interchangeable: when
//! such a group has to be split between segments, which of them fills the last places is arbitrary, and
//! [`ApplyNote::SharedValues`] says how many customers that concerns.

use serde::{Deserialize, Serialize};

use super::{Encoding, ModelError, SegmentationModel};
use crate::cluster::assign::{solve, CostMatrix};
use crate::cluster::{replay_assignment_from_distances, row_order, same_contents, SizeLimits};
use crate::encode::{DimKind, EncodeNote, EncodedDim, EncodedMatrix};
use crate::ingest::{retype, IngestOptions};
use crate::table::{Cell, Column, ColumnType, Table};

/// How rows are put in segments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundsMode {
    /// Every segment's share within the saved bounds, at the minimum total distance (the fit's solver).
    /// A model saved without bounds places rows as [`BoundsMode::Nearest`] does.
    #[default]
    Exact,
    /// Each row in the segment of its nearest center (ties: the lower number); shares may leave the bounds.
    Nearest,
}

/// Something the user should know about how the file was matched to the model; not an error.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "note")]
pub enum ApplyNote {
    /// Values the model never saw; those cells count as missing.
    NewLevels {
        /// Column name.
        column: String,
        /// Each new value with its row count, most rows first.
        levels: Vec<(String, usize)>,
        /// Rows holding one of them.
        rows: usize,
    },
    /// Customers identical on every column the model uses, some of them in a group split between
    /// segments (exact bounds only): interchangeable, so which of a group fills the last places of a
    /// segment is arbitrary.
    SharedValues {
        /// Customers who share all their values with at least one other customer.
        rows: usize,
        /// Of those, customers in a group that was split between segments.
        split: usize,
    },
    /// A few filled cells do not read under the saved type; they count as missing.
    Unreadable {
        /// Column name.
        column: String,
        /// The saved type.
        expected: ColumnType,
        /// Cells that do not read.
        rows: usize,
    },
}

impl ApplyNote {
    /// The note in plain words, with what it means for the rows.
    pub fn message(&self) -> String {
        match self {
            ApplyNote::NewLevels {
                column,
                levels,
                rows,
            } => {
                let listed: Vec<String> = levels
                    .iter()
                    .take(5)
                    .map(|(label, n)| format!("{label:?} ({n} rows)"))
                    .collect();
                let more = levels.len().saturating_sub(5);
                format!(
                    "the column {column:?} has {} value{} the saved segmentation never saw: {}{}; \
                     those {rows} rows were placed by their other columns",
                    levels.len(),
                    if levels.len() == 1 { "" } else { "s" },
                    listed.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                )
            }
            ApplyNote::SharedValues { rows, split } => format!(
                "{rows} customers share their values with another customer on every column the \
                 segmentation uses; which of them fills the last places of a segment is arbitrary \
                 ({split} of them are in a group split between two or more segments)"
            ),
            ApplyNote::Unreadable {
                column,
                expected,
                rows,
            } => format!(
                "{rows} cells of the column {column:?} do not read as {} as they did when the \
                 segmentation was saved; they count as missing",
                type_words(*expected)
            ),
        }
    }
}

/// Why a file cannot be put in the saved segments.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    /// The model itself is damaged.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Columns the model needs are not in the file.
    #[error(
        "this file has no column {} that the saved segmentation uses; add {} (same name) or save a \
         segmentation without {}. The file's columns are: {}",
        quoted(missing), if missing.len() == 1 { "it" } else { "them" },
        if missing.len() == 1 { "it" } else { "them" }, available.join(", ")
    )]
    MissingColumns {
        /// The missing column names.
        missing: Vec<String>,
        /// The file's columns.
        available: Vec<String>,
    },
    /// A column's values no longer read as the saved type.
    #[error(
        "the column {column:?} held {} when the segmentation was saved, but {unreadable} of its {present} \
         filled cells in this file do not (for example {example:?}); fix the column, or segment this file \
         afresh",
        type_words(*expected)
    )]
    Retyped {
        /// Column name.
        column: String,
        /// The saved type.
        expected: ColumnType,
        /// The type the file's column reads as.
        found: ColumnType,
        /// Filled cells that do not read under the saved type.
        unreadable: usize,
        /// Filled cells.
        present: usize,
        /// One of them.
        example: String,
    },
    /// The file has no row.
    #[error("this file has no customer rows to put in segments")]
    NoRows,
    /// The saved share bounds cannot hold for this many rows.
    #[error(
        "{rows} rows cannot be split into {k} segments of {min_rows} to {max_rows} rows each (the saved \
         shares {min}–{max}); use --bounds nearest to place each row by its nearest segment instead"
    )]
    BoundsImpossible {
        /// Rows in the file.
        rows: usize,
        /// Segments.
        k: usize,
        /// Smallest saved share.
        min: f64,
        /// Largest saved share.
        max: f64,
        /// Smallest segment size.
        min_rows: usize,
        /// Largest segment size.
        max_rows: usize,
    },
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn type_words(column_type: ColumnType) -> &'static str {
    match column_type {
        ColumnType::Numeric => "numbers",
        ColumnType::Date => "dates",
        ColumnType::Ordinal => "ordered ranges",
        ColumnType::Binary => "two values (yes/no)",
        ColumnType::Categorical => "categories",
        ColumnType::Identifier => "identifiers",
        ColumnType::Empty => "nothing",
    }
}

/// A file put in saved segments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Applied {
    /// Segment of each row, `0..k` (write `label + 1`, the model's segment number).
    pub labels: Vec<u32>,
    /// Rows per segment.
    pub sizes: Vec<usize>,
    /// What was matched with care.
    pub notes: Vec<ApplyNote>,
    /// Rows in the segment of their nearest center (all of them with [`BoundsMode::Nearest`]).
    pub at_nearest: usize,
}

/// Re-encodes `table` under `model` (see the [module docs](self)) and puts every row in a segment.
/// `options` supplies the missing markers used to re-read a column under its saved type.
pub fn apply(
    model: &SegmentationModel,
    table: &Table,
    mode: BoundsMode,
    options: &IngestOptions,
) -> Result<Applied, ApplyError> {
    let (matrix, mut notes) = encode_for_model(model, table, options)?;
    let exact = mode == BoundsMode::Exact && model.bounds.is_some();
    let order = exact.then(|| row_order(&matrix, model.seed));
    let (labels, at_nearest) = assign_in_order(model, &matrix, mode, order.as_deref())?;
    if let Some(order) = &order {
        let (rows, split) = shared_values(&matrix, order, &labels);
        if split > 0 {
            notes.push(ApplyNote::SharedValues { rows, split });
        }
    }
    let mut sizes = vec![0usize; model.k];
    labels.iter().for_each(|&l| sizes[l as usize] += 1);
    Ok(Applied {
        labels,
        sizes,
        notes,
        at_nearest,
    })
}

/// `table` encoded with the model's figures, in the model's dimensions, plus the notes of the match.
pub fn encode_for_model(
    model: &SegmentationModel,
    table: &Table,
    options: &IngestOptions,
) -> Result<(EncodedMatrix, Vec<ApplyNote>), ApplyError> {
    model.check()?;
    if table.n_rows() == 0 {
        return Err(ApplyError::NoRows);
    }
    let missing: Vec<String> = model
        .variables
        .iter()
        .filter(|v| find_column(table, &v.name).is_none())
        .map(|v| v.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(ApplyError::MissingColumns {
            missing,
            available: table.columns().iter().map(|c| c.name.clone()).collect(),
        });
    }
    let n_rows = table.n_rows();
    let n_dims = model.n_dims();
    let mut data = vec![0f32; n_rows * n_dims];
    let mut dims = Vec::with_capacity(n_dims);
    let mut notes = Vec::new();
    let mut offset = 0;
    for variable in &model.variables {
        let index = find_column(table, &variable.name).expect("checked above");
        let column = read_as(&table.columns()[index], variable.column_type, options)?;
        if let Some(rows) = column.unreadable.filter(|&r| r > 0) {
            notes.push(ApplyNote::Unreadable {
                column: variable.name.clone(),
                expected: variable.column_type,
                rows,
            });
        }
        let column = &column.column;
        let plan = plan(variable, column);
        if !plan.new_levels.is_empty() {
            let counts = entry_counts(column);
            let mut levels: Vec<(String, usize)> = plan
                .new_levels
                .iter()
                .map(|&(entry, ref label)| (label.clone(), counts[entry]))
                .filter(|(_, n)| *n > 0)
                .collect();
            // Spellings of one level share its label: add them up.
            levels.sort_by(|a, b| a.0.cmp(&b.0));
            levels.dedup_by(|b, a| {
                let same = a.0 == b.0;
                if same {
                    a.1 += b.1;
                }
                same
            });
            levels.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let rows = levels.iter().map(|l| l.1).sum();
            if rows > 0 {
                notes.push(ApplyNote::NewLevels {
                    column: variable.name.clone(),
                    levels,
                    rows,
                });
            }
        }
        let codes = column.codes();
        for (d, per_entry) in plan.per_entry.iter().enumerate() {
            codes.for_each(|row, code| {
                data[row * n_dims + offset + d] = per_entry[code as usize];
            });
        }
        dims.extend(dims_of(index, variable));
        offset += plan.per_entry.len();
    }
    let matrix = EncodedMatrix::from_dims(data, n_rows, dims, Vec::<EncodeNote>::new())
        .ok_or_else(|| ModelError::Inconsistent("the encoded width does not match".into()))?;
    Ok((matrix, notes))
}

/// Puts the rows of a matrix encoded under `model` in its segments; also returns how many rows are in
/// the segment of their nearest center.
pub fn assign(
    model: &SegmentationModel,
    matrix: &EncodedMatrix,
    mode: BoundsMode,
) -> Result<(Vec<u32>, usize), ApplyError> {
    assign_in_order(model, matrix, mode, None)
}

/// [`assign`] with the rows' [`row_order`] under the model's seed when already known.
fn assign_in_order(
    model: &SegmentationModel,
    matrix: &EncodedMatrix,
    mode: BoundsMode,
    order: Option<&[usize]>,
) -> Result<(Vec<u32>, usize), ApplyError> {
    let centers: Vec<&[f32]> = model.segments.iter().map(|s| s.center.as_slice()).collect();
    let limits = match (mode, model.bounds) {
        (BoundsMode::Exact, Some(bounds)) => {
            let limits = bounds.limits(matrix.n_rows);
            if !limits.admits(matrix.n_rows, model.k) {
                return Err(ApplyError::BoundsImpossible {
                    rows: matrix.n_rows,
                    k: model.k,
                    min: bounds.min,
                    max: bounds.max,
                    min_rows: limits.lower,
                    max_rows: limits.upper,
                });
            }
            Some(limits)
        }
        _ => None,
    };
    let Some(limits) = limits else {
        return Ok(assign_to_centers(matrix, &centers, None));
    };
    let order = match order {
        Some(order) => order.to_vec(),
        None => row_order(matrix, model.seed),
    };
    let prices: Option<Vec<f64>> = model.segments.iter().map(|s| s.assignment_price).collect();
    let (distances, nearest) = distances_and_nearest(matrix, &centers);
    let labels = prices
        .and_then(|prices| replay_assignment_from_distances(&distances, &order, &prices, limits))
        .unwrap_or_else(|| solve_in_order(&distances, &nearest, &order, limits));
    let at_nearest = labels.iter().zip(&nearest).filter(|(a, b)| a == b).count();
    Ok((labels, at_nearest))
}

/// Labels of the rows of `matrix` given `centers`: nearest center (ties: the lower index) without
/// `limits`, else the exact bounded assignment, its ties broken by the rows' contents ([`row_order`]
/// with seed 0), never by their position. Also returns how many rows are at their nearest center.
/// `limits` must admit the row count.
pub fn assign_to_centers(
    matrix: &EncodedMatrix,
    centers: &[&[f32]],
    limits: Option<SizeLimits>,
) -> (Vec<u32>, usize) {
    let n = matrix.n_rows;
    let (distances, nearest) = distances_and_nearest(matrix, centers);
    let Some(limits) = limits else {
        return (nearest, n);
    };
    let labels = solve_in_order(&distances, &nearest, &row_order(matrix, 0), limits);
    let at_nearest = labels.iter().zip(&nearest).filter(|(a, b)| a == b).count();
    (labels, at_nearest)
}

/// The exact bounded assignment of the rows taken in `order`, labels in file order (`nearest` when the
/// solver cannot run).
fn solve_in_order(
    distances: &[f32],
    nearest: &[u32],
    order: &[usize],
    limits: SizeLimits,
) -> Vec<u32> {
    let (n, k) = (nearest.len(), distances.len() / nearest.len().max(1));
    let ordered: Vec<f32> = order
        .iter()
        .flat_map(|&row| distances[row * k..(row + 1) * k].iter().copied())
        .collect();
    let Some(assignment) =
        CostMatrix::from_distances(n, k, &ordered).and_then(|costs| solve(&costs, limits))
    else {
        return nearest.to_vec();
    };
    let mut labels = vec![0u32; n];
    for (&row, &label) in order.iter().zip(&assignment.labels) {
        labels[row] = label;
    }
    labels
}

/// Customers who share every encoded value with another customer, and those of them in a group split
/// between segments. `order` is a [`row_order`] of `matrix` (identical rows next to each other).
fn shared_values(matrix: &EncodedMatrix, order: &[usize], labels: &[u32]) -> (usize, usize) {
    let (mut rows, mut split) = (0, 0);
    let mut start = 0;
    while start < order.len() {
        let first = matrix.row(order[start]);
        let end = start
            + 1
            + order[start + 1..]
                .iter()
                .take_while(|&&row| same_contents(matrix.row(row), first))
                .count();
        if end - start > 1 {
            rows += end - start;
            let label = labels[order[start]];
            if order[start..end].iter().any(|&row| labels[row] != label) {
                split += end - start;
            }
        }
        start = end;
    }
    (rows, split)
}

/// Every row's distance to every center (`n × k`, row-major) and its nearest center (ties: the lower
/// index).
fn distances_and_nearest(matrix: &EncodedMatrix, centers: &[&[f32]]) -> (Vec<f32>, Vec<u32>) {
    let (n, k) = (matrix.n_rows, centers.len());
    let mut distances = vec![0f32; n * k];
    let mut nearest = vec![0u32; n];
    let flat: Vec<f32> = centers.concat();
    let prepared = matrix.layout().prepare_centers(&flat);
    let mut scratch = crate::encode::distance::AllCentersScratch::default();
    for (row, (out, best)) in distances
        .chunks_exact_mut(k.max(1))
        .zip(&mut nearest)
        .enumerate()
    {
        matrix
            .layout()
            .distances_to_centers(matrix.row(row), &prepared, &mut scratch, out);
        *best = out
            .iter()
            .enumerate()
            .fold(
                (0, f32::INFINITY),
                |(b, bd), (c, &d)| {
                    if d < bd {
                        (c, d)
                    } else {
                        (b, bd)
                    }
                },
            )
            .0 as u32;
    }
    (distances, nearest)
}

/// The column of that name (exact, else the same name ignoring case and surrounding spaces).
fn find_column(table: &Table, name: &str) -> Option<usize> {
    table.column_index(name).or_else(|| {
        table
            .columns()
            .iter()
            .position(|c| c.name.trim().eq_ignore_ascii_case(name.trim()))
    })
}

/// A file's column read under the saved type, with the filled cells that do not read (when re-read).
struct ReadAs {
    column: Column,
    unreadable: Option<usize>,
}

/// Share of filled cells that may fail to read under the saved type before the column counts as retyped.
const MAX_UNREADABLE_SHARE: f64 = 0.05;

fn read_as(
    column: &Column,
    expected: ColumnType,
    options: &IngestOptions,
) -> Result<ReadAs, ApplyError> {
    let found = column.column_type();
    // Forced identifiers (and all-missing columns) match on the cell text; same type needs nothing.
    if found == expected || matches!(expected, ColumnType::Identifier | ColumnType::Empty) {
        return Ok(ReadAs {
            column: column.clone(),
            unreadable: None,
        });
    }
    let present = column.len() - column.missing_count();
    let first_present = || {
        (0..column.len())
            .find(|&row| !column.is_missing(row))
            .map(|row| column.text(row).to_string())
            .unwrap_or_default()
    };
    let retyped = |unreadable: usize, example: String| ApplyError::Retyped {
        column: column.name.clone(),
        expected,
        found,
        unreadable,
        present,
        example,
    };
    // Numbers where categories were is a different column (a 1/0 column read as numbers is still binary).
    if expected.has_levels() && found.is_numeric_like() && expected != ColumnType::Binary {
        return Err(retyped(present, first_present()));
    }
    let reread = match retype(column, expected, options) {
        Ok(reread) => reread,
        Err(_) => return Err(retyped(present, first_present())),
    };
    let unreadable = reread
        .missing_count()
        .saturating_sub(column.missing_count());
    if unreadable as f64 > MAX_UNREADABLE_SHARE * present as f64 {
        let example = (0..column.len())
            .find(|&row| !column.is_missing(row) && reread.is_missing(row))
            .map(|row| column.text(row).to_string())
            .unwrap_or_default();
        return Err(retyped(unreadable, example));
    }
    Ok(ReadAs {
        column: reread,
        unreadable: Some(unreadable),
    })
}

/// Per dimension, the value of each dictionary entry; plus the entries holding a level the model lacks.
struct Plan {
    per_entry: Vec<Vec<f32>>,
    new_levels: Vec<(usize, String)>,
}

fn plan(variable: &super::ModelVariable, column: &Column) -> Plan {
    let cells = column.cells();
    let mut new_levels = Vec::new();
    let level_label = |cell: Cell| match cell {
        Cell::Level(level) => column
            .levels()
            .get(level as usize)
            .map(|l| l.label.as_str()),
        _ => None,
    };
    let per_entry = match &variable.encoding {
        Encoding::Scaled {
            low,
            high,
            value_weight,
            levels,
            ..
        } => {
            let ordinal = variable.column_type == ColumnType::Ordinal;
            let unit = |x: f64| {
                if low == high {
                    0.0
                } else {
                    (x.clamp(*low, *high) - low) / (high - low)
                }
            };
            let values = cells
                .iter()
                .enumerate()
                .map(|(entry, cell)| {
                    let number = match cell {
                        Cell::Number(x) if x.is_finite() && !ordinal => Some(x),
                        Cell::Level(level) if ordinal => {
                            let label = level_label(cell).unwrap_or_default();
                            let saved = levels.iter().find(|l| l.label == label).map(|l| l.value);
                            // A band the model never saw still has its place on the scale.
                            let position = column.levels()[level as usize]
                                .position
                                .filter(|p| p.is_finite());
                            if saved.is_none() && position.is_none() {
                                new_levels.push((entry, label.to_string()));
                            }
                            saved.or(position)
                        }
                        _ => None,
                    };
                    match number {
                        Some(x) => (unit(x) * f64::from(*value_weight)) as f32,
                        None => f32::NAN,
                    }
                })
                .collect();
            vec![values]
        }
        Encoding::Binary {
            levels,
            value_weight,
            ..
        } => {
            let values = cells
                .iter()
                .enumerate()
                .map(|(entry, cell)| {
                    let Some(label) = level_label(cell) else {
                        return f32::NAN;
                    };
                    let saved = levels
                        .iter()
                        .find(|l| l.label == label)
                        .or_else(|| levels.iter().find(|l| l.label.eq_ignore_ascii_case(label)))
                        .map(|l| l.value)
                        .or_else(|| binary_token(label));
                    match saved {
                        Some(v) if v > 0.0 => *value_weight,
                        Some(_) => 0.0,
                        None => {
                            new_levels.push((entry, label.to_string()));
                            f32::NAN
                        }
                    }
                })
                .collect();
            vec![values]
        }
        Encoding::OneHot {
            levels,
            value_weight,
            ..
        } => {
            let by_text = matches!(
                variable.column_type,
                ColumnType::Identifier | ColumnType::Empty
            );
            let level_of: Vec<Option<usize>> = cells
                .iter()
                .enumerate()
                .map(|(entry, cell)| {
                    let label = if by_text {
                        (cell != Cell::Missing).then(|| &column.dictionary()[entry])
                    } else {
                        level_label(cell)
                    }?;
                    let found = levels.iter().position(|l| l == label);
                    if found.is_none() {
                        new_levels.push((entry, label.to_string()));
                    }
                    found
                })
                .collect();
            (0..levels.len())
                .map(|dim| {
                    level_of
                        .iter()
                        .map(|level| match level {
                            Some(l) if *l == dim => *value_weight,
                            Some(_) => 0.0,
                            None => f32::NAN,
                        })
                        .collect()
                })
                .collect()
        }
        Encoding::AllMissing { .. } => vec![vec![f32::NAN; cells.len()]],
    };
    Plan {
        per_entry,
        new_levels,
    }
}

/// The polarity of a yes/no-like word (as ingest reads binary columns).
fn binary_token(text: &str) -> Option<f64> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "t" | "yes" | "y" | "1" => Some(1.0),
        "false" | "f" | "no" | "n" | "0" => Some(0.0),
        _ => None,
    }
}

fn entry_counts(column: &Column) -> Vec<usize> {
    column.codes().counts(column.dictionary().len())
}

/// The matrix dimensions of a variable (as [`crate::encode::encode`] describes them).
fn dims_of(column: usize, variable: &super::ModelVariable) -> Vec<EncodedDim> {
    let base = |kind, low, high, value_weight, rescale_weight| EncodedDim {
        column,
        name: variable.name.clone(),
        kind,
        level: None,
        level_label: None,
        low,
        high,
        value_weight,
        rescale_weight,
    };
    match &variable.encoding {
        Encoding::Scaled {
            low,
            high,
            value_weight,
            rescale_weight,
            ..
        } => {
            let kind = match variable.column_type {
                ColumnType::Date => DimKind::Date,
                ColumnType::Ordinal => DimKind::Ordinal,
                _ => DimKind::Numeric,
            };
            vec![base(kind, *low, *high, *value_weight, *rescale_weight)]
        }
        Encoding::Binary {
            value_weight,
            rescale_weight,
            ..
        } => vec![base(
            DimKind::Binary,
            0.0,
            1.0,
            *value_weight,
            *rescale_weight,
        )],
        Encoding::OneHot {
            levels,
            value_weight,
            rescale_weight,
        } => levels
            .iter()
            .enumerate()
            .map(|(level, label)| EncodedDim {
                level: Some(level as u32),
                level_label: Some(label.clone()),
                ..base(DimKind::OneHot, 0.0, 1.0, *value_weight, *rescale_weight)
            })
            .collect(),
        Encoding::AllMissing { rescale_weight } => {
            vec![base(DimKind::AllMissing, 0.0, 1.0, 0.0, *rescale_weight)]
        }
    }
}
