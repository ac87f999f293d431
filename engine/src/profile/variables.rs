//! Per-variable profiles: which columns are profiled, and each group's distribution or numeric summary
//! against the whole file's.

use serde::{Deserialize, Serialize};

use super::notes::{Note, NoteKind};
use super::records::{count_keys, missing_count, Group, Records, SortedNumbers};
use super::stats::{Counts, NumericStats, ValueKeys};
use crate::table::{ColumnType, Table};

/// One value's share in a group next to its share in the whole file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValueShare {
    /// The value's label.
    pub value: String,
    /// Records in the group with this value.
    pub count: usize,
    /// count ÷ **all** records in the group (missing included: the missing share is
    /// [`VariableProfile::missing`] ÷ the group's records).
    pub share: f64,
    /// The value's share of all the whole file's records (same denominator rule).
    pub file_share: f64,
    /// share ÷ file_share (always defined: a value seen in the group is seen in the file).
    pub lift: f64,
}

/// The `limit` most frequent values of a group with their lift over the file.
pub(crate) fn value_shares(
    keys: &ValueKeys,
    group: &Counts,
    file: &Counts,
    limit: usize,
) -> Vec<ValueShare> {
    let (present, file_present) = (
        group.present() + group.missing,
        file.present() + file.missing,
    );
    group
        .ranked()
        .into_iter()
        .take(limit)
        .map(|key| value_share(keys, group, file, key, present, file_present))
        .collect()
}

pub(crate) fn value_share(
    keys: &ValueKeys,
    group: &Counts,
    file: &Counts,
    key: u32,
    total: usize,
    file_total: usize,
) -> ValueShare {
    let count = group.counts[key as usize];
    let share = count as f64 / total as f64;
    let file_share = file.counts[key as usize] as f64 / file_total as f64;
    ValueShare {
        value: keys.labels[key as usize].clone(),
        count,
        share,
        file_share,
        lift: share / file_share,
    }
}

/// A variable's profile in one group (a segment or the whole file).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariableProfile {
    /// Column name.
    pub column: String,
    /// Column type.
    pub column_type: ColumnType,
    /// Records in the group with the column present.
    pub present: usize,
    /// Records in the group with the column missing.
    pub missing: usize,
    /// Most frequent values (binary, ordinal and categorical columns), most frequent first.
    pub values: Vec<ValueShare>,
    /// Number of further distinct values present in the group but not listed in `values`.
    pub other_values: usize,
    /// Summary of the numbers (numeric and date values; ordinal and binary positions).
    pub numeric: Option<NumericStats>,
    /// Group mean − file mean.
    pub mean_difference: Option<f64>,
    /// Group median − file median.
    pub median_difference: Option<f64>,
}

/// A profiled column, with its whole-file figures computed once.
#[derive(Clone, Debug)]
pub(crate) struct PlannedColumn {
    pub index: usize,
    pub keys: Option<ValueKeys>,
    pub file_counts: Option<Counts>,
    pub file_stats: Option<NumericStats>,
    /// The whole file's present numbers, when the column has numbers.
    pub file_numbers: Option<SortedNumbers>,
}

/// Chooses the columns to profile. Identifier, all-missing and single-valued columns are left out with a
/// note; so are the columns in `skip` (the target, the segment source, user exclusions).
pub(crate) fn plan_columns(
    records: &impl Records,
    skip: &[usize],
    notes: &mut Vec<Note>,
) -> Vec<PlannedColumn> {
    let table = records.table();
    let n_rows = records.n_rows();
    let mut planned = Vec::new();
    for (index, column) in table.columns().iter().enumerate() {
        if skip.contains(&index) {
            continue;
        }
        let name = &column.name;
        let column_type = column.column_type();
        let missing = missing_count(records, index, Group::File);
        if column_type == ColumnType::Empty || missing == n_rows {
            notes.push(Note::column(
                NoteKind::AllMissingColumn,
                name,
                format!("column {name:?} is missing in all {n_rows} rows; it is not profiled"),
            ));
            continue;
        }
        if column_type == ColumnType::Identifier {
            notes.push(Note::column(
                NoteKind::IdentifierColumn,
                name,
                format!("column {name:?} looks like an identifier (near-unique values); it is not profiled"),
            ));
            continue;
        }
        let keys = column_type.has_levels().then(|| ValueKeys::of(column));
        let file_counts = keys
            .as_ref()
            .map(|keys| count_keys(records, keys, index, Group::File));
        let file_numbers =
            (column_type != ColumnType::Categorical).then(|| records.numbers(Group::File, index));
        let file_stats = file_numbers.as_ref().and_then(NumericStats::of_sorted);
        let single = match (&file_counts, &file_stats) {
            (Some(counts), _) => {
                let ranked = counts.ranked();
                (ranked.len() == 1)
                    .then(|| keys.as_ref().unwrap().labels[ranked[0] as usize].clone())
            }
            (None, Some(stats)) => (stats.min == stats.max).then(|| stats.min.to_string()),
            (None, None) => None,
        };
        if let Some(value) = single {
            notes.push(Note::column(
                NoteKind::SingleValueColumn,
                name,
                format!(
                    "column {name:?} has the single value {value:?} in all {} rows where it is present; it cannot tell segments apart and is not profiled",
                    n_rows - missing
                ),
            ));
            continue;
        }
        planned.push(PlannedColumn {
            index,
            keys,
            file_counts,
            file_numbers: file_stats.and(file_numbers),
            file_stats,
        });
    }
    planned
}

impl PlannedColumn {
    /// The column's profile over `rows`; `counts` and `numbers` are the group's counts and sorted numbers.
    pub(crate) fn profile(
        &self,
        table: &Table,
        counts: Option<&Counts>,
        stats: Option<NumericStats>,
        missing: usize,
        top_values: usize,
    ) -> VariableProfile {
        let column = &table.columns()[self.index];
        let (values, other_values, present) = match (counts, &self.keys, &self.file_counts) {
            (Some(counts), Some(keys), Some(file)) => {
                let values = value_shares(keys, counts, file, top_values);
                let distinct = counts.counts.iter().filter(|&&c| c > 0).count();
                (values.clone(), distinct - values.len(), counts.present())
            }
            _ => (Vec::new(), 0, stats.map_or(0, |s| s.count)),
        };
        VariableProfile {
            column: column.name.clone(),
            column_type: column.column_type(),
            present,
            missing,
            values,
            other_values,
            numeric: stats,
            mean_difference: stats.zip(self.file_stats).map(|(g, f)| g.mean - f.mean),
            median_difference: stats.zip(self.file_stats).map(|(g, f)| g.median - f.median),
        }
    }
}
